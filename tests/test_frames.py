"""pandas interop: a document as one tidy long frame, a table as printed, a comparison as a frame.

Values typed from the PDFs of 江苏省人大常委会办公厅 (2019: 公开表一 p1, 公开表七 p7, 公开表九 p9;
2018: 公开09表 p15)."""
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED

pd = pytest.importorskip("pandas")

NPC = SHARED / "corpus/real/jiangsu/江苏省人大办公厅"
PDF_2019 = NPC / "江苏省人大常委会办公厅2019年部门预算公开表.pdf"
PDF_2018 = NPC / "省人大办公厅2018预算公开.pdf"
DEPT = "江苏省人大常委会办公厅"


@pytest.fixture(scope="module")
def doc2019():
    if not PDF_2019.exists():
        pytest.skip("../shared corpus not present")
    from xlbudget.api import convert

    return convert(str(PDF_2019)).document


def test_document_frame_has_one_row_per_printed_amount(doc2019):
    f = doc2019.to_frame()
    assert set(f.department) == {DEPT} and set(f.year) == {2019} and set(f.doc_kind) == {"预算"}
    # 公开表九 (p9): one printed row; 公务用车购置费 is blank, so 8 amounts, not 9
    sangong = f[f.table_kind == "b10"]
    assert len(sangong) == 8
    assert set(sangong.page) == {9} and set(sangong.unit) == {"万元"}
    by_col = dict(zip(sangong.column, sangong.value))
    assert by_col["“三公”经费/小计"] == 767.60
    assert by_col["“三公”经费/公务接待费"] == 384.75
    assert by_col["合计"] == 2600.71
    assert not any(c.endswith("/公务用车购置费") for c in sangong.column)


def test_a_row_carries_its_code_name_and_level(doc2019):
    f = doc2019.to_frame()
    b05 = f[f.table_kind == "b05"]
    row = b05[b05.row_code == "2010104"].iloc[0]  # 公开表七: 2010104 人大会议 1,469.73
    assert (row.row_name, row.level, row.value, row.text, row.page) == ("人大会议", "项", 1469.73, "1,469.73", 7)
    assert b05[b05.row_code == "20101"].iloc[0].level == "款"
    total = b05[b05.is_total]
    assert list(total.value) == [18330.37]


def test_a_two_sided_table_names_each_value_by_the_label_left_of_it(doc2019):
    # 收支预算总表 (p1) prints 一、财政拨款 18,330.37 | 一、一般公共服务支出 13,907.78 | 一、基本支出 9,312.90
    f = doc2019.to_frame()
    first = f[(f.table_kind == "b01") & (f.row == 0)]
    assert list(zip(first.row_name, first.value)) == [
        ("一、财政拨款", 18330.37), ("一、一般公共服务支出", 13907.78), ("一、基本支出", 9312.90)]


def test_table_frame_keeps_the_printed_header(doc2019):
    t = doc2019.table("b10").to_frame()
    assert t.columns.nlevels == 3
    assert t[("“三公”经费", "小计", "")].tolist() == [767.60]
    assert t[("“三公”经费", "公务用车购置及运行维护费", "公务用车运行维护费")].tolist() == [183.60]
    assert t[("“三公”经费", "公务用车购置及运行维护费", "公务用车购置费")].isna().all()  # printed blank
    assert t.attrs["unit"] == "万元" and t.attrs["pages"] == [9]
    b05 = doc2019.table("b05").to_frame()
    assert list(b05.columns) == ["功能科目编码", "功能科目名称", "金额"]
    row = b05[b05["功能科目编码"] == "2010101"].iloc[0]  # codes stay text, amounts are numbers
    assert (row["功能科目名称"], row["金额"]) == ("行政运行", 7448.20)


def test_comparison_as_a_frame(doc2019):
    if not PDF_2018.exists():
        pytest.skip("../shared corpus not present")
    from xlbudget.api import convert
    from xlbudget.compare.core import compare
    from xlbudget.frames import comparison_frame

    f = comparison_frame(compare([convert(str(PDF_2018)).document, doc2019]))
    sangong = f[(f.table == "总览") & (f.item == "三公经费")].set_index("year")
    # 2018 公开09表 p15: 833.60; 2019 公开表九 p9: 767.60
    assert sangong.loc[2018, "value"] == 833.60 and sangong.loc[2019, "value"] == 767.60
    assert sangong.loc[2019, "change"] == pytest.approx(-66.00)
    assert pd.isna(sangong.loc[2018, "change"])


def test_the_model_and_the_records_need_no_pandas():
    code = ("import sys\n"
            "sys.modules['pandas'] = None  # any import of pandas fails\n"
            "from decimal import Decimal\n"
            "from xlbudget.model import Cell, Document, Row, Table\n"
            "from xlbudget.frames import value_records\n"
            "t = Table('b03', '支出预算总表', [['合计', '基本支出']], [Row([Cell('5.00', Decimal('5.00'), 3),\n"
            "          Cell('', None, 3)], page=3)], columns=['合计', '基本支出'], unit='万元')\n"
            "r = value_records(Document('某局', 2024, '预算', '万元', 'x.pdf', tables=[t]))\n"
            "print(r['column'], r['value'], r['page'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['合计'] [5.0] [3]"
