"""Convert every PDF of a folder, in parallel worker processes, headless.

* PDFs are found recursively; ``a/b.pdf`` is written to ``OUT/a/b.xlsx``;
* a PDF whose workbook exists and is newer is skipped unless ``force``;
* each file is converted in a worker process; every exception is caught there and
  reported for that file only (an unreadable, scanned or broken PDF never stops the
  batch; a worker that crashes is retried alone and then reported);
* each workbook is written atomically by :func:`xlbudget.workbook.write_workbook`;
* ``OUT/_summary.xlsx`` gets one row per PDF (status ok / skipped / error).
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .model import XlbudgetError

SUMMARY_NAME = "_summary.xlsx"
OK, SKIPPED, ERROR = "ok", "skipped", "error"
TOTALS = ("收入总计", "支出总计", "基本支出", "项目支出")


@dataclass
class BatchResult:
    """Outcome for one PDF (plain data: it crosses the process boundary)."""

    file: str  # path relative to the input folder
    pdf: str  # absolute path of the PDF
    output: str  # absolute path of the workbook
    status: str  # ok / skipped / error
    department: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None
    pages: Optional[int] = None
    totals: Dict[str, Optional[Decimal]] = field(default_factory=dict)
    failed_checks: Optional[int] = None  # findings with severity "error"
    warnings: Optional[int] = None  # other findings
    error: Optional[str] = None
    seconds: float = 0.0


# ----------------------------------------------------------------- worker side (top level: picklable)

def _describe(res: BatchResult, doc, findings) -> None:
    from .compare import main_totals

    res.department = doc.department
    res.year = doc.year
    res.kind = doc.kind
    res.pages = doc.n_pages or None
    tots = main_totals(doc)
    res.totals = {k: (tots[k][0] if k in tots else None) for k in TOTALS}
    res.failed_checks = sum(1 for f in findings if f.severity == "error")
    res.warnings = len(findings) - res.failed_checks


def convert_one(pdf: str, out: str, rel: str) -> BatchResult:
    """Convert one PDF to ``out``. Never raises: errors are returned in the result."""
    t0 = time.monotonic()
    res = BatchResult(file=rel, pdf=pdf, output=out, status=ERROR)
    try:
        from .importer import import_pdf
        from .rules import check
        from .workbook import write_workbook

        doc = import_pdf(pdf)
        findings = check(doc)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        write_workbook(doc, out, findings=findings)
        _describe(res, doc, findings)
        res.status = OK
    except XlbudgetError as e:
        res.error = str(e)
    except MemoryError:
        res.error = f"{pdf}: out of memory while converting"
    except Exception as e:  # a bug or an unexpected PDF structure: report it for this file only
        tb = traceback.extract_tb(e.__traceback__)
        where = f" (at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno})" if tb else ""
        res.error = f"{pdf}: internal error {type(e).__name__}: {e}{where}"
    res.seconds = round(time.monotonic() - t0, 2)
    return res


def describe_existing(pdf: str, out: str, rel: str) -> BatchResult:
    """A skipped file: its summary row is read back from the existing workbook (best effort)."""
    t0 = time.monotonic()
    res = BatchResult(file=rel, pdf=pdf, output=out, status=SKIPPED)
    try:
        from .rules import check
        from .workbook import read_workbook

        doc = read_workbook(out)
        _describe(res, doc, check(doc))
    except Exception:  # the row stays "skipped" with what is known
        pass
    res.seconds = round(time.monotonic() - t0, 2)
    return res


def _task(job: Tuple[str, str, str, str]) -> BatchResult:
    mode, pdf, out, rel = job
    if mode == "skip":
        return describe_existing(pdf, out, rel)
    return convert_one(pdf, out, rel)


# ----------------------------------------------------------------- driver

def find_pdfs(folder: str, exclude: Optional[str] = None) -> List[Path]:
    root = Path(folder)
    ex = Path(exclude).resolve() if exclude else None
    out = []
    for p in root.rglob("*"):
        if not p.is_file() or p.suffix.lower() != ".pdf":
            continue
        if ex is not None and ex != root.resolve() and ex in p.resolve().parents:
            continue
        out.append(p)
    return sorted(out, key=lambda p: str(p.relative_to(root)))


def output_path(pdf: Path, folder: str, out_dir: str) -> Path:
    rel = pdf.relative_to(folder)
    return Path(out_dir) / rel.with_suffix(".xlsx")


def _up_to_date(pdf: Path, out: Path) -> bool:
    try:
        return out.is_file() and out.stat().st_mtime >= pdf.stat().st_mtime
    except OSError:
        return False


def _crashed(job, e: BaseException) -> BatchResult:
    mode, pdf, out, rel = job
    return BatchResult(file=rel, pdf=pdf, output=out, status=SKIPPED if mode == "skip" else ERROR,
                       error=None if mode == "skip" else
                       f"{pdf}: the worker process crashed while reading this file ({type(e).__name__})")


def _run_pool(jobs, workers: int, bar) -> Tuple[List[BatchResult], list]:
    """Run jobs in one pool; returns (results, jobs lost to a broken pool)."""
    results: List[BatchResult] = []
    lost = []
    with ProcessPoolExecutor(max_workers=workers) as ex:
        futs = {ex.submit(_task, j): j for j in jobs}
        for fut in as_completed(futs):
            job = futs[fut]
            try:
                res = fut.result()
            except BrokenProcessPool:
                lost.append(job)
                continue
            except Exception as e:  # pickling problems and the like
                res = _crashed(job, e)
                res.error = f"{job[1]}: {type(e).__name__}: {e}"
            results.append(res)
            bar.set_postfix_str(os.path.basename(job[1])[:30], refresh=False)
            bar.update(1)
    return results, lost


def run_batch(folder: str, out_dir: str, force=False, workers: Optional[int] = None,
              progress=True) -> List[BatchResult]:
    """Convert every PDF under ``folder`` into ``out_dir``; write ``out_dir/_summary.xlsx``."""
    from tqdm import tqdm

    if not os.path.isdir(folder):
        raise XlbudgetError(f"{folder}: not a folder")
    os.makedirs(out_dir, exist_ok=True)
    pdfs = find_pdfs(folder, exclude=out_dir)
    jobs = []
    for p in pdfs:
        out = output_path(p, folder, out_dir)
        rel = str(p.relative_to(folder))
        mode = "skip" if (not force and _up_to_date(p, out)) else "convert"
        jobs.append((mode, str(p.resolve()), str(out.resolve()), rel))
    results: List[BatchResult] = []
    if jobs:
        n = workers if workers and workers > 0 else (os.cpu_count() or 1)
        n = max(1, min(n, len(jobs)))
        with tqdm(total=len(jobs), file=sys.stderr, disable=not progress, desc="xlbudget", unit="file",
                  dynamic_ncols=True) as bar:
            try:
                done, lost = _run_pool(jobs, n, bar)
            except (NotImplementedError, ImportError, OSError) as e:  # no process support (sandbox, Pyodide)
                print(f"xlbudget: no worker processes ({type(e).__name__}: {e}); converting in this process",
                      file=sys.stderr)
                done, lost = [], []
                for j in jobs:
                    done.append(_task(j))
                    bar.update(1)
            results += done
            # a worker died (segfault, killed for memory): the culprit is unknown, retry each alone
            for job in lost:
                try:
                    one, again = _run_pool([job], 1, bar)
                except Exception as e:  # pragma: no cover - pool could not even start
                    one, again = [_crashed(job, e)], []
                results += one
                for j in again:
                    results.append(_crashed(j, BrokenProcessPool()))
                    bar.update(1)
    order = {j[3]: k for k, j in enumerate(jobs)}
    results.sort(key=lambda r: order.get(r.file, len(order)))
    write_summary(results, os.path.join(out_dir, SUMMARY_NAME))
    return results


# ----------------------------------------------------------------- summary workbook

SUMMARY_HEADER = ["文件", "状态", "部门", "年度", "类型", "页数", *TOTALS, "未通过校验", "警告", "错误信息", "输出", "用时(秒)"]


def write_summary(results: List[BatchResult], path: str) -> str:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(SUMMARY_HEADER)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    red = PatternFill("solid", fgColor="FFC7CE")
    for r in results:
        row = [r.file, r.status, r.department, r.year, r.kind, r.pages]
        row += [float(r.totals[k]) if r.totals.get(k) is not None else None for k in TOTALS]
        row += [r.failed_checks, r.warnings, r.error, r.output if r.status != ERROR else None, r.seconds]
        ws.append(row)
        i = ws.max_row
        for c in ws[i]:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text from a file name or a message is never a formula
        for j in range(7, 7 + len(TOTALS)):
            ws.cell(row=i, column=j).number_format = "#,##0.00"
        if r.status == ERROR:
            for j in range(1, len(SUMMARY_HEADER) + 1):
                ws.cell(row=i, column=j).fill = red
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(1, ws.max_row), column=len(SUMMARY_HEADER)).coordinate}"
    for col, w in zip("ABCDEFGHIJKLMNO", (48, 8, 28, 7, 6, 6, 13, 13, 13, 13, 10, 7, 70, 48, 8)):
        ws.column_dimensions[col].width = w
    n_ok = sum(r.status == OK for r in results)
    n_skip = sum(r.status == SKIPPED for r in results)
    n_err = sum(r.status == ERROR for r in results)
    info = wb.create_sheet("说明")
    info.append(["文件数", len(results)])
    info.append(["转换成功", n_ok])
    info.append(["已存在（跳过）", n_skip])
    info.append(["失败", n_err])
    info.append(["生成时间", time.strftime("%Y-%m-%d %H:%M:%S")])
    return _save_atomic(wb, path)


def _save_atomic(wb, path: str) -> str:
    from .workbook import save_atomic

    return save_atomic(wb, path)
