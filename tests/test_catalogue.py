"""The catalogue of table kinds: one entry per kind, and everything reads it."""
import re
from dataclasses import replace

import pytest

from xlbudget import catalogue
from xlbudget.catalogue import CATALOGUE, TableKind, entry, kind_from_columns, kind_from_title, required_kinds
from xlbudget.model import BUDGET, FINAL, PERFORMANCE


def test_every_kind_is_one_entry_with_a_unique_sheet_name():
    kinds = [e.kind for e in CATALOGUE]
    assert len(kinds) == len(set(kinds))
    sheets = [e.sheet for e in CATALOGUE]
    assert len(sheets) == len(set(sheets))
    assert all(len(s) <= 31 and not re.search(r"[\[\]:*?/\\]", s) for s in sheets)  # Excel sheet names
    assert {"b01", "b05a", "b06a", "b14", "f01", "f10", "p_overall", "p_target", "p_eval", "p_catalog",
            "other"} <= set(kinds)


def test_entries_are_consistent():
    for e in CATALOGUE:
        for pat in e.titles:
            re.compile(pat)
        assert e.kind == "other" or e.doc_kind in (BUDGET, FINAL, PERFORMANCE)
        assert e.kind[0] == {BUDGET: "b", FINAL: "f", PERFORMANCE: "p", None: "o"}[e.doc_kind]
        for alt in e.alternatives:
            assert entry(alt).doc_kind == e.doc_kind and entry(alt).kind == alt
        assert not e.required_for or e.required_for == (e.doc_kind,)
        if e.family in catalogue.FAMILY_NAMES:  # a shared family: one budget and one final kind
            members = [x for x in CATALOGUE if x.family == e.family]
            assert sorted(x.doc_kind for x in members) == sorted([BUDGET, FINAL])
        assert (catalogue.family_key(e.kind) is None) == e.kind.startswith("p_")
    ranks = [e.title_rank for e in CATALOGUE if e.titles]
    assert len(ranks) == len(set(ranks))  # the title order is total


def test_each_standard_title_is_recognised_as_its_own_kind():
    for e in CATALOGUE:
        if e.kind != "other":
            assert kind_from_title("某某部门2024年" + e.standard_title) == e.kind, e.standard_title


@pytest.mark.parametrize("title,kind", [
    ("2024年财政拨款收支总表", "b04"),
    ("2024年预算收支总表", "b01"),
    ("一般公共预算财政拨款基本支出决算明细表", "f06"),
    ("财政拨款“三公”经费支出决算表", "f09"),
    ("2024年财政拨款安排“三公”经费支出预算表", "b10"),
    ("2024年政府性基金预算收入表（不含上年结转）", "b07"),
    ("2024年项目支出预算表（上年结转）", "b13"),
    ("市级预算部门（单位）整体支出绩效目标申报表", "p_overall"),
    ("XM遗属慰问费项目支出绩效自评表", "p_eval"),
])
def test_titles_of_the_corpus(title, kind):
    assert kind_from_title(title) == kind


def test_columns_recognise_a_table_without_title():
    assert kind_from_columns("项目/因公出国（境）费/公务接待费") == "b10"
    assert kind_from_columns("经济分类/人员经费/公用经费") == "f06"
    assert kind_from_columns("一级指标/二级指标/指标值/得分") == "p_eval"
    assert kind_from_columns("科目编码/科目名称/合计") is None


def test_required_tables_of_a_budget_and_a_final_account():
    # the 8 tables of 财预〔2016〕143号; 政府性基金收入 and 国有资本经营 join them in the 10-table set
    assert required_kinds(BUDGET, 2018) == ["b01", "b02", "b03", "b04", "b05", "b06", "b08", "b10"]
    assert set(required_kinds(BUDGET, 2024)) == {"b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08",
                                                 "b09", "b10"}
    assert required_kinds(BUDGET) == required_kinds(BUDGET, 2024)
    # the national 决算 template (附件2) prints 公开01–09; 10 (相关信息统计表) is optional
    assert sorted(required_kinds(FINAL)) == ["f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09"]
    assert required_kinds(PERFORMANCE) == []
    assert entry("b05").alternatives == ("b05a",)
    # a budget may print 财政拨款支出表 (b05a) and its 基本支出 table (b06a) in place of the 一般公共预算 ones
    budget = ["b01", "b02", "b03", "b04", "b05a", "b06a", "b08", "b10", "b11", "b14"]
    assert catalogue.missing_required(BUDGET, budget, 2019) == []
    assert catalogue.missing_required(BUDGET, [k for k in budget if k != "b10"], 2019) == ["b10"]
    assert catalogue.missing_required(BUDGET, budget, 2024) == ["b07", "b09"]
    assert entry("nonsense").kind == "other"


def test_lookup_subjects_come_from_the_entries():
    assert catalogue.lookup_kinds("收入总计") == ["b01", "f01", "b02", "f02"]
    assert catalogue.lookup_kinds("基本支出") == ["b03", "f03", "b01", "f01"]
    assert catalogue.lookup_kinds("一般公共预算") == ["b05", "f05", "b01", "f01", "b04", "f04"]
    assert catalogue.lookup_kinds("公用经费") == ["b06", "f06", "b06a", "b11"]
    assert catalogue.lookup_kinds("某个没有登记的科目") == ["b03", "f03", "b01", "f01"]


def test_a_new_alias_is_one_entry(monkeypatch):
    """Add a fake kind (one entry): the title, the columns, the sheet name, the compare family and the
    subject lookups all pick it up."""
    fake = TableKind("b15", "单位资金支出表", BUDGET, (r"单位资金.*支出",), 5,
                     ((r"单位资金", r"专户"),), 5, ("科目编码", "科目名称", "金额"),
                     family="T03", subjects={"单位资金": 1}, required_for=(BUDGET,))
    alias = replace(entry("b11"), titles=entry("b11").titles + (r"公用经费保障",))
    cat = tuple(alias if e.kind == "b11" else e for e in CATALOGUE) + (fake,)
    monkeypatch.setattr(catalogue, "CATALOGUE", cat)
    catalogue.reload()
    try:
        assert kind_from_title("2025年单位资金支出预算表") == "b15"
        assert kind_from_title("2025年机关公用经费保障表") == "b11"
        assert kind_from_columns("科目/单位资金/专户") == "b15"
        assert catalogue.sheet_name("b15") == "单位资金支出表"
        assert catalogue.family_key("b15") == "T03"
        assert catalogue.lookup_kinds("单位资金") == ["b15"]
        assert "b15" in required_kinds(BUDGET)
        from xlbudget.compare.core import table_key
        from xlbudget.model import Table
        assert table_key(Table(kind="b15", title="单位资金支出表", header=[], rows=[])) == "T03"
    finally:
        monkeypatch.undo()
        catalogue.reload()
    assert kind_from_title("2025年单位资金支出预算表") != "b15"


def test_compare_families_in_display_order():
    # a budget kind and its 决算 counterpart share a sheet; the order is the catalogue's
    assert catalogue.family_order() == ["T01", "T02", "T03", "T04", "T05", "b05a", "T06", "b06a", "b07", "b08",
                                        "b09", "f07", "f08", "T10", "b11", "b12", "b13", "b14", "f10"]
    assert catalogue.family_key("f09") == catalogue.family_key("b10") == "T10"
    assert catalogue.family_key("p_eval") is None


@pytest.mark.slow
def test_expected_columns_are_those_of_the_national_final_account_template():
    from conftest import SHANGHAI, imported, need

    doc = imported(need(SHANGHAI / "附件2：部门决算模板.pdf"))
    seen = set()
    for t in doc.tables:
        if t.kind in ("f01", "f02", "f03", "f04", "f05", "f06"):
            expected = entry(t.kind).expected_columns
            assert len(t.columns) == len(expected), (t.kind, t.columns)
            for col, want in zip(t.columns, expected):
                assert col == want or col.endswith("/" + want), (t.kind, col, want)
            seen.add(t.kind)
    assert seen == {"f01", "f02", "f03", "f04", "f05", "f06"}
