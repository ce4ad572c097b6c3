"""Pure: the importer's self-diagnosis of a read Document.

Each inspection looks for a shape that a correctly read disclosure never has — an
amount with no label, a name cut in two, two amounts glued into one cell, a
"类 款 项" header row among the data, code digits read as amounts, item rows
swallowed into the header — and records an extraction warning (``EXTRACT.<slug>``)
with the cells it rests on. A clean document produces none; a mis-read produces
one instead of a silent wrong answer.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, Iterator, List, Tuple

from xlbudget.model import CellRef, Document, Finding, Row, Table, extraction_warning, table_keys
from xlbudget.numbers import looks_numeric
from xlbudget.vocabulary import GRAND_TOTAL_RE, ITEM_MARKER_RE, LEVEL_WORDS, squeeze, starts_item

# a name cut by a mis-read row break leaves a short tail ("算", "经费", "支出")
FRAGMENT_MAX_CHARS = 4
# how many rows above a tail its head may sit (a taller cell on the other half of the table)
FRAGMENT_LOOKBACK = 2
# rounding lets Σ 类 of a table whose levels were summed together miss k × 合计 by a little
LEVELS_RATIO_SLACK = 0.001
# two whole amounts with nothing between them ("9746.50112.88"); a period "2024.01-2024.12" has a dash
_GLUED_AMOUNTS_RE = re.compile(r"\d\.\d{2}\d+\.\d{2}")
_LEADING_ZERO_PIECE_RE = re.compile(r"^0\d$")
_DEFAULT_COLUMN_RE = re.compile(r"^列\d+$")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")

Inspection = Callable[[Table, str], Iterator[Tuple[str, str, List[CellRef]]]]


def _ref(key: str, t: Table, i: int, j: int) -> CellRef:
    return CellRef(key, i, j, t.rows[i].page)


def _has_value(r: Row) -> bool:
    return any(c.value is not None for c in r.cells)


def _amount_without_label(t: Table, key: str):
    """A row holding an amount with no text anywhere to its left: its label sits in another row."""
    for i, r in enumerate(t.rows):
        if r.code or not _has_value(r):
            continue
        first = next(j for j, c in enumerate(r.cells) if c.value is not None)
        if not any(c.text.strip() for c in r.cells[:first]) and first > 0:
            yield ("fragment-row",
                   f"{t.title or key} 第{i + 1}行：金额 {r.cells[first].text} 没有对应的项目名称，"
                   "可能是一个跨行单元格被拆成了几行",
                   [_ref(key, t, i, first)])


def fragment_rows(rows: List[List[str]]) -> List[Tuple[int, int]]:
    """(row, column) of body rows that look like the wrapped end of the name above them: the
    row's only texts are a few CJK characters with no item marker, code or amount, and each
    continues a marked item name at most FRAGMENT_LOOKBACK rows above in its own column
    ("1.一般公共预" / … / "算"). A reading that keeps each drawn cell whole never produces one."""
    out = []
    for i, r in enumerate(rows):
        texts = {j: squeeze(c) for j, c in enumerate(r) if c.strip()}
        if not texts or any(len(t) > FRAGMENT_MAX_CHARS or looks_numeric(t) or starts_item(t) or t in LEVEL_WORDS
                            or not _CJK_RE.search(t) for t in texts.values()):
            continue  # ("…" rows of a template are no piece of a name)
        if all(_continues_item_above(rows, i, j, text) for j, text in texts.items()):
            out.extend((i, j) for j in texts)
    return out


def _continues_item_above(rows: List[List[str]], i: int, j: int, tail: str) -> bool:
    for k in range(i - 1, max(-1, i - 1 - FRAGMENT_LOOKBACK), -1):
        above = squeeze(rows[k][j]) if j < len(rows[k]) else ""
        if above:
            return bool(ITEM_MARKER_RE.match(above)) and not looks_numeric(above) and len(above) > len(tail)
    return False


def _cut_name_tail(t: Table, key: str):
    """Label-only rows holding the tail of the item name above them."""
    for i, j in fragment_rows([r.texts() for r in t.rows]):
        yield ("fragment-row", f"{t.title or key} 第{i + 1}行：“{t.rows[i].cells[j].text}”像是上方项目名称被截断的后半部分",
               [_ref(key, t, i, j)])


def _glued_cells(t: Table, key: str):
    """Two amounts printed in one cell: two rows were joined into one."""
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if c.value is None and _GLUED_AMOUNTS_RE.search(squeeze(c.text)):
                yield ("glued-cells", f"{t.title or key} 第{i + 1}行：单元格“{c.text}”含两个金额，两行被连在了一起",
                       [_ref(key, t, i, j)])


def _level_row_in_body(t: Table, key: str):
    """The "类 款 项" header row read as a data row."""
    for i, r in enumerate(t.rows):
        filled = [squeeze(c.text) for c in r.cells if c.text.strip()]
        if len(filled) >= 2 and all(s in LEVEL_WORDS for s in filled):
            yield ("header-in-body", f"{t.title or key} 第{i + 1}行：表头行“{' '.join(filled)}”被读成了数据行",
                   [_ref(key, t, i, 0)])


def _code_piece_as_amount(t: Table, key: str):
    """"06" read as the amount 6: a 款/项 piece of a code in a column taken for amounts."""
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if c.value is not None and _LEADING_ZERO_PIECE_RE.match(squeeze(c.text)):
                yield ("amount-in-code-column",
                       f"{t.title or key} 第{i + 1}行：编码片段“{c.text}”被读成了金额",
                       [_ref(key, t, i, j)])
                break


def _items_in_header(t: Table, key: str):
    """Item rows (一、… or codes) swallowed into the header band."""
    for h, hr in enumerate(t.header):
        first = next((squeeze(c) for c in hr if c.strip()), "")
        if ITEM_MARKER_RE.match(first) and not first.startswith("其中") or re.fullmatch(r"\d{3}(\d{2}){0,2}", first):
            yield ("header-swallowed", f"{t.title or key}：表头第{h + 1}行“{first}”是数据行，被并入了表头",
                   [])
            return


def _unnamed_text_column(t: Table, key: str):
    """Names printed under a column the header gave no name while the named name column stays empty."""
    named = [k for k, c in enumerate(t.columns) if re.search(r"名称|项目", c)]
    for j, name in enumerate(t.columns):
        if not _DEFAULT_COLUMN_RE.match(name) or not named:
            continue
        rows = [r for r in t.rows if j < len(r.cells) and r.cells[j].text.strip() and r.cells[j].value is None]
        orphaned = [r for r in rows if all(not r.cells[k].text.strip() for k in named if k < len(r.cells))]
        if orphaned and len(orphaned) * 2 >= len(rows):
            yield ("unnamed-column", f"{t.title or key}：第{j + 1}列没有列名却印有名称（如“{orphaned[0].cells[j].text}”），"
                   f"而“{t.columns[named[0]]}”列是空的：表头与数据列没有对齐", [])


def _levels_summed(t: Table, key: str):
    """合计 is a whole multiple of the sum of the 类 rows: 款 and 项 rows were read as 类 (code
    pieces in columns of their own taken for whole codes), so every level is summed at once."""
    total = next((i for i, r in enumerate(t.rows) if not r.code and GRAND_TOTAL_RE.match(
        next((squeeze(c.text) for c in r.cells if c.text.strip()), ""))), None)
    classes = [r for r in t.rows if r.code and r.level == 1]
    if total is None or len(classes) < 2:
        return
    for j, c in enumerate(t.rows[total].cells):
        if not c.value:
            continue
        s = sum((r.cells[j].value or 0) for r in classes if j < len(r.cells))
        ratio = s / c.value
        if ratio in (2, 3) or (abs(ratio - round(ratio)) < LEVELS_RATIO_SLACK and round(ratio) in (2, 3)):
            yield ("amount-in-code-column", f"{t.title or key}：类级行之和 {s} 是合计 {c.text} 的 {round(ratio)} 倍，"
                   "款、项行可能被当成了类（编码分列未识别）", [_ref(key, t, total, j)])
            return


# inspections of the tables of the standard disclosure (预算 b*, 决算 f*); 绩效 forms are
# label/value forms where these shapes are normal
TABLE_INSPECTIONS: List[Inspection] = [
    _amount_without_label, _cut_name_tail, _glued_cells, _level_row_in_body, _code_piece_as_amount,
    _items_in_header, _unnamed_text_column, _levels_summed,
]


def inspect(doc: Document) -> List[Finding]:
    """Extraction warnings for every implausible shape in the document's tables."""
    keys: Dict[int, str] = table_keys(doc)
    out: List[Finding] = []
    for t in doc.tables:
        if t.kind[0] not in "bf":
            continue
        key = keys[id(t)]
        for inspection in TABLE_INSPECTIONS:
            for slug, message, cells in inspection(t, key):
                out.append(extraction_warning(slug, message, cells, page=cells[0].page if cells else
                                              (t.pages[0] if t.pages else None)))
    return out
