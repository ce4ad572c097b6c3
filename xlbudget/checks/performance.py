"""Performance rules (绩效目标表, 绩效自评表), declared: the forms are read by perf.py.

自评表: 总分 = indicator scores + execution score (a sum), 执行率 = 全年执行数 / 全年预算数 (a
ratio), the grade agrees with 总分. 目标表: 资金总额 = its sources (a sum), 年度资金 (元) = the
project's row of 项目支出预算表 (万元).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, List, Tuple

from xlbudget.checks.engine import Context, RatioCheck
from xlbudget.checks.perf import (execution_rate_bounds, grade_of, norm_project, read_self_evaluation,
                                  read_target_form)
from xlbudget.checks.registry import PERFORMANCE, finding, ratio_rule, rule, sum_rule
from xlbudget.model import Document, Finding
from xlbudget.numbers import Tolerance, fmt, half_ulp
from xlbudget.subjects import col_named

# a 元 figure converted to 万元 is exact to half a 元: 0.00005 万元
_YUAN_IN_WAN_HALF = Decimal("0.00005")


@sum_rule("PERF.score", tables=("p_eval",), kind=PERFORMANCE,
          describe="绩效自评表: 总分 = indicator scores + execution score")
def _score(ctx: Context, t) -> List[Tuple]:
    ev = read_self_evaluation(t)
    if ev.total is None or ev.money_score is None or not ev.indicator_scores:
        return []
    terms = [ctx.ref(t, r, c) for r, c in ev.indicator_scores] + [ctx.ref(t, *ev.money_score)]
    return [(f"{ev.project or '项目'}：总分 = 各指标得分 + 预算执行得分", ctx.ref(t, *ev.total), terms)]


@sum_rule("PERF.funds", tables=("p_target",), kind=PERFORMANCE,
          describe="绩效目标表: 实施期/年度资金总额 = its sources (中央/省级/市县财政资金, 单位自筹, 其他资金)")
def _funds(ctx: Context, t) -> Iterable[Tuple]:
    form = read_target_form(t)
    for total, sources in form.totals:
        if sources:
            yield (f"{form.project or '项目'}：资金总额 = 各来源资金之和", ctx.ref(t, *total), [ctx.ref(t, *s) for s in sources])


def _judge_execution(spent: Decimal, budget: Decimal, rate: Decimal):
    lo, hi = execution_rate_bounds(budget, spent, rate)
    computed = spent / budget * 100
    return lo <= rate <= hi, computed, Tolerance.of_percent(computed, lo, hi)


@ratio_rule("PERF.exec", tables=("p_eval",), kind=PERFORMANCE,
            message="{label}：执行率 {printed}% 与 全年执行数 {numer} / 全年预算数 {denom} = {computed}% 不符",
            describe="绩效自评表: 执行率 = 全年执行数 / 全年预算数")
def _execution(ctx: Context, t) -> List[RatioCheck]:
    ev = read_self_evaluation(t)
    if None in (ev.rate, ev.spent, ev.budget):
        return []
    return [RatioCheck("PERF.exec", "error", ev.project or "项目", ctx.ref(t, *ev.spent), ctx.ref(t, *ev.budget),
                       ctx.ref(t, *ev.rate), _judge_execution)]


@rule("PERF.grade", kind=PERFORMANCE, severity="error", tables=("p_eval",),
      message="{project}：总分 {total} 应评为“{grade}”，表中为“{printed}”",
      describe="绩效自评表: the grade agrees with 总分 (优 ≥ 90 / 良 ≥ 80 / 中 ≥ 60 / 差)")
def _grade(doc: Document) -> List[Finding]:
    ctx = Context(doc)
    out = []
    for t in doc.tables_of("p_eval"):
        ev = read_self_evaluation(t)
        total = None if ev.total is None else t.rows[ev.total[0]].cells[ev.total[1]].value
        if total is not None and ev.grade and grade_of(total) != ev.grade:
            out.append(finding("PERF.grade", [ctx.ref(t, *ev.total)], project=ev.project or "项目", total=total,
                               grade=grade_of(total), printed=ev.grade))
    return out


@rule("PERF.tie", kind=PERFORMANCE, severity="warning", tables=("p_target", "b12"),
      message="{project}：绩效目标表年度资金 {printed}{unit}，项目支出预算表为 {budget}万元",
      describe="绩效目标表: 年度资金 (元) = the project's row of 项目支出预算表 (万元)")
def _tie(doc: Document) -> List[Finding]:
    ctx = Context(doc)
    out: List[Finding] = []
    b12 = doc.table("b12")
    if b12 is None:
        return out
    jt = col_named(b12, r"^合计$", r"/合计$")
    by_name = {}
    for i, r in enumerate(b12.rows):
        if r.cells and jt is not None and r.cells[jt].value is not None:
            by_name.setdefault(norm_project(r.cells[0].text), []).append(i)
    for t in doc.tables_of("p_target"):
        form = read_target_form(t)
        rows = by_name.get(norm_project(form.project))
        year_total = next((tot for tot, _ in form.totals
                           if "年度" in t.grid()[tot[0] + len(t.header)][tot[1] - 1 if tot[1] else 0]
                           or "年度" in "".join(t.grid()[tot[0] + len(t.header)][:tot[1]])), None)
        if not rows or year_total is None or len(rows) != 1:
            continue
        v = t.rows[year_total[0]].cells[year_total[1]].value
        w = b12.rows[rows[0]].cells[jt].value
        if v is None or w is None:
            continue
        in_wan = v / 10000 if form.unit == "元" else v
        tol = half_ulp(w) + (_YUAN_IN_WAN_HALF if form.unit == "元" else half_ulp(v))
        if abs(in_wan - w) > tol:
            out.append(finding("PERF.tie", [ctx.ref(t, *year_total), ctx.ref(b12, rows[0], jt)],
                               project=form.project, printed=fmt(v), unit=form.unit, budget=fmt(w),
                               expected=w, actual=in_wan, tolerance=tol))
    return out
