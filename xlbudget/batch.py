"""Convert every PDF of a folder, in parallel worker processes, headless.

* PDFs are found recursively; ``a/b.pdf`` is written to ``OUT/a/b.xlsx``;
* a PDF whose workbook exists, is newer and reads back is skipped unless ``force`` (a stale or
  unreadable workbook is rebuilt);
* two PDFs that would write the same workbook (``a.pdf`` and ``a.PDF``) are both reported as errors;
* a file that takes longer than ``timeout`` seconds is stopped and reported as ``timeout``;
* each file is converted in a worker process; every exception is caught there and
  reported for that file only (an unreadable, scanned or broken PDF never stops the
  batch; a worker that crashes is retried alone and then reported);
* each workbook is written atomically by :func:`xlbudget.write.workbook.write_workbook`;
* ``OUT/_summary.xlsx`` gets one row per PDF (status ok / skipped / error / timeout), also when
  files fail;
* with ``facts`` / ``duckdb``, every value and finding goes to a fact store
  (:mod:`xlbudget.write.facts`) as each file finishes: an interrupted batch keeps what it finished;
* ``executor="dask"`` spreads the files over a dask.distributed cluster (``scheduler`` address,
  or a LocalCluster on this machine): same outputs and summary; a file whose worker is lost is
  run again on another worker.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from xlbudget.model import InputError, OutputError, UsageError, XlbudgetError
from xlbudget.subjects import MAIN_SUBJECTS, locate

SUMMARY_NAME = "_summary.xlsx"
OK, SKIPPED, ERROR, TIMEOUT = "ok", "skipped", "error", "timeout"
FAILED = (ERROR, TIMEOUT)
# seconds one file may take: the largest corpus PDF imports in < 10 s; generous for slow machines
DEFAULT_TIMEOUT_S = 300.0
TOTALS = tuple(MAIN_SUBJECTS[:4])  # 收入总计, 支出总计, 基本支出, 项目支出
# the summary note of a disclosure read from its text only: its empty totals are unknown, not zero
NOTE_TEXT_ONLY = "仅文字说明，无表格（合计为空表示未列示，不是0）"


@dataclass
class BatchResult:
    """Outcome for one PDF (plain data: it crosses the process boundary)."""

    file: str  # path relative to the input folder
    pdf: str  # absolute path of the PDF
    output: str  # absolute path of the workbook
    status: str  # ok / skipped / error / timeout
    department: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None
    pages: Optional[int] = None
    totals: Dict[str, Optional[Decimal]] = field(default_factory=dict)
    failed_checks: Optional[int] = None  # findings with severity "error"
    warnings: Optional[int] = None  # other findings
    error: Optional[str] = None
    seconds: float = 0.0
    note: Optional[str] = None  # what a reader must know about an "ok" row (e.g. no table: empty totals)
    sha256: Optional[str] = None  # of the PDF, when a fact store is written
    # the fact-store rows of the file (xlbudget.write.facts.document_facts), until the driver stores them
    facts: Optional[dict] = field(default=None, repr=False)


# ----------------------------------------------------------------- worker side (top level: picklable)

def _describe(res: BatchResult, doc, findings) -> None:
    res.department = doc.department
    res.year = doc.year
    res.kind = doc.kind
    res.pages = doc.n_pages or None
    found = {k: locate(doc, k) for k in TOTALS}
    res.totals = {k: (got.value if got is not None else None) for k, got in found.items()}
    res.failed_checks = sum(1 for f in findings if f.severity == "error")
    res.warnings = len(findings) - res.failed_checks
    if not any(t.kind != "other" for t in doc.tables) and doc.claims:
        res.note = NOTE_TEXT_ONLY


def _facts(res: BatchResult, doc, findings) -> None:
    from xlbudget.write.facts import document_facts

    res.facts = document_facts(doc, findings, res.file, res.sha256)


def convert_one(pdf: str, out: str, rel: str, facts: bool = False, settings: Optional[dict] = None,
                sha256: Optional[str] = None) -> BatchResult:
    """Convert one PDF to ``out`` (and, with ``facts``, collect its fact-store rows, each carrying
    ``sha256``); ``settings``: PdfSettings overrides (e.g. the backend). Never raises: errors are
    returned in the result."""
    t0 = time.monotonic()
    res = BatchResult(file=rel, pdf=pdf, output=out, status=ERROR, sha256=sha256)
    try:
        from xlbudget.api import convert
        from xlbudget.write.workbook import write_workbook

        result = convert(pdf, settings)  # a PDF holding no disclosure is an error, not an empty "ok"
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        write_workbook(result.document, out, findings=result.findings, checks=result.checks)
        _describe(res, result.document, result.findings)
        if facts:
            _facts(res, result.document, result.findings)
        res.status = OK
    except XlbudgetError as e:
        res.error = e.line()
    except MemoryError:
        res.error = f"{pdf}: out of memory while converting"
    except Exception as e:  # a bug or an unexpected PDF structure: report it for this file only
        tb = traceback.extract_tb(e.__traceback__)
        where = f" (at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno})" if tb else ""
        res.error = f"{pdf}: internal error {type(e).__name__}: {e}{where}"
    res.seconds = round(time.monotonic() - t0, 2)
    return res


def describe_existing(pdf: str, out: str, rel: str, facts: bool = False,
                      sha256: Optional[str] = None) -> Optional[BatchResult]:
    """A skipped file: its summary row is read back from the existing workbook; ``None`` when
    the workbook does not read back (it is then rebuilt, never counted as done)."""
    t0 = time.monotonic()
    res = BatchResult(file=rel, pdf=pdf, output=out, status=SKIPPED, sha256=sha256)
    try:
        from xlbudget.checks.rules import check
        from xlbudget.write.workbook import read_workbook

        doc = read_workbook(out)
        findings = check(doc)
        _describe(res, doc, findings)
        if facts:
            _facts(res, doc, findings)
    except Exception:
        return None
    res.seconds = round(time.monotonic() - t0, 2)
    return res


class _Timeout(BaseException):
    """Raised in a worker by SIGALRM when one file takes too long (BaseException: it passes
    through the ``except Exception`` of the converter)."""


def _on_alarm(signum, frame):
    raise _Timeout()


# A file run in a worker thread (dask: no signal reaches it) that takes longer than its timeout
# ends its worker process, after leaving this mark beside its output; the scheduler runs the
# file again elsewhere, and that run finds the mark and reports the timeout. Only the file's
# own worker is lost (one task per worker on a LocalCluster).
TIMEOUT_MARK = ".xlbudget-timeout"
EXIT_TIMED_OUT = 18


def _timeout_mark(out: str) -> str:
    return out + TIMEOUT_MARK


def _end_worker(mark: str) -> None:
    try:
        with open(mark, "w", encoding="utf-8") as fh:
            fh.write("timed out\n")
    finally:
        os._exit(EXIT_TIMED_OUT)


def _timed_out(job: Tuple, timeout: float, sha: Optional[str], seconds: float) -> BatchResult:
    _, pdf, out, rel = job[:4]
    return BatchResult(file=rel, pdf=pdf, output=out, status=TIMEOUT, sha256=sha, seconds=round(seconds, 2),
                       error=f"timeout after {timeout:g} s, {pdf}, nothing was written for it; "
                             "raise --timeout or check the file")


# test-only: "<file name>|<marker path>" makes the worker process exit on that file the first
# time (the marker records it), as a worker lost mid-batch (tests/test_dask.py)
EXIT_ONCE_ENV = "XLBUDGET_TEST_EXIT_ONCE"
# test-only: "<file name>" makes its conversion hang (in any process: dask workers are spawned,
# a monkeypatch does not reach them)
HANG_ENV = "XLBUDGET_TEST_HANG"


def _exit_once(rel: str) -> None:
    name, _, marker = os.environ.get(EXIT_ONCE_ENV, "").partition("|")
    if name and marker and os.path.basename(rel) == name:
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(17)


def _task(job: Tuple) -> BatchResult:
    """One job: (mode, pdf, out, rel[, timeout[, facts[, pdf settings]]])."""
    mode, pdf, out, rel = job[:4]
    timeout = job[4] if len(job) > 4 else None
    facts = bool(job[5]) if len(job) > 5 else False
    settings = job[6] if len(job) > 6 else None  # PdfSettings overrides (e.g. the backend)
    sha = None
    if facts:  # hashed before reading: every row of the file carries it, a failed file's too
        from xlbudget.write.facts import sha256_of

        sha = sha256_of(pdf)
    _exit_once(rel)
    main_thread = threading.current_thread() is threading.main_thread()
    armed = bool(timeout) and hasattr(signal, "SIGALRM") and main_thread  # signals: main thread only
    watchdog = None
    if timeout and not armed:  # a worker thread: the process is ended instead (see TIMEOUT_MARK)
        mark = _timeout_mark(out)
        if os.path.exists(mark):  # the run before this one ran out of time
            os.unlink(mark)
            return _timed_out(job, timeout, sha, float(timeout))
        watchdog = threading.Timer(float(timeout), _end_worker, (mark,))
        watchdog.daemon = True
        watchdog.start()
    t0 = time.monotonic()
    if armed:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))
    try:
        if os.path.basename(rel) == os.environ.get(HANG_ENV):
            time.sleep(3600)
        res = None
        if mode == "skip":
            res = describe_existing(pdf, out, rel, facts, sha)
        if res is None:
            res = convert_one(pdf, out, rel, facts, settings, sha)
    except _Timeout:
        res = _timed_out(job, timeout, sha, time.monotonic() - t0)
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        if watchdog is not None:
            watchdog.cancel()
    return res


def _worker_init() -> None:
    """Linux: a worker dies with the batch (even after kill -9 of the parent)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: workers end when their pipe closes
        pass


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


TEMP_GLOB = ".xlbudget-*.xlsx"  # save_atomic's temporary files
STALE_TEMP_S = 6 * 3600  # a temp file this old is left by a killed run (a save takes seconds)


def _remove_stale_temp_files(out_dir: str) -> None:
    """Temporary files left by a run killed during a save (never counted as outputs); recent
    ones may belong to a batch running alongside and are left alone."""
    now = time.time()
    for p in Path(out_dir).rglob(TEMP_GLOB):
        try:
            if p.is_file() and now - p.stat().st_mtime > STALE_TEMP_S:
                p.unlink()
        except OSError:
            pass


LOCK_NAME = ".xlbudget-batch.lock"  # in OUT while a batch writes there: "<pid> <start, epoch s> <start, local time>"
# a takeover of a stale lock is itself guarded by a second O_EXCL file; one left by a run killed
# in those microseconds is ignored after this many seconds
STALE_TAKEOVER_S = 30.0


def _lock_holder(path: str) -> Tuple[Optional[int], Optional[float]]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            parts = f.read(200).split()
        return int(parts[0]), float(parts[1])
    except (OSError, ValueError, IndexError):
        return None, None


def _process_start(pid: int) -> Optional[float]:
    """Start time (epoch s) of a running process, Linux only (None elsewhere or when unknown)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as f:
            btime = next(int(ln.split()[1]) for ln in f if ln.startswith("btime "))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _holds(pid: Optional[int], started: Optional[float]) -> bool:
    """Is the lock's process still running (and not another process that got its pid since)?"""
    if pid is None or pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would TERMINATE the process on Windows
        return _windows_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    began = _process_start(pid)
    # a process started after the lock was written is not the one that wrote it (pid reused)
    return not (began is not None and started is not None and began > started + 1.0)


def _windows_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    k32 = ctypes.windll.kernel32
    h = k32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not h:
        return ctypes.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(k32.GetExitCodeProcess(h, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        k32.CloseHandle(h)


def acquire_lock(out_dir: str) -> str:
    """Take ``OUT/.xlbudget-batch.lock`` (created with O_EXCL, holding pid and start time); a lock
    left by a process that is gone is taken over. Raises :class:`OutputError` when another batch
    is writing to ``out_dir``. Returns the lock's path (give it to :func:`release_lock`)."""
    path = os.path.join(out_dir, LOCK_NAME)
    for _ in range(3):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pid, started = _lock_holder(path)
            if pid is None and started is None and _age(path) < STALE_TAKEOVER_S:
                time.sleep(0.2)  # created by a batch starting this very moment, not yet written
                pid, started = _lock_holder(path)
            if _holds(pid, started):
                since = time.strftime(" since %Y-%m-%d %H:%M:%S", time.localtime(started)) if started else ""
                raise OutputError(f"another xlbudget batch is writing to {out_dir} (pid {pid}{since})",
                                  hint=f"wait until it ends, or give another -o; if no batch runs, delete {path}")
            _take_over(path, pid)
            continue
        now = time.time()
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {now:.3f} {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(now))}\n")
        return path
    raise OutputError(f"another xlbudget batch is taking over the lock of {out_dir}",
                      hint="wait until it ends, or give another -o")


def _age(path: str) -> float:
    try:
        return time.time() - os.stat(path).st_mtime
    except OSError:
        return 0.0


def _take_over(path: str, stale_pid: Optional[int]) -> None:
    """Remove a stale lock, one process at a time: the one that creates the takeover file checks
    again that the lock is still the stale one, then removes it."""
    guard = path + ".takeover"
    try:
        fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        if _age(guard) > STALE_TAKEOVER_S:
            try:
                os.unlink(guard)
            except OSError:
                pass
        time.sleep(0.1)
        return
    try:
        os.close(fd)
        pid, started = _lock_holder(path)
        if pid == stale_pid and not _holds(pid, started):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
    finally:
        try:
            os.unlink(guard)
        except OSError:
            pass


def release_lock(path: str) -> None:
    """Remove the lock if it is still ours."""
    if _lock_holder(path)[0] == os.getpid():
        try:
            os.unlink(path)
        except OSError:
            pass


def _up_to_date(pdf: Path, out: Path) -> bool:
    try:
        return out.is_file() and out.stat().st_mtime >= pdf.stat().st_mtime
    except OSError:
        return False


def submission_order(items: List, cost) -> List:
    """``items`` by decreasing ``cost`` (stable): the longest jobs start first, so that the
    batch does not end on one big file converting alone while the other workers idle (a big
    file that sorts last by name would)."""
    return sorted(items, key=lambda it: -(cost(it) or 0))


def _file_size(job) -> int:
    """The cost estimate of a job: the PDF's size (a page count would need opening it)."""
    try:
        return os.path.getsize(job[1])
    except OSError:
        return 0


def _crashed(job, e: BaseException) -> BatchResult:
    mode, pdf, out, rel = job[:4]
    return BatchResult(file=rel, pdf=pdf, output=out, status=ERROR,
                       error=f"{pdf}: the worker process crashed while reading this file ({type(e).__name__})")


class _Done:
    """What the driver does with each result as it arrives: its facts go to the stores (then are
    dropped from memory), the progress bar moves."""

    def __init__(self, bar, stores=()):
        self.bar = bar
        self.stores = list(stores)

    def __call__(self, res: BatchResult, job=None) -> BatchResult:
        if self.stores:
            from xlbudget.write.facts import TABLES, file_record

            # every table, empty ones too: a file that fails now keeps no values of an earlier run
            tables = {name: {} for name in TABLES}
            tables.update(res.facts or {})
            tables["files"] = file_record(res, res.sha256)
            for store in self.stores:
                store.add(res.file, tables)
        res.facts = None
        if job is not None:
            self.bar.set_postfix_str(os.path.basename(job[1])[:30], refresh=False)
            self.bar.update(1)
        return res


def _run_pool(jobs, workers: int, done: _Done) -> Tuple[List[BatchResult], list]:
    """Run jobs in one pool; returns (results, jobs lost to a broken pool)."""
    results: List[BatchResult] = []
    lost = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as ex:
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
            results.append(done(res, job))
    return results, lost


def _run_processes(jobs, n: int, done: _Done) -> List[BatchResult]:
    try:
        results, lost = _run_pool(jobs, n, done)
    except (NotImplementedError, ImportError, OSError) as e:  # no process support (sandbox, Pyodide)
        print(f"xlbudget: no worker processes ({type(e).__name__}: {e}); converting in this process",
              file=sys.stderr)
        return [done(_task(j), j) for j in jobs]
    # a worker died (segfault, killed for memory): the culprit is unknown, retry each alone
    for job in lost:
        try:
            one, again = _run_pool([job], 1, done)
        except Exception as e:  # pragma: no cover - pool could not even start
            one, again = [done(_crashed(job, e), job)], []
        results += one
        for j in again:
            results.append(done(_crashed(j, BrokenProcessPool()), j))
    return results


EXECUTORS = ("process", "dask")


def _run_dask(jobs, workers: int, scheduler: Optional[str], done: _Done) -> List[BatchResult]:
    """Run jobs on a dask.distributed cluster (``scheduler``: its address; None: a LocalCluster
    of ``workers`` single-threaded worker processes), gathered as they finish. A worker lost
    mid-task has its files rescheduled on the others by the scheduler; a file that kills
    workers again and again (dask's ``allowed-failures``) is reported for that file only.
    Workers must see the PDFs and OUT at the same paths (a shared file system) and have
    xlbudget installed. ``timeout`` ends the worker process of a file that runs too long (a
    task runs in a worker thread, which no signal can stop); its file is reported as a timeout
    (see :data:`TIMEOUT_MARK`)."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as e:
        raise UsageError(f"--executor dask needs dask.distributed ({e})",
                         hint='pip install -e ".[dask]" (from the checkout)') from e

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    results: List[BatchResult] = []
    for j in jobs:  # a mark left by a batch stopped before the file was run again
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_timeout_mark(j[2]))
    try:
        futs = {client.submit(_task, j, key=f"xlbudget-{k}", pure=False): j for k, j in enumerate(jobs)}
        for fut in dask_completed(list(futs)):
            job = futs[fut]
            try:
                res = fut.result()
            except Exception as e:  # KilledWorker: this file took down its workers every time
                res = _crashed(job, e)
            results.append(done(res, job))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


def run_batch(folder: str, out_dir: str, force=False, workers: Optional[int] = None,
              progress=True, timeout: Optional[float] = None, facts: Optional[str] = None,
              duckdb: Optional[str] = None, executor: str = "process",
              scheduler: Optional[str] = None, pdf: Optional[dict] = None) -> List[BatchResult]:
    """Convert every PDF under ``folder`` into ``out_dir``; write ``out_dir/_summary.xlsx``.
    ``timeout``: seconds per file (default :data:`DEFAULT_TIMEOUT_S`; 0 = none). One batch at a
    time writes to ``out_dir`` (:func:`acquire_lock`). ``facts``: a Parquet fact-store folder,
    ``duckdb``: a DuckDB fact-store file (:mod:`xlbudget.write.facts`). ``executor``: ``process``
    (a local process pool) or ``dask`` (``scheduler`` address, or a LocalCluster). ``pdf``:
    PdfSettings overrides (``{"backend": "pdfplumber"}``)."""
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}", hint=f"use one of {', '.join(EXECUTORS)}")
    if not os.path.isdir(folder):
        raise InputError(f"not a folder, {folder}", hint="batch converts every PDF under a folder")
    try:
        os.makedirs(out_dir, exist_ok=True)  # the stated output folder may be created
    except OSError as e:
        raise OutputError(f"cannot create the output folder ({e.strerror or e}), {out_dir}",
                          hint="choose a writable -o") from e
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"the output folder is not writable, {out_dir}", hint="choose a writable -o")
    timeout = DEFAULT_TIMEOUT_S if timeout is None else timeout
    lock = acquire_lock(out_dir)  # a second batch on the same folder ends here
    try:
        from xlbudget.write.facts import open_stores

        stores = open_stores(facts, duckdb) if (facts or duckdb) else []
        try:
            return _run_locked(folder, out_dir, force, workers, progress, timeout, stores, executor, scheduler, pdf)
        finally:
            for store in stores:
                store.close()
    finally:
        release_lock(lock)


def _run_locked(folder: str, out_dir: str, force, workers, progress, timeout, stores=(), executor="process",
                scheduler=None, pdf=None) -> List[BatchResult]:
    from tqdm import tqdm

    _remove_stale_temp_files(out_dir)
    pdfs = find_pdfs(folder, exclude=out_dir)
    jobs = []
    results: List[BatchResult] = []
    by_out: Dict[str, List[Path]] = {}
    for p in pdfs:
        by_out.setdefault(str(output_path(p, folder, out_dir)).casefold(), []).append(p)
    for p in pdfs:
        out = output_path(p, folder, out_dir)
        rel = str(p.relative_to(folder))
        same = by_out[str(out).casefold()]
        if len(same) > 1:  # a.pdf and a.PDF: neither may overwrite the other's workbook
            others = ", ".join(str(q.relative_to(folder)) for q in same if q != p)
            results.append(_Done(None, stores)(
                BatchResult(file=rel, pdf=str(p.resolve()), output=str(out.resolve()), status=ERROR,
                            error=f"{rel} and {others} would both write {out.name}, {p}; rename one of them")))
            continue
        mode = "skip" if (not force and _up_to_date(p, out)) else "convert"
        jobs.append((mode, str(p.resolve()), str(out.resolve()), rel, timeout, bool(stores), pdf))
    if jobs:
        jobs = submission_order(jobs, _file_size)
        n = workers if workers and workers > 0 else (os.cpu_count() or 1)
        n = max(1, min(n, len(jobs)))
        with tqdm(total=len(jobs), file=sys.stderr, disable=not progress, desc="xlbudget", unit="file",
                  dynamic_ncols=True) as bar:
            done = _Done(bar, stores)
            if executor == "dask":
                results += _run_dask(jobs, n, scheduler, done)
            else:
                results += _run_processes(jobs, n, done)
    order = {str(p.relative_to(folder)): k for k, p in enumerate(pdfs)}
    order = {str(p.relative_to(folder)): k for k, p in enumerate(pdfs)}
    results.sort(key=lambda r: order.get(r.file, len(order)))
    write_summary(results, os.path.join(out_dir, SUMMARY_NAME))
    return results


# ----------------------------------------------------------------- summary workbook

SUMMARY_HEADER = ["文件", "状态", "部门", "年度", "类型", "页数", *TOTALS, "未通过校验", "警告", "错误信息", "输出", "用时(秒)", "说明"]


def write_summary(results: List[BatchResult], path: str) -> str:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from xlbudget.write.workbook import text_cell

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
        row += [r.failed_checks, r.warnings, r.error, r.output if r.status not in FAILED else None, r.seconds,
            r.note]
        i = ws.max_row + 1
        for j, v in enumerate(row, start=1):
            if isinstance(v, str):
                text_cell(ws, i, j, v)  # a file name or a message: never a formula, no illegal character
            elif v is not None:
                ws.cell(row=i, column=j, value=v)
        for j in range(7, 7 + len(TOTALS)):
            ws.cell(row=i, column=j).number_format = "#,##0.00"
        if r.status in FAILED:
            for j in range(1, len(SUMMARY_HEADER) + 1):
                ws.cell(row=i, column=j).fill = red
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(1, ws.max_row), column=len(SUMMARY_HEADER)).coordinate}"
    for col, w in zip("ABCDEFGHIJKLMNOP", (48, 8, 28, 7, 6, 6, 13, 13, 13, 13, 10, 7, 70, 48, 8, 36)):
        ws.column_dimensions[col].width = w
    n_ok = sum(r.status == OK for r in results)
    n_skip = sum(r.status == SKIPPED for r in results)
    n_err = sum(r.status in FAILED for r in results)
    info = wb.create_sheet("说明")
    info.append(["文件数", len(results)])
    info.append(["转换成功", n_ok])
    info.append(["已存在（跳过）", n_skip])
    info.append(["失败", n_err])
    info.append(["生成时间", time.strftime("%Y-%m-%d %H:%M:%S")])
    cuts = getattr(wb, "xlb_cut", [])
    if cuts:  # a file name or a message over Excel's cell limit: the cut is said, never silent
        from xlbudget.text import describe_cuts

        info.append(["EXTRACT.text-cut"])
        text_cell(info, info.max_row, 2, describe_cuts(cuts))
    return _save_atomic(wb, path)


def _save_atomic(wb, path: str) -> str:
    from xlbudget.write.workbook import save_atomic

    return save_atomic(wb, path)
