#!/usr/bin/env python3
"""Benchmark: xlbudget's import against plain pdfplumber and the pypdfium2 floor, per page.

One interleaved run over the corpus: for every PDF, each method runs once, in an order rotated
from file to file, so that the load of a shared machine falls on all methods alike. Times are
CPU seconds of this process (of the child for the CLI), reported per page and as ratios to
pdfplumber ``extract_tables``, the figure to read on a loaded machine.

Methods:

* ``floor``        pypdfium2 read from Python: every character's text and loose box, every
                   page object, every path segment's point (what any pdfium reader must do)
* ``chars``        pdfplumber ``page.chars`` (pdfminer parses the content streams)
* ``tables``       pdfplumber ``page.extract_tables()``
* ``import:pdfplumber`` / ``import:pdfium``  ``import_pdf(path, {"backend": ...})``
* ``full:pdfium``  the full import: read, parse, rules and the workbook written
* ``cli:pdfium``   ``python -m xlbudget import PDF -o X.xlsx --backend pdfium`` (a new
                   interpreter per file: its start-up is included)

``--scaling`` then builds 25/50/200/1000-page PDFs by concatenating corpus PDFs (pypdfium2) and
imports each in a fresh interpreter: CPU seconds and peak RSS per size and backend.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XLBUDGET_SHARED", REPO_ROOT.parent / "shared"))
CORPUS_GLOBS = ["corpus/real/*/*/*.pdf", "corpus/real/shanghai/*.pdf", "corpus/rendered/pdf_a/*.pdf"]
SIZES = (25, 50, 200, 1000)

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run from a checkout without installing


def corpus() -> list:
    files = []
    for g in CORPUS_GLOBS:
        files.extend(sorted(SHARED.glob(g)))
    return files


def run_floor(path: str) -> None:
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as R

    pdf = pdfium.PdfDocument(path)
    box, fx, fy = R.FS_RECTF(), ctypes.c_float(), ctypes.c_float()
    for i in range(len(pdf)):
        page = pdf[i]
        tp = R.FPDFText_LoadPage(page.raw)
        for k in range(R.FPDFText_CountChars(tp)):
            R.FPDFText_GetUnicode(tp, k)
            R.FPDFText_GetLooseCharBox(tp, k, box)
        R.FPDFText_ClosePage(tp)
        todo = [R.FPDFPage_GetObject(page.raw, k) for k in range(R.FPDFPage_CountObjects(page.raw))]
        while todo:
            obj = todo.pop()
            kind = R.FPDFPageObj_GetType(obj)
            if kind == R.FPDF_PAGEOBJ_PATH:
                for s in range(R.FPDFPath_CountSegments(obj)):
                    R.FPDFPathSegment_GetPoint(R.FPDFPath_GetPathSegment(obj, s), fx, fy)
            elif kind == R.FPDF_PAGEOBJ_FORM:
                todo.extend(R.FPDFFormObj_GetObject(obj, k) for k in range(R.FPDFFormObj_CountObjects(obj)))
        page.close()
    pdf.close()


def run_chars(path: str) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars
            page.close()


def run_tables(path: str) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()


def run_import(backend: str):
    def run(path: str) -> None:
        from xlbudget.read.importer import import_pdf

        import_pdf(path, {"backend": backend})
    return run


def run_full(backend: str, out_dir: str):
    def run(path: str) -> None:
        from xlbudget.api import evaluate
        from xlbudget.read.importer import import_pdf
        from xlbudget.write.workbook import write_workbook

        res = evaluate(import_pdf(path, {"backend": backend}))
        write_workbook(res.document, os.path.join(out_dir, "full.xlsx"), findings=res.findings, checks=res.checks)
    return run


def run_cli(backend: str, out_dir: str):
    def run(path: str) -> None:
        subprocess.run([sys.executable, "-m", "xlbudget", "import", path, "-o", os.path.join(out_dir, "cli.xlsx"),
                        "--backend", backend, "-q"], cwd=REPO_ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run


def cpu_of(fn, path: str) -> float:
    """CPU seconds of ``fn(path)``: this process and the children it waited for."""
    s0, c0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    fn(path)
    s1, c1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (s1.ru_utime + s1.ru_stime - s0.ru_utime - s0.ru_stime
            + c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)


def pages_of(path: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def interleaved(files, methods) -> dict:
    names = list(methods)
    cpu = {n: 0.0 for n in names}
    pages = 0
    for k, f in enumerate(files):
        pages += pages_of(str(f))
        order = names[k % len(names):] + names[:k % len(names)]  # rotate: no method always first
        for n in order:
            cpu[n] += cpu_of(methods[n], str(f))
        print(f"  {k + 1}/{len(files)} {f.name}", file=sys.stderr, flush=True)
    return {"files": len(files), "pages": pages, "cpu_s": cpu}


def concatenated(files, n: int, folder: str) -> str:
    """A PDF of ``n`` pages: corpus PDFs one after the other, cut at ``n``."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    k = 0
    while len(out) < n:
        src = pdfium.PdfDocument(str(files[k % len(files)]))
        take = min(len(src), n - len(out))
        out.import_pages(src, list(range(take)))
        src.close()
        k += 1
    path = os.path.join(folder, f"concat_{n}.pdf")
    out.save(path)
    out.close()
    return path


_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from xlbudget.read.importer import import_pdf
t = time.process_time()
doc = import_pdf({path!r}, {{"backend": {backend!r}}})
cpu = time.process_time() - t
# VmHWM: the peak of this process (ru_maxrss would still hold the forking parent's after exec)
hwm = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
print(cpu, hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(doc.tables))
"""


def repeated(base: str, n: int, folder: str) -> str:
    """A PDF of ``n`` pages: the pages of ``base`` over and over (the same content: only the
    number of pages grows)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    src = pdfium.PdfDocument(base)
    while len(out) < n:
        out.import_pages(src, list(range(min(len(src), n - len(out)))))
    src.close()
    path = os.path.join(folder, f"repeated_{n}.pdf")
    out.save(path)
    out.close()
    return path


def scaling(files, backends, sizes, folder: str, repeat: bool = False) -> list:
    rows = []
    base = None
    for n in sizes:
        if repeat and base is not None:
            path = repeated(base, n, folder)
        else:
            path = concatenated(files, n, folder)
            base = base or path
        for b in backends:
            r = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(REPO_ROOT), path=path, backend=b)],
                               capture_output=True, text=True, cwd=REPO_ROOT)
            if r.returncode:
                rows.append({"pages": n, "backend": b, "error": r.stderr.strip().splitlines()[-1:]})
                continue
            cpu, rss_kib, tables = r.stdout.split()
            rows.append({"pages": n, "backend": b, "cpu_s": float(cpu), "peak_rss_mib": int(rss_kib) / 1024,
                         "tables": int(tables)})
            print(f"  scaling {n} pages {b}: {float(cpu):.1f} s, {int(rss_kib) / 1024:.0f} MiB", file=sys.stderr,
                  flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", nargs="+", type=Path, help="PDFs (default: the whole shared corpus)")
    ap.add_argument("--no-corpus", action="store_true", help="skip the interleaved corpus run")
    ap.add_argument("--scaling", action="store_true", help="also the 25/50/200/1000-page scaling table")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--scaling-backends", nargs="+", default=["pdfium", "pdfplumber"])
    ap.add_argument("--repeat", action="store_true",
                    help="scaling files made by repeating the smallest one (same content, more pages) "
                         "instead of concatenating more corpus PDFs")
    ap.add_argument("--json", dest="json_out", type=Path, help="write the raw figures here")
    a = ap.parse_args(argv)
    files = a.files or corpus()
    if not files:
        print(f"no PDFs (looked under {SHARED})", file=sys.stderr)
        return 2
    out = {"python": sys.version.split()[0], "started": time.strftime("%Y-%m-%d %H:%M"),
           "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        if not a.no_corpus:
            methods = {
                "floor": run_floor,
                "chars": run_chars,
                "tables": run_tables,
                "import:pdfplumber": run_import("pdfplumber"),
                "import:pdfium": run_import("pdfium"),
                "full:pdfium": run_full("pdfium", tmp),
                "cli:pdfium": run_cli("pdfium", tmp),
            }
            for f in files[:1]:  # libraries imported and caches warm before anything is timed
                for fn in methods.values():
                    fn(str(f))
            run = interleaved(files, methods)
            out["corpus"] = run
            pages, cpu = run["pages"], run["cpu_s"]
            base, floor = cpu["tables"], cpu["floor"]
            print(f"\n{run['files']} files, {pages} pages, one interleaved run (CPU ms per page)\n")
            print("| method | ms/page | x extract_tables | x floor |\n| --- | ---: | ---: | ---: |")
            for n, s in cpu.items():
                print(f"| {n} | {1000 * s / pages:.1f} | {s / base:.3f} | {s / floor:.1f} |")
        if a.scaling:
            rows = scaling(files, a.scaling_backends, a.sizes, tmp, repeat=a.repeat)
            out["scaling"] = rows
            print("\n| pages | backend | CPU s | ms/page | peak RSS MiB |\n| ---: | --- | ---: | ---: | ---: |")
            for r in rows:
                if "error" in r:
                    print(f"| {r['pages']} | {r['backend']} | error: {r['error']} | | |")
                else:
                    print(f"| {r['pages']} | {r['backend']} | {r['cpu_s']:.1f} | {1000 * r['cpu_s'] / r['pages']:.1f} "
                          f"| {r['peak_rss_mib']:.0f} |")
    out["load_after"] = os.getloadavg()
    if a.json_out:
        a.json_out.parent.mkdir(parents=True, exist_ok=True)
        a.json_out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
