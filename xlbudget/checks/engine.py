"""The engine of identity rules: the checks each declaration locates, evaluated once.

A :class:`Check` is ``total = Σ sign·term`` over table cells, a :class:`RatioCheck` a printed
percentage against ``numerator / denominator × 100``. Both are evaluated here, rounding-aware
(:class:`~xlbudget.numbers.Tolerance`), rendered as live formulas in the 校验 sheet by the
workbook adapter, and a failed one becomes a :class:`~xlbudget.model.Finding` with the message
its rule declares. The families declare their rules in their own modules (arithmetic.py,
performance.py, …); :func:`build_checks` runs every declaration over a document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

from xlbudget.checks.registry import REGISTRY, finding
from xlbudget.model import CellRef, Document, Finding, Table, table_keys
from xlbudget.numbers import Tolerance, consistent, fmt


@dataclass
class Check:
    id: str
    severity: str
    label: str  # human description
    total: CellRef
    terms: List[CellRef]
    signs: List[int] = field(default_factory=list)
    # filled by evaluate()
    ok: Optional[bool] = None
    total_value: Optional[Decimal] = None
    sum_value: Optional[Decimal] = None
    diff: Optional[Decimal] = None
    tol: Optional[Decimal] = None
    tolerance: Optional[Tolerance] = None
    formula = "sum"

    @property
    def cells(self) -> List[CellRef]:
        return [self.total] + list(self.terms)


Judge = Callable[[Decimal, Decimal, Decimal], Tuple[bool, Decimal, Tolerance]]


@dataclass
class RatioCheck:
    """``printed`` (a cell, or a figure of the narrative) = ``numer / denom × 100``; ``judge``
    says whether the printed figure is one the rounded inputs allow: (ok, computed %, tolerance)."""
    id: str
    severity: str
    label: str
    numer: CellRef
    denom: CellRef
    printed: Union[CellRef, Decimal]
    judge: Judge = field(compare=False, repr=False, default=None)  # type: ignore[assignment]
    # filled by evaluate()
    ok: Optional[bool] = None
    printed_value: Optional[Decimal] = None
    numer_value: Optional[Decimal] = None
    denom_value: Optional[Decimal] = None
    value: Optional[Decimal] = None  # the computed percentage
    diff: Optional[Decimal] = None
    tol: Optional[Decimal] = None
    tolerance: Optional[Tolerance] = None
    formula = "ratio"

    @property
    def cells(self) -> List[CellRef]:
        own = [self.printed] if isinstance(self.printed, CellRef) else []
        return own + [self.numer, self.denom]


AnyCheck = Union[Check, RatioCheck]


class Context:
    """A document with the key of each of its tables: what locators make references with."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.keys: Dict[int, str] = table_keys(doc)
        self.by_key: Dict[str, Table] = {k: t for t in doc.tables for k in (self.keys[id(t)],)}

    def key(self, t: Table) -> str:
        return self.keys[id(t)]

    def ref(self, t: Table, i: int, j: int) -> CellRef:
        return CellRef(self.key(t), i, j, t.rows[i].page if i < len(t.rows) else None)

    def table_by_key(self, key: str) -> Optional[Table]:
        return self.by_key.get(key)

    def value(self, r: CellRef) -> Optional[Decimal]:
        t = self.by_key.get(r.table)
        if t is None or r.row >= len(t.rows) or r.col >= len(t.rows[r.row].cells):
            return None
        return t.rows[r.row].cells[r.col].value


def _checks_of(rule_id: str, found: Iterable) -> List[AnyCheck]:
    """A locator's yield as checks: ``(label, total, terms)`` become checks of its own rule."""
    severity = REGISTRY[rule_id].severity
    out: List[AnyCheck] = []
    for x in found:
        if isinstance(x, tuple):
            label, total, terms = x
            x = Check(rule_id, severity, label, total, list(terms))
        out.append(x)
    return out


def build_checks(doc: Document) -> Tuple[Context, List[AnyCheck]]:
    """Every declared identity over ``doc``: per table (in document order, the rules of its kind in
    declaration order), then the rules over the document as a whole."""
    ctx = Context(doc)
    rules = [r for r in REGISTRY.values() if r.locate is not None]
    checks: List[AnyCheck] = []
    for t in doc.tables:
        if t.empty or not t.rows:
            continue
        for r in rules:
            if r.scope == "table" and t.kind in r.tables:
                checks += _checks_of(r.id, r.locate(ctx, t))
    for r in rules:
        if r.scope == "document":
            checks += _checks_of(r.id, r.locate(ctx))
    return ctx, checks


def evaluate(ctx: Context, checks: Iterable[AnyCheck]) -> List[AnyCheck]:
    out = []
    for c in checks:
        if isinstance(c, RatioCheck):
            _evaluate_ratio(ctx, c)
        else:
            total = ctx.value(c.total)
            terms = [ctx.value(r) for r in c.terms]
            signs = c.signs or [1] * len(terms)
            signed = [None if v is None else v * s for v, s in zip(terms, signs)]
            ok, s, diff, _ = consistent(total, signed)
            c.tolerance = Tolerance.of_sum(total, signed)
            c.ok, c.total_value, c.sum_value, c.diff, c.tol = ok, total, s, diff, c.tolerance.value
        out.append(c)
    return out


def _evaluate_ratio(ctx: Context, c: RatioCheck) -> None:
    printed = ctx.value(c.printed) if isinstance(c.printed, CellRef) else c.printed
    numer, denom = ctx.value(c.numer), ctx.value(c.denom)
    c.printed_value, c.numer_value, c.denom_value = printed, numer, denom
    if printed is None or numer is None or not denom:
        c.ok = True  # nothing to compare: the check holds vacuously (as the formula's IFERROR)
        return
    c.ok, c.value, c.tolerance = c.judge(numer, denom, printed)
    c.diff, c.tol = printed - c.value, c.tolerance.value


def failed_finding(c: AnyCheck) -> Finding:
    """The finding of a failed check, in the words its rule declares."""
    if isinstance(c, RatioCheck):
        computed = c.value.quantize(Decimal("0.01"))
        return finding(c.id, c.cells, label=c.label, printed=c.printed_value, numer=c.numer_value,
                       denom=c.denom_value, computed=computed, expected=computed, actual=c.printed_value)
    return finding(c.id, c.cells, label=c.label, table=fmt(c.total_value), computed=fmt(c.sum_value),
                   diff=c.diff, tol=c.tol, expected=c.sum_value, actual=c.total_value, tolerance=c.tol)
