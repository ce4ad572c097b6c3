"""Pure: 项目支出绩效自评表 (performance self-evaluation) — structure and checks.

A self-evaluation table is a form, not a grid: the money block (年初预算数, 全年预算数,
全年执行数, 执行率, 得分), the indicator block (一级/二级/三级指标, 指标值, 分值, 得分) and
the 总分 / grade line. Cells drift between columns where the exporter merged them, so
indicator scores are read as the last two plain numbers of each indicator row.

Checks: 执行率 = 全年执行数 / 全年预算数; 总分 = Σ indicator 得分 + 资金得分 (a sum
check like any other); the grade (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差) agrees with 总分.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import List, Optional, Tuple

from xlbudget.model import Table
from xlbudget.numbers import half_ulp, parse_amount

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
GRADES = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", Decimal(0)))


def _norm(s: str) -> str:
    return "".join((s or "").split())


@dataclass
class SelfEvaluation:
    project: Optional[str] = None
    budget: Optional[Tuple[int, int]] = None  # (row, col) of 全年预算数
    spent: Optional[Tuple[int, int]] = None  # 全年执行数
    rate: Optional[Tuple[int, int]] = None  # 执行率 (%)
    money_score: Optional[Tuple[int, int]] = None  # 资金 得分
    indicator_scores: List[Tuple[int, int]] = field(default_factory=list)
    total: Optional[Tuple[int, int]] = None  # 总分
    grade: Optional[str] = None


def grade_of(score: Decimal) -> str:
    for name, floor in GRADES:
        if score >= floor:
            return name
    return "差"


def _plain(text: str) -> Optional[Decimal]:
    t = _norm(text)
    return parse_amount(t) if _PLAIN_NUMBER.match(t) else None


def project_name(grid: List[List[str]]) -> Optional[str]:
    """The text right of the 项目名称 label in the first rows of a 绩效 form."""
    for r in grid[:3]:
        for j, c in enumerate(r):
            if _norm(c) == "项目名称":
                name = next((x for x in r[j + 1:] if x.strip()), None)
                if name:
                    return name
    return None


def read_self_evaluation(t: Table) -> SelfEvaluation:
    ev = SelfEvaluation()
    grid = t.grid()
    h = len(t.header)
    ev.project = project_name(grid)
    ind_hdr = total_row = None
    for i, r in enumerate(grid):
        cells = [_norm(c) for c in r]
        if ind_hdr is None and "一级指标" in cells and "得分" in cells:
            ind_hdr = i
        if cells and cells[0] == "总分":
            total_row = i
    # the money line: 资金总额 … 全年预算数, 全年执行数, 结余, 执行率[, 得分]. Its cells drift, so
    # the figures are found by their own arithmetic: 结余 = 预算 − 执行 identifies the run.
    for i, r in enumerate(grid):
        if i < h or not any("资金总额" in _norm(c) for c in r):
            continue
        vals = [_plain(c) for c in r]
        for jb in range(len(vals) - 3):
            b, sp, rest, rate = vals[jb:jb + 4]  # four adjacent cells
            if None in (b, sp, rest, rate) or b <= 0:
                continue
            if sum(1 for v in vals[jb + 4:] if v is not None) > 1:
                continue  # the run must end the line: at most 得分 follows it
            if abs((b - sp) - rest) <= half_ulp(b) + half_ulp(sp) + half_ulp(rest):
                row = i - h
                ev.budget, ev.spent, ev.rate = (row, jb), (row, jb + 1), (row, jb + 3)
                if jb + 4 < len(vals) and vals[jb + 4] is not None:
                    ev.money_score = (row, jb + 4)
                break
        break
    if ind_hdr is not None and total_row is not None and total_row > ind_hdr:
        for i in range(ind_hdr + 1, total_row):
            nums = [j for j, c in enumerate(grid[i]) if _plain(c) is not None]
            if len(nums) >= 2 and i - h >= 0:
                ev.indicator_scores.append((i - h, nums[-1]))
        tr = grid[total_row]
        nums = [j for j, c in enumerate(tr) if _plain(c) is not None]
        if nums and total_row - h >= 0:
            ev.total = (total_row - h, nums[-1])
        g = next((_norm(c) for c in tr if _norm(c) in ("优", "良", "中", "差")), None)
        ev.grade = g
    return ev


def execution_rate_ok(budget: Optional[Decimal], spent: Optional[Decimal], rate: Optional[Decimal]):
    """(ok, computed %) — None when not checkable (no budget)."""
    if budget is None or spent is None or rate is None or budget == 0:
        return None, None
    lo, hi = execution_rate_bounds(budget, spent, rate)
    return (lo <= rate <= hi), (spent / budget * 100).quantize(Decimal("0.01"))


def execution_rate_bounds(budget: Decimal, spent: Decimal, rate: Decimal) -> Tuple[Decimal, Decimal]:
    """The interval a printed 执行率 may lie in: each figure may carry half a unit of rounding
    in its last place, the rate too."""
    computed = spent / budget * 100
    eb, es = half_ulp(budget, 0), half_ulp(spent, 0)
    lo = (spent - es) / (budget + eb) * 100
    hi = (spent + es) / (budget - eb) * 100 if budget - eb > 0 else computed
    slack = half_ulp(rate, 0)
    return lo - slack, hi + slack


# ---------------------------------------------------------------- 项目支出绩效目标表

@dataclass
class TargetForm:
    project: Optional[str] = None
    # (label row, label col) -> value cell, for 实施期资金总额 and 年度资金总额, with their sources
    totals: List[Tuple[Tuple[int, int], List[Tuple[int, int]]]] = field(default_factory=list)
    unit: str = "元"


_FUND_TOTAL = re.compile(r"^(实施期|年度)资金总额[:：]?$")
_FUND_SOURCE = re.compile(r"(财政资金|其他资金|自有资金|单位资金|自筹|自筹资金|专户资金|社会资金)[:：]?$")


def _value_right(row: List[str], j: int) -> Optional[int]:
    for k in range(j + 1, len(row)):
        if parse_amount(row[k]) is not None:
            return k
        if _norm(row[k]):
            return None
    return None


def read_target_form(t: Table) -> TargetForm:
    """项目资金 block of a 项目支出绩效目标表: 资金总额 lines and the source lines under each."""
    form = TargetForm()
    grid = t.grid()
    h = len(t.header)
    form.project = project_name(grid)
    if any("万元" in _norm(c) for r in grid for c in r if "项目资金" in _norm(c)):
        form.unit = "万元"
    for i, r in enumerate(grid):
        for j, c in enumerate(r):
            if not _FUND_TOTAL.match(_norm(c)) or i < h:
                continue
            k = _value_right(r, j)
            if k is None:
                continue
            sources = []
            for i2 in range(i + 1, min(i + 8, len(grid))):
                row2 = grid[i2]
                # the source label sits under the total's label, or drifted left by a merged cell
                jj = next((x for x in range(min(j, len(row2) - 1), -1, -1)
                           if _FUND_SOURCE.search(_norm(row2[x]))), None)
                if jj is None:
                    break
                k2 = _value_right(row2, jj)
                if k2 is not None and k2 <= k + 1:
                    sources.append((i2 - h, k2))
            form.totals.append(((i - h, k), sources))
    return form


def norm_project(name: Optional[str]) -> str:
    t = "".join((name or "").split())
    return t.replace("(", "（").replace(")", "）")
