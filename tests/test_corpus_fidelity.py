"""Every real disclosure of the shared corpus reads without doubt and without false errors.

The documented real errors (seed 004's, the Shanghai 规划和自然资源局 narrative misquotes) are
warnings of the narrative checks, asserted in their own tests; no real PDF may yield an
error finding or an extraction warning.
"""
import pytest

from conftest import REAL_ALL, imported
from xlbudget.checks import rules

PDFS = sorted(REAL_ALL.glob("**/*.pdf")) if REAL_ALL.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_real_pdf_reads_without_doubt_or_false_error(pdf):
    doc = imported(pdf)
    _, _, findings = rules.run(doc)
    assert [f.message for f in findings if f.kind == "extraction"] == []
    assert [f.message for f in findings if f.severity == "error"] == []
