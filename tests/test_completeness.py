"""Completeness: required and listed tables present, empty tables said to be empty, the 目录 agreeing
with the body. Each rule fires on a real document (as published, or with pages removed) or on an
imported document mutated as stated, and stays silent on the clean corpus."""
import copy
import dataclasses

import pypdfium2
import pytest

from conftest import REAL, REAL_ALL, SHANGHAI, imported, need
from xlbudget.checks import completeness
from xlbudget.model import Line
from xlbudget.read.contents import read_contents
from xlbudget.read.importer import import_pdf

SHEGONG = "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
PDFS = sorted(REAL_ALL.glob("**/*.pdf")) if REAL_ALL.exists() else []


def ids(findings, rule_id):
    return [f for f in findings if f.id == rule_id]


def without_pages(src, pages, out):
    """A copy of ``src`` with the given 1-based pages deleted."""
    pdf = pypdfium2.PdfDocument(str(src))
    for p in sorted(pages, reverse=True):
        pdf.del_page(p - 1)
    pdf.save(str(out))
    return out


def test_contents_reader_reads_entries_page_numbers_and_kinds():
    lines = [Line(2, "目 录"), Line(2, "第一部分 部门概况 ……………… 3"), Line(2, "一、收支预算总表 ……… 5"),
             Line(2, "二、一般公共预算“三公”经费、会议费、培训费支"), Line(2, "出预算表 12"),
             Line(3, "第一部分 部门概况"), Line(3, "一、主要职能")]
    entries = read_contents(lines)
    assert [(e.title, e.target, e.kind) for e in entries] == [
        ("部门概况", 3, None), ("收支预算总表", 5, "b01"),
        ("一般公共预算“三公”经费、会议费、培训费支出预算表", 12, "b10")]
    # entries printed without a number, but with leader dots and a page number
    unnumbered = read_contents([Line(1, "目录"), Line(1, "部门概况……………1"), Line(1, "部门预算表……………2"),
                                Line(1, "收支预算总表……3"), Line(2, "部门概况"), Line(2, "本部门主要职能是：")])
    assert [(e.title, e.target, e.kind) for e in unnumbered] == [
        ("部门概况", 1, None), ("部门预算表", 2, None), ("收支预算总表", 3, "b01")]


@pytest.mark.slow
def test_contents_of_the_real_final_accounts_name_its_nine_tables():
    doc = imported(need(SHANGHAI / SHEGONG))
    listed = [e.kind for e in doc.contents if e.kind]
    # the 目录 of page 2 lists 公开01–09, 三公 (七) before 政府性基金 (八) and 国有资本经营 (九)
    assert listed == ["f01", "f02", "f03", "f04", "f05", "f06", "f09", "f07", "f08"]


@pytest.mark.slow
def test_a_table_the_contents_list_but_the_body_lacks_is_an_error(tmp_path):
    # page 14 of the real 社会工作部 决算 prints 财政拨款“三公”经费支出决算表; the 目录 still lists it
    pdf = without_pages(need(SHANGHAI / SHEGONG), [14], tmp_path / "no_sangong.pdf")
    found = ids(completeness.contents_missing(import_pdf(str(pdf))), "COMPLETE.contents-missing")
    assert [(f.severity, f.page) for f in found] == [("error", 2)]
    assert "财政拨款“三公”经费支出决算表" in found[0].message


@pytest.mark.slow
def test_a_required_table_absent_altogether_is_a_warning(tmp_path):
    # the 公开表 file prints no 目录; page 9 is its 一般公共预算“三公”经费支出预算表
    src = need(REAL / "江苏省政协办公厅" / "江苏省政协办公厅2019年预算公开表.pdf")
    doc = import_pdf(str(without_pages(src, [9], tmp_path / "no_b10.pdf")))
    found = list(completeness.missing_tables(doc))
    assert [(f.id, f.severity) for f in found] == [("COMPLETE.missing-table", "warning")]
    assert "三公经费预算表" in found[0].message


@pytest.mark.slow
def test_a_narrative_published_apart_from_its_tables_is_said_once():
    doc = imported(need(REAL / "江苏省政协办公厅" / "江苏省政协办公厅2017年度部门预算.pdf"))
    found = list(completeness.tables_elsewhere(doc)) + list(completeness.contents_missing(doc))
    assert [(f.id, f.severity) for f in found] == [("COMPLETE.tables-elsewhere", "info")]
    assert "12张表" in found[0].message


@pytest.mark.slow
def test_an_empty_table_without_its_statement_is_a_warning():
    # 省法院 2017: 七、…政府性基金支出预算表 (page 15) prints only its header and an empty 合计 row
    doc = imported(need(REAL / "江苏省高级人民法院" / "省法院2017年度部门预算公开.pdf"))
    found = list(completeness.empty_without_statement(doc))
    assert [(f.id, f.severity, f.page) for f in found] == [("COMPLETE.empty-table", "warning", 15)]
    assert found[0].cells and found[0].cells[0].table == "b08"


@pytest.mark.slow
def test_an_empty_table_with_its_statement_is_fine():
    # 社会工作部: the 三公 table says "…没有财政拨款“三公”经费支出，故本表无数据"
    doc = imported(need(SHANGHAI / SHEGONG))
    assert doc.table("f09").rows == [] or not any(c.value for r in doc.table("f09").rows for c in r.cells)
    assert list(completeness.empty_without_statement(doc)) == []


@pytest.mark.slow
def test_a_contents_title_that_differs_from_the_body_is_a_warning():
    # 江苏省人大办公厅 2017: the 目录 says 十二、政府采购支出预算表, page 20 prints "2017 年政府采购预算表"
    doc = imported(need(REAL / "江苏省人大办公厅" / "江苏省人大办公厅2017年度预算公开.pdf"))
    found = list(completeness.contents_titles(doc))
    assert [(f.severity, f.page) for f in found] == [("warning", 2)]
    assert "政府采购支出预算表" in found[0].message and "2017 年政府采购预算表" in found[0].message


@pytest.mark.slow
def test_a_contents_page_number_that_disagrees_with_the_body_is_a_warning():
    # mutated document: the real 社会工作部 决算 prints no page numbers in its 目录; give its table
    # entries the numbers a 目录 counting from the cover would print (PDF page - 1), then shift one
    doc = copy.deepcopy(imported(need(SHANGHAI / SHEGONG)))
    first_page = {t.kind: t.pages[0] for t in doc.tables}
    entries = [dataclasses.replace(e, target=first_page[e.kind] - 1) if e.kind else e for e in doc.contents]
    assert list(completeness.contents_pages(dataclasses.replace(doc, contents=entries))) == []
    k = next(i for i, e in enumerate(entries) if e.kind == "f06")  # 一般公共预算财政拨款基本支出决算表, PDF page 13
    entries[k] = dataclasses.replace(entries[k], target=15)
    found = list(completeness.contents_pages(dataclasses.replace(doc, contents=entries)))
    assert [(f.id, f.severity) for f in found] == [("COMPLETE.contents-page", "warning")]
    assert "在第15页" in found[0].message and "正文中它在第12页（PDF第13页）" in found[0].message


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_the_real_corpus_is_complete(pdf):
    """Every real PDF prints every table it lists and every table its kind requires: no error, and no
    missing-table warning (the 2017–2019 Jiangsu budgets predate 政府性基金收入 and 国有资本经营, which
    are therefore not required)."""
    doc = imported(pdf)
    from xlbudget.checks.registry import COMPLETENESS, run_declared

    found = run_declared(doc, [COMPLETENESS])
    assert [f.message for f in found if f.severity == "error"] == []
    assert ids(found, "COMPLETE.missing-table") == [] and ids(found, "COMPLETE.contents-missing") == []


# --- a rendered 决算 whose 目录 prints page numbers (tests/fixtures/render_contents.py) -----------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    pytest.importorskip("reportlab")
    from fixtures import render_contents as rc

    d = tmp_path_factory.mktemp("contents")
    return {
        "clean": rc.render_final_account(d, "clean.pdf"),
        "shifted": rc.render_final_account(d, "shifted.pdf", listed={"支出决算表": 7}),
        "omitted": rc.render_final_account(d, "omitted.pdf", omit=["支出决算表"]),
    }


def test_rendered_contents_agree_with_their_body(rendered):
    doc = import_pdf(str(rendered["clean"]["path"]))
    assert [(e.title, e.target, e.kind) for e in doc.contents][2:5] == [
        ("收入决算表", 3, "f02"), ("支出决算表", 4, "f03"), ("一般公共预算财政拨款支出决算表", 5, "f05")]
    for rule in (completeness.contents_pages, completeness.contents_missing, completeness.contents_titles):
        assert list(rule(doc)) == []


def test_a_rendered_contents_page_number_off_is_found(rendered):
    # the 目录 says 二、支出决算表 …… 7; the table is on PDF page 5, printed page 4
    doc = import_pdf(str(rendered["shifted"]["path"]))
    found = list(completeness.contents_pages(doc))
    assert [(f.id, f.page) for f in found] == [("COMPLETE.contents-page", 2)]
    assert found[0].message == "目录称“支出决算表”在第7页，正文中它在第4页（PDF第5页）"


def test_a_rendered_table_listed_but_left_out_is_found(rendered):
    doc = import_pdf(str(rendered["omitted"]["path"]))
    found = list(completeness.contents_missing(doc))
    assert [f.message for f in found] == ["目录（第2页）列出“支出决算表”，正文中没有这张表"]
    assert list(completeness.contents_pages(doc)) == []  # the other entries still agree
