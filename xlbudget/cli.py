"""Command line: ``xlbudget import|validate|compare|batch``."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from . import __version__
from .model import Document, XlbudgetError


def load(path: str) -> Document:
    """A PDF is imported, an xlbudget .xlsx read back."""
    low = path.lower()
    if low.endswith(".pdf"):
        from .importer import import_pdf

        return import_pdf(path)
    if low.endswith((".xlsx", ".xlsm")):
        from .workbook import read_workbook

        return read_workbook(path)
    raise XlbudgetError(f"{path}: expected a .pdf or an .xlsx file")


def _cmd_import(a) -> int:
    from .importer import import_pdf
    from .workbook import write_workbook

    out = a.output or os.path.splitext(a.pdf)[0] + ".xlsx"
    if os.path.abspath(out) == os.path.abspath(a.pdf):
        raise XlbudgetError("the output would overwrite the input PDF; choose another -o")
    doc = import_pdf(a.pdf)
    write_workbook(doc, out)
    from .rules import check

    findings = check(doc)
    errors = sum(1 for f in findings if f.severity == "error")
    print(f"{a.pdf}: {doc.department or '?'} {doc.year or '?'} {doc.kind}, {len(doc.tables)} tables, "
          f"{len(doc.claims)} narrative claims, {errors} failed checks, "
          f"{len(findings) - errors} warnings -> {out}")
    for w in doc.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def _cmd_validate(a) -> int:
    from .rules import run

    doc = load(a.file)
    _, checks, findings = run(doc)
    if a.json:
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1))
    else:
        keys = {}
        from .rules import table_keys
        from .classify import sheet_name

        for t in doc.tables:
            keys[table_keys(doc)[id(t)]] = t
        for f in findings:
            where = ", ".join(
                f"{sheet_name(keys[c.table].kind) if c.table in keys else c.table} r{c.row + 1}c{c.col + 1}"
                + (f" p{c.page}" if c.page else "") for c in f.cells[:4])
            print(f"[{f.severity}] {f.id}: {f.message}" + (f"  ({where}{' …' if len(f.cells) > 4 else ''})" if where else ""))
        errors = sum(1 for f in findings if f.severity == "error")
        print(f"{a.file}: {len(doc.tables)} tables, {len(checks)} checks, {len(doc.claims)} narrative claims: "
              f"{errors} errors, {len(findings) - errors} warnings")
    return 1 if any(f.severity == "error" for f in findings) and a.strict else 0


def _cmd_compare(a) -> int:
    from .compare_writer import run_compare

    comp = run_compare(a.inputs, a.output)
    findings = list(getattr(comp, "findings", []) or [])
    for f in findings:
        print(f"[{f.severity}] {f.id}: {f.message}")
    print(f"comparison of {len(a.inputs)} files, {len(findings)} narrative year-on-year mismatches -> {a.output}")
    return 0


def _cmd_batch(a) -> int:
    from .batch import run_batch

    results = run_batch(a.folder, a.output, force=a.force, workers=a.workers, progress=not a.no_progress)
    bad = [r for r in results if getattr(r, "status", "") == "error"]
    print(f"{len(results)} files, {len(bad)} errors -> {a.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xlbudget", description="部门预算/决算公开 PDF -> validated Excel workbooks")
    p.add_argument("--version", action="version", version=__version__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("import", help="import a disclosure PDF into a template workbook")
    s.add_argument("pdf")
    s.add_argument("-o", "--output", help="output .xlsx (default: next to the PDF)")
    s.set_defaults(func=_cmd_import)
    s = sub.add_parser("validate", help="run every check on a PDF or an xlbudget workbook")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="findings as JSON")
    s.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    s.set_defaults(func=_cmd_validate)
    s = sub.add_parser("compare", help="compare one department across years")
    s.add_argument("inputs", nargs="+")
    s.add_argument("-o", "--output", required=True)
    s.set_defaults(func=_cmd_compare)
    s = sub.add_parser("batch", help="convert every PDF of a folder")
    s.add_argument("folder")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--force", action="store_true", help="re-convert files already converted")
    s.add_argument("-j", "--workers", type=int, default=None, help="worker processes (default: CPU count)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_batch)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    a = build_parser().parse_args(argv)
    try:
        return a.func(a)
    except XlbudgetError as e:
        print(f"xlbudget: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"xlbudget: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
