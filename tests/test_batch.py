"""Batch conversion of a folder: good, broken and scanned PDFs side by side."""
from __future__ import annotations

import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlbudget.write.workbook")

from xlbudget.batch import ERROR, OK, SKIPPED, SUMMARY_HEADER, SUMMARY_NAME, convert_one, run_batch  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RENDERED = SHARED / "corpus" / "rendered" / "pdf_a" / "000_7d1637c2b07940b9.pdf"
REAL = SHARED / "corpus" / "real" / "jiangsu" / "江苏省委办公厅" / "江苏省委办公厅2019年度部门预算公开表格.pdf"

pytestmark = pytest.mark.skipif(not (RENDERED.is_file() and REAL.is_file()), reason="shared corpus not found")


def blank_pdf() -> bytes:
    """A valid one-page PDF with no text at all (what a scan without OCR looks like to us)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


@pytest.fixture()
def folder(tmp_path):
    src = tmp_path / "in"
    (src / "江苏").mkdir(parents=True)
    shutil.copy(RENDERED, src / "jinzhong.pdf")
    shutil.copy(REAL, src / "江苏" / "委办公厅2019.pdf")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)  # header, then garbage
    (src / "notes.PDF").write_bytes(b"this is not a pdf at all\n")
    (src / "scanned.pdf").write_bytes(blank_pdf())
    (src / "readme.txt").write_text("not a PDF, ignored")
    return src


def summary_rows(out_dir):
    wb = openpyxl.load_workbook(Path(out_dir) / SUMMARY_NAME)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == SUMMARY_HEADER
    return {r[0]: dict(zip(SUMMARY_HEADER, r)) for r in rows[1:]}


def test_batch_bad_files_never_stop_it(folder, tmp_path):
    out = tmp_path / "out"
    results = run_batch(str(folder), str(out), workers=2, progress=False)
    by = {r.file: r for r in results}
    assert set(by) == {"jinzhong.pdf", os.path.join("江苏", "委办公厅2019.pdf"), "broken.pdf", "notes.PDF",
                       "scanned.pdf"}
    good = by["jinzhong.pdf"]
    assert good.status == OK and good.error is None
    assert good.department == "晋中市人民政府外事办公室" and good.year == 2024 and good.kind == "预算"
    assert good.totals["支出总计"] == Decimal("329.50") and good.totals["基本支出"] == Decimal("297.89")
    assert good.failed_checks is not None and good.pages == 23
    real = by[os.path.join("江苏", "委办公厅2019.pdf")]
    assert real.status == OK and real.totals["支出总计"] == Decimal("27664.22")
    # sub-folders are kept, every workbook is there and complete (no temp file left behind)
    assert (out / "jinzhong.xlsx").is_file() and (out / "江苏" / "委办公厅2019.xlsx").is_file()
    assert not list(out.rglob(".xlbudget-*"))
    openpyxl.load_workbook(out / "江苏" / "委办公厅2019.xlsx")
    # clear, per-file messages
    assert by["broken.pdf"].status == ERROR and "broken.pdf" in by["broken.pdf"].error
    assert "cannot open PDF" in by["broken.pdf"].error
    assert by["notes.PDF"].status == ERROR and "not a PDF" in by["notes.PDF"].error
    assert by["scanned.pdf"].status == ERROR and "no text layer" in by["scanned.pdf"].error
    assert "Traceback" not in "".join(r.error or "" for r in results)
    assert not (out / "broken.xlsx").exists() and not (out / "scanned.xlsx").exists()
    # summary: one row per file
    rows = summary_rows(out)
    assert len(rows) == 5
    assert rows["jinzhong.pdf"]["状态"] == "ok" and rows["jinzhong.pdf"]["支出总计"] == pytest.approx(329.50)
    assert rows["jinzhong.pdf"]["部门"] == "晋中市人民政府外事办公室" and rows["jinzhong.pdf"]["年度"] == 2024
    assert rows["scanned.pdf"]["状态"] == "error" and "no text layer" in rows["scanned.pdf"]["错误信息"]
    assert rows["broken.pdf"]["输出"] is None


def test_second_run_skips_and_force_reconverts(folder, tmp_path):
    out = tmp_path / "out"
    run_batch(str(folder), str(out), workers=2, progress=False)
    target = out / "jinzhong.xlsx"
    before = target.stat().st_mtime_ns
    again = {r.file: r for r in run_batch(str(folder), str(out), workers=2, progress=False)}
    assert again["jinzhong.pdf"].status == SKIPPED
    assert again[os.path.join("江苏", "委办公厅2019.pdf")].status == SKIPPED
    assert target.stat().st_mtime_ns == before
    # a skipped file keeps its summary data (read back from its workbook)
    assert again["jinzhong.pdf"].department == "晋中市人民政府外事办公室"
    assert again["jinzhong.pdf"].totals["支出总计"] == Decimal("329.50")
    assert again["scanned.pdf"].status == ERROR  # failures are retried, and fail again clearly
    rows = summary_rows(out)
    assert rows["jinzhong.pdf"]["状态"] == "skipped" and len(rows) == 5
    # a newer PDF is converted again
    time.sleep(0.01)
    os.utime(folder / "jinzhong.pdf", None)
    newer = {r.file: r for r in run_batch(str(folder), str(out), workers=1, progress=False)}
    assert newer["jinzhong.pdf"].status == OK
    assert newer[os.path.join("江苏", "委办公厅2019.pdf")].status == SKIPPED
    forced = {r.file: r for r in run_batch(str(folder), str(out), force=True, workers=2, progress=False)}
    assert forced["jinzhong.pdf"].status == OK and forced[os.path.join("江苏", "委办公厅2019.pdf")].status == OK
    assert target.stat().st_mtime_ns > before


def test_progress_bar_goes_to_stderr(folder, tmp_path, capsys):
    for f in ("jinzhong.pdf", "broken.pdf", "notes.PDF"):
        (folder / f).unlink()
    shutil.rmtree(folder / "江苏")
    run_batch(str(folder), str(tmp_path / "o"), workers=1, progress=True)
    cap = capsys.readouterr()
    assert cap.out == ""
    assert "1/1" in cap.err


def test_convert_one_never_raises(tmp_path):
    r = convert_one(str(tmp_path / "missing.pdf"), str(tmp_path / "x.xlsx"), "missing.pdf")
    assert r.status == ERROR and "no such file" in r.error


def test_not_a_folder(tmp_path):
    from xlbudget.model import XlbudgetError

    with pytest.raises(XlbudgetError, match="not a folder"):
        run_batch(str(tmp_path / "nope"), str(tmp_path / "o"), progress=False)


def test_empty_folder_writes_empty_summary(tmp_path):
    (tmp_path / "in").mkdir()
    assert run_batch(str(tmp_path / "in"), str(tmp_path / "o"), progress=False) == []
    assert summary_rows(tmp_path / "o") == {}


def test_narrative_only_pdf_says_so_in_the_summary(tmp_path):
    """A 公开文件 PDF holds the narrative only: "ok" with empty totals must not read as zeros."""
    from xlbudget.batch import NOTE_TEXT_ONLY

    text = REAL.parent / "江苏省委办公厅2019年度部门预算公开文件.pdf"
    if not text.is_file():
        pytest.skip("narrative PDF not found")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(text, src / "text.pdf")
    shutil.copy(REAL, src / "tables.pdf")
    out = tmp_path / "out"
    for _ in range(2):  # converted, then skipped: the note is read back from the workbook
        run_batch(str(src), str(out), workers=1, progress=False)
        rows = summary_rows(out)
        assert rows["text.pdf"]["状态"] in (OK, SKIPPED) and rows["text.pdf"]["说明"] == NOTE_TEXT_ONLY
        assert rows["text.pdf"]["支出总计"] is None
        assert rows["tables.pdf"]["说明"] is None
        assert rows["tables.pdf"]["支出总计"] == pytest.approx(27664.22)
