"""The rule engine's one entry, :func:`run`, and the narrative rules.

Every identity of domain.md is a declaration (checks/arithmetic.py, checks/performance.py, …):
its checks are located, evaluated and turned into findings by the engine (checks/engine.py).
The narrative claims are compared with the table cells they may quote here.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from xlbudget.codes import CLASSES
from xlbudget.model import CellRef, Document, Finding
from xlbudget.numbers import (COMMON_UNIT, Tolerance, consistent, fmt, half_ulp, half_ulp_wan, printed_percent_bounds,
                               printed_percent_ok, ratio_bounds, to_wan)
from xlbudget.checks import arithmetic, performance  # noqa: F401  (the families declare their rules)
from xlbudget.checks.engine import (AnyCheck, Check, Context, RatioCheck, build_checks, evaluate,  # noqa: F401
                                    failed_finding)
from xlbudget.checks.registry import NARRATIVE, REGISTRY, declare, finding, run_declared
from xlbudget.subjects import quotable, unit_of
from xlbudget.vocabulary import squeeze

CLASS_NAMES = set(CLASSES.values())
_Ctx = Context

# ---------------------------------------------------------------- narrative

# the narrative rules: their findings are made by :func:`narrative_findings` below (``{on}``: the
# page of the claim); the share a table contradicts also gets a live formula in 校验 (:func:`share_checks`)
declare("NARR.amount", kind=NARRATIVE, severity="warning", message="叙述（第{on}页）称{subject} {amount}万元，表中为 {table}{others}",
        describe="a narrative amount against every table cell it may be quoted from (the narrative's 万元 against "
                 "a table printed in 元, 千元 or 亿元 after conversion, each figure exact to half a unit of its own "
                 "printed unit); claims scoped to another fund (政府性基金…) or to 绩效 coverage are not compared "
                 "with the table of the same name")
declare("NARR.share", kind=NARRATIVE, severity="warning", message="叙述（第{on}页）称{subject}占{actual}%，按表计算为 {expected}%",
        describe="a narrative 占% against the amount cell over its total, within the interval the rounded "
                 "figures allow", formula="ratio")
declare("NARR.rate", kind=NARRATIVE, severity="warning",
        message="叙述（第{on}页）{subject}{amount}万元，比上年{direction}{change}万元，但增减率 {actual}% 与 "
                "{signed_change}/{prev} = {expected}% 不符",
        describe="增减额 against 增减率 of the same sentence (last year = amount − change)")
declare("NARR.exec", kind=NARRATIVE, severity="warning",
        message="叙述（第{on}页）{subject}年初预算{budget}万元、决算{amount}万元，称完成年初预算的{actual}%，应为 {expected}%",
        describe="完成年初预算的% against 决算 / 年初预算 of the same sentence")

Target = Tuple[CellRef, Optional[CellRef]]  # (cell with the amount, cell of the total it is a share of)


def claim_targets(ctx: _Ctx) -> Dict[str, List[Target]]:
    """subject -> the table cells a narrative amount of that subject may refer to (the subject locator's
    :func:`~xlbudget.subjects.quotable`). A claim is flagged only when it matches none of them."""
    return {subj: [(loc.cell, loc.total) for loc in locs] for subj, locs in quotable(ctx.doc).items()}


def _in_unit(v_wan: Decimal, unit: str, printed: Optional[Decimal]) -> str:
    """"297.89万元", or "297.891234万元（表中 2,978,912.34元）" for a table printed in another unit."""
    if unit == COMMON_UNIT or printed is None:
        return f"{fmt(v_wan)}万元"
    return f"{fmt(v_wan)}万元（表中 {fmt(printed)}{unit}）"


def _subject_label(subject: str) -> str:
    return subject[3:] + "（科目）" if subject.startswith("科目:") else subject


def cell_in_wan(ctx: _Ctx, ref: Optional[CellRef]) -> Tuple[Optional[Decimal], Decimal, str]:
    """(value in 万元, its rounding error in 万元, the unit it is printed in) of a table cell: the
    narrative states 万元, a table may be printed in 元 (or 千元, 亿元)."""
    if ref is None:
        return None, Decimal(0), COMMON_UNIT
    unit = unit_of(ctx.doc, ctx.table_by_key(ref.table))
    v = ctx.value(ref)
    return to_wan(v, unit), (half_ulp_wan(v, unit) if v is not None else Decimal(0)), unit


def narrative_findings(ctx: _Ctx) -> List[Finding]:
    findings: List[Finding] = []
    targets = claim_targets(ctx)
    seen = set()
    for c in ctx.doc.claims:
        # internal consistency: 增减额 vs 增减率 (last year = amount - change)
        if c.amount is not None and c.change is not None and c.change_rate is not None:
            prev = c.amount - c.change
            if prev > 0:
                lo, hi = ratio_bounds(abs(c.change), prev)
                if not printed_percent_ok(abs(c.change_rate), lo, hi, change_rate=True):
                    findings.append(finding("NARR.rate", page=c.page, on=c.page, subject=_subject_label(c.subject),
                                            amount=fmt(c.amount), direction="增加" if c.change >= 0 else "减少",
                                            change=fmt(abs(c.change)), signed_change=fmt(c.change), prev=fmt(prev),
                                            expected=(c.change / prev * 100).quantize(Decimal("0.01")),
                                            actual=c.change_rate))
        # 完成年初预算的 R% = 决算 / 年初预算
        if c.budget and c.amount is not None and c.execution_rate is not None:
            lo, hi = ratio_bounds(c.amount, c.budget)
            if not printed_percent_ok(c.execution_rate, lo, hi):
                exp = (c.amount / c.budget * 100).quantize(Decimal("0.01"))
                findings.append(finding("NARR.exec", page=c.page, on=c.page, subject=_subject_label(c.subject),
                                        budget=fmt(c.budget), amount=fmt(c.amount), expected=exp,
                                        actual=c.execution_rate))
        key = squeeze(c.subject)
        if c.scope in ("一般公共预算", "财政拨款") and "一般公共预算:" + key in targets:
            key = "一般公共预算:" + key
        elif c.scope:
            continue  # 政府性基金预算项目支出, 政府采购支出预算, 绩效 coverage …: not the table figure of that name
        if c.qualifier and re.search(r"年初|预算数|上年|去年", c.qualifier) and ctx.doc.kind != "预算":
            continue  # "基本支出年初预算324.07万元" in a final account is the budget, not the table
        if key not in targets or c.amount is None or c.amount == 0:
            continue
        # every table figure in 万元, the unit of the narrative, with its rounding error converted
        cands = [(ref, tot) + cell_in_wan(ctx, ref) for ref, tot in targets[key]]
        cands = [x for x in cands if x[2] is not None]
        if not cands:
            continue
        dedupe = (key, c.amount, c.share)
        if dedupe in seen:
            continue
        seen.add(dedupe)
        match = [x for x in cands if abs(x[2] - c.amount) <= x[3] + half_ulp(c.amount)]
        if not match:
            ref, _, v, err, unit = cands[0]
            tol = err + half_ulp(c.amount)
            others = "、".join(_in_unit(x[2], x[4], ctx.value(x[0])) for x in cands[1:] if x[2] != v)
            findings.append(finding("NARR.amount", [x[0] for x in cands], page=c.page, on=c.page,
                                    subject=_subject_label(c.subject), amount=fmt(c.amount),
                                    table=_in_unit(v, unit, ctx.value(ref)), others=f"（或 {others}）" if others else "",
                                    expected=v, actual=c.amount, tolerance=tol))
            continue
        if c.share is not None:
            shares = []
            for ref, total_ref, v, err, _ in match:
                tv, terr, _ = cell_in_wan(ctx, total_ref)
                if tv:
                    lo, hi = ratio_bounds(v, tv, err, terr)
                    shares.append((printed_percent_ok(c.share, lo, hi), v, tv, ref, total_ref))
            if shares and not any(ok for ok, *_ in shares):
                _, v, tv, ref, total_ref = shares[0]
                findings.append(finding("NARR.share", [ref, total_ref], page=c.page, on=c.page,
                                        subject=_subject_label(c.subject),
                                        expected=(v / tv * 100).quantize(Decimal("0.01")), actual=c.share))
    return findings



# ---------------------------------------------------------------- the one entry

class Run(NamedTuple):
    """What one run of the rules over a document gives: the context its references are made
    in, every check evaluated (the 校验 sheet), and the findings (the 问题 sheet)."""
    ctx: Context
    checks: List[AnyCheck]
    findings: List[Finding]


def run(doc: Document) -> Run:
    """Every rule over ``doc``, once: the importer's doubts, the failed identities, the narrative
    against the tables, and every other declared family. Nothing is remembered between calls."""
    ctx, checks = build_checks(doc)
    evaluate(ctx, checks)
    failed = [failed_finding(c) for c in checks if not c.ok]
    narrative = narrative_findings(ctx)
    checks += evaluate(ctx, share_checks(narrative))
    return Run(ctx, checks, list(doc.diagnostics) + failed + narrative + run_declared(doc))


def check(doc: Document) -> List[Finding]:
    """All findings of a document (:func:`run`'s findings)."""
    return run(doc).findings


def share_checks(narrative: Sequence[Finding]) -> List[RatioCheck]:
    """The narrative's shares the tables contradict, as live formulas: the printed 占% against
    the amount cell over the total cell (both in one table, so its unit cancels)."""
    return [share_check(f.id, f.message, f.cells[0], f.cells[1], f.actual) for f in narrative
            if f.id == "NARR.share" and len(f.cells) == 2 and f.actual is not None]


def share_check(rule_id: str, label: str, amount: CellRef, total: CellRef, printed: Decimal) -> RatioCheck:
    """A printed 占% of ``amount`` in ``total`` (two cells of one table) as a check with a live formula."""
    return RatioCheck(rule_id, REGISTRY[rule_id].severity if rule_id in REGISTRY else "warning", label, amount, total,
                      printed, _judge_share)


def _judge_share(amount: Decimal, total: Decimal, printed: Decimal):
    lo, hi = ratio_bounds(amount, total)
    computed = amount / total * 100
    return (printed_percent_ok(printed, lo, hi), computed,
            Tolerance.of_percent(computed, *printed_percent_bounds(printed, lo, hi)))


# ---------------------------------------------------------------- plain functions (UDF cores)

def sum_check(total, terms: Sequence, decimals: int = 2) -> Tuple[bool, Decimal, Decimal]:
    """Rounding-aware ``total == sum(terms)`` on plain numbers; returns (ok, diff, tol)."""
    from xlbudget.numbers import parse_amount

    def d(x):
        if x is None or x == "":
            return None
        if isinstance(x, Decimal):
            return x
        if isinstance(x, (int, float)):
            return Decimal(repr(round(x, 10))) if isinstance(x, float) else Decimal(x)
        return parse_amount(str(x))

    ok, s, diff, tol = consistent(d(total), [d(t) for t in terms], decimals)
    return ok, diff, tol


# the families declared in their own modules (they read this module's narrative helpers, so
# they are imported once it is complete); importing them registers their rules
from xlbudget.checks import completeness, consistency, extraction, sangong, wording  # noqa: F401,E402
