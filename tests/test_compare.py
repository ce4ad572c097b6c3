"""Comparison across years: real 2017-2019 budget disclosures of 江苏省委办公厅.

Expected totals come from ``收支预算总表.csv`` published alongside the PDFs.
"""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from xlbudget.compare.core import (ADDED, BASE_ZERO, BUDGET_ZERO, REMOVED, change_of, compare,  # noqa: E402
                              norm_measure, ratio_of)
from xlbudget.api import compare_files as run_compare
from xlbudget.write.compare_sheets import write_comparison  # noqa: E402
from xlbudget.model import Cell, Claim, Document, Row, Table  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEPT = SHARED / "corpus" / "real" / "jiangsu" / "江苏省委办公厅"
TABLES = {
    2017: DEPT / "江苏省委办公厅2017年预算公开表格.pdf",
    2018: DEPT / "江苏省委办公厅2018年度部门预算公开表.pdf",
    2019: DEPT / "江苏省委办公厅2019年度部门预算公开表格.pdf",
}
TEXTS = {
    2018: DEPT / "江苏省委办公厅2018年度部门预算公开文件.pdf",
    2019: DEPT / "江苏省委办公厅2019年度部门预算公开文件.pdf",
}
D = Decimal

needs_corpus = pytest.mark.skipif(not all(p.is_file() for p in TABLES.values()),
                                  reason=f"real Jiangsu corpus not found under {DEPT}")


def csv_totals():
    """year -> column -> Decimal from 收支预算总表.csv."""
    out = {}
    with open(DEPT / "收支预算总表.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            year = int(row[""][:4])
            out[year] = {k: D(v) for k, v in row.items() if k and v}
    return out


@pytest.fixture(scope="module")
def docs():
    from xlbudget.read.importer import import_pdf

    return {y: import_pdf(str(p)) for y, p in TABLES.items()}


@pytest.fixture(scope="module")
def text_docs():
    from xlbudget.read.importer import import_pdf

    return {y: import_pdf(str(p)) for y, p in TEXTS.items()}


@pytest.fixture(scope="module")
def comp(docs):
    # given out of order on purpose: periods are ordered by year
    return compare([docs[2019], docs[2017], docs[2018]])


# ----------------------------------------------------------------- real documents

@needs_corpus
def test_periods_ordered_by_year(comp):
    assert [p.label for p in comp.periods] == ["2017年预算", "2018年预算", "2019年预算"]
    assert comp.bases == [None, 0, 1]
    assert comp.exec_pairs == []


@needs_corpus
@pytest.mark.parametrize("subject,column", [
    ("支出总计", "支出合计"), ("收入总计", "收入合计"), ("基本支出", "基本支出"), ("项目支出", "项目支出"),
])
def test_main_totals_match_published_csv(comp, subject, column):
    expected = csv_totals()
    item = comp.total(subject)
    for p in comp.periods:
        assert item.value(p.index) == expected[p.year][column], (subject, p.label, item.sources[p.index])


@needs_corpus
def test_year_on_year_change_of_totals(comp):
    item = comp.total("支出总计")
    ch19 = item.change(comp.period(2019))
    assert ch19.base == comp.period(2018)
    assert ch19.amount == D("3205.79")  # 27664.22 - 24458.43
    assert ch19.rate == D("13.11")
    ch18 = item.change(comp.period(2018))
    assert ch18.amount == D("3608.98")  # 24458.43 - 20849.45
    assert ch18.rate == D("17.31")
    assert item.change(comp.period(2017)) is None  # no earlier year
    basic = comp.total("基本支出").change(comp.period(2019))
    assert basic.amount == D("1297.52")  # 11700.63 - 10403.11
    assert basic.rate == D("12.47")


@needs_corpus
def test_function_code_items_aligned_across_years(comp):
    t = comp.table("T05")  # 一般公共预算支出表
    assert t is not None and all(t.present)
    run = t.item(code="2013101")  # 行政运行
    assert run.name == "行政运行"
    assert [run.value(i) for i in range(3)] == [D("6106.99"), D("8072.29"), D("9370.12")]
    ch = run.change(2)
    assert ch.amount == D("1297.83") and ch.rate == D("16.08")
    housing = t.item(code="221")
    csv_ = csv_totals()
    assert housing.value(comp.period(2019)) == csv_[2019]["住房保障支出"]
    assert housing.value(comp.period(2018)) == csv_[2018]["住房保障支出"]


@needs_corpus
def test_added_and_removed_items_flagged(comp):
    t = comp.table("T06")  # 基本支出经济科目表
    pension = t.item(code="30108")  # 机关事业单位基本养老保险缴费: new in 2018
    assert pension.value(0) is None and not pension.present[0]
    assert pension.change(1).flag == ADDED and pension.change(1).amount == D("743.39")
    assert pension.added_in == [1]
    gone = t.item(code="30104")  # printed in 2017 only
    assert gone.present == [True, False, False]
    assert gone.change(1).flag == REMOVED and gone.change(1).amount == D("-1.50")
    assert gone.removed_in == [1]


@needs_corpus
def test_machine_running_costs(comp):
    item = comp.total("机关运行经费")
    assert [item.value(i) for i in range(3)] == [D("10101.76"), D("2094.58"), D("2232.91")]
    assert item.change(2).amount == D("138.33") and item.change(2).rate == D("6.60")


@needs_corpus
def test_summary_table_items_match_csv(comp):
    t = comp.table("T01")
    csv_ = csv_totals()
    item = t.item(key="支出/功能分类:一般公共服务支出")
    for p in comp.periods:
        assert item.value(p.index) == csv_[p.year]["一般公共服务支出"]


@needs_corpus
def test_narrative_claims_checked_against_last_year(docs, text_docs):
    comp = compare([docs[2018], text_docs[2018], docs[2019], text_docs[2019]])
    assert [p.label for p in comp.periods] == ["2018年预算", "2019年预算"]
    assert len(comp.periods[1].sources) == 2  # tables PDF + narrative PDF are one period
    checks = [c for c in comp.checks if c.period == 1]
    by = {(c.subject, c.claim.change_rate): c for c in checks}
    # "收、支预算总计各增加3205.79万元，增长" / page number "4" / "13.11%" on the next page:
    # the page number is not glued onto the rate, and the claim agrees with the tables
    total = by[("支出总计", D("13.11"))]
    assert total.status == "一致" and total.previous == D("24458.43") and total.expected_change == D("3205.79")
    # "机关运行经费预算支出2232.91万元，与上年相比增加138.33万元，增长6.60%"
    ok = by[("机关运行经费", D("6.60"))]
    assert ok.status == "一致" and ok.expected_change == D("138.33")
    # "住房改革支出（款）住房公积金（项）支出965.87万元，与上年相比增加250.59万元，增长35.03%"
    hf = next(c for c in checks if "住房公积金" in c.subject)
    assert hf.status == "一致" and hf.previous == D("715.28") and hf.expected_change == D("250.59")
    assert [f for f in comp.findings if f.id == "YOY"] == []


@needs_corpus
def test_no_base_year_means_not_checked(text_docs, docs):
    comp = compare([docs[2019], text_docs[2019]])
    assert comp.findings == []
    assert comp.checks and all(c.status == "未核对" for c in comp.checks)


@needs_corpus
def test_writer_numbers_rates_and_chart(comp, tmp_path):
    out = tmp_path / "compare.xlsx"
    write_comparison(comp, str(out))
    assert out.is_file() and not list(tmp_path.glob(".xlbudget-*"))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "总览" and "核对" in wb.sheetnames and "文件" in wb.sheetnames
    ws = wb["总览"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5, max_row=10)}
    spend = rows["支出总计"]
    assert [c.value for c in spend[1:4]] == [20849.45, 24458.43, 27664.22]
    assert spend[3].number_format == "#,##0.00"
    head = [c.value for c in ws[4]]
    k = head.index("增减额\n2019年预算比2018年预算")
    # live formulas over the 2019 (D) and 2018 (C) values of the row; recalculated they give 3205.79 and
    # 13.11%: tests/test_compare_sheets.py
    r = spend[0].row
    assert spend[k].value == f'=IF(AND(D{r}="",C{r}=""),"",N(D{r})-N(C{r}))'
    assert spend[k + 1].value == f'=IF(N(C{r})=0,"",(N(D{r})-N(C{r}))/N(C{r}))' and spend[k + 1].number_format == "0.00%"
    kinds = sorted(type(c).__name__ for c in ws._charts)
    assert kinds == ["BarChart", "LineChart"]
    # one sheet per compared table, values as numbers
    ws = wb["一般公共预算支出表"]
    found = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "2013101"]
    assert found and found[0][3:6] == (6106.99, 8072.29, 9370.12)


# ----------------------------------------------------------------- synthetic: edge semantics

def _row(code, name, *vals, total=False):
    cells = [Cell(code or name), Cell(name)] + [Cell("" if v is None else str(v), None if v is None else D(str(v)))
                                               for v in vals]
    return Row(cells=cells, code=code, name=name, level={3: 1, 5: 2, 7: 3}.get(len(code or "")), is_total=total)


def _doc(year, kind, rows, source=None, claims=()):
    t = Table(kind="b03" if kind == "预算" else "f03", title="支出总表", header=[],
              rows=rows, columns=["科目编码", "科目名称", "合计", "基本支出", "项目支出"])
    return Document(department="测试局", year=year, kind=kind, unit="万元",
                    source=source or f"{year}{kind}.pdf", tables=[t], claims=list(claims))


def test_change_semantics():
    assert change_of(D("100"), D("110")).rate == D("10.00")
    c = change_of(D("0"), D("5"))
    assert c.rate is None and c.flag == BASE_ZERO and c.amount == D("5")
    c = change_of(None, D("5"))  # blank last year = 0
    assert c.rate is None and c.flag == BASE_ZERO
    c = change_of(None, None)
    assert c.amount is None and c.rate is None and c.flag == ""
    assert change_of(D("3"), None).rate == D("-100.00")
    assert change_of(None, D("2"), base_present=False).flag == ADDED
    assert change_of(D("2"), None, cur_present=False).flag == REMOVED
    assert ratio_of(D("200"), D("150")).rate == D("75.00")
    assert ratio_of(D("0"), D("1")).flag == BUDGET_ZERO


def test_norm_measure():
    assert norm_measure("2024年预算数/基本支出") == "基本支出"
    assert norm_measure("本年支出/小计") == "合计"
    assert norm_measure("本年支出合计") == "合计"
    assert norm_measure("支出/2024年合计", "支出") == "合计"
    assert norm_measure("支出/当年预算安排", "支出") == "当年预算安排"


def test_execution_rate_and_zero_base_in_workbook(tmp_path):
    b23 = _doc(2023, "预算", [_row(None, "合计", 100, 80, 20, total=True), _row("201", "一般公共服务支出", 100, 80, 20),
                              _row("208", "社会保障和就业支出", None, None, None)])
    f23 = _doc(2023, "决算", [_row(None, "合计", 95, 80, 15, total=True), _row("201", "一般公共服务支出", 90, 80, 10),
                              _row("208", "社会保障和就业支出", 5, 5, None)])
    b24 = _doc(2024, "预算", [_row(None, "合计", 120, 90, 30, total=True), _row("201", "一般公共服务支出", 110, 80, 30),
                              _row("208", "社会保障和就业支出", 10, 10, None), _row("221", "住房保障支出", None, None, None)],
               claims=[Claim(subject="基本支出", amount=D("90"), change=D("10.00"), change_rate=D("12.50"), text="基本支出90万元")])
    comp = compare([b24, f23, b23])
    assert [p.label for p in comp.periods] == ["2023年预算", "2023年决算", "2024年预算"]
    assert comp.bases == [None, None, 0]  # a budget is compared with last year's budget
    assert comp.exec_pairs == [(0, 1)]
    t = comp.table("T03")
    assert t.kinds == ["b03", "f03", "b03"]
    tot = t.item(key="名称:合计")
    assert tot.execution["合计"][0].rate == D("95.00")
    assert tot.execution["项目支出"][0].rate == D("75.00")
    social = t.item(code="208")
    assert social.execution["合计"][0].flag == BUDGET_ZERO  # 5 spent, nothing budgeted
    ch = social.change(2, "合计")
    assert ch.rate is None and ch.flag == BASE_ZERO and ch.amount == D("10")
    assert comp.total("支出总计").execution["金额"][0].rate == D("95.00")
    # 基本支出 80 -> 90 is +10, +12.50%: consistent
    assert [c.status for c in comp.checks] == ["一致"]
    out = tmp_path / "c.xlsx"
    write_comparison(comp, str(out))
    ws = openpyxl.load_workbook(out)["支出表"]
    head = [c.value for c in ws[4]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5)}
    k = head.index("增减率\n2024年预算比2023年预算")
    # the rate is a formula (a number or blank): 2024 budget (F) against the 2023 budget (D), not the 决算 (E);
    # why it is blank (上年为0, 新增) is in 增减说明 (values after recalculation: tests/test_compare_sheets.py)
    assert rows["208"][k].value == '=IF(N(D7)=0,"",(N(F7)-N(D7))/N(D7))'
    x = head.index("预算执行率\n2023年（决算/预算）")
    assert rows["201"][x].value == pytest.approx(0.9)
    assert rows["208"][x].value == "∞（预算为0）"
    assert rows["221"][head.index("增减说明\n2024年预算比2023年预算")].value == ADDED


def test_yoy_claim_with_wrong_change_is_a_finding():
    last = _doc(2023, "预算", [_row(None, "合计", 100, 80, 20, total=True)])
    cur = _doc(2024, "预算", [_row(None, "合计", 110, 84, 26, total=True)],
               claims=[Claim(subject="项目支出", amount=D("26"), change=D("4.00"), change_rate=D("30.00"),
                             text="项目支出26万元，比上年增加4.00万元，增长30.00%"),
                       Claim(subject="基本支出", amount=D("84"), change_rate_infinite=True, text="基本支出84万元")])
    comp = compare([last, cur])
    msgs = [f.message for f in comp.findings]
    # 项目支出 20 -> 26: 增减额 is 6 not 4 (the 30.00% rate is right); 基本支出 80 -> 84 is not ∞%
    assert len(comp.findings) == 2, msgs
    ids = {f.id for f in comp.findings}
    assert ids == {"YOY"}
    amt = [f for f in comp.findings if f.actual == D("4.00")]
    assert amt and amt[0].expected == D("6")


def test_departments_differ_warns_but_compares():
    a = _doc(2023, "预算", [_row(None, "合计", 1, 1, None, total=True)])
    b = _doc(2024, "预算", [_row(None, "合计", 2, 2, None, total=True)])
    b.department = "另一个局"
    comp = compare([a, b])
    assert any("different departments" in w for w in comp.warnings)
    assert comp.total("支出总计").change(1).amount == D("1")


@needs_corpus
def test_run_compare_reads_pdf_and_xlsx(tmp_path, docs):
    write_workbook = pytest.importorskip("xlbudget.write.workbook").write_workbook
    x18 = tmp_path / "2018.xlsx"
    write_workbook(docs[2018], str(x18))
    out = tmp_path / "out" / "cmp.xlsx"
    comp = run_compare([str(TABLES[2019]), str(x18)], str(out))
    assert out.is_file()
    assert [p.year for p in comp.periods] == [2018, 2019]
    assert comp.total("支出总计").change(1).amount == D("3205.79")


def test_yoy_needs_the_year_just_before():
    old = _doc(2022, "预算", [_row(None, "合计", 100, 80, 20, total=True)])
    cur = _doc(2024, "预算", [_row(None, "合计", 110, 84, 26, total=True)],
               claims=[Claim(subject="项目支出", amount=D("26"), change=D("1.00"), text="项目支出26万元")])
    comp = compare([old, cur])
    assert comp.total("项目支出").change(1).amount == D("6")  # values are still compared
    assert comp.findings == []
    assert comp.checks[0].status == "未核对" and "2023" in comp.checks[0].note


def test_periods_merge_one_disclosure_but_not_two_departments():
    tables = _doc(2024, "预算", [_row(None, "合计", 110, 84, 26, total=True)], source="表格.pdf")
    text = Document(department="三、", year=2024, kind="预算", unit=None, source="文件.pdf")  # a stray heading
    other = _doc(2024, "预算", [_row(None, "合计", 5, 5, None, total=True)], source="另一个.pdf")
    other.department = "某某县人民政府办公室"
    comp = compare([tables, text, other])
    assert len(comp.periods) == 2
    assert comp.periods[0].sources == ["表格.pdf", "文件.pdf"]
    assert comp.periods[0].label == "2024年预算（测试局）"
    assert any("different departments" in w for w in comp.warnings)


RENDERED_FINAL = SHARED / "corpus" / "rendered" / "pdf_a" / "001_511f49588f3df717.pdf"


@pytest.mark.skipif(not RENDERED_FINAL.is_file(), reason="rendered corpus not found")
def test_final_account_main_totals():
    from xlbudget.compare.core import main_totals
    from xlbudget.read.importer import import_pdf

    tots = main_totals(import_pdf(str(RENDERED_FINAL)))
    assert tots["收入总计"][0] == D("618.10")  # 公开01表 "总计", left half (年初结转和结余 -16.28 included)
    assert tots["支出总计"][0] == D("618.10")
    assert tots["基本支出"][0] == D("423.74") and tots["项目支出"][0] == D("144.94")
    assert tots["机关运行经费"][0] == D("30.29")  # 公开10表: 行政单位 30.29 + 参公单位 (blank)


def test_peer_departments_of_one_year_side_by_side(tmp_path):
    pdfs = [SHARED / "corpus" / "rendered" / "pdf_a" / f"{n}.pdf" for n in ("000_7d1637c2b07940b9", "004_d644b8a86bb20fe5")]
    if not all(p.is_file() for p in pdfs):
        pytest.skip("rendered corpus not found")
    out = tmp_path / "peers.xlsx"
    comp = run_compare([str(p) for p in pdfs], str(out))
    assert len(comp.periods) == 2 and any("different departments" in w for w in comp.warnings)
    tot = comp.total("支出总计")
    assert tot.values["金额"] == [Decimal("329.50"), Decimal("621.43")]
    assert comp.bases == [None, None] and tot.changes["金额"] == [None, None]  # no 增减 between peers
    import openpyxl

    ws = openpyxl.load_workbook(out)["总览"]
    assert ws["A1"].value.startswith("多部门对比（晋中市人民政府外事办公室、新绛县人民政府办公室）")


def test_compare_strict_exits_1_on_a_year_on_year_mismatch(tmp_path, capsys):
    from xlbudget.cli import main
    from xlbudget.write.workbook import write_workbook

    last = _doc(2023, "预算", [_row(None, "合计", 100, 80, 20, total=True)])
    right = Claim(subject="项目支出", amount=D("26"), change=D("6.00"), text="项目支出26万元，比上年增加6.00万元")
    wrong = Claim(subject="项目支出", amount=D("26"), change=D("4.00"), text="项目支出26万元，比上年增加4.00万元")
    a, ok, bad = tmp_path / "2023.xlsx", tmp_path / "ok.xlsx", tmp_path / "bad.xlsx"
    write_workbook(last, str(a))
    write_workbook(_doc(2024, "预算", [_row(None, "合计", 110, 84, 26, total=True)], claims=[right]), str(ok))
    write_workbook(_doc(2024, "预算", [_row(None, "合计", 110, 84, 26, total=True)], claims=[wrong]), str(bad))
    out = tmp_path / "c.xlsx"
    # 项目支出 20 -> 26 is +6: the claim of +4 is a mismatch; only --strict turns it into exit 1
    assert main(["compare", str(a), str(bad), "-o", str(out)]) == 0
    assert main(["compare", str(a), str(bad), "-o", str(out), "--strict"]) == 1
    assert "1 narrative year-on-year mismatches" in capsys.readouterr().out
    assert main(["compare", str(a), str(ok), "-o", str(out), "--strict"]) == 0
