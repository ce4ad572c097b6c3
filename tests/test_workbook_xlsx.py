"""The workbook package written directly (write/xlsx.py) is the package openpyxl writes for the same
cells and sheet features: byte for byte, part by part (the document properties' time stamps aside).
The oracle below builds the same workbook with openpyxl's own Cell objects and saves it with
openpyxl; it reads nothing from our writer but the plan of the workbook (a Book)."""
import re
import zipfile
from decimal import Decimal as D

import openpyxl
import pytest

from conftest import RENDERED, imported, need
from xlbudget.model import Cell, Claim, Document, Row, Table
from xlbudget.text import CUT_MARK
from xlbudget.write import workbook as wbmod
from xlbudget.write.xlsx import Book, column_letter

TIME_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # docProps/core.xml: created, modified


def openpyxl_package(book: Book, path) -> None:
    """``book`` built with openpyxl Cells and saved by openpyxl (styles set in the order cells are
    written, as openpyxl registers them)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table as XTable, TableStyleInfo

    wb = wbmod.east_asian_workbook()
    for i, sheet in enumerate(book.sheets):
        if i == 0:
            ws = wb.active
            ws.title = sheet.title
        else:
            ws = wb.create_sheet(sheet.title)
        for (r, c) in sorted(sheet.cells):
            value, kind, style = sheet.cells[r, c]
            cell = ws.cell(row=r, column=c)
            if value is not None:
                cell.value = value
            if kind == "s":
                cell.data_type = "s"
            for attr, spec in style:
                if attr == "font":
                    cell.font = wbmod.font(**wbmod.FONT_KINDS[spec])
                elif attr == "fill":
                    cell.fill = PatternFill("solid", fgColor=spec)
                elif attr == "alignment":
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
                else:
                    setattr(cell, attr, spec)
            if (r, c) in sheet.links:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=sheet.links[r, c])
        for j, w in sheet.widths.items():
            ws.column_dimensions[column_letter(j)].width = w
        wbmod.print_setup(ws, title_rows=sheet.title_rows)
        if sheet.frozen_rows:
            ws.freeze_panes = f"A{sheet.frozen_rows + 1}"
        if sheet.auto_filter:
            ws.auto_filter.ref = sheet.auto_filter
        if sheet.fail_fill:
            ref, formula = sheet.fail_fill
            ws.conditional_formatting.add(ref, FormulaRule(formula=[formula],
                                                           fill=PatternFill("solid", bgColor=wbmod.FAIL_FILL)))
        if sheet.table:
            xt = XTable(displayName=sheet.table.name, ref=sheet.table.ref)  # columns named from the header cells
            xt.tableStyleInfo = TableStyleInfo(name=sheet.table.style, showRowStripes=True)
            ws.add_table(xt)
    wb.save(path)


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: TIME_STAMP.sub(b"<time>", z.read(n)) for n in z.namelist()}


def write_both(doc, tmp_path):
    """(our file, openpyxl's file) of ``doc``."""
    books = []
    save = wbmod.save_atomic

    def keep(book, path):
        books.append(book)
        return save(book, path)

    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "openpyxl.xlsx"
    try:
        wbmod.save_atomic = keep
        wbmod.write_workbook(doc, str(ours))
    finally:
        wbmod.save_atomic = save
    openpyxl_package(books[0], theirs)
    return ours, theirs


def hostile_document() -> Document:
    """Texts that need escaping or care: markup characters, CR, spaces around, formula-like starts,
    characters outside the BMP, a text over Excel's cell limit; amounts with many decimals."""
    texts = ["A&B <c> \"q\"", "x\r\ny", "  leading and trailing  ", "=SUM(A1)", "+1", "@x", "😀 表情",
             "\t制表", "全角　空格", "&#13; as text", "x" * 40_000]
    rows = [Row(cells=[Cell(t), Cell("1.005", D("1.005")), Cell("")], page=2, code="2010101", level=3)
            for t in texts]
    rows.append(Row(cells=[Cell("合计"), Cell("-12345678901.25", D("-12345678901.25")), Cell("0.00", D("0.00"))],
                    page=3))
    t = Table(kind="b03", title="支出 & <总表>", header=[["科目/名称", "金额 \"万元\"", "备\t注"]],
              columns=["科目/名称", "金额 \"万元\"", "备\t注"], rows=rows, pages=[2, 3], unit="万元")
    empty = Table(kind="b07", title="", header=[], columns=["项目", "金额"], rows=[], empty=True)
    claim = Claim(subject="支出 <合计>", amount=D("12.5"), text="=本年支出 & 上年", page=1)
    return Document(department="测试 & 部门", year=2024, kind="预算", unit="万元", source="/tmp/a&b.pdf",
                    tables=[t, empty], claims=[claim], warnings=["警告 <1>"])


@pytest.mark.parametrize("source", ["hostile", "nothing", "004_d644b8a86bb20fe5"])
def test_the_package_is_the_one_openpyxl_writes(tmp_path, source):
    if source == "hostile":
        doc = hostile_document()
    elif source == "nothing":  # no table, no claim, no finding: the sheets that are always there
        doc = Document(department=None, year=None, kind="预算", unit=None, source="empty.pdf")
    else:
        doc = imported(need(RENDERED / "pdf_a" / f"{source}.pdf"))
    import openpyxl

    # the oracle is openpyxl writing through lxml (a dependency): without it openpyxl writes
    # other, equally valid, bytes
    assert openpyxl.LXML, "lxml is not installed (pip install -e .)"
    ours, theirs = write_both(doc, tmp_path)
    a, b = parts(ours), parts(theirs)
    assert sorted(a) == sorted(b)
    assert [n for n in sorted(a) if a[n] != b[n]] == []


def test_hostile_texts_read_back_as_written(tmp_path):
    doc = hostile_document()
    ours, _ = write_both(doc, tmp_path)
    ws = openpyxl.load_workbook(ours)["预算支出总表"]
    first_col = [ws.cell(row=5 + i, column=1).value for i in range(len(doc.tables[0].rows))]
    assert first_col[:10] == ["A&B <c> \"q\"", "x\r\ny", "  leading and trailing  ", "=SUM(A1)", "+1", "@x",
                              "😀 表情", "\t制表", "全角　空格", "&#13; as text"]
    assert first_col[10].endswith(CUT_MARK) and len(first_col[10]) == 32767
    formula_like = ws.cell(row=8, column=1)
    assert formula_like.data_type == "s" and formula_like.quotePrefix
    assert ws.cell(row=5, column=2).value == 1.005 and ws.cell(row=5, column=2).number_format == "#,##0.00#"
    assert ws.cell(row=16, column=2).value == -12345678901.25
    table = next(iter(ws.tables.values()))
    assert [c.name for c in table.tableColumns] == ["科目/名称", "金额 \"万元\"", "备\t注", "全编码", "级次", "页码", "行号"]
