"""Inside Excel: xlwings UDFs and macros."""
