"""The one pipeline: a PDF is read once and its rules run once, whatever adapter asks."""
from conftest import RENDERED, need
from xlbudget import api
from xlbudget import cli
from xlbudget.checks import rules


def test_import_runs_the_rule_engine_once(tmp_path, monkeypatch):
    pdf = need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf")
    calls = []
    build = rules.build_checks  # what rules.check and rules.run both start with
    monkeypatch.setattr(rules, "build_checks", lambda doc: calls.append(doc) or build(doc))
    out = tmp_path / "x.xlsx"
    assert cli.main(["import", str(pdf), "-o", str(out), "-q"]) == 0
    assert out.exists() and len(calls) == 1


def test_convert_gives_the_document_its_checks_and_findings():
    res = api.convert(str(need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf")))
    assert res.document.department == "新绛县人民政府办公室" and res.document.year == 2024
    # seed 004's real errors (README): 12 failed checks
    assert res.errors == 12 == sum(1 for c in res.checks if not c.ok and c.severity == "error")
