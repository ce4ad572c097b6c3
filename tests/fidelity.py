"""Fidelity figures of the shared corpus, as the README states them.

    .venv/bin/python tests/fidelity.py            # from the repository root; ../shared or XLBUDGET_SHARED

Per real PDF: tables read, checks run, error findings, extraction warnings, narrative claims;
the 收支预算总表 values against the peer CSVs; for the rendered seeds, the numeric truth cells
found at their place (same table, same numeric row, same column) over all truth tables,
绩效 forms included. It reuses the tests' own comparison helpers, so the figures and the
tests measure the same thing.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import REAL, REAL_ALL, RENDERED, SEEDS, imported  # noqa: E402
from test_real_jiangsu import CASES, b01_values  # noqa: E402
from test_seed_truth import _form_num, _num, amount_rows, paired_tables  # noqa: E402

from xlbudget.checks import rules  # noqa: E402
from xlbudget.catalogue import kind_from_title  # noqa: E402


def real_corpus() -> Counter:
    total: Counter = Counter()
    for pdf in sorted(REAL_ALL.glob("**/*.pdf")):
        doc = imported(pdf)
        _, checks, findings = rules.run(doc)
        row = Counter(files=1, tables=len(doc.tables), checks=len(checks), claims=len(doc.claims),
                      errors=sum(f.severity == "error" for f in findings),
                      doubts=sum(f.kind == "extraction" for f in findings),
                      narrative_warnings=sum(f.id.startswith("NARR") for f in findings))
        total.update(row)
        print(f"{pdf.parent.name}/{pdf.name}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "files"))
    return total


def csv_values() -> Counter:
    out: Counter = Counter()
    for dept, year, expected in CASES:
        docs = [imported(p) for p in sorted((REAL / dept).glob("*.pdf")) if str(year) in p.name]
        values = next((b01_values(d) for d in docs if d.table("b01")), {})
        for name, v in expected.items():
            if name in values:
                out["compared"] += 1
                out["equal"] += values[name] == Decimal(v).quantize(values[name]) or values[name] == Decimal(v)
    return out


def rendered_cells() -> Counter:
    """Numeric truth cells found at their place: the body's numeric rows in order, the truth's
    positions (a form counts every figure) — what test_every_table_matches_truth_cell_by_cell asserts."""
    out: Counter = Counter()
    for seed in SEEDS:
        doc = imported(RENDERED / "pdf_a" / f"{seed}.pdf")
        truth = json.loads((RENDERED / "truth" / f"{seed}.json").read_text(encoding="utf-8"))
        for tt, t in paired_tables(doc, truth):
            num = _num if (kind_from_title(tt["title"]) or "other")[0] in "bf" else _form_num
            want = [r for r in (tuple(num(c) for c in row) for row in tt["rows"]) if any(v is not None for v in r)]
            got = amount_rows(t, num) if t is not None else []
            for k, w in enumerate(want):
                g = got[k] if k < len(got) else ()
                for j, v in enumerate(w):
                    if v is not None:
                        out["truth"] += 1
                        out["at_place"] += j < len(g) and g[j] == v
    return out


def main() -> int:
    if not REAL_ALL.exists():
        print(f"shared corpus not found: {REAL_ALL}", file=sys.stderr)
        return 2
    real = real_corpus()
    csv = csv_values()
    cells = rendered_cells()
    print()
    print(f"real PDFs {real['files']}: tables {real['tables']}, checks {real['checks']}, "
          f"error findings {real['errors']}, extraction warnings {real['doubts']}, "
          f"narrative claims {real['claims']} (narrative warnings {real['narrative_warnings']})")
    print(f"收支预算总表 vs peer CSV: {csv['equal']} of {csv['compared']} values equal")
    print(f"rendered seeds: {cells['at_place']} of {cells['truth']} numeric truth cells at their place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
