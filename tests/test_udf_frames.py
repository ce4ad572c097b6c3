"""The UDFs that read a file (XLB_CHECKS, XLB_FINDINGS, XLB_TABLE) stay responsive: one import
per file version, kept in a small LRU cache, and the tables and findings come back as pandas
DataFrames for xlwings' converters. Called as plain Python functions (no Excel)."""
from __future__ import annotations

import os
import shutil
from collections import OrderedDict

import pytest

pytest.importorskip("xlwings")
pd = pytest.importorskip("pandas")

from conftest import SHARED  # noqa: E402
from xlbudget import api  # noqa: E402
from xlbudget.excel import udfs  # noqa: E402
from xlbudget.model import Document  # noqa: E402

PDF_004 = os.path.join(SHARED, "corpus", "rendered", "pdf_a", "004_d644b8a86bb20fe5.pdf")
PDF_003 = os.path.join(SHARED, "corpus", "rendered", "pdf_a", "003_333e51848c84ec7d.pdf")
needs_seeds = pytest.mark.skipif(not (os.path.isfile(PDF_004) and os.path.isfile(PDF_003)),
                                 reason="rendered seed PDFs missing (../shared)")


@pytest.fixture
def reads(monkeypatch):
    """Count the imports the UDFs make (api.convert), with an empty cache."""
    monkeypatch.setattr(udfs, "_RESULTS", OrderedDict())
    calls = []
    real = api.convert

    def counting(path, *a, **k):
        calls.append(os.path.realpath(path))  # the UDFs read a file by its real path (links resolved)
        return real(path, *a, **k)

    monkeypatch.setattr(api, "convert", counting)
    return calls


@pytest.fixture
def fake_reads(monkeypatch):
    """Like ``reads``, but the import returns an empty document at once (any file named .pdf)."""
    monkeypatch.setattr(udfs, "_RESULTS", OrderedDict())
    calls = []

    def fake(path, *a, **k):
        calls.append(path)
        return api.Result(Document(department="测试", year=2024, kind="预算", unit="万元", source=path))

    monkeypatch.setattr(api, "convert", fake)
    return calls


def test_a_second_call_on_the_same_file_does_not_read_it_again(tmp_path, fake_reads):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 one")
    assert udfs.XLB_CHECKS(str(pdf)) == [["id", "severity", "message", "cells"]]
    udfs.XLB_FINDINGS(str(pdf))
    udfs.load_document(str(pdf))
    assert fake_reads == [str(pdf)]


def test_a_rewritten_file_is_read_again(tmp_path, fake_reads):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 one")
    udfs.XLB_FINDINGS(str(pdf))
    pdf.write_bytes(b"%PDF-1.4 two, longer")  # new size
    udfs.XLB_FINDINGS(str(pdf))
    st = pdf.stat()
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # touched: same size, new mtime
    udfs.XLB_FINDINGS(str(pdf))
    udfs.XLB_FINDINGS(str(pdf))
    assert len(fake_reads) == 3


def test_the_cache_keeps_only_the_latest_files(tmp_path, fake_reads, monkeypatch):
    monkeypatch.setattr(udfs, "RESULT_CACHE_SIZE", 2)
    paths = []
    for name in ("a", "b", "c"):
        p = tmp_path / f"{name}.pdf"
        p.write_bytes(b"%PDF-1.4 " + name.encode())
        paths.append(str(p))
        udfs.load_result(str(p))
    assert len(udfs._RESULTS) == 2
    udfs.load_result(paths[2])  # still there
    udfs.load_result(paths[0])  # pushed out by c: read again
    assert fake_reads == [paths[0], paths[1], paths[2], paths[0]]


def test_a_workbook_is_read_through_the_api_loader(tmp_path, monkeypatch):
    monkeypatch.setattr(udfs, "_RESULTS", OrderedDict())
    loaded = []
    monkeypatch.setattr(api, "load", lambda p: loaded.append(p) or Document(None, None, "预算", None, p))
    book = tmp_path / "b.xlsx"
    book.write_bytes(b"PK")
    assert udfs.XLB_FINDINGS(str(book)).empty
    udfs.XLB_FINDINGS(str(book))
    assert loaded == [str(book)]


@needs_seeds
def test_xlb_table_gives_the_printed_values_of_seed_004(reads):
    # typed from truth/004_d644b8a86bb20fe5.json, table 三、预算支出总表 (万元)
    df = udfs.XLB_TABLE(PDF_004, "b03")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns[-3:]) == ["全编码", "级次", "页码"]
    assert [c.split("/")[-1] for c in df.columns[:5]] == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    first = df.iloc[0].tolist()
    assert first[1:5] == ["一般公共服务支出", 497.55, 357.8, 139.75] and first[5:7] == ["'201", "类"]
    kuan = df.iloc[1].tolist()  # 03 政府办公厅（室）及相关机构事务: 基本支出 printed blank
    assert kuan[:5] == ["'03", "政府办公厅（室）及相关机构事务", 495.55, None, 139.75] and kuan[5] == "'20103"
    total = df.iloc[-1].tolist()
    assert total[0] == "合计" and total[2:5] == [621.43, 481.68, 139.75]
    assert len(df) == 20  # 19 item rows and 合计
    by_name = udfs.XLB_TABLE(PDF_004, "预算支出总表")
    assert by_name.equals(df)
    assert reads == [os.path.realpath(PDF_004)]  # the second table call used the cache


@needs_seeds
def test_xlb_findings_is_the_checks_table_as_a_frame(reads):
    df = udfs.XLB_FINDINGS(PDF_004)
    assert list(df.columns) == ["id", "severity", "message", "cells"]
    assert df.values.tolist() == udfs.XLB_CHECKS(PDF_004)[1:]
    # seed 004: 201 项目支出 139.75 printed, its children add up to 141.75
    assert any(r.id.startswith("TREE.") and "139.75" in r.message and "141.75" in r.message for r in df.itertuples())
    assert reads == [os.path.realpath(PDF_004)]


@needs_seeds
def test_xlb_table_follows_a_file_replaced_by_another_disclosure(tmp_path, reads):
    pdf = tmp_path / "budget.pdf"
    shutil.copy(PDF_004, pdf)
    assert udfs.XLB_TABLE(str(pdf), "b03").iloc[-1].tolist()[2] == 621.43
    shutil.copy(PDF_003, pdf)
    st = pdf.stat()
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    other = udfs.XLB_TABLE(str(pdf), "b03")
    # truth/003_333e51848c84ec7d.json, 2026年预算支出总表: 201 一般公共服务支出 4806.81 2616.80 2190.01
    row_201 = other[other["全编码"] == "'201"].iloc[0].tolist()
    assert row_201[1:5] == ["一般公共服务支出", 4806.81, 2616.8, 2190.01]
    assert len(reads) == 2


def test_xlb_table_names_what_the_document_holds(tmp_path, fake_reads):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    df = udfs.XLB_TABLE(str(pdf), "b99")
    assert df.iloc[0]["id"] == "ERROR" and "no table 'b99'" in df.iloc[0]["message"]


def test_a_missing_file_is_an_error_row_not_an_exception(tmp_path):
    df = udfs.XLB_FINDINGS(str(tmp_path / "nope.pdf"))
    assert df.iloc[0]["id"] == "ERROR" and "not found" in df.iloc[0]["message"]
