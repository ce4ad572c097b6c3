"""Exit codes and messages, the same for import, validate, compare and batch:
0 ok, 1 checks failed (only with --strict), 2 usage or input error (one line on stderr)."""
from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

from conftest import ROOT
from hostile import make_corpus as mc
from xlbudget.batch import SUMMARY_NAME
from xlbudget.cli import main


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xlbudget: error: "), err
    return lines[0]


@pytest.fixture()
def good(tmp_path):
    p = tmp_path / "good.pdf"
    p.write_bytes(mc.disclosure_pdf())
    return p


def test_output_must_be_an_xlsx(tmp_path, good, capsys):
    assert main(["import", str(good), "-o", str(tmp_path / "out.csv")]) == 2
    assert "-o must end with .xlsx" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "out.csv").exists()
    assert main(["compare", str(good), str(good), "-o", str(tmp_path / "c.csv")]) == 2
    assert "-o must end with .xlsx" in one_error_line(capsys.readouterr().err)


def test_output_folder_is_never_created_silently(tmp_path, good, capsys):
    out = tmp_path / "nonexistent" / "dir" / "x.xlsx"
    assert main(["import", str(good), "-o", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "folder does not exist" in line and "x.xlsx" in line and "create" in line
    assert not (tmp_path / "nonexistent").exists()


def test_compare_needs_two_documents(tmp_path, good, capsys):
    assert main(["compare", str(good), "-o", str(tmp_path / "c.xlsx")]) == 2
    assert "at least 2 documents" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "c.xlsx").exists()


def test_import_writes_and_exits_0_quiet_prints_nothing(tmp_path, good, capsys):
    out = tmp_path / "good.xlsx"
    assert main(["import", str(good), "-o", str(out), "-q"]) == 0
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err == ""  # -q: not even the "no unit line" warning
    assert out.is_file()
    assert main(["import", str(good), "-o", str(out)]) == 0
    cap = capsys.readouterr()
    assert "1 tables, 2 narrative claims" in cap.out  # results on stdout
    assert cap.err.startswith("warning: no unit line")  # warnings on stderr
    assert main(["validate", str(out), "--strict"]) == 0


def test_batch_exit_code_and_summary_when_a_file_fails(tmp_path, good, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.pdf").write_bytes(good.read_bytes())
    (src / "cut.pdf").write_bytes(mc.truncated(mc.disclosure_pdf(), 0.5))
    (src / "notes.txt").write_text("not a PDF: ignored")
    out = tmp_path / "out"  # the stated output folder may be created
    assert main(["batch", str(src), "-o", str(out), "-j", "1", "--no-progress"]) == 2
    cap = capsys.readouterr()
    assert "2 files: 1 converted, 0 already up to date (skipped), 1 errors" in cap.out
    line = one_error_line(cap.err)
    assert "damaged PDF" in line and "cut.pdf" in line
    ws = openpyxl.load_workbook(out / SUMMARY_NAME).worksheets[0]
    status = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert status == {"cut.pdf": "error", "good.pdf": "ok"}
    # a rerun says what it did, and still fails for the broken file
    assert main(["batch", str(src), "-o", str(out), "-j", "1", "--no-progress"]) == 2
    assert "2 files: 0 converted, 1 already up to date (skipped), 1 errors" in capsys.readouterr().out
    (src / "cut.pdf").unlink()
    assert main(["batch", str(src), "-o", str(out), "-j", "1", "--no-progress"]) == 0


def test_batch_output_must_be_a_folder(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "output folder" in one_error_line(capsys.readouterr().err)


def test_usage_errors_exit_2():
    r = subprocess.run([sys.executable, "-m", "xlbudget", "import"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "usage:" in r.stderr
    r = subprocess.run([sys.executable, "-m", "xlbudget", "frobnicate"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2


def test_internal_error_is_one_line_and_exit_2(tmp_path, good, capsys, monkeypatch):
    import xlbudget.read.importer as importer

    def boom(path, *settings):
        raise RuntimeError("unexpected\nstructure")

    monkeypatch.setattr(importer, "import_pdf", boom)
    assert main(["import", str(good), "-o", str(tmp_path / "x.xlsx")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "internal error RuntimeError" in line and "report" in line
    assert main(["import", str(good), "-o", str(tmp_path / "x.xlsx"), "-v"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_batch_strict_exits_1_on_failed_checks_and_2_still_wins(tmp_path, capsys):
    from conftest import RENDERED, need

    seed = need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf")  # 12 failed checks (TIE 2101101 …)
    src = tmp_path / "in"
    src.mkdir()
    (src / "004.pdf").write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    args = ["batch", str(src), "-o", str(out), "-j", "1", "--no-progress"]
    assert main(args) == 0
    assert main(args + ["--strict"]) == 1  # skipped files count too: their checks are read back
    (src / "cut.pdf").write_bytes(mc.truncated(mc.disclosure_pdf(), 0.5))
    assert main(args + ["--strict"]) == 2
    capsys.readouterr()
