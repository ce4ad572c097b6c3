#!/usr/bin/env python3
"""Benchmark: ``write_workbook`` against the one of an earlier revision, per page, and the same files.

The corpus (or ``--files``) is imported once (pdfium) and its rules run once; then, for every
document, this checkout's ``write_workbook`` and the one in ``xlbudget/write/workbook.py`` at
``--rev`` (read with ``git show``) write the workbook, in an order alternating from round to round,
so that the load of a shared machine falls on both alike. CPU ms per page of each, and their ratio.

Each pair of files is then compared part by part (the zip members), byte for byte, the time
stamps of the import masked (元数据 导入时间, docProps/core.xml): the content the two write.

    python benchmarks/bench_workbook.py --rev 9a90c06
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run from a checkout without installing

from bench_import import corpus

TIME_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\dZ?")


def reference_module(rev: str, folder: str):
    """``xlbudget/write/workbook.py`` at ``rev``, imported under its own name."""
    src = subprocess.run(["git", "-C", str(REPO_ROOT), "show", f"{rev}:xlbudget/write/workbook.py"],
                         check=True, capture_output=True, text=True).stdout
    path = os.path.join(folder, "reference_workbook.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("reference_workbook", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parts(path: str) -> dict:
    with zipfile.ZipFile(path) as z:
        return {n: TIME_STAMP.sub(b"<time>", z.read(n)) for n in z.namelist()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rev", required=True, help="the git revision whose write_workbook is the reference")
    ap.add_argument("--files", nargs="*", help="PDFs (default: the whole corpus)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from xlbudget.api import evaluate
    from xlbudget.read.importer import import_pdf
    from xlbudget.write import workbook as current

    files = [Path(f) for f in args.files] if args.files else corpus()
    results = [(f, evaluate(import_pdf(str(f), {"backend": "pdfium"}))) for f in files]
    pages = sum(r.document.n_pages for _, r in results)
    with tempfile.TemporaryDirectory() as tmp:
        writers = {"reference": reference_module(args.rev, tmp), "current": current}
        out = {k: os.path.join(tmp, f"{k}.xlsx") for k in writers}
        cpu = dict.fromkeys(writers, 0.0)
        differing = []
        for rnd in range(args.rounds + 1):  # round 0 warms up and compares
            for f, r in results:
                for k in (list(writers) if rnd % 2 else list(writers)[::-1]):
                    t = time.process_time()
                    writers[k].write_workbook(r.document, out[k], findings=r.findings, checks=r.checks)
                    if rnd:
                        cpu[k] += time.process_time() - t
                if rnd == 0:
                    a, b = parts(out["reference"]), parts(out["current"])
                    diff = sorted(n for n in set(a) | set(b) if a.get(n) != b.get(n))
                    if diff:
                        differing.append((f.name, diff))
    ms = {k: v * 1000 / args.rounds / pages for k, v in cpu.items()}
    print(f"{len(results)} files, {pages} pages, {args.rounds} rounds, CPU ms/page of write_workbook: "
          f"reference ({args.rev}) {ms['reference']:.2f}, current {ms['current']:.2f}, "
          f"ratio {cpu['current'] / cpu['reference']:.3f}")
    print(f"files whose workbook parts differ: {len(differing)}")
    for name, diff in differing:
        print(f"  {name}: {', '.join(diff)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
