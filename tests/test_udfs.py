"""xlbudget.excel.udfs: the Excel UDFs and macros, called as plain Python functions (no Excel)."""
from __future__ import annotations

import importlib.util
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

xw = pytest.importorskip("xlwings")

from xlbudget.excel import udfs  # noqa: E402
from xlbudget.excel.udfs import (  # noqa: E402
    XLB_CHECKS,
    XLB_FULLCODE,
    XLB_LEVEL,
    XLB_PARSE_AMOUNT,
    XLB_SUMCHECK,
    XLB_TOLERANCE,
    XLB_TREECHECK,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PDF_004 = SHARED / "corpus" / "rendered" / "pdf_a" / "004_d644b8a86bb20fe5.pdf"
needs_004 = pytest.mark.skipif(not PDF_004.is_file(), reason=f"corpus PDF missing: {PDF_004}")

# seed 004, 预算支出总表: split codes (类 / 款 / 项 pieces) and their 合计 amounts
SEED_CODES = ["201", "03", "01", "02", "50", "99", "25", "05"]
SEED_AMOUNTS = [497.55, 495.55, 199.65, 102.75, 158.15, 35, 2, 2]
SEED_FULL = ["201", "20103", "2010301", "2010302", "2010350", "2010399", "20125", "2012505"]
SEED_NAMES = ["一般公共服务支出", "政府办公厅（室）及相关机构事务", "行政运行", "一般行政管理事务",
              "事业运行", "其他政府办公厅（室）及相关机构事务支出", "港澳台事务", "台湾事务"]


def _col(xs):
    """A column range as xlwings hands it over with ndim=2."""
    return [[x] for x in xs]


# ---------------------------------------------------------------- decorators keep plain functions

def test_decorated_functions_are_plain_callables():
    for f in (XLB_SUMCHECK, XLB_TOLERANCE, XLB_TREECHECK, XLB_CHECKS, XLB_FULLCODE, XLB_LEVEL,
              XLB_PARSE_AMOUNT, udfs.import_pdf_to_active):
        assert isinstance(f, types.FunctionType)
        assert f.__module__ == "xlbudget.excel.udfs"


def test_windows_decorators_accept_the_signatures():
    """Load udfs.py with xlwings' Windows decorators (COM modules stubbed): argument names of
    @xw.arg must match, no annotation may become a converter, and the functions stay callable."""
    stubs = {}
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        if name not in sys.modules:
            stubs[name] = sys.modules[name] = types.ModuleType(name)
    had_udfs = "xlwings.udfs" in sys.modules
    try:
        sys.modules["pythoncom"].CoInitialize = getattr(sys.modules["pythoncom"], "CoInitialize", lambda: None)
        sys.modules["win32com.client"].Dispatch = getattr(sys.modules["win32com.client"], "Dispatch", lambda *a, **k: None)
        sys.modules["win32com"].client = sys.modules["win32com.client"]
        try:
            import xlwings.udfs as xu
        except Exception as e:  # pragma: no cover - depends on the xlwings version
            pytest.skip(f"xlwings.udfs not importable with stubs: {e}")
        mp = pytest.MonkeyPatch()
        try:
            mp.setattr(xw, "func", xu.xlfunc, raising=False)
            mp.setattr(xw, "arg", xu.xlarg, raising=False)
            mp.setattr(xw, "ret", xu.xlret, raising=False)
            mp.setattr(xw, "script", xu.xlsub, raising=False)
            spec = importlib.util.spec_from_file_location("xlbudget._udfs_win", udfs.__file__)
            mod = importlib.util.module_from_spec(spec)
            mod.__package__ = "xlbudget"
            spec.loader.exec_module(mod)
        finally:
            mp.undo()
        info = mod.XLB_SUMCHECK.__xlfunc__
        assert info["sub"] is False and info["category"] == "xlbudget"
        assert [a["name"] for a in info["args"]] == ["total", "terms", "decimals"]
        assert info["args"][1]["options"] == {"ndim": 2}
        assert info["args"][2]["optional"] == 2
        assert "convert" not in info["ret"]["options"]
        tree = mod.XLB_TREECHECK.__xlfunc__
        assert [a["name"] for a in tree["args"]] == ["codes", "amounts", "names"]
        assert mod.XLB_CHECKS.__xlfunc__["args"][1]["name"] == "caller"  # filled in by xlwings
        assert mod.import_pdf_to_active.__xlfunc__["sub"] is True
        assert mod.XLB_SUMCHECK(5670.31, _col([5660.05, 10.27])) == "OK"
    finally:
        for name in stubs:
            sys.modules.pop(name, None)
        if not had_udfs:
            sys.modules.pop("xlwings.udfs", None)
            if hasattr(xw, "udfs"):
                delattr(xw, "udfs")
        sys.modules.pop("xlbudget._udfs_win", None)


# ---------------------------------------------------------------- conversion

@pytest.mark.parametrize("value, expected", [
    (5660.05 + 10.27, Decimal("5670.32")),
    (0.1 + 0.2, Decimal("0.3")),
    (20.1, Decimal("20.1")),
    (35.0, Decimal("35")),
    (7, Decimal("7")),
    ("1,234.50", Decimal("1234.50")),
    ("(16.28)", Decimal("-16.28")),
    ("——", None),
    ("", None),
    (None, None),
    (True, None),
    (float("nan"), None),
    ("一般公共服务支出", None),
])
def test_to_decimal(value, expected):
    assert udfs.to_decimal(value) == expected


# ---------------------------------------------------------------- XLB_SUMCHECK / XLB_TOLERANCE

def test_sumcheck_rounding_passes():
    assert XLB_SUMCHECK(5670.31, [5660.05, 10.27]) == "OK"
    assert XLB_SUMCHECK(5670.31, _col([5660.05, 10.27])) == "OK"
    assert XLB_SUMCHECK(5670.31, 5660.05 + 10.27) == "OK"  # a single-cell / formula term


def test_sumcheck_real_error_fails():
    res = XLB_SUMCHECK(495.55, [499.55])
    assert res.startswith("FAIL")
    assert res == "FAIL: diff -4.00 (tol 0.010)"
    assert XLB_SUMCHECK(497.55, _col([499.55, 2])).startswith("FAIL")


def test_sumcheck_blanks_are_zero_and_add_no_tolerance():
    assert XLB_SUMCHECK(10.0, [[10.0, None, ""]]) == "OK"
    assert XLB_TOLERANCE(10.0, [[10.0, None, ""]]) == pytest.approx(0.01)
    # two rounded terms and the total: 3 x 0.005
    assert XLB_TOLERANCE(5670.31, [5660.05, 10.27]) == pytest.approx(0.015)
    # the tolerance is what decides: 0.016 off with 0.015 allowed fails
    assert XLB_SUMCHECK(5670.336, [5660.05, 10.27], 3).startswith("FAIL")


def test_sumcheck_text_amounts_and_decimals_from_excel():
    assert XLB_SUMCHECK("1,234.50", ["1,000.00", "234.5"]) == "OK"
    assert XLB_SUMCHECK(100.0, [33.33, 33.33, 33.33], 2.0) == "OK"  # 0.01 off, 4 x 0.005 allowed
    # whole numbers: at 2 decimals (万元) 1 off is an error, at 0 decimals (元, rounded to units) it is not
    assert XLB_SUMCHECK(100.0, [33.0, 33.0, 33.0], 2.0) == "FAIL: diff 1 (tol 0.020)"
    assert XLB_SUMCHECK(100.0, [33.0, 33.0, 33.0], 0) == "OK"
    assert XLB_TOLERANCE(100.0, [33.0, 33.0, 33.0], 0) == 2.0


# ---------------------------------------------------------------- XLB_TREECHECK / XLB_FULLCODE / XLB_LEVEL

def test_fullcode_rebuilds_split_codes():
    assert XLB_FULLCODE(_col(SEED_CODES), None, _col(SEED_AMOUNTS)) == _col(SEED_FULL)
    # codes typed as numbers: Excel dropped the leading zeros
    numeric = [201.0, 3.0, 1.0, 2.0, 50.0, 99.0, 25.0, 5.0]
    assert XLB_FULLCODE(_col(numeric), None, _col(SEED_AMOUNTS)) == _col(SEED_FULL)


def test_fullcode_names_decide():
    assert XLB_FULLCODE(_col(SEED_CODES), _col(SEED_NAMES)) == _col(SEED_FULL)


def test_treecheck_seed_004_all_ok():
    assert XLB_TREECHECK(_col(SEED_CODES), _col(SEED_AMOUNTS)) == [["OK"]] * 8
    # one 2-column range, as =XLB_TREECHECK(A1:B8)
    table = [[c, a] for c, a in zip(SEED_CODES, SEED_AMOUNTS)]
    assert XLB_TREECHECK(table) == [["OK"]] * 8


def test_treecheck_changed_child_fails_on_its_parent():
    amounts = list(SEED_AMOUNTS)
    amounts[2] = 203.65  # 2010301 行政运行 199.65 -> 203.65
    res = [r[0] for r in XLB_TREECHECK(_col(SEED_CODES), _col(amounts), _col(SEED_NAMES))]
    assert res[1] == "FAIL: 20103 diff -4.00 (tol 0.025)"
    assert res[0] == "OK" and all(r == "OK" for r in res[2:])
    # without names the 25 after 99 can no longer be confirmed as a 款 by the amounts
    # (its 款 does not add up), it is read as a 项: the FAIL still lands on 20103
    res = [r[0] for r in XLB_TREECHECK(_col(SEED_CODES), _col(amounts))]
    assert res[1].startswith("FAIL: 20103 ")


def test_treecheck_swapped_values_fail_on_the_parents():
    amounts = list(SEED_AMOUNTS)
    amounts[1], amounts[2] = amounts[2], amounts[1]  # 20103 and 2010301 swapped
    res = [r[0] for r in XLB_TREECHECK(_col(SEED_CODES), _col(amounts), _col(SEED_NAMES))]
    assert res[0] == "FAIL: 201 diff 295.90 (tol 0.015)"
    assert res[1] == "FAIL: 20103 diff -591.80 (tol 0.025)"
    assert res[2:] == ["OK"] * 6


def test_treecheck_changed_segment_fails_on_both_sides():
    amounts = list(SEED_AMOUNTS)
    amounts[1] = 499.55  # 20103 printed wrong: 201 no longer adds up, nor do its 项
    res = [r[0] for r in XLB_TREECHECK(_col(SEED_CODES), _col(amounts), _col(SEED_NAMES))]
    assert res[0] == "FAIL: 201 diff -4.00 (tol 0.015)"
    assert res[1] == "FAIL: 20103 diff 4.00 (tol 0.025)"
    assert res[2:] == ["OK"] * 6


def test_treecheck_rounding_and_several_columns():
    codes = ["201", "03", "01", "02"]
    # 合计 | 基本支出 | 项目支出 ; a rounded total passes, a blank 基本支出 on 20103 fails
    amounts = [[100.01, 60.0, 40.01], [100.01, None, 40.01], [60.0, 60.0, None], [40.0, None, 40.0]]
    res = [r[0] for r in XLB_TREECHECK(_col(codes), amounts)]
    assert res[0] == "FAIL: 201 col 2 diff 60 (tol 0.005)"
    assert res[1] == "FAIL: 20103 col 2 diff -60 (tol 0.010)"  # a blank total is zero
    assert res[2:] == ["OK", "OK"]


def test_treecheck_total_row_and_uncoded_rows():
    table = [["合计", 499.55], ["201", 497.55], ["03", 497.55], ["01", 497.55], ["", None], ["208", 2.0]]
    res = [r[0] for r in XLB_TREECHECK(table)]
    assert res == ["OK", "OK", "OK", "OK", "", "OK"]
    table[0][1] = 495.55
    assert XLB_TREECHECK(table)[0][0] == "FAIL: 合计 diff -4.00 (tol 0.015)"


def test_treecheck_with_names_column():
    table = [[c, n, a] for c, n, a in zip(SEED_CODES, SEED_NAMES, SEED_AMOUNTS)]
    assert XLB_TREECHECK(table) == [["OK"]] * 8


def test_treecheck_needs_amounts():
    assert XLB_TREECHECK(_col(SEED_CODES))[0][0].startswith("ERROR")


@pytest.mark.parametrize("code, level", [
    ("201", "类"), ("20103", "款"), ("2010301", "项"), (2010301.0, "项"), (201, "类"),
    ("201 03 01", "项"), ("301", "类"), ("30101", "款"), ("2", ""), ("合计", ""), (None, ""),
])
def test_level(code, level):
    assert XLB_LEVEL(code) == level


@pytest.mark.parametrize("text, expected", [
    ("1,234.50", 1234.5), ("-16.28", -16.28), ("(16.28)", -16.28), ("0.00", 0.0), (12.5, 12.5),
    ("——", ""), ("", ""), (None, ""), ("合计", ""), ("1,23,4", ""),
])
def test_parse_amount(text, expected):
    assert XLB_PARSE_AMOUNT(text) == expected


# ---------------------------------------------------------------- XLB_CHECKS

@needs_004
def test_checks_on_seed_004_pdf_finds_the_tie_error():
    table = XLB_CHECKS(str(PDF_004))
    assert table[0] == ["id", "severity", "message", "cells"]
    assert all(len(r) == 4 for r in table)
    ties = [r for r in table[1:] if r[0] == "TIE.income-expense" and "2101101" in r[2]]
    assert ties, table
    assert ties[0][1] == "error"
    cells = ties[0][3]
    assert "(p5)" in cells and "(p4)" in cells
    # the writer's layout ('预算支出总表'!C20) or, without it, table keys (b03!r15c3)
    assert ("预算支出总表'!C20" in cells and "预算收入总表'!C20" in cells) or ("b03!r15c3" in cells and "b02!r15c3" in cells)


@needs_004
def test_checks_relative_path_and_cache():
    class Caller:  # what xlwings passes as the reserved ``caller`` argument
        class sheet:
            class book:
                fullname = str(PDF_004.parent / "budget.xlsm")

    first = XLB_CHECKS(PDF_004.name, Caller)
    assert first == XLB_CHECKS(str(PDF_004))
    assert udfs.load_document(PDF_004) is udfs.load_document(str(PDF_004))  # cached


def test_checks_reports_errors_as_a_row(tmp_path):
    missing = XLB_CHECKS(str(tmp_path / "nope.pdf"))
    assert missing[0] == ["id", "severity", "message", "cells"]
    assert missing[1][0] == "ERROR" and "not found" in missing[1][2]
    other = tmp_path / "x.txt"
    other.write_text("x")
    assert "not a PDF" in XLB_CHECKS(str(other))[1][2]
    assert XLB_CHECKS("")[1][0] == "ERROR"


def _workbook_module():
    try:
        from xlbudget.write import workbook
    except ImportError:
        return None
    return workbook if hasattr(workbook, "read_workbook") and hasattr(workbook, "write_workbook") else None


@needs_004
def test_checks_on_a_written_workbook(tmp_path):
    wb = _workbook_module()
    if wb is None:
        pytest.skip("xlbudget.write.workbook.read_workbook / write_workbook not available")
    out = tmp_path / "004.xlsx"
    wb.write_workbook(udfs.load_document(PDF_004), str(out))
    table = XLB_CHECKS(str(out))
    assert table[0] == ["id", "severity", "message", "cells"]
    assert any(r[0] == "TIE.income-expense" and "2101101" in r[2] for r in table[1:]), table


def test_checks_unreadable_xlsx_is_an_error_row(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"PK")
    row = XLB_CHECKS(str(p))[1]
    assert row[0] == "ERROR"
    if _workbook_module() is None:
        assert "read_workbook" in row[2]


# ---------------------------------------------------------------- import macro: pure part

def test_sheet_name_is_valid_and_unique():
    assert udfs.sheet_name("a/b:c") == "a_b_c"
    assert len(udfs.sheet_name("x" * 40)) == 31
    assert udfs.sheet_name("校验", ["校验"]) == "校验_2"
    assert udfs.sheet_name("Sheet", ["sheet", "Sheet_2"]) == "Sheet_3"


def test_sheet_name_follows_the_writers_rules():
    # the writer's rules (text.sheet_title): the full-width colon too, control characters dropped,
    # and the names taken are not changed
    taken = ["问题"]
    assert udfs.sheet_name("部门：收支\x07总表") == "部门_收支总表"
    assert udfs.sheet_name("问题", taken) == "问题_2" and taken == ["问题"]


def test_excel_values_keeps_codes_as_text():
    rows = [["201", "03", Decimal("497.55"), "行政运行", "", None, "=1+1", 5], ["x"]]
    out = udfs.excel_values(rows)
    assert out[0] == ["'201", "'03", 497.55, "行政运行", "", None, "'=1+1", 5]
    assert out[1] == ["x"] + [None] * 7


def test_pdf_setting():
    assert udfs.pdf_setting(None, "D:\\a.pdf") == "D:\\a.pdf"
    assert udfs.pdf_setting('="D:\\b.pdf"', "D:\\a.pdf") == "D:\\b.pdf"
    assert udfs.pdf_setting("", " a.pdf ") == "a.pdf"
    with pytest.raises(Exception, match="XLB_PDF"):
        udfs.pdf_setting(None, None)


def _check_b03_layout(sheets):
    rows = sheets["预算支出总表"]
    header = next(r for r in rows if "全编码" in r)
    ci, li, pi = header.index("全编码"), header.index("级次"), header.index("页码")
    body = rows[rows.index(header) + 1:]
    assert [r[ci] for r in body[:8]] == SEED_FULL
    assert [r[li] for r in body[:3]] == ["类", "款", "项"]
    assert body[0][pi] == 5
    assert Decimal("497.55") in body[0]
    assert body[1][0] == "03"  # the printed (split) code stays as printed


@needs_004
def test_document_sheets_layout():
    doc = udfs.load_document(PDF_004)
    sheets = udfs.document_sheets(doc)
    assert "预算支出总表" in sheets and "问题" in sheets
    assert any(r[0] == "TIE.income-expense" and "2101101" in r[2] for r in sheets["问题"])
    _check_b03_layout(sheets)


@needs_004
def test_own_layout_matches_the_writer_shape():
    _check_b03_layout(udfs.own_layout(udfs.load_document(PDF_004)))


# ---------------------------------------------------------------- import macro: Excel part with a fake book

class FakeRange:
    def __init__(self, sheet, addr):
        self.sheet, self.addr = sheet, addr

    @property
    def value(self):
        return self.sheet.cells.get(self.addr)

    @value.setter
    def value(self, v):
        self.sheet.cells[self.addr] = v


class FakeSheet:
    def __init__(self, book, name):
        self.book, self.name, self.cells = book, name, {}

    def range(self, addr):
        return FakeRange(self, addr)

    def clear_contents(self):
        self.cells = {}

    def activate(self):
        self.book.sheets.active = self


class FakeSheets:
    def __init__(self, book):
        self.book, self.items, self.active = book, [], None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def add(self, name, after=None):
        s = FakeSheet(self.book, name)
        self.items.insert(self.items.index(after) + 1 if after is not None else 0, s)
        self.active = s  # Excel activates a new sheet
        return s


class FakeName:
    def __init__(self, refers_to):
        self.refers_to = refers_to

    @property
    def refers_to_range(self):
        raise RuntimeError("a constant, not a range")


class FakeBook:
    def __init__(self, fullname, names=None):
        self.fullname = fullname
        self.names = names or {}
        self.sheets = FakeSheets(self)
        first = self.sheets.add("Sheet1")
        self.sheets.active = first


@needs_004
def test_import_pdf_to_active_with_a1_relative_path():
    book = FakeBook(str(PDF_004.parent / "budget.xlsm"))
    start = book.sheets.active
    start.range("A1").value = PDF_004.name
    names = udfs.import_pdf_to_active(book)
    assert names[-1] == "问题"
    assert [s.name for s in book.sheets] == ["Sheet1"] + names
    assert book.sheets.active is start
    checks = {s.name: s for s in book.sheets}["问题"].cells["A1"]
    assert checks[0] == ["id", "severity", "message", "cells"]
    assert any(r[0] == "TIE.income-expense" and "2101101" in r[2] for r in checks)
    # codes arrive as text, amounts as numbers
    data = {s.name: s for s in book.sheets}["预算支出总表"].cells["A1"]
    row = next(r for r in data if "'2010301" in r)
    assert 199.65 in row and "'01" in row and "项" in row
    assert len({len(r) for r in data}) == 1  # rectangular
    # re-running replaces, it does not add sheets
    assert udfs.import_pdf_to_active(book) == names
    assert len(book.sheets) == len(names) + 1


@needs_004
def test_import_pdf_to_active_uses_the_xlb_pdf_name():
    book = FakeBook("Book1", names={"XLB_PDF": FakeName(f'="{PDF_004}"')})  # unsaved: no folder
    book.sheets.active.range("A1").value = "something else"
    assert "问题" in udfs.import_pdf_to_active(book)


def test_import_pdf_to_active_without_a_path_says_what_to_do():
    book = FakeBook("Book1")
    with pytest.raises(Exception, match="A1"):
        udfs.import_pdf_to_active(book)


# ---------------------------------------------------------------- run_macro (VBA -> xl_macros)

def test_run_macro_passes_the_caller_book(monkeypatch):
    calls = []
    mod = types.ModuleType("fake_xl_macros")
    mod.compare_workbooks = lambda book: calls.append(("compare", book))
    mod.batch_convert = lambda: calls.append(("batch",))
    mod.other = lambda book=None: calls.append(("other", book))
    mod.other_caller = lambda: calls.append(("other_caller",))
    monkeypatch.setitem(sys.modules, "fake_xl_macros", mod)
    monkeypatch.setattr(udfs, "_caller_book", lambda: "BOOK")
    udfs.run_macro("fake_xl_macros", "compare_workbooks")
    udfs.run_macro("fake_xl_macros", "batch_convert")
    udfs.run_macro("fake_xl_macros", "other")
    assert calls == [("compare", "BOOK"), ("batch",), ("other_caller",)]


def test_bas_module_is_ascii_and_calls_existing_functions():
    bas = Path(__file__).resolve().parents[1] / "macros" / "xlbudget.bas"
    raw = bas.read_bytes()
    raw.decode("ascii")
    assert b"\r\n" in raw
    text = raw.decode("ascii")
    assert "u.import_pdf_to_active_caller()" in text and hasattr(udfs, "import_pdf_to_active_caller")
    assert "run_macro('xlbudget.excel.macros', 'compare_workbooks')" in text
    assert "run_macro('xlbudget.excel.macros', 'batch_convert')" in text
    for sub in ("ImportPdf", "ChooseAndImportPdf", "CompareWorkbooks", "BatchConvert"):
        assert f"Public Sub {sub}()" in text


def test_format_cells_without_a_layout():
    from xlbudget.model import CellRef

    refs = [CellRef("b03", 14, 2, 5), CellRef("b02", 14, 8, None)]
    assert udfs.format_cells(refs) == "b03!r15c3 (p5); b02!r15c9"


@needs_004
def test_document_sheets_without_the_workbook_module(monkeypatch):
    import xlbudget

    doc = udfs.load_document(PDF_004)
    monkeypatch.delattr(xlbudget, "workbook", raising=False)
    monkeypatch.setitem(sys.modules, "xlbudget.write.workbook", None)  # import fails
    sheets = udfs.document_sheets(doc)
    _check_b03_layout(sheets)
    tie = next(r for r in sheets["问题"] if r[0] == "TIE.income-expense" and "2101101" in r[2])
    assert "b03!r15c3 (p5)" in tie[3]
