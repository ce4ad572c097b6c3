"""The template workbook's .xlsx package, written directly: cells kept as plain values, each sheet's
XML written in one pass.

openpyxl keeps one Cell object per cell (style proxies hashed at every assignment, one XML element
built per cell when saving) and a tree of descriptor objects per sheet and per Excel Table: ~75 µs a
cell and ~2 ms a sheet, most of the time of writing a workbook. Our sheets use a handful of
features, all written here as openpyxl 3.1 writes them, byte for byte (tests/test_workbook_xlsx.py
builds the same workbook with openpyxl and compares every part):

* cells: inline strings, numbers as ``%.16g``, formulas with an empty cached value, internal
  hyperlinks, style ids from the workbook's style tables;
* column widths, frozen rows under a header, rows repeated on every printed page, one red
  conditional fill and an auto filter, at most one Excel Table; every sheet printed landscape
  on A4, one page wide.

openpyxl still registers the cell styles and writes styles.xml, the theme and the document
properties (once per workbook).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from math import isinf, isnan
from typing import BinaryIO, Callable, Dict, List, Optional, Sequence, Tuple

from xlbudget.text import looks_like_formula, safe_text

# A style is a tuple of (attribute, spec) pairs of plain values (hashed fast, resolved once per
# workbook): ("font", a name of workbook.FONT_KINDS), ("fill", RGB of a solid fill), ("alignment",
# "wrap"), ("number_format", format), ("quotePrefix", True).
Style = Tuple[Tuple[str, object], ...]
QUOTE: Style = (("quotePrefix", True),)  # Excel's quote prefix: the cell stays text when edited

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
CT_WORKSHEET = f"{_CT}.spreadsheetml.worksheet+xml"
CT_TABLE = f"{_CT}.spreadsheetml.table+xml"

_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))  # as libxml2 writes text
_ATTR_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
                 ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;"))  # and attribute values


def _escape(s: str, escapes=_TEXT_ESCAPES) -> str:
    for ch, ent in escapes:
        if ch in s:
            s = s.replace(ch, ent)
    return s


def _attr(s: str) -> str:
    return _escape(s, _ATTR_ESCAPES)


@lru_cache(maxsize=None)
def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _coordinate(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def _number(v) -> str:
    """A number as openpyxl writes it (``%.16g``; NaN and infinities as nothing)."""
    return "" if isnan(v) or isinf(v) else "%.16g" % v


@dataclass
class TablePart:
    """An Excel Table (ListObject) over ``ref``, its header row holding ``columns``."""
    name: str
    ref: str
    columns: Sequence[str]
    style: str = "TableStyleLight9"


class Sheet:
    """One worksheet: its cells as plain values and the few sheet features we use."""

    def __init__(self, book: "Book", title: str):
        self.book = book
        self.title = title
        self.cells: Dict[Tuple[int, int], Tuple[object, str, Style]] = {}  # (row, col) -> (value, type, style)
        self.links: Dict[Tuple[int, int], str] = {}  # (row, col) -> an internal hyperlink's location
        self.widths: Dict[int, float] = {}  # column (1-based) -> width in characters
        self.frozen_rows = 0  # rows kept in view above the scrolled ones
        self.title_rows = 0  # rows repeated at the top of every printed page
        self.auto_filter: Optional[str] = None  # range of an auto filter (header row first)
        self.fail_fill: Optional[Tuple[str, str]] = None  # (range, formula): cells filled red where it holds
        self.table: Optional[TablePart] = None

    def put(self, row: int, col: int, value, style: Style = ()) -> None:
        """A value typed as openpyxl types it: a number, a formula (text starting with '='), a text.
        Only for our own labels and formulas: text from a PDF goes through :meth:`text`."""
        if value is None:
            kind = "n"
        elif isinstance(value, str):
            kind = "f" if len(value) > 1 and value.startswith("=") else "s"
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            kind = "n"
        else:
            raise TypeError(f"cannot write {type(value).__name__} to a cell")
        self.cells[row, col] = (value, kind, style)

    def text(self, row: int, col: int, text, style: Style = ()) -> str:
        """Text as :func:`xlbudget.write.workbook.text_cell` writes it: always a string, never a
        formula (a formula-like start gets the quote prefix), XML-illegal characters dropped, a
        cut to Excel's cell limit recorded in ``book.xlb_cut``. Returns the text written."""
        s, cut = safe_text(text)
        self.cells[row, col] = (s, "s", style + QUOTE if looks_like_formula(s) else style)
        if cut:
            self.book.xlb_cut.append(f"'{self.title}'!{_coordinate(row, col)}")
        return s

    def value(self, row: int, col: int):
        """The value written at (row, col), or None."""
        v = self.cells.get((row, col))
        return None if v is None else v[0]

    def link(self, row: int, col: int, location: str) -> None:
        """An internal hyperlink on the cell written at (row, col), in the hyperlink font."""
        value, kind, style = self.cells[row, col]
        self.cells[row, col] = (value, kind, tuple(p for p in style if p[0] != "font") + (("font", "link"),))
        self.links[row, col] = location

    def touch(self, first_row: int, last_row: int, ncols: int) -> None:
        """Mark the cells of a range as used (empty), as reading them through openpyxl did: their
        rows are written (empty) and the sheet's dimension covers them."""
        for r in range(first_row, last_row + 1):
            for j in range(1, ncols + 1):
                self.cells.setdefault((r, j), (None, "n", ()))

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=1)

    def dimension(self) -> str:
        """The used range, as openpyxl's ``calculate_dimension`` gives it."""
        if not self.cells:
            return "A1:A1"
        rows = {r for r, _ in self.cells}
        cols = {c for _, c in self.cells}
        return f"{_coordinate(min(rows), min(cols))}:{_coordinate(max(rows), max(cols))}"

    # ------------------------------------------------------------------ XML
    def write_xml(self, stream: BinaryIO, style_id: Callable[[Style], int], fail_dxf: Callable[[], int]) -> None:
        """The worksheet part (ASCII, other characters as references, as openpyxl streams it),
        written to ``stream`` a few hundred cells at a time: never the whole sheet in memory."""
        out = _Chunks(stream)
        out.append(f'<worksheet xmlns="{NS_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
                   f'<pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="{self.dimension()}"/>'
                   '<sheetViews><sheetView workbookViewId="0">')
        if self.frozen_rows:
            out.append(f'<pane ySplit="{self.frozen_rows}" topLeftCell="A{self.frozen_rows + 1}" '
                       'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A1" sqref="A1"/>')
        else:
            out.append('<selection activeCell="A1" sqref="A1"/>')
        out.append('</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
        if self.widths:
            out.append("<cols>")
            for j, w in sorted(self.widths.items()):
                out.append(f'<col width="{_number(w)}" customWidth="1" min="{j}" max="{j}"/>')
            out.append("</cols>")
        self._sheet_data(out, style_id)
        if self.auto_filter:
            out.append(f'<autoFilter ref="{self.auto_filter}"/>')
        if self.fail_fill:
            ref, formula = self.fail_fill
            out.append(f'<conditionalFormatting sqref="{ref}"><cfRule type="expression" priority="1" '
                       f'dxfId="{fail_dxf()}"><formula>{_escape(formula)}</formula></cfRule></conditionalFormatting>')
        if self.links:
            out.append("<hyperlinks>")
            for r, c in sorted(self.links):
                out.append(f'<hyperlink ref="{_coordinate(r, c)}" location="{_attr(self.links[r, c])}"/>')
            out.append("</hyperlinks>")
        out.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                   '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/>')
        if self.table:
            out.append(f'<tableParts count="1"><tablePart xmlns:r="{NS_DOC_REL}" r:id="rId1"/></tableParts>')
        out.append("</worksheet>")
        out.flush()

    def _sheet_data(self, out: "_Chunks", style_id: Callable[[Style], int]) -> None:
        out.append("<sheetData>")
        cells = self.cells
        add, escape, letter = out.append, _escape, column_letter
        row = None
        for r, c in sorted(cells):
            value, kind, style = cells[r, c]
            if r != row:
                if row is None:
                    add(f'<row r="{r}">')
                else:
                    add(f'</row><row r="{r}">')
                    out.row_done()
                row = r
            sid = style_id(style) if style else 0
            if value is None and not sid:
                continue  # a cell only touched: openpyxl does not write it either
            s = f' s="{sid}"' if sid else ""
            if kind == "s":
                if value == "":
                    add(f'<c r="{letter(c)}{r}"{s} t="inlineStr"></c>')
                else:
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    add(f'<c r="{letter(c)}{r}"{s} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
            elif kind == "f":
                add(f'<c r="{letter(c)}{r}"{s}><f>{escape(value[1:])}</f><v></v></c>')
            elif value is None:
                add(f'<c r="{letter(c)}{r}"{s} t="n"></c>')
            else:
                add(f'<c r="{letter(c)}{r}"{s} t="n"><v>{_number(value)}</v></c>')
        if row is not None:
            out.append("</row>")
        out.append("</sheetData>")

    def table_xml(self, table_id: int) -> bytes:
        from openpyxl.utils.escape import escape as ooxml_escape  # control characters as _x0009_

        t = self.table
        assert t is not None
        cols = "".join(f'<tableColumn id="{i}" name="{_attr(ooxml_escape(n))}"/>' for i, n in enumerate(t.columns, start=1))
        return (f'<table id="{table_id}" name="{_attr(t.name)}" displayName="{_attr(t.name)}" ref="{t.ref}" '
                f'headerRowCount="1" xmlns="{NS_MAIN}"><autoFilter ref="{t.ref}"/><tableColumns count="{len(t.columns)}">'
                f'{cols}</tableColumns><tableStyleInfo name="{_attr(t.style)}" showRowStripes="1"/></table>').encode()


class _Chunks:
    """Parts of an XML text, sent to a binary stream (ASCII, other characters as references) a few
    thousand at a time rather than joined at the end: a 1,000-page document's 校验 sheet is 6 MB."""
    PARTS = 2000  # parts (about one per cell) kept before writing them out

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.parts: List[str] = []
        self.append = self.parts.append

    def row_done(self) -> None:
        if len(self.parts) >= self.PARTS:
            self.flush()

    def flush(self) -> None:
        self.stream.write("".join(self.parts).encode("ascii", "xmlcharrefreplace"))
        self.parts.clear()


class Book:
    """The sheets of a workbook, in order, and the texts cut to Excel's cell limit (``'sheet'!A1``)."""

    def __init__(self):
        self.sheets: List[Sheet] = []
        self.xlb_cut: List[str] = []

    def add_sheet(self, title: str, index: Optional[int] = None) -> Sheet:
        ws = Sheet(self, title)
        self.sheets.insert(len(self.sheets) if index is None else index, ws)
        return ws

    def save(self, path: str) -> None:
        """Write the .xlsx package to ``path``."""
        from zipfile import ZIP_DEFLATED, ZipFile

        from openpyxl.packaging.extended import ExtendedProperties
        from openpyxl.styles.stylesheet import write_stylesheet
        from openpyxl.xml.functions import tostring

        from xlbudget.write.workbook import east_asian_workbook

        wb = east_asian_workbook()  # the style tables, theme and document properties
        style_id = _style_resolver(wb)
        with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as z:
            z.writestr("docProps/app.xml", tostring(ExtendedProperties().to_tree()))
            wb.properties.modified = _dt.datetime.now(tz=_dt.timezone.utc).replace(tzinfo=None)
            z.writestr("docProps/core.xml", tostring(wb.properties.to_tree()))
            z.writestr("xl/theme/theme1.xml", wb.loaded_theme)
            parts = []
            n_tables = 0
            for i, ws in enumerate(self.sheets, start=1):
                with z.open(f"xl/worksheets/sheet{i}.xml", "w") as stream:
                    ws.write_xml(stream, style_id, lambda: _fail_dxf(wb))
                parts.append((f"/xl/worksheets/sheet{i}.xml", CT_WORKSHEET))
                if ws.table:
                    n_tables += 1
                    z.writestr(f"xl/tables/table{n_tables}.xml", ws.table_xml(n_tables))
                    parts.append((f"/xl/tables/table{n_tables}.xml", CT_TABLE))
                    z.writestr(f"xl/worksheets/_rels/sheet{i}.xml.rels", _rels(
                        [(f"{NS_DOC_REL}/table", f"/xl/tables/table{n_tables}.xml")]))
            z.writestr("xl/styles.xml", tostring(write_stylesheet(wb)))
            z.writestr("_rels/.rels", _rels([(f"{NS_DOC_REL}/officeDocument", "xl/workbook.xml"),
                                             (f"{NS_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
                                             (f"{NS_DOC_REL}/extended-properties", "docProps/app.xml")]))
            z.writestr("xl/workbook.xml", self._workbook_xml())
            z.writestr("xl/_rels/workbook.xml.rels", _rels(
                [(f"{NS_DOC_REL}/worksheet", f"/xl/worksheets/sheet{i}.xml") for i in range(1, len(self.sheets) + 1)]
                + [(f"{NS_DOC_REL}/styles", "styles.xml"), (f"{NS_DOC_REL}/theme", "theme/theme1.xml")]))
            z.writestr("[Content_Types].xml", _content_types(parts))

    def _workbook_xml(self) -> bytes:
        sheets = "".join(f'<sheet xmlns:r="{NS_DOC_REL}" name="{_attr(ws.title)}" sheetId="{i}" state="visible" '
                         f'r:id="rId{i}"/>' for i, ws in enumerate(self.sheets, start=1))
        names = []
        for i, ws in enumerate(self.sheets):
            quoted = _escape("'" + ws.title.replace("'", "''") + "'")
            if ws.auto_filter:
                a, b = ws.auto_filter.split(":")
                ref = f"{_absolute(a)}:{_absolute(b)}"
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{quoted}!{ref}</definedName>')
            if ws.title_rows:
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{quoted}!$1:${ws.title_rows}</definedName>')
        return (f'<workbook xmlns="{NS_MAIN}"><workbookPr/><workbookProtection/><bookViews><workbookView '
                'visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" showSheetTabs="1" '
                'tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1"/></bookViews>'
                f'<sheets>{sheets}</sheets>' + (f'<definedNames>{"".join(names)}</definedNames>' if names else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>').encode()


def _absolute(coord: str) -> str:
    """B12 -> $B$12."""
    col = coord.rstrip("0123456789")
    return f"${col}${coord[len(col):]}"


def _rels(rels: Sequence[Tuple[str, str]]) -> bytes:
    """A relationships part: (type, target) numbered rId1, rId2 …"""
    body = "".join(f'<Relationship Type="{t}" Target="{_attr(target)}" Id="rId{i}"/>'
                   for i, (t, target) in enumerate(rels, start=1))
    return f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>'.encode()


def _content_types(parts: Sequence[Tuple[str, str]]) -> bytes:
    fixed = [("/xl/styles.xml", f"{_CT}.spreadsheetml.styles+xml"), ("/xl/theme/theme1.xml", f"{_CT}.theme+xml"),
             ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
             ("/docProps/app.xml", f"{_CT}.extended-properties+xml")]
    overrides = "".join(f'<Override PartName="{p}" ContentType="{ct}"/>'
                        for p, ct in fixed + list(parts) + [("/xl/workbook.xml", f"{_CT}.spreadsheetml.sheet.main+xml")])
    return ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>').encode()


def _fail_dxf(wb) -> int:
    """The differential style of the red fill of failed rows (registered as openpyxl does)."""
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle

    from xlbudget.write.workbook import FAIL_FILL

    return wb._differential_styles.add(DifferentialStyle(fill=PatternFill("solid", bgColor=FAIL_FILL)))


def _style_resolver(wb) -> Callable[[Style], int]:
    """Style -> the workbook's cell style (xf) id, registering fonts, fills, alignments and number
    formats as openpyxl's Cell does when a style attribute is set; each style resolved once."""
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, PatternFill

    from xlbudget.write.workbook import FONT_KINDS, font

    ids: Dict[Style, int] = {}

    def style_id(style: Style) -> int:
        sid = ids.get(style)
        if sid is None:
            c = Cell(wb.worksheets[0])  # not placed in a sheet: it only carries the style to the tables
            for attr, spec in style:
                if attr == "font":
                    c.font = font(**FONT_KINDS[str(spec)])
                elif attr == "fill":
                    c.fill = PatternFill("solid", fgColor=spec)
                elif attr == "alignment":
                    c.alignment = Alignment(wrap_text=True, vertical="center")
                else:
                    setattr(c, attr, spec)
            sid = ids[style] = c.style_id if c.has_style else 0
        return sid

    return style_id
