"""The importer's doubts as declarations: what each EXTRACT.<slug> warning means.

They are found while reading (read/parse.py, read/diagnose.py, the workbook writer) and reach the
findings through Document.diagnostics, so no finder runs here; the declarations give them their
family, severity and line in the README's table of checks, like every other rule.
"""
from __future__ import annotations

from xlbudget.checks.registry import EXTRACTION, declare
from xlbudget.model import EXTRACTION_PREFIX

# slug -> what a reviewer should know about it (the message itself is written where it is found)
DOUBTS = {
    "fragment-row": "a row holding only the cut-off end of the name above it: a wrapped cell read as two rows",
    "glued-cells": "a cell holding two amounts: two rows read as one",
    "header-in-body": "a header row (column names) read as a data row",
    "amount-in-code-column": "a code piece read as an amount, or 款/项 rows summed as 类 (split code columns not recognised)",
    "header-swallowed": "a data row taken into the header band",
    "unnamed-column": "a column printing names has no column name (its header cell was read elsewhere)",
    "header-changed": "the header repeated on a later page differs from the first page's",
    "no-claims": "the narrative speaks of 万元 but no claim (amount of a subject) was read from it",
    "no-year": "no fiscal year found in the titles or the first lines",
    "no-department": "no department name found above the tables or in the first lines",
    "undecodable-text": "much of the text is glyph codes without Unicode ((cid:N)): the PDF's fonts cannot be read",
    "text-cut": "a text longer than Excel's cell limit was cut (marked) in the workbook",
}

for _slug, _what in DOUBTS.items():
    declare(EXTRACTION_PREFIX + _slug, kind=EXTRACTION, severity="warning", describe=_what,
            message="{message}")
