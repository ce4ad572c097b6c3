"""Completeness: is every table the document must publish there, is an empty table said to be
empty, and does the 目录 agree with the body (titles, page numbers)?

A document with no standard table at all is a narrative published apart from its tables (the
Jiangsu budgets print 文件 and 公开表 as two PDFs): its 目录 still names the tables, so the table
rules stay silent on it and one info finding says so.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, List, Optional, Set

from xlbudget import catalogue
from xlbudget.checks.registry import COMPLETENESS, finding, rule
from xlbudget.model import CellRef, ContentsEntry, Document, Finding, Table, table_keys
from xlbudget.vocabulary import EMPTY_TABLE_RE, HEADING_NUMBER_RE, squeeze

# a line of text longer than this, or holding a sentence, is no table title
TITLE_MAX_CHARS = 60
# page numbers of the 目录 are judged against the offset most entries agree on, when at least this
# many entries could be found in the body (fewer cannot tell a shifted entry from a shifted count)
MIN_LOCATED_ENTRIES = 5
# ... and when at least this share of them agree on it: a 目录 that mostly disagrees means pages
# the printed numbering skips or restarts, which the PDF page index cannot tell
CONTENTS_AGREEMENT = 0.75
# the printed label of a table, before its title: 公开10表： / 预算公开表1 / 表一
_LABEL_RE = re.compile(r"^(公开\d+表|预算公开表\d+|部门公开表\d+|表[一二三四五六七八九十]+|附表\d+)[:：]?")
_YEAR_PREFIX_RE = re.compile(r"^.*20\d{2}年度?")


def _standard(doc: Document) -> List[Table]:
    return [t for t in doc.tables if t.kind[:1] in ("b", "f")]


def _has_amount(t: Table) -> bool:
    return any(c.value is not None for r in t.rows for c in r.cells)


def _body_lines(doc: Document):
    """Text lines outside the 目录."""
    skip = {e.page for e in doc.contents}
    return [ln for ln in doc.lines if ln.page not in skip]


def _bare_title(title: str) -> str:
    """A title without its number, label, department-and-year prefix, quotes and spaces."""
    t = HEADING_NUMBER_RE.sub("", catalogue.norm_title(title), count=1)
    t = _LABEL_RE.sub("", t)
    t = _YEAR_PREFIX_RE.sub("", t)
    return t.replace("(", "（").replace(")", "）")


def _title_kind(text: str) -> Optional[str]:
    """The table kind a line printed as a title names (not a sentence, ends with 表)."""
    t = squeeze(text)
    if len(t) > TITLE_MAX_CHARS or re.search(r"[，。；,;]", t):
        return None
    if not re.sub(r"[（(][^）)]*[）)]$", "", t).endswith("表"):
        return None
    kind = catalogue.kind_from_title(t)
    return kind if kind and kind != "other" else None


def _present_kinds(doc: Document) -> Set[str]:
    """Kinds printed in the body: a table read, or at least its title printed as a line (a grid the
    importer could not read is not a missing table)."""
    kinds = {t.kind for t in doc.tables}
    kinds |= {k for ln in _body_lines(doc) for k in [_title_kind(ln.text)] if k}
    return kinds


def _table_entries(doc: Document) -> List[ContentsEntry]:
    return [e for e in doc.contents if e.kind and e.kind[:1] in ("b", "f")]


@rule("COMPLETE.contents-missing", kind=COMPLETENESS, severity="error",
      message="目录（第{listed_page}页）列出“{title}”，正文中没有这张表",
      describe="a table named in the 目录 is absent from the body")
def contents_missing(doc: Document) -> Iterable[Finding]:
    if not _standard(doc):
        return []
    present = _present_kinds(doc)
    return [finding("COMPLETE.contents-missing", page=e.page, listed_page=e.page, title=e.title)
            for e in _table_entries(doc) if e.kind not in present]


@rule("COMPLETE.missing-table", kind=COMPLETENESS, severity="warning",
      message="缺少{table}：部门{doc_kind}公开应有这张表，本文件正文和目录都没有",
      describe="a table the document kind requires is absent altogether (catalogue.required_kinds: budget, "
               "the 8 tables of the 2016 操作规程 and from 2020 政府性基金收入 and 国有资本经营; 决算, 公开01–09)")
def missing_tables(doc: Document) -> Iterable[Finding]:
    if len(_standard(doc)) < catalogue.DISCLOSURE_MIN_TABLES and not doc.contents:
        return []  # a table or two cut out of a disclosure, not a disclosure missing the rest
    present = _present_kinds(doc) | {e.kind for e in _table_entries(doc)}  # a listed one is said above
    return [finding("COMPLETE.missing-table", table=catalogue.sheet_name(k), doc_kind=doc.kind)
            for k in catalogue.missing_required(doc.kind, sorted(present), doc.year)]


@rule("COMPLETE.tables-elsewhere", kind=COMPLETENESS, severity="info",
      message="目录列出{n}张表，本文件中没有任何表（表格另册公开？其完整性未检查）",
      describe="the 目录 names tables but the file holds none: a narrative published apart from its tables")
def tables_elsewhere(doc: Document) -> Iterable[Finding]:
    listed = _table_entries(doc)
    if _standard(doc) or not listed:
        return []
    return [finding("COMPLETE.tables-elsewhere", page=listed[0].page, n=len(listed))]


@rule("COMPLETE.empty-table", kind=COMPLETENESS, severity="warning",
      message="{table}（第{table_page}页）印为空表，却没有“本表无数据/故本表为空表”之类的说明",
      describe="a table printed without any amount and without the statement that it is empty")
def empty_without_statement(doc: Document) -> Iterable[Finding]:
    standard = _standard(doc)
    if not any(_has_amount(t) for t in standard):
        return []  # a blank template: every table is empty by design
    keys = table_keys(doc)
    out = []
    for t in standard:
        if t.empty or _has_amount(t):
            continue
        said = any(EMPTY_TABLE_RE.search(squeeze(ln.text)) for ln in doc.lines if ln.page in t.pages)
        if said:
            continue
        page = t.pages[0] if t.pages else None
        cells = [CellRef(keys[id(t)], 0, 0, page)] if t.rows else []
        out.append(finding("COMPLETE.empty-table", cells, page=page, table_page=page,
                           table=t.title or catalogue.sheet_name(t.kind)))
    return out


def _locate(doc: Document) -> Dict[int, int]:
    """index of a 目录 entry with a page number -> the PDF page its table or heading starts on."""
    by_kind: Dict[str, List[Table]] = {}
    for t in doc.tables:
        by_kind.setdefault(t.kind, []).append(t)
    seen: Counter = Counter()
    headings: Dict[str, int] = {}
    for ln in _body_lines(doc):
        headings.setdefault(HEADING_NUMBER_RE.sub("", squeeze(ln.text), count=1), ln.page)
    found: Dict[int, int] = {}
    for i, e in enumerate(doc.contents):
        if e.kind:
            n = seen[e.kind]
            seen[e.kind] += 1
            tables = by_kind.get(e.kind, [])
            if e.target is not None and n < len(tables) and tables[n].pages:
                found[i] = tables[n].pages[0]
        elif e.target is not None and e.title in headings:
            found[i] = headings[e.title]
    return found


@rule("COMPLETE.contents-page", kind=COMPLETENESS, severity="warning",
      message="目录称“{title}”在第{target}页，正文中它在第{printed}页（PDF第{actual}页）",
      describe="a 目录 page number that disagrees with where the body prints the table or section")
def contents_pages(doc: Document) -> Iterable[Finding]:
    found = _locate(doc)
    if len(found) < MIN_LOCATED_ENTRIES:
        return []
    offsets = Counter(actual - doc.contents[i].target for i, actual in found.items())
    offset, count = offsets.most_common(1)[0]
    if count < CONTENTS_AGREEMENT * len(found):
        return []  # no offset most entries agree on: the numbering restarts, nothing to judge
    out = []
    for i, actual in sorted(found.items()):
        e = doc.contents[i]
        if actual - e.target != offset:
            out.append(finding("COMPLETE.contents-page", page=e.page, title=e.title, target=e.target,
                               printed=actual - offset, actual=actual))
    return out


@rule("COMPLETE.contents-title", kind=COMPLETENESS, severity="warning",
      message="目录（第{listed_page}页）写作“{listed}”，正文表题为“{printed}”（第{body_page}页）",
      describe="a 目录 entry whose title disagrees with the title the body prints for that table")
def contents_titles(doc: Document) -> Iterable[Finding]:
    keys = table_keys(doc)
    out = []
    for e in _table_entries(doc):
        tables = [t for t in doc.tables if t.kind == e.kind and t.title]
        if not tables:
            continue
        listed = _bare_title(e.title)
        if any(listed in _bare_title(t.title) or _bare_title(t.title) in listed for t in tables):
            continue
        t = tables[0]
        page = t.pages[0] if t.pages else None
        cells = [CellRef(keys[id(t)], 0, 0, page)] if t.rows else []
        out.append(finding("COMPLETE.contents-title", cells, page=e.page, listed_page=e.page, listed=e.title, printed=t.title,
                           body_page=page))
    return out
