"""The table finder's fast steps give what pdfplumber's own give (pdfplumber is the oracle).

``pdf_grid.cells_of`` replaces ``pdfplumber.table.intersections_to_cells`` and
``pdf_grid.one_line_text`` answers for ``pdfplumber.utils.extract_text`` on one-line cells: both
are compared with pdfplumber's functions on hand-made input and on every page of real PDFs.
"""
import pytest

from conftest import REAL, SHANGHAI, need

pdfplumber = pytest.importorskip("pdfplumber")

from pdfplumber.table import TableFinder, intersections_to_cells  # noqa: E402
from pdfplumber.utils import extract_text  # noqa: E402

from xlbudget.read.pdf_grid import cells_of, find_tables, one_line_text  # noqa: E402

REAL_PDFS = [REAL / "江苏省人大办公厅" / "江苏省人大常委会办公厅2019年部门预算公开表.pdf",
             SHANGHAI / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"]


def _edge(x0, top, x1, bottom):
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "v" if x0 == x1 else "h"}


def _intersections(edges):
    from pdfplumber.table import edges_to_intersections

    return edges_to_intersections(edges, 1, 1)


def test_a_two_by_two_grid_gives_four_cells_as_pdfplumber_does():
    # three rules each way at 0, 10, 20: four cells, the first with its corner at (0, 0)
    edges = [_edge(x, 0, x, 20) for x in (0, 10, 20)] + [_edge(0, y, 20, y) for y in (0, 10, 20)]
    inter = _intersections(edges)
    assert cells_of(inter) == intersections_to_cells(inter)
    assert cells_of(inter) == [(0, 0, 10, 10), (0, 10, 10, 20), (10, 0, 20, 10), (10, 10, 20, 20)]


def test_a_rule_broken_in_the_middle_gives_the_bigger_cell_as_pdfplumber_does():
    # the middle vertical rule stops at 10: the bottom row is one cell 0..20 wide
    edges = ([_edge(0, 0, 0, 20), _edge(10, 0, 10, 10), _edge(20, 0, 20, 20)]
             + [_edge(0, y, 20, y) for y in (0, 10, 20)])
    inter = _intersections(edges)
    assert cells_of(inter) == intersections_to_cells(inter)
    assert (0, 10, 20, 20) in cells_of(inter)


def test_no_points_and_one_point_give_no_cell():
    assert cells_of({}) == intersections_to_cells({}) == []
    one = _intersections([_edge(5, 0, 5, 10), _edge(0, 5, 10, 5)])
    assert cells_of(one) == intersections_to_cells(one) == []


def _char(text, x0, x1, top=100.0, upright=True):
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": top + 10, "doctop": top,
            "upright": upright, "height": 10, "width": x1 - x0, "size": 10}


@pytest.mark.parametrize("chars, text", [
    ([_char("1", 0, 5), _char("2", 5, 10), _char(".", 10, 12), _char("5", 12, 17)], "12.5"),
    ([_char("单", 0, 10), _char("位", 14, 24)], "单 位"),         # 4 apart: a new word
    ([_char("单", 0, 10), _char("位", 13, 23)], "单位"),          # 3 apart: the same word
    ([_char("a", 0, 5), _char(" ", 5, 8), _char("b", 8, 13)], "a b"),  # split at a blank
    ([_char("b", 9, 14), _char("a", 0, 5)], "a b"),             # read in x order
    ([_char("\ufb01", 0, 5), _char("x", 5, 10)], "fix"),        # a ligature spelt out
    ([_char("x", 0, 5), _char("y", 5, 10, top=102.5)], "xy"),   # tops 2.5 apart: one line
])
def test_one_line_text_is_pdfplumbers_extract_text(chars, text):
    assert extract_text(chars) == text
    assert one_line_text(chars) == text


@pytest.mark.parametrize("chars", [
    [_char("x", 0, 5), _char("y", 0, 5, top=114)],             # two lines
    [_char("x", 0, 5, upright=False), _char("y", 5, 10, upright=False)],  # turned text
    [_char("", 0, 5), _char("y", 5, 10)],                      # an empty character: pdfplumber splits there
])
def test_one_line_text_leaves_other_cells_to_pdfplumber(chars):
    assert one_line_text(chars) is None


@pytest.mark.parametrize("path", REAL_PDFS, ids=lambda p: p.stem[:12])
def test_every_page_of_a_real_pdf_gives_pdfplumbers_cells_tables_and_texts(path):
    need(path)
    pages = texts = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            finder = TableFinder(page)
            assert cells_of(finder.intersections) == finder.cells
            ours = find_tables(page, None)
            assert [t.bbox for t in ours] == [t.bbox for t in finder.tables]
            assert [t.cells for t in ours] == [t.cells for t in finder.tables]
            for t in finder.tables:
                for row in t.rows:
                    for cell in row.cells:
                        if cell is None:
                            continue
                        chars = [c for c in page.chars if cell[0] <= (c["x0"] + c["x1"]) / 2 < cell[2]
                                 and cell[1] <= (c["top"] + c["bottom"]) / 2 < cell[3]]
                        text = one_line_text(chars) if chars else None
                        if text is not None:
                            assert text == extract_text(chars)
                            texts += 1
            pages += bool(finder.tables)
    assert pages >= 5 and texts >= 300  # the comparison ran on real tables, not on nothing


def test_duplicate_characters_are_dropped_as_pdfplumber_drops_them():
    # random pages of few distinct glyphs, many drawn twice or three times a little apart (a
    # fake bold): the same characters kept, in the same order, as pdfplumber's dedupe_chars
    import random

    from pdfplumber.utils import dedupe_chars

    from xlbudget.read.pdf import _dedupe_chars

    rnd = random.Random(7)
    dropped = 0
    for _ in range(200):
        chars = []
        for _ in range(rnd.randint(1, 60)):
            x, top = rnd.choice([0, 0.5, 1, 1.5, 3, 10]), rnd.choice([0, 0.4, 1, 2.2, 20])
            c = dict(_char(rnd.choice("01"), x, x + 5, top=top), fontname=rnd.choice("AB"), size=10)
            chars.append(c)
        ours = _dedupe_chars(chars)
        assert ours == dedupe_chars(chars)
        dropped += len(chars) - len(ours)
    assert dropped > 1000  # duplicates were there to drop
