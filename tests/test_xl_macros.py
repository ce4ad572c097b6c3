"""The Excel macros' plain cores (no Excel needed), and the macros on a fake book."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("openpyxl")

from xlbudget.excel import macros as m  # noqa: E402
from xlbudget.model import XlbudgetError  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEPT = SHARED / "corpus" / "real" / "jiangsu" / "江苏省委办公厅"
P18 = DEPT / "江苏省委办公厅2018年度部门预算公开表.pdf"
P19 = DEPT / "江苏省委办公厅2019年度部门预算公开表格.pdf"
RENDERED = SHARED / "corpus" / "rendered" / "pdf_a" / "000_7d1637c2b07940b9.pdf"
needs_corpus = pytest.mark.skipif(not (P18.is_file() and P19.is_file()), reason="shared corpus not found")


def test_module_imports_and_marks_scripts():
    assert callable(m.compare_workbooks) and callable(m.batch_convert)


def test_compare_inputs(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.xlsx"
    a.write_bytes(b"%PDF")
    b.write_bytes(b"x")
    got = m.compare_inputs([["文件"], ["a.pdf"], [None], [str(b)]], base_dir=str(tmp_path))
    assert got == [str(a.resolve()), str(b.resolve())]
    with pytest.raises(XlbudgetError, match="file not found"):
        m.compare_inputs(["a.pdf", "c.pdf"], base_dir=str(tmp_path))
    with pytest.raises(XlbudgetError, match="at least two"):
        m.compare_inputs(["a.pdf"], base_dir=str(tmp_path))
    with pytest.raises(XlbudgetError, match="A3"):
        m.compare_inputs(["a.pdf", "b.xlsx", "notes.doc"], base_dir=str(tmp_path))


def test_compare_output_default_and_setting(tmp_path):
    ins = [str(tmp_path / "x" / "a.pdf")]
    assert m.compare_output(None, ins) == str((tmp_path / "x" / m.DEFAULT_COMPARE_NAME).resolve())
    assert m.compare_output("out/c", ins, str(tmp_path)) == str((tmp_path / "out" / "c.xlsx").resolve())
    assert m.compare_output('="r.xlsx"', ins, str(tmp_path)) == str((tmp_path / "r.xlsx").resolve())
    assert m.compare_output(str(tmp_path), ins) == str((tmp_path / m.DEFAULT_COMPARE_NAME).resolve())


@needs_corpus
def test_compare_paths_writes_file_and_report(tmp_path):
    out, comp, rows = m.compare_paths([str(P19), str(P18)], str(tmp_path / "cmp.xlsx"))
    assert Path(out).is_file()
    assert rows[0] == ["对比文件"] and rows[1] == [out]
    assert "2018年预算" in rows[2][0] and "2019年预算" in rows[2][0]
    assert comp.total("支出总计").change(1).amount == Decimal("3205.79")


def test_batch_settings(tmp_path):
    with pytest.raises(XlbudgetError, match="A1"):
        m.batch_settings(None)
    with pytest.raises(XlbudgetError, match="not a folder"):
        m.batch_settings(str(tmp_path / "nope"))
    assert m.batch_settings(str(tmp_path)) == (str(tmp_path.resolve()), str(tmp_path.resolve() / "xlsx"))
    assert m.batch_settings(".", "o", str(tmp_path))[1] == str((tmp_path / "o").resolve())


# ----------------------------------------------------------------- the macros on a minimal fake of xlwings' Book

class FakeRange:
    def __init__(self, sheet, r, c, r2=None, c2=None):
        self.sheet, self.r, self.c = sheet, r, c
        self.r2, self.c2 = r2 or r, c2 or c

    @property
    def value(self):
        if self.r == self.r2 and self.c == self.c2:
            return self.sheet.cells.get((self.r, self.c))
        return [[self.sheet.cells.get((i, j)) for j in range(self.c, self.c2 + 1)] for i in range(self.r, self.r2 + 1)]

    @value.setter
    def value(self, v):
        rows = v if isinstance(v, list) and v and isinstance(v[0], list) else [[v]]
        for i, row in enumerate(rows):
            for j, x in enumerate(row):
                self.sheet.cells[(self.r + i, self.c + j)] = x

    def clear_contents(self):
        for i in range(self.r, self.r2 + 1):
            for j in range(self.c, self.c2 + 1):
                self.sheet.cells.pop((i, j), None)


class FakeSheet:
    def __init__(self, name):
        self.name, self.cells = name, {}

    def range(self, a, b=None):
        if isinstance(a, str):
            col = ord(a[0]) - 64
            return FakeRange(self, int(a[1:]), col)
        if b is None:
            return FakeRange(self, *a)
        return FakeRange(self, a[0], a[1], b[0], b[1])

    def clear_contents(self):
        self.cells.clear()

    def activate(self):
        pass


class FakeSheets(list):
    active = None

    def __getitem__(self, k):
        if isinstance(k, str):
            return next(s for s in self if s.name == k)
        return list.__getitem__(self, k)

    def add(self, name, after=None):
        s = FakeSheet(name)
        self.append(s)
        return s


class FakeBook:
    def __init__(self, folder):
        self.sheets = FakeSheets([FakeSheet("Sheet1")])
        self.sheets.active = self.sheets[0]
        self.fullname = str(Path(folder) / "book.xlsx")
        self.names = {}


@needs_corpus
def test_compare_macro_on_fake_book(tmp_path):
    shutil.copy(P18, tmp_path / "2018.pdf")
    shutil.copy(P19, tmp_path / "2019.pdf")
    book = FakeBook(tmp_path)
    sh = book.sheets.active
    sh.cells[(1, 1)] = "文件"
    sh.cells[(2, 1)] = "2019.pdf"
    sh.cells[(3, 1)] = "2018.pdf"
    out = m.compare_workbooks(book)
    assert out == str((tmp_path / m.DEFAULT_COMPARE_NAME).resolve()) and Path(out).is_file()
    assert sh.cells[(1, 2)] == "对比文件" and sh.cells[(2, 2)] == out


def test_compare_macro_reports_errors_in_sheet(tmp_path):
    book = FakeBook(tmp_path)
    book.sheets.active.cells[(1, 1)] = "missing.pdf"
    book.sheets.active.cells[(2, 1)] = "missing2.pdf"
    assert m.compare_workbooks(book) is None
    assert "file not found" in book.sheets.active.cells[(2, 2)]


@pytest.mark.skipif(not RENDERED.is_file(), reason="shared corpus not found")
def test_batch_macro_on_fake_book(tmp_path):
    src = tmp_path / "pdfs"
    src.mkdir()
    shutil.copy(RENDERED, src / "a.pdf")
    (src / "bad.pdf").write_bytes(b"junk")
    book = FakeBook(tmp_path)
    book.sheets.active.cells[(1, 1)] = "pdfs"
    out = m.batch_convert(book)
    assert out == str((src / "xlsx").resolve())
    sheet = book.sheets[m.BATCH_SHEET]
    header = [sheet.cells.get((1, j)) for j in range(1, len(m.BATCH_HEADER) + 1)]
    assert header == m.BATCH_HEADER
    rows = {sheet.cells[(i, 1)]: sheet.cells[(i, 2)] for i in (2, 3)}
    assert rows == {"a.pdf": "ok", "bad.pdf": "error"}
    assert (src / "xlsx" / "a.xlsx").is_file()
