"""A fact, once: the tidy records of a document and their pandas frames.

One *value fact* is one amount printed in a table: which document (department, year, document
kind), which table (its key, kind and title), which row (index, 类/款/项 code, name, level,
total or not), which column (index, flattened printed header), the amount, its printed text, its
unit and its page. One *finding fact* is one finding of the checks. The fact store
(:mod:`xlbudget.write.facts`), :meth:`Document.to_frame` and the comparison / batch-summary frames
are all built here, so a fact has one shape everywhere.

The records are plain columns (``{name: [values…]}``) built without pandas; pandas is imported
only by the ``*_frame`` functions (the model stays importable without it).

    >>> frame = doc.to_frame()                       # one row per printed amount
    >>> frame[frame.table_kind == "b10"][["column", "value"]]
    >>> doc.table("b03").to_frame()                  # the table as printed, its header as columns
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from xlbudget.catalogue import sheet_name
from xlbudget.model import Document, Finding, Row, Table, table_keys
from xlbudget.numbers import looks_numeric
from xlbudget.vocabulary import LEVEL_NAMES

Records = Dict[str, List[Any]]

# where a document comes from: the first columns of every fact
DOCUMENT_COLUMNS = ("department", "year", "doc_kind")
VALUE_COLUMNS = DOCUMENT_COLUMNS + (
    "table", "table_kind", "table_title", "row", "row_code", "row_name", "level", "is_total",
    "col", "column", "value", "text", "unit", "page")
FINDING_COLUMNS = DOCUMENT_COLUMNS + (
    "rule_id", "kind", "family", "severity", "message", "table", "row", "col", "page", "cells", "expected", "actual",
    "tolerance")
# a column header split into its printed levels ("“三公”经费/小计" -> ("“三公”经费", "小计"))
HEADER_SEP = "/"


def _records(columns: Iterable[str]) -> Records:
    return {c: [] for c in columns}


def _number(v) -> Optional[float]:
    """An amount as a float (a fact store column); the exact printed figure stays in ``text``."""
    return None if v is None else float(v)


def _label_left_of(r: Row, j: int) -> Optional[str]:
    """The nearest text cell left of column ``j``: what a value of a row without a name is (the
    two-sided 收支总表 prints label | amount | label | amount on one row)."""
    for k in range(min(j, len(r.cells)) - 1, -1, -1):
        txt = r.cells[k].text.strip()
        if txt and r.cells[k].value is None and not looks_numeric(txt) and not r.cells[k].is_dash:
            return txt
    return None


def _row_name(r: Row, j: int) -> Optional[str]:
    """The row's name; in a two-sided layout (an amount between the name and column ``j``) the
    label of ``j``'s own side."""
    name = (r.name or "").strip()
    if not name or looks_numeric(name):
        return _label_left_of(r, j)
    at = next((k for k, c in enumerate(r.cells[:j]) if c.text.strip() == name), None)
    if at is not None and any(c.value is not None for c in r.cells[at + 1:j]):
        return _label_left_of(r, j) or name
    return name


def value_records(doc: Document) -> Records:
    """One record per amount of every table of ``doc`` (columns: :data:`VALUE_COLUMNS`)."""
    out = _records(VALUE_COLUMNS)
    keys = table_keys(doc)
    for t in doc.tables:
        key = keys[id(t)]
        unit = t.unit or doc.unit
        for i, r in enumerate(t.rows):
            for j, c in enumerate(r.cells):
                if c.value is None:
                    continue
                for name, v in (
                        ("department", doc.department), ("year", doc.year), ("doc_kind", doc.kind),
                        ("table", key), ("table_kind", t.kind), ("table_title", t.title or sheet_name(t.kind)),
                        ("row", i), ("row_code", r.code), ("row_name", _row_name(r, j)),
                        ("level", LEVEL_NAMES.get(r.level) if r.level else None), ("is_total", bool(r.is_total)),
                        ("col", j), ("column", t.columns[j] if j < len(t.columns) else None),
                        ("value", _number(c.value)), ("text", c.text.strip()), ("unit", unit),
                        ("page", c.page or r.page)):
                    out[name].append(v)
    return out


def finding_records(doc: Document, findings: Iterable[Finding]) -> Records:
    """One record per finding (columns: :data:`FINDING_COLUMNS`); the table, row, column and page
    are those of its first cell, ``cells`` lists them all."""
    out = _records(FINDING_COLUMNS)
    for f in findings:
        first = f.cells[0] if f.cells else None
        cells = "; ".join(f"{c.table} r{c.row + 1}c{c.col + 1}" + (f" p{c.page}" if c.page else "") for c in f.cells)
        for name, v in (
                ("department", doc.department), ("year", doc.year), ("doc_kind", doc.kind),
                ("rule_id", f.id), ("kind", f.kind), ("family", f.family), ("severity", f.severity), ("message", f.message),
                ("table", first.table if first else None), ("row", first.row if first else None),
                ("col", first.col if first else None), ("page", f.page or (first.page if first else None)),
                ("cells", cells or None), ("expected", _number(f.expected)), ("actual", _number(f.actual)),
                ("tolerance", _number(f.tolerance))):
            out[name].append(v)
    return out


# ----------------------------------------------------------------- pandas (imported here only)

def _frame(records: Records, integers: Iterable[str] = ()):
    import pandas as pd

    frame = pd.DataFrame(records)
    for c in integers:  # a year, a row, a page: integers with gaps, not floats
        if c in frame:
            frame[c] = frame[c].astype("Int64")
    return frame


def document_frame(doc: Document):
    """The tidy long frame of ``doc``: one row per printed amount (:data:`VALUE_COLUMNS`)."""
    return _frame(value_records(doc), ("year", "row", "col", "page"))


def findings_frame(doc: Document, findings: Iterable[Finding]):
    """One row per finding (:data:`FINDING_COLUMNS`)."""
    return _frame(finding_records(doc, findings), ("year", "row", "col", "page"))


def table_frame(t: Table):
    """One table as printed: its header as the columns (a MultiIndex when the header has
    levels), one row per body row; an amount column holds floats (blank, ``——`` -> NaN), any
    other column (codes, names) the printed text. ``frame.attrs`` keeps kind, title, unit and pages."""
    import pandas as pd

    n = t.n_cols
    heads = [t.columns[j] if j < len(t.columns) else f"列{j + 1}" for j in range(n)]
    # an amount column: no cell holding text other than an amount or a dash (a blank column too)
    amounts = {j for j in range(n) if not any(
        j < len(r.cells) and r.cells[j].value is None and r.cells[j].text.strip() and not r.cells[j].is_dash
        for r in t.rows)}
    data = {}
    for j in range(n):
        cells = [r.cells[j] if j < len(r.cells) else None for r in t.rows]
        if j in amounts:
            data[j] = [_number(c.value) if c is not None else None for c in cells]
        else:
            data[j] = [c.text.strip() if c is not None else "" for c in cells]
    frame = pd.DataFrame(data, columns=range(n))
    for j in amounts:
        frame[j] = frame[j].astype("float64")
    parts = [h.split(HEADER_SEP) for h in heads]
    depth = max((len(p) for p in parts), default=1)
    if depth > 1:
        frame.columns = pd.MultiIndex.from_tuples([tuple(p + [""] * (depth - len(p))) for p in parts])
    else:
        frame.columns = heads
    frame.attrs.update(kind=t.kind, title=t.title, unit=t.unit, pages=list(t.pages))
    return frame


def comparison_frame(comp):
    """A comparison (:class:`xlbudget.compare.core.Comparison`) as one long frame: one row per
    table, item, measure and period, with the value, 增减额, 增减率 (%) and its flag, and where the
    value came from. The totals overview is the table ``总览``."""
    cols = ("table", "table_name", "item", "code", "name", "level", "is_total", "measure", "period",
            "period_label", "year", "doc_kind", "value", "change", "change_rate", "change_flag", "source")
    out = _records(cols)
    for tc in [comp.totals, *comp.tables]:
        for it in tc.items:
            for m, vals in it.values.items():
                changes = it.changes.get(m, [])
                for p in comp.periods:
                    ch = changes[p.index] if p.index < len(changes) else None
                    src = it.sources[p.index] if p.index < len(it.sources) else None
                    for name, v in (
                            ("table", tc.key), ("table_name", tc.name), ("item", it.key), ("code", it.code),
                            ("name", it.name), ("level", LEVEL_NAMES.get(it.level) if it.level else None),
                            ("is_total", bool(it.is_total)), ("measure", m), ("period", p.index),
                            ("period_label", p.label), ("year", p.year), ("doc_kind", p.kind),
                            ("value", _number(vals[p.index])),
                            ("change", _number(ch.amount) if ch else None),
                            ("change_rate", _number(ch.rate) if ch else None),
                            ("change_flag", (ch.flag or None) if ch else None), ("source", src)):
                        out[name].append(v)
    return _frame(out, ("period", "year"))


def summary_frame(results):
    """A batch summary (:class:`xlbudget.batch.BatchResult` rows) as a frame: one row per file,
    each main total in a column of its own."""
    rows = []
    for r in results:
        row = {k: v for k, v in vars(r).items() if k not in ("totals", "facts")}
        row.update({k: _number(v) for k, v in (r.totals or {}).items()})
        rows.append(row)
    return _frame({k: [row.get(k) for row in rows] for k in dict.fromkeys(k for row in rows for k in row)},
                  ("year", "pages", "failed_checks", "warnings"))
