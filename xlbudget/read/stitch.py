"""Pure: raw blocks -> logical tables (fragments stitched across pages).

A fragment continues the table before it when it opens its page with no title
text above it, the previous fragment ran to the bottom of the previous page, and
both span the same width. Columns are unified by their x positions, so a header
printed with merged cells on one page and the body on the next line up. Header
rows repeated on the new page are removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Union

from xlbudget.numbers import looks_numeric
from xlbudget.read.raw import Fragment, RawDocument, TextLine
from xlbudget.settings import StitchSettings
from xlbudget.vocabulary import LEVEL_WORDS, TITLE_SUFFIX, TOTAL_LABEL_RE, starts_item

_TITLE_IN_GRID_RE = re.compile(TITLE_SUFFIX)
_TITLE_END_RE = re.compile(TITLE_SUFFIX + r"(（[^）]{0,20}）|\([^)]{0,20}\))?"
                           r"(部门(名称)?[:：].*|单位[:：].*)?$")
_PAGE_NO_RE = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?([/／]\s*\d+)?(\s*(页|共\s*\d+\s*页))?[-—–\s]*$")


def is_page_furniture(text: str) -> bool:
    """Page numbers and similar lines that do not separate a table from its continuation."""
    t = text.strip()
    return bool(_PAGE_NO_RE.match(t)) or t in ("续表", "（续表）", "(续表)", "续上表")


@dataclass
class LogicalTable:
    fragments: List[Fragment]
    before: List[TextLine]  # text lines between the previous table and this one
    after: List[TextLine] = field(default_factory=list)  # notes right below (until next table)
    rows: List[List[str]] = field(default_factory=list)
    row_pages: List[int] = field(default_factory=list)
    col_x: List[float] = field(default_factory=list)
    merged_mask: List[List[bool]] = field(default_factory=list)  # True where a merged cell covers
    # (page, texts) of rows at the top of a continuation that repeat the header band, changed
    header_changes: List[tuple] = field(default_factory=list)

    @property
    def pages(self) -> List[int]:
        return sorted({f.page for f in self.fragments})


def _same_width(a: Fragment, b: Fragment, s: StitchSettings) -> bool:
    tol = s.same_width_tolerance
    return abs(a.x0 - b.x0) <= tol and abs(a.x1 - b.x1) <= tol


def _merge_edges(edge_lists: List[List[float]], tol: float) -> List[float]:
    xs = sorted(x for lst in edge_lists for x in lst)
    out: List[float] = []
    for x in xs:
        if not out or x - out[-1] > tol:
            out.append(x)
    return out


def _remap(frag: Fragment, edges: List[float]):
    """Rows of ``frag`` on the unified ``edges``; returns (rows, mask)."""
    idx = []
    for x in frag.col_x:
        idx.append(min(range(len(edges)), key=lambda k: abs(edges[k] - x)))
    rows, masks = [], []
    for r in frag.rows:
        out = [""] * len(edges)
        mask = [True] * len(edges)
        for j, txt in enumerate(r):
            if txt is not None:
                out[idx[j]] = txt
                mask[idx[j]] = False
        rows.append(out)
        masks.append(mask)
    return rows, masks


def _spill(line: TextLine, frag: Fragment, s: StitchSettings) -> bool:
    """A few characters of a cell cut at the page break, printed just above the next grid."""
    t = line.text.strip()
    return (line.page == frag.page and -s.spill_overlap <= frag.top - line.bottom <= s.spill_max_gap
            and len(t) <= s.spill_max_chars and frag.x0 - s.edge_slack <= line.x0 <= frag.x1
            and not re.search(r"[，。；：:]", t) and not looks_numeric(t))


def _similar_grid(a: Fragment, b: Fragment, s: StitchSettings) -> bool:
    """Same width, or the same left edge and most column edges in common."""
    if _same_width(a, b, s):
        return True
    tol, match = s.same_width_tolerance, s.column_match_tolerance
    if abs(a.x1 - b.x1) <= tol and b.x0 > a.x0 and all(any(abs(x - y) <= match for y in a.col_x) for x in b.col_x):
        return True  # the next page draws no cells for an empty first column
    if abs(a.x0 - b.x0) > tol:
        return False
    common = sum(1 for x in a.col_x if any(abs(x - y) <= match for y in b.col_x))
    return common >= max(3, 2 * min(len(a.col_x), len(b.col_x)) // 3)


def _continues(prev: Fragment, frag: Fragment, between: List[TextLine], s: StitchSettings) -> bool:
    if frag.page != prev.page + 1:
        return False
    if any(not is_page_furniture(t.text) and not _spill(t, frag, s) for t in between):
        return False
    if not _similar_grid(prev, frag, s):
        return False
    # a table whose title is printed inside its own first row starts anew
    first = [c for c in (frag.rows[0] if frag.rows else []) if c and c.strip()]
    if len(first) == 1 and _TITLE_IN_GRID_RE.search(first[0][:60]):
        return False
    # previous fragment must run to the lower part of its page
    return prev.bottom > prev.page_height * s.continuation_min_bottom


def group_tables(raw: RawDocument, settings: Union[None, StitchSettings, dict] = None) -> List[LogicalTable]:
    return list(iter_tables(raw, settings))


def iter_tables(raw: RawDocument, settings: Union[None, StitchSettings, dict] = None) -> Iterator[LogicalTable]:
    """The logical tables of ``group_tables`` one by one: each is assembled (its rows copied
    onto unified columns) only when asked for, so a long document's tables are not all held
    assembled at once."""
    s = StitchSettings.resolve(settings)
    tables: List[LogicalTable] = []
    pending: List[TextLine] = []
    for b in raw.blocks:
        if isinstance(b, TextLine):
            pending.append(b)
            continue
        if tables and _continues(tables[-1].fragments[-1], b, pending, s):
            prev = tables[-1].fragments[-1]
            for ln in pending:  # text spilled over the break goes back into the cut cell
                if _spill(ln, b, s) and prev.rows:
                    j = max([k for k, x in enumerate(prev.col_x) if x <= ln.x0 + s.edge_slack] or [0])
                    row = prev.rows[-1]
                    row[j] = (row[j] or "") + ln.text.strip()
            tables[-1].fragments.append(b)
            pending = []
            continue
        if tables:
            tables[-1].after = [t for t in pending if t.page == tables[-1].fragments[-1].page][:6]
        tables.append(LogicalTable(fragments=[b], before=pending))
        pending = []
    if tables:
        tables[-1].after = [t for t in pending if t.page == tables[-1].fragments[-1].page][:6]
    tables.reverse()
    while tables:
        t = tables.pop()  # nothing else holds it: let go once the caller is done with it
        _assemble(t, s)
        yield from _split_at_titles(t)


def _split_at_titles(t: LogicalTable) -> List[LogicalTable]:
    """One drawn grid holding two tables: a later row that is only a table title starts a new one."""
    cuts = []
    for i, r in enumerate(t.rows):
        if i == 0:
            continue
        filled = [c for c in r if c.strip()]
        if len(filled) == 1 and 6 <= len(filled[0]) <= 80 and _TITLE_END_RE.search(filled[0]) \
                and not re.search(r"[，。；]", filled[0]):
            cuts.append(i)
    if not cuts:
        return [t]
    parts = []
    bounds = [0] + cuts + [len(t.rows)]
    for k in range(len(bounds) - 1):
        a, b = bounds[k], bounds[k + 1]
        pages = set(t.row_pages[a:b])
        part = LogicalTable(
            fragments=[f for f in t.fragments if f.page in pages] or t.fragments[-1:],
            before=t.before if k == 0 else [],
            after=t.after if k == len(bounds) - 2 else [],
            rows=t.rows[a:b], row_pages=t.row_pages[a:b], col_x=t.col_x, merged_mask=t.merged_mask[a:b],
        )
        parts.append(part)
    return parts


def _is_data_row(row: List[str]) -> bool:
    return any(looks_numeric(c) and "." in c for c in row)


# besides items and totals, 绩效 forms open rows with indicator numbers (A01, 指标1)
_INDICATOR_RE = re.compile(r"^([A-Z]\d{2,}|指标\d)")


def _starts_new_row(text: str) -> bool:
    return starts_item(text) or bool(_INDICATOR_RE.match(text.strip()))


def _is_complete_row(row: List[str]) -> bool:
    """A total row, or a row whose labels each already carry their amount on both sides
    ("本年收入合计 | 232.50 | 本年支出合计 | 244.00"): nothing of it runs onto the next page."""
    filled = ["".join(c.split()) for c in row if c.strip()]
    if any(TOTAL_LABEL_RE.match(c) for c in filled):
        return True
    labels = [k for k, c in enumerate(filled) if not looks_numeric(c)]
    return len(labels) >= 2 and all(k + 1 < len(filled) and looks_numeric(filled[k + 1]) for k in labels)


def _is_split_row(prev: List[str], nxt: List[str]) -> bool:
    """Is ``nxt`` (first row on a new page) the rest of ``prev`` cut by the page break?"""
    if not any(c.strip() for c in nxt):
        return False
    if _is_complete_row(prev):
        return False
    for a, b in zip(prev, nxt):
        if not b.strip():
            continue
        if not a.strip():
            return False  # a cell that was empty above cannot continue
        if b == a or looks_numeric(b) or looks_numeric(a) or _starts_new_row(b) or b.strip() in LEVEL_WORDS:
            return False
    return True


def _mostly_in(row: List[str], words: set, share: float) -> bool:
    filled = ["".join(c.split()) for c in row if c.strip()]
    return len(filled) >= 2 and sum(1 for c in filled if c in words) >= share * len(filled)


_OPENERS, _CLOSERS = "（(〔《“‘[【", "）)〕》”’]】、，。；：！？,.;:!?%"
_UNIT_RE = re.compile("^[" + re.escape(_OPENERS) + "]*(?:[!-~]+|.)[" + re.escape(_CLOSERS) + "]*")


def _unit_width(text: str) -> float:
    """Width in character widths of the first unit a line cannot break inside (a Latin word or
    figure, a CJK character, with the brackets and punctuation stuck to it); ASCII is half width."""
    m = _UNIT_RE.match(text.strip())
    unit = m.group(0) if m else text.strip()[:1]
    return sum(0.5 if c.isascii() else 1.0 for c in unit)


def _ended_cells(prev: Fragment, nxt: List[str], edges: List[float], slack: float) -> bool:
    """Does ``nxt`` put text under a cell of ``prev``'s last row whose last line left room for
    that text? Then the cell ended on its page: ``nxt`` is a row of its own (a form's
    "年度重点任务 | 核心职能" above "| 管理全市…"), not the rest of a row cut by the break."""
    room: List[Optional[float]] = [None] * len(edges)
    for j, x in enumerate(prev.col_x):
        if j < len(prev.last_row_room):
            k = min(range(len(edges)), key=lambda e: abs(edges[e] - x))
            room[k] = prev.last_row_room[j]
    return any(b.strip() and room[j] is not None and room[j] > _unit_width(b) + slack
               for j, b in enumerate(nxt))


def _assemble(t: LogicalTable, s: StitchSettings) -> None:
    edges = _merge_edges([f.col_x for f in t.fragments], s.column_merge_tolerance)
    t.col_x = edges
    rows: List[List[str]] = []
    masks: List[List[bool]] = []
    pages: List[int] = []
    first_rows: List[List[str]] = []
    for k, f in enumerate(t.fragments):
        fr, fm = _remap(f, edges)
        if k == 0:
            first_rows = fr[:s.repeated_header_rows]
        else:
            # drop header rows repeated at the top of the continuation
            n = 0
            while n < len(fr) and n < len(first_rows) and fr[n] == first_rows[n] and not _is_data_row(fr[n]):
                n += 1
            fr, fm = fr[n:], fm[n:]
            # rows left on top that are mostly the header's words: the header was repeated changed
            lead = next((i for i, r in enumerate(first_rows) if _is_data_row(r)), len(first_rows))
            band = {"".join(c.split()) for r in first_rows[:lead] for c in r if c.strip() and not looks_numeric(c)}
            m = 0
            while m < len(fr) and not _is_data_row(fr[m]) and _mostly_in(fr[m], band, s.header_repeat_share):
                m += 1
            if m:
                t.header_changes.append((f.page, [list(r) for r in fr[:m]]))
        if k > 0 and rows and fr and _is_split_row(rows[-1], fr[0]) and not _ended_cells(
                t.fragments[k - 1], fr[0], edges, s.cut_cell_slack):
            rows[-1] = [a + b for a, b in zip(rows[-1], fr[0])]
            masks[-1] = [ma and mb for ma, mb in zip(masks[-1], fm[0])]
            fr, fm = fr[1:], fm[1:]
        rows.extend(fr)
        masks.extend(fm)
        pages.extend([f.page] * len(fr))
    # drop columns that are empty everywhere and covered everywhere (artefacts of edge merging)
    keep = [j for j in range(len(edges)) if any(not m[j] for m in masks)]
    if len(keep) != len(edges):
        rows = [[r[j] for j in keep] for r in rows]
        masks = [[m[j] for j in keep] for m in masks]
        t.col_x = [edges[j] for j in keep]
    t.rows = rows
    t.merged_mask = masks
    t.row_pages = pages
