"""openpyxl, without its Cell objects: the cells of a sheet kept as plain values, written as the
sheet's XML in one pass when the workbook is saved.

openpyxl keeps one Cell object per cell (style proxies hashed at every assignment, one XML element
built per cell at saving): ~75 µs a cell, most of the time of writing a workbook. A sheet of
:class:`SheetCells` holds ``(row, col) -> (value, type, style)`` instead; everything else of the
sheet (column widths, Excel Tables, conditional formats, print setup, frozen panes, filters) stays
on its openpyxl Worksheet, and :func:`save_workbook` writes the package with openpyxl, each sheet of
ours as openpyxl writes it (inline strings, numbers as ``%.16g``, formulas with an empty cached
value, style ids from the workbook's own style tables) but without a temporary file per sheet.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Callable, Dict, List, Optional, Tuple

from xlbudget.text import _FORMULA_LEAD, safe_text

# A style is a tuple of (attribute, spec) pairs of plain values (hashed fast, resolved once per
# workbook): ("font", name of FONT_KINDS), ("fill", RGB of a solid fill), ("alignment", "wrap"),
# ("number_format", format), ("quotePrefix", True).
Style = Tuple[Tuple[str, object], ...]
QUOTE: Style = (("quotePrefix", True),)  # Excel's quote prefix: the cell stays text when edited
# the fonts cells use besides the default, as keywords of workbook.font
FONT_KINDS = {"bold": {"bold": True}, "title": {"bold": True, "size": 12},
              "link": {"color": "0563C1", "underline": "single"}}

_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}  # as libxml2 writes text content


def _xml_text(s: str) -> str:
    for ch, ent in _ESCAPE.items():
        if ch in s:
            s = s.replace(ch, ent)
    return s


class SheetCells:
    """The cells of one openpyxl Worksheet (``ws.xlb_cells``), as plain values."""

    def __init__(self, ws):
        self.ws = ws
        self.cells: Dict[Tuple[int, int], Tuple[object, str, Style]] = {}
        self.links: Dict[Tuple[int, int], str] = {}  # (row, col) -> an internal hyperlink's location
        ws.xlb_cells = self

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
        cut to Excel's cell limit recorded in ``wb.xlb_cut``. Returns the text written."""
        s, cut = safe_text(text)
        self.cells[row, col] = (s, "s", style + QUOTE if _FORMULA_LEAD.match(s) else style)
        if cut:
            wb = self.ws.parent
            if not hasattr(wb, "xlb_cut"):
                wb.xlb_cut = []
            wb.xlb_cut.append(f"'{self.ws.title}'!{_coordinate(row, col)}")
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

    def sheet_data(self, style_id: Callable[[Style], int]) -> bytes:
        """The ``<sheetData>`` element, byte for byte as openpyxl's writer (with lxml) gives it."""
        from openpyxl.compat.strings import safe_string
        from openpyxl.utils import get_column_letter

        out: List[str] = ["<sheetData>"]
        row = None
        for r, c in sorted(self.cells):
            value, kind, style = self.cells[r, c]
            if r != row:
                out.append(f'</row><row r="{r}">' if row is not None else f'<row r="{r}">')
                row = r
            sid = style_id(style) if style else 0
            if value is None and not sid:
                continue  # a cell only touched: openpyxl does not write it either
            s = f' s="{sid}"' if sid else ""
            coord = f"{get_column_letter(c)}{r}"
            if kind == "s":
                if value == "":
                    out.append(f'<c r="{coord}"{s} t="inlineStr"></c>')
                else:
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    out.append(f'<c r="{coord}"{s} t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>')
            elif kind == "f":
                out.append(f'<c r="{coord}"{s}><f>{_xml_text(value[1:])}</f><v></v></c>')
            elif value is None:
                out.append(f'<c r="{coord}"{s} t="n"></c>')
            else:
                out.append(f'<c r="{coord}"{s} t="n"><v>{safe_string(value)}</v></c>')
        if row is not None:
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out).encode("ascii", "xmlcharrefreplace")

    def hyperlinks(self) -> list:
        """openpyxl Hyperlinks of the linked cells, in the order openpyxl's writer collects them."""
        from openpyxl.worksheet.hyperlink import Hyperlink

        return [Hyperlink(ref=_coordinate(r, c), location=self.links[r, c]) for r, c in sorted(self.links)]


def _coordinate(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _style_resolver(wb) -> Callable[[Style], int]:
    """Style -> the workbook's cell style (xf) id, registering fonts, fills, alignments and number
    formats as openpyxl's Cell does when a style attribute is set; each style resolved once."""
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, PatternFill

    from xlbudget.write.workbook import font

    ids: Dict[Style, int] = {}

    def style_id(style: Style) -> int:
        sid = ids.get(style)
        if sid is None:
            c = Cell(wb.worksheets[0])  # not placed in the sheet: it only carries the style to the workbook's tables
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


def save_workbook(wb, path: str) -> None:
    """openpyxl's ``Workbook.save``, the sheets holding :class:`SheetCells` written from them, in
    memory (openpyxl writes every sheet to a temporary file first)."""
    from io import BytesIO
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import tostring as _tostring

    def tostring(el) -> bytes:  # as openpyxl's streaming writer: ASCII, characters as references
        return _tostring(el, encoding="us-ascii")

    style_id = _style_resolver(wb)

    class SheetWriter(WorksheetWriter):
        def get_stream(self):  # the sheet's elements collected as bytes, not streamed to a temp file
            self.parts: List[bytes] = [f'<worksheet xmlns="{SHEET_MAIN_NS}">'.encode()]
            try:
                while True:
                    el = (yield)
                    if el is not None:
                        self.parts.append(tostring(el))
            except GeneratorExit:
                self.parts.append(b"</worksheet>")

        def write_dimensions(self):
            self.xf.send(SheetDimension(self.ws.xlb_cells.dimension()).to_tree())

        def write_rows(self):
            cells = self.ws.xlb_cells
            self.parts.append(cells.sheet_data(style_id))
            self.ws._hyperlinks.extend(cells.hyperlinks())  # written by write_hyperlinks, in write_tail

    class PackageWriter(ExcelWriter):
        def write_worksheet(self, ws):
            if getattr(ws, "xlb_cells", None) is None:
                return super().write_worksheet(ws)
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = SheetWriter(ws, out=BytesIO())  # an out given: no temporary file
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], b"".join(writer.parts))
            self.manifest.append(ws)

    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = _dt.datetime.now(tz=_dt.timezone.utc).replace(tzinfo=None)
    PackageWriter(wb, archive).save()
