"""pdfplumber's table finder with its quadratic step made linear: the same tables.

``pdfplumber.table.intersections_to_cells`` looks, for every intersection of rules, through all
the points after it for those below and to the right, and turns the edges of two points into
sets again for every pair it tests (11% of an import under a profiler, 210,000 pair tests on
the corpus). :func:`cells_of` gives the same cells in the same order with each point's edges
made sets once and the points below and right of a point found through the point's column and
row; :func:`find_tables` is ``page.find_tables(settings)`` using it.

The cells' texts: pdfplumber's ``extract_text`` clusters a cell's characters into lines, words
and lines again through generic machinery (9% of an import); :func:`one_line_text` gives its
text for the usual cell, one line of upright characters, directly.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

Point = Tuple[float, float]
BBox = Tuple[float, float, float, float]


def cells_of(intersections: Dict[Point, dict]) -> List[BBox]:
    """``pdfplumber.table.intersections_to_cells(intersections)``: for each point, in sorted
    order, the smallest cell it is the top-left corner of."""
    from pdfplumber.utils import obj_to_bbox

    points = sorted(intersections)
    v_edges = {p: set(map(obj_to_bbox, e["v"])) for p, e in intersections.items()}
    h_edges = {p: set(map(obj_to_bbox, e["h"])) for p, e in intersections.items()}
    # the points after a point in sorted order with its x (below it) or its y (right of it)
    column: Dict[float, List[Point]] = {}
    row: Dict[float, List[Point]] = {}
    for p in points:
        column.setdefault(p[0], []).append(p)
        row.setdefault(p[1], []).append(p)
    in_column = {p: k for ps in column.values() for k, p in enumerate(ps)}
    in_row = {p: k for ps in row.values() for k, p in enumerate(ps)}

    def connects(p1: Point, p2: Point) -> bool:  # pdfplumber's edge_connects
        if p1[0] == p2[0] and not v_edges[p1].isdisjoint(v_edges[p2]):
            return True
        return p1[1] == p2[1] and not h_edges[p1].isdisjoint(h_edges[p2])

    def smallest(pt: Point) -> Optional[BBox]:
        below = column[pt[0]][in_column[pt] + 1:]
        right = row[pt[1]][in_row[pt] + 1:]
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    return (pt[0], pt[1], corner[0], corner[1])
        return None

    return [c for c in map(smallest, points[:-1]) if c is not None]


def find_tables(page, settings) -> list:
    """``page.find_tables(settings)``, the same tables (see :func:`cells_of`)."""
    from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

    finder = TableFinder.__new__(TableFinder)  # TableFinder.__init__ with cells_of for its slow step
    finder.page = page
    finder.settings = s = TableSettings.resolve(settings)
    finder.edges = finder.get_edges()
    finder.intersections = edges_to_intersections(finder.edges, s.intersection_x_tolerance,
                                                  s.intersection_y_tolerance)
    finder.cells = cells_of(finder.intersections)
    finder.tables = [Table(page, group) for group in cells_to_tables(finder.cells)]
    return finder.tables


# pdfplumber's defaults for extract_text: characters further apart than this start a new word,
# tops further apart start a new line
X_TOLERANCE = 3
Y_TOLERANCE = 3


def one_line_text(chars: list) -> Optional[str]:
    """``pdfplumber.utils.extract_text(chars)`` (default settings) when the characters are upright,
    none of them empty and on one line (their tops within ``Y_TOLERANCE``); None otherwise (the
    caller asks pdfplumber). Words: characters in x order, split at a blank and where the next
    one starts left of the last one's start or beyond its end by more than ``X_TOLERANCE``."""
    from pdfplumber.utils.text import LIGATURES

    tops = [c["top"] for c in chars]
    if max(tops) - min(tops) > Y_TOLERANCE or not all(c["upright"] and c["text"] for c in chars):
        return None
    words, word, last = [], [], None
    for c in sorted(chars, key=lambda c: c["x0"]):
        text = c["text"]
        if text.isspace():
            if word:
                words.append(word)
            word = []
            continue
        if word and (c["x0"] < last["x0"] or c["x0"] > last["x1"] + X_TOLERANCE):
            words.append(word)
            word = []
        word.append(c)
        last = c
    if word:
        words.append(word)
    return " ".join("".join(LIGATURES.get(c["text"], c["text"]) for c in w) for w in words)
