"""Tests for xlbudget.write.recalc (LibreOffice headless recalculation)."""

from __future__ import annotations

import os
import re
import zipfile

import pytest

openpyxl = pytest.importorskip("openpyxl")

from xlbudget.write import recalc  # noqa: E402

_skip_no_lo = pytest.mark.skipif(
    recalc.find_soffice() is None,
    reason="LibreOffice not installed (no soffice/libreoffice on PATH); "
    "apt-get install --no-install-recommends libreoffice-calc-nogui",
)


def needs_lo(fn):
    """Mark a test as needing LibreOffice and skip it when soffice is absent."""
    return pytest.mark.libreoffice(_skip_no_lo(fn))


def _build(path):
    """A two-sheet workbook with the kinds of formulas the 校验 sheet uses."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    rows = [("项目", "金额", "复核"), ("a", 1.0, 1.01), ("b", 2, 3), ("c", 3.5, 3.5)]
    for r in rows:
        ws.append(r)
    ck = wb.create_sheet("校验")
    ck["A1"] = "=SUM('表1'!B2:B4)"
    ck["A2"] = "=IF(ABS('表1'!B2-'表1'!C2)<=0.015,\"OK\",\"FAIL\")"
    ck["A3"] = "=IF(ABS('表1'!B3-'表1'!C3)<=0.015,\"OK\",\"FAIL\")"
    ck["A4"] = "=SUMPRODUCT('表1'!B2:B4,'表1'!C2:C4)"
    ck["A5"] = "=SUMPRODUCT(('表1'!B2:B4>1)*'表1'!C2:C4)"
    ck["A6"] = "=COUNTIF(A2:A3,\"FAIL\")"
    ck["A7"] = "=ROUND(A1/3,2)"
    ck["A8"] = "=1/0"
    ck["B1"] = "plain text"
    wb.save(path)
    return path


@needs_lo
def test_find_soffice_returns_executable():
    exe = recalc.find_soffice()
    assert exe and os.path.isfile(exe)


@needs_lo
def test_computed_values(tmp_path):
    src = _build(tmp_path / "check.xlsx")
    values = recalc.computed_values(str(src), "校验")
    col_a = [row[0] for row in values]
    assert col_a[0] == pytest.approx(6.5)
    assert col_a[1] == "OK"
    assert col_a[2] == "FAIL"
    assert col_a[3] == pytest.approx(1.0 * 1.01 + 2 * 3 + 3.5 * 3.5)
    assert col_a[4] == pytest.approx(3 + 3.5)
    assert col_a[5] == 1
    assert col_a[6] == pytest.approx(2.17)
    assert col_a[7] == "#DIV/0!"
    assert values[0][1] == "plain text"
    assert len(values) == 8


@needs_lo
def test_recalculate_writes_copy_and_keeps_input(tmp_path):
    src = _build(tmp_path / "check.xlsx")
    before = src.read_bytes()
    out = recalc.recalculate(str(src), out_dir=str(tmp_path))  # same directory as input
    assert os.path.abspath(out) != os.path.abspath(src)
    assert os.path.isfile(out)
    assert src.read_bytes() == before
    # input still has no cached values; the copy has them, and keeps the formulas
    assert openpyxl.load_workbook(src, data_only=True)["校验"]["A1"].value is None
    assert openpyxl.load_workbook(out, data_only=True)["校验"]["A1"].value == pytest.approx(6.5)
    assert openpyxl.load_workbook(out)["校验"]["A1"].value.startswith("=SUM(")


@needs_lo
def test_recalculate_default_out_dir(tmp_path):
    src = _build(tmp_path / "check.xlsx")
    out = recalc.recalculate(str(src))
    try:
        assert os.path.dirname(os.path.abspath(out)) != str(tmp_path)
        assert openpyxl.load_workbook(out, data_only=True)["表1"]["B3"].value == 2
    finally:
        os.remove(out)
        os.rmdir(os.path.dirname(out))


@needs_lo
def test_stale_cached_values_are_recalculated(tmp_path):
    """A file with (wrong) cached values must be recalculated, not trusted."""
    src = _build(tmp_path / "check.xlsx")
    first = recalc.recalculate(str(src), out_dir=str(tmp_path / "first"))
    # change an input value inside the XML while leaving the cached results alone
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(first) as zin, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        sheet1 = next(n for n in names if n.endswith("worksheets/sheet1.xml"))
        for name in names:
            data = zin.read(name)
            if name == sheet1:
                new = re.sub(rb'(<c r="B3"[^>]*>)<v>2</v>', rb"\1<v>100</v>", data)
                assert new != data, "unexpected LibreOffice XML layout"
                data = new
            zout.writestr(name, data)
    assert openpyxl.load_workbook(stale, data_only=True)["校验"]["A1"].value == pytest.approx(6.5)
    values = recalc.computed_values(str(stale), "校验")
    assert values[0][0] == pytest.approx(104.5)
    assert values[2][0] == "FAIL"


@needs_lo
def test_unknown_sheet(tmp_path):
    src = _build(tmp_path / "check.xlsx")
    with pytest.raises(KeyError):
        recalc.computed_values(str(src), "没有")


@needs_lo
def test_bad_file_raises_runtime_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a workbook")
    with pytest.raises(RuntimeError):
        recalc.recalculate(str(bad), out_dir=str(tmp_path / "out"))


def test_missing_soffice_raises_runtime_error(tmp_path, monkeypatch):
    src = tmp_path / "x.xlsx"
    openpyxl.Workbook().save(src)
    monkeypatch.setattr(recalc, "find_soffice", lambda: None)
    with pytest.raises(RuntimeError, match="LibreOffice is not installed"):
        recalc.recalculate(str(src))
