"""Pure data model of a disclosure: documents, tables, rows, cells, claims, findings.

No I/O here. Amounts are ``decimal.Decimal``; an empty cell is ``None`` and stays
distinguishable from a printed ``0.00``; a cell printed as ``——`` is ``DASH``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, List, Optional

from xlbudget.vocabulary import DASHES


class _Dash:
    """A cell printed as ``——``: it cannot hold a value (not zero, not blank)."""

    def __repr__(self) -> str:  # pragma: no cover - trivial
        return "DASH"

    def __reduce__(self):
        return (_dash, ())


def _dash():
    return DASH


DASH = _Dash()

# Document kinds
BUDGET = "预算"
FINAL = "决算"
PERFORMANCE = "绩效"


@dataclass(slots=True)
class Cell:
    """One cell of a table body: raw text plus parsed amount and provenance."""

    text: str
    value: Optional[Decimal] = None  # parsed amount, None when blank / not numeric
    page: Optional[int] = None  # 1-based PDF page

    @property
    def blank(self) -> bool:
        return self.text.strip() == ""

    @property
    def is_dash(self) -> bool:
        return self.text.strip() in DASHES


@dataclass(slots=True)
class Row:
    cells: List[Cell]
    page: Optional[int] = None
    code: Optional[str] = None  # rebuilt full function / economic code
    name: Optional[str] = None  # item name (科目名称 / 项目)
    level: Optional[int] = None  # 1 类, 2 款, 3 项 (function codes) or by code length
    is_total: bool = False  # a 合计 / 总计 row

    def texts(self) -> List[str]:
        return [c.text for c in self.cells]


@dataclass(slots=True)
class Table:
    """A standard table (or any other table found), stitched across pages."""

    kind: str  # canonical kind key, see classify.KINDS; "other" when unknown
    title: str
    header: List[List[str]]  # header rows, merged cells resolved (text in first cell)
    rows: List[Row]
    columns: List[str] = field(default_factory=list)  # one flattened name per column
    label: Optional[str] = None  # printed label (预算公开表1 / 公开01表), may be wrong
    unit: Optional[str] = None  # 万元 / 元
    pages: List[int] = field(default_factory=list)
    empty: bool = False  # printed "本表无数据"
    note: Optional[str] = None

    @property
    def n_cols(self) -> int:
        return len(self.columns) if self.columns else (len(self.header[0]) if self.header else 0)

    def grid(self) -> List[List[str]]:
        """The raw grid: header rows then body rows as text."""
        return [list(h) for h in self.header] + [r.texts() for r in self.rows]

    def col(self, *names: str) -> Optional[int]:
        """Index of the first column whose flattened name contains all ``names``."""
        for i, c in enumerate(self.columns):
            if all(n in c for n in names):
                return i
        return None

    def to_frame(self):
        """The table as printed, as a pandas DataFrame (see :func:`xlbudget.frames.table_frame`)."""
        from xlbudget.frames import table_frame

        return table_frame(self)

    def find_row(self, code: Optional[str] = None, name: Optional[str] = None) -> Optional[Row]:
        for r in self.rows:
            if code is not None and r.code == code:
                return r
        if name is not None:
            for r in self.rows:
                if r.name and _norm_name(r.name) == _norm_name(name):
                    return r
        return None


def _norm_name(s: str) -> str:
    return "".join(s.split()).replace("(", "（").replace(")", "）")


@dataclass(slots=True)
class Claim:
    """A checkable statement of the narrative (情况说明)."""

    subject: str  # e.g. 基本支出, 项目支出, "三公"经费, 机关运行经费, 支出预算
    amount: Optional[Decimal] = None  # 万元 amount stated
    share: Optional[Decimal] = None  # 占 xx.xx%
    change: Optional[Decimal] = None  # 比上年增减额 (signed)
    change_rate: Optional[Decimal] = None  # 比上年增减率 % (signed); None for ∞
    change_rate_infinite: bool = False
    execution_rate: Optional[Decimal] = None  # 完成年初预算的 xx%
    page: Optional[int] = None
    text: str = ""
    scope: Optional[str] = None  # funds named before the subject: 一般公共预算 / 财政拨款 / 政府性基金预算 …
    qualifier: Optional[str] = None  # words between subject and amount: 年初预算 / 预算数 / 决算 …
    pos: int = 0  # offset in the narrative stream (ordering only)
    budget: Optional[Decimal] = None  # 年初预算 of a "年初预算A，决算B，完成年初预算的R%" claim (amount = B)
    # statements (Document.statements) that are not an amount of a subject:
    comparison: Optional[str] = None  # "决算数小于预算数": 大于 / 小于 / 等于, of amount against budget
    count: Optional[int] = None  # "团组3个", "保有量0辆", "接待23批次": how many
    count_unit: Optional[str] = None  # 个 / 人次 / 辆 / 批次


@dataclass(frozen=True, slots=True)
class Line:
    """A line of text outside the tables (cover, 目录, narrative, notes under a table)."""

    page: int  # 1-based PDF page
    text: str


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """One entry of the document's 目录 (table of contents)."""

    title: str  # as printed, without its ordinal (一、) and page number
    page: int  # the PDF page the 目录 prints it on
    target: Optional[int] = None  # the page number printed after the title, when there is one
    kind: Optional[str] = None  # the table kind a table's title names (catalogue); None for a section


@dataclass(slots=True)
class Document:
    department: Optional[str]
    year: Optional[int]
    kind: str  # 预算 / 决算 / 绩效
    unit: Optional[str]
    source: str
    tables: List[Table] = field(default_factory=list)
    claims: List[Claim] = field(default_factory=list)
    # other checkable sentences of the narrative: comparisons of 决算 with 预算, counts of trips/cars/visits
    statements: List[Claim] = field(default_factory=list)
    n_pages: int = 0
    warnings: List[str] = field(default_factory=list)
    # what the importer was unsure about while reading (findings of kind "extraction")
    diagnostics: List["Finding"] = field(default_factory=list)
    # the text outside the tables, in reading order, and the 目录 read from it (empty when the
    # document was read back from a workbook)
    lines: List[Line] = field(default_factory=list)
    contents: List[ContentsEntry] = field(default_factory=list)

    def doubt(self, slug: str, message: str, cells: Optional[List["CellRef"]] = None,
              page: Optional[int] = None) -> "Finding":
        """Record an extraction warning: the importer read something implausible here."""
        f = extraction_warning(slug, message, cells, page)
        self.diagnostics.append(f)
        return f

    def table(self, kind: str) -> Optional[Table]:
        for t in self.tables:
            if t.kind == kind:
                return t
        return None

    def tables_of(self, kind: str) -> List[Table]:
        return [t for t in self.tables if t.kind == kind]

    def to_frame(self):
        """One tidy long pandas DataFrame, one row per printed amount (see
        :func:`xlbudget.frames.document_frame`)."""
        from xlbudget.frames import document_frame

        return document_frame(self)


def table_keys(doc: Document) -> Dict[int, str]:
    """id(table) -> its key in the document: the kind, or kind_N for the N-th table of a
    repeated kind. The key names the table's sheet and every :class:`CellRef` into it."""
    keys: Dict[int, str] = {}
    counts: Dict[str, int] = {}
    for t in doc.tables:
        counts[t.kind] = counts.get(t.kind, 0) + 1
        n = counts[t.kind]
        keys[id(t)] = t.kind if n == 1 else f"{t.kind}_{n}"
    return keys


@dataclass(frozen=True, slots=True)
class CellRef:
    table: str  # table kind (sheet key)
    row: int  # 0-based body row index
    col: int  # 0-based column index
    page: Optional[int] = None


@dataclass(slots=True)
class Finding:
    id: str  # rule id, e.g. TREE, SPLIT, TIE, BALANCE
    severity: str  # error / warning / info
    message: str
    cells: List[CellRef] = field(default_factory=list)
    expected: Optional[Decimal] = None
    actual: Optional[Decimal] = None
    tolerance: Optional[Decimal] = None
    page: Optional[int] = None  # the PDF page, when no cell carries it
    # the family of its rule (checks/registry.py KINDS: arithmetic, narrative, completeness, …), set
    # by registry.finding; "extraction" for the importer's doubts; "" for a finding of no declared rule
    family: str = ""

    def __post_init__(self):
        if not self.family and self.id.startswith(EXTRACTION_PREFIX):
            self.family = EXTRACTION_FAMILY

    @property
    def kind(self) -> str:
        """extraction (the importer doubts its reading) or check (the document is inconsistent)."""
        return "extraction" if self.id.startswith(EXTRACTION_PREFIX) else "check"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "family": self.family,
            "severity": self.severity,
            "page": self.page,
            "message": self.message,
            "expected": None if self.expected is None else str(self.expected),
            "actual": None if self.actual is None else str(self.actual),
            "tolerance": None if self.tolerance is None else str(self.tolerance),
            "cells": [
                {"table": c.table, "row": c.row, "col": c.col, "page": c.page} for c in self.cells
            ],
        }


EXTRACTION_PREFIX = "EXTRACT."
EXTRACTION_FAMILY = "extraction"  # the family of the importer's doubts (registry.EXTRACTION)


def extraction_warning(slug: str, message: str, cells: Optional[List[CellRef]] = None,
                       page: Optional[int] = None) -> Finding:
    """A warning finding of kind "extraction": ``EXTRACT.<slug>`` (e.g. EXTRACT.fragment-row)."""
    return Finding(EXTRACTION_PREFIX + slug, "warning", message, cells=list(cells or []), page=page)


class XlbudgetError(Exception):
    """A clear, user-facing error (bad input, unreadable file...).

    Each error knows its exit code; the command line prints it as ONE line
    ``xlbudget: error: <what>, <which file>, <what to do>`` (``hint`` is the last part).
    """

    exit_code = 2

    def __init__(self, message: str = "", hint: Optional[str] = None):
        super().__init__(message)
        self.hint = hint

    def line(self) -> str:
        """The message and its hint on one line (no newline or control character)."""
        text = str(self) + (f"; {self.hint}" if self.hint else "")
        return "".join(ch if ch.isprintable() else " " for ch in text)


class UsageError(XlbudgetError):
    """The command line asks for something impossible (wrong -o extension, too few inputs...)."""


class InputError(XlbudgetError):
    """An input file that cannot be used (missing, not a PDF, encrypted, damaged, no disclosure...)."""


class LimitError(InputError):
    """An input exceeds a safety limit (pages, characters, decompressed bytes): refused, not read."""


class OutputError(XlbudgetError):
    """The output cannot be written (missing folder, permissions...)."""

