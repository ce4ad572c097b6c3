"""Consistency: the fiscal year, the unit and the department are the same everywhere.

The year the document names itself by most often (:func:`fiscal_year`) is the reference: the cover, every table title, the column headers (本年 / 上年) and the sentences where
the document names its own year ("2024年度部门决算", "截至2024年12月31日", "与2023年度相比") must
agree with it. Other years in the narrative (a policy of 2016, "纳入2018年预算管理的…" as history)
are not judged.
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from typing import Dict, Iterable, List, Optional, Tuple

from xlbudget.checks.registry import CONSISTENCY, finding, rule
from xlbudget.model import BUDGET, FINAL, CellRef, Document, Finding, Line, Table, table_keys
from xlbudget.numbers import half_ulp, half_ulp_wan, to_wan
from xlbudget.vocabulary import HEADING_NUMBER_RE, ORG_SUFFIX_RE, YEAR_RE, squeeze

# --- year -------------------------------------------------------------------------------------

_KIND_WORD = {BUDGET: "预算", FINAL: "决算"}
# the document naming itself: "2024年度部门决算", "2018年部门汇总预算", "2019年度部门（单位）预算表"
_OWN_DOC = r"(?<!\d)(20\d{{2}})年度?(?:部门|单位)(?:[（(]单位[）)])?(?:汇总)?{kind}"
# its own totals: "2024年度收入支出总计", "2019年度收入、支出预算总计", "2019年度财政拨款收、支总预算"
_OWN_TOTAL_RE = re.compile(r"(?<!\d)(20\d{2})年度?(?:财政拨款)?(?:收入、?支出(?:预算|决算)?总计|收、?支总预算)")
# the date a 决算 states its assets at: the end of its own year (a budget: the end of the year before)
_AS_OF_RE = re.compile(r"截[至止](20\d{2})年(?:12月31日|底|末)")
# a comparison with last year: "与2023年度相比", "比2016年增加"
_COMPARED_RE = re.compile(r"(?:与|比|较)(20\d{2})年度?(?:相比|增加|减少|增长|下降|持平|基本持平)")
# a year in a column header: "2024年预算数", "2024预算数" (never the digits of a code: 2010301)
_HEADER_YEAR_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)\s*(?:年|预算|决算|执行)")
# a cover is the first page's lines up to the first sentence
_SENTENCE_RE = re.compile(r"[，。；,;：:]")


def _pages_text(lines: Iterable[Line]) -> Dict[int, str]:
    """The text of each page, lines joined without spaces (a phrase may wrap onto the next line)."""
    pages: Dict[int, List[str]] = {}
    for ln in lines:
        pages.setdefault(ln.page, []).append(squeeze(ln.text))
    return {p: "".join(ts) for p, ts in pages.items()}


def _snippet(text: str, start: int, end: int, around: int = 8) -> str:
    return text[max(0, start - around):end + around]


def _own_doc_re(doc: Document):
    return re.compile(_OWN_DOC.format(kind=_KIND_WORD.get(doc.kind, "(?:预算|决算)")))


def fiscal_year(doc: Document) -> Optional[int]:
    """The year the document names itself by most often — on its cover, in its table titles and in
    the sentences naming its own budget or accounts — so that one wrong place is the one reported
    (the importer's ``Document.year`` weighs a single title against the first lines and breaks ties
    by order). Ties go to ``Document.year``."""
    votes: Counter = Counter(y for y, _ in _cover_years(doc))
    votes.update(int(y) for t in doc.tables for y in set(YEAR_RE.findall(t.title or "")))
    own_doc = _own_doc_re(doc)
    for text in _pages_text(doc.lines).values():
        votes.update(int(m.group(1)) for rx in (own_doc, _OWN_TOTAL_RE) for m in rx.finditer(text))
    if not votes:
        return doc.year
    top = max(votes.values())
    leaders = [y for y, n in votes.items() if n == top]
    return doc.year if doc.year in leaders or len(leaders) > 1 else leaders[0]


def _narrative_years(doc: Document, year: int) -> List[Tuple[int, int, str, str]]:
    """(page, year found, year expected as text, snippet) of each sentence naming a wrong year."""
    own_doc = _own_doc_re(doc)
    as_of_ok = {year} if doc.kind == FINAL else {year - 1, year}
    out = []
    for page, text in sorted(_pages_text(doc.lines).items()):
        for rx, ok in ((own_doc, {year}), (_OWN_TOTAL_RE, {year}), (_AS_OF_RE, as_of_ok),
                       (_COMPARED_RE, {year - 1})):
            for m in rx.finditer(text):
                y = int(m.group(1))
                if y not in ok:
                    out.append((page, y, "或".join(str(v) for v in sorted(ok)), _snippet(text, m.start(), m.end())))
    return out


def _cover_lines(doc: Document) -> List[Line]:
    """The cover: the first page's lines, up to the first sentence or numbered heading."""
    out: List[Line] = []
    first = min((ln.page for ln in doc.lines), default=None)
    for ln in doc.lines:
        if ln.page != first or _SENTENCE_RE.search(ln.text) or HEADING_NUMBER_RE.match(squeeze(ln.text)):
            break
        out.append(ln)
    return out


def _cover_years(doc: Document) -> List[Tuple[int, str]]:
    """(year, line) of the years printed on the cover."""
    return [(int(y), squeeze(ln.text)) for ln in _cover_lines(doc) for y in YEAR_RE.findall(ln.text)]


@rule("CONSIST.year", kind=CONSISTENCY, severity="error",
      message="{where}写作{found}年，本文件是{year}年度{kind}（应为{expected}年）",
      describe="the fiscal year on the cover, in table titles and in column headers (本年/上年) agrees with "
               "the document's year")
def year_agrees(doc: Document) -> Iterable[Finding]:
    year = fiscal_year(doc)
    if year is None:
        return []
    out: List[Finding] = []
    keys = table_keys(doc)

    def add(where: str, found: int, expected: str, cells=(), page=None):
        out.append(finding("CONSIST.year", list(cells), page=page, where=where, found=found, year=year,
                           kind=doc.kind, expected=expected))

    for y, text in _cover_years(doc):
        if y != year:
            add(f"封面“{text}”", y, str(year), page=min(ln.page for ln in doc.lines))
    for t in doc.tables:
        page = t.pages[0] if t.pages else None
        for y in {int(v) for v in YEAR_RE.findall(t.title or "")}:
            if y != year:
                add(f"表“{t.title}”的标题", y, str(year), [CellRef(keys[id(t)], 0, 0, page)] if t.rows else [], page)
        for j, col in enumerate(t.columns):
            for y in {int(v) for v in _HEADER_YEAR_RE.findall(col)}:
                if y not in (year, year - 1):
                    add(f"表“{t.title or t.kind}”的列“{col}”", y, f"{year}或{year - 1}",
                        [CellRef(keys[id(t)], 0, j, page)] if t.rows else [], page)
    return out


@rule("CONSIST.year-text", kind=CONSISTENCY, severity="warning",
      message="第{text_page}页“{snippet}”写作{found}年，本文件是{year}年度{kind}（应为{expected}年）",
      describe="a sentence naming the document's own year (\"2024年度部门决算\", \"截至2024年12月31日\", "
               "\"与2023年度相比\") names another year")
def text_year_agrees(doc: Document) -> Iterable[Finding]:
    year = fiscal_year(doc)
    if year is None:
        return []
    return [finding("CONSIST.year-text", page=page, text_page=page, snippet=snippet, found=y, year=year,
                    kind=doc.kind, expected=expected)
            for page, y, expected, snippet in _narrative_years(doc, year)]


# --- unit -------------------------------------------------------------------------------------

# a narrative figure is matched against the tables scaled by 10000 (元 <-> 万元) only when it has at
# least this many significant digits: a coincidence of 4 digits in a few hundred cells is unlikely
SCALE_MIN_DIGITS = 4
UNIT_SCALES = (Decimal(10000), Decimal("0.0001"))


def _significant_digits(v: Decimal) -> int:
    """Digits from the first non-zero one to the last non-zero one (100000.00 has 1, 307.82 has 5)."""
    digits = "".join(map(str, v.as_tuple().digits)).strip("0")
    return len(digits)


def _table_cells(doc: Document):
    keys = table_keys(doc)
    for t in doc.tables:
        if t.kind[:1] not in ("b", "f", "p"):
            continue
        for i, r in enumerate(t.rows):
            for j, c in enumerate(r.cells):
                if c.value is not None and _significant_digits(c.value) >= SCALE_MIN_DIGITS:
                    yield t, CellRef(keys[id(t)], i, j, c.page or r.page), c.value


# cells are indexed by their value in 万元 in buckets of this width (a cent): a figure is looked up
# in its bucket and the neighbours its tolerance reaches, not against every cell of the document
_BUCKET = Decimal("0.01")
_Indexed = Tuple[Decimal, Decimal, Table, CellRef, Decimal]  # (value in 万元, its tolerance, table, cell, printed)


def _bucket(v: Decimal) -> int:
    return int((v / _BUCKET).to_integral_value(rounding=ROUND_FLOOR))


def _index(cells, scale: Decimal) -> Dict[int, List[_Indexed]]:
    index: Dict[int, List[_Indexed]] = {}
    for t, ref, v in cells:
        v_wan = to_wan(v, t.unit) * scale
        index.setdefault(_bucket(v_wan), []).append((v_wan, half_ulp_wan(v, t.unit) * scale, t, ref, v))
    return index


def _lookup(index: Dict[int, List[_Indexed]], a: Decimal) -> Optional[_Indexed]:
    tol_a, k = half_ulp(a), _bucket(a)
    for b in range(k - 2, k + 3):
        for entry in index.get(b, ()):
            if abs(entry[0] - a) <= tol_a + entry[1]:
                return entry
    return None


@rule("CONSIST.unit-scale", kind=CONSISTENCY, severity="warning",
      message="第{claim_page}页称{subject}{amount}万元，表“{table}”的同一数字印为{printed}（单位：{unit}），"
              "相差一万倍：表或正文的单位（元/万元）不对",
      describe="a narrative figure (万元) that a table prints 10000 times larger or smaller: the unit line of "
               "the table or the text is wrong")
def unit_scale(doc: Document) -> Iterable[Finding]:
    cells = list(_table_cells(doc))
    if not cells:
        return []
    exact = _index(cells, Decimal(1))
    scaled = [_index(cells, s) for s in UNIT_SCALES]
    out, said = [], set()
    for c in doc.claims:
        a = c.amount
        if a is None or a == 0 or _significant_digits(a) < SCALE_MIN_DIGITS or a in said:
            continue
        if _lookup(exact, a) is not None:
            continue
        hit = next((h for h in (_lookup(ix, a) for ix in scaled) if h is not None), None)
        if hit is not None:
            _, _, t, ref, v = hit
            said.add(a)
            out.append(finding("CONSIST.unit-scale", [ref], claim_page=c.page, subject=c.subject, amount=a,
                               table=t.title or t.kind, printed=v, unit=t.unit or "未注明"))
    return out


@rule("CONSIST.unit-mixed", kind=CONSISTENCY, severity="info",
      message="各表的金额单位不一：{units}；合计与勾稽已按各表单位换算为万元",
      describe="the standard tables print different units (元 and 万元)")
def unit_mixed(doc: Document) -> Iterable[Finding]:
    units: Dict[str, List[str]] = {}
    for t in doc.tables:
        if t.kind[:1] in ("b", "f") and t.unit:
            units.setdefault(t.unit, []).append(t.title or t.kind)
    if len(units) < 2:
        return []
    return [finding("CONSIST.unit-mixed", units="；".join(f"{u}：{'、'.join(ts[:3])}" for u, ts in units.items()))]


# --- department -------------------------------------------------------------------------------

# a unit naming itself at the head of a title or sentence, before the year: "XX局2024年度…"
_NAME_BEFORE_YEAR_RE = re.compile(r"^(\S{4,40}?)20\d{2}年")
# ... and what such a sentence goes on with: the unit's own budget or accounts ("XX局2024年度无政府性
# 基金…", "XX办公厅2019年度收入、支出预算总计…"), not a date of something else ("省财政厅2017年6月起…")
_OWN_STATEMENT_RE = re.compile(r"^20\d{2}年度?(?:部门|单位)?(?:预算|决算|收入|收支|支出|财政拨款|一般公共预算|政府性基金|"
                               r"国有资本|政府采购|无|“?三公|机关运行|预算绩效|部门预算|部门决算)")
# short forms a document uses for its own name
_SHORT_FORMS = (("中国共产党", "中共"), ("委员会", "委"), ("（本级）", ""), ("(本级)", ""))


def _norm_name(name: str) -> str:
    n = squeeze(name)
    for long, short in _SHORT_FORMS:
        n = n.replace(long, short)
    return n


def same_unit(a: str, b: str) -> bool:
    """Are two printed names the same unit, allowing the usual shortening (省法院 for 江苏省高级人民
    法院, 中共…委 for 中国共产党…委员会, a verb glued in front: "纳入…")? Every character of the shorter
    name must occur in the longer one."""
    x, y = sorted((_norm_name(a), _norm_name(b)), key=len)
    return set(x) <= set(y)


def _printed_names(doc: Document) -> List[Tuple[str, str, Optional[int], List[CellRef]]]:
    """(name, where, page, cells) of each place the document prints its own name."""
    keys = table_keys(doc)
    out: List[Tuple[str, str, Optional[int], List[CellRef]]] = []
    for t in doc.tables:
        page = t.pages[0] if t.pages else None
        cells = [CellRef(keys[id(t)], 0, 0, page)] if t.rows else []
        if t.note:
            out.append((t.note, f"表“{t.title or t.kind}”的部门栏", page, cells))
        m = _NAME_BEFORE_YEAR_RE.match(HEADING_NUMBER_RE.sub("", squeeze(t.title), count=1))
        if m and ORG_SUFFIX_RE.search(m.group(1)):
            out.append((m.group(1), f"表“{t.title}”的标题", page, cells))
    cover = _cover_lines(doc)
    # the cover wraps a long name before the year ("中共上海市普陀区委" / "社会工作部 2024 年度" / "部门决算")
    texts = [(cover[0].page, "".join(squeeze(ln.text) for ln in cover), "封面")] if cover else []
    texts += [(ln.page, HEADING_NUMBER_RE.sub("", squeeze(ln.text), count=1), None) for ln in doc.lines[len(cover):]]
    for page, text, where in texts:
        m = _NAME_BEFORE_YEAR_RE.match(text)
        if (m and ORG_SUFFIX_RE.search(m.group(1)) and not _SENTENCE_RE.search(m.group(1))
                and _OWN_STATEMENT_RE.match(text[m.end(1):])):
            out.append((m.group(1), f"{where or f'第{page}页'}“{text[:30]}”", page, []))
    return out


@rule("CONSIST.department", kind=CONSISTENCY, severity="warning",
      message="{where}写作“{name}”，与本文件的部门“{department}”不符",
      describe="the department name is the same on the cover, above the tables, in titles and in the text "
               "(usual shortenings allowed)")
def department_agrees(doc: Document) -> Iterable[Finding]:
    if not doc.department:
        return []
    out, said = [], set()
    for name, where, page, cells in _printed_names(doc):
        if name in said or same_unit(name, doc.department):
            continue
        said.add(name)
        out.append(finding("CONSIST.department", cells, page=page, where=where, name=name,
                           department=doc.department))
    return out
