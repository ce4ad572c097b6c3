"""The workbook reads well (issue 8, item 3), read back with openpyxl: one amount format, an East
Asian font, FAIL rows highlighted and the 校验 sheet filterable, each 问题 row linked to its cell,
pages set up for printing, name columns wide enough for Chinese text.

Values typed from seed 004 (预算支出总表, page 5): row 20103 prints 合计 495.55 but its parts sum to
139.75 (a SPLIT error)."""
import unicodedata
import zipfile

import openpyxl
import pytest
from conftest import RENDERED, imported, need

from xlbudget.checks import rules
from xlbudget.write.workbook import (
    CHECK_SHEET,
    FINDING_SHEET,
    read_workbook,
    write_workbook,
)

SHEET = "预算支出总表"


def seed_doc():
    return imported(need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf"))


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    p = tmp_path_factory.mktemp("looks") / "004.xlsx"
    write_workbook(seed_doc(), str(p))
    return p


@pytest.fixture(scope="module")
def wb(path):
    return openpyxl.load_workbook(path)


def _table_rows(ws):
    (t,) = ws.tables.values()
    return ws[t.ref][1:]


def test_every_amount_has_thousands_separators_and_two_decimals(wb):
    ws = wb[SHEET]
    amounts = [c for row in _table_rows(ws) for c in row[:9] if isinstance(c.value, float)]
    assert amounts and {c.number_format for c in amounts} == {"#,##0.00"}
    assert 621.43 in {c.value for c in amounts}  # 合计 of the table


def test_fonts_are_east_asian(wb, path):
    ws = wb[SHEET]
    assert ws["A1"].font.name == "等线" and ws["A1"].font.b  # the title
    body = [c for row in _table_rows(ws) for c in row if c.value is not None]
    assert {c.font.name for c in body} == {"等线"}
    with zipfile.ZipFile(path) as z:
        theme = z.read("xl/theme/theme1.xml").decode("utf-8")
    assert '<a:ea typeface="等线"/>' in theme and '<a:font script="Hans" typeface="等线"/>' in theme


def test_fail_rows_are_highlighted_and_the_check_sheet_filters(wb):
    ws = wb[CHECK_SHEET]
    _, checks, _ = rules.run(seed_doc())
    last = 4 + len(checks)
    assert ws.auto_filter.ref == f"A4:K{last}"
    rules_by_range = {str(k.sqref): [r.formula for r in v] for k, v in ws.conditional_formatting._cf_rules.items()}
    assert rules_by_range[f"A5:K{last}"] == [['$I5="FAIL"']]
    # the 涉及单元格 of the 20103 SPLIT row links to the printed 合计 495.55
    row = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "SPLIT.total-columns" and r[2].value == "20103: 合计 = 基本支出 + 项目支出")
    sheet, coord = row[7].hyperlink.location.split("!")
    assert sheet.strip("'") == SHEET and wb[SHEET][coord].value == 495.55


def test_each_finding_links_to_its_cell_and_shows_its_page(wb):
    ws = wb[FINDING_SHEET]
    split = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "SPLIT.total-columns" and r[2].value.startswith("20103"))
    assert split[3].value == 495.55 and split[4].value == 139.75 and split[7].value == "5"
    sheet, coord = split[6].hyperlink.location.split("!")
    assert sheet == f"'{SHEET}'" and wb[SHEET][coord].value == 495.55
    assert ws.auto_filter.ref.startswith("A1:I")


def test_tables_print_landscape_one_page_wide_with_their_header(wb):
    ws = wb[SHEET]
    (t,) = ws.tables.values()
    header_row = ws[t.ref][0][0].row
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.print_title_rows == f"$1:${header_row}"


def _cjk_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_name_columns_are_wide_enough_for_chinese(wb):
    ws = wb[SHEET]
    names = [row[1].value for row in _table_rows(ws) if isinstance(row[1].value, str)]
    longest = max(names, key=_cjk_width)
    assert longest == "其他政府办公厅（室）及相关机构事务支出"  # 19 characters: 38 units wide
    assert ws.column_dimensions["B"].width >= 38


def test_the_styled_workbook_reads_back(path):
    doc, back = seed_doc(), read_workbook(str(path))
    errors = lambda fs: sorted((f.id, f.message) for f in fs if f.severity == "error")
    assert errors(rules.check(back)) == errors(rules.check(doc))
