"""Tables are read from the rules printed on the page: a cell's text is the text inside its drawn
borders, so a name wrapped over two lines stays one row with its amount."""
from pathlib import Path

import pytest

from conftest import REAL, imported, need
from xlbudget.compare.core import compare
from xlbudget.read.diagnose import fragment_rows

PROCURATORATE = REAL / "江苏省人民检察院"
# the files whose 收支预算总表 draws white padding strips that cut wrapped names apart
WRAPPED = ["江苏省人民检察院/2018年省检察院部门预算公开.pdf", "江苏省人民检察院/2019年度部门预算公开.pdf",
           "江苏省高级人民法院/省法院2017年度部门预算公开.pdf", "江苏省高级人民法院/省法院2018年度部门预算公开.pdf",
           "江苏省高级人民法院/江苏省高级人民法院2019年度部门预算公开.pdf"]


def texts(t):
    return [["".join(c.split()) for c in r.texts()] for r in t.rows]


@pytest.mark.slow
def test_wrapped_names_stay_in_their_row_with_their_amount():
    doc = imported(need(PROCURATORATE / "2018年省检察院部门预算公开.pdf"))
    rows = texts(doc.table("b01"))
    # page 13: "1.一般公共预 / 算" is one cell, level with 21,940.96 and the 支出 items of that row
    assert ["1.一般公共预算", "21,940.96", "二、外交支出", "", "二、项目支出", "5,573.00"] in rows
    assert ["2.政府性基金预算", "", "三、国防支出", "", "三、单位预留机动经费", "2,388.04"] in rows
    assert ["二、财政专户管理资金", "", "四、公共安全支出", "16,458.75", "", ""] in rows
    assert ["", "", "九、医疗卫生与计划生育支出", "", "", ""] in rows
    assert ["", "", "十四、资源勘探信息等支出", "", "", ""] in rows
    assert doc.table("b01").columns == ["收入/项目名称", "收入/金额", "支出/功能分类/功能科目名称",
                                        "支出/功能分类/金额", "支出/支出用途/项目名称", "支出/支出用途/金额"]
    # page 14: 项目名称 heads both the fund and the item column (the drawing does not merge them)
    assert doc.table("b02").columns == ["项目名称", "项目名称", "金额"]


@pytest.mark.slow
@pytest.mark.parametrize("rel", WRAPPED)
def test_no_fragment_rows_left(rel):
    doc = imported(need(REAL / rel))
    for t in doc.tables:
        assert fragment_rows([r.texts() for r in t.rows]) == [], t.kind
    assert not [f for f in doc.diagnostics if f.id == "EXTRACT.fragment-row"]


@pytest.mark.slow
def test_first_row_of_a_continued_table_keeps_its_header_cells():
    # 法院 2018, 财政拨款收支预算总表: the header's 项目名称 / 金额 cells start on page 10 and are
    # printed on page 11 without their top rule
    t = imported(need(REAL / "江苏省高级人民法院/省法院2018年度部门预算公开.pdf")).table("b04")
    assert t.columns == ["收入/项目名称", "收入/金额", "支出/支出用途/项目名称", "支出/支出用途/金额"]
    assert texts(t)[0] == ["一、一般公共预算", "33,172.15", "一、基本支出", "18,570.82"]


def test_fragment_rows_are_recognised():
    # the 收支总表 as read when padding strips counted as rules (names cut from their amounts)
    rows = [["一、财政拨款", "21,940.96", "一、一般公共服务支出", "", "一、基本支出", "13,994.31"],
            ["1.一般公共预", "", "", "", "", ""],
            ["", "21,940.96", "二、外交支出", "", "二、项目支出", "5,573.00"],
            ["算", "", "", "", "", ""],
            ["2.政府性基金", "", "", "", "三、单位预留机动", ""],
            ["", "", "三、国防支出", "", "", "2,388.04"],
            ["预算", "", "", "", "经费", ""],
            ["三、其他资金", "14.39", "五、教育支出", "", "", ""]]
    assert fragment_rows(rows) == [(3, 0), (6, 0), (6, 4)]
    # short item names of their own are no fragments
    assert fragment_rows([["一、政府采购情况", "", ""], ["项目", "行次", "统计数"], ["货物", "2", ""],
                          ["一般公共预算资金", "小计", "21,940.96"], ["", "专项收入", ""]]) == []


@pytest.mark.slow
def test_summary_tables_of_three_years_line_up():
    need(PROCURATORATE)
    docs = [imported(p) for p in sorted(PROCURATORATE.glob("*.pdf"))]
    t01 = next(tc for tc in compare(docs).tables if tc.key == "T01")
    flagged = {it.key.split(":")[-1] for it in t01.items if it.added_in or it.removed_in}
    # what really changed: the 2019 function classification renamed three classes and added one
    assert flagged == {"文化体育与传媒支出", "文化旅游体育与传媒支出", "医疗卫生与计划生育支出", "卫生健康支出",
                       "国土海洋气象等支出", "自然资源海洋气象等支出", "灾害防治及应急管理支出"}


# ---------------------------------------------------------------- header band and spans

SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "sample" / "新绛县2024部门预算.pdf"
SHANGHAI = REAL.parent / "shanghai"


@pytest.mark.slow
def test_spanned_groups_name_every_column_under_them():
    doc = imported(need(SAMPLE))
    # page 3: 收 入 over 项目 | 2024年, 支 出 over 项目 | 2024年合计 | 当年预算安排 | 上年结转安排
    assert doc.table("b01").columns == ["收入/项目", "收入/2024年", "支出/项目", "支出/2024年合计",
                                        "支出/当年预算安排", "支出/上年结转安排"]
    assert doc.table("b03").columns == ["功能分类科目/科目编码", "功能分类科目/科目名称", "2024年预算数/合计",
                                        "2024年预算数/基本支出", "2024年预算数/项目支出"]
    assert doc.table("b04").columns == ["收入/项目", "收入/金额", "支出/项目", "支出/金额/小计", "支出/金额/一般公共预算",
                                        "支出/金额/政府性基金预算", "支出/金额/国有资本经营预算"]
    # page 8: the first item row (工资福利支出 | 机关工资福利支出, no amount) is no header
    b06 = doc.table("b06")
    assert b06.columns == ["部门预算支出经济科目名称", "政府预算支出经济科目名称", "2024年预算数/合计",
                           "2024年预算数/人员经费", "2024年预算数/公用经费"]
    assert b06.rows[0].texts()[:2] == ["工资福利支出", "机关工资福利支出"]


@pytest.mark.slow
def test_body_columns_drawn_off_the_header_rules_land_under_their_names():
    doc = imported(need(PROCURATORATE / "2019年度部门预算公开.pdf"))
    b05a = doc.table("b05a")  # page 16: the name cells start left of the 功能科目名称 rule
    assert b05a.columns == ["功能科目代码", "功能科目名称", "金额"]
    assert texts(b05a)[1] == ["204", "公共安全支出", "16,593.12"]
    # page 22: 采购品目大类 wrapped in its header cell is one name, not a data row "类"
    b14 = doc.table("b14")
    assert b14.columns == ["采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"]
    assert all(r.texts()[0] != "类" for r in b14.rows)


@pytest.mark.slow
def test_rows_under_single_column_names_are_body_rows():
    tpl = imported(need(SHANGHAI / "附件2：部门决算模板.pdf"))
    units = tpl.tables[0]  # 序号 | 单位名称 | 备注: the unit list
    assert units.columns == ["序号", "单位名称", "备注"]
    assert [r.texts()[0] for r in units.rows[:3]] == ["1", "2", "3"]
    f01 = tpl.table("f01")  # the template has no amounts: its items are still rows
    assert f01.columns == ["收入/项目", "收入/决算数", "支出/项目", "支出/决算数"]
    assert f01.rows[0].texts()[0] == "一、一般公共预算财政拨款收入"
    real = imported(need(SHANGHAI / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"))
    assert [r.texts()[0] for r in real.tables[0].rows[:2]] == ["1", "2"]
    # an empty 政府性基金 table: its 合计 line is a row, not part of the column names
    b08 = imported(need(PROCURATORATE / "2017年省检察院部门预算.pdf")).table("b08")
    assert b08.columns == ["功能科目代码", "功能科目名称", "金额"]


def _continued_table(header_p2):
    from xlbudget.read.parse import build_document
    from xlbudget.read.raw import Fragment, RawDocument, TextLine

    x5 = [50.0, 110.0, 250.0, 350.0, 450.0]
    header = [["项目", None, "2024年预算数", None, None], ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]

    def frag(page, top, bottom, rows):
        return Fragment(page=page, top=top, bottom=bottom, x0=50, x1=544, page_height=842, col_x=x5, rows=rows)

    p1 = frag(1, 200, 780, header + [["201", "一般公共服务支出", "233.54", "201.93", "31.61"]])
    p2 = frag(2, 57, 300, header_p2 + [["2101101", "行政单位医疗", "6.68", "6.68", ""]])
    return build_document(RawDocument(source="t.pdf", n_pages=2, blocks=[
        TextLine(1, 150, "2024年预算支出总表"), TextLine(1, 170, "单位：万元"), p1, TextLine(1, 800, "- 3 -"), p2]))


def test_a_changed_header_on_a_continuation_page_is_doubted():
    same = _continued_table([["项目", None, "2024年预算数", None, None],
                             ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]])
    assert [r.code for r in same.tables[0].rows] == ["201", "2101101"]
    assert not [f for f in same.diagnostics if f.id == "EXTRACT.header-changed"]
    changed = _continued_table([["项目", None, "2024年预算数", None, None],
                                ["科目编码", "科目名称", "合计", "人员经费", "公用经费"]])
    found = [f for f in changed.diagnostics if f.id == "EXTRACT.header-changed"]
    assert len(found) == 1 and found[0].page == 2 and found[0].severity == "warning"
