"""Cross-year sheets with live formulas (issue 8, item 6): 增减额 and 增减率 are formulas over the
year columns, so a value corrected in the workbook propagates; 增减率 is a number or blank, its
status (上年为0 / 新增 / 取消) in 增减说明; each year's value cites its own file and page.

Real values: 江苏省委办公厅 2018 and 2019 budget tables (支出总计 24,458.43 on page 3 of the 2018 PDF,
27,664.22 on page 1 of the 2019 PDF; 行政运行 2013101 8,072.29 and 9,370.12)."""
from decimal import Decimal as D

import openpyxl
import pytest
from conftest import REAL, need

from xlbudget.compare.core import ADDED, BASE_ZERO, compare
from xlbudget.model import Cell, Document, Row, Table
from xlbudget.write.compare_sheets import write_comparison
from xlbudget.write.recalc import find_soffice, recalculate

DEPT = REAL / "江苏省委办公厅"
needs_lo = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not installed")
AMOUNT, RATE, STATUS = "增减额\n{vs}", "增减率\n{vs}", "增减说明\n{vs}"


def columns(ws, head_row=4):
    """Column index of each sub-header, first occurrence (a period label heads its values first,
    then its 来源)."""
    out = {}
    for c in ws[head_row]:
        if c.value:
            out.setdefault(c.value, c.column - 1)
    return out


def row_of(ws, first_col_value, min_row=5):
    return next(r for r in ws.iter_rows(min_row=min_row) if r[0].value == first_col_value)


def recalculated(path, tmp_path, name):
    return openpyxl.load_workbook(recalculate(str(path), out_dir=str(tmp_path / name)), data_only=True)


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    from xlbudget.read.importer import import_pdf

    docs = [import_pdf(str(need(DEPT / f))) for f in ("江苏省委办公厅2018年度部门预算公开表.pdf",
                                                       "江苏省委办公厅2019年度部门预算公开表格.pdf")]
    path = tmp_path_factory.mktemp("cmp") / "cmp.xlsx"
    write_comparison(compare(docs), str(path))
    return path


def test_each_year_cites_its_own_file_and_page(real_book):
    ws = openpyxl.load_workbook(real_book)["总览"]
    spend = row_of(ws, "支出总计")
    sources = [c.value for c in spend if isinstance(c.value, str) and ".pdf" in c.value]
    assert sources[0].startswith("江苏省委办公厅2018年度部门预算公开表.pdf") and sources[0].endswith("第3页")
    assert sources[1].startswith("江苏省委办公厅2019年度部门预算公开表格.pdf") and sources[1].endswith("第1页")
    ws = openpyxl.load_workbook(real_book)["一般公共预算支出表"]
    run = row_of(ws, "2013101")
    cited = [c.value for c in run if isinstance(c.value, str) and ".pdf" in c.value]
    assert [s.split(".pdf")[0] for s in cited] == ["江苏省委办公厅2018年度部门预算公开表", "江苏省委办公厅2019年度部门预算公开表格"]
    assert cited[0].endswith("第9页") and cited[1].endswith("第7页")


@pytest.mark.libreoffice
@needs_lo
def test_a_corrected_value_propagates_to_change_and_rate(real_book, tmp_path):
    vs = "2019年预算比2018年预算"
    wb = recalculated(real_book, tmp_path, "before")
    ws = wb["总览"]
    cols = columns(ws)
    spend = row_of(ws, "支出总计")
    assert spend[cols[AMOUNT.format(vs=vs)]].value == pytest.approx(3205.79)  # 27664.22 - 24458.43
    assert spend[cols[RATE.format(vs=vs)]].value == pytest.approx(0.131070, abs=1e-6)
    run = row_of(wb["一般公共预算支出表"], "2013101")
    assert D(str(run[5].value)).quantize(D("0.01")) == D("1297.83")  # 9370.12 - 8072.29

    # the user corrects 2019's 支出总计 to 28,000.00 and recalculates
    edited = tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(real_book)
    book["总览"].cell(row=spend[0].row, column=cols["2019年预算"] + 1).value = 28000.00
    book.save(edited)
    ws = recalculated(edited, tmp_path, "after")["总览"]
    spend = row_of(ws, "支出总计")
    assert spend[cols[AMOUNT.format(vs=vs)]].value == pytest.approx(3541.57)  # 28000.00 - 24458.43
    assert spend[cols[RATE.format(vs=vs)]].value == pytest.approx(3541.57 / 24458.43)


def _doc(year, rows):
    def row(code, name, total):
        return Row(cells=[Cell(code), Cell(name), Cell("" if total is None else str(total),
                                                       None if total is None else D(str(total)))],
                   code=code, name=name, level=1)

    t = Table(kind="b03", title="支出总表", header=[], rows=[row(*r) for r in rows],
              columns=["科目编码", "科目名称", "合计"])
    return Document(department="测试局", year=year, kind="预算", unit="万元", source=f"{year}预算.pdf", tables=[t])


@pytest.mark.libreoffice
@needs_lo
def test_rates_are_numbers_or_blank_and_blanks_stay_blank(tmp_path):
    comp = compare([_doc(2023, [("201", "一般公共服务支出", 100), ("208", "社会保障和就业支出", None),
                                ("212", "城乡社区支出", None)]),
                    _doc(2024, [("201", "一般公共服务支出", 110), ("208", "社会保障和就业支出", 10),
                                ("212", "城乡社区支出", None), ("221", "住房保障支出", 5)])])
    p = tmp_path / "c.xlsx"
    write_comparison(comp, str(p))
    ws = recalculated(p, tmp_path, "r")["支出表"]
    vs = "2024年预算比2023年预算"
    cols = columns(ws)
    a, r, s = (cols[h.format(vs=vs)] for h in (AMOUNT, RATE, STATUS))
    rows = {x[0].value: x for x in ws.iter_rows(min_row=5)}
    assert rows["201"][a].value == pytest.approx(10) and rows["201"][r].value == pytest.approx(0.10)
    assert rows["201"][s].value in (None, "")
    # 0 -> 10: the rate is undefined, blank; the reason is in its own column
    assert rows["208"][a].value == pytest.approx(10) and rows["208"][r].value in (None, "")
    assert rows["208"][s].value == BASE_ZERO
    # blank both years: blank, not 0
    assert rows["212"][a].value in (None, "") and rows["212"][r].value in (None, "")
    # a row new in 2024
    assert rows["221"][a].value == pytest.approx(5) and rows["221"][s].value == ADDED
    rates = [x[r].value for x in rows.values()]
    assert all(v is None or v == "" or isinstance(v, (int, float)) for v in rates)
