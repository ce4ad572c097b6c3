"""Command line: ``xlbudget import|validate|compare|batch``.

Exit codes (the same for every command): 0 ok; 1 checks failed, only with ``--strict``;
2 usage or input error (one line on stderr: ``xlbudget: error: <what>, <which file>, <what to do>``).
Results go to stdout, warnings and errors to stderr; ``-q`` keeps only errors, ``-v`` adds detail.

Start-up is kept to a bare interpreter's: this module imports only argparse, os and sys at the
top (``xlbudget --help`` never loads the model, pdfplumber, openpyxl, pandas or dask); every
command imports what it needs when it runs.
"""
from __future__ import annotations

import argparse
import os
import sys

from xlbudget import __version__

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_ERROR = 0, 1, 2
WORKBOOK_EXT = (".xlsx",)


class _Out:
    """Where messages go, after --quiet / --verbose."""

    quiet = False
    verbose = False


def info(msg: str) -> None:
    if not _Out.quiet:
        print(msg)


def warn(msg: str) -> None:
    if not _Out.quiet:
        print(f"warning: {msg}", file=sys.stderr)


def check_output(path: str, exts=WORKBOOK_EXT) -> str:
    """-o must name a workbook in an existing folder (folders are never created silently)."""
    from xlbudget.model import OutputError, UsageError

    if not path.lower().endswith(exts):
        raise UsageError(f"-o must end with {' or '.join(exts)}, got {path}",
                         hint="xlbudget writes Excel workbooks; name the output e.g. out.xlsx")
    if os.path.isdir(path):
        raise UsageError(f"-o is a folder, {path}", hint="give a file name ending with .xlsx")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write there: the output folder does not exist, {path}", hint=f"create {folder} first or choose another -o")
    return path


def _backend_option(s) -> None:
    from xlbudget.readers import BACKENDS, DEFAULT_BACKEND

    s.add_argument("--backend", choices=BACKENDS, default=None,
                   help=f"PDF reader: pdfium (fast) or pdfplumber (default: {DEFAULT_BACKEND})")


def _pdf_settings(a) -> "dict | None":
    return {"backend": a.backend} if getattr(a, "backend", None) else None


def _cmd_import(a) -> int:
    from xlbudget.api import convert
    from xlbudget.model import InputError, UsageError
    from xlbudget.paths import check_input
    from xlbudget.write.workbook import write_workbook

    check_input(a.pdf)
    if not a.pdf.lower().endswith(".pdf"):
        raise InputError(f"expected a .pdf file, {a.pdf}", hint="import reads disclosure PDFs; validate reads workbooks")
    out = check_output(a.output or os.path.splitext(a.pdf)[0] + ".xlsx")
    if os.path.abspath(out) == os.path.abspath(a.pdf):
        raise UsageError(f"the output would overwrite the input PDF, {a.pdf}", hint="choose another -o")
    res = convert(a.pdf, _pdf_settings(a))
    doc, findings, errors = res.document, res.findings, res.errors
    write_workbook(doc, out, findings=findings, checks=res.checks)
    info(f"{a.pdf}: {doc.department or '?'} {doc.year or '?'} {doc.kind}, {len(doc.tables)} tables, "
         f"{len(doc.claims)} narrative claims, {errors} failed checks, "
         f"{len(findings) - errors} warnings -> {out}")
    for w in doc.warnings:
        warn(w)
    if _Out.verbose:
        for f in findings:
            print(f"[{f.severity}] {f.id}: {f.message}", file=sys.stderr)
    return EXIT_CHECKS_FAILED if errors and a.strict else EXIT_OK


def _cmd_validate(a) -> int:
    import json

    from xlbudget import api

    res = api.evaluate(api.load(a.file))
    doc, checks, findings = res.document, res.checks, res.findings
    for w in doc.warnings:
        warn(w)
    if a.json:
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1))
    elif not _Out.quiet:
        from xlbudget.catalogue import sheet_name
        from xlbudget.model import table_keys

        keys = {key: t for t, key in zip(doc.tables, table_keys(doc).values())}
        for f in findings:
            where = ", ".join(
                f"{sheet_name(keys[c.table].kind) if c.table in keys else c.table} r{c.row + 1}c{c.col + 1}"
                + (f" p{c.page}" if c.page else "") for c in f.cells[:4])
            print(f"[{f.severity}] {f.id}: {f.message}" + (f"  ({where}{' …' if len(f.cells) > 4 else ''})" if where else ""))
        errors = sum(1 for f in findings if f.severity == "error")
        print(f"{a.file}: {len(doc.tables)} tables, {len(checks)} checks, {len(doc.claims)} narrative claims: "
              f"{errors} errors, {len(findings) - errors} warnings")
    return EXIT_CHECKS_FAILED if any(f.severity == "error" for f in findings) and a.strict else EXIT_OK


def _cmd_compare(a) -> int:
    from xlbudget import api
    from xlbudget.model import UsageError
    from xlbudget.paths import check_input

    if len(a.inputs) < 2:
        raise UsageError(f"compare needs at least 2 documents, got {len(a.inputs)}",
                         hint="give two or more PDFs or workbooks of the department (e.g. two years)")
    for p in a.inputs:
        check_input(p)
    check_output(a.output)
    comp = api.compare_files(a.inputs, a.output, warn=warn)
    findings = list(getattr(comp, "findings", []) or [])
    if not _Out.quiet:
        for f in findings:
            print(f"[{f.severity}] {f.id}: {f.message}")
    failed = [c for c in getattr(comp, "checks", []) or [] if c.status == "不一致"]
    info(f"comparison of {len(a.inputs)} files, {len(findings)} narrative year-on-year mismatches -> {a.output}")
    return EXIT_CHECKS_FAILED if (findings or failed) and a.strict else EXIT_OK


def _cmd_batch(a) -> int:
    from xlbudget.batch import FAILED, OK, SKIPPED, run_batch
    from xlbudget.model import UsageError

    if os.path.isfile(a.output) or a.output.lower().endswith((".xlsx", ".xlsm")):
        raise UsageError(f"batch -o is the output folder, got {a.output}", hint="give a folder, e.g. -o out")
    if a.scheduler and a.executor != "dask":
        raise UsageError(f"--scheduler {a.scheduler} needs --executor dask", hint="add --executor dask")
    results = run_batch(a.folder, a.output, force=a.force, workers=a.workers,
                        progress=not (a.no_progress or _Out.quiet), timeout=a.timeout, facts=a.facts,
                        duckdb=a.duckdb, executor=a.executor, scheduler=a.scheduler, pdf=_pdf_settings(a))
    bad = [r for r in results if r.status in FAILED]
    n_ok = sum(r.status == OK for r in results)
    n_skip = sum(r.status == SKIPPED for r in results)
    for r in bad:
        print(_error_line(r.error or r.status), file=sys.stderr)
    info(f"{len(results)} files: {n_ok} converted, {n_skip} already up to date (skipped), {len(bad)} errors "
         f"-> {a.output}")
    if bad:
        return EXIT_ERROR
    failed = sum(1 for r in results if r.failed_checks)
    return EXIT_CHECKS_FAILED if failed and a.strict else EXIT_OK


class _NotBuilt:
    """The arguments of a command that is not being run: never built (argparse spends most of
    the start-up of ``xlbudget --help`` building arguments)."""

    def add_argument(self, *args, **kwargs) -> None:
        pass

    def set_defaults(self, **kwargs) -> None:
        pass


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help layout at the terminal's width, found without importing shutil (and, with
    it, bz2 and lzma: a tenth of the start-up)."""
    try:
        width = int(os.environ.get("COLUMNS", "0")) or os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        width = 80
    return argparse.HelpFormatter(prog, width=max(width - 2, 40))


def _command_of(argv: list[str] | None) -> str:
    """The command named on the command line ("" when none is: ``xlbudget --help``)."""
    args = sys.argv[1:] if argv is None else argv
    return next((x for x in args if not x.startswith("-")), "")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` (a name, or "" for none) only that command's arguments are
    built, the other commands are listed by name and help."""
    common = argparse.ArgumentParser(add_help=False, formatter_class=_formatter)
    g = common.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    g.add_argument("-v", "--verbose", action="store_true", help="more detail (findings, tracebacks of internal errors)")
    p = argparse.ArgumentParser(prog="xlbudget", formatter_class=_formatter, description="部门预算/决算公开 PDF -> validated Excel workbooks",
                                epilog="exit codes: 0 ok, 1 checks failed (only with --strict), 2 usage or input error")
    p.add_argument("--version", action="version", version=__version__)
    sub = p.add_subparsers(dest="cmd", required=True)
    every = command is None

    def add(name: str, **kwargs):
        if every or name == command:
            return sub.add_parser(name, parents=[common], formatter_class=_formatter, **kwargs)
        sub.add_parser(name, add_help=False, formatter_class=_formatter, **kwargs)
        return _NotBuilt()

    s = add("import", help="import a disclosure PDF into a template workbook")
    s.add_argument("pdf")
    s.add_argument("-o", "--output", help="output .xlsx in an existing folder (default: next to the PDF)")
    s.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    _backend_option(s)
    s.set_defaults(func=_cmd_import)
    s = add("validate", help="run every check on a PDF or an xlbudget workbook")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="findings as JSON")
    s.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    s.set_defaults(func=_cmd_validate)
    s = add("compare", help="compare one department across years")
    s.add_argument("inputs", nargs="+")
    s.add_argument("-o", "--output", required=True, help="output .xlsx in an existing folder")
    s.add_argument("--strict", action="store_true", help="exit 1 when a year-on-year or narrative check fails")
    s.set_defaults(func=_cmd_compare)
    s = add("batch", help="convert every PDF of a folder")
    s.add_argument("folder")
    s.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    s.add_argument("--force", action="store_true", help="re-convert files already converted")
    s.add_argument("-j", "--workers", type=int, default=None, help="worker processes (default: CPU count)")
    s.add_argument("--timeout", type=float, default=None,
                   help="seconds allowed per file before it is reported as timeout (default: %(default)s)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--facts", metavar="FOLDER.parquet",
                   help="also write every value and finding to a Parquet fact store (a folder, one file per PDF)")
    s.add_argument("--duckdb", metavar="FILE.duckdb", help="also write every value and finding to a DuckDB file")
    s.add_argument("--executor", choices=("process", "dask"), default="process",
                   help="local worker processes (default) or a dask.distributed cluster")
    s.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="the dask scheduler to use (default: a LocalCluster of -j workers on this machine)")
    s.add_argument("--strict", action="store_true",
                   help="exit 1 when every file converted but some have failed checks (2 still wins on an error)")
    _backend_option(s)
    s.set_defaults(func=_cmd_batch)
    return p


def _error_line(msg: str) -> str:
    return "xlbudget: error: " + "".join(ch if ch.isprintable() else " " for ch in msg)


def main(argv: list[str] | None = None) -> int:
    a = build_parser(_command_of(argv)).parse_args(argv)  # usage errors: argparse prints usage and exits 2
    from xlbudget.model import XlbudgetError

    _Out.quiet, _Out.verbose = bool(getattr(a, "quiet", False)), bool(getattr(a, "verbose", False))
    try:
        return a.func(a)
    except XlbudgetError as e:
        print(_error_line(e.line()), file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(_error_line(f"{e.strerror or e}, {e.filename or ''}, check the path and its permissions"),
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except MemoryError:  # pragma: no cover
        print(_error_line("out of memory; the input is too large"), file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # a bug: one line, the traceback only with --verbose
        if _Out.verbose:
            import traceback

            traceback.print_exc()
        print(_error_line(f"internal error {type(e).__name__}: {e}; please report it (-v shows the traceback)"),
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
