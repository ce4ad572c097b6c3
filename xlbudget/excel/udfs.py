"""Excel user-defined functions and macros over the rule engine (xlwings).

Everything here is a plain Python function first. The xlwings decorators only
attach metadata (``__xlfunc__`` on Windows, nothing at all elsewhere) and return
the function itself, so tests call ``XLB_SUMCHECK(5670.31, [5660.05, 10.27])``
directly and Excel calls the very same code.

UDFs (Windows Excel, via the xlwings add-in with ``UDF Modules = xlbudget.excel.udfs``)::

    =XLB_SUMCHECK(total, terms, [decimals])      "OK" / "FAIL: diff -4.00 (tol 0.010)"
    =XLB_TOLERANCE(total, terms, [decimals])     0.015
    =XLB_TREECHECK(codes, [amounts], [names])    column of "OK" / "FAIL: ..." per row
    =XLB_FULLCODE(codes, [names], [amounts])     column of rebuilt full codes
    =XLB_LEVEL(code)                              类 / 款 / 项
    =XLB_PARSE_AMOUNT(text)                       1234.5, or empty
    =XLB_CHECKS(path)                             table: id, severity, message, cells
    =XLB_FINDINGS(path)                           the same table, through a pandas DataFrame
    =XLB_TABLE(path, kind)                        one table of the disclosure (b03 or 预算支出总表)

The three that read a file run asynchronously (``async_mode="threading"``: Excel stays
responsive while a PDF is imported) and share one cache of imports (:func:`load_result`).

Macros (Windows and macOS Excel, via ``RunPython`` or the xlwings ``script``
runtimes): :func:`import_pdf_to_active` / :func:`import_pdf_to_active_caller`.

Design rules for the UDF functions below (they matter on Windows, where
xlwings inspects the signatures):

* no type annotations on UDFs: xlwings would turn them into converters;
* ``@xw.arg`` names must match the parameters exactly (xlwings raises otherwise);
* arrays are returned as lists of lists and spill as native dynamic arrays.
  Set ``XLBUDGET_LEGACY_ARRAYS=1`` before Excel starts the Python process to get
  the legacy ``expand='table'`` behaviour for Excel versions without dynamic arrays.
"""
from __future__ import annotations

import math
import os
import re
import threading
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import xlwings as xw

from xlbudget.codes import code_text, level_of, parent_of, rebuild_codes
from xlbudget.model import CellRef, Document, Finding, XlbudgetError
from xlbudget.numbers import consistent, parse_amount, tolerance
from xlbudget.checks.rules import sum_check
from xlbudget.text import excel_text, sheet_title
from xlbudget.vocabulary import LEVEL_NAMES

CATEGORY = "xlbudget"
CHECKS_HEADER = ["id", "severity", "message", "cells"]
PDF_NAME = "XLB_PDF"  # workbook name holding the PDF path for the import macro
FINDINGS_SHEET = "问题"  # as in the workbook writer (校验 there holds the live check formulas)

_ARRAY_RET: Dict[str, Any] = {"expand": "table"} if os.environ.get("XLBUDGET_LEGACY_ARRAYS") == "1" else {}
_TOTAL_RE = re.compile(r"^(合计|总计|部门合计|本年支出合计)$")


# ---------------------------------------------------------------- value conversion (pure)

def to_decimal(x: Any) -> Optional[Decimal]:
    """An Excel cell value as an exact Decimal; ``None`` for blanks and text that is no amount.

    Excel hands numbers over as binary floats, so ``5660.05 + 10.27`` arrives as
    ``5670.320000000001``. Rounding to 10 places and going through ``repr``
    recovers the decimal the user typed or the formula meant (``5670.32``),
    while keeping the printed precision (``20.1`` stays one decimal) for the
    tolerance. Booleans, errors and NaN are not amounts.
    """
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        r = round(x, 10)
        if r == int(r) and abs(r) < 1e15:
            return Decimal(int(r))
        return Decimal(repr(r))
    if isinstance(x, str):
        return parse_amount(x)
    try:  # numpy scalars and the like
        return to_decimal(float(x))
    except (TypeError, ValueError):
        return None


def _num(v: Optional[Decimal]) -> Any:
    """Decimal -> float for Excel; None -> "" (an empty-looking cell)."""
    return "" if v is None else float(v)


def _flatten(x: Any) -> List[Any]:
    """A scalar, a row, a column or a block as one flat list (row by row)."""
    if isinstance(x, (list, tuple)):
        out: List[Any] = []
        for v in x:
            out.extend(_flatten(v))
        return out
    return [x]


def _as_rows(x: Any) -> List[List[Any]]:
    """Normalise to 2D. A flat list is a column (one value per row)."""
    if isinstance(x, (list, tuple)):
        if not x:
            return []
        if any(isinstance(v, (list, tuple)) for v in x):
            return [list(v) if isinstance(v, (list, tuple)) else [v] for v in x]
        return [[v] for v in x]
    return [[x]]


def _column(x: Any) -> List[Any]:
    """One value per row: a column range, a row range or a list."""
    rows = _as_rows(x)
    if len(rows) == 1 and len(rows[0]) > 1:  # a single row range: treat as a list
        return list(rows[0])
    return [r[0] if r else None for r in rows]


def code_piece(x: Any) -> Optional[str]:
    """A printed code cell as text. Excel turns ``03`` typed as a number into 3: pad it back."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, float):
        if not math.isfinite(x) or x != int(x) or x < 0:
            return None
        x = int(x)
    if isinstance(x, int):
        s = str(x)
    else:
        s = str(x).strip()
    if re.fullmatch(r"\d", s):
        s = s.zfill(2)
    return s or None


def _text(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x == int(x):
        return str(int(x))
    return str(x).strip()


# ---------------------------------------------------------------- plain cores

def sum_check_text(total: Any, terms: Any, decimals: Any = 2) -> str:
    ok, diff, tol = sum_check(to_decimal(total), [to_decimal(t) for t in _flatten(terms)], _decimals(decimals))
    return "OK" if ok else f"FAIL: diff {diff} (tol {tol})"


def _decimals(d: Any) -> int:
    if d is None or d == "":
        return 2
    try:
        return int(d)
    except (TypeError, ValueError):
        return 2


def full_codes(codes: Any, names: Any = None, amounts: Any = None) -> List[Optional[str]]:
    """Rebuild full codes from a column of printed (possibly split) codes."""
    pieces = [code_piece(c) for c in _column(codes)]
    n = len(pieces)
    nm = _pad([_text(v) or None for v in _column(names)] if names is not None else [], n)
    if amounts is None:
        am: List[Optional[Decimal]] = [None] * n
    else:
        am = _pad([_first_amount(r) for r in _as_rows(amounts)], n)
    return rebuild_codes(pieces, nm, am)


def _pad(xs: List[Any], n: int) -> List[Any]:
    return (list(xs) + [None] * n)[:n]


def _first_amount(row: Sequence[Any]) -> Optional[Decimal]:
    for v in row:
        d = to_decimal(v)
        if d is not None:
            return d
    return None


def _split_table(codes: Any, amounts: Any, names: Any) -> Tuple[List[Any], List[List[Any]], Optional[List[Any]]]:
    """Accept (codes, amounts[, names]) or one range: code | amount, or code | name | amount(s)."""
    if amounts is not None:
        return _column(codes), _as_rows(amounts), (_column(names) if names is not None else None)
    rows = _as_rows(codes)
    width = max((len(r) for r in rows), default=0)
    if width < 2:
        raise XlbudgetError("XLB_TREECHECK needs a codes column and an amounts column")
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    col1 = [r[1] for r in rows]
    texty = sum(1 for v in col1 if isinstance(v, str) and v.strip() and to_decimal(v) is None)
    numeric = sum(1 for v in col1 if to_decimal(v) is not None)
    if width >= 3 and texty >= numeric:
        return [r[0] for r in rows], [r[2:] for r in rows], col1
    return [r[0] for r in rows], [r[1:] for r in rows], names


def tree_check_rows(codes: Any, amounts: Any = None, names: Any = None) -> List[str]:
    """Per row: "OK", "FAIL: ..." (a parent that is not the sum of its children) or "" (no code).

    Parents are found by rebuilding full codes (split ``201`` / ``03`` / ``01``
    codes included); a row whose code cell reads 合计/总计 is checked against the
    sum of the 类 rows. Every amount column is checked; blanks are zero and add
    no tolerance.
    """
    code_col, amount_rows, name_col = _split_table(codes, amounts, names)
    n = len(code_col)
    amount_rows = _pad(amount_rows, n)
    amount_rows = [[to_decimal(v) for v in (r or [])] for r in amount_rows]
    ncols = max((len(r) for r in amount_rows), default=0)
    amount_rows = [r + [None] * (ncols - len(r)) for r in amount_rows]
    names_list = _pad([_text(v) or None for v in name_col], n) if name_col is not None else [None] * n
    pieces = [code_piece(c) for c in code_col]
    full = rebuild_codes(pieces, names_list, [next((v for v in r if v is not None), None) for r in amount_rows])

    children: Dict[str, List[int]] = {}
    for i, c in enumerate(full):
        p = parent_of(c) if c else None
        if p:
            children.setdefault(p, []).append(i)
    tops = [i for i, c in enumerate(full) if c and len(c) == 3]

    out: List[str] = []
    for i, c in enumerate(full):
        if c:
            kids = children.get(c)
            label = c
        elif _TOTAL_RE.match("".join(_text(code_col[i]).split())) or _TOTAL_RE.match("".join((names_list[i] or "").split())):
            kids = tops
            label = "合计"
        else:
            out.append("")
            continue
        if not kids:
            out.append("OK")
            continue
        fails = []
        for j in range(ncols):
            ok, _, diff, tol = consistent(amount_rows[i][j], [amount_rows[k][j] for k in kids])
            if not ok:
                fails.append((j, diff, tol))
        if not fails:
            out.append("OK")
        elif ncols == 1:
            _, diff, tol = fails[0]
            out.append(f"FAIL: {label} diff {diff} (tol {tol})")
        else:
            out.append(f"FAIL: {label} " + "; ".join(f"col {j + 1} diff {d} (tol {t})" for j, d, t in fails))
    return out


# ---------------------------------------------------------------- documents and checks

RESULT_CACHE_SIZE = 8  # a few disclosures open at once; each entry holds a whole document and its checks
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_RESULTS: "OrderedDict[Tuple[str, int, int], Any]" = OrderedDict()
_RESULTS_LOCK = threading.Lock()  # guards the dict
_IMPORT_LOCK = threading.Lock()  # one import at a time: two async recalculations never read the same PDF twice


def _file_key(p: Path) -> Tuple[str, int, int]:
    """What identifies a file's contents without reading it: path, size, modification time."""
    st = p.stat()
    return str(p), st.st_size, st.st_mtime_ns


def _cached(key: Tuple[str, int, int]):
    with _RESULTS_LOCK:
        res = _RESULTS.get(key)
        if res is not None:
            _RESULTS.move_to_end(key)
        return res


def load_result(path: Any, base_dir: Optional[str] = None):
    """The :class:`xlbudget.api.Result` (document, checks, findings) of a disclosure PDF or an
    xlbudget workbook, through the one pipeline of :mod:`xlbudget.api`.

    Cached by (path, size, mtime), least recently used out past :data:`RESULT_CACHE_SIZE`:
    Excel recalculates often and a PDF import takes seconds; a rewritten file is read again.
    """
    p = resolve_path(path, base_dir)
    suffix = p.suffix.lower()
    if suffix != ".pdf" and suffix not in WORKBOOK_SUFFIXES:
        raise XlbudgetError(f"not a PDF or xlsx file: {p.name}")
    key = _file_key(p)
    res = _cached(key)
    if res is not None:
        return res
    from xlbudget import api

    with _IMPORT_LOCK:
        res = _cached(key)  # imported meanwhile by another thread
        if res is None:
            res = api.convert(str(p)) if suffix == ".pdf" else api.evaluate(api.load(str(p)))
            with _RESULTS_LOCK:
                _RESULTS[key] = res
                while len(_RESULTS) > RESULT_CACHE_SIZE:
                    _RESULTS.popitem(last=False)
    return res


def load_document(path: Any, base_dir: Optional[str] = None) -> Document:
    """A PDF (imported) or a workbook written by xlbudget (read back) as a Document (cached, see
    :func:`load_result`)."""
    return load_result(path, base_dir).document


def resolve_path(path: Any, base_dir: Optional[str] = None) -> Path:
    """A user-typed path: quotes stripped, ``~`` expanded, relative to ``base_dir`` when given."""
    s = _text(path).strip('"').strip("'").strip()
    if not s:
        raise XlbudgetError("no file given")
    p = Path(s).expanduser()
    if not p.is_absolute() and base_dir:
        p = Path(base_dir) / p
    p = p.resolve()
    if not p.is_file():
        raise XlbudgetError(f"file not found: {p}")
    return p


def _layout_addr(doc: Optional[Document]):
    """``ref -> "'预算支出总表'!C15"`` from the workbook writer's layout, or None without it."""
    if doc is None:
        return None
    try:
        from xlbudget.write.workbook import Layout  # written in parallel; optional

        layout = Layout(doc)
    except Exception:  # noqa: BLE001 - any mismatch: fall back to table keys
        return None
    return lambda ref: layout.addr(ref, absolute=False)


def format_cells(cells: Iterable[CellRef], doc: Optional[Document] = None) -> str:
    """Where the numbers of a finding are, with their PDF page.

    With the workbook writer's layout (the one :func:`import_pdf_to_active` and
    ``xlbudget import`` write): ``'预算支出总表'!C18 (p5); '预算收入总表'!C18 (p4)``.
    Without it: ``b03!r15c3 (p5)``, table key with 1-based body row and column.
    """
    addr = _layout_addr(doc)
    out = []
    for c in cells:
        s = None
        if addr is not None:
            try:
                s = addr(c)
            except Exception:  # noqa: BLE001
                s = None
        if s is None:
            s = f"{c.table}!r{c.row + 1}c{c.col + 1}"
        if c.page is not None:
            s += f" (p{c.page})"
        out.append(s)
    return "; ".join(out)


def findings_table(findings: Iterable[Finding], doc: Optional[Document] = None) -> List[List[Any]]:
    return [list(CHECKS_HEADER)] + [[f.id, f.severity, f.message, format_cells(f.cells, doc)] for f in findings]


def run_checks(path: Any, base_dir: Optional[str] = None) -> List[List[Any]]:
    """Header row plus one row per finding of the full rule engine. Raises XlbudgetError."""
    res = load_result(path, base_dir)
    return findings_table(res.findings, res.document)


def _error_table(e: Exception) -> List[List[Any]]:
    return [list(CHECKS_HEADER), ["ERROR", "error", f"{type(e).__name__}: {e}" if not isinstance(e, XlbudgetError) else str(e), ""]]


def _caller_dir(caller: Any) -> Optional[str]:
    """Directory of the workbook a UDF is called from (xlwings passes the calling range as ``caller``)."""
    if caller is None:
        return None
    try:
        full = caller.sheet.book.fullname
    except Exception:  # noqa: BLE001 - any COM failure just means "no base dir"
        return None
    if not full or "://" in full:
        return None
    return str(Path(full).parent)


# ---------------------------------------------------------------- UDFs

@xw.func(category=CATEGORY)
@xw.arg("total", doc="the stated total (a cell)")
@xw.arg("terms", ndim=2, doc="the parts (a range; blanks are zero and add no tolerance)")
@xw.arg("decimals", doc="printed decimals, default 2")
def XLB_SUMCHECK(total, terms, decimals=2):
    """Rounding-aware total = SUM(terms): "OK" or "FAIL: diff x (tol y)"."""
    return sum_check_text(total, terms, decimals)


@xw.func(category=CATEGORY)
@xw.arg("total", doc="the stated total (a cell)")
@xw.arg("terms", ndim=2, doc="the parts (a range)")
@xw.arg("decimals", doc="printed decimals, default 2")
def XLB_TOLERANCE(total, terms, decimals=2):
    """Tolerance for total = SUM(terms): half a unit of the last place for the total and each non-blank term."""
    return float(tolerance(to_decimal(total), [to_decimal(t) for t in _flatten(terms)], _decimals(decimals)))


@xw.func(category=CATEGORY)
@xw.arg("codes", ndim=2, doc="function codes (full or split 201/03/01), or the whole code|amount table")
@xw.arg("amounts", ndim=2, doc="amount column(s), same rows as codes")
@xw.arg("names", ndim=2, doc="optional item names (help to tell 款 from 项)")
@xw.ret(**_ARRAY_RET)
def XLB_TREECHECK(codes, amounts=None, names=None):
    """Per row: OK, or FAIL when a parent code is not the sum of its children."""
    try:
        return [[s] for s in tree_check_rows(codes, amounts, names)]
    except XlbudgetError as e:
        return [[f"ERROR: {e}"]]


@xw.func(category=CATEGORY)
@xw.arg("codes", ndim=2, doc="printed codes, full or split 201/03/01")
@xw.arg("names", ndim=2, doc="optional item names (help to tell 款 from 项)")
@xw.arg("amounts", ndim=2, doc="optional amounts (confirm 款 vs 项)")
@xw.ret(**_ARRAY_RET)
def XLB_FULLCODE(codes, names=None, amounts=None):
    """Full function codes (201, 20103, 2010301) rebuilt from split codes, one per row."""
    return [[c or ""] for c in full_codes(codes, names, amounts)]


@xw.func(category=CATEGORY)
@xw.arg("code", doc="a full code: 201, 20103, 2010301 (or split '201 03 01')")
def XLB_LEVEL(code):
    """类 (3 digits), 款 (5) or 项 (7); empty for anything else."""
    piece = code_piece(code)
    full = code_text(piece) if piece else None
    return LEVEL_NAMES.get(level_of(full) or 0, "")


@xw.func(category=CATEGORY)
@xw.arg("text", doc="a printed amount: 1,234.50, (16.28), ——")
def XLB_PARSE_AMOUNT(text):
    """The amount as a number; empty for blanks, dashes and text."""
    return _num(to_decimal(text))


@xw.func(category=CATEGORY, async_mode="threading")
@xw.arg("path", doc="path of a disclosure PDF or an xlbudget workbook (.xlsx); relative to this workbook")
@xw.ret(**_ARRAY_RET)
def XLB_CHECKS(path, caller=None):
    """All findings of the rule engine: a table with id, severity, message, cells."""
    try:
        return run_checks(path, _caller_dir(caller))
    except XlbudgetError as e:
        return _error_table(e)
    except Exception as e:  # noqa: BLE001 - a UDF should show the reason, not #VALUE!
        return _error_table(e)


def find_table(doc: Document, kind: Any):
    """The table named by ``kind``: its key (``b03``, ``b03_2``), its kind, or its sheet name
    (``预算支出总表``). Raises XlbudgetError listing what the document holds."""
    from xlbudget.catalogue import sheet_name as kind_sheet_name
    from xlbudget.model import table_keys

    want = _text(kind)
    keys = table_keys(doc)
    for match in (lambda t: keys[id(t)] == want, lambda t: t.kind == want,
                  lambda t: kind_sheet_name(t.kind) == want):
        for t in doc.tables:
            if match(t):
                return t
    held = ", ".join(f"{keys[id(t)]} {kind_sheet_name(t.kind)}" for t in doc.tables) or "no tables"
    raise XlbudgetError(f"no table {want!r} in {Path(doc.source).name}: {held}")


TABLE_EXTRA_COLUMNS = ["全编码", "级次", "页码"]  # as in the workbook writer's sheets


def table_frame(doc: Document, kind: Any):
    """One table as a DataFrame: the printed columns (amounts as numbers, blanks as None), then
    全编码, 级次 and 页码. Text goes through :func:`excel_values`, so nothing becomes a formula
    and a code such as ``03`` stays text (``'03``)."""
    import pandas as pd

    t = find_table(doc, kind)
    width = max([len(t.columns)] + [len(r.cells) for r in t.rows])
    columns = list(t.columns) + [f"列{k + 1}" for k in range(len(t.columns), width)]
    rows = []
    for r in t.rows:
        printed = [None if c.blank else _cell_out(c) for c in r.cells]
        rows.append(printed + [None] * (width - len(printed))
                    + [r.code, LEVEL_NAMES.get(r.level or 0) if r.code else None, r.page])
    return pd.DataFrame(excel_values(rows), columns=columns + TABLE_EXTRA_COLUMNS, dtype=object)


def findings_frame(rows: List[List[Any]]):
    """The findings table (header row first) as a DataFrame with safe text."""
    import pandas as pd

    return pd.DataFrame(excel_values(rows[1:]), columns=rows[0], dtype=object)


@xw.func(category=CATEGORY, async_mode="threading")
@xw.arg("path", doc="path of a disclosure PDF or an xlbudget workbook (.xlsx); relative to this workbook")
@xw.arg("kind", doc="the table: b03, b03_2 or its name 预算支出总表")
@xw.ret(index=False, **_ARRAY_RET)
def XLB_TABLE(path, kind, caller=None):
    """One table of a disclosure as a dynamic array: printed columns, then 全编码, 级次, 页码."""
    try:
        return table_frame(load_document(path, _caller_dir(caller)), kind)
    except Exception as e:  # noqa: BLE001 - a UDF should show the reason, not #VALUE!
        return findings_frame(_error_table(e))


@xw.func(category=CATEGORY, async_mode="threading")
@xw.arg("path", doc="path of a disclosure PDF or an xlbudget workbook (.xlsx); relative to this workbook")
@xw.ret(index=False, **_ARRAY_RET)
def XLB_FINDINGS(path, caller=None):
    """The findings of the rule engine as a dynamic array: id, severity, message, cells."""
    try:
        return findings_frame(run_checks(path, _caller_dir(caller)))
    except Exception as e:  # noqa: BLE001
        return findings_frame(_error_table(e))


# ---------------------------------------------------------------- import into the active workbook (pure part)

def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name (31 chars, no []:*?/\\, case-insensitive unique): the
    writer's :func:`~xlbudget.text.sheet_title`, ``taken`` left as it is."""
    return sheet_title(name, set(taken))


def _cell_out(cell) -> Any:
    return cell.value if cell.value is not None else cell.text


def own_layout(doc: Document) -> "OrderedDict[str, List[List[Any]]]":
    """Fallback when ``xlbudget.write.workbook.sheet_rows`` is missing; same shape as the writer's layout.

    One sheet per table: title, unit/pages/source, the printed header rows, one
    row of column names, then the body: the printed cells (amounts as Decimal,
    other cells as text), 全编码 (rebuilt full code), 级次 (类/款/项), 页码.
    """
    from xlbudget.catalogue import KINDS
    from xlbudget.model import table_keys

    keys = table_keys(doc)
    sheets: "OrderedDict[str, List[List[Any]]]" = OrderedDict()
    for t in doc.tables:
        key = keys[id(t)]
        base = KINDS.get(t.kind, (t.kind, None))[0]
        suffix = key[len(t.kind):]  # "" or "_2", "_3"...
        name = sheet_name(base + suffix, sheets.keys())
        rows: List[List[Any]] = [[t.title]]
        meta = []
        if t.unit:
            meta.append(f"单位：{t.unit}")
        if t.pages:
            meta.append("页码：" + ",".join(str(p) for p in t.pages))
        meta.append(f"表 {key}")
        if doc.source:
            meta.append(f"来源：{Path(doc.source).name}")
        rows.append(["  ".join(meta)])
        rows += [list(h) for h in t.header]
        rows.append(list(t.columns) + ["全编码", "级次", "页码"])
        if t.empty:
            rows.append(["本表无数据"])
        for r in t.rows:
            rows.append([_cell_out(c) for c in r.cells]
                        + [r.code or "", LEVEL_NAMES.get(r.level or 0, "") if r.code else "",
                           r.page if r.page is not None else ""])
        sheets[name] = rows
    return sheets


def document_sheets(doc: Document) -> "OrderedDict[str, List[List[Any]]]":
    """Sheet name -> rows for a document.

    The layout is the workbook writer's (``xlbudget.write.workbook.sheet_rows``), so
    cell addresses agree with ``xlbudget import`` output and with the 校验
    formulas; :func:`own_layout` only when that module is unavailable. A 问题
    sheet with the findings of the rule engine is added.
    """
    sheets = None
    try:
        from xlbudget.write import workbook as _wb  # written in parallel; optional
    except ImportError:
        _wb = None
    helper = None
    if _wb is not None:
        helper = getattr(_wb, "sheet_rows", None) or getattr(_wb, "fill_sheet_rows", None)
    from xlbudget.checks.rules import run

    _, checks, findings = run(doc)  # once: the 校验 rows and the 问题 sheet share it
    if callable(helper):
        sheets = OrderedDict(helper(doc))
        # 元数据 first (so the saved book reads back with read_workbook) and the live 校验 formulas
        if hasattr(_wb, "meta_rows") and hasattr(_wb, "check_rows"):
            sheets = OrderedDict([(_wb.META_SHEET, _wb.meta_rows(doc))] + list(sheets.items())
                                 + [(CHECK_SHEET, _wb.check_rows(doc, checks))])
    if sheets is None:
        sheets = own_layout(doc)
    if FINDINGS_SHEET not in sheets:
        sheets[FINDINGS_SHEET] = findings_table(findings, doc)
    return sheets


CHECK_SHEET = "校验"
_EXCEL_COERCES = re.compile(r"^\s*([=+\-@]|[\d\s.,:/%()\-eE]+$)")


def excel_values(rows: Sequence[Sequence[Any]], formulas: bool = False) -> List[List[Any]]:
    """Rows made safe for ``Range.value``: rectangular, Decimals as floats, text through
    :func:`xlbudget.text.excel_text` (no control or XML-illegal character, at most 32,767
    characters, and text that Excel would turn into a number, date or formula (``03``,
    ``2010301``, ``=x``, tab + ``=x``) kept as text with a leading apostrophe). ``formulas=True`` (our own 校验 sheet only) lets
    ``=…`` strings through as formulas."""
    width = max((len(r) for r in rows), default=0)
    out: List[List[Any]] = []
    for r in rows:
        line: List[Any] = []
        for v in r:
            if isinstance(v, Decimal):
                v = float(v)
            elif formulas and isinstance(v, str) and v.startswith("="):
                pass
            elif isinstance(v, str):
                v = excel_text(v, _EXCEL_COERCES)  # no XML-illegal character, within the cell limit
            elif v is not None and not isinstance(v, (str, int, float, bool)):
                v = str(v)
            line.append(v)
        out.append(line + [None] * (width - len(line)))
    return out


def pdf_setting(name_value: Any, a1_value: Any) -> str:
    """The PDF path: the XLB_PDF name wins over the active sheet's A1."""
    for v in (name_value, a1_value):
        s = _text(v)
        if s.startswith("="):  # a name defined as a constant: ="C:\x.pdf"
            s = s[1:].strip()
        s = s.strip('"').strip()
        if s:
            return s
    raise XlbudgetError(f"put the PDF path in cell A1 of the active sheet or in a workbook name {PDF_NAME}")


# ---------------------------------------------------------------- import into the active workbook (Excel part)

def _read_name(book) -> Any:
    try:
        nm = book.names[PDF_NAME]
    except Exception:  # noqa: BLE001 - KeyError, or a COM error on some platforms
        return None
    try:
        return nm.refers_to_range.value
    except Exception:  # noqa: BLE001 - a constant, not a range
        return getattr(nm, "refers_to", None)


def _book_dir(book) -> Optional[str]:
    try:
        full = book.fullname
    except Exception:  # noqa: BLE001
        return None
    if not full or "://" in full or not os.path.isabs(full):
        return None  # a new, unsaved book or a cloud URL
    return str(Path(full).parent)


def write_sheets(book, sheets: "Dict[str, List[List[Any]]]") -> List[str]:
    """Write each sheet (replacing an existing one's contents); returns the sheet names."""
    written = []
    for name, rows in sheets.items():
        existing = {s.name: s for s in book.sheets}
        if name in existing:
            sht = existing[name]
            sht.clear_contents()
        else:
            sht = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
        data = excel_values(rows, formulas=(name == CHECK_SHEET))
        if data:
            sht.range("A1").value = data
        written.append(name)
    return written


@xw.script
def import_pdf_to_active(book=None):
    """Import the PDF named in XLB_PDF (or the active sheet's A1) into this workbook, one sheet per table."""
    if book is None:
        book = _caller_book()
    start = book.sheets.active
    path = pdf_setting(_read_name(book), start.range("A1").value)
    doc = load_document(path, _book_dir(book))
    names = write_sheets(book, document_sheets(doc))
    try:
        start.activate()
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    return names


def _caller_book():
    try:
        return xw.Book.caller()
    except Exception:  # noqa: BLE001 - not called from Excel: use the active book
        return xw.books.active


def import_pdf_to_active_caller():
    """Entry point for ``RunPython "import xlbudget.excel.udfs as u; u.import_pdf_to_active_caller()"``."""
    return import_pdf_to_active(_caller_book())


def run_macro(module: str, func: str):
    """Call ``module.func`` from ``RunPython`` with the calling workbook.

    Uses ``func_caller()`` when the module offers one, else ``func(book)`` when
    ``func`` takes a parameter, else ``func()``. Lets the VBA stay the same
    whichever way the macro module chooses to receive the workbook.
    """
    import importlib
    import inspect

    mod = importlib.import_module(module)
    f = getattr(mod, func + "_caller", None)
    if callable(f):
        return f()
    f = getattr(mod, func)
    params = [p for p in inspect.signature(f).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if params:
        return f(_caller_book())
    return f()


__all__ = [
    "XLB_SUMCHECK", "XLB_TOLERANCE", "XLB_TREECHECK", "XLB_FULLCODE", "XLB_LEVEL",
    "XLB_PARSE_AMOUNT", "XLB_CHECKS", "XLB_TABLE", "XLB_FINDINGS", "import_pdf_to_active", "import_pdf_to_active_caller",
    "run_macro", "to_decimal", "tree_check_rows", "full_codes", "run_checks", "document_sheets",
    "own_layout", "excel_values", "pdf_setting", "sheet_name", "write_sheets", "load_document",
    "load_result", "find_table", "table_frame", "findings_frame",
]
