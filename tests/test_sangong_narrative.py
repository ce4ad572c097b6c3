"""The narrative's 三公 figures against the 三公 table (checks/sangong.py).

规划和自然资源局 2024 决算, p25–26: "“三公”经费财政拨款支出年初预算为 2.85 万元，支出决算为 0.39
万元，完成预算的 13.68%，其中：因公出国（境）费决算为 0.00 万元…公务接待费支出决算为 0.39 万元，
完成预算的 13.68%。2024 年度“三公”经费支出决算数小于预算数…公务接待费支出决算 0.39 万元，占
100.00%…列明公务接待 2 批次、26 人次"; its 公开07 三公 table (p17) prints 预算数 2.85 / 决算数 0.39
(合计 and 公务接待费), 0.00 elsewhere. Fixtures edit one line of that text layer, one cell or one
row of a real table (tests/fixtures/narrative_edits.py); each edit is stated in its test.
"""
from decimal import Decimal as D

import pytest
from conftest import REAL_ALL, RENDERED, SHANGHAI, imported, need
from fixtures.narrative_edits import drop_row, edit_cell, edit_text

from xlbudget.checks import rules, sangong, wording
from xlbudget.checks.sangong import (
    ABROAD,
    ACTUAL,
    BUDGET,
    CAR_PURCHASE,
    CAR_RUNNING,
    CARS,
    RECEPTION,
    TOTAL,
)

GUIHUA = "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
SHEGONG = "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
PDFS = sorted(REAL_ALL.glob("**/*.pdf")) if REAL_ALL.exists() else []
SEED = RENDERED / "pdf_a"


def guihua():
    return imported(need(SHANGHAI / GUIHUA))


def found(doc, rule_id):
    return [f for f in rules.run(doc)[2] if f.id == rule_id]


# ---------------------------------------------------------------- reading the 三公 table

def test_the_final_account_sangong_table_is_read_by_item_and_phase():
    st = sangong.locate(guihua())
    assert st.key == "f09" and st.page == 17
    assert (st.value(TOTAL, BUDGET), st.value(TOTAL, ACTUAL)) == (D("2.85"), D("0.39"))
    assert (st.value(RECEPTION, BUDGET), st.value(RECEPTION, ACTUAL)) == (D("2.85"), D("0.39"))
    assert st.value(ABROAD, ACTUAL) == st.value(CARS, ACTUAL) == st.value(CAR_RUNNING, BUDGET) == D("0.00")


def test_a_final_account_sangong_table_with_budget_and_actual_groups():
    # seed 001 (大同市外事办 2023 决算) 公开09表: 预算数 | 决算数 groups, 栏次 row 1…12, blank cells
    st = sangong.locate(imported(need(SEED / "001_511f49588f3df717.pdf")))
    assert (st.value(TOTAL, BUDGET), st.value(ABROAD, ACTUAL), st.value(RECEPTION, ACTUAL)) == \
        (D("18.83"), D("15.79"), D("3.04"))
    assert st.value(CAR_PURCHASE, ACTUAL) == 0, "a blank cell of a printed row is 0"


def test_budget_sangong_tables_tall_and_wide():
    # seed 000 (晋中市外事办 2024 预算) 表十: one row per item; 公务接待费 2.00, 合计 2.00
    tall = sangong.locate(imported(need(SEED / "000_7d1637c2b07940b9.pdf")))
    assert (tall.value(RECEPTION, BUDGET), tall.value(TOTAL, BUDGET), tall.value(ABROAD, BUDGET)) == \
        (D("2.00"), D("2.00"), D("0"))
    # 江苏省检察院 2017: "三公"经费、会议费、培训费 in one row; the 三公 total is its 小计, not the 合计
    wide = sangong.locate(imported(need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2017年省检察院部门预算.pdf")))
    assert (wide.value(TOTAL, BUDGET), wide.value(ABROAD, BUDGET), wide.value(CAR_PURCHASE, BUDGET),
            wide.value(CAR_RUNNING, BUDGET), wide.value(RECEPTION, BUDGET)) == \
        (D("584.35"), D("110.00"), D("50.00"), D("267.80"), D("156.55"))


def test_an_empty_sangong_table_reads_as_zero():
    # 社会工作部 p14: "本年度没有财政拨款“三公”经费支出，故本表无数据"
    st = sangong.locate(imported(need(SHANGHAI / SHEGONG)))
    assert st.table.empty and st.value(TOTAL, ACTUAL) == 0


# ---------------------------------------------------------------- amounts

def test_a_misquoted_sangong_amount_of_a_final_account():
    # p25 "公务接待费支出决算为 0.39 万元" edited to 0.93
    doc = edit_text(guihua(), "出决算为 0.39 万元，完成预算的 13.68%。", "出决算为 0.93 万元，完成预算的 13.68%。")
    hits = found(doc, "SANGONG.narrative-amount")
    assert [(f.page, f.expected, f.actual) for f in hits] == [(25, D("0.39"), D("0.93"))]
    assert [(c.table, c.row, c.col) for c in hits[0].cells] == [("f09", 0, 11)]


def test_an_amount_stated_as_zero_is_checked_against_the_table():
    # the table's 因公出国（境）费 决算数 edited from 0.00 to 1.20 (合计 left): the text's "决算为 0.00 万元" is wrong
    doc = edit_cell(guihua(), "f09", 0, 3, "1.20")
    hits = found(doc, "SANGONG.narrative-amount")
    assert hits and all(f.actual == D("0.00") and f.expected == D("1.20") for f in hits)
    assert "因公出国（境）费决算数" in hits[0].message


def test_a_deleted_sangong_row_whose_amount_the_text_quotes():
    # seed 000 表十 without its 公务接待费 row; the narrative still says "公务接待费2.00万元"
    doc = drop_row(imported(need(SEED / "000_7d1637c2b07940b9.pdf")), "b10", "公务接待费")
    hits = found(doc, "SANGONG.narrative-unbacked")
    assert len(hits) == 1 and "公务接待费 2.00万元" in hits[0].message
    assert not [f for f in found(doc, "NARR.amount") if "公务接待" in f.message], "NARR.amount has no cell to compare with"
    assert not found(imported(need(SEED / "000_7d1637c2b07940b9.pdf")), "SANGONG.narrative-unbacked")


# ---------------------------------------------------------------- shares, 执行率, comparison

def test_a_wrong_share_of_a_sangong_item():
    # p25 "公务接待费支出决算 0.39 万元，占 100.00%": the share edited to 90.00%
    doc = edit_text(guihua(), "100.00%。具体情况如下", "90.00%。具体情况如下")
    hits = found(doc, "SANGONG.narrative-share")
    assert [(f.page, f.expected, f.actual) for f in hits] == [(25, D("100.00"), D("90.00"))]


def test_shares_of_the_three_items_said_of_sangong_but_computed_on_the_grand_total():
    # 江苏省人大办公厅 2017 预算 p28: "因公出国（境）费支出 222.5 万元，占“三公”经费的 8.75%" — its table
    # (p11) gives “三公”经费小计 833.60 (222.50 = 26.69%); 8.75% is 222.50 / 2542.60, the 合计 with 会议费、培训费
    doc = imported(need(REAL_ALL / "jiangsu" / "江苏省人大办公厅" / "江苏省人大办公厅2017年度预算公开.pdf"))
    hits = found(doc, "SANGONG.narrative-share")
    assert [(f.actual, f.expected) for f in hits] == [(D("8.75"), D("26.69")), (D("7.22"), D("22.02")),
                                                      (D("16.81"), D("51.28"))]


def test_a_wrong_execution_rate_of_a_sangong_item():
    # p25 "公务接待费支出决算为 0.39 万元，完成预算的 13.68%" edited to 31.68% (0.39 / 2.85 = 13.68%)
    doc = edit_text(guihua(), "出决算为 0.39 万元，完成预算的 13.68%。", "出决算为 0.39 万元，完成预算的 31.68%。")
    hits = found(doc, "SANGONG.narrative-rate")
    assert [(f.page, f.expected, f.actual) for f in hits] == [(25, D("13.68"), D("31.68"))]


def test_a_flipped_sangong_comparison():
    # p25 "2024 年度“三公”经费支出决算数小于预算数" edited to 大于: the paragraph's own figures
    # (预算 2.85, 决算 0.39) and the 三公 table's 合计 both say less
    doc = edit_text(guihua(), "费支出决算数小于预算数", "费支出决算数大于预算数")
    assert len(found(doc, "SANGONG.narrative-comparison")) == 1
    own = list(wording.budget_comparisons(doc))
    assert [(f.expected, f.actual) for f in own] == [(D("2.85"), D("0.39"))]


# ---------------------------------------------------------------- counts

def test_counts_read_from_the_sangong_paragraph():
    doc = guihua()
    counts = [(s.subject, s.count, s.count_unit) for s in doc.statements if s.count is not None and s.page == 26]
    assert counts[:5] == [(ABROAD, 0, "个"), (ABROAD, 0, "人次"), ("公务用车", 0, "辆"), (RECEPTION, 2, "批次"),
                          (RECEPTION, 26, "人次")]


def test_no_visits_counted_for_money_spent_on_receptions():
    # p26 "列明公务接待 2 批次、26 人次" edited to 0 批次、0 人次 while 公务接待费 决算 0.39
    doc = edit_text(guihua(), "接待 2 批次、26 人次", "接待 0 批次、0 人次")
    hits = found(doc, "SANGONG.count-zero")
    assert sorted(f.message.split("涉及 0 ")[1][:2] for f in hits) == ["人次", "批次"]
    assert all(f.expected == D("0.39") for f in hits)


def test_vehicles_by_kind_do_not_add_up_in_seed_004():
    # 新绛县政府办 2024 预算 p23: "共有公务用车编制 0 辆,实有 0 辆,其中:…事业单位其他公务用车 1 辆"
    hits = found(imported(need(SEED / "004_d644b8a86bb20fe5.pdf")), "SANGONG.vehicle-sum")
    assert [(f.expected, f.actual) for f in hits] == [(D(1), D(0))]
    # seed 003: "实有6辆，其中：领导用车1辆，机要通信用车1辆，应急保障用车1辆，…事业单位业务用车1辆，其他公务用车2辆"
    assert not found(imported(need(SEED / "003_333e51848c84ec7d.pdf")), "SANGONG.vehicle-sum")


# ---------------------------------------------------------------- the clean corpus

# real documents the 三公 checks fault (typed from the PDFs)
REAL_SANGONG = {
    "江苏省人大办公厅2017年度预算公开.pdf": ["SANGONG.narrative-share"] * 3,  # shares of the 合计, see above
    # p22 "占“三公”经费的 18.85 %…54.43%…26.72%": 110 / 584.35 = 18.82%, 317.8 / 584.35 = 54.39%, 156.55 → 26.79%
    "2017年省检察院部门预算.pdf": ["SANGONG.narrative-share"] * 3,
}


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_real_pdfs_have_no_other_sangong_findings(pdf):
    findings = rules.run(imported(pdf))[2]
    assert [f.id for f in findings if f.id.startswith("SANGONG.")] == REAL_SANGONG.get(pdf.name, [])
    assert not [f for f in findings if f.id.startswith("SANGONG.") and f.severity == "error"]


def test_the_cars_of_the_narrative_against_the_statistics_table():
    # seed 001 (大同市外事办 2023 决算): "共有车辆0辆" (p17); 公开10表 "(一) 车辆数合计(辆)" 行次 7, 统计数 blank
    doc = imported(need(SEED / "001_511f49588f3df717.pdf"))
    assert not found(doc, "SANGONG.vehicle-table")
    row = next(i for i, r in enumerate(doc.table("f10").rows) if "车辆数合计" in r.cells[0].text)
    edited = edit_cell(doc, "f10", row, 2, "3")  # the 统计数 edited to 3 cars
    hits = found(edited, "SANGONG.vehicle-table")
    assert [(f.expected, f.actual) for f in hits] == [(D(3), D(0))]
    assert hits[0].cells[0].col == 2, "the 统计数 column, not the 行次 7"
