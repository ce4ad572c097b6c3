"""The registry of rules: every check xlbudget runs is one declaration here.

A declaration says what a reviewer needs to know about a rule — its stable id, its family, how
bad a failure is, which tables it reads and what the finding says — and names the function that
finds its instances in a document. From the declarations come the Python findings, the 校验 rows
of the workbook, the UDFs and the README's table of checks.

    @rule("COMPLETE.missing-table", kind=COMPLETENESS, severity="error",
          message="缺少{table}（{doc_kind}公开必须公开的表）",
          describe="a table the document kind requires is absent")
    def missing_tables(doc): ...   # -> iterable of Finding (made with `finding(...)`)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from xlbudget.model import CellRef, Document, Finding

# the families of rules (Finding.kind for findings that come from a rule)
ARITHMETIC = "arithmetic"
NARRATIVE = "narrative"
COMPLETENESS = "completeness"
CONSISTENCY = "consistency"
WORDING = "wording"
PERFORMANCE = "performance"
EXTRACTION = "extraction"
KINDS = (ARITHMETIC, NARRATIVE, COMPLETENESS, CONSISTENCY, WORDING, PERFORMANCE, EXTRACTION)

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str  # stable slug, FAMILY.name (e.g. "TIE.income-expense")
    kind: str  # one of KINDS
    severity: str  # one of SEVERITIES
    message: str  # str.format template over the finding's fields
    describe: str  # one line for the README's table of checks
    tables: Tuple[str, ...] = ()  # table kinds it reads; () = the document as a whole
    find: Optional[Callable[[Document], Iterable[Finding]]] = field(default=None, compare=False)


REGISTRY: Dict[str, Rule] = {}


def rule(rule_id: str, *, kind: str, severity: str, message: str, describe: str,
         tables: Sequence[str] = ()) -> Callable:
    """Declare a rule whose instances ``fn(doc)`` finds; registered once, at import."""
    if kind not in KINDS:
        raise ValueError(f"{rule_id}: unknown kind {kind!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"{rule_id}: unknown severity {severity!r}")

    def register(fn: Callable[[Document], Iterable[Finding]]):
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} declared twice")
        REGISTRY[rule_id] = Rule(rule_id, kind, severity, message, describe, tuple(tables), fn)
        return fn

    return register


def finding(rule_id: str, cells: Sequence[CellRef] = (), page: Optional[int] = None,
            **fields) -> Finding:
    """A finding of a declared rule: its severity and message come from the declaration."""
    r = REGISTRY[rule_id]
    if page is None:
        page = next((c.page for c in cells if c.page), None)
    return Finding(id=r.id, severity=r.severity, message=r.message.format(**fields), cells=list(cells), page=page)


def run_declared(doc: Document, kinds: Sequence[str] = ()) -> List[Finding]:
    """Every declared rule with a finder (of the given kinds, or all) over one document."""
    out: List[Finding] = []
    for r in REGISTRY.values():
        if r.find is not None and (not kinds or r.kind in kinds):
            out.extend(r.find(doc))
    return out
