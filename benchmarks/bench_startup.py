"""Start-up cost of the command line: ``xlbudget --help`` against a bare interpreter, repeated and
interleaved (a hyperfine-like median), as wall time and as CPU time of the child (user + sys:
steadier than wall time on a loaded machine).

    python benchmarks/bench_startup.py            # 30 rounds
    python benchmarks/bench_startup.py 100

A measuring tool only: no test asserts on time (tests/test_architecture.py asserts instead that
``import xlbudget.cli`` loads no heavy library).
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "bare interpreter": [sys.executable, "-c", "pass"],
    "xlbudget --help": [sys.executable, "-m", "xlbudget", "--help"],
    "xlbudget batch --help": [sys.executable, "-m", "xlbudget", "batch", "--help"],
}


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # as an installed package runs: from compiled bytecode (pip compiles at install time; with
    # PYTHONDONTWRITEBYTECODE every start compiles cli.py again, ~5 ms that no user pays)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for cmd in COMMANDS.values():  # warm-up: writes the bytecode
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env, cwd=ROOT)
    wall = {k: [] for k in COMMANDS}
    cpu = {k: [] for k in COMMANDS}
    for _ in range(rounds):
        for k, cmd in COMMANDS.items():
            c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env, cwd=ROOT)
            wall[k].append(time.perf_counter() - t0)
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[k].append(c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime)
    bw, bc = statistics.median(wall["bare interpreter"]), statistics.median(cpu["bare interpreter"])
    print(f"{rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    for k in COMMANDS:
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f"{k:22s} wall {w * 1000:6.1f} ms ({w / bw:.2f}x)   CPU {c * 1000:6.1f} ms ({c / bc:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
