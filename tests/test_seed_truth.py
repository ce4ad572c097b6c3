"""Rendered seed PDFs: numeric cells match the truth JSON exactly.

Standard financial tables (预算/决算 tables) must match row by row and column by
column; for every table of the document (绩效 tables included) the multiset of
numeric cells must be the same.
"""
import json
from collections import Counter

import pytest

from conftest import RENDERED, SEEDS, imported, need
from xlbudget.catalogue import kind_from_title
from xlbudget.numbers import parse_amount


def _num(c):
    return parse_amount(c) if (c and ("." in c or "," in c)) else None


def numeric_rows(grid):
    out = []
    for r in grid:
        vals = tuple(_num(c) for c in r)
        if any(v is not None for v in vals):
            out.append(vals)
    return out


def load(seed):
    pdf = need(RENDERED / "pdf_a" / f"{seed}.pdf")
    truth = json.loads((RENDERED / "truth" / f"{seed}.json").read_text(encoding="utf-8"))
    return imported(pdf), truth


def best_table(doc, want):
    best, score = None, -1
    for t in doc.tables:
        got = numeric_rows(t.grid())
        s = sum(1 for a, b in zip(got, want) if a == b)
        if s > score:
            best, score = t, s
    return best


@pytest.mark.parametrize("seed", SEEDS)
def test_standard_tables_match_truth_cell_by_cell(seed):
    doc, truth = load(seed)
    checked = 0
    for tt in truth:
        kind = kind_from_title(tt["title"])
        want = numeric_rows(tt["rows"])
        if not want or not kind or kind[0] not in "bf":
            continue
        t = best_table(doc, want)
        assert numeric_rows(t.grid()) == want, f"{seed} table {tt['index']} {tt['title']}"
        checked += sum(1 for r in want for v in r if v is not None)
    if seed != "002_b9fb704af29df045":  # 002 holds only 绩效 tables
        assert checked > 50


@pytest.mark.parametrize("seed", SEEDS)
def test_all_numeric_cells_found(seed):
    doc, truth = load(seed)
    want = Counter(v for tt in truth for r in tt["rows"] for v in map(_num, r) if v is not None)
    got = Counter(v for t in doc.tables for r in t.grid() for v in map(_num, r) if v is not None)
    missing = want - got
    assert not missing, f"{seed}: numeric cells not extracted: {dict(list(missing.items())[:10])}"


def test_seed000_known_values():
    doc, _ = load("000_7d1637c2b07940b9")
    b03 = doc.table("b03")
    total = next(r for r in b03.rows if r.is_total)
    assert [c.value for c in total.cells[2:5]] == [parse_amount("329.50"), parse_amount("297.89"), parse_amount("31.61")]
    row = b03.find_row(code="2010350")
    assert row.name == "事业运行" and row.level == 3 and row.cells[2].value == parse_amount("76.50")
    assert row.page == 7
    assert doc.department == "晋中市人民政府外事办公室" and doc.year == 2024 and doc.unit == "万元"


def _form_num(c):
    """In a 绩效 form every figure counts: its amounts are often integers (资金总额 5, 310000 元)."""
    return parse_amount(c)


def amount_rows(t, num=_num):
    """Numeric rows of a table's body as the model holds them: cell values, not texts (a value
    nulled because its column was taken for names, or a row swallowed by the header, is missing)."""
    out = []
    for r in t.rows:
        vals = tuple(c.value if (c.value is not None and num(c.text) is not None) else None for c in r.cells)
        if any(v is not None for v in vals):
            out.append(vals)
    return out


def paired_tables(doc, truth):
    """(truth table, document table) pairs: the n-th truth table of a kind with the n-th table of
    that kind in the document (绩效 forms of one kind repeat, one per project)."""
    seen = Counter()
    for tt in truth:
        kind = kind_from_title(tt["title"]) or "other"
        same = doc.tables_of(kind)
        yield tt, (same[seen[kind]] if seen[kind] < len(same) else None)
        seen[kind] += 1


@pytest.mark.parametrize("seed", SEEDS)
def test_every_table_matches_truth_cell_by_cell(seed):
    """Every table, 绩效 forms included (项目支出绩效目标表, 整体支出绩效目标表, 绩效自评表): the
    numeric rows of the body, in order, hold the truth's amounts at the truth's positions (in a
    form every figure, integers included, so a value row swallowed by the header is missed)."""
    doc, truth = load(seed)
    misplaced = []
    trim = lambda rows: [tuple(r[:max(j for j, v in enumerate(r) if v is not None) + 1]) for r in rows]  # noqa: E731
    for tt, t in paired_tables(doc, truth):
        # a column empty everywhere at the right edge is not kept: compare up to the last amount
        kind = kind_from_title(tt["title"]) or "other"
        num = _num if kind[0] in "bf" else _form_num
        want = trim([r for r in (tuple(num(c) for c in row) for row in tt["rows"]) if any(v is not None for v in r)])
        got = trim(amount_rows(t, num)) if t is not None else []
        if got != want:
            misplaced.append(f"table {tt['index']} {tt['title']}: {len(want)} numeric rows, "
                             f"first difference {next((w, g) for w, g in zip(want + [()] * len(got), got + [()] * len(want)) if w != g)}")
    assert not misplaced, f"{seed}: " + "; ".join(misplaced)


def test_seed004_overall_form_keeps_amounts_under_name_labels():
    """整体支出绩效目标申报表 of seed 004: 收入合计 621.43 and 基本支出 481.68 sit in the column of
    the 单位名称 label; they are amounts, not names."""
    doc, _ = load("004_d644b8a86bb20fe5")
    form = doc.table("p_overall")
    rows = [[c.value for c in r.cells] for r in form.rows if any(c.value is not None for c in r.cells)]
    income, spending = [r for r in rows if parse_amount("621.43") in r]
    assert income[1:3] == [parse_amount("621.43"), parse_amount("621.43")]
    assert [spending[0], spending[1], spending[3]] == [parse_amount("621.43"), parse_amount("481.68"), parse_amount("139.75")]
    # the 人员编制数 | 44 | 实有人数 | 44 row is a value row of the form, not its header
    assert [parse_amount("44"), parse_amount("44")] in [[v for v in r if v is not None] for r in rows]


def test_form_rows_at_a_page_break_stay_apart():
    """Seed 000's 整体支出绩效目标申报表 ends page 16 with the label row "年度重点任务 | 核心职能 |
    重点任务"; page 17 opens with the first task. Two rows, not one glued row."""
    doc, _ = load("000_7d1637c2b07940b9")
    grid = [["".join(c.split()) for c in r] for r in doc.table("p_overall").grid()]
    k = next(i for i, r in enumerate(grid) if r[0] == "年度重点任务")
    assert [c for c in grid[k] if c] == ["年度重点任务", "核心职能", "重点任务"]
    assert [c for c in grid[k + 1] if c] == ["管理全市因公出国及赴台港澳工作", "从严审核因公出国和赴台港澳相关事宜"]


def test_seed001_money_line_of_integers_is_a_body_row():
    """J外事培训费 (seed 001) prints its money line in whole 万元: "资金总额: 5 | 5 | 5 | 5 | 0 | 100 | 10".
    It is the form's first value row, not part of its header, so the 执行率 check reads it."""
    from xlbudget.checks.perf import read_self_evaluation

    doc, _ = load("001_511f49588f3df717")
    t = next(t for t in doc.tables_of("p_eval") if "J外事培训费" in "".join(t.grid()[0]))
    ev = read_self_evaluation(t)
    assert ev.budget is not None and t.rows[ev.budget[0]].cells[ev.budget[1]].value == parse_amount("5")
    assert t.rows[ev.rate[0]].cells[ev.rate[1]].value == parse_amount("100")
