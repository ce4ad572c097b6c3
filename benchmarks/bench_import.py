#!/usr/bin/env python3
"""Benchmark: xlbudget.read.importer.import_pdf vs. plain pdfplumber table extraction.

For every PDF, measures wall-clock seconds per page of

* pdfplumber: ``open; for page in pdf.pages: page.extract_tables(); page.close()``
* xlbudget:   ``xlbudget.read.importer.import_pdf(path)`` (full import into a Document)

and prints a table with the ratio xlbudget / pdfplumber.  With ``--repeat N``
each file is measured N times and the best (minimum) time is reported; all
raw timings go to ``--json``.

Default files: every PDF under ../shared/corpus/rendered/pdf_a and
../shared/corpus/real/jiangsu, relative to the repository root (the parent of
this script's directory).
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = [
    REPO_ROOT.parent / "shared" / "corpus" / "rendered" / "pdf_a",
    REPO_ROOT.parent / "shared" / "corpus" / "real" / "jiangsu",
]
DEFAULT_IMPORTER = "xlbudget.read.importer:import_pdf"


def default_files() -> list[Path]:
    files: list[Path] = []
    for d in DEFAULT_DIRS:
        if d.is_dir():
            files.extend(sorted(p for p in d.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            print(f"warning: {d} not found, skipped", file=sys.stderr)
    return files


def load_importer(spec: str):
    module_name, _, func_name = spec.partition(":")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))  # run from a checkout without installing
    module = importlib.import_module(module_name)
    return getattr(module, func_name or "import_pdf")


def run_pdfplumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        n = 0
        for page in pdf.pages:
            page.extract_tables()
            page.close()
            n += 1
    return n


def count_pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return len(pdf.pages)


def timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def display_name(path: Path) -> str:
    for d in DEFAULT_DIRS:
        try:
            return str(path.resolve().relative_to(d.resolve().parent))
        except ValueError:
            pass
    return str(path)


def width(text: str) -> int:
    """Terminal display width (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, w: int) -> str:
    return text + " " * max(0, w - width(text))


def shorten(text: str, w: int) -> str:
    if width(text) <= w:
        return text
    while width("..." + text) > w:
        text = text[1:]
    return "..." + text


def fmt(x, spec):
    if x is None:
        return "-".rjust(int(spec.split(".")[0]))
    return format(x, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", nargs="+", type=Path, help="PDF files or directories (default: shared corpus)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per file and method; the minimum is reported")
    ap.add_argument("--json", dest="json_out", type=Path, help="write raw results to this JSON file")
    ap.add_argument("--importer", default=DEFAULT_IMPORTER,
                    help=f"module:function to benchmark (default {DEFAULT_IMPORTER})")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    if args.files:
        files = []
        for f in args.files:
            if f.is_dir():
                files.extend(sorted(p for p in f.rglob("*") if p.suffix.lower() == ".pdf"))
            else:
                files.append(f)
    else:
        files = default_files()
    if not files:
        print("no PDF files to benchmark", file=sys.stderr)
        return 2

    try:
        import pdfplumber  # noqa: F401
        import_pdf = load_importer(args.importer)
    except Exception as exc:  # noqa: BLE001
        print(f"error: cannot load {args.importer}: {exc!r}", file=sys.stderr)
        return 2

    results = []
    name_w = min(70, max(len("file"), *(width(display_name(f)) for f in files)))
    header = f"{pad('file', name_w)}  {'pages':>5}  {'pdfplumber s/p':>14}  {'xlbudget s/p':>12}  {'ratio':>6}"
    print(header)
    print("-" * len(header))
    tot_pages = 0
    tot_plumber = 0.0
    tot_xl = 0.0
    n_err = 0
    for path in files:
        rec = {"file": str(path), "pages": None, "pdfplumber_s": [], "xlbudget_s": [], "error": None}
        try:
            rec["pages"] = count_pages(path)
            for _ in range(args.repeat):
                rec["pdfplumber_s"].append(timed(run_pdfplumber, path))
                rec["xlbudget_s"].append(timed(import_pdf, str(path)))
        except Exception as exc:  # noqa: BLE001 - keep benchmarking the other files
            rec["error"] = f"{type(exc).__name__}: {exc}"
            rec["traceback"] = traceback.format_exc()
        pages = rec["pages"] or 0
        best_p = min(rec["pdfplumber_s"]) if rec["pdfplumber_s"] else None
        best_x = min(rec["xlbudget_s"]) if len(rec["xlbudget_s"]) == args.repeat else None
        rec["pdfplumber_best_s"] = best_p
        rec["xlbudget_best_s"] = best_x
        pp = best_p / pages if best_p is not None and pages else None
        xp = best_x / pages if best_x is not None and pages else None
        ratio = xp / pp if pp and xp is not None else None
        name = shorten(display_name(path), name_w)
        line = f"{pad(name, name_w)}  {pages:>5}  {fmt(pp, '14.4f')}  {fmt(xp, '12.4f')}  {fmt(ratio, '6.2f')}"
        if rec["error"]:
            n_err += 1
            line += f"  ERROR {rec['error'][:80]}"
        else:
            tot_pages += pages
            tot_plumber += best_p
            tot_xl += best_x
        print(line, flush=True)
        results.append(rec)

    print("-" * len(header))
    tp = tot_plumber / tot_pages if tot_pages else None
    tx = tot_xl / tot_pages if tot_pages else None
    tr = tx / tp if tp and tx is not None else None
    total_name = f"TOTAL ({len(files) - n_err} files)"
    print(f"{pad(total_name, name_w)}  {tot_pages:>5}  {fmt(tp, '14.4f')}  {fmt(tx, '12.4f')}  {fmt(tr, '6.2f')}")
    print(f"total seconds: pdfplumber {tot_plumber:.2f}, xlbudget {tot_xl:.2f}"
          + (f"; {n_err} file(s) failed" if n_err else ""))

    if args.json_out:
        import pdfplumber as _pp

        payload = {
            "importer": args.importer,
            "repeat": args.repeat,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "pdfplumber": getattr(_pp, "__version__", None),
            "total": {"files": len(files) - n_err, "failed": n_err, "pages": tot_pages,
                      "pdfplumber_s": tot_plumber, "xlbudget_s": tot_xl,
                      "pdfplumber_s_per_page": tp, "xlbudget_s_per_page": tx, "ratio": tr},
            "files": results,
        }
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {args.json_out}")
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main())
