"""Pure core: stitching fragments across pages, merged headers, split rows, repeated headers."""
from decimal import Decimal as D

from xlbudget.read.parse import build_document
from xlbudget.read.raw import Fragment, RawDocument, TextLine
from xlbudget.read.stitch import group_tables

X5 = [50.0, 110.0, 250.0, 350.0, 450.0]


def frag(page, top, bottom, rows, col_x=X5):
    return Fragment(page=page, top=top, bottom=bottom, x0=50, x1=544, page_height=842, col_x=col_x, rows=rows)


HEADER = [["项目", None, "2024年预算数", None, None],
          ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]


def raw(*blocks):
    return RawDocument(source="t.pdf", n_pages=3, blocks=list(blocks))


def test_continuation_with_repeated_header_and_split_row():
    p1 = frag(1, 200, 780, HEADER + [["合计", "", "329.50", "297.89", "31.61"],
                                     ["201", "一般公共服务支出", "233.54", "201.93", "31.61"],
                                     ["2080505", "机关事业单位基本养", "26.56", "26.56", ""]])
    p2 = frag(2, 57, 300, HEADER + [["", "老保险缴费支出", "", "", ""],
                                    ["2101101", "行政单位医疗", "6.68", "6.68", ""]])
    doc = build_document(raw(TextLine(1, 150, "2024年预算支出总表"), TextLine(1, 170, "单位：万元"), p1,
                             TextLine(1, 800, "- 3 -"), p2))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.kind == "b03" and t.unit == "万元" and t.pages == [1, 2]
    assert t.columns == ["项目/科目编码", "项目/科目名称", "2024年预算数/合计", "2024年预算数/基本支出", "2024年预算数/项目支出"]
    assert [r.texts()[1] for r in t.rows] == ["", "一般公共服务支出", "机关事业单位基本养老保险缴费支出", "行政单位医疗"]
    r = t.find_row(code="2101101")
    assert r.page == 2 and r.cells[2].value == D("6.68") and r.level == 3
    assert t.rows[0].is_total and t.rows[0].cells[3].value == D("297.89")


def test_header_merged_differently_on_each_page_lines_up_by_position():
    # page 1 ends with the header printed with wide merged cells (3 drawn columns);
    # page 2 carries the body on the full 5-column grid
    p1 = frag(1, 730, 780, [["项目", None, "2024年预算数", None, None]], col_x=[50.0, 250.0])
    p1.rows = [["项目", "2024年预算数"]]
    p2 = frag(2, 57, 300, [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                           ["201", "一般公共服务支出", "233.54", "201.93", "31.61"]])
    tables = group_tables(raw(TextLine(1, 700, "2024年预算支出总表"), p1, p2))
    assert len(tables) == 1
    assert tables[0].rows[0] == ["项目", "", "2024年预算数", "", ""]
    assert tables[0].rows[2][2] == "233.54"


def test_a_titled_table_on_the_next_page_is_not_a_continuation():
    p1 = frag(1, 200, 780, HEADER + [["201", "一般公共服务支出", "233.54", "201.93", "31.61"]])
    p2 = frag(2, 120, 300, HEADER + [["201", "一般公共服务支出", "233.54", "233.54", ""]])
    tables = group_tables(raw(TextLine(1, 150, "2024年预算支出总表"), p1,
                              TextLine(2, 80, "2024年一般公共预算支出预算表"), p2))
    assert len(tables) == 2


def test_numbers_never_continue_a_cut_cell():
    p1 = frag(1, 200, 780, HEADER + [["20103", "政府办公厅（室）及相关机构事务", "233.54", "201.93", "31.61"]])
    p2 = frag(2, 57, 300, [["2010301", "行政运行", "125.43", "125.43", ""]])
    t = group_tables(raw(TextLine(1, 150, "2024年预算支出总表"), p1, p2))[0]
    assert len(t.rows) == 4 and t.rows[-1][0] == "2010301"


def test_codes_in_separate_class_segment_item_columns():
    header = [["科目编码", None, None, "科目名称", "合计", "基本支出", "项目支出"],
              ["类", "款", "项", "", "", "", ""]]
    body = [["", "", "", "合计", "30.00", "20.00", "10.00"],
            ["201", "", "", "一般公共服务支出", "30.00", "20.00", "10.00"],
            ["", "03", "", "政府办公厅（室）及相关机构事务", "28.00", "20.00", "8.00"],
            ["", "", "01", "行政运行", "20.00", "20.00", ""],
            ["201", "03", "02", "一般行政管理事务", "8.00", "", "8.00"],
            ["", "25", "", "港澳台事务", "2.00", "", "2.00"],
            ["", "", "05", "台湾事务", "2.00", "", "2.00"]]
    f = frag(1, 150, 400, header + body, col_x=[50.0, 80.0, 110.0, 140.0, 300.0, 380.0, 460.0])
    doc = build_document(raw(TextLine(1, 100, "2024年预算支出总表"), f))
    t = doc.tables[0]
    assert [r.code for r in t.rows] == [None, "201", "20103", "2010301", "2010302", "20125", "2012505"]
    assert [r.level for r in t.rows[1:]] == [1, 2, 3, 3, 2, 3]
    from xlbudget.checks import rules
    assert rules.check(doc) == []


def test_a_row_is_joined_over_the_break_only_where_its_cells_were_cut():
    """The last row of page 1 is "年度重点任务 | 核心职能 | 重点任务"; its labels end far from their
    cells' right edges (room measured by the pdf adapter, in character widths), so the first row
    of page 2 is a row of its own. The same grid with its cells filled to the edge is one row cut
    by the break."""
    x3 = [50.0, 100.0, 300.0]
    last = ["年度重点任务", "核心职能", "重点任务"]
    first = ["", "管理全市因公出国及赴台港澳工作", "从严审核因公出国和赴台港澳相关事宜"]
    for room, n_rows in (([0.7, 10.5, 10.5], 2), ([0.7, 0.4, 0.2], 1)):
        p1 = frag(1, 600, 780, [last], col_x=x3)
        p1.last_row_room = room
        p2 = frag(2, 57, 120, [first], col_x=x3)
        t = group_tables(raw(TextLine(1, 560, "整体支出绩效目标申报表"), p1, p2))[0]
        assert len(t.rows) == n_rows
    assert t.rows[0] == ["年度重点任务", "核心职能管理全市因公出国及赴台港澳工作", "重点任务从严审核因公出国和赴台港澳相关事宜"]
