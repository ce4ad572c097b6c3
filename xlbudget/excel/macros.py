"""Excel macros (xlwings) for the comparison across years and the batch conversion.

The cores are plain functions that take and return plain values, so they are
tested without Excel; the two ``@xw.script`` macros only read cells, call a core
and write the result back.

``compare_workbooks(book)``
    Input files (PDF or xlbudget .xlsx) are listed in column A of the active
    sheet, one per cell, from A1 down (a header in A1 such as "文件" is skipped;
    relative paths are relative to the workbook's folder). The comparison file
    is the workbook name ``XLB_COMPARE_OUT`` when defined, else ``对比.xlsx``
    next to the first input. B1 receives "对比文件", B2 the path of the written
    comparison; B3 down the warnings and the 比上年 claims found inconsistent.

``validate_workbook(book)``
    Checks the tables of the workbook itself as saved (once a PDF was imported into it: it has
    the 元数据 sheet), else the file named by ``XLB_PDF``; the findings replace the contents of
    the 问题 sheet.

``batch_convert(book)``
    The folder is the name ``XLB_BATCH_DIR`` or cell A1 of the active sheet, the
    output folder the name ``XLB_BATCH_OUT`` or cell B1 (default: ``xlsx`` inside
    the folder); ``XLB_BATCH_FORCE`` / C1 = TRUE re-converts existing workbooks.
    The summary (one row per PDF) is written to the sheet "批量转换".

Classic xlwings (Windows / macOS): after "Import Python UDFs" the scripts are VBA
Subs; or call ``RunPython "import xlbudget.excel.macros as m; m.compare_workbooks_caller()"``.
xlwings Server works the same way; xlwings Lite (Pyodide in the browser) has no
access to local files nor processes, so these macros are not meant for it.
"""
import os
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

try:  # the module imports without Excel (and without xlwings at all)
    import xlwings as xw
except Exception:  # pragma: no cover - xlwings missing or broken
    xw = None

from xlbudget.model import XlbudgetError
from xlbudget.text import excel_text

COMPARE_OUT_NAME = "XLB_COMPARE_OUT"
BATCH_DIR_NAME = "XLB_BATCH_DIR"
BATCH_OUT_NAME = "XLB_BATCH_OUT"
BATCH_FORCE_NAME = "XLB_BATCH_FORCE"
BATCH_SHEET = "批量转换"
DEFAULT_COMPARE_NAME = "对比.xlsx"
INPUT_SUFFIXES = (".pdf", ".xlsx", ".xlsm")

Book = xw.Book if xw is not None else Any


def _script(f):
    """``@xw.script`` when xlwings provides it; the function itself otherwise."""
    if xw is not None and hasattr(xw, "script"):
        return xw.script(f)
    return f


# ----------------------------------------------------------------- plain cores (no Excel)

def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if s.startswith("="):  # a name defined as a constant: ="C:\x.pdf"
        s = s[1:].strip()
    return s.strip('"').strip("'").strip()


def _resolve(s: str, base_dir: Optional[str]) -> Path:
    p = Path(s).expanduser()
    if not p.is_absolute() and base_dir:
        p = Path(base_dir) / p
    return p.resolve()


def _flat(values: Any) -> List[Any]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        return [values]
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, (list, tuple)) else [v])
    return out


def compare_inputs(values: Any, base_dir: Optional[str] = None) -> List[str]:
    """Input paths from the cells of column A: blanks and a header are skipped, paths resolved.

    Raises :class:`XlbudgetError` naming the first missing file, or when fewer than two are given.
    """
    out: List[str] = []
    for k, v in enumerate(_flat(values)):
        s = _text(v)
        if not s:
            continue
        if not s.lower().endswith(INPUT_SUFFIXES):
            if k == 0 and not out:
                continue  # a header such as "文件" / "输入文件"
            raise XlbudgetError(f"A{k + 1}: {s!r} is not a .pdf or .xlsx file")
        p = _resolve(s, base_dir)
        if not p.is_file():
            raise XlbudgetError(f"A{k + 1}: file not found: {p}")
        out.append(str(p))
    if len(out) < 2:
        raise XlbudgetError("list at least two files (PDF or xlbudget .xlsx) in column A of the active sheet")
    return out


def compare_output(setting: Any, inputs: Sequence[str], base_dir: Optional[str] = None) -> str:
    s = _text(setting)
    if s:
        p = _resolve(s, base_dir)
        if p.is_dir():
            p = p / DEFAULT_COMPARE_NAME
        elif p.suffix.lower() != ".xlsx":
            p = p.with_name(p.name + ".xlsx")
        return str(p)
    return str(Path(inputs[0]).resolve().parent / DEFAULT_COMPARE_NAME)


def compare_report(out: str, comp) -> List[List[Any]]:
    """Rows for B1 down: the written file, then warnings and inconsistent 比上年 claims."""
    rows: List[List[Any]] = [["对比文件"], [out]]
    labels = [p.label for p in comp.periods]
    rows.append([f"期间：{'、'.join(labels)}"])
    for w in comp.warnings:
        rows.append([f"提示：{w}"])
    for f in comp.findings:
        rows.append([f"叙述核对：{f.message}"])
    if not comp.findings:
        n = sum(1 for c in comp.checks if c.status == "一致")
        rows.append([f"叙述核对：{n} 处“比上年”表述与上年数一致" if n else "叙述核对：无可核对的“比上年”表述"])
    return rows


def compare_paths(values: Any, out_setting: Any = None, base_dir: Optional[str] = None):
    """Core of :func:`compare_workbooks`: (output path, Comparison, report rows)."""
    from xlbudget.api import compare_files

    inputs = compare_inputs(values, base_dir)
    out = compare_output(out_setting, inputs, base_dir)
    comp = compare_files(inputs, out)
    return out, comp, compare_report(out, comp)


def batch_settings(folder_value: Any, out_value: Any = None, base_dir: Optional[str] = None) -> Tuple[str, str]:
    f = _text(folder_value)
    if not f:
        raise XlbudgetError(f"put the folder of PDFs in cell A1 of the active sheet or in a workbook name {BATCH_DIR_NAME}")
    folder = _resolve(f, base_dir)
    if not folder.is_dir():
        raise XlbudgetError(f"A1: not a folder: {folder}")
    o = _text(out_value)
    out = _resolve(o, base_dir) if o else folder / "xlsx"
    return str(folder), str(out)


def _truthy(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    return _text(v).lower() in ("1", "true", "yes", "y", "是", "强制", "force")


BATCH_HEADER = ["文件", "状态", "部门", "年度", "类型", "页数", "收入总计", "支出总计", "基本支出", "项目支出",
                "未通过校验", "错误信息", "输出"]


def batch_rows(results) -> List[List[Any]]:
    """Header plus one row per result (what the 批量转换 sheet shows)."""
    rows: List[List[Any]] = [list(BATCH_HEADER)]
    for r in results:
        t = r.totals or {}
        rows.append([r.file, r.status, r.department, r.year, r.kind, r.pages,
                     *[(float(t[k]) if t.get(k) is not None else None) for k in ("收入总计", "支出总计", "基本支出", "项目支出")],
                     r.failed_checks, r.error, r.output if r.status != "error" else None])
    return rows


def batch_paths(folder_value: Any, out_value: Any = None, force: Any = False, base_dir: Optional[str] = None,
                workers: Optional[int] = None):
    """Core of :func:`batch_convert`: (output folder, results, rows for the sheet)."""
    from xlbudget.batch import run_batch

    folder, out = batch_settings(folder_value, out_value, base_dir)
    results = run_batch(folder, out, force=_truthy(force), workers=workers, progress=False)
    return out, results, batch_rows(results)


def validate_source(book_file: Optional[str], sheet_names: Sequence[str], pdf_value: Any = None,
                    base_dir: Optional[str] = None) -> str:
    """What the Validate button checks: this workbook when it holds imported tables and is
    saved, else the file named by XLB_PDF. Raises :class:`XlbudgetError` saying what to do."""
    from xlbudget.write.workbook import META_SHEET  # the sheet of a workbook holding imported tables

    if book_file and META_SHEET in sheet_names:
        return book_file
    s = _text(pdf_value)
    if s:
        return str(_resolve(s, base_dir))
    raise XlbudgetError("nothing to check yet: import a PDF first (button 导入 PDF, macro ChooseAndImportPdf)")


def validate_rows(source: str) -> List[List[Any]]:
    """The findings table (header first) of a PDF or an xlbudget workbook, as the 问题 sheet shows it."""
    from xlbudget.excel.udfs import findings_table, load_result

    res = load_result(source)
    return findings_table(res.findings, res.document)


# ----------------------------------------------------------------- Excel side

def _caller_book():
    if xw is None:  # pragma: no cover
        raise XlbudgetError("xlwings is not installed: pip install xlwings")
    try:
        return xw.Book.caller()
    except Exception:  # not called from Excel: use the active book
        return xw.books.active


def _name_value(book, name: str) -> Any:
    try:
        nm = book.names[name]
    except Exception:  # KeyError, or a COM error on some platforms
        return None
    try:
        return nm.refers_to_range.value
    except Exception:  # a constant, not a range
        return getattr(nm, "refers_to", None)


def _book_dir(book) -> Optional[str]:
    try:
        full = book.fullname
    except Exception:
        return None
    if not full or "://" in full or not os.path.isabs(full):
        return None  # a new, unsaved book or a cloud URL
    return str(Path(full).parent)


def _excel(rows: Sequence[Sequence[Any]]) -> List[List[Any]]:
    width = max((len(r) for r in rows), default=0)
    out = []
    for r in rows:
        line = []
        for v in r:
            if isinstance(v, str):
                v = excel_text(v)  # never a formula, no XML-illegal character, within the cell limit
            line.append(v)
        out.append(line + [None] * (width - len(line)))
    return out


def _column_a(sheet, max_rows: int = 500) -> List[Any]:
    vals = sheet.range((1, 1), (max_rows, 1)).value
    vals = _flat(vals)
    while vals and (vals[-1] is None or _text(vals[-1]) == ""):
        vals.pop()
    return vals


@_script
def compare_workbooks(book: Book = None):
    """Compare the files listed in column A of the active sheet; report in column B."""
    if book is None:
        book = _caller_book()
    sheet = book.sheets.active
    try:
        out, comp, rows = compare_paths(_column_a(sheet), _name_value(book, COMPARE_OUT_NAME), _book_dir(book))
    except XlbudgetError as e:
        rows, out = [["对比文件"], [f"错误：{e}"]], None
    sheet.range((1, 2), (60, 2)).clear_contents()
    sheet.range("B1").value = _excel(rows[:60])
    return out


@_script
def batch_convert(book: Book = None):
    """Convert every PDF of the folder in A1 (or XLB_BATCH_DIR); summary on the sheet 批量转换."""
    if book is None:
        book = _caller_book()
    start = book.sheets.active
    folder = _name_value(book, BATCH_DIR_NAME) or start.range("A1").value
    out_v = _name_value(book, BATCH_OUT_NAME) or start.range("B1").value
    force = _name_value(book, BATCH_FORCE_NAME) or start.range("C1").value
    try:
        out, results, rows = batch_paths(folder, out_v, force, _book_dir(book))
    except XlbudgetError as e:
        out, rows = None, [["错误"], [str(e)]]
    names = [s.name for s in book.sheets]
    if BATCH_SHEET in names:
        sht = book.sheets[BATCH_SHEET]
        sht.clear_contents()
    else:
        sht = book.sheets.add(BATCH_SHEET, after=book.sheets[len(book.sheets) - 1])
    sht.range("A1").value = _excel(rows)
    try:
        start.activate()
    except Exception:  # cosmetic only
        pass
    return out


def _book_file(book) -> Optional[str]:
    try:
        full = book.fullname
    except Exception:
        return None
    return full if full and "://" not in full and os.path.isabs(full) else None


@_script
def validate_workbook(book: Book = None):
    """Check this workbook's tables (or the XLB_PDF file); the findings go to the sheet 问题."""
    from xlbudget.excel.udfs import CHECKS_HEADER, FINDINGS_SHEET, PDF_NAME, write_sheets

    if book is None:
        book = _caller_book()
    try:
        source = validate_source(_book_file(book), [s.name for s in book.sheets],
                                 _name_value(book, PDF_NAME), _book_dir(book))
        rows = validate_rows(source)
    except XlbudgetError as e:
        rows = [list(CHECKS_HEADER), ["ERROR", "error", str(e), ""]]
    write_sheets(book, {FINDINGS_SHEET: rows})
    try:
        book.sheets[FINDINGS_SHEET].activate()
    except Exception:  # cosmetic only
        pass
    return len(rows) - 1


def validate_workbook_caller():
    """``RunPython "import xlbudget.excel.macros as m; m.validate_workbook_caller()"``."""
    return validate_workbook(_caller_book())


def compare_workbooks_caller():
    """``RunPython "import xlbudget.excel.macros as m; m.compare_workbooks_caller()"``."""
    return compare_workbooks(_caller_book())


def batch_convert_caller():
    """``RunPython "import xlbudget.excel.macros as m; m.batch_convert_caller()"``."""
    return batch_convert(_caller_book())


__all__ = [
    "compare_workbooks", "batch_convert", "compare_workbooks_caller", "batch_convert_caller",
    "validate_workbook", "validate_workbook_caller", "validate_source", "validate_rows",
    "compare_inputs", "compare_output", "compare_paths", "compare_report", "batch_settings", "batch_paths",
    "batch_rows",
]
