"""Workbooks edited by hand, damaged or not ours: `validate FILE.xlsx` reads what it can (numbers
typed as text, formulas with a value: with a warning) and refuses structural damage with one line
and exit code 2."""
from __future__ import annotations

import zipfile
from decimal import Decimal as D

import openpyxl
import pytest

from xlbudget.cli import main
from xlbudget.model import Cell, Document, InputError, LimitError, Row, Table
from xlbudget.write.workbook import read_workbook, write_workbook


def _row(code, name, total, basic, project, level=None, is_total=False):
    cells = [Cell(code or ""), Cell(name)] + [Cell(f"{v:.2f}", D(f"{v:.2f}")) for v in (total, basic, project)]
    return Row(cells=cells, code=code, name=name, level=level, is_total=is_total, page=3)


def small_doc() -> Document:
    rows = [_row(None, "合计", 100, 80, 20, is_total=True), _row("201", "一般公共服务支出", 100, 80, 20, 1),
            _row("20101", "人大事务", 100, 80, 20, 2), _row("2010101", "行政运行", 100, 80, 20, 3)]
    t = Table(kind="b03", title="支出总表", header=[["科目编码", "科目名称", "合计", "基本支出", "项目支出"]], rows=rows,
              columns=["科目编码", "科目名称", "合计", "基本支出", "项目支出"], unit="万元", pages=[3])
    return Document(department="测试局", year=2024, kind="预算", unit="万元", source="测试局.pdf", tables=[t],
                    n_pages=5)


@pytest.fixture()
def book(tmp_path):
    p = tmp_path / "测试局.xlsx"
    write_workbook(small_doc(), str(p))
    return p


def edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def validate(path, capsys):
    code = main(["validate", str(path)])
    return code, capsys.readouterr()


def test_untouched_workbook_validates(book, capsys):
    code, cap = validate(book, capsys)
    assert code == 0 and "0 errors" in cap.out and cap.err == ""


def test_year_in_chinese_numerals_and_page_count_as_text(book, capsys):
    def f(wb):
        wb["元数据"]["B2"] = "二〇二四"
        wb["元数据"]["B7"] = "5"
    edit(book, f)
    doc = read_workbook(str(book))
    assert doc.year == 2024 and doc.n_pages == 5
    code, cap = validate(book, capsys)
    assert code == 0 and "年度 '二〇二四' is text; read as 2024" in cap.err


@pytest.mark.parametrize("cell, value, message", [
    ("B2", "明年", "元数据 年度 is not a number"),
    ("B7", "二十几页", "元数据 页数 is not a number"),
])
def test_unreadable_metadata_is_an_error(book, capsys, cell, value, message):
    edit(book, lambda wb: wb["元数据"].__setitem__(cell, value))
    code, cap = validate(book, capsys)
    assert code == 2 and message in cap.err and len(cap.err.strip().splitlines()) == 1


def test_renamed_table_sheet(book, capsys):
    def f(wb):
        wb.worksheets[2].title = "我的表"
    edit(book, f)
    code, cap = validate(book, capsys)
    assert code == 2 and "is missing (renamed or deleted?)" in cap.err


def test_missing_metadata_sheet_is_not_ours(book, capsys):
    edit(book, lambda wb: wb.remove(wb["元数据"]))
    code, cap = validate(book, capsys)
    assert code == 2 and "not an xlbudget workbook" in cap.err


def test_deleted_index_row(book, capsys):
    edit(book, lambda wb: wb["元数据"].delete_rows(13))  # the only table's index row
    code, cap = validate(book, capsys)
    assert code == 2 and "is not in the 元数据 index" in cap.err


def test_deleted_table_rows(book, capsys):
    edit(book, lambda wb: wb.worksheets[2].delete_rows(6, 2))
    code, cap = validate(book, capsys)
    assert code == 2 and "rows deleted?" in cap.err


def test_a_notes_sheet_added_by_the_user_is_fine(book, capsys):
    edit(book, lambda wb: wb.create_sheet("我的备注").append(["看过了"]))
    assert validate(book, capsys)[0] == 0


def test_number_typed_as_text_is_read_as_a_number(book, capsys):
    def f(wb):
        ws = wb.worksheets[2]
        ws["C5"] = "100.00"  # 合计 of the 合计 row, typed as text
    edit(book, f)
    doc = read_workbook(str(book))
    assert doc.tables[0].rows[0].cells[2].value == D("100.00")
    code, cap = validate(book, capsys)
    assert code == 0 and "0 errors" in cap.out
    assert "number typed as text '100.00' read as 100.00" in cap.err


def test_formula_in_an_amount_cell(book, capsys):
    def f(wb):
        ws = wb.worksheets[2]
        ws["C5"] = "=60+40.00"  # a plain-number formula: evaluated
        ws["D5"] = "=SUM(D6:D6)"  # no cached value (never opened in Excel): a warning, not a silent blank
    edit(book, f)
    doc = read_workbook(str(book))
    cells = doc.tables[0].rows[0].cells
    assert cells[2].value == D("100.00")
    assert cells[3].value is None and cells[3].text == "=SUM(D6:D6)"
    assert any("=SUM(D6:D6) has no stored value" in w for w in doc.warnings)
    assert any("=60+40.00 read as its value 100.00" in w for w in doc.warnings)


def test_formula_with_a_cached_value_uses_it(book):
    # what Excel writes: the formula and its last value
    with zipfile.ZipFile(book) as z:
        files = {n: z.read(n) for n in z.namelist()}
    assert openpyxl.load_workbook(book).sheetnames[2] == "预算支出总表"
    name = "xl/worksheets/sheet3.xml"  # the third sheet: the table
    xml = files[name].decode()
    import re

    m = re.search(r'<c r="C5"[^>]*>.*?</c>', xml)
    assert ">100<" in m.group(0)
    xml = xml.replace(m.group(0), '<c r="C5"><f>B99+1</f><v>100</v></c>')
    files[name] = xml.encode()
    with zipfile.ZipFile(book, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    doc = read_workbook(str(book))
    assert doc.tables[0].rows[0].cells[2].value == D("100")
    assert any("B99+1 read as its value 100" in w for w in doc.warnings), doc.warnings


def test_corrupted_zip(book, capsys):
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    code, cap = validate(book, capsys)
    assert code == 2 and "not a readable .xlsx workbook" in cap.err and "Traceback" not in cap.err


def test_zip_bomb(tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    assert p.stat().st_size < 2_000_000
    with pytest.raises(LimitError, match="zip bomb"):
        read_workbook(str(p))


def test_a_workbook_not_made_by_xlbudget(tmp_path, capsys):
    p = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["预算", 1])
    wb.save(p)
    code, cap = validate(p, capsys)
    assert code == 2 and "not an xlbudget workbook" in cap.err


def test_xlsm_reads_like_xlsx(book, tmp_path, capsys):
    p = tmp_path / "宏.xlsm"
    p.write_bytes(book.read_bytes())
    assert validate(p, capsys)[0] == 0
    with pytest.raises(InputError, match="no such file"):
        read_workbook(str(tmp_path / "none.xlsx"))


def sangong_doc() -> Document:
    """A one-row 三公经费预算表: 合计 621 = 因公出国 21 + 公务用车 400 + 公务接待 200 (integers, as often printed)."""
    cols = ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"]
    vals = ["621", "21", "400", "200"]
    t = Table(kind="b10", title="三公经费预算表", header=[cols], columns=cols, unit="万元", pages=[7],
              rows=[Row(cells=[Cell(v, D(v)) for v in vals], page=7)])
    return Document(department="测试局", year=2024, kind="预算", unit="万元", source="测试局.pdf", tables=[t],
                    n_pages=8)


def test_integers_pasted_as_text_in_every_amount_cell(tmp_path, capsys):
    # the user pasted the whole row as text: no column holds a real number any more
    p = tmp_path / "三公.xlsx"
    write_workbook(sangong_doc(), str(p))

    def f(wb):
        ws = wb.worksheets[2]
        for col, v in zip("ABCD", ("621", "21", "400", "200")):
            assert ws[f"{col}5"].value == int(v) or ws[f"{col}5"].value == float(v)  # the data row
            ws[f"{col}5"] = v
    edit(p, f)
    doc = read_workbook(str(p))
    assert [c.value for c in doc.tables[0].rows[0].cells] == [D("621"), D("21"), D("400"), D("200")]
    assert any("number typed as text '621' read as 621" in w for w in doc.warnings)
    code, cap = validate(p, capsys)
    assert code == 0 and "0 errors" in cap.out


def test_code_and_name_columns_stay_text(book):
    # a code typed as text stays a code: its column is a code column by its head, not an amount
    edit(book, lambda wb: wb.worksheets[2].__setitem__("A6", "201"))
    doc = read_workbook(str(book))
    assert doc.tables[0].rows[1].cells[0].value is None and doc.tables[0].rows[1].cells[0].text == "201"


def test_an_external_link_in_an_amount_cell_is_said_not_followed(book, capsys):
    # a user pasted a link to another workbook: it is never opened, the cell is reported
    def f(wb):
        wb.worksheets[2]["C5"] = "='[预算底稿.xlsx]Sheet1'!A1"
    edit(book, f)
    doc = read_workbook(str(book))
    cell = doc.tables[0].rows[0].cells[2]
    assert cell.value is None and cell.text == "='[预算底稿.xlsx]Sheet1'!A1"
    assert any("预算底稿.xlsx" in w and "has no stored value" in w for w in doc.warnings)


def test_the_unit_edited_by_hand_is_the_unit_read(book):
    # 元数据 单位 changed from 万元 to 元: the document says so, nothing is silently rescaled
    edit(book, lambda wb: wb["元数据"].__setitem__("B4", "元"))
    assert read_workbook(str(book)).unit == "元"
