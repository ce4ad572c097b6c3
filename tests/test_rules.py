"""The rule engine on the rendered seeds: real errors found, rounding not flagged."""
from decimal import Decimal as D

from conftest import RENDERED, imported, need
from xlbudget.checks import rules


def seed(name):
    return imported(need(RENDERED / "pdf_a" / f"{name}.pdf"))


def errors(doc):
    return [f for f in rules.check(doc) if f.severity == "error"]


def test_seed004_blank_basic_expenditure_of_20103_is_found():
    doc = seed("004_d644b8a86bb20fe5")
    errs = errors(doc)
    split = [f for f in errs if f.id == "SPLIT.total-columns" and f.message.startswith("20103")]
    assert split, "20103 合计 495.55 ≠ 基本支出(空) + 项目支出 139.75"
    f = split[0]
    assert f.actual == D("495.55") and f.expected == D("139.75")
    b03 = doc.table("b03")
    cells = {(c.row, c.col) for c in f.cells}
    r = next(i for i, row in enumerate(b03.rows) if row.code == "20103")
    assert (r, 2) in cells and (r, 3) in cells and f.cells[0].page == 5


def test_seed004_swapped_medical_rows_are_found():
    errs = errors(seed("004_d644b8a86bb20fe5"))
    ties = {f.message.split(":")[0]: f for f in errs if f.id == "TIE.income-expense"}
    assert "2101101" in ties and "2101102" in ties
    assert ties["2101101"].actual == D("9.14") and ties["2101101"].expected == D("10.96")


def test_seed003_rounding_differences_are_not_flagged():
    doc = seed("003_333e51848c84ec7d")
    ctx, checks, findings = rules.run(doc)
    assert len(checks) > 200
    assert not [f for f in findings if f.severity == "error"]
    # the 5670.31 vs 5660.05 + 10.27 identity is checked and passes within tolerance
    c = [c for c in checks if c.total_value == D("5670.31") and c.sum_value == D("5670.32")]
    assert c and all(x.ok for x in c)


def test_clean_seeds_have_no_errors():
    for name in ("000_7d1637c2b07940b9", "001_511f49588f3df717"):
        assert errors(seed(name)) == []


def test_narrative_claims_checked_against_tables():
    doc = seed("000_7d1637c2b07940b9")
    ctx, checks, findings = rules.run(doc)
    assert not [f for f in findings if f.id.startswith("NARR")]
    targets = rules.claim_targets(ctx)
    assert D("297.89") in {ctx.value(ref) for ref, _ in targets["基本支出"]}
    assert D("47.36") in {ctx.value(ref) for ref, _ in targets["社会保障和就业支出"]}
    assert {ctx.value(ref) for ref, _ in targets["公务接待费"]} == {D("2.00")}
    # break the table values the claim can refer to (支出总表 and 一般公共预算支出表): now it disagrees
    cells = [ctx.table_by_key(ref.table).rows[ref.row].cells[ref.col] for ref, _ in targets["基本支出"]]
    for c in cells:
        c.value = D("290.00")
    try:
        narr = [f for f in rules.check(doc) if f.id == "NARR.amount" and "基本支出" in f.message]
        assert narr and narr[0].actual == D("297.89") and narr[0].expected == D("290.00")
        assert {c.page for c in narr[0].cells} == {7, 9}
    finally:
        for c in cells:
            c.value = D("297.89")


def test_narrative_rate_inconsistency_seed004():
    f = [f for f in rules.check(seed("004_d644b8a86bb20fe5")) if f.id == "NARR.rate"]
    assert any(x.actual == D("-10") and x.expected == D("-8.69") for x in f)


def test_seed004_narrative_basic_expenditure_contradicts_table():
    # "一般公共预算安排基本支出 621.43 万元" while the tables give 481.68 (621.43 is the total)
    f = [f for f in rules.check(seed("004_d644b8a86bb20fe5")) if f.id == "NARR.amount"]
    assert any(x.actual == D("621.43") and x.expected == D("481.68") for x in f)


def test_scoped_and_performance_claims_are_not_misread():
    # 003: "涉及部门预算资金…项目支出2179.74万元" (绩效 coverage) and 001: "基本支出年初预算324.07万元"
    for name in ("003_333e51848c84ec7d", "001_511f49588f3df717"):
        assert not [f for f in rules.check(seed(name)) if f.id.startswith("NARR")]
    doc = seed("001_511f49588f3df717")
    c = next(c for c in doc.claims if c.amount == D("324.07"))
    assert c.subject == "基本支出" and c.qualifier == "年初预算"


def test_final_account_identities_and_ties_seed001():
    doc = seed("001_511f49588f3df717")
    ctx, checks, findings = rules.run(doc)
    labels = {c.label for c in checks}
    assert "基本支出决算 = 人员经费合计 + 公用经费合计" in labels
    assert "收入决算表 合计 = 收入支出决算总表 本年收入合计" in labels
    assert any(c.id == "BALANCE.grand-totals" and c.label == "收入总计 = 支出总计" for c in checks)
    # 总计 618.10 = 本年收入合计 634.38 + 年初结转和结余 -16.28
    inc = next(c for c in checks if c.label == "收入总计 = 本年收入合计 + 结转结余")
    assert inc.ok and inc.total_value == D("618.10") and inc.sum_value == D("618.10")
    assert all(c.ok for c in checks)
    # a wrong 人员经费合计 is caught by the tie
    f06 = doc.table("f06")
    cell = next(c for r in f06.rows for c in r.cells if c.value == D("393.45"))
    cell.value = D("390.45")
    try:
        tie = [f for f in rules.check(doc) if f.message.startswith("基本支出决算")]
        assert tie and tie[0].actual == D("423.74") and tie[0].expected == D("420.74")
    finally:
        cell.value = D("393.45")


def test_execution_rate_claims_seed001():
    doc = seed("001_511f49588f3df717")
    assert not [f for f in rules.check(doc) if f.id == "NARR.exec"]  # 134.52%, 130.75%, 146.89% are right
    c = next(c for c in doc.claims if c.budget == D("324.07"))
    old = c.execution_rate
    c.execution_rate = D("131.75")
    try:
        f = [f for f in rules.check(doc) if f.id == "NARR.exec"]
        assert f and f[0].expected == D("130.76") and f[0].actual == D("131.75")
    finally:
        c.execution_rate = old


def test_tables_identified_by_title_not_printed_label():
    doc = seed("001_511f49588f3df717")
    got = [(t.kind, t.label, t.title) for t in doc.tables[:10]]
    assert got[0] == ("f01", "公开01表", "收入支出决算总表")
    # the document prints 公开09表 on its 支出决算表: the title decides
    assert got[2] == ("f03", "公开09表", "支出决算表")
    assert [k for k, _, _ in got] == ["f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09", "f10"]
