"""Layouts our real corpus lacks, rendered with reportlab (tests/fixtures/render_layouts.py):
function codes in 类 | 款 | 项 columns, a 总表 cut right after 本年收入合计, pages without text."""
from decimal import Decimal as D

import pytest

pytest.importorskip("reportlab")

from conftest import REAL, imported, need  # noqa: E402
from fixtures import render_layouts as rl  # noqa: E402
from xlbudget.read.importer import import_pdf  # noqa: E402
from xlbudget.read.parse import build_document  # noqa: E402
from xlbudget.read.raw import Fragment, RawDocument, TextLine  # noqa: E402
from xlbudget.checks.rules import run  # noqa: E402

HEADERS = ("two", "open", "lanci", "xiangmu", "one_head", "bare")
CASES = [(lay, h) for lay in rl.LAYOUTS for h in HEADERS if not (lay == "one_cell" and h in ("one_head", "bare"))]
BLANK = ("2010602", "20805")  # rows printed without their 科目名称


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("layouts"))
    docs = {(lay, h): rl.render_code_layout(out, lay, blank_names=BLANK, header=h) for lay, h in CASES}
    docs["wrong"] = rl.render_code_layout(out, "new_part", header="lanci", wrong=("2010601", 0, "132.57"))
    docs["f01"] = rl.render_f01_break(out)
    docs["textless"] = rl.render_textless_pages(out)
    return docs


def test_the_cjk_text_of_a_render_decodes(rendered):
    import pdfplumber

    with pdfplumber.open(rendered[("all_parts", "two")]["path"]) as pdf:
        text = pdf.pages[0].extract_text()
    for s in ("收入决算表", "公开02表", "单位：万元", "功能分类科目编码", "科目名称", "本年收入合计", "类 款 项",
              "201 06 01 行政运行 132.75 120.50 10.00 2.25"):
        assert s in text


@pytest.mark.parametrize("layout,header", CASES)
def test_split_codes_are_rebuilt_with_their_levels(rendered, layout, header):
    truth = rendered[(layout, header)]
    doc = import_pdf(truth["path"])
    (t,) = doc.tables
    assert t.kind == "f02" and t.unit == "万元"
    # 类 款 项 is header, never body; the body is 合计 then the coded rows
    assert not any(r.name and r.name.replace(" ", "") == "类款项" for r in t.rows)
    assert t.rows[0].is_total and [c.value for c in t.rows[0].cells if c.value is not None] == \
        [D("244.00"), D("222.95"), D("5.00"), D("12.70"), D("3.35")]
    body = t.rows[1:]
    assert [r.code for r in body] == [x["code"] for x in truth["rows"]]
    assert [r.level for r in body] == [x["level"] for x in truth["rows"]]
    assert [r.code for r in body][:4] == ["201", "20106", "2010601", "2010602"]
    assert [r.level for r in body][:4] == [1, 2, 3, 3]
    for r, x in zip(body, truth["rows"]):
        # the code pieces are no amounts: the amounts are exactly the five amount columns
        assert [c.value for c in r.cells if c.value is not None] == [v for v in x["amounts"] if v != 0], r.code
    row = t.find_row(code="2010601")
    assert row.name == "行政运行" and row.cells[-5].value == D("132.75")
    assert t.find_row(code="2010602").cells[-4].value == D("35.00")


@pytest.mark.parametrize("layout,header", CASES)
def test_a_clean_split_code_table_validates_with_tree_checks(rendered, layout, header):
    doc = import_pdf(rendered[(layout, header)]["path"])
    ctx, checks, findings = run(doc)
    tree = [c for c in checks if c.id in ("TREE.children-sum", "TREE.total-of-classes")]
    # parents: the 5 类 and the 4 款 with 项 below (21301 has none), and 合计 = Σ 类; five columns each
    assert len(tree) == (5 + 4 + 1) * 5
    assert all(c.ok for c in tree)
    assert [f for f in findings if f.severity == "error"] == []
    # every layout is certain: 款 and 项 printed under no head of their own take the code head to
    # their left (the header band's span resolution), so nothing is left to doubt
    assert [f.id for f in doc.diagnostics] == []


def test_one_wrong_amount_is_caught_by_exactly_one_tree_check(rendered):
    doc = import_pdf(rendered["wrong"]["path"])
    ctx, checks, findings = run(doc)
    failed = [c for c in checks if c.id == "TREE.children-sum" and not c.ok]
    assert len(failed) == 1
    (t,) = doc.tables
    c = failed[0]
    assert t.rows[c.total.row].code == "20106" and t.columns[c.total.col] == "本年收入合计"
    assert c.total_value == D("182.25") and c.sum_value == D("182.07")
    assert doc.diagnostics == []


X6 = [50.0, 80.0, 110.0, 140.0, 300.0, 400.0]


def _split_doc(rows):
    header = [["功能分类科目编码", None, None, "科目名称", "本年支出合计", "基本支出"],
              ["类", "款", "项", "", "", ""]]
    f = Fragment(page=1, top=200, bottom=500, x0=50, x1=500, page_height=842, col_x=X6, rows=header + rows)
    return build_document(RawDocument(source="t.pdf", n_pages=1, blocks=[
        TextLine(1, 150, "支出决算表"), TextLine(1, 170, "单位：万元"), f]))


def test_digits_forming_no_code_path_are_doubted():
    doc = _split_doc([["201", "", "", "一般公共服务支出", "10.00", "10.00"],
                      ["", "", "01", "行政运行", "10.00", "10.00"]])  # a 项 with no 款 above it
    t = doc.tables[0]
    assert [r.code for r in t.rows] == ["201", None]
    assert [f.id for f in doc.diagnostics] == ["EXTRACT.amount-in-code-column"]


def test_an_amount_in_a_code_column_is_doubted_and_not_read():
    doc = _split_doc([["201", "", "", "一般公共服务支出", "10.00", "10.00"],
                      ["201", "10.00", "", "财政事务", "10.00", "10.00"]])
    t = doc.tables[0]
    assert t.rows[1].cells[1].value is None and t.rows[1].code is None
    assert doc.diagnostics and all(f.id == "EXTRACT.amount-in-code-column" for f in doc.diagnostics)


def test_clean_split_codes_raise_no_doubt():
    doc = _split_doc([["201", "", "", "一般公共服务支出", "10.00", "10.00"],
                      ["", "06", "", "财政事务", "10.00", "10.00"],
                      ["", "", "01", "行政运行", "10.00", "10.00"]])
    assert [r.code for r in doc.tables[0].rows] == ["201", "20106", "2010601"]
    assert doc.diagnostics == []


# ------------------------------------------------------------------ class 5

def test_a_total_row_at_a_page_break_is_not_glued_to_the_next_page(rendered):
    doc = import_pdf(rendered["f01"]["path"])
    (t,) = doc.tables
    assert t.kind == "f01" and t.pages == [1, 2]
    labels = [r.cells[0].text for r in t.rows]
    assert labels[-4:] == ["本年收入合计", "使用非财政拨款结余", "年初结转和结余", "总计"]
    assert [r.cells[2].text for r in t.rows][-4:] == ["本年支出合计", "结余分配", "年末结转和结余", "总计"]
    tot = t.rows[-4]
    assert tot.is_total and tot.cells[1].value == D("232.50") and tot.cells[3].value == D("244.00")
    assert t.rows[-1].cells[1].value == D("244.90")
    ctx, checks, findings = run(doc)
    ids = [c.id.split(".")[0] for c in checks]
    assert ids.count("SUMMARY") == 2 and ids.count("BALANCE") == 3
    assert all(c.ok for c in checks)
    assert [f for f in findings if f.severity == "error"] == []


def test_a_cut_name_still_continues_after_a_row_that_is_not_complete():
    from xlbudget.read.stitch import _is_split_row

    assert _is_split_row(["2080505", "机关事业单位基本养", "26.56"], ["", "老保险缴费支出", ""])
    assert not _is_split_row(["本年收入合计", "232.50", "本年支出合计", "244.00"], ["使用非财政拨款结余", "", "结余分配", ""])
    assert not _is_split_row(["本年收入合计", "", "本年支出合计", ""], ["使用非财政拨款结余", "", "结余分配", ""])
    assert not _is_split_row(["其他收入", "3.35", "其他支出", "1.00"], ["（含某项）", "", "（含某项）", ""])


# ------------------------------------------------------------------ class 6

def test_only_image_pages_are_reported_as_scanned(rendered):
    truth = rendered["textless"]
    doc = import_pdf(truth["path"])
    assert doc.n_pages == 4
    scanned = [w for w in doc.warnings if "scanned" in w]
    assert scanned == ["pages without a text layer (scanned images are not read): 3"]
    assert truth["scanned"] == [3] and truth["ruled_empty"] == [2] and truth["blank"] == [4]


def test_a_single_class_segment_item_head_marks_the_code_columns():
    # "类 款 项" printed in one cell spanning the three code columns, no 编码 word anywhere
    f = Fragment(page=1, top=200, bottom=500, x0=50, x1=500, page_height=842, col_x=X6, rows=[
        ["科目", None, None, "名称", "本年支出合计", "基本支出"],
        ["类 款 项", None, None, "", "", ""],
        ["208", "", "", "社会保障和就业支出", "29.25", "29.25"],
        ["", "05", "", "行政事业单位养老支出", "29.25", "29.25"],
        ["", "", "05", "机关事业单位基本养老保险缴费支出", "19.50", "19.50"],
        ["", "", "06", "机关事业单位职业年金缴费支出", "9.75", "9.75"]])
    doc = build_document(RawDocument(source="t.pdf", n_pages=1, blocks=[
        TextLine(1, 150, "支出决算表"), TextLine(1, 170, "单位：万元"), f]))
    t = doc.tables[0]
    assert len(t.header) == 2 and t.header[1][0] == "类 款 项"
    assert [r.code for r in t.rows] == ["208", "20805", "2080505", "2080506"]
    assert [r.level for r in t.rows] == [1, 2, 3, 3]
    assert t.rows[1].cells[1].value is None and t.rows[1].cells[4].value == D("29.25")
    assert doc.diagnostics == []


# ------------------------------------------------------------------ the same on the real corpus

@pytest.mark.slow
def test_real_subtotal_at_a_page_break_keeps_its_own_row():
    # 2017 省法院 收入预算总表: page 12 ends with "其他资金 | 小计", page 13 opens with "| 事业收入"
    (pdf,) = sorted(need(REAL).glob("*/省法院2017年度部门预算公开.pdf")) or [need(REAL / "missing.pdf")]
    t = imported(pdf).table("b02")
    texts = [(r.page, r.cells[0].text, r.cells[1].text) for r in t.rows]
    i = texts.index((12, "其他资金", "小计"))
    assert texts[i + 1] == (13, "", "事业收入")
    assert not any("小计事业收入" in c for _, a, b in texts for c in (a, b))


@pytest.mark.slow
def test_real_page_with_a_frame_and_no_text_is_not_called_scanned():
    # 2017 人大办公厅: page 31 draws one rectangle and no text, no image
    (pdf,) = sorted(need(REAL).glob("*/江苏省人大办公厅2017年度预算公开.pdf")) or [need(REAL / "missing.pdf")]
    assert not any("scanned" in w for w in imported(pdf).warnings)


def test_rebuild_split_codes_examples():
    from xlbudget.codes import rebuild_split_codes

    codes, bad = rebuild_split_codes([
        ["201", "", ""], ["", "06", ""], ["", "", "01"],   # only the new part
        ["208", "05", ""], ["208", "05", "05"],            # every part
        ["2101101", "", ""],                               # a full code in a cell spanning the three
        ["", "", "02"],                                    # a sibling 项 of that full code
        ["合计", "", ""],                                   # a label, no code
        ["", "", "7.80"],                                  # an amount in the 项 column
        ["", "", ""]])
    assert codes == ["201", "20106", "2010601", "20805", "2080505", "2101101", "2101102", None, None, None]
    assert bad == [8]
    codes, bad = rebuild_split_codes([["", "06", ""], ["", "", "01"]])  # no 类 above: no path
    assert codes == [None, None] and bad == [0, 1]
