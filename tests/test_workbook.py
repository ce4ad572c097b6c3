"""Workbook adapter: numbers as numbers, text never a formula, live 校验 formulas, round trip."""
from decimal import Decimal as D

import openpyxl
import pytest

from conftest import RENDERED, imported, need
from xlbudget.checks import rules
from xlbudget.model import Cell, Document, Row, Table
from xlbudget.write.recalc import computed_values, find_soffice
from xlbudget.write.workbook import CHECK_SHEET, META_SHEET, read_workbook, write_workbook


def seed(name):
    return imported(need(RENDERED / "pdf_a" / f"{name}.pdf"))


@pytest.fixture(scope="module")
def wb004(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "004.xlsx"
    write_workbook(seed("004_d644b8a86bb20fe5"), str(path))
    return path


def test_sheets_tables_and_numbers(wb004):
    wb = openpyxl.load_workbook(wb004)
    assert wb.sheetnames[0] == META_SHEET and CHECK_SHEET in wb.sheetnames
    ws = wb["预算支出总表"]
    assert ws.tables, "the body is an Excel Table"
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows(max_row=10)}
    assert meta["部门"] == "新绛县人民政府办公室" and meta["年度"] == 2024 and meta["单位"] == "万元"
    # find the 20103 row: 合计 is a number, 基本支出 stays blank, the page is kept
    hdr = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "功能分类科目/科目编码")]
    code, level, page = hdr.index("全编码"), hdr.index("级次"), hdr.index("页码")
    row = next(r for r in ws.iter_rows() if r[code].value == "20103")
    assert row[2].value == 495.55 and row[3].value is None and row[4].value == 139.75
    assert row[level].value == "款" and row[page].value == 5


def test_formula_like_text_is_written_as_text(tmp_path):
    t = Table(kind="b12", title="=HYPERLINK(\"http://x\")", header=[["项目名称", "合计"]], columns=["项目名称", "合计"],
              rows=[Row(cells=[Cell("=1+1"), Cell("12.50", D("12.50"))], page=3),
                    Row(cells=[Cell("+abc"), Cell("-")], page=3), Row(cells=[Cell("@sum"), Cell("——")], page=3)])
    doc = Document(department="-部门", year=2024, kind="预算", unit="万元", source="x.pdf", tables=[t])
    p = tmp_path / "inj.xlsx"
    write_workbook(doc, str(p))
    ws = openpyxl.load_workbook(p)["项目支出预算表"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    types = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    for text in ("=1+1", "+abc", "@sum", "=HYPERLINK(\"http://x\")", "——"):
        assert text in values and types[text] == "s"
    assert types[12.5] == "n"


def test_round_trip_keeps_values_and_findings(wb004):
    doc = seed("004_d644b8a86bb20fe5")
    back = read_workbook(str(wb004))
    assert [t.kind for t in back.tables] == [t.kind for t in doc.tables]
    b03, b03b = doc.table("b03"), back.table("b03")
    assert [[c.value for c in r.cells] for r in b03.rows] == [[c.value for c in r.cells] for r in b03b.rows]
    assert [r.code for r in b03.rows] == [r.code for r in b03b.rows]
    ids = lambda fs: sorted((f.id, f.message) for f in fs if f.severity == "error")
    assert ids(rules.check(back)) == ids(rules.check(doc))


def test_read_workbook_rejects_foreign_files(tmp_path):
    from xlbudget.model import XlbudgetError

    p = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(p)
    with pytest.raises(XlbudgetError, match="not an xlbudget workbook"):
        read_workbook(str(p))


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("name", ["004_d644b8a86bb20fe5", "003_333e51848c84ec7d", "001_511f49588f3df717"])
def test_check_sheet_recalculates_in_libreoffice(tmp_path, name):
    doc = seed(name)
    p = tmp_path / f"{name}.xlsx"
    write_workbook(doc, str(p))
    rows = computed_values(str(p), CHECK_SHEET)
    body = [r for r in rows[4:] if r and isinstance(r[0], int)]
    ctx, checks, _ = rules.run(doc)
    assert len(body) == len(checks)
    # the native formulas agree with the rule engine on every check
    assert [r[8] for r in body] == ["OK" if c.ok else "FAIL" for c in checks]
    fails = [r for r in body if r[8] == "FAIL"]
    assert rows[1][1] == len(fails)
    if name.startswith("004"):
        assert any("20103" in r[2] and r[3] == 495.55 and r[4] == 139.75 for r in fails)
    else:
        assert fails == []


def _book_from_macro_sheets(doc, path):
    """What the xlwings import macro writes into the active workbook, replayed with openpyxl."""
    from xlbudget.excel.udfs import document_sheets, excel_values

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in document_sheets(doc).items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(excel_values(rows, formulas=(name == CHECK_SHEET)), start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, str) and v.startswith("'"):  # Excel's text prefix
                    ws.cell(row=r, column=c).value = v[1:]
                    ws.cell(row=r, column=c).data_type = "s"
                else:
                    ws.cell(row=r, column=c, value=v)
    wb.save(path)


def test_macro_filled_workbook_reads_back(tmp_path):
    doc = seed("004_d644b8a86bb20fe5")
    p = tmp_path / "macro.xlsx"
    _book_from_macro_sheets(doc, p)
    back = read_workbook(str(p))
    assert [t.kind for t in back.tables] == [t.kind for t in doc.tables]
    ids = lambda fs: sorted((f.id, f.message) for f in fs if f.severity == "error")  # noqa: E731
    assert ids(rules.check(back)) == ids(rules.check(doc))


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")
def test_macro_filled_workbook_validates_in_libreoffice(tmp_path):
    doc = seed("004_d644b8a86bb20fe5")
    p = tmp_path / "macro.xlsx"
    _book_from_macro_sheets(doc, p)
    rows = computed_values(str(p), CHECK_SHEET)
    assert rows[1][1] == 12  # the same 12 failed checks as the written file
    body = [r for r in rows[4:] if r and isinstance(r[0], int)]
    assert [r[8] for r in body] == [r[9] for r in body]


@pytest.mark.parametrize("name", ["000_7d1637c2b07940b9", "001_511f49588f3df717", "002_b9fb704af29df045",
                                  "003_333e51848c84ec7d"])
def test_validating_the_workbook_equals_validating_the_pdf(tmp_path, name):
    doc = seed(name)
    p = tmp_path / f"{name}.xlsx"
    write_workbook(doc, str(p))
    back = read_workbook(str(p))
    _, checks_a, findings_a = rules.run(doc)
    _, checks_b, findings_b = rules.run(back)
    assert len(checks_a) == len(checks_b)
    assert sorted((f.id, f.message) for f in findings_a) == sorted((f.id, f.message) for f in findings_b)
    assert [c.amount for c in back.claims] == [c.amount for c in doc.claims]
