"""Units: tables printed in 元 (or 千元, 亿元) next to a narrative, or another year's file, in 万元.

The narrative states 万元; a table cell is compared in 万元 after conversion, and a 元 figure is
exact to 0.005 元 (0.0000005 万元). The rendered disclosure (tests/fixtures/render_units.py) prints
预算支出总表 in 元: 合计 3,295,012.34, 基本支出 2,978,912.34, 项目支出 316,100.00, 208 社会保障和就业支出
395,012.34 元; its narrative says 基本支出297.89万元, 项目支出31.61万元, 社会保障和就业支出39.50万元.
"""
from decimal import Decimal as D

import pytest

from xlbudget.numbers import half_ulp_wan, to_wan

pytest.importorskip("reportlab")

from fixtures import render_units as ru  # noqa: E402
from xlbudget.compare.core import compare  # noqa: E402
from xlbudget.read.importer import import_pdf  # noqa: E402
from xlbudget.checks.rules import check  # noqa: E402


def test_a_figure_in_yuan_is_converted_to_wan_exactly():
    assert to_wan(D("2978912.34"), "元") == D("297.891234")
    assert to_wan(D("1234.5"), "千元") == D("123.45")
    assert to_wan(D("1.25"), "亿元") == D("12500")
    assert to_wan(D("297.89"), "万元") == D("297.89")
    assert to_wan(D("297.89"), None) == D("297.89")  # no unit line: taken as printed


def test_the_rounding_error_of_a_converted_figure_is_that_of_its_printed_unit():
    assert half_ulp_wan(D("2978912.34"), "元") == D("0.0000005")  # 0.005 元
    assert half_ulp_wan(D("297.89"), "万元") == D("0.005")
    assert half_ulp_wan(D("1.25"), "亿元") == D("50")  # 0.005 亿元


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return str(tmp_path_factory.mktemp("units"))


def test_yuan_tables_with_a_narrative_in_wan_give_no_narr_finding(out):
    doc = import_pdf(ru.render_budget(out, unit="元", name="yuan_ok.pdf")["path"])
    assert doc.tables[0].unit == "元"
    assert {c.subject: c.amount for c in doc.claims} == {
        "基本支出": D("297.89"), "项目支出": D("31.61"), "社会保障和就业支出": D("39.50")}
    assert [f for f in check(doc) if f.id.startswith("NARR")] == []


def test_one_wrong_narrative_figure_against_yuan_tables_is_exactly_that_finding(out):
    path = ru.render_budget(out, unit="元", name="yuan_wrong.pdf", lines=ru.narrative(social="39.60"))["path"]
    narr = [f for f in check(import_pdf(path)) if f.id.startswith("NARR")]
    assert len(narr) == 1
    f = narr[0]
    assert f.id == "NARR.amount" and "社会保障和就业支出" in f.message and "395,012.34元" in f.message
    assert f.actual == D("39.60") and f.expected == D("39.501234")


def test_compare_brings_a_yuan_file_and_a_wan_file_to_wan(out, tmp_path):
    from openpyxl import load_workbook

    from xlbudget.api import compare_files as run_compare

    y2023 = ru.render_budget(out, unit="元", year=2023, name="dept_2023_yuan.pdf")["path"]
    y2024 = ru.render_budget(out, unit="万元", year=2024, name="dept_2024_wan.pdf")["path"]
    warned = []
    comp = run_compare([y2023, y2024], str(tmp_path / "c.xlsx"), warn=warned.append)
    basic = comp.total("基本支出")
    assert basic.values["金额"] == [D("297.891234"), D("297.89")]
    ch = basic.change(1)
    assert abs(ch.amount) < D("0.01") and ch.rate == D("0.00")  # was -99.99 % (1,111,011 % the other way)
    social = comp.table("T03").item(code="208")
    assert social.values["合计"] == [D("39.501234"), D("39.50")]
    assert comp.units == {y2023: "元"}
    assert any("元" in w and "万元" in w and "dept_2023_yuan.pdf" in w for w in warned)
    wb = load_workbook(tmp_path / "c.xlsx")
    files = [[c.value for c in r] for r in wb["文件"].iter_rows()]
    assert files[0][6].startswith("表中单位")
    assert {r[5]: r[6] for r in files[1:3]} == {y2023: "元", y2024: "万元"}
    assert "万元" in wb["总览"]["A1"].value


def test_compare_leaves_the_documents_it_was_given_unchanged(out):
    doc = import_pdf(ru.render_budget(out, unit="元", name="yuan_keep.pdf")["path"])
    compare([doc, doc])
    assert doc.tables[0].rows[0].cells[3].value == D("2978912.34") and doc.tables[0].unit == "元"


# ----------------------------------------------------------------- two files for one year

def test_two_files_with_the_tables_of_one_year_are_two_columns_and_a_warning(out, tmp_path, capsys):
    """A corrected re-publication next to the first one: never mixed row by row. Each file is its
    own column labelled by its file name; stderr and the 文件 sheet say so and which one a later
    year is compared with."""
    from openpyxl import load_workbook

    from xlbudget.cli import main

    first = ru.render_budget(out, unit="万元", year=2024, name="示例局2024预算.pdf")["path"]
    fixed = ru.render_budget(out, unit="元", year=2024, name="示例局2024预算（更正）.pdf")["path"]
    before = ru.render_budget(out, unit="万元", year=2023, name="示例局2023预算.pdf")["path"]
    cmp = tmp_path / "c.xlsx"
    assert main(["compare", before, first, fixed, "-o", str(cmp)]) == 0
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if "not merged" in ln)
    assert line.startswith("warning: ") and "示例局2024预算.pdf" in line and "示例局2024预算（更正）.pdf" in line
    comp = compare([import_pdf(p) for p in (before, first, fixed)])
    assert [p.label for p in comp.periods] == ["2023年预算", "2024年预算（示例局2024预算.pdf）",
                                               "2024年预算（示例局2024预算（更正）.pdf）"]
    assert [p.sources for p in comp.periods] == [[before], [first], [fixed]]
    assert comp.total("基本支出").values["金额"] == [D("297.89"), D("297.89"), D("297.891234")]
    assert comp.bases == [None, 0, 0]
    wb = load_workbook(cmp)
    notes = [r[0].value for r in wb["文件"].iter_rows() if r[0].value and "not merged" in str(r[0].value)]
    assert len(notes) == 1
    later = import_pdf(ru.render_budget(out, unit="万元", year=2025, name="示例局2025预算.pdf")["path"])
    comp = compare([import_pdf(p) for p in (first, fixed)] + [later])
    assert comp.bases[2] == 1 and comp.periods[1].sources == [fixed]  # 2025 against the file given last


def test_a_narrative_pdf_and_a_tables_pdf_of_one_year_stay_one_period(out):
    tables = import_pdf(ru.render_budget(out, unit="万元", year=2024, name="tables_only.pdf", lines=[])["path"])
    text = import_pdf(ru.render_budget(out, unit="万元", year=2024, name="text_only.pdf")["path"])
    text.tables = []  # a narrative-only PDF
    comp = compare([tables, text])
    assert len(comp.periods) == 1 and comp.periods[0].label == "2024年预算"
    assert not any("not merged" in w for w in comp.warnings)


def test_counts_are_not_rescaled_with_the_money():
    # 公开10表 of a 决算 printed in 元: 机关运行经费 is money, 车辆数 are vehicles
    from xlbudget.compare.core import in_common_unit
    from xlbudget.model import Cell, Document, Row, Table

    rows = [Row(cells=[Cell("机关运行经费"), Cell("1", D("1")), Cell("302900.00", D("302900.00"))],
                name="机关运行经费"),
            Row(cells=[Cell("(一) 车辆数合计(辆)"), Cell("7", D("7")), Cell("5", D("5"))], name="(一) 车辆数合计(辆)")]
    t = Table(kind="f10", title="部门决算公开相关信息统计表", header=[["项目", "行次", "统计数"]], rows=rows,
              columns=["项目", "行次", "统计数"], unit="元")
    doc, printed = in_common_unit(Document("某局", 2024, "决算", "元", "x.pdf", tables=[t]))
    money, vehicles = doc.tables[0].rows
    assert printed == "元" and money.cells[2].value == D("30.29") and vehicles.cells[2].value == D("5")
