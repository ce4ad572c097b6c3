"""Real Shanghai 2024 决算 disclosures and the national blank 决算 template."""
from decimal import Decimal as D

import pytest

from conftest import SHANGHAI, imported, need
from xlbudget.checks import rules

GUIHUA = "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
SHEGONG = "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
TEMPLATE = "附件2：部门决算模板.pdf"
STANDARD = ["f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09"]


def doc_of(name):
    return imported(need(SHANGHAI / name))


@pytest.mark.slow
@pytest.mark.parametrize("name,department", [(GUIHUA, "上海市普陀区规划和自然资源局"),
                                             (SHEGONG, "中共上海市普陀区委社会工作部")])
def test_real_final_accounts_import(name, department):
    doc = doc_of(name)
    assert (doc.kind, doc.year, doc.unit, doc.department) == ("决算", 2024, "万元", department)
    assert all(doc.table(k) is not None for k in STANDARD)
    ctx, checks, findings = rules.run(doc)
    assert len(checks) >= 100, "codes, levels and totals are read, so the TREE/SPLIT/TIE checks run"
    assert [f.message for f in findings if f.severity == "error"] == []
    assert [f.message for f in findings if f.kind == "extraction"] == []


@pytest.mark.slow
def test_guihua_expense_table_values_as_printed():
    # 公开03表 支出决算表, page 10: 合计 9759.38 = 基本支出 5377.64 + 项目支出 4381.74
    t = doc_of(GUIHUA).table("f03")
    total = next(r for r in t.rows if r.is_total)
    assert [c.value for c in total.cells if c.value is not None] == [D("9759.38"), D("5377.64"), D("4381.74")]
    row = t.find_row(code="2080505")
    assert (row.level, row.name, row.page) == (3, "机关事业单位基本养老保险缴费支出", 10)
    assert [c.value for c in row.cells if c.value is not None] == [D("446.11"), D("446.11"), D("0.00")]


@pytest.mark.slow
def test_guihua_narrative_misquotes_are_found():
    # the documented real errors: the narrative quotes 基本支出 5377.64 and 人员经费 4896.98 for the
    # 一般公共预算财政拨款 tables, which give 5364.75 and 4884.09
    findings = rules.check(doc_of(GUIHUA))
    narr = sorted((f.actual, f.expected) for f in findings if f.id == "NARR.amount")
    assert narr == [(D("4896.98"), D("4884.09")), (D("5377.64"), D("5364.75"))]


@pytest.mark.slow
def test_truncated_execution_rate_is_not_an_error():
    # "年初预算为10210.34万元，支出决算为9746.50万元，完成年初预算的95.45%": 95.457…% printed truncated
    doc = doc_of(GUIHUA)
    claim = next(c for c in doc.claims if c.budget == D("10210.34"))
    assert (claim.amount, claim.execution_rate) == (D("9746.50"), D("95.45"))
    assert not [f for f in rules.check(doc) if f.id == "NARR.exec"]
    old = claim.execution_rate
    try:
        for wrong in (D("95.44"), D("95.47")):  # more than truncation below, more than rounding above
            claim.execution_rate = wrong
            assert [f.actual for f in rules.check(doc) if f.id == "NARR.exec"] == [wrong]
    finally:
        claim.execution_rate = old


@pytest.mark.slow
def test_blank_template_reads_as_empty_tables():
    doc = doc_of(TEMPLATE)
    assert doc.kind == "决算" and all(doc.table(k) is not None for k in STANDARD)
    f01 = doc.table("f01")
    # the header band is 收入/支出 and 项目/决算数; the items are body rows even without amounts
    assert f01.rows[0].cells[0].text == "一、一般公共预算财政拨款收入"
    assert not any(c.value is not None for t in doc.tables for r in t.rows for c in r.cells)
    _, _, findings = rules.run(doc)
    assert [f.message for f in findings if f.severity == "error" or f.kind == "extraction"] == []


@pytest.mark.slow
def test_shares_forced_to_add_up_to_100_are_not_errors():
    # 社会工作部: 一般公共服务 86.05% + 社会保障和就业 3.52% + 卫生健康 0.88% + 住房保障 9.55% = 100.00%;
    # 29.42 / 307.82 = 9.5575…%, printed 9.55 (cut, so that the shares add up)
    doc = doc_of(SHEGONG)
    housing = next(c for c in doc.claims if c.subject == "科目:住房保障")
    assert (housing.amount, housing.share) == (D("29.42"), D("9.55"))
    assert not [f for f in rules.check(doc) if f.id.startswith("NARR")]
