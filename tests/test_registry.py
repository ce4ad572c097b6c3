"""Rules are declarations: one declaration gives the Python check, the live 校验 formula and the
README line; the README's table of checks is the registry's."""
import subprocess
import sys
from decimal import Decimal as D

import pytest

from conftest import RENDERED, ROOT, imported, need
from xlbudget.checks import registry, rules
from xlbudget.checks.registry import REGISTRY, readme_table, sum_rule
from xlbudget.model import Cell, Claim, Document, Row, Table
from xlbudget.numbers import Tolerance, parse_amount
from xlbudget.write.recalc import computed_values, find_soffice
from xlbudget.write.workbook import CHECK_SHEET, Layout, check_formulas, check_rows, write_workbook

needs_lo = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")


def table(kind, columns, body, page=3):
    rows = []
    for r in body:
        cells = [Cell(c, parse_amount(c) if j >= 2 else None, page) for j, c in enumerate(r)]
        code = r[0] if r[0].isdigit() else None
        rows.append(Row(cells=cells, page=page, code=code, level=len(code) // 2 if code else None,
                        name=r[1] or None, is_total=not code))
    return Table(kind=kind, title="预算支出总表", header=[columns], rows=rows, columns=columns)


def b03(**kw):
    """A small 预算支出总表: 合计 = 201 + 208 in every column, 201 = 20101 + 20103."""
    body = [["", "合计", "300.00", "200.00", "100.00"],
            ["201", "一般公共服务支出", "120.00", "80.00", "40.00"],
            ["20101", "人大事务", "70.00", "50.00", "20.00"],
            ["20103", "政府办公厅（室）及相关机构事务", "50.00", "30.00", "20.00"],
            ["208", "社会保障和就业支出", "180.00", "120.00", "60.00"]]
    for (i, j), v in kw.get("edit", {}).items():
        body[i][j] = v
    return table("b03", ["科目编码", "科目名称", "合计", "基本支出", "项目支出"], body)


def doc_of(*tables, claims=()):
    return Document(department="某部门", year=2024, kind="预算", unit="万元", source="x.pdf",
                    tables=list(tables), claims=list(claims))


def test_readme_table_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table(readme) == registry.markdown_table()


def test_the_table_is_printed_by_the_module():
    r = subprocess.run([sys.executable, "-m", "xlbudget.checks.registry", "--markdown"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == registry.markdown_table()


def test_every_check_of_the_seeds_is_a_declared_rule():
    for name in ("004_d644b8a86bb20fe5", "001_511f49588f3df717"):
        checks = rules.run(imported(need(RENDERED / "pdf_a" / f"{name}.pdf"))).checks
        assert checks and {c.id for c in checks} <= set(REGISTRY)
        assert all(REGISTRY[c.id].formula in ("sum", "ratio") for c in checks)


def test_seed004_keeps_its_twelve_errors_under_the_new_ids():
    findings = rules.run(imported(need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf"))).findings
    errors = sorted(f.id for f in findings if f.severity == "error")
    # README: the blank 基本支出 of 20103 (and its parents), the swapped 医疗 rows, 201 项目支出 139.75 ≠ 141.75
    assert len(errors) == 12 and set(errors) <= set(REGISTRY)
    assert {"SPLIT.total-columns", "TIE.income-expense", "TREE.children-sum"} <= set(errors)


@pytest.fixture
def a_new_rule():
    """A new sum rule: ONE declaration (id, tables, where the total and its terms are)."""
    @sum_rule("TEST.basic-plus-project", tables=("b03",), describe="合计 = 基本支出 + 项目支出 (a test rule)")
    def locate(ctx, t):
        for i, r in enumerate(t.rows):
            yield f"{r.code or '合计'}: 合计 = 基本 + 项目", ctx.ref(t, i, 2), [ctx.ref(t, i, 3), ctx.ref(t, i, 4)]

    yield REGISTRY["TEST.basic-plus-project"]
    del REGISTRY["TEST.basic-plus-project"]


def test_one_declaration_gives_the_check_the_formula_and_the_readme_line(a_new_rule):
    doc = doc_of(b03(edit={(3, 3): "31.00"}))  # 20103: 50.00 ≠ 31.00 + 20.00
    res = rules.run(doc)
    mine = [c for c in res.checks if c.id == "TEST.basic-plus-project"]
    assert len(mine) == 5 and [c.ok for c in mine] == [True, True, True, False, True]
    (f,) = [f for f in res.findings if f.id == "TEST.basic-plus-project"]
    assert f.message.startswith("20103: 合计 = 基本 + 项目: 表列 50.00 ≠ 计算 51.00")
    assert f.actual == D("50.00") and f.expected == D("51.00") and f.page == 3
    rows = check_rows(doc, res.checks)
    row = next(r for r in rows[4:] if r[1] == "TEST.basic-plus-project" and r[2].startswith("20103"))
    # cells are found by row key (行号, column I after the 5 columns and 全编码/级次/页码): 20103 is body row 4
    def at(col):
        return f"INDEX('预算支出总表'!${col}:${col},MATCH(4,'预算支出总表'!$I:$I,0))"
    assert row[3] == f"=N({at('C')})" and row[4] == f"=SUM({at('D')},{at('E')})"
    assert row[6] == f"=0.005*(1+COUNT({at('D')},{at('E')}))"
    assert row[7] == "'预算支出总表'!C8 <- '预算支出总表'!D8,'预算支出总表'!E8"
    assert "| `TEST.basic-plus-project` | arithmetic | error | b03 | sum | 合计 = 基本支出 + 项目支出 (a test rule) |" \
        in registry.markdown_table()


def test_one_tolerance_gives_the_interval_and_the_formula():
    two = Tolerance.of_sum(D("10.00"), [D("4.00"), None, D("6.00")])
    assert two.value == D("0.015") and two.admits(D("0.015")) and not two.admits(D("-0.016"))
    assert two.formula("A1:A3") == "0.005*(1+COUNT(A1:A3))"  # COUNT skips the blank term, as Python does
    mixed = Tolerance.of_sum(D("10.00"), [D("4.000"), D("6.00")])  # a term printed to three places
    assert mixed.value == D("0.0105") and mixed.formula("A1:A2") == "0.0105"
    share = Tolerance.of_percent(D("40.00"), D("39.98"), D("40.03"))
    assert share.admits(D("-0.02")) and share.admits(D("0.03")) and not share.admits(D("0.031"))
    assert share.test("F5", "G5") == "AND(F5>=-G5-1E-9,F5<=0.03+1E-9)" and share.formula() == "0.02"


def eval_form(rate):
    from test_perf import eval_table

    return eval_table(rate=rate)


def test_execution_rate_is_a_live_ratio():
    doc = doc_of(eval_form("89.95"))  # 3.038 / 3.07 = 98.96%
    res = rules.run(doc)
    (c,) = [c for c in res.checks if c.id == "PERF.exec"]
    assert not c.ok and c.value.quantize(D("0.01")) == D("98.96")
    f_printed, f_value, f_tol, _ = check_formulas(Layout(doc), c)
    assert f_printed.startswith("=N(") and "*100" in f_value


def test_a_share_the_table_contradicts_is_a_live_ratio():
    # "一般公共服务支出120.00万元，占40.00%": the table gives 120.00 / 300.00 = 40.00%; 45.00% is wrong
    doc = doc_of(b03(), claims=[Claim("一般公共服务支出", amount=D("120.00"), share=D("45.00"), page=2)])
    res = rules.run(doc)
    shares = [c for c in res.checks if c.id == "NARR.share"]
    assert len(shares) == 1 and not shares[0].ok and shares[0].printed == D("45.00")
    assert shares[0].value == D("40")
    ok = doc_of(b03(), claims=[Claim("一般公共服务支出", amount=D("120.00"), share=D("40.00"), page=2)])
    assert not [c for c in rules.run(ok).checks if c.id == "NARR.share"]


@pytest.mark.libreoffice
@needs_lo
def test_ratio_rows_recalculate_like_the_engine(tmp_path):
    doc = doc_of(b03(), eval_form("89.95"),
                 claims=[Claim("一般公共服务支出", amount=D("120.00"), share=D("45.00"), page=2)])
    good = doc_of(b03(), eval_form("98.95"))
    for name, d in (("bad", doc), ("good", good)):
        p = tmp_path / f"{name}.xlsx"
        res = rules.run(d)
        write_workbook(d, str(p), res.findings, res.checks)
        body = [r for r in computed_values(str(p), CHECK_SHEET)[4:] if r and isinstance(r[0], int)]
        assert [r[8] for r in body] == ["OK" if c.ok else "FAIL" for c in res.checks]
        ratios = [r for r in body if r[1] in ("PERF.exec", "NARR.share")]
        if name == "bad":
            assert [(r[1], r[8]) for r in ratios] == [("PERF.exec", "FAIL"), ("NARR.share", "FAIL")]
            assert ratios[0][4] == pytest.approx(98.957, abs=1e-3) and ratios[1][4] == pytest.approx(40.0)
        else:
            assert [(r[1], r[8]) for r in ratios] == [("PERF.exec", "OK")]


def test_every_old_id_names_declared_rules():
    assert set(registry.LEGACY_IDS) == {"TREE", "SPLIT", "SUMMARY", "BALANCE", "TIE", "SANGONG", "UNITS",
                                        "PERF-FUNDS", "PERF-SCORE", "PERF-EXEC", "PERF-GRADE", "PERF-TIE",
                                        "NARR", "NARR-SHARE", "NARR-RATE", "NARR-EXEC"}
    assert all(new in REGISTRY for news in registry.LEGACY_IDS.values() for new in news)


def test_a_workbook_written_with_the_old_ids_reads_back(tmp_path):
    import openpyxl

    from xlbudget.write.workbook import FINDING_SHEET, read_workbook

    doc = imported(need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf"))
    p = tmp_path / "old.xlsx"
    write_workbook(doc, str(p))
    wb = openpyxl.load_workbook(p)
    for ws, col in ((wb[FINDING_SHEET], 1), (wb[CHECK_SHEET], 2)):  # as written before the slugs
        for r in range(2, ws.max_row + 1):
            v = ws.cell(row=r, column=col).value
            if isinstance(v, str) and "." in v and not v.startswith("EXTRACT."):
                ws.cell(row=r, column=col).value = v.split(".")[0]
    wb.save(p)
    back = read_workbook(str(p))
    errors = [f.id for f in rules.run(back).findings if f.severity == "error"]
    assert len(errors) == 12 and "TIE.income-expense" in errors


def test_every_doubt_the_reader_can_record_is_declared():
    """Each EXTRACT.<slug> written in the reading code (doc.doubt("slug", …), an inspection's
    ("slug", …), a *_SLUG constant, the text-cut marker) has a declaration and a README line."""
    import re
    from pathlib import Path

    import xlbudget.checks.rules  # noqa: F401  (loads every family)

    src = "\n".join(p.read_text(encoding="utf-8") for p in (Path(ROOT) / "xlbudget").rglob("*.py"))
    slugs = set(re.findall(r'doubt\(\s*"([a-z-]+)"', src))
    slugs |= set(re.findall(r'(?:yield\s*|append\(\s*)\(\s*"([a-z]+(?:-[a-z]+)+)"', src))
    slugs |= set(re.findall(r'_SLUG = "([a-z-]+)"', src))
    slugs |= set(re.findall(r'EXTRACT\.([a-z]+(?:-[a-z]+)+)', src))
    assert {"fragment-row", "glued-cells", "no-year", "undecodable-text", "text-cut"} <= slugs  # the scan works
    missing = sorted(s for s in slugs if f"EXTRACT.{s}" not in REGISTRY)
    assert not missing
    table = registry.markdown_table()
    assert "| `EXTRACT.fragment-row` | extraction | warning |" in table


def test_a_finding_carries_the_family_of_its_rule(tmp_path):
    import openpyxl

    from xlbudget.write.workbook import FINDING_SHEET

    # 201 printed 125.00 where 20101 + 20103 = 120.00; the narrative's 45.00% where the table gives 40.00%
    doc = doc_of(b03(edit={(1, 2): "125.00"}),
                 claims=[Claim("一般公共服务支出", amount=D("125.00"), share=D("45.00"), page=2)])
    doc.doubt("fragment-row", "a row of one cell", page=3)
    found = {f.id: f for f in rules.run(doc).findings}
    assert found["TREE.children-sum"].family == "arithmetic" and found["TREE.children-sum"].kind == "check"
    assert found["NARR.share"].family == "narrative" and found["NARR.share"].as_dict()["family"] == "narrative"
    assert found["EXTRACT.fragment-row"].family == "extraction" and found["EXTRACT.fragment-row"].kind == "extraction"
    p = tmp_path / "families.xlsx"
    write_workbook(doc, str(p))
    ws = openpyxl.load_workbook(p)[FINDING_SHEET]
    assert ws.cell(row=1, column=9).value == "类别"
    shown = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=9).value for r in range(2, ws.max_row + 1)}
    assert shown["TREE.children-sum"] == "arithmetic" and shown["NARR.share"] == "narrative"
    assert shown["EXTRACT.fragment-row"] == "extraction"
