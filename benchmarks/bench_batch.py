"""Batch scaling: wall time of ``run_batch`` with -j1 and -j2 (and dask) on the same PDFs, rounds
interleaved, plus the makespan a 2-worker pool would reach in the submission order vs. the
ideal (from the -j1 per-file times), which separates scheduling from machine effects.

    python benchmarks/bench_batch.py                     # the default corpus, 1 round
    python benchmarks/bench_batch.py --rounds 2 --dask   # also a dask LocalCluster of 2 workers
    python benchmarks/bench_batch.py --files some/dir    # other PDFs

A measuring tool only: no test asserts on time.
"""
from __future__ import annotations

import argparse
import heapq
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = [ROOT.parent / "shared/corpus/rendered/pdf_a", ROOT.parent / "shared/corpus/real"]


def link_inputs(paths, folder: Path) -> int:
    """One folder of symbolic links (names kept unique) to every PDF under ``paths``."""
    n = 0
    for base in paths:
        base = Path(base)
        pdfs = [base] if base.is_file() else sorted(base.rglob("*.pdf"))
        for p in pdfs:
            n += 1
            (folder / f"{n:03d}_{p.name}").symlink_to(p.resolve())
    return n


def makespan(durations, workers: int) -> float:
    """Greedy list scheduling in the given order: each job goes to the first free worker."""
    free = [0.0] * workers
    heapq.heapify(free)
    for d in durations:
        heapq.heappush(free, heapq.heappop(free) + d)
    return max(free)


BUSY_LOOP = [sys.executable, "-c", "s = 0\nfor i in range(20_000_000): s += i"]


def machine_ceiling(rounds: int = 3) -> float:
    """What the machine gives a second process right now: a fixed pure-Python loop, one process
    alone vs two at once (2.0 on an idle 2-core machine; less when other work holds the cores)."""
    import subprocess

    one, two = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run(BUSY_LOOP, check=True)
        one.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        procs = [subprocess.Popen(BUSY_LOOP) for _ in range(2)]
        for p in procs:
            p.wait()
        two.append(time.perf_counter() - t0)
    return 2 * statistics.median(one) / statistics.median(two)


def run(folder: Path, out: Path, workers: int, executor: str = "process"):
    from xlbudget.batch import run_batch

    t0 = time.perf_counter()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    results = run_batch(str(folder), str(out), force=True, workers=workers, progress=False, executor=executor)
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    bad = [r.file for r in results if r.status not in ("ok",)]
    return wall, cpu, results, bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="*", default=None)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--dask", action="store_true", help="also a dask LocalCluster of 2 workers")
    ap.add_argument("--ceiling", action="store_true", help="also the machine's own 2-process throughput")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlb-bench-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        n = link_inputs(a.files or DEFAULT, folder)
        walls = {"j1": [], "j2": []}
        if a.dask:
            walls["dask2"] = []
        per_file = {}
        sizes = {f.name: f.stat().st_size for f in folder.iterdir()}
        for k in range(a.rounds):
            for label in walls:
                workers, executor = (1, "process") if label == "j1" else (2, "dask" if label == "dask2" else "process")
                wall, cpu, results, bad = run(folder, Path(tmp) / f"out-{label}-{k}", workers, executor)
                walls[label].append(wall)
                print(f"round {k + 1} {label:5s}: {wall:7.1f} s wall, {cpu:7.1f} s CPU in workers"
                      + (f", not ok: {bad}" if bad else ""), flush=True)
                if label == "j1":
                    for r in results:
                        per_file.setdefault(r.file, []).append(r.seconds)
        load = os.getloadavg()[0]
    j1 = statistics.median(walls["j1"])
    print(f"\n{n} PDFs; load average at the end {load:.1f}")
    for label, ws in walls.items():
        print(f"{label:5s} median {statistics.median(ws):7.1f} s   speed-up over j1 {j1 / statistics.median(ws):.2f}x")
    # scheduling alone: the -j1 per-file seconds, placed on 2 workers in three orders
    from xlbudget.batch import submission_order

    durations = {f: statistics.median(s) for f, s in per_file.items()}
    names = sorted(durations)
    total = sum(durations.values())
    orders = {
        "name order (before)": names,
        "largest file first (batch now)": submission_order(names, sizes.get),
        "longest first (known times)": submission_order(names, durations.get),
    }
    longest = max(durations, key=durations.get)
    print(f"sum of per-file seconds {total:.1f}; the longest file {durations[longest]:.1f} s ({longest})")
    for label, order in orders.items():
        span = makespan([durations[f] for f in order], 2)
        print(f"2-worker makespan, {label:31s} {span:7.1f} s  {total / span:.2f}x")
    bound = max(total / 2, durations[longest])
    print(f"2-worker lower bound {bound:7.1f} s  {total / bound:.2f}x")
    if a.ceiling:
        print(f"the machine now: 2 busy-loop processes do {machine_ceiling():.2f}x the work of one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
