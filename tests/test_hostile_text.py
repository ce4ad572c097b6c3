"""Formula and text safety of every workbook we write, and parsers that never raise on any text."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal as D

import openpyxl
from hypothesis import HealthCheck, given, settings, strategies as st

from xlbudget.batch import BatchResult, write_summary
from xlbudget.codes import code_text
from xlbudget.compare.core import compare
from xlbudget.write.compare_sheets import write_comparison
from xlbudget.model import Cell, Claim, Document, Row, Table
from xlbudget.read.narrative import extract_claims
from xlbudget.numbers import fmt, parse_amount, pct
from xlbudget.read.raw import TextLine
from xlbudget.write.workbook import (CUT_MARK, EXCEL_MAX_CHARS, read_workbook, safe_text, sheet_title, text_cell,
                               write_workbook)

HOSTILE = [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-3+4", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
    " \t\r@cmd", "=cmd|' /C calc'!A0", "合计\x00\x01\x07\x1b", "项目\ufffe\uffff支出", "孤\ud800立\udfff代理",
    "x" * 40_007, "换行\n保留\t制表", "𠀀" * 20_000,  # outside the BMP: two UTF-16 units each
]
XML_ILLEGAL = [chr(c) for c in range(0x20) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"]
settings.register_profile("xlb", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("xlb")


# ----------------------------------------------------------------- the helper

@given(st.text(max_size=300))
def test_safe_text_holds_only_what_xlsx_can_hold(s):
    out, cut = safe_text(s)
    assert not cut
    assert not any(ch in out for ch in XML_ILLEGAL)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)
    # everything else is kept, in order
    assert out == "".join(ch for ch in s if ch not in XML_ILLEGAL and not 0xD800 <= ord(ch) <= 0xDFFF)


def test_long_text_is_cut_visibly_and_the_cut_is_recorded(tmp_path):
    out, cut = safe_text("x" * 40_007)
    assert cut and len(out) == EXCEL_MAX_CHARS and out.endswith(CUT_MARK)
    out, cut = safe_text("𠀀" * 20_000)  # 40,000 UTF-16 units
    assert cut and len(out.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS and out.endswith(CUT_MARK)
    assert safe_text("y" * EXCEL_MAX_CHARS) == ("y" * EXCEL_MAX_CHARS, False)
    wb = openpyxl.Workbook()
    text_cell(wb.active, 1, 1, "x" * 40_007)
    assert wb.xlb_cut == ["'Sheet'!A1"]


@given(st.lists(st.text(max_size=60), min_size=1, max_size=12))
def test_sheet_titles_are_valid_and_unique(names):
    used: set = set()
    titles = [sheet_title(n, used) for n in names]
    for t in titles:
        assert 1 <= len(t) <= 31 and not any(ch in t for ch in "[]:*?/\\")
        assert not t.startswith("'") and not t.endswith("'")
    assert len({t.casefold() for t in titles}) == len(titles)


def test_sheet_title_examples():
    used = {"预算收支总表"}
    assert sheet_title("预算收支总表", used) == "预算收支总表_2"
    assert sheet_title("a/b:c*d?e[f]g\\h", used) == "a_b_c_d_e_f_g_h"
    assert len(sheet_title("很长的表名" * 10, used)) == 31


# ----------------------------------------------------------------- parsers never raise

@given(st.text(max_size=200))
def test_amount_and_code_parsers_never_raise(s):
    v = parse_amount(s)
    if v is not None:
        fmt(v)
        pct(v, D("3"))
        pct(D("3"), v)
    code_text(s)


@given(st.lists(st.text(max_size=120), max_size=6))
def test_claim_extraction_never_raises(texts):
    lines = [TextLine(page=1, top=float(10 * k), text=t) for k, t in enumerate(texts)]
    for cl in extract_claims(lines):
        assert isinstance(cl, Claim)


@given(st.from_regex(r"[1-9][0-9]{0,40}[.][0-9]{2}", fullmatch=True), st.from_regex(r"[1-9][0-9]{0,40}[.][0-9]{2}", fullmatch=True))
def test_huge_amounts_format_and_divide(a, b):
    x, y = parse_amount(a), parse_amount(b)
    assert fmt(x).replace(",", "") == a
    assert pct(x, y) is not None


def test_thirty_digit_amounts():
    big = parse_amount("123,456,789,012,345,678,901,234,567,890.12")
    assert fmt(big) == "123,456,789,012,345,678,901,234,567,890.12"
    assert pct(big, D("0.01")) == D("1234567890123456789012345678901200.00")
    assert pct(D("1"), big) == D("0.00")


# ----------------------------------------------------------------- whole workbooks

def hostile_doc(year=2024, dept="=HYPERLINK(\"http://evil.example\",\"部门\")") -> Document:
    rows = []
    for k, h in enumerate(HOSTILE):
        rows.append(Row(cells=[Cell("2010101"), Cell(h), Cell("1.00", D("1.00")), Cell("2.00", D("2.00"))],
                        code="2010101", name=h, level=3, page=1))
    n = len(HOSTILE)
    rows.append(Row(cells=[Cell(""), Cell("合计"), Cell(f"{n}.00", D(n)), Cell(f"{2 * n}.00", D(2 * n))],
                    name="合计", is_total=True, page=1))
    t = Table(kind="b03", title="=1+1 支出总表\x00", header=[["科目编码", "=HYPERLINK(B5,B6)", "合计", "@备注"]],
              rows=rows, columns=["科目编码", "科目名称\x01", "合计", "=HYPERLINK(B5,B6)"], unit="万元", pages=[1],
              label="+表3")
    claims = [Claim(subject="基本支出", amount=D("1.00"), text=h, page=1) for h in HOSTILE[:8]]
    return Document(department=dept, year=year, kind="预算", unit="万元", source="-evil\x07.pdf", tables=[t],
                    claims=claims, n_pages=1, warnings=["=warning\x00"])


def formulas(path):
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def assert_well_formed(path):
    from xml.dom.minidom import parseString

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                parseString(z.read(name))  # raises on a character XML cannot hold


def test_workbook_from_hostile_text_reads_back(tmp_path):
    p = tmp_path / "hostile.xlsx"
    write_workbook(hostile_doc(), str(p))
    assert_well_formed(p)
    # no cell of ours is a formula, except the live checks (校验) and 总览's counts of them
    for sheet, coord, v in formulas(p):
        assert sheet == "校验" or (sheet == "总览" and v.startswith("='校验'!")), (sheet, coord, v[:40])
    wb = openpyxl.load_workbook(p)
    assert wb["总览"]["A1"].value.startswith("=HYPERLINK") and wb["总览"]["A1"].data_type == "s"
    assert wb["总览"]["A1"].quotePrefix
    doc = read_workbook(str(p))
    t = doc.tables[0]
    names = [r.cells[1].text for r in t.rows]
    assert names[0] == HOSTILE[0] and names[4] == "\t=1+1"
    assert names[8] == "合计" and names[9] == "项目支出" and names[10] == "孤立代理"
    assert names[11].endswith(CUT_MARK) and len(names[11]) == EXCEL_MAX_CHARS
    assert t.columns[1] == "科目名称" and t.rows[0].cells[2].value == D("1.00")
    assert doc.department == hostile_doc().department
    # the cut is recorded with the workbook
    assert any(f.id == "EXTRACT.text-cut" for f in doc.diagnostics)


def test_comparison_writes_headers_and_department_as_text(tmp_path):
    p = tmp_path / "cmp.xlsx"
    comp = compare([hostile_doc(2023), hostile_doc(2024)])
    write_comparison(comp, str(p))
    assert_well_formed(p)
    # the only formulas are the live 增减 columns over cell addresses: no text of the PDF in them
    assert formulas(p) and all(re.fullmatch(r'=IF\([A-Z0-9(),"=<>+\-*/上年为]*\)', f) for _, _, f in formulas(p))
    wb = openpyxl.load_workbook(p)
    a1 = wb.worksheets[0]["A1"]
    assert a1.value.startswith("=HYPERLINK") and a1.data_type == "s"
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "=HYPERLINK(B5,B6)" in texts  # the PDF column header, as text


def test_batch_summary_with_hostile_messages(tmp_path):
    rs = [BatchResult(file="=evil\x00.pdf", pdf="/x/=evil.pdf", output="/o/=evil.xlsx", status="error",
                      error="bad\x01 char \ufffe and " + "y" * 40_000),
          BatchResult(file="@ok.pdf", pdf="/x/@ok.pdf", output="/o/@ok.xlsx", status="ok", department="+部门")]
    p = tmp_path / "_summary.xlsx"
    write_summary(rs, str(p))
    assert_well_formed(p)
    assert formulas(p) == []
    ws = openpyxl.load_workbook(p).worksheets[0]
    assert ws["A2"].value == "=evil.pdf" and ws["M2"].value.startswith("bad char  and y")
    assert ws["M2"].value.endswith(CUT_MARK) and ws["C3"].value == "+部门"


def test_comparison_says_when_it_cut_a_text(tmp_path):
    # hostile_doc holds a 40,007-character item name: the comparison cuts it to Excel's limit, and says so
    said = []
    write_comparison(compare([hostile_doc(2023), hostile_doc(2024)]), str(tmp_path / "cmp.xlsx"), warn=said.append)
    cut = [w for w in said if w.startswith("EXTRACT.text-cut")]
    assert len(cut) == 1 and f"longer than Excel's {EXCEL_MAX_CHARS} characters" in cut[0] and CUT_MARK in cut[0]


def test_comparison_of_short_texts_says_nothing(tmp_path):
    said = []
    comp = compare([hostile_doc(2023), hostile_doc(2024)])
    for t in comp.tables:
        for it in t.items:
            it.name = (it.name or "")[:100]
    write_comparison(comp, str(tmp_path / "cmp.xlsx"), warn=said.append)
    assert not [w for w in said if w.startswith("EXTRACT.text-cut")]


def test_batch_summary_says_when_it_cut_a_text(tmp_path):
    rs = [BatchResult(file="a.pdf", pdf="/x/a.pdf", output="/o/a.xlsx", status="error", error="y" * 40_000)]
    p = tmp_path / "_summary.xlsx"
    write_summary(rs, str(p))
    notes = {r[0]: r[1] for r in openpyxl.load_workbook(p)["说明"].iter_rows(values_only=True)}
    assert "EXTRACT.text-cut" in notes and "'汇总'!M2" in notes["EXTRACT.text-cut"]
