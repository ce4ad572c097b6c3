"""Wording checks (checks/wording.py): placeholders left in, both template directions printed
together, direction words that disagree with their own figures, amounts stated as zero.

Fixtures are the real documents of the shared corpus, some with one line of their text layer
edited (tests/fixtures/narrative_edits.py): each edit is stated in its test.
"""
import copy
from decimal import Decimal as D

import pytest
from conftest import REAL_ALL, RENDERED, SHANGHAI, imported, need
from fixtures.narrative_edits import edit_text

from xlbudget.checks import rules, wording

GUIHUA = "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
SHEGONG = "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
TEMPLATE = "附件2：部门决算模板.pdf"
PDFS = sorted(REAL_ALL.glob("**/*.pdf")) if REAL_ALL.exists() else []


def guihua():
    return imported(need(SHANGHAI / GUIHUA))


def ids(findings, prefix):
    return [f for f in findings if f.id.startswith(prefix)]


# ---------------------------------------------------------------- placeholders

def test_the_blank_national_template_is_full_of_placeholders():
    doc = imported(need(SHANGHAI / TEMPLATE))
    found = list(wording.placeholders(doc))
    first = found[0]
    assert first.page == 1 and "XX" in first.message and "上海市XX局2024年度部门决算" in first.message
    # the 情况说明 pages keep the template's figures (XXX 万元) and its instructions to the author
    assert any("（如持平作持平表述）" in f.message for f in found)
    assert any(f.cells and f.cells[0].table == "other" for f in found), "上海市 XX 局（本级） in the 单位构成 table"


def test_a_placeholder_put_in_a_table_title_is_found():
    doc = copy.deepcopy(guihua())
    doc.table("f09").title = "上海市XX局财政拨款“三公”经费支出决算表"
    found = [f for f in wording.placeholders(doc) if "标题" in f.message]
    assert len(found) == 1 and found[0].page == 17 and "XX" in found[0].message


def test_a_placeholder_left_in_a_performance_form_cell_is_found():
    # seed 000 (晋中市外事办 2024 预算): a 项目绩效目标表 keeps "培训时间 2024年XX月XX日-XX月XX日"
    doc = imported(need(RENDERED / "pdf_a" / "000_7d1637c2b07940b9.pdf"))
    found = list(wording.placeholders(doc))
    assert len(found) == 1
    assert found[0].cells and all(c.table.startswith("p_target") for c in found[0].cells)
    assert "2024年XX月XX日" in found[0].message


def test_a_placeholder_typed_into_the_narrative_is_found():
    doc = edit_text(guihua(), "接待 2 批次", "接待 XX 批次")
    found = list(wording.placeholders(doc))
    assert [f.page for f in found] == [26]


# ---------------------------------------------------------------- both directions left in

def test_both_template_directions_left_in_a_real_final_account():
    # 规划和自然资源局 p25: "比 2023 年度减少 0.15 万元，下降（增长）27.78%"
    found = list(wording.template_alternatives(guihua()))
    assert [(f.page, "下降（增长）" in f.message) for f in found] == [(25, True)]


def test_both_directions_left_in_seed_004():
    # 新绛县政府办 2024 预算 p12: "比上年增加（减少）59.12万元，下降10%"; p13 the 三公 paragraph, 5 times
    doc = imported(need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf"))
    found = list(wording.template_alternatives(doc))
    assert [f.page for f in found] == [12, 13, 13, 13, 13, 13]
    assert "增加（减少）" in found[0].message and "59.12" in found[0].message


# ---------------------------------------------------------------- direction words and their figures

def test_a_change_and_its_rate_going_opposite_ways():
    # p27 "机关运行经费支出142.80万元，比2023年度减少13.52万元，下降8.65%": 下降 edited to 增长
    doc = edit_text(guihua(), "下降 8.65%", "增长 8.65%")
    found = list(wording.change_directions(doc))
    assert len(found) == 1 and found[0].page == 27
    assert (found[0].expected, found[0].actual) == (D("-13.52"), D("8.65"))
    assert not list(wording.change_directions(guihua()))


def test_a_flipped_comparison_of_final_account_and_budget():
    # p22 "年初预算为452.40万元，支出决算为446.11万元…决算数小于预算数": 小于 edited to 大于
    doc = edit_text(guihua(), "98.61%。决算数小于预算数", "98.61%。决算数大于预算数")
    found = list(wording.budget_comparisons(doc))
    assert len(found) == 1 and found[0].page == 22
    assert (found[0].expected, found[0].actual) == (D("452.40"), D("446.11"))
    assert "大于" in found[0].message


def test_comparisons_of_the_real_final_accounts_hold():
    # 规划 states 15 comparisons (小于 / 同…持平), 社会工作部 10 (小于 / 与全年预算数持平), all true
    for name, n in ((GUIHUA, 15), (SHEGONG, 10)):
        doc = imported(need(SHANGHAI / name))
        assert len([s for s in doc.statements if s.comparison]) == n
        assert not list(wording.budget_comparisons(doc))


def test_a_comparison_reads_the_budget_stated_last():
    # 社会工作部 p18: "年初预算为 0 万元，全年预算为 321.02 万元，支出决算为 307.82 万元 … 决算数小于预算数"
    doc = imported(need(SHANGHAI / SHEGONG))
    first = next(s for s in doc.statements if s.comparison)
    assert (first.budget, first.amount, first.comparison) == (D("321.02"), D("307.82"), "小于")


# ---------------------------------------------------------------- amounts stated as zero

def test_an_amount_stated_as_zero_is_checked_not_skipped():
    # 社会工作部 p20 "其中：人员经费 95.36 万元" (公开06表 p13: 人员经费合计 95.36): the figure edited to 0
    doc = edit_text(imported(need(SHANGHAI / SHEGONG)), "95.36 万元，主要包括", "0 万元，主要包括")
    assert any(c.subject == "人员经费" and c.amount == 0 for c in doc.claims)
    ctx = rules.Context(doc)
    assert not [f for f in rules.narrative_findings(ctx) if "人员经费" in f.message], "NARR passes zeros over"
    found = list(wording.zero_amounts(doc))
    assert len(found) == 1 and found[0].page == 20
    assert (found[0].expected, found[0].actual) == (D("95.36"), D("0"))
    assert found[0].cells and found[0].cells[0].table == "f06"


# ---------------------------------------------------------------- the clean corpus

# real documents whose wording the checks fault, and why (typed from the PDFs)
REAL_WORDING = {
    GUIHUA: ["WORDING.template-alternative"],  # p25 下降（增长）27.78%
    TEMPLATE: None,  # the blank template: placeholders everywhere
    # "与上年相比增加（减少）0万元，增长（减少）0%": 12 pairs on pp. 9, 10, 16; 13 on pp. 19, 20, 28, 29
    "江苏省人大常委会2019年度部门预算公开.pdf": ["WORDING.template-alternative"] * 12,
    "省人大办公厅2018预算公开.pdf": ["WORDING.template-alternative"] * 13,
}


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_real_pdfs_have_no_other_wording_findings(pdf):
    doc = imported(pdf)
    found = [f.id for f in wording.placeholders(doc)] + [f.id for f in wording.template_alternatives(doc)] \
        + [f.id for f in wording.change_directions(doc)] + [f.id for f in wording.budget_comparisons(doc)] \
        + [f.id for f in wording.zero_amounts(doc)]
    expected = REAL_WORDING.get(pdf.name, [])
    if expected is None:
        assert found and set(found) == {"WORDING.placeholder", "WORDING.template-alternative"}
    else:
        assert found == expected
    assert all(f.severity != "error" for f in rules.run(doc)[2] if f.id.startswith(("WORDING", "NARR.")))
