"""Pure: the document's 目录 (table of contents) read from its text lines.

A 目录 is a line "目录" followed by entries ("第二部分 …部门预算表", "一、收支预算总表", each
perhaps with leader dots and a page number) until the body starts again with the first entry.
An entry whose title names a table gets that table's kind from the catalogue.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

from xlbudget import catalogue
from xlbudget.model import ContentsEntry, Line
from xlbudget.vocabulary import HEADING_NUMBER_RE, squeeze

CONTENTS_HEAD_RE = re.compile(r"^目录[:：]?$")
# an entry opens with a part, an ordinal or a number: 第二部分 / 一、 / （一） / 1.
ENTRY_RE = HEADING_NUMBER_RE
# the page number an entry ends with, after leader dots or a space: "收支预算总表……3", "收支预算总表 3"
PAGE_TAIL_RE = re.compile(r"^(.*?\S)(?:\s*[.．·…_\-—]{2,}\s*|\s+)(\d{1,3})$")
# an entry printed without a number but with leader dots and a page number: "部门概况……1"
LEADER_PAGE_RE = re.compile(r"[.．·…_]{2,}\d{1,3}$")
# leader dots, also inside a title wrapped across the page-number column
LEADER_RE = re.compile(r"[.．·…_]{3,}|[.．·…_\-—]+$")
# a wrapped entry's tail printed on a line of its own ("出预算表"): short and no sentence in it
CONTINUATION_MAX = 16
# a 目录 spans at most this many pages after the one printing "目录"
CONTENTS_MAX_PAGES = 3


def _entry(text: str, page: int) -> ContentsEntry:
    t = text.strip()
    target: Optional[int] = None
    m = PAGE_TAIL_RE.match(t)
    if m:
        t, target = m.group(1), int(m.group(2))
    title = LEADER_RE.sub("", ENTRY_RE.sub("", squeeze(t), count=1))
    return ContentsEntry(title=title, page=page, target=target, kind=_table_kind(title))


def _table_kind(text: str) -> Optional[str]:
    """The kind of table an entry names; a part heading or a 情况说明 section names none."""
    if text.startswith("第") and "部分" in text[:6]:
        return None
    if not re.sub(r"[（(][^）)]*[）)]$", "", text).endswith("表"):
        return None
    kind = catalogue.kind_from_title(text)
    return kind if kind and kind != "other" else None


def read_contents(lines: Sequence[Line]) -> List[ContentsEntry]:
    """The entries of the first 目录 in ``lines`` (none when the document prints no 目录)."""
    start = next((i for i, ln in enumerate(lines) if CONTENTS_HEAD_RE.match(squeeze(ln.text))), None)
    if start is None:
        return []
    texts: List[List] = []  # [text, page] of each entry, continuations joined
    for ln in lines[start + 1:]:
        t = squeeze(ln.text)
        if not t:
            continue
        if ln.page > lines[start].page + CONTENTS_MAX_PAGES:
            break
        if texts and _entry(t, 0).title == _entry(texts[0][0], 0).title:
            break  # the body starts again with the first entry
        if ENTRY_RE.match(t) or LEADER_PAGE_RE.search(t):
            texts.append([ln.text.strip(), ln.page])
        elif (texts and _entry(texts[-1][0], 0).target is None  # an entry ending in its number is whole
              and len(t) <= CONTINUATION_MAX and not re.search(r"[，。；,;：:]", t)):
            texts[-1][0] = texts[-1][0] + ln.text.strip()
        else:
            break
    return [_entry(text, page) for text, page in texts]
