"""Document -> template workbook (written by :mod:`xlbudget.write.xlsx`), and back (read with openpyxl).

* one sheet per table, an Excel Table (ListObject) over the body, numbers as numbers
  (blank stays blank, a printed 0.00 is the number 0), page of every row kept;
* 元数据: department, year, kind, unit, source, and the table index used to read back;
* 校验: every identity of the rule engine as a live native formula
  (``=IF(ABS(total-SUM(terms))<=0.005*(1+COUNT(total-terms)),"OK","FAIL")``) so the
  file validates in Excel, WPS or LibreOffice without the add-in;
* 叙述 (narrative claims) and 问题 (findings of the engine).

Text from the PDF goes through ONE helper, :func:`text_cell` (the openpyxl sheets of the comparison
and the batch summary) or its twin :meth:`xlbudget.write.xlsx.Sheet.text` (this workbook), both on
the rules of :mod:`xlbudget.text`: it is written as a string, never a formula (``= + - @``, also
after leading tabs/CR/spaces, get Excel's quote prefix), control and XML-illegal characters are
dropped, a text over Excel's 32,767-character cell limit is cut with a visible marker and the cut
is recorded.
Sheet names are made safe and unique by :func:`sheet_title`.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from decimal import Decimal
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from xlbudget import __version__
from xlbudget import catalogue as classify
from xlbudget.checks import rules
from xlbudget.numbers import Tolerance, parse_amount
from xlbudget.vocabulary import LEVEL_NAMES, is_total_label
from xlbudget.write.xlsx import Book, Sheet, Style, TablePart, column_letter
from xlbudget.model import (EXTRACTION_FAMILY, EXTRACTION_PREFIX, Cell, CellRef, Claim, Document, Finding, InputError, LimitError, OutputError,
                    Row, Table, extraction_warning, table_keys)

META_SHEET = "元数据"
CHECK_SHEET = "校验"
CLAIM_SHEET = "叙述"
FINDING_SHEET = "问题"
OVERVIEW_SHEET = "总览"
EXTRA_COLS = ["全编码", "级次", "页码"]
ROW_KEY_COL = "行号"  # the last column of a table sheet: the row's position in the document (see Layout)
# the safe-text rules live in the pure module text.py (the xlwings paths use them too)
from xlbudget.text import CUT_MARK, EXCEL_MAX_CHARS, looks_like_formula, safe_text, sheet_title  # noqa: E402,F401


def text_cell(ws, row: int, col: int, text):
    """Write PDF (or user) text into a cell: always a string, never a formula. A text that
    starts like a formula also gets Excel's quote prefix, so editing the cell keeps it text.
    A cut is recorded in ``ws.parent.xlb_cut`` (list of 'sheet'!cell)."""
    s, cut = safe_text(text)
    c = ws.cell(row=row, column=col)
    c.value = s
    c.data_type = "s"
    if looks_like_formula(s):
        c.quotePrefix = True
    if cut:
        wb = ws.parent
        if not hasattr(wb, "xlb_cut"):
            wb.xlb_cut = []
        wb.xlb_cut.append(f"'{ws.title}'!{c.coordinate}")
    return c


_col_letter = column_letter  # 1 -> A


# --- how the workbook reads: one amount format, an East Asian font, widths, print setup
AMOUNT_FORMAT = "#,##0.00"  # every amount: thousands separators, two decimals (as disclosures print them)
FONT_NAME = "等线"  # Excel's East Asian default since 2016 (WPS has it; LibreOffice substitutes a CJK font)
GB2312_CHARSET = 134  # the font's character set: Simplified Chinese
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths in characters; longer text wraps
FAIL_FILL, LINK_COLOR = "FFC7CE", "0563C1"  # Excel's "bad" red and hyperlink blue
HEAD_FILL = "DDDDDD"  # the grey of heads
# the fonts of cells besides the default, as keywords of font(): the names Style specs use
FONT_KINDS = {"bold": {"bold": True}, "title": {"bold": True, "size": 12},
              "link": {"color": LINK_COLOR, "underline": "single"}}
# the cell styles of write_workbook (see xlsx.Style)
BOLD: Style = (("font", "bold"),)
TITLE: Style = (("font", "title"),)
HEAD: Style = (("font", "bold"), ("fill", HEAD_FILL))
PRINTED_HEAD: Style = (("fill", HEAD_FILL), ("alignment", "wrap"))
HEAD_WRAP: Style = (("font", "bold"), ("alignment", "wrap"))  # an Excel Table's header row


def amount_format(value: Decimal) -> str:
    """:data:`AMOUNT_FORMAT`, with room for more decimals when the PDF printed more (never hide one)."""
    extra = -value.as_tuple().exponent - 2 if isinstance(value.as_tuple().exponent, int) else 0
    return AMOUNT_FORMAT + "#" * max(0, extra)


def number_style(fmt: str) -> Style:
    """The style of a number shown in format ``fmt``."""
    return (("number_format", fmt),)


AMOUNT: Style = number_style(AMOUNT_FORMAT)


def amount_style(value: Decimal) -> Style:
    """The style of an amount: :func:`amount_format`."""
    return number_style(amount_format(value))


def font(**kw):
    """An openpyxl Font in the workbook's East Asian face (bold, size, color… as keywords)."""
    from openpyxl.styles import Font

    kw.setdefault("size", 11)
    return Font(name=FONT_NAME, charset=GB2312_CHARSET, **kw)


def east_asian_workbook():
    """A new openpyxl Workbook whose default font and theme fonts are :data:`FONT_NAME`."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList
    from openpyxl.writer.theme import theme_xml

    wb = Workbook()
    wb._fonts = IndexedList([font(size=11)])  # style 0: every cell without a font of its own
    ea = f'<a:ea typeface="{FONT_NAME}"/>'
    wb.loaded_theme = re.sub(r'<a:font script="Hans" typeface="[^"]*"/>', f'<a:font script="Hans" typeface="{FONT_NAME}"/>',
                             theme_xml.replace('<a:ea typeface=""/>', ea))
    return wb


def display_width(text) -> int:
    """Width of ``text`` in Excel character units: a CJK (wide) character counts double."""
    return _text_width(str(text))


@lru_cache(maxsize=4096)  # labels repeat from row to row and table to table
def _text_width(text: str) -> int:
    import unicodedata

    if text.isascii():
        return max((len(line) for line in text.splitlines()), default=0)
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.splitlines()), default=0)


def fit_columns(cells: Sheet, first_row: int, last_row: int, ncols: int, head_row: Optional[int] = None) -> None:
    """Each column as wide as its widest text or number (within MIN_WIDTH..MAX_WIDTH); a Table
    header names its column by the last part of a joined printed header (it wraps: HEAD_WRAP)."""
    cells.touch(first_row, last_row, ncols)
    widths = [0] * (ncols + 1)
    for (r, j), (v, _, _) in cells.cells.items():
        if v is None or not first_row <= r <= last_row or j > ncols:
            continue
        w = len(f"{v:,.2f}") if isinstance(v, (int, float)) and not isinstance(v, bool) else display_width(v)
        if w > widths[j]:
            widths[j] = w
    for j in range(1, ncols + 1):
        w = widths[j]
        if head_row is not None:
            w = max(w, display_width(str(cells.value(head_row, j) or "").split("/")[-1]))
        cells.widths[j] = min(MAX_WIDTH, max(MIN_WIDTH, w + 2))


def print_setup(ws, title_rows: int = 0) -> None:
    """Landscape A4, fit to one page wide, the first ``title_rows`` rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"


def link(cells: Sheet, row: int, col: int, sheet: str, coord: str) -> None:
    """An internal hyperlink from the cell at (row, col) to ``'sheet'!coord``."""
    cells.link(row, col, f"{quoted_sheet(sheet)}!{coord}")


class Layout:
    """Where each table body cell lands: sheet name, first data row, columns, and the row key.

    Every body row carries its position in the document as a number in the last column (行号,
    :data:`ROW_KEY_COL`). Formulas reach a value through that key, not through its A1 address,
    so they survive what users do to an Excel Table: sort, filter, insert or delete rows."""

    def __init__(self, doc: Document):
        self.keys = table_keys(doc)
        self.sheets: Dict[str, str] = {}  # key -> sheet name
        self.first_row: Dict[str, int] = {}
        self.key_col: Dict[str, int] = {}  # key -> 1-based column of 行号
        used = {META_SHEET, CHECK_SHEET, CLAIM_SHEET, FINDING_SHEET, OVERVIEW_SHEET}
        for t in doc.tables:
            key = self.keys[id(t)]
            base = classify.sheet_name(t.kind)
            if key != t.kind:
                base = f"{base}{key.rsplit('_', 1)[-1]}"
            self.sheets[key] = sheet_title(base, used)
            # row 1 title, row 2 info, then the printed header rows, then the Excel Table header
            self.first_row[key] = 3 + len(t.header) + 1
            self.key_col[key] = len(t.columns) + len(EXTRA_COLS) + 1

    def addr(self, ref: CellRef, absolute: bool = True) -> str:
        """The value at ``ref`` as formula text: by default a lookup of its row key,
        ``INDEX('表'!$C:$C,MATCH(7,'表'!$M:$M,0))`` (a reference, so SUM, COUNT and N treat it
        as the cell itself); ``absolute=False`` gives the A1 address where it was written
        (``'表'!C12``, for reading and for links)."""
        sheet = quoted_sheet(self.sheets[ref.table])
        if not absolute:
            return f"{sheet}!{self.cell(ref)}"
        col, key_col = _col_letter(ref.col + 1), _col_letter(self.key_col[ref.table])
        return f"INDEX({sheet}!${col}:${col},MATCH({row_key(ref.row)},{sheet}!${key_col}:${key_col},0))"

    def cell(self, ref: CellRef) -> str:
        """A1 coordinate (no sheet) where ``ref`` was written."""
        return f"{_col_letter(ref.col + 1)}{self.first_row[ref.table] + ref.row}"

    def where(self, refs: Sequence[CellRef]) -> str:
        """Where ``refs`` were written, for reading: runs of rows of one column as A1 ranges."""
        out: List[str] = []
        run: List[CellRef] = []
        for r in list(refs) + [None]:
            if r is not None and run and (r.table, r.col, r.row) == (run[-1].table, run[-1].col, run[-1].row + 1):
                run.append(r)
                continue
            if run:
                a, b = run[0], run[-1]
                out.append(self.addr(a, False) + ("" if a is b else f":{self.cell(b)}"))
            run = [r]
        return ",".join(out)


def quoted_sheet(name: str) -> str:
    """A sheet name as formulas and links write it: in quotes, a quote inside doubled."""
    return "'" + name.replace("'", "''") + "'"


def row_key(row: int) -> int:
    """The 行号 of body row ``row`` (0-based): its 1-based position in the document."""
    return row + 1


_text_cell = text_cell  # the one helper, under its former name


def _set_value(cells: Sheet, row: int, col: int, cell: Cell) -> None:
    if cell.value is not None:
        cells.put(row, col, cell.value, amount_style(cell.value))
    elif cell.text.strip():
        cells.text(row, col, cell.text)


def _unique(names: Sequence[str]) -> List[str]:
    out, seen = [], {}
    for n in names:
        n = safe_text(n or "列")[0].replace("\n", "").replace("\r", "") or "列"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _ref_ranges(layout: Layout, refs: Sequence[CellRef]) -> List[str]:
    """One formula reference per cell (:meth:`Layout.addr`). Runs of rows are not merged into
    A1 ranges any more: rows next to each other at writing may be anywhere after a sort."""
    return [layout.addr(r) for r in refs]


_SUM_TOLERANCE = Tolerance.of_sum(None, [])  # a check not evaluated yet: two-decimal figures


def check_formulas(layout: Layout, c: "rules.AnyCheck") -> Tuple[str, str, str, str]:
    """(table value, computed value, tolerance, the cells computed from) formulas for one check:
    ``SUM`` of the terms for a sum, ``numerator / denominator × 100`` for a printed percentage."""
    if isinstance(c, rules.RatioCheck):
        return _ratio_formulas(layout, c)
    total = layout.addr(c.total)
    terms = _ref_ranges(layout, c.terms)
    args = ",".join(terms) if terms else "0"
    f_total = f"=N({total})"
    f_sum = f"=SUM({args})"
    f_tol = "=" + (c.tolerance or _SUM_TOLERANCE).formula(args)
    return f_total, f_sum, f_tol, args


def _ratio_formulas(layout: Layout, c: "rules.RatioCheck") -> Tuple[str, str, str, str]:
    """A printed percentage (a cell, or the narrative's figure as a number) against the cells it
    is worked out from; nothing to compare (a blank, a zero denominator) passes, as in Python."""
    num, den = layout.addr(c.numer), layout.addr(c.denom)
    blank = [f"N({den})=0", f"ISBLANK({num})"]
    if isinstance(c.printed, CellRef):
        printed = layout.addr(c.printed)
        blank.append(f"ISBLANK({printed})")
        printed = f"N({printed})"
    else:
        printed = _number(c.printed)
    f_printed = f"={printed}"
    f_value = f"=IF(OR({','.join(blank)}),{printed},N({num})/N({den})*100)"
    f_tol = "=" + (c.tolerance.formula() if c.tolerance is not None else "0")
    return f_printed, f_value, f_tol, f"{num}/{den}"


def _number(v: Decimal) -> str:
    """A figure read from the PDF as a formula number (a Decimal, never its text)."""
    return format(v, "f") if v.is_finite() else "0"


def check_result(i: int, c: "rules.AnyCheck") -> str:
    """The OK/FAIL formula of 校验 row ``i`` (difference in F, allowance in G)."""
    tol = c.tolerance if c.tolerance is not None else _SUM_TOLERANCE
    return f'=IF({tol.test(f"F{i}", f"G{i}")},"OK","FAIL")'


def check_cells(layout: Layout, c: "rules.AnyCheck", arrow: str = " ← ") -> str:
    """The 涉及单元格 text of a check, for reading: the table value ← the cells it is computed
    from, as the A1 places they were written to (the formulas find them by row key)."""
    if isinstance(c, rules.Check):
        return layout.addr(c.total, False) + arrow + layout.where(c.terms)
    shown = layout.addr(c.printed, False) if isinstance(c.printed, CellRef) else _number(c.printed) + "%"
    return shown + arrow + layout.where([c.numer, c.denom])


def write_workbook(doc: Document, path: str, findings: Optional[List[Finding]] = None,
                   checks: Optional[List["rules.AnyCheck"]] = None) -> str:
    """Write the template workbook atomically (temp file + rename). Returns ``path``.
    ``findings`` and ``checks``, when the caller has run the rules already, are not computed again.
    One pass over the document: cells are kept as plain values (:class:`Sheet`), not as
    openpyxl Cell objects, and written as each sheet's XML at saving."""
    if findings is None or checks is None:
        _, engine_checks, engine_findings = rules.run(doc)
        findings = engine_findings if findings is None else findings
        checks = engine_checks if checks is None else checks
    layout = Layout(doc)
    book = Book()
    meta = book.add_sheet(META_SHEET)

    # --- metadata
    info = [
        ("部门", doc.department or ""), ("年度", doc.year if doc.year else ""), ("类型", doc.kind),
        ("单位", doc.unit or ""), ("来源", os.path.basename(doc.source)), ("来源路径", doc.source),
        ("页数", doc.n_pages), ("导入时间", _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
        ("xlbudget", __version__), ("警告", "；".join(doc.warnings)),
    ]
    for i, (k, v) in enumerate(info, start=1):
        meta.put(i, 1, k, BOLD)
        if isinstance(v, str):
            meta.text(i, 2, v)
        else:
            meta.put(i, 2, v)
    idx_row = len(info) + 2
    heads = ["工作表", "表类型", "标题", "印制标签", "单位", "页码", "表头行数", "数据行数", "本表无数据"]
    for j, h in enumerate(heads, start=1):
        meta.put(idx_row, j, h, HEAD)
    keys = layout.keys

    # --- table sheets
    for n, t in enumerate(doc.tables, start=1):
        key = keys[id(t)]
        sname = layout.sheets[key]
        cells = book.add_sheet(sname)
        cells.text(1, 1, t.title or classify.sheet_name(t.kind), TITLE)
        pages = f"{min(t.pages)}-{max(t.pages)}" if t.pages else ""
        cells.text(2, 1, f"单位：{t.unit or doc.unit or '未注明'}　页码：{pages}　印制标签：{t.label or ''}"
                   + ("　注：本表无数据" if t.empty else ""))
        for hi, hrow in enumerate(t.header):
            for j, txt in enumerate(hrow, start=1):
                if txt:
                    cells.text(3 + hi, j, txt, PRINTED_HEAD)
        hr = 3 + len(t.header)
        names = [cells.text(hr, j, nm, HEAD_WRAP)
                 for j, nm in enumerate(_unique(list(t.columns) + EXTRA_COLS + [ROW_KEY_COL]), start=1)]
        base = len(t.columns)
        key_col = layout.key_col[key]
        for i, r in enumerate(t.rows):
            er = hr + 1 + i
            for j, cell in enumerate(r.cells, start=1):
                _set_value(cells, er, j, cell)
            if r.code:
                cells.text(er, base + 1, r.code)
            if r.level:
                cells.put(er, base + 2, LEVEL_NAMES.get(r.level, str(r.level)))
            if r.page:
                cells.put(er, base + 3, r.page)
            cells.put(er, key_col, row_key(i))
        last_row = hr + max(1, len(t.rows))
        ref = f"A{hr}:{_col_letter(len(names))}{last_row}"
        cells.table = TablePart(f"T{n:02d}_{re.sub(r'[^A-Za-z0-9_]', '_', key)}", ref, names)
        fit_columns(cells, hr + 1, last_row, len(names), head_row=hr)
        cells.title_rows = cells.frozen_rows = hr
        vals = [sname, t.kind, t.title, t.label or "", t.unit or "", ",".join(map(str, t.pages)),
                len(t.header), len(t.rows), "是" if t.empty else ""]
        for j, v in enumerate(vals, start=1):
            if isinstance(v, str):
                meta.text(idx_row + n, j, v)
            else:
                meta.put(idx_row + n, j, v)
    meta.widths.update({1: 22, 2: 40, 3: 50})

    # --- overview: main totals and the state of the checks
    ov = book.add_sheet(OVERVIEW_SHEET, 1)
    ov.text(1, 1, f"{doc.department or ''} {doc.year or ''}年 {doc.kind}公开 — 总览", TITLE)
    for j, h in enumerate(["指标", f"金额（{doc.unit or '万元'}）", "来源"], start=1):
        ov.put(3, j, h, HEAD)
    from xlbudget.compare.core import main_totals  # pure core; imported here to keep module load light

    r = 4
    for subject, (value, where) in main_totals(doc).items():
        ov.text(r, 1, subject)
        ov.put(r, 2, value, AMOUNT)
        ov.text(r, 3, where)
        r += 1
    r += 1
    for label, formula in (("校验失败数（公式）", f"='{CHECK_SHEET}'!B2"), ("校验总数", f"='{CHECK_SHEET}'!D2"),
                           ("叙述核对问题", len([f for f in findings if f.id.startswith("NARR")])),
                           ("表格数", len(doc.tables)), ("叙述数据点", len(doc.claims))):
        ov.text(r, 1, label, BOLD)
        ov.put(r, 2, formula)
        r += 1
    ov.widths.update({1: 24, 2: 16, 3: 60})
    ov.title_rows = 3

    # --- checks as live formulas
    cells = book.add_sheet(CHECK_SHEET)
    cells.put(1, 1, "校验（公式实时计算；合计的容差 = 0.005 ×（1 + 非空项数），见 XBRL Calculations 1.1；百分比的容差 = 其舍入区间）",
              BOLD)
    cells.put(2, 1, "失败数")
    cells.put(2, 2, '=COUNTIF(I5:I100000,"FAIL")')
    cells.put(2, 3, "检查数")
    cells.put(2, 4, '=COUNTA(I5:I100000)')
    heads = ["编号", "规则", "说明", "表列值", "计算值", "差额", "容差", "涉及单元格", "结果", "引擎结果", "页码"]
    for j, h in enumerate(heads, start=1):
        cells.put(4, j, h, HEAD)
    tolerance = number_style("0.000")
    for i, c in enumerate(checks, start=5):
        f_total, f_sum, f_tol, args = check_formulas(layout, c)
        cells.put(i, 1, i - 4)
        cells.text(i, 2, c.id)
        cells.text(i, 3, c.label)
        cells.put(i, 4, f_total, AMOUNT)
        cells.put(i, 5, f_sum, AMOUNT)
        cells.put(i, 6, f"=D{i}-E{i}", AMOUNT)
        cells.put(i, 7, f_tol, tolerance)
        cells.text(i, 8, check_cells(layout, c))
        cells.put(i, 9, check_result(i, c))
        cells.text(i, 10, "OK" if c.ok else "FAIL")
        pages = sorted({r.page for r in c.cells if r.page})
        cells.text(i, 11, ",".join(map(str, pages)))
    cells.widths.update(enumerate((6, 10, 50, 12, 12, 10, 8, 50, 8, 8, 8), start=1))
    cells.frozen_rows = 4
    _check_sheet_looks(cells, layout, checks)

    # --- narrative claims
    cells = book.add_sheet(CLAIM_SHEET)
    heads = ["主题", "金额(万元)", "占比%", "比上年增减额", "比上年增减率%", "增减率∞", "预算完成率%", "页码", "原文",
             "资金范围", "限定语", "年初预算(万元)"]
    for j, h in enumerate(heads, start=1):
        cells.put(1, j, h, HEAD)
    for i, cl in enumerate(doc.claims, start=2):
        cells.text(i, 1, cl.subject)
        for j, v in ((2, cl.amount), (3, cl.share), (4, cl.change), (5, cl.change_rate), (7, cl.execution_rate)):
            if v is not None:
                cells.put(i, j, v, AMOUNT)
        if cl.change_rate_infinite:
            cells.text(i, 6, "∞")
        if cl.page:
            cells.put(i, 8, cl.page)
        cells.text(i, 9, cl.text)
        if cl.scope:
            cells.text(i, 10, cl.scope)
        if cl.qualifier:
            cells.text(i, 11, cl.qualifier)
        if cl.budget is not None:
            cells.put(i, 12, cl.budget, AMOUNT)
    cells.widths[9] = 80
    cells.title_rows = 1

    # --- findings
    cells = book.add_sheet(FINDING_SHEET)
    heads = ["规则", "严重性", "说明", "表列值", "应为", "容差", "单元格", "页码", "类别"]
    for j, h in enumerate(heads, start=1):
        cells.put(1, j, h, HEAD)
    for i, f in enumerate(findings, start=2):
        cells.text(i, 1, f.id)
        cells.text(i, 2, f.severity)
        cells.text(i, 3, f.message)
        for j, v in ((4, f.actual), (5, f.expected), (6, f.tolerance)):
            if v is not None:
                cells.put(i, j, v, AMOUNT)
        refs = [layout.addr(r, False) for r in f.cells if r.table in layout.sheets]
        cells.text(i, 7, "; ".join(refs[:12]) + (" …" if len(refs) > 12 else ""))
        pages = sorted({r.page for r in f.cells if r.page} | ({f.page} if f.page else set()))
        cells.text(i, 8, ",".join(map(str, pages)))
        cells.text(i, 9, f.family)
    cuts = book.xlb_cut
    if cuts:  # the visible marker is in the cells; the list travels with the workbook as a doubt
        i = len(findings) + 2
        cells.text(i, 1, EXTRACTION_PREFIX + "text-cut")
        cells.text(i, 2, "warning")
        cells.text(i, 3, f"{len(cuts)} texts longer than Excel's {EXCEL_MAX_CHARS} characters per cell were cut "
                         f"(marked {CUT_MARK}): " + ", ".join(cuts[:12]) + (" …" if len(cuts) > 12 else ""))
        cells.text(i, 9, EXTRACTION_FAMILY)
    cells.widths.update({3: 90, 7: 40})
    _finding_sheet_looks(cells, layout, findings)

    return save_atomic(book, path)


def _check_sheet_looks(cells: Sheet, layout: Layout, checks) -> None:
    """校验: FAIL rows red (conditional: it follows the live result), a filter on the header,
    each row's 涉及单元格 linked to its total, printed landscape with the header on every page."""
    last = 4 + max(1, len(checks))
    cells.fail_fill = (f"A5:K{last}", '$I5="FAIL"')
    cells.auto_filter = f"A4:K{last}"
    for i, c in enumerate(checks, start=5):
        first = c.cells[0]  # the total of a sum, the printed figure (or the numerator) of a ratio
        if first.table in layout.sheets:
            link(cells, i, 8, layout.sheets[first.table], layout.cell(first))
    cells.title_rows = 4


def _finding_sheet_looks(cells: Sheet, layout: Layout, findings) -> None:
    """问题: each finding linked to its first cell (its page is in 页码), errors red, a filter."""
    last = 1 + max(1, cells.max_row - 1)
    cells.fail_fill = (f"A2:I{last}", '$B2="error"')
    cells.auto_filter = f"A1:I{last}"
    for i, f in enumerate(findings, start=2):
        first = next((r for r in f.cells if r.table in layout.sheets), None)
        if first is not None:
            link(cells, i, 7, layout.sheets[first.table], layout.cell(first))
    cells.title_rows = 1


def save_atomic(wb, path: str) -> str:
    """Save to a temporary file in the target folder, then rename: an existing file is
    replaced whole or not at all."""
    d = os.path.dirname(os.path.abspath(path)) or "."
    try:
        os.makedirs(d, exist_ok=True)  # library callers; the command line refuses a missing -o folder first
        fd, tmp = tempfile.mkstemp(prefix=".xlbudget-", suffix=".xlsx", dir=d)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"cannot write there ({e.strerror or e}), {path}",
                          hint="check the folder exists and is writable") from e
    try:
        wb.save(tmp)  # an openpyxl Workbook, or our Book
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(f"cannot write ({e.strerror or e}), {path}",
                          hint="nothing was changed; check free space and permissions") from e
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ----------------------------------------------------------------- reading back

def _dec(v) -> Optional[Decimal]:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    return None


MAX_WORKBOOK_BYTES = 256 * 1024 * 1024  # uncompressed size of a workbook we read (ours are a few MB): zip bombs
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_STANDARD_SHEETS = {META_SHEET, CHECK_SHEET, CLAIM_SHEET, FINDING_SHEET, OVERVIEW_SHEET}
_ARITH = re.compile(r"^=[\s\d.+\-*/()]+$")  # a formula of plain numbers (=621.43+0)


def _eval_arith(formula: str) -> Optional[Decimal]:
    """Value of a formula made of numbers and + - * / ( ) only, else None."""
    import ast

    if not _ARITH.match(formula) or len(formula) > 200:
        return None

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
            return Decimal(ast.get_source_segment(src, n) or str(n.value))  # 40.00 keeps its decimals
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.UAdd, ast.USub)):
            v = ev(n.operand)
            return v if isinstance(n.op, ast.UAdd) else -v
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return a + b
            if isinstance(n.op, ast.Sub):
                return a - b
            if isinstance(n.op, ast.Mult):
                return a * b
            return a / b
        raise ValueError(n)

    src = formula[1:].strip()
    try:
        return ev(ast.parse(src, mode="eval"))
    except Exception:
        return None


def _int_field(v, what: str, path: str, warnings: List[str], default=None):
    """An integer of 元数据 (年度, 页数); a number typed as text (also 二〇二四) is read with a warning."""
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        v = str(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v == int(v):
        return int(v)
    t = "".join(str(v).split()).translate(_CN_DIGITS).rstrip("年页")
    if t.isdigit():
        warnings.append(f"{META_SHEET} {what} {v!r} is text; read as {int(t)}")
        return int(t)
    raise InputError(f"{META_SHEET} {what} is not a number ({str(v)[:40]!r}), {path}",
                     hint=f"type the {what} as a number, or import the PDF again")


def _check_zip(path: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(f"not a readable .xlsx workbook (damaged zip: {e}), {path}",
                         hint="open and save it again in Excel, or import the PDF again") from e
    if total > MAX_WORKBOOK_BYTES:
        raise LimitError(f"workbook inflates to {total} bytes > limit {MAX_WORKBOOK_BYTES} (zip bomb?), {path}",
                         hint="not an xlbudget workbook; check the file")


# the last part of a column head naming a label column (code, name, line number), never amounts
_LABEL_HEAD_RE = re.compile(r"行次|栏次|序号|编码|代码|名称|^(收入|支出)?项目$|科目$|^[类款项]$")
# a column of 1-2 digit integers running 1, 2, 3 … (at least this many) is a line-number column
_LINE_NUMBER_RUN = 3


def _line_numbers(values) -> bool:
    """Do ``values`` (a column) hold only a running sequence of small integers (line numbers)?"""
    vals = ["".join(str(v).split()) for v in values if v is not None and str(v).strip()]
    if len(vals) < _LINE_NUMBER_RUN or not all(re.fullmatch(r"\d{1,2}", v) for v in vals):
        return False
    ints = sorted(int(v) for v in vals)
    return ints == list(range(ints[0], ints[0] + len(ints)))


def _document_order(ws, hr: int, nrows: int, key_col: Optional[int], warnings: List[str]) -> List[int]:
    """Sheet rows of a table body in the document's order: by 行号 when every row of the document
    is still there with its own (the user sorted the Table, or inserted rows in it: a row without
    行号 that holds something is not ours and is said, not read); else as they stand."""
    from openpyxl.utils import range_boundaries

    rows = list(range(hr + 1, hr + 1 + nrows))
    if key_col is None:
        return rows
    last = max([range_boundaries(t.ref)[3] for t in ws.tables.values()] + [hr + nrows])
    found: Dict[int, int] = {}
    foreign: List[int] = []
    for er in range(hr + 1, last + 1):
        k = ws.cell(row=er, column=key_col).value
        if isinstance(k, int) and not isinstance(k, bool) and row_key(0) <= k <= row_key(nrows - 1) and k not in found:
            found[k] = er
        elif any(ws.cell(row=er, column=j).value not in (None, "") for j in range(1, key_col + 1)):
            foreign.append(er)
    if len(found) < nrows:
        return rows
    if foreign:
        warnings.append(f"{ws.title}: rows {', '.join(map(str, foreign[:12]))} have no {ROW_KEY_COL} (added by hand?) "
                        "and are not read")
    return [found[k] for k in sorted(found)]


def read_workbook(path: str) -> Document:
    """Read a workbook written by :func:`write_workbook` back into a Document.

    A table sheet whose Table was sorted is read in the document's order (by 行号, the last
    column); a workbook written before 行号 existed reads as before.

    Hand edits: a number typed as text in an amount column, or a formula there, is read as a
    number (its cached value, or a plain-number formula evaluated) with a warning; a formula
    without a value is a warning, never a silent blank. A missing or renamed table sheet, a
    deleted index or table row, an unreadable 年度 are errors (the workbook no longer says what
    it holds)."""
    from openpyxl import load_workbook

    if os.path.isdir(path):
        raise InputError(f"is a folder, not a workbook, {path}", hint="give an .xlsx file")
    if not os.path.isfile(path):
        raise InputError(f"no such file, {path}", hint="check the path")
    _check_zip(path)
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as e:
        raise InputError(f"not a readable .xlsx workbook ({type(e).__name__}: {e}), {path}",
                         hint="open and save it again in Excel, or import the PDF again") from e
    if META_SHEET not in wb.sheetnames:
        raise InputError(f"no {META_SHEET} sheet: not an xlbudget workbook, {path}",
                         hint="validate reads workbooks written by `xlbudget import`")
    warnings: List[str] = []
    cached = {}

    def cached_value(sheet: str, coord: str):
        if "wb" not in cached:
            try:
                cached["wb"] = load_workbook(path, data_only=True)
            except Exception:  # pragma: no cover - it loaded once already
                cached["wb"] = None
        w = cached["wb"]
        return w[sheet][coord].value if w is not None and sheet in w.sheetnames else None

    meta = wb[META_SHEET]
    info = {}
    r = 1
    while meta.cell(row=r, column=1).value not in (None, "工作表"):
        info[str(meta.cell(row=r, column=1).value)] = meta.cell(row=r, column=2).value
        r += 1
        if r > 100:
            break
    while meta.cell(row=r, column=1).value != "工作表":
        r += 1
        if r > 100:
            raise InputError(f"{META_SHEET} has no table index (工作表 …), {path}",
                             hint="the index rows were edited; import the PDF again")
    doc = Document(
        department=str(info.get("部门")) if info.get("部门") else None,
        year=_int_field(info.get("年度"), "年度", path, warnings),
        kind=str(info.get("类型") or "预算"),
        unit=str(info.get("单位")) if info.get("单位") else None,
        source=str(info.get("来源路径") or info.get("来源") or path),
        n_pages=_int_field(info.get("页数"), "页数", path, warnings, default=0),
    )
    r += 1
    listed = set()
    while meta.cell(row=r, column=1).value:
        vals = [meta.cell(row=r, column=j).value for j in range(1, 10)]
        sname, kind, title, label, unit, pages, nh, nrows, empty = vals
        sname = str(sname)
        listed.add(sname)
        if sname not in wb.sheetnames:
            raise InputError(f"sheet {sname!r} of the {META_SHEET} index is missing (renamed or deleted?), {path}",
                             hint="give the sheet its name back, or import the PDF again")
        ws = wb[sname]
        try:
            nh = int(nh or 0)
            nrows = int(nrows or 0)
        except (TypeError, ValueError) as e:
            raise InputError(f"{META_SHEET} index row {r} (sheet {sname}) is damaged ({e}), {path}",
                             hint="import the PDF again") from e
        hr = 3 + nh
        if nrows and hr + nrows > ws.max_row:
            raise InputError(f"sheet {sname} has {max(0, ws.max_row - hr)} data rows, its index says {nrows} "
                             f"(rows deleted?), {path}", hint="restore the rows, or import the PDF again")
        ncols_all = ws.max_column
        names = []
        for j in range(1, ncols_all + 1):
            v = ws.cell(row=hr, column=j).value
            if v is None:
                break
            names.append(str(v))
        keyed = bool(names) and names[-1].startswith(ROW_KEY_COL)  # not in workbooks written before 行号
        ncols = len(names) - len(EXTRA_COLS) - keyed
        if ncols < 1 or not all(n.startswith(x) for n, x in zip(names[ncols:], EXTRA_COLS)):
            raise InputError(f"sheet {sname}: the table header row is not where {META_SHEET} says "
                             f"(rows inserted or deleted above it?), {path}", hint="import the PDF again")
        header = [[str(ws.cell(row=3 + h, column=j).value or "") for j in range(1, ncols + 1)] for h in range(nh)]
        # amount columns: those holding at least one number, and (but in a 绩效 form, whose columns
        # are positions) every column whose head is not a code / name / 行次 head and that is not a
        # running line number: a column the user pasted entirely as text is still amounts
        numeric_cols = {j for j in range(1, ncols + 1)
                        if any(isinstance(ws.cell(row=hr + 1 + i, column=j).value, (int, float))
                               and not isinstance(ws.cell(row=hr + 1 + i, column=j).value, bool)
                               for i in range(nrows))}
        form = str(kind).startswith("p_")
        if not form:
            numeric_cols |= {j for j in range(1, ncols + 1) if not _LABEL_HEAD_RE.search(names[j - 1].split("/")[-1])
                             and not _line_numbers([ws.cell(row=hr + 1 + i, column=j).value for i in range(nrows)])}
        rows = []
        for er in _document_order(ws, hr, nrows, len(names) if keyed else None, warnings):
            page = ws.cell(row=er, column=ncols + 3).value
            page = page if isinstance(page, int) else None
            cells = []
            for j in range(1, ncols + 1):
                c = ws.cell(row=er, column=j)
                v = c.value
                dv = _dec(v)
                if isinstance(v, str) and (c.data_type == "f" or (v.startswith("=") and j in numeric_cols)):
                    cv = cached_value(sname, c.coordinate)
                    dv = _dec(cv)
                    if dv is None:
                        dv = _eval_arith(v)
                    if dv is not None:
                        warnings.append(f"{sname}!{c.coordinate}: formula {v[:40]} read as its value {dv}")
                        v = dv
                    else:
                        warnings.append(f"{sname}!{c.coordinate}: formula {v[:40]} has no stored value; read as "
                                        "text (open and save the workbook in Excel, or type the number)")
                elif isinstance(v, str) and j in numeric_cols and (not form or "." in v):
                    pv = parse_amount(v)
                    if pv is not None:  # a number typed as text (621.43, 621)
                        warnings.append(f"{sname}!{c.coordinate}: number typed as text {v!r} read as {pv}")
                        dv = pv
                text = "" if v is None else (str(v) if dv is None else format(dv, "f"))
                cells.append(Cell(text=text, value=dv, page=page))
            code = ws.cell(row=er, column=ncols + 1).value
            lvl = ws.cell(row=er, column=ncols + 2).value
            row = Row(cells=cells, page=page, code=str(code) if code else None,
                      level={"类": 1, "款": 2, "项": 3}.get(lvl))
            first = "".join((cells[0].text if cells else "").split())
            row.is_total = is_total_label(first)
            names_col = next((k for k, c in enumerate(names[:ncols]) if "名称" in c), None)
            if names_col is not None and names_col < len(cells):
                row.name = cells[names_col].text or None
            elif cells:
                row.name = next((c.text for c in cells if c.text and c.value is None), None)
            rows.append(row)
        t = Table(kind=str(kind), title=str(title or ""), header=header, rows=rows, columns=names[:ncols],
                  label=str(label) if label else None, unit=str(unit) if unit else None,
                  pages=[int(p) for p in str(pages or "").split(",") if p.strip().isdigit()],
                  empty=(empty == "是"))
        doc.tables.append(t)
        r += 1
    # a sheet of ours (it holds one of our Excel Tables, T01_…) missing from the index; a sheet
    # the user added for notes is left alone
    stray = [n for n in wb.sheetnames if n not in listed and n not in _STANDARD_SHEETS
             and any(re.match(r"T\d{2}_", name) for name in wb[n].tables)]
    if stray:
        raise InputError(f"sheet {stray[0]!r} is not in the {META_SHEET} index (an index row deleted?), {path}",
                         hint="restore the index row, or import the PDF again")
    if CLAIM_SHEET in wb.sheetnames:
        ws = wb[CLAIM_SHEET]
        for i in range(2, ws.max_row + 1):
            subj = ws.cell(row=i, column=1).value
            if not subj:
                continue
            page = ws.cell(row=i, column=8).value
            doc.claims.append(Claim(
                subject=str(subj), amount=_dec(ws.cell(row=i, column=2).value),
                share=_dec(ws.cell(row=i, column=3).value), change=_dec(ws.cell(row=i, column=4).value),
                change_rate=_dec(ws.cell(row=i, column=5).value),
                change_rate_infinite=ws.cell(row=i, column=6).value == "∞",
                execution_rate=_dec(ws.cell(row=i, column=7).value),
                page=page if isinstance(page, int) else None, text=str(ws.cell(row=i, column=9).value or ""),
                scope=ws.cell(row=i, column=10).value or None, qualifier=ws.cell(row=i, column=11).value or None,
                pos=i, budget=_dec(ws.cell(row=i, column=12).value)))
    doc.diagnostics.extend(_read_extraction_warnings(wb))
    doc.warnings.extend(warnings)
    return doc


def _read_extraction_warnings(wb) -> List[Finding]:
    """The importer's doubts, recorded at import: they travel with the workbook in 问题."""
    if FINDING_SHEET not in wb.sheetnames:
        return []
    ws = wb[FINDING_SHEET]
    out = []
    for i in range(2, ws.max_row + 1):
        rule = str(ws.cell(row=i, column=1).value or "")
        if not rule.startswith(EXTRACTION_PREFIX):
            continue
        pages = [int(p) for p in str(ws.cell(row=i, column=8).value or "").split(",") if p.strip().isdigit()]
        out.append(extraction_warning(rule[len(EXTRACTION_PREFIX):], str(ws.cell(row=i, column=3).value or ""),
                                      page=pages[0] if pages else None))
    return out


def meta_rows(doc: Document) -> List[List]:
    """The 元数据 sheet as rows (same layout as :func:`write_workbook`, so it reads back)."""
    layout = Layout(doc)
    rows: List[List] = [
        ["部门", doc.department or ""], ["年度", doc.year or ""], ["类型", doc.kind], ["单位", doc.unit or ""],
        ["来源", os.path.basename(doc.source)], ["来源路径", doc.source], ["页数", doc.n_pages],
        ["导入时间", _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")], ["xlbudget", __version__],
        ["警告", "；".join(doc.warnings)], [],
        ["工作表", "表类型", "标题", "印制标签", "单位", "页码", "表头行数", "数据行数", "本表无数据"],
    ]
    for t in doc.tables:
        key = layout.keys[id(t)]
        rows.append([layout.sheets[key], t.kind, t.title, t.label or "", t.unit or "", ",".join(map(str, t.pages)),
                     len(t.header), len(t.rows), "是" if t.empty else ""])
    return rows


def check_rows(doc: Document, checks: Optional[List["rules.AnyCheck"]] = None) -> List[List]:
    """The 校验 sheet as rows: live formulas over the table sheets (same layout as the file).
    ``checks``, when the caller has run the rules already, are not computed again."""
    if checks is None:
        checks = rules.run(doc).checks
    layout = Layout(doc)
    rows: List[List] = [
        ["校验（公式实时计算；合计的容差 = 0.005 ×（1 + 非空项数）；百分比的容差 = 其舍入区间）"],
        ["失败数", '=COUNTIF(I5:I100000,"FAIL")', "检查数", "=COUNTA(I5:I100000)"],
        [],
        ["编号", "规则", "说明", "表列值", "计算值", "差额", "容差", "涉及单元格", "结果", "引擎结果", "页码"],
    ]
    for i, c in enumerate(checks, start=5):
        f_total, f_sum, f_tol, args = check_formulas(layout, c)
        pages = sorted({r.page for r in c.cells if r.page})
        rows.append([i - 4, c.id, c.label, f_total, f_sum, f"=D{i}-E{i}", f_tol,
                     check_cells(layout, c, " <- "), check_result(i, c), "OK" if c.ok else "FAIL",
                     ",".join(map(str, pages))])
    return rows


def sheet_rows(doc: Document) -> Dict[str, List[List]]:
    """Plain layout used by the xlwings macro: sheet name -> rows of values (header first)."""
    layout = Layout(doc)
    out: Dict[str, List[List]] = {}
    for t in doc.tables:
        key = layout.keys[id(t)]
        rows: List[List] = [[t.title], []]
        rows += [list(h) for h in t.header]
        rows.append(_unique(list(t.columns) + EXTRA_COLS + [ROW_KEY_COL]))
        for i, r in enumerate(t.rows):
            vals = [c.value if c.value is not None else (c.text or None) for c in r.cells]
            vals += [None] * (len(t.columns) - len(vals))
            vals += [r.code, LEVEL_NAMES.get(r.level) if r.level else None, r.page, row_key(i)]
            rows.append(vals)
        out[layout.sheets[key]] = rows
    return out
