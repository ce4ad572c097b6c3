"""The 校验 formulas survive what users do to the table sheets (issue 8, item 2).

Seed 004 holds 12 real arithmetic errors. Its workbook is edited with openpyxl the way Excel
would edit it, then recalculated headless in LibreOffice; the 失败数 and every OK/FAIL must
stay what the rule engine found in the PDF:

* every Excel Table sorted by its 合计 column, descending (Excel's sort moves whole rows of the
  Table, values and formats; nothing outside the Table changes);
* a blank row inserted inside a Table (Excel grows the Table by one row);
* an unrelated row deleted: the information line above one Table, which shifts that whole
  Table up one row (Excel shrinks nothing, moves the Table);
* a table sheet renamed: Excel rewrites every formula that names the sheet (and so does
  LibreOffice); openpyxl does not, so the test does what Excel does, on the formula text;
* the 校验 sheet itself sorted by its filter (FAIL first): whole rows move and a formula's
  references to its own row move with it (Excel's rule for relative references when sorting).
"""
import openpyxl
import pytest
from conftest import RENDERED, imported, need
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries

from xlbudget.checks import rules
from xlbudget.write.recalc import computed_values, find_soffice
from xlbudget.write.workbook import CHECK_SHEET, read_workbook, write_workbook

SEED_004 = "004_d644b8a86bb20fe5"
RENAMED = ("预算支出总表", "支出总表（改名）")

needs_lo = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")


def seed_doc():
    return imported(need(RENDERED / "pdf_a" / f"{SEED_004}.pdf"))


def _table(ws):
    (t,) = ws.tables.values()
    return t


def _body(ws):
    """(first row, last row, first col, last col) of a Table's body."""
    c1, r1, c2, r2 = range_boundaries(_table(ws).ref)
    return r1 + 1, r2, c1, c2


def sort_table(ws, head="合计"):
    """Excel's Sort Largest to Smallest on the column ``head`` (or the first column holding
    numbers): whole rows move, blanks and text last. Returns how many rows moved."""
    first, last, c1, c2 = _body(ws)
    names = [ws.cell(row=first - 1, column=j).value for j in range(c1, c2 + 1)]
    rows = [[ws.cell(row=r, column=j) for j in range(c1, c2 + 1)] for r in range(first, last + 1)]
    numeric = [k for k in range(len(names)) if any(isinstance(row[k].value, (int, float)) for row in rows)]
    by = next((k for k, n in enumerate(names) if n == head and k in numeric), numeric[0] if numeric else None)
    if by is None:
        return 0
    snap = [[(c.value, c.number_format, c.data_type, c.quotePrefix) for c in row] for row in rows]
    order = sorted(range(len(rows)), key=lambda i: (not isinstance(snap[i][by][0], (int, float)),
                                                     -(snap[i][by][0] or 0) if isinstance(snap[i][by][0], (int, float))
                                                     else 0))
    for dest, src in zip(rows, order):
        for c, (v, fmt, dt, qp) in zip(dest, snap[src]):
            c.value, c.number_format, c.quotePrefix = v, fmt, qp
            if v is not None:
                c.data_type = dt
    return sum(1 for i, src in enumerate(order) if i != src)


def _move_table(ws, by_rows: int, grow: int = 0):
    t = _table(ws)
    c1, r1, c2, r2 = range_boundaries(t.ref)
    t.ref = f"{get_column_letter(c1)}{r1 + by_rows}:{get_column_letter(c2)}{r2 + by_rows + grow}"
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref


def insert_row_inside(ws):
    first, last, _, _ = _body(ws)
    ws.insert_rows((first + last) // 2)
    _move_table(ws, 0, grow=1)


def delete_row_above(ws):
    ws.delete_rows(2)  # the 单位/页码 line above the Table
    _move_table(ws, -1)


def rename_sheet(wb, old, new):
    """What Excel does on a rename: the sheet and every formula naming it."""
    wb[old].title = new
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and isinstance(c.value, str):
                    c.value = c.value.replace(f"'{old}'!", f"'{new}'!")


def sort_check_sheet(ws, first=5):
    """Sort the 校验 rows by 引擎结果 (J), FAIL first, moving formulas as Excel does."""
    rows = list(range(first, ws.max_row + 1))
    snap = {r: [(c.value, c.number_format, c.data_type) for c in ws[r]] for r in rows}
    order = sorted(rows, key=lambda r: (snap[r][9][0] != "FAIL", r))
    for dest, src in zip(rows, order):
        for c, (v, fmt, dt) in zip(ws[dest], snap[src]):
            if dt == "f" and isinstance(v, str):
                v = Translator(v, origin=f"{c.column_letter}{src}").translate_formula(f"{c.column_letter}{dest}")
            c.value, c.number_format = v, fmt
            if v is not None and dt != "f":
                c.data_type = dt
    return sum(1 for dest, src in zip(rows, order) if dest != src)


def table_sheets(wb):
    return [ws for ws in wb.worksheets if ws.tables]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("sortproof") / "004.xlsx"
    write_workbook(seed_doc(), str(path))
    return path


def edited_copy(src, dest, *, insert=True, delete=True, rename=True, sort_checks=True):
    wb = openpyxl.load_workbook(src)
    moved = sum(sort_table(ws) for ws in table_sheets(wb))
    sheets = table_sheets(wb)
    if insert:
        insert_row_inside(sheets[0])
    if delete:
        delete_row_above(wb[RENAMED[0]])
    if rename:
        rename_sheet(wb, *RENAMED)
    if sort_checks:
        assert sort_check_sheet(wb[CHECK_SHEET]) > 0
    wb.save(dest)
    return moved


@pytest.mark.libreoffice
@needs_lo
def test_failures_stay_after_sort_insert_delete_and_rename(written, tmp_path):
    p = tmp_path / "edited.xlsx"
    moved = edited_copy(written, p)
    assert moved > 50, "the sort really moved rows"
    rows = computed_values(str(p), CHECK_SHEET)
    body = [r for r in rows[4:] if r and isinstance(r[0], int)]
    _, checks, _ = rules.run(seed_doc())
    assert len(body) == len(checks)
    assert rows[1][1] == 12  # 失败数: the 12 real errors of seed 004, no more
    assert body[0][9] == "FAIL" and body[-1][9] == "OK"  # the 校验 rows were sorted, FAIL first
    assert sorted((r[1], r[2], r[8]) for r in body) == sorted((c.id, c.label, "OK" if c.ok else "FAIL")
                                                               for c in checks)
    # the 20103 row of 预算支出总表: 合计 495.55 printed, its parts sum to 139.75
    assert any("20103" in r[2] and r[3] == 495.55 and r[4] == 139.75 and r[8] == "FAIL" for r in body)


def test_a_sorted_workbook_reads_back_in_the_documents_order(written, tmp_path):
    p = tmp_path / "sorted.xlsx"
    edited_copy(written, p, insert=True, delete=False, rename=False, sort_checks=False)
    doc, back = seed_doc(), read_workbook(str(p))
    assert back.warnings == []  # the blank row inserted in the first Table holds nothing
    b03, b03b = doc.table("b03"), back.table("b03")
    assert [r.code for r in b03b.rows] == [r.code for r in b03.rows]
    assert [[c.value for c in r.cells] for r in b03b.rows] == [[c.value for c in r.cells] for r in b03.rows]
    errors = lambda fs: sorted((f.id, f.message) for f in fs if f.severity == "error")
    assert len(errors(rules.check(back))) == 12
    assert errors(rules.check(back)) == errors(rules.check(doc))


def test_a_workbook_written_before_row_keys_still_reads(written, tmp_path):
    """Workbooks written before 行号 existed end with 页码: they read as before."""
    wb = openpyxl.load_workbook(written)
    for ws in table_sheets(wb):
        t = _table(ws)
        c1, r1, c2, r2 = range_boundaries(t.ref)
        assert ws.cell(row=r1, column=c2).value == "行号"
        ws.delete_cols(c2)
        t.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2 - 1)}{r2}"
        t.tableColumns = t.tableColumns[:-1]
        t.autoFilter.ref = t.ref
    p = tmp_path / "before.xlsx"
    wb.save(p)
    doc, back = seed_doc(), read_workbook(str(p))
    assert [r.page for r in back.table("b03").rows] == [r.page for r in doc.table("b03").rows]
    errors = lambda fs: sorted((f.id, f.message) for f in fs if f.severity == "error")
    assert errors(rules.check(back)) == errors(rules.check(doc))


def test_a_row_added_by_hand_inside_a_table_is_said(written, tmp_path):
    wb = openpyxl.load_workbook(written)
    ws = wb[RENAMED[0]]
    first, last, _, _ = _body(ws)
    insert_row_inside(ws)
    ws.cell(row=(first + last) // 2, column=2).value = "手工添加的行"
    p = tmp_path / "added.xlsx"
    wb.save(p)
    back = read_workbook(str(p))
    assert [w for w in back.warnings if w.startswith(f"{RENAMED[0]}: rows {(first + last) // 2} have no 行号")]
    assert len(back.table("b03").rows) == len(seed_doc().table("b03").rows)
