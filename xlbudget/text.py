"""Pure: text a spreadsheet cell can hold safely, one home for every writer (openpyxl workbooks,
the comparison, the batch summary, and the xlwings functions and macros writing through Excel).

* characters XML 1.0 (and so .xlsx) cannot hold are dropped: C0 controls except tab/LF/CR,
  U+FFFE/U+FFFF, lone surrogates;
* a text over Excel's 32,767 characters (UTF-16 units) per cell is cut, marked with CUT_MARK;
* a text a spreadsheet may take for a formula (``= + - @``, also after tab/CR/spaces) is kept
  text: openpyxl writers set the cell's quote prefix, the xlwings writers send Excel's apostrophe.
"""
from __future__ import annotations

import re
from typing import Optional, Pattern, Tuple

EXCEL_MAX_CHARS = 32767  # Excel's limit of characters (UTF-16 units) in one cell
EXCEL_MAX_SHEET = 31  # Excel's limit of characters in a sheet name
CUT_MARK = "…[截断]"  # appended where a text was cut to EXCEL_MAX_CHARS
# characters XML 1.0 (and so .xlsx) cannot hold: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, surrogates
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FORMULA_LEAD = re.compile(r"^[\s]*[=+\-@]")  # what a spreadsheet may take for a formula (also CSV export)
_BAD_SHEET_CHARS = re.compile(r"[\[\]\:\*\?\/\\：]")  # what a sheet name cannot hold (and the full-width colon)


def looks_like_formula(s: str) -> bool:
    """Would a spreadsheet take this text for a formula when it is typed or edited?"""
    return _FORMULA_LEAD.match(s) is not None


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def safe_text(text, limit: int = EXCEL_MAX_CHARS) -> Tuple[str, bool]:
    """(text an .xlsx cell can hold, whether it was cut): XML-illegal characters dropped, cut to
    ``limit`` (default :data:`EXCEL_MAX_CHARS`) with :data:`CUT_MARK`."""
    s = _XML_ILLEGAL.sub("", str(text))
    if len(s) <= limit // 2 or _utf16_len(s) <= limit:
        return s, False
    keep = limit - len(CUT_MARK)
    s = s[:keep]
    while _utf16_len(s) > keep:  # characters outside the BMP count twice in Excel
        s = s[:-1]
    return s + CUT_MARK, True


def excel_text(text, coerces: Optional[Pattern] = None) -> str:
    """Text for ``Range.value`` through Excel (xlwings): :func:`safe_text`, and Excel's leading
    apostrophe when Excel would turn it into something else (``coerces``; default: a formula),
    the apostrophe included in the cell limit."""
    s, _ = safe_text(text)
    if (coerces or _FORMULA_LEAD).match(s):
        s, _ = safe_text(s, EXCEL_MAX_CHARS - 1) if _utf16_len(s) >= EXCEL_MAX_CHARS else (s, False)
        return "'" + s
    return s


def describe_cuts(cuts) -> str:
    """One line saying which cells (``'sheet'!A1``, as recorded by the writers) were cut."""
    return (f"{len(cuts)} texts longer than Excel's {EXCEL_MAX_CHARS} characters per cell were cut "
            f"(marked {CUT_MARK}): " + ", ".join(cuts[:12]) + (" …" if len(cuts) > 12 else ""))


def sheet_title(name: str, used: set) -> str:
    """A valid, unique sheet name (Excel: 1-31 characters, none of []:*?/\\, no leading or trailing
    apostrophe, unique ignoring case); ``used`` holds the names taken so far and is updated."""
    base = _BAD_SHEET_CHARS.sub("_", safe_text(name)[0])
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip("'").strip() or "表"
    base = base[:EXCEL_MAX_SHEET]
    taken = {u.casefold() for u in used}
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f"_{n}"
        title = base[:EXCEL_MAX_SHEET - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title
