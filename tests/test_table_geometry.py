"""Tables are read from the rules printed on the page: a cell's text is the text inside its drawn
borders, so a name wrapped over two lines stays one row with its amount."""
from decimal import Decimal as D

import pytest

from conftest import REAL, imported, need
from xlbudget.compare import compare
from xlbudget.parse import fragment_rows

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
