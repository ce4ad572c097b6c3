"""The registry of rules: every check xlbudget runs is one declaration here.

A declaration says what a reviewer needs to know about a rule — its stable id, its family, how
bad a failure is, which tables it reads and what the finding says — and names the function that
finds its instances in a document. From the declarations come the Python findings, the 校验 rows
of the workbook, the UDFs and the README's table of checks.

    @rule("COMPLETE.missing-table", kind=COMPLETENESS, severity="error",
          message="缺少{table}（{doc_kind}公开必须公开的表）",
          describe="a table the document kind requires is absent")
    def missing_tables(doc): ...   # -> iterable of Finding (made with `finding(...)`)

A rule whose instances are identities between cells is declared with :func:`sum_rule` (or
:func:`ratio_rule`): its function only locates the cells — the total and its terms — and the
engine (checks/engine.py) evaluates them rounding-aware, writes each as a live formula in 校验
and turns a failure into a finding with the declared message:

    @sum_rule("UNITS.sum", tables=("b11",), describe="机关运行经费 部门合计 = sum of units")
    def units(ctx, t): yield "部门合计 = 各单位之和", ctx.ref(t, i, j), [ctx.ref(t, k, j) for k in units]

The README's table of checks is generated from here: ``python -m xlbudget.checks.registry --markdown``
prints it, ``--write README.md`` puts it between the README's markers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from xlbudget.model import EXTRACTION_FAMILY, CellRef, Document, Finding

# the families of rules (Finding.family of the findings a rule makes)
ARITHMETIC = "arithmetic"
NARRATIVE = "narrative"
COMPLETENESS = "completeness"
CONSISTENCY = "consistency"
WORDING = "wording"
PERFORMANCE = "performance"
EXTRACTION = EXTRACTION_FAMILY  # the importer's doubts (EXTRACT.*: model.extraction_warning)
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
    # the checks of an identity rule: locate(ctx, table) per table of ``tables`` (scope "table")
    # or locate(ctx) once (scope "document"); the engine evaluates them and renders their formula
    locate: Optional[Callable] = field(default=None, compare=False)
    scope: str = "table"
    formula: str = ""  # the live formula its checks get in 校验: "sum", "ratio", or "" (none)


REGISTRY: Dict[str, Rule] = {}


def rule(rule_id: str, *, kind: str, severity: str, message: str, describe: str,
         tables: Sequence[str] = ()) -> Callable:
    """Declare a rule whose instances ``fn(doc)`` finds; registered once, at import."""
    _valid(rule_id, kind, severity)  # said at the declaration, before the function is defined

    def register(fn: Callable[[Document], Iterable[Finding]]):
        _register(Rule(rule_id, kind, severity, message, describe, tuple(tables), fn))
        return fn

    return register


def declare(rule_id: str, *, kind: str, severity: str, message: str, describe: str,
            tables: Sequence[str] = (), formula: str = "") -> Rule:
    """Declare a rule whose instances another declaration's function finds (one locator of a
    收支总表 yields several identities): it has its id, message and README line all the same."""
    return _register(Rule(rule_id, kind, severity, message, describe, tuple(tables), formula=formula))


def _valid(rule_id: str, kind: str, severity: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"{rule_id}: unknown kind {kind!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"{rule_id}: unknown severity {severity!r}")


def _register(r: Rule) -> Rule:
    _valid(r.id, r.kind, r.severity)
    if r.id in REGISTRY:
        raise ValueError(f"rule {r.id} declared twice")
    REGISTRY[r.id] = r
    return r


# the message of every failed identity: the label its locator gives, the two sides, the allowance
SUM_MESSAGE = "{label}: 表列 {table} ≠ 计算 {computed}（差 {diff}，容差 {tol}）"


def sum_rule(rule_id: str, *, tables: Sequence[str], describe: str, severity: str = "error",
             kind: str = ARITHMETIC, message: str = SUM_MESSAGE, scope: str = "table") -> Callable:
    """Declare an identity ``total = Σ terms``: the function locates its instances, ``fn(ctx, t)``
    for each table of ``tables`` (``fn(ctx)`` once with ``scope="document"``), yielding
    ``(label, total, terms)`` — or :class:`~xlbudget.checks.engine.Check` objects when it locates
    the instances of several declared ids at once. The Python check, the 校验 row with its live
    formula and the README line follow from this one declaration."""
    return _identity(rule_id, tables, describe, severity, kind, message, scope, "sum")


def ratio_rule(rule_id: str, *, tables: Sequence[str], describe: str, message: str, severity: str = "error",
               kind: str = ARITHMETIC, scope: str = "table") -> Callable:
    """Declare a printed percentage = numerator / denominator × 100: the function yields
    :class:`~xlbudget.checks.engine.RatioCheck` objects; evaluated, rendered and reported like a sum."""
    return _identity(rule_id, tables, describe, severity, kind, message, scope, "ratio")


def _identity(rule_id, tables, describe, severity, kind, message, scope, formula) -> Callable:
    if scope not in ("table", "document"):
        raise ValueError(f"{rule_id}: unknown scope {scope!r}")

    def register(fn: Callable):
        _register(Rule(rule_id, kind, severity, message, describe, tuple(tables), locate=fn, scope=scope,
                       formula=formula))
        return fn

    return register


def finding(rule_id: str, cells: Sequence[CellRef] = (), page: Optional[int] = None, *,
            expected=None, actual=None, tolerance=None, **fields) -> Finding:
    """A finding of a declared rule: its severity and message come from the declaration
    (``expected``/``actual``/``tolerance`` are kept on the finding and may appear in the message)."""
    r = REGISTRY[rule_id]
    if page is None:
        page = next((c.page for c in cells if c.page), None)
    message = r.message.format(expected=expected, actual=actual, tolerance=tolerance, **fields)
    return Finding(id=r.id, severity=r.severity, message=message, cells=list(cells), page=page,
                   expected=expected, actual=actual, tolerance=tolerance, family=r.kind)


def run_declared(doc: Document, kinds: Sequence[str] = ()) -> List[Finding]:
    """Every declared rule with a finder (of the given kinds, or all) over one document."""
    out: List[Finding] = []
    for r in REGISTRY.values():
        if r.find is not None and (not kinds or r.kind in kinds):
            out.extend(r.find(doc))
    return out


# ids of the rules before they were declarations (``TREE`` then, ``TREE.children-sum`` now): the
# 问题 and 校验 sheets of workbooks written before carry them; several rules shared one old id
LEGACY_IDS: Dict[str, Tuple[str, ...]] = {
    "TREE": ("TREE.children-sum", "TREE.total-of-classes", "TREE.econ-items", "TREE.econ-total"),
    "SPLIT": ("SPLIT.total-columns", "SPLIT.current-carry"),
    "SUMMARY": ("SUMMARY.income-items", "SUMMARY.expense-items", "SUMMARY.expense-uses"),
    "BALANCE": ("BALANCE.income-expense", "BALANCE.grand-totals", "BALANCE.carry-over"),
    "TIE": ("TIE.income-expense", "TIE.basic-economic", "TIE.fiscal-general", "TIE.summary-income",
            "TIE.summary-expense", "TIE.final-income", "TIE.final-expense", "TIE.final-general",
            "TIE.final-basic"),
    "SANGONG": ("SANGONG.parts", "SANGONG.vehicles", "SANGONG.with-meetings"),
    "UNITS": ("UNITS.sum",),
    "PERF-FUNDS": ("PERF.funds",), "PERF-SCORE": ("PERF.score",), "PERF-EXEC": ("PERF.exec",),
    "PERF-GRADE": ("PERF.grade",), "PERF-TIE": ("PERF.tie",),
    "NARR": ("NARR.amount",), "NARR-SHARE": ("NARR.share",), "NARR-RATE": ("NARR.rate",), "NARR-EXEC": ("NARR.exec",),
}


# ---------------------------------------------------------------- the README's table of checks

README_BEGIN = "<!-- checks table: generated by `python -m xlbudget.checks.registry --write README.md` -->"
README_END = "<!-- end of the generated checks table -->"
_FORMULA_WORDS = {"sum": "sum", "ratio": "ratio", "": ""}


def markdown_table(rules: Optional[Iterable[Rule]] = None) -> str:
    """The README's table of checks: one line per declared rule, in declaration order."""
    if rules is None:
        from xlbudget.checks import rules as _families  # noqa: F401  (importing it declares every family)
    rows = ["| id | family | severity | tables | live formula | what |", "| --- | --- | --- | --- | --- | --- |"]
    for r in (REGISTRY.values() if rules is None else rules):
        tables = ", ".join(r.tables) if r.tables else "document"
        what = r.describe.replace("|", "\\|")
        rows.append(f"| `{r.id}` | {r.kind} | {r.severity} | {tables} | {_FORMULA_WORDS.get(r.formula, r.formula)} | {what} |")
    return "\n".join(rows)


def readme_with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    start, end = readme.find(README_BEGIN), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError("README has no checks-table markers")
    return readme[:start + len(README_BEGIN)] + "\n" + table + "\n" + readme[end:]


def readme_table(readme: str) -> str:
    """The table between the markers of ``readme``, as written."""
    start, end = readme.find(README_BEGIN), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError("README has no checks-table markers")
    return readme[start + len(README_BEGIN):end].strip("\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m xlbudget.checks.registry",
                                 description="the table of every declared check, for the README")
    ap.add_argument("--markdown", action="store_true", help="print the table (the default)")
    ap.add_argument("--write", metavar="README", help="replace the table between the markers of this file")
    args = ap.parse_args(argv)
    # run as __main__ this file is a second module object: read the registry the families fill
    from xlbudget.checks import registry

    table = registry.markdown_table()
    if args.write:
        with open(args.write, encoding="utf-8") as fh:
            text = fh.read()
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write(registry.readme_with_table(text, table))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
