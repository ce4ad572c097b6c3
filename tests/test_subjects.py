"""The subject locator on real documents: every value below is typed from the PDF (page given)."""
from decimal import Decimal as D

import pytest

from conftest import REAL, SHANGHAI, imported, need
from xlbudget import catalogue, subjects
from xlbudget.model import CellRef, Document


def guihua():
    return imported(need(SHANGHAI / "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"))


def procuratorate_2019():
    return imported(need(REAL / "江苏省人民检察院" / "2019年度部门预算公开.pdf"))


@pytest.mark.parametrize("subject,value,kind,page", [
    ("收入总计", "9859.38", "f01", 7),  # 公开01表 总计, left half
    ("支出总计", "9859.38", "f01", 7),
    ("基本支出", "5377.64", "f03", 10),  # 支出决算表 合计 row
    ("项目支出", "4381.74", "f03", 10),
    ("三公经费", "0.39", "f09", 17),  # 决算数, not the 预算数 2.85 printed before it
    ("人员经费", "4884.09", "f06", 16),  # "人员经费合计 4884.09"
    ("公用经费", "480.66", "f06", 16),
    ("城乡社区支出", "3845.24", "f03", 11),  # the 212 类 row of the 支出决算表
])
def test_locate_in_a_final_account(subject, value, kind, page):
    got = subjects.locate(guihua(), subject)
    assert got is not None
    assert (got.value, got.unit, got.kind, got.page) == (D(value), "万元", kind, page)
    assert got.cell.table == kind and got.cell.page == page


@pytest.mark.parametrize("subject,value,kind,page", [
    ("收入总计", "24169.74", "b01", 14),  # also the 收入合计 of 收支预算总表.csv (2019)
    ("基本支出", "15844.04", "b03", 15),  # 公开03表: 合计 24169.74 = 15844.04 + 4335.30 + 3990.4
    ("项目支出", "4335.30", "b03", 15),
    ("三公经费", "418.26", "b10", 20),  # the 三公 小计, not the 1276.7 合计 with 会议费 and 培训费
    ("公务接待费", "101.26", "b10", 20),
    ("机关运行经费", "2391.92", "b11", 21),  # 公开11表 合计 2,391.92
    ("住房保障支出", "5686.35", "b01", 14),
])
def test_locate_in_a_budget(subject, value, kind, page):
    got = subjects.locate(procuratorate_2019(), subject)
    assert got is not None and (got.value, got.kind, got.page) == (D(value), kind, page)


def test_a_subject_the_document_does_not_print_is_not_found():
    assert subjects.locate(guihua(), "机关运行经费") is None  # no 公开10表 in this 决算
    assert subjects.locate(Document(None, None, "预算", None, "empty.pdf"), "收入总计") is None


def test_main_totals_and_where_a_reader_finds_them():
    doc = guihua()
    tots = subjects.main_totals(doc)
    assert list(tots) == ["收入总计", "支出总计", "基本支出", "项目支出", "三公经费"]
    assert tots["基本支出"].where(doc) == "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf 支出决算表 第10页"


def test_quotable_figures_of_a_subject_include_every_table_a_narrative_may_quote():
    q = subjects.quotable(guihua())
    # the narrative's 基本支出 may be the 支出决算表 figure (all funds) or the 一般公共预算 one (p15:
    # 5364.75 = 人员经费 4884.09 + 公用经费 480.66)
    assert {(x.value, x.kind) for x in q["基本支出"]} == {(D("5377.64"), "f03"), (D("5364.75"), "f05")}
    assert {x.value for x in q["一般公共预算:基本支出"]} == {D("5364.75")}
    # a share of 基本支出 is computed against the 合计 of its own table
    f03 = next(x for x in q["基本支出"] if x.kind == "f03")
    assert f03.total == CellRef("f03", f03.cell.row, 2, 10)
    assert {x.value for x in q["人员经费"]} == {D("4884.09")}
    assert D("289.59") in {x.value for x in q["科目:住房公积金"]}  # 2210201 住房公积金, p11 and p15


def test_quotable_sangong_is_the_sangong_subtotal_not_the_table_total():
    # 公开09表 prints 合计 1276.7 = 三公 418.26 + 会议费 158.44 + 培训费 700: "三公经费" is the 418.26
    q = subjects.quotable(procuratorate_2019())
    assert {x.value for x in q["三公经费"]} == {D("418.26")}
    assert {x.value for x in q["公务接待费"]} == {D("101.26")}


def test_lookup_order_is_the_catalogue_order():
    # the locator asks the catalogue which tables answer a subject, in order
    assert catalogue.lookup_kinds("三公经费") == ["b10", "f09"]
    assert catalogue.lookup_kinds("科目") == ["b05", "f05", "b05a", "b03", "f03"]
    assert not catalogue.searched_by_fallback("b05") and catalogue.searched_by_fallback("b14")
