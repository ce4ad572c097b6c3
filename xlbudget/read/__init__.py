"""Reading a disclosure: PDF backends, raw blocks, stitching, parsing, narrative claims, extraction doubts."""
