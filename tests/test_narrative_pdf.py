"""Narrative figures printed in another font a few points below their line (rendered with
reportlab into a temporary directory, see tests/fixtures/render_narrative.py)."""
from decimal import Decimal as D

import pytest

pytest.importorskip("reportlab")

from conftest import REAL, SHARED, imported  # noqa: E402
from fixtures import render_narrative as rn  # noqa: E402
from xlbudget.read.importer import import_pdf  # noqa: E402
from xlbudget.read.pdf import read_pdf  # noqa: E402
from xlbudget.read.raw import TextLine  # noqa: E402
from xlbudget.checks.rules import run  # noqa: E402


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    d = tmp_path_factory.mktemp("narrative")
    return {
        "shifted": rn.write_final_account(d, "shifted.pdf", drop=3.0),
        "shifted2": rn.write_final_account(d, "shifted2.pdf", drop=2.0),
        "shifted4": rn.write_final_account(d, "shifted4.pdf", drop=4.0),
        "baseline": rn.write_final_account(d, "baseline.pdf", drop=0.0),
        "wrong": rn.write_final_account(d, "wrong.pdf", drop=3.0, wrong_table=True),
        "columns": rn.write_two_columns(d, "columns.pdf", offset=5.0),
    }


def _claims(doc):
    return [(c.subject, c.amount, c.share) for c in doc.claims]


@pytest.mark.parametrize("key", ["shifted", "shifted2", "shifted4"])
def test_figures_below_the_baseline_are_read_with_their_line(rendered, key):
    truth = rendered[key]
    doc = import_pdf(str(truth["path"]))
    assert _claims(doc) == [("支出合计", D("9759.38"), None), ("基本支出", D("5377.64"), D("55.10")),
                            ("项目支出", D("4381.74"), D("44.90"))]
    assert doc.year == 2024 and doc.department == "上海市某某局" and doc.kind == "决算"
    assert not [f for f in doc.diagnostics if f.id.startswith("EXTRACT.no-")]


def test_same_page_with_figures_on_the_baseline_gives_the_same_claims(rendered):
    shifted = import_pdf(str(rendered["shifted"]["path"]))
    baseline = import_pdf(str(rendered["baseline"]["path"]))
    assert _claims(shifted) == _claims(baseline)
    lines = [b.text for b in read_pdf(str(rendered["shifted"]["path"])).blocks if isinstance(b, TextLine)]
    assert "上海市某某局2024年度部门决算" in lines
    assert "项目支出4381.74万元，占44.90%。" in lines


def test_a_wrong_figure_of_the_shifted_narrative_is_a_narr_finding(rendered):
    doc = import_pdf(str(rendered["wrong"]["path"]))
    _, _, findings = run(doc)
    narr = [f for f in findings if f.id == "NARR.amount"]
    assert any(f.actual == D("5377.64") and f.expected == D("5364.75") for f in narr)
    right = import_pdf(str(rendered["shifted"]["path"]))
    assert not [f for f in run(right)[2] if f.id.startswith("NARR")]


def test_two_columns_half_a_line_apart_stay_apart(rendered):
    lines = [b.text for b in read_pdf(str(rendered["columns"]["path"])).blocks if isinstance(b, TextLine)]
    assert sorted(lines) == sorted(rendered["columns"]["lines"])


def test_unread_narrative_year_and_department_are_doubted(rendered):
    """Without the baseline-tolerant lines the page reads no claim, no year, no department:
    the importer says so instead of leaving the narrative silently unchecked."""
    # an overlap share above 1 can never be met: no run joins another line
    doc = import_pdf(str(rendered["shifted"]["path"]), pdf={"line_overlap": 2.0})
    assert doc.claims == [] and doc.year is None and doc.department is None
    ids = {f.id for f in doc.diagnostics}
    assert {"EXTRACT.no-claims", "EXTRACT.no-year", "EXTRACT.no-department"} <= ids


REAL_PDFS = (sorted(REAL.glob("*/*.pdf")) if REAL.exists() else []) + (
    sorted((SHARED / "corpus" / "real" / "shanghai").glob("*.pdf")) if SHARED.exists() else [])


@pytest.mark.slow
@pytest.mark.parametrize("pdf", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_no_reading_doubts_on_real_disclosures(pdf):
    """Narrative-only, table-only and the blank 决算 template (its "XXX万元" are no figures): the
    claims and the year are read, or there is no narrative to read them from."""
    doc = imported(pdf)
    ids = {f.id for f in doc.diagnostics}
    assert "EXTRACT.no-claims" not in ids and "EXTRACT.no-year" not in ids
    # every real disclosure names its department somewhere (cover, titles or narrative)
    assert doc.department and "EXTRACT.no-department" not in ids
