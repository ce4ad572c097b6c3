"""Consistency: the year, the unit and the department agree on the cover, in titles, headers and
text. Each rule fires on a real document as published or on an imported document mutated as
stated in the test, and stays silent (no error) on the clean corpus."""
import copy

import pytest

from conftest import REAL, REAL_ALL, SHANGHAI, imported, need
from xlbudget.checks import consistency
from xlbudget.model import Line

SHEGONG = "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
GUIHUA = "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
FAYUAN_2018 = REAL / "江苏省高级人民法院" / "省法院2018年度部门预算公开.pdf"
PDFS = sorted(REAL_ALL.glob("**/*.pdf")) if REAL_ALL.exists() else []


def mutable(path):
    return copy.deepcopy(imported(need(path)))


@pytest.mark.slow
def test_a_title_year_that_is_not_the_documents_is_an_error():
    # mutated: 省法院 2018 prints "一、2018年度江苏省高级人民法院收支预算总表"; make it 2017
    doc = mutable(FAYUAN_2018)
    assert list(consistency.year_agrees(doc)) == []
    b01 = doc.table("b01")
    b01.title = b01.title.replace("2018", "2017")
    found = list(consistency.year_agrees(doc))
    assert [(f.id, f.severity) for f in found] == [("CONSIST.year", "error")]
    assert "写作2017年，本文件是2018年度预算" in found[0].message
    assert found[0].cells[0].table == "b01"


@pytest.mark.slow
def test_a_column_header_year_neither_this_nor_last_year_is_an_error():
    # mutated: a 2018 budget's 三公 table with a column "2016年预算数" (本年 2018, 上年 2017 are fine)
    doc = mutable(FAYUAN_2018)
    b10 = doc.table("b10")
    b10.columns = ["2017年预算数"] + b10.columns[1:]
    assert list(consistency.year_agrees(doc)) == []
    b10.columns = ["2016年预算数"] + b10.columns[1:]
    found = list(consistency.year_agrees(doc))
    assert len(found) == 1 and "列“2016年预算数”" in found[0].message and found[0].cells[0].col == 0


@pytest.mark.slow
def test_a_cover_year_that_is_not_the_documents_is_an_error():
    # mutated: the cover of the 社会工作部 决算 reads "社会工作部 2024 年度"; make it 2023
    doc = mutable(SHANGHAI / SHEGONG)
    doc.lines = [Line(ln.page, ln.text.replace("2024", "2023")) if ln.page == 1 else ln for ln in doc.lines]
    found = list(consistency.year_agrees(doc))
    assert [(f.severity, f.page) for f in found] == [("error", 1)]
    assert "封面" in found[0].message


@pytest.mark.slow
def test_the_assets_date_of_a_final_account_is_the_end_of_its_own_year():
    # mutated: "截至 2024 年 12 月 31 日，…共有车辆 0 辆" (page 22) made 2023 in the 2024 决算;
    # "与 2023 年度相比" elsewhere in the same text is last year and stays fine
    doc = mutable(SHANGHAI / SHEGONG)
    assert list(consistency.text_year_agrees(doc)) == []
    doc.lines = [Line(ln.page, ln.text.replace("截至 2024 年", "截至 2023 年")) for ln in doc.lines]
    found = list(consistency.text_year_agrees(doc))
    assert [(f.id, f.severity, f.page) for f in found] == [("CONSIST.year-text", "warning", 22)]
    assert "截至2023年12月31日" in found[0].message


@pytest.mark.slow
def test_a_real_budget_naming_last_years_scope_is_found():
    # 江苏省人大常委会 2019 budget, page 5: "纳入本部门2018年部门汇总预算编制范围的预算单位" (a 2019 budget)
    doc = imported(need(REAL / "江苏省人大办公厅" / "江苏省人大常委会2019年度部门预算公开.pdf"))
    found = list(consistency.text_year_agrees(doc))
    assert [(f.page, "2018年部门汇总预算" in f.message) for f in found] == [(5, True)]


@pytest.mark.slow
def test_tables_whose_unit_line_says_yuan_while_the_figures_are_wan_are_found():
    # mutated: every table of the 社会工作部 决算 labelled 元; the text's 307.82万元 is then printed
    # 10000 times too small in the tables (307.82 元)
    doc = mutable(SHANGHAI / SHEGONG)
    assert list(consistency.unit_scale(doc)) == []
    for t in doc.tables:
        t.unit = "元"
    found = list(consistency.unit_scale(doc))
    assert found and all(f.id == "CONSIST.unit-scale" and f.severity == "warning" for f in found)
    first = next(f for f in found if "307.82万元" in f.message)
    assert "印为307.82（单位：元）" in first.message and first.cells


@pytest.mark.slow
def test_tables_in_different_units_are_noted():
    # mutated: one table of the 社会工作部 决算 in 元, the others in 万元
    doc = mutable(SHANGHAI / SHEGONG)
    assert list(consistency.unit_mixed(doc)) == []
    doc.table("f06").unit = "元"
    found = list(consistency.unit_mixed(doc))
    assert [(f.id, f.severity) for f in found] == [("CONSIST.unit-mixed", "info")]


@pytest.mark.parametrize("a,b,same", [
    ("省法院", "江苏省高级人民法院", True),
    ("中共江苏省委办公厅", "中国共产党江苏省委员会办公厅", True),
    ("纳入中共上海市普陀区委社会工作部", "中共上海市普陀区委社会工作部", True),
    ("上海市普陀区民政局", "上海市普陀区规划和自然资源局", False),
    ("上海市普陀区规划与自然资源局", "上海市普陀区规划和自然资源局", False),
])
def test_same_unit_allows_the_usual_shortening_only(a, b, same):
    assert consistency.same_unit(a, b) is same


@pytest.mark.slow
def test_a_department_name_that_differs_is_a_warning():
    # real: the 规划和自然资源局 决算 writes "上海市普陀区规划与自然资源局2024年度无政府性基金…" on page 26
    doc = imported(need(SHANGHAI / GUIHUA))
    found = list(consistency.department_agrees(doc))
    assert [(f.id, f.severity, f.page) for f in found] == [("CONSIST.department", "warning", 26)]
    assert "上海市普陀区规划与自然资源局" in found[0].message
    # mutated: a table of the 社会工作部 决算 printed with another department above it
    doc = mutable(SHANGHAI / SHEGONG)
    assert list(consistency.department_agrees(doc)) == []
    doc.table("f03").note = "上海市普陀区民政局"
    found = list(consistency.department_agrees(doc))
    assert len(found) == 1 and found[0].cells[0].table == "f03" and "上海市普陀区民政局" in found[0].message


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_the_real_corpus_has_no_consistency_error(pdf):
    from xlbudget.checks.registry import CONSISTENCY, run_declared

    found = run_declared(imported(pdf), [CONSISTENCY])
    assert [f.message for f in found if f.severity == "error"] == []
    assert [f for f in found if f.id == "CONSIST.unit-scale"] == []


def test_a_rendered_title_with_last_years_year_is_an_error(tmp_path):
    pytest.importorskip("reportlab")
    from fixtures import render_contents as rc
    from xlbudget.read.importer import import_pdf

    clean = import_pdf(str(rc.render_final_account(tmp_path, "clean.pdf")["path"]))
    assert list(consistency.year_agrees(clean)) == [] and list(consistency.text_year_agrees(clean)) == []
    doc = import_pdf(str(rc.render_final_account(tmp_path, "year.pdf", title_years={"收入决算表": 2023})["path"]))
    found = list(consistency.year_agrees(doc))
    assert [(f.severity, f.page, f.cells[0].table) for f in found] == [("error", 4, "f02")]
    assert found[0].message == "表“2023年收入决算表”的标题写作2023年，本文件是2024年度决算（应为2024年）"


@pytest.mark.slow
def test_a_cover_naming_another_department_is_a_warning():
    # mutated: the cover "中共上海市普陀区委" / "社会工作部 2024 年度" / "部门决算" made another unit's
    doc = mutable(SHANGHAI / SHEGONG)
    doc.lines = [Line(1, "上海市普陀区民政局") if (ln.page == 1 and k == 0) else
                 Line(1, "2024 年度") if (ln.page == 1 and k == 1) else ln for k, ln in enumerate(doc.lines)]
    found = list(consistency.department_agrees(doc))
    assert [(f.page, f.message.split("“")[0]) for f in found] == [(1, "封面")]
    assert "“上海市普陀区民政局”" in found[0].message
