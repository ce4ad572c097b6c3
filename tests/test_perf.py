"""绩效自评表: execution rate, score sum and grade."""
from decimal import Decimal as D

from conftest import RENDERED, imported, need
from xlbudget.checks import rules
from xlbudget.model import Cell, Document, Row, Table
from xlbudget.numbers import parse_amount
from xlbudget.checks.perf import grade_of, read_self_evaluation


def eval_table(rate="98.95", money_score="9.9", total="99.06", grade="优"):
    header = [["项目名称", "", "J外事接待费", "", "", "", "", "", "", ""],
              ["项目资金预算安排及执行进度(万元)", "年初预算数", "目标申报数", "", "全年预算数", "全年执行数",
               "资金结(转)余", "执行率", "得分", "偏差原因分析及改进措施"]]
    body = [["", "资金总额:", "3.07", "3.07", "3.07", "3.07", "3.038", "0.032", rate, money_score],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值", "分值", "得分", "偏差原因"],
            ["", "产出指标", "数量指标", "接待批次", "≥9批", "≥9批", "8批", "20", "19.16", "少一批"],
            ["", "", "质量指标", "接待满意度", "≥90%", "≥90%", "95%", "10", "10", ""],
            ["", "效益指标", "社会效益指标", "对外交流", "提升", "提升", "提升", "30", "30", ""],
            ["满意度指标", "服务对象满意度", "来访满意度", "≥90%", "≥90%", "96%", "30", "30", "", ""],
            ["总分", "", "", "", "", "", "", "", total, grade]]
    rows = [Row(cells=[Cell(c, parse_amount(c), 30) for c in r], page=30) for r in body]
    return Table(kind="p_eval", title="J外事接待费项目支出绩效自评表", header=header, rows=rows,
                 columns=[f"c{j}" for j in range(10)])


def doc_of(t):
    return Document(department="x", year=2023, kind="决算", unit="万元", source="x.pdf", tables=[t])


def test_reads_the_form():
    ev = read_self_evaluation(eval_table())
    t = eval_table()
    v = lambda rc: t.rows[rc[0]].cells[rc[1]].value  # noqa: E731
    assert (v(ev.budget), v(ev.spent), v(ev.rate), v(ev.money_score)) == (D("3.07"), D("3.038"), D("98.95"), D("9.9"))
    assert [v(x) for x in ev.indicator_scores] == [D("19.16"), D("10"), D("30"), D("30")]
    assert v(ev.total) == D("99.06") and ev.grade == "优" and ev.project == "J外事接待费"


def test_consistent_form_passes():
    ctx, checks, findings = rules.run(doc_of(eval_table()))
    score = [c for c in checks if c.id == "PERF.score"]
    assert score and score[0].ok and score[0].sum_value == D("99.06")
    assert findings == []


def test_wrong_rate_score_and_grade_are_found():
    findings = rules.check(doc_of(eval_table(rate="89.95", total="98.06", grade="良")))
    ids = {f.id: f for f in findings}
    assert ids["PERF.exec"].expected == D("98.96") and ids["PERF.exec"].actual == D("89.95")
    assert ids["PERF.score"].actual == D("98.06") and ids["PERF.score"].expected == D("99.06")
    assert "应评为“优”" in ids["PERF.grade"].message


def test_grades():
    assert [grade_of(D(x)) for x in ("100", "90", "89.91", "80", "79.99", "60", "59")] == \
        ["优", "优", "良", "良", "中", "中", "差"]


def test_seed001_self_evaluations_add_up():
    doc = imported(need(RENDERED / "pdf_a" / "001_511f49588f3df717.pdf"))
    ctx, checks, findings = rules.run(doc)
    score = [c for c in checks if c.id == "PERF.score"]
    assert len(score) >= 5 and all(c.ok for c in score)
    assert {c.total_value for c in score} >= {D("95"), D("99.06"), D("89.91")}
    assert not [f for f in findings if f.id.startswith("PERF")]


def test_target_form_funds_and_tie_to_project_table():
    doc = imported(need(RENDERED / "pdf_a" / "000_7d1637c2b07940b9.pdf"))
    ctx, checks, findings = rules.run(doc)
    funds = [c for c in checks if c.id == "PERF.funds"]
    assert funds and all(c.ok for c in funds)
    assert D("40500") in {c.total_value for c in funds}
    assert not [f for f in findings if f.id.startswith("PERF")]
    # the 年度资金 40,500 元 of "(包干经费)外事(台港澳)工作经费2" is 4.05 万元 in 项目支出预算表
    b12 = doc.table("b12")
    cell = next(r.cells[1] for r in b12.rows if r.cells[1].value == D("4.05"))
    cell.value = D("4.50")
    try:
        tie = [f for f in rules.check(doc) if f.id == "PERF.tie"]
        assert tie and tie[0].actual == D("4.05") and tie[0].expected == D("4.50")
        assert "工作经费2" in tie[0].message
    finally:
        cell.value = D("4.05")


def test_seed003_target_forms_add_up():
    doc = imported(need(RENDERED / "pdf_a" / "003_333e51848c84ec7d.pdf"))
    ctx, checks, findings = rules.run(doc)
    funds = [c for c in checks if c.id == "PERF.funds"]
    assert len(funds) >= 20 and all(c.ok for c in funds)
    # 外事业务工作经费: 实施期 3,652,000 = 省级 3,650,000 + 单位自筹 2,000
    c = next(c for c in funds if c.total_value == D("3652000"))
    assert c.sum_value == D("3652000") and len([r for r in c.terms if ctx.value(r)]) == 2
