"""The xlwings paths (UDF results written by ``udfs.excel_values``, macro reports by
``xl_macros._excel``) use the same safe-text rules as the openpyxl writers (xlbudget/text.py):
no control or XML-illegal character reaches Excel, nothing becomes a formula, no cell is over
Excel's 32,767 characters."""
from __future__ import annotations

import re

import pytest

from xlbudget.text import CUT_MARK, EXCEL_MAX_CHARS, excel_text, safe_text

HOSTILE = {
    "nul and bell": ("部门\x00名称\x07", "部门名称"),
    "U+FFFE and U+FFFF": ("合\ufffe计\uffff", "合计"),
    "lone surrogate": ("a\ud800b", "ab"),
    "formula": ("=HYPERLINK(B5,B6)", "'=HYPERLINK(B5,B6)"),
    "tab then formula": ("\t=1+1", "'\t=1+1"),
    "CR then plus": ("\r+SUM(A1)", "'\r+SUM(A1)"),
    "at sign": ("@cmd", "'@cmd"),
    "control then formula": ("\x01=1", "'=1"),
    "plain text": ("基本支出", "基本支出"),
}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _macro_rows(rows):
    from xlbudget.excel.macros import _excel

    return _excel(rows)


def _udf_rows(rows):
    pytest.importorskip("xlwings")
    from xlbudget.excel.udfs import excel_values

    return excel_values(rows)


@pytest.mark.parametrize("writer", [_macro_rows, _udf_rows], ids=["xl_macros._excel", "udfs.excel_values"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_strings_reach_excel_as_safe_text(writer, case):
    text, expected = HOSTILE[case]
    (got,), = writer([[text]])
    assert got == expected


@pytest.mark.parametrize("writer", [_macro_rows, _udf_rows], ids=["xl_macros._excel", "udfs.excel_values"])
def test_a_text_over_the_cell_limit_is_cut_with_a_mark_even_with_its_apostrophe(writer):
    (plain, formula, wide), = writer([["x" * 40_007, "=" + "y" * 40_006, "𠀀" * 20_000]])
    assert len(plain) == EXCEL_MAX_CHARS and plain.endswith(CUT_MARK)
    assert formula.startswith("'=") and len(formula) == EXCEL_MAX_CHARS and formula.endswith(CUT_MARK)
    assert len(wide.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS and wide.endswith(CUT_MARK)  # 2 units each


def test_no_written_text_holds_an_illegal_character_or_starts_a_formula():
    rows = [[t for t, _ in HOSTILE.values()]]
    for out in (_macro_rows(rows), _udf_rows(rows)):
        for v in out[0]:
            assert not _ILLEGAL.search(v)
            assert not re.match(r"^\s*[=+\-@]", v)  # either plain, or behind Excel's apostrophe


def test_the_openpyxl_writers_and_the_xlwings_writers_share_one_helper():
    import xlbudget.write.workbook as wb

    assert wb.safe_text is safe_text
    assert safe_text("a\x00b") == ("ab", False)
    assert excel_text("03") == "03"  # a code: only the UDF writer (numbers, dates) quotes it
