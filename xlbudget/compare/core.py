"""Pure: compare the same department's disclosures across years.

Documents are grouped into *periods* (year + 预算/决算; a narrative PDF and a
tables PDF of the same year and kind are one period), ordered by year with the
budget before the final account of the same year. Tables are aligned by table
family (a budget table and its final-account counterpart share one), rows by
function / economic code (fallback: normalised name), amount columns by their
normalised header. Per item and period: the value, 增减额 and 增减率 against the
previous period of the same kind, 预算执行率 = 决算 / 预算 where both exist for
one year, and added / removed flags. Narrative "比上年" claims are checked
against the earlier period (findings with id ``YOY``).

No I/O, no openpyxl: the workbook adapter is :mod:`xlbudget.write.compare_sheets`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from xlbudget import catalogue as classify
from xlbudget.model import BUDGET, FINAL, PERFORMANCE, Claim, Document, Finding, Row, Table
from xlbudget.numbers import COMMON_UNIT, WAN_PER_UNIT, fmt, half_ulp, looks_numeric, printed_percent_ok, to_wan
from xlbudget.vocabulary import TOTAL_LABEL_RE
from xlbudget import subjects
from xlbudget.subjects import MAIN_SUBJECTS, NUMBERING_RE as _NUMBERING_RE, cite, locate, norm_label
from xlbudget.subjects import amount_cols as _amount_cols, is_label_text as _is_label_text

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# change / ratio flags
ADDED = "新增"
REMOVED = "取消"
BASE_ZERO = "上年为0"  # 增减率 undefined (∞): last year was 0 or blank, this year is not
BUDGET_ZERO = "预算为0"  # 执行率 undefined: nothing budgeted, something spent

KIND_ORDER = {BUDGET: 0, FINAL: 1, PERFORMANCE: 2}


# ----------------------------------------------------------------- data

@dataclass
class Period:
    """One column group of the comparison: a year's budget or final account."""

    index: int
    year: Optional[int]
    kind: str  # 预算 / 决算
    label: str  # "2019年预算"
    department: Optional[str]
    sources: List[str]
    docs: List[Document] = field(default_factory=list, repr=False)


@dataclass
class Change:
    """Change of one value against the base period (the previous one of the same kind)."""

    base: int  # index of the period compared against
    amount: Optional[Decimal]  # 增减额
    rate: Optional[Decimal]  # 增减率 in %, 2 decimals; None when undefined (see flag)
    flag: str = ""  # "", 新增, 取消, 上年为0


@dataclass
class Ratio:
    """预算执行率 = 决算 / 预算 of one year, in %."""

    budget: int  # period index of the budget
    final: int  # period index of the final account
    rate: Optional[Decimal]
    flag: str = ""  # "", 预算为0


@dataclass
class Item:
    key: str  # code, or "名称:<normalised name>"
    code: Optional[str]
    name: str
    level: Optional[int]
    is_total: bool
    present: List[bool]  # row exists in the period's table
    values: Dict[str, List[Optional[Decimal]]] = field(default_factory=dict)  # measure -> per period
    changes: Dict[str, List[Optional[Change]]] = field(default_factory=dict)  # measure -> per period
    execution: Dict[str, List[Ratio]] = field(default_factory=dict)  # measure -> one per exec pair
    sources: List[Optional[str]] = field(default_factory=list)  # where each period's value came from

    @property
    def added_in(self) -> List[int]:
        """Periods in which the item appears while absent from the base period."""
        return sorted({i for chs in self.changes.values() for i, c in enumerate(chs) if c and c.flag == ADDED})

    @property
    def removed_in(self) -> List[int]:
        return sorted({i for chs in self.changes.values() for i, c in enumerate(chs) if c and c.flag == REMOVED})

    def value(self, period: int, measure: Optional[str] = None) -> Optional[Decimal]:
        m = measure or next(iter(self.values), None)
        if m is None:
            return None
        return self.values[m][period]

    def change(self, period: int, measure: Optional[str] = None) -> Optional[Change]:
        m = measure or next(iter(self.changes), None)
        if m is None:
            return None
        return self.changes[m][period]


@dataclass
class TableComparison:
    key: str  # family key (T03, b11, other:..., 总览)
    name: str  # sheet name
    kinds: List[Optional[str]]  # table kind per period (None: not in that period)
    measures: List[str]
    items: List[Item]

    @property
    def present(self) -> List[bool]:
        return [k is not None for k in self.kinds]

    def item(self, key: Optional[str] = None, code: Optional[str] = None, name: Optional[str] = None) -> Optional[Item]:
        for it in self.items:
            if key is not None and it.key == key:
                return it
            if code is not None and it.code == code:
                return it
        if name is not None:
            n = norm_label(name)
            for it in self.items:
                if norm_label(it.name) == n:
                    return it
        return None


@dataclass
class YoyCheck:
    """One narrative 比上年 claim checked against the earlier period."""

    period: int
    base: Optional[int]
    claim: Claim
    subject: str  # subject the claim was checked as (may refine claim.subject)
    current: Optional[Decimal]  # this period's value (claim amount, else table value)
    previous: Optional[Decimal]  # base period's value of the subject
    expected_change: Optional[Decimal]
    expected_rate: Optional[Decimal]
    status: str  # 一致 / 不一致 / 未核对
    note: str = ""
    source: str = ""


@dataclass
class Comparison:
    periods: List[Period]
    bases: List[Optional[int]]  # base period index per period (previous of the same kind)
    exec_pairs: List[Tuple[int, int]]  # (budget period, final period) of the same year
    totals: TableComparison  # main totals per period (measure "金额")
    tables: List[TableComparison]
    checks: List[YoyCheck] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    # source -> the unit its tables were printed in, where not 万元 (its amounts are compared in 万元)
    units: Dict[str, str] = field(default_factory=dict)

    @property
    def department(self) -> Optional[str]:
        for p in reversed(self.periods):
            if p.department:
                return p.department
        return None

    def table(self, key: str) -> Optional[TableComparison]:
        for t in self.tables:
            if t.key == key or t.name == key:
                return t
        return None

    def total(self, subject: str) -> Optional[Item]:
        return self.totals.item(key=subject)

    def period(self, year: int, kind: str = BUDGET) -> Optional[int]:
        for p in self.periods:
            if p.year == year and p.kind == kind:
                return p.index
        return None


# ----------------------------------------------------------------- normalisation

_YEAR_RE = re.compile(r"(20\d{2})")


def _norm(s: Optional[str]) -> str:
    return "".join((s or "").split())


_GENERIC_PARTS = {"项目", "金额", "预算数", "决算数", "本年支出", "本年收入", "本年", "预算", "决算", "功能分类",
                  "支出用途", "本年预算", "本年决算"}
_SYNONYMS = {"小计": "合计", "本年支出合计": "合计", "本年收入合计": "合计", "总计": "合计", "合计数": "合计"}


def norm_measure(col: str, prefix: str = "") -> str:
    """A column header as a measure key comparable across years and budget/final account.

    '2024年预算数/基本支出' -> '基本支出'; '本年支出/小计' -> '合计'; '支出/2024年合计' (prefix '支出') -> '合计'.
    """
    c = _norm(col)
    if prefix and c.startswith(prefix):
        c = c[len(prefix):].lstrip("/")
    parts = []
    for p in c.split("/"):
        if re.match(r"^(部门|单位|金额单位)[:：]", p):  # unit / department line caught in the header
            continue
        p = re.sub(r"^20\d{2}(年度?)?", "", p)
        p = p.replace("“", "").replace("”", "").replace('"', "")
        if p:
            parts.append(p)
    kept = [p for p in parts if p not in _GENERIC_PARTS]
    if not kept:
        kept = parts[-1:] if parts and parts[-1] not in ("金额", "项目") else []
    leaf = "/".join(kept)
    leaf = _SYNONYMS.get(leaf, leaf)
    return leaf or "合计"


def _doc_year(doc: Document) -> Tuple[Optional[int], bool]:
    """(year, guessed from the file name)."""
    if doc.year:
        return doc.year, False
    m = _YEAR_RE.findall(os.path.basename(doc.source or ""))
    if m:
        return int(m[0]), True
    return None, False


# ----------------------------------------------------------------- periods

def _build_periods(docs: Sequence[Document], warnings: List[str]) -> List[Period]:
    keyed = []
    for n, d in enumerate(docs):
        if d.kind == PERFORMANCE and not any(t.kind[:1] in "bf" for t in d.tables):
            warnings.append(f"{d.source}: 绩效 document, not compared")
            continue
        year, guessed = _doc_year(d)
        if guessed:
            warnings.append(f"{d.source}: no year found in the document, {year} taken from the file name")
        if year is None:
            warnings.append(f"{d.source}: no year found; ordered by position")
        kind = d.kind if d.kind in (BUDGET, FINAL) else BUDGET
        keyed.append((year, kind, n, d))
    keyed.sort(key=lambda x: (x[0] if x[0] is not None else 9999, KIND_ORDER.get(x[1], 9), x[2]))
    periods: List[Period] = []
    for year, kind, n, d in keyed:
        # same year and kind (e.g. narrative PDF + tables PDF of one disclosure): one period,
        # unless both name a department and the names differ
        same = next((p for p in periods if year is not None and p.year == year and p.kind == kind
                     and _same_dept(p.department, d.department)), None)
        if same is not None and _overlap(same.docs, d):
            # two files holding the same content of one year (a corrected re-publication, or a PDF and
            # a hand-edited workbook of it): never mixed row by row; each is its own column, labelled
            # by its file, and the user is told which one a later year is compared with
            first = os.path.basename(same.sources[0])
            warnings.append(
                f"{first} and {os.path.basename(d.source)}: two files with the {year}年{kind} "
                f"{'tables' if _has_tables(d) else 'narrative'} of {d.department or same.department or 'one department'}; "
                f"not merged: compared side by side as two columns labelled by file name, a later year is compared "
                f"with {os.path.basename(d.source)} (the one given last)")
            same = None
        if same is not None:
            same.docs.append(d)
            same.sources.append(d.source)
            if not _plausible_dept(same.department) and _plausible_dept(d.department):
                same.department = d.department
            continue
        label = f"{year}年{kind}" if year is not None else f"{kind}{len(periods) + 1}"
        periods.append(Period(index=len(periods), year=year, kind=kind, label=label,
                              department=d.department, sources=[d.source], docs=[d]))
    labels = [p.label for p in periods]
    for p, label in zip(periods, labels):
        if labels.count(label) > 1:
            twins = [q for q, lq in zip(periods, labels) if lq == label]
            by_dept = p.department and sum(1 for q in twins if _same_dept(q.department, p.department)) == 1
            p.label = f"{label}（{p.department if by_dept else os.path.basename(p.sources[0])}）"
    # department names: warn, but still compare
    depts = {}
    for p in periods:
        for d in p.docs:
            if _plausible_dept(d.department):
                key = _dept_key(d.department)
                if not any(key in k or k in key for k in depts):
                    depts[key] = d.department
    if len(depts) > 1:
        warnings.append("documents of different departments are compared: " + "; ".join(sorted(depts.values())))
    return periods


def _has_tables(d: Document) -> bool:
    return any(table_key(t) is not None and t.rows for t in d.tables)


def _overlap(docs: Sequence[Document], d: Document) -> bool:
    """Does ``d`` hold what a document of the period holds already (tables, or narrative claims)?
    A narrative PDF and a tables PDF of one disclosure do not overlap: they are one period."""
    return (_has_tables(d) and any(_has_tables(x) for x in docs)) or \
        (bool(d.claims) and any(x.claims for x in docs))


def _plausible_dept(name: Optional[str]) -> bool:
    """A department name, not a stray heading ("三、") the importer took for one."""
    t = _norm(name)
    return len(t) >= 3 and not _NUMBERING_RE.match(t) and not re.search(r"\d", t)


def _same_dept(a: Optional[str], b: Optional[str]) -> bool:
    if not (_plausible_dept(a) and _plausible_dept(b)):
        return True
    ka, kb = _dept_key(a), _dept_key(b)
    return ka in kb or kb in ka


def _dept_key(name: str) -> str:
    t = _norm(name)
    t = re.sub(r"[\[［【（(].*?[\]］】）)]$", "", t)
    t = t.replace("中国共产党", "中共").replace("委员会", "委")
    return re.sub(r"^中共", "", t)


def _bases(periods: Sequence[Period]) -> List[Optional[int]]:
    """For each period, the previous one of the same kind (the same department preferred)."""
    out: List[Optional[int]] = []
    for p in periods:
        cands = [q for q in periods[:p.index]
                 if q.kind == p.kind and (p.year is None or q.year is None or q.year < p.year)]
        same = [q for q in cands if _same_dept(q.department, p.department)]
        pick = (same or cands)[-1] if (same or cands) else None
        out.append(pick.index if pick is not None else None)
    return out


def _exec_pairs(periods: Sequence[Period]) -> List[Tuple[int, int]]:
    pairs = []
    for f in periods:
        if f.kind != FINAL or f.year is None:
            continue
        b = next((p for p in periods if p.kind == BUDGET and p.year == f.year), None)
        if b is not None:
            pairs.append((b.index, f.index))
    return pairs


# ----------------------------------------------------------------- table keys

def _signature(t: Table) -> str:
    cols = [norm_measure(c) for c in t.columns if not re.fullmatch(r"列\d+", c)]
    cols = [c.replace("代码", "编码") for c in cols]
    return "|".join(cols)


def table_key(t: Table) -> Optional[str]:
    """Family key of a table; None for tables not compared (performance tables)."""
    if t.kind.startswith("p_"):
        return None
    if t.kind != "other":
        return classify.family_key(t.kind)
    if t.title:
        return "other:" + classify.norm_title(re.sub(r"20\d{2}\s*年度?", "", t.title))
    sig = _signature(t)
    return "cols:" + sig if sig else None


def _family_name(key: str, tables: Sequence[Table]) -> str:
    if key in classify.FAMILY_NAMES:
        return classify.FAMILY_NAMES[key]
    if key in classify.KINDS:
        return classify.sheet_name(key)
    if key.startswith("other:"):
        return key[len("other:"):]
    if key.startswith("cols:"):
        return "未识别表(" + key[len("cols:"):].replace("|", ",") + ")"
    return key


def _doc_tables(doc: Document) -> Dict[str, Table]:
    out: Dict[str, Table] = {}
    counts: Dict[str, int] = {}
    for t in doc.tables:
        k = table_key(t)
        if k is None:
            continue
        counts[k] = counts.get(k, 0) + 1
        kk = k if counts[k] == 1 else f"{k}#{counts[k]}"
        out[kk] = t
    return out


# ----------------------------------------------------------------- items of one table

@dataclass
class _RawItem:
    key: str
    code: Optional[str]
    name: str
    level: Optional[int]
    is_total: bool
    values: Dict[str, Optional[Decimal]]
    page: Optional[int] = None


def _label_cols(t: Table) -> List[int]:
    out = []
    for j in range(t.n_cols):
        n_txt = sum(1 for r in t.rows if j < len(r.cells) and _is_label_text(r.cells[j].text))
        n_num = sum(1 for r in t.rows if j < len(r.cells) and r.cells[j].value is not None)
        if n_txt and n_txt > n_num:
            out.append(j)
    return out


def _row_name(r: Row) -> str:
    nm = r.name or ""
    if looks_numeric(nm):
        nm = ""
    return nm.strip()


def _items_of(t: Table) -> List[_RawItem]:
    amounts = _amount_cols(t)
    labels = _label_cols(t)
    # two-sided layout (收支总表): label, amounts, label, amounts
    two_sided = any(a < l2 for a in amounts for l2 in labels) and any(l1 < a for a in amounts for l1 in labels)
    items: List[_RawItem] = []
    seen: Dict[str, int] = {}

    def add(key: str, it: _RawItem):
        if key in seen:
            seen[key] += 1
            key = f"{key}#{seen[key]}"
        else:
            seen[key] = 1
        it.key = key
        items.append(it)

    if two_sided and not any(r.code for r in t.rows):
        segs = []
        for k, lc in enumerate(labels):
            nxt = labels[k + 1] if k + 1 < len(labels) else t.n_cols
            vcols = [a for a in amounts if lc < a < nxt]
            if vcols:
                segs.append((lc, vcols))
        if segs:
            for lc, vcols in segs:
                col = _norm(t.columns[lc]) if lc < len(t.columns) else ""
                side = col.rsplit("/", 1)[0] if "/" in col else f"栏{lc + 1}"
                for r in t.rows:
                    if lc >= len(r.cells) or not _is_label_text(r.cells[lc].text):
                        continue
                    label = r.cells[lc].text.strip()
                    vals = {}
                    for a in vcols:
                        m = norm_measure(t.columns[a], side) if a < len(t.columns) else f"列{a + 1}"
                        vals.setdefault(m, r.cells[a].value if a < len(r.cells) else None)
                    is_total = bool(TOTAL_LABEL_RE.match(norm_label(label)))
                    add(f"{side}:{norm_label(label)}",
                        _RawItem("", None, f"{side}：{label}", None, is_total, vals, r.page))
            return items
    measure_cols = [a for a in amounts if a not in labels or not t.rows]
    names = {}
    for a in measure_cols:
        m = norm_measure(t.columns[a]) if a < len(t.columns) else f"列{a + 1}"
        if m in names.values():
            m = f"{m}({a + 1})"
        names[a] = m
    data_rows = [r for r in t.rows if any(c.value is not None for c in r.cells) or r.code or _row_name(r)]
    for i, r in enumerate(t.rows):
        name = _row_name(r)
        if r.code:
            key = r.code
        elif name:
            key = "名称:" + norm_label(name)
        elif len(data_rows) == 1 and r is data_rows[0]:
            key, name = "合计", "合计"
        else:
            key = f"行{i + 1}"
        vals = {names[a]: (r.cells[a].value if a < len(r.cells) else None) for a in measure_cols}
        if not name and not r.code and all(v is None for v in vals.values()):
            continue
        add(key, _RawItem("", r.code, name or key, r.level, bool(r.is_total) or key == "合计", vals, r.page))
    return items


# ----------------------------------------------------------------- arithmetic

def change_of(base: Optional[Decimal], cur: Optional[Decimal], base_present: bool = True,
              cur_present: bool = True, base_index: int = 0) -> Optional[Change]:
    """增减额 / 增减率 of ``cur`` against ``base`` (blank = 0 for an existing row)."""
    if not base_present and not cur_present:
        return None
    if not base_present:
        return Change(base_index, cur if cur is not None else Decimal(0), None, ADDED)
    if not cur_present:
        return Change(base_index, -(base if base is not None else Decimal(0)), None, REMOVED)
    if base is None and cur is None:
        return Change(base_index, None, None)  # blank both years: nothing to say
    b = base if base is not None else Decimal(0)
    c = cur if cur is not None else Decimal(0)
    diff = c - b
    if b == 0:
        return Change(base_index, diff, None, BASE_ZERO if c != 0 else "")
    return Change(base_index, diff, (diff / b * HUNDRED).quantize(CENT))


def ratio_of(budget: Optional[Decimal], final: Optional[Decimal], bi: int = 0, fi: int = 0) -> Ratio:
    if final is None and budget is None:
        return Ratio(bi, fi, None)
    b = budget if budget is not None else Decimal(0)
    f = final if final is not None else Decimal(0)
    if b == 0:
        return Ratio(bi, fi, None, BUDGET_ZERO if f != 0 else "")
    return Ratio(bi, fi, (f / b * HUNDRED).quantize(CENT))


def _merge_order(orders: Iterable[List[str]]) -> List[str]:
    """Union of key lists keeping each list's relative order (first list dominates)."""
    out: List[str] = []
    for keys in orders:
        for idx, k in enumerate(keys):
            if k in out:
                continue
            prev = next((keys[j] for j in range(idx - 1, -1, -1) if keys[j] in out), None)
            if prev is not None:
                pos = out.index(prev) + 1
            else:
                nxt = next((x for x in keys[idx + 1:] if x in out), None)
                pos = out.index(nxt) if nxt is not None else len(out)
            out.insert(pos, k)
    return out


def _compute(items: List[Item], measures: List[str], bases, pairs, table_present: List[bool]) -> None:
    for it in items:
        for m in measures:
            vals = it.values.setdefault(m, [None] * len(bases))
            chs: List[Optional[Change]] = []
            for p, b in enumerate(bases):
                if b is None or not table_present[p] or not table_present[b]:
                    chs.append(None)
                    continue
                chs.append(change_of(vals[b], vals[p], it.present[b], it.present[p], b))
            it.changes[m] = chs
            it.execution[m] = [ratio_of(vals[bi], vals[fi], bi, fi)
                               if it.present[bi] or it.present[fi] else Ratio(bi, fi, None)
                               for bi, fi in pairs]


def _compare_tables(periods: List[Period], bases, pairs) -> List[TableComparison]:
    n = len(periods)
    per_period: List[Dict[str, Table]] = []
    origin: Dict[int, str] = {}  # id(table) -> source file of its document
    for p in periods:
        merged: Dict[str, Table] = {}
        for d in p.docs:
            for k, t in _doc_tables(d).items():
                if k not in merged or (len(t.rows) > len(merged[k].rows)):
                    merged[k] = t
                    origin[id(t)] = d.source
        per_period.append(merged)
    keys = _merge_order([list(m.keys()) for m in reversed(per_period)])
    fam_rank = {k: i for i, k in enumerate(classify.family_order())}
    keys.sort(key=lambda k: (fam_rank.get(k.split("#")[0], 100), 0))  # stable: unknown keys keep doc order
    out: List[TableComparison] = []
    for k in keys:
        tables = [m.get(k) for m in per_period]
        raws = [(_items_of(t) if t is not None and not t.empty else []) for t in tables]
        measures: List[str] = []
        for rl in raws:
            for ri in rl:
                for m in ri.values:
                    if m not in measures:
                        measures.append(m)
        order = _merge_order([[ri.key for ri in rl] for rl in reversed(raws)])
        by_key: Dict[str, Item] = {}
        for key in order:
            by_key[key] = Item(key=key, code=None, name="", level=None, is_total=False, present=[False] * n,
                               sources=[None] * n)
        for p, rl in enumerate(raws):
            for ri in rl:
                it = by_key[ri.key]
                it.code = it.code or ri.code
                it.name = ri.name or it.name  # latest period's name wins
                it.level = it.level or ri.level
                it.is_total = it.is_total or ri.is_total
                it.present[p] = True
                it.sources[p] = cite(origin[id(tables[p])], tables[p], ri.page)
                for m, v in ri.values.items():
                    it.values.setdefault(m, [None] * n)[p] = v
        present = [t is not None for t in tables]
        items = [by_key[k2] for k2 in order]
        # columns blank in every period and row (an empty 结转下年资金, a stray header column) say nothing
        measures = [m for m in measures if any(v is not None for it in items for v in it.values.get(m, []))]
        for it in items:
            for m in list(it.values):
                if m not in measures:
                    del it.values[m]
        _compute(items, measures, bases, pairs, present)
        kinds = [t.kind if t is not None else None for t in tables]
        name = _family_name(k.split("#")[0], [t for t in tables if t is not None])
        if "#" in k:
            name = f"{name}{k.split('#')[1]}"
        out.append(TableComparison(key=k, name=name, kinds=kinds, measures=measures, items=items))
    return out


# ----------------------------------------------------------------- main totals (the subject locator)

def _lookup(doc: Document, subject: str) -> Optional[Tuple[Decimal, str]]:
    """(value, where) of a subject in one document."""
    got = locate(doc, subject)
    return (got.value, got.where(doc)) if got is not None and got.value is not None else None


def main_totals(doc: Document) -> Dict[str, Tuple[Decimal, str]]:
    """subject -> (value, where) for the main totals of one document."""
    return {s: (got.value, got.where(doc)) for s, got in subjects.main_totals(doc).items()}


def _period_value(p: Period, subject: str) -> Optional[Tuple[Decimal, str]]:
    for d in p.docs:
        got = _lookup(d, subject)
        if got is not None:
            return got
    return None


def _compare_totals(periods: List[Period], bases, pairs) -> TableComparison:
    n = len(periods)
    items = []
    for s in MAIN_SUBJECTS:
        it = Item(key=s, code=None, name=s, level=None, is_total=False, present=[False] * n, sources=[None] * n)
        vals: List[Optional[Decimal]] = [None] * n
        for p in periods:
            got = _period_value(p, s)
            if got is not None:
                vals[p.index] = got[0]
                it.sources[p.index] = got[1]
                it.present[p.index] = True
        it.values["金额"] = vals
        items.append(it)
    # a subject missing in a period is "not found", never "removed": compare only where both exist
    for it in items:
        vals = it.values["金额"]
        it.changes["金额"] = [
            (change_of(vals[b], vals[p]) if b is not None and it.present[b] and it.present[p] else None)
            for p, b in enumerate(bases)
        ]
        for p, c in enumerate(it.changes["金额"]):
            if c is not None:
                c.base = bases[p]
        it.execution["金额"] = [ratio_of(vals[bi], vals[fi], bi, fi) if it.present[bi] and it.present[fi]
                              else Ratio(bi, fi, None) for bi, fi in pairs]
    return TableComparison(key="总览", name="总览", kinds=[None] * n, measures=["金额"], items=items)


# ----------------------------------------------------------------- narrative 比上年 checks

def subject_label(subject: str) -> str:
    """Display form of an internal subject key."""
    if subject.startswith("科目:"):
        _, level, parent, name = subject.split(":", 3)
        return (f"{parent}（款）" if parent and level == "项" else "") + f"{name}（{level}）"
    return subject


_SUBJECT_MAP = {
    "收入预算": "收入总计", "收入总计": "收入总计", "收入合计": "收入总计",
    "支出预算": "支出总计", "支出总计": "支出总计", "支出合计": "支出总计",
}


def _refine_subject(c: Claim) -> str:
    """The subject of a claim, refined by the words just before its amount.

    "一般公共预算收入预算24458.43万元" is about 一般公共预算, "基本支出预算数为X万元" about 基本支出.
    """
    subj = c.subject
    if c.amount is None or not c.text:
        return subj
    amount_txt = f"{c.amount}"
    text = _norm(c.text)
    pos = text.find(amount_txt)
    if pos < 0:
        pos = text.find(f"{c.amount:,}")
    if pos < 0:
        return subj
    clause = re.split(r"[，,；;。：:]", text[:pos])[-1]
    # "住房改革支出（款）住房公积金（项）支出965.87万元": a function code item named in the text
    parts = re.findall(r"([^（）()，,；;。：:．.、\d]+)[（(](类|款|项)[）)]", clause)
    if parts:
        name, level = parts[-1]
        parent = parts[-2][0] if len(parts) >= 2 and parts[-2][1] != level else ""
        return f"科目:{level}:{norm_label(parent)}:{norm_label(name)}"
    if subj in ("收入预算", "支出预算", "收入合计", "支出合计", "收入总计", "支出总计", "财政拨款"):
        for kw, canon in (("基本支出", "基本支出"), ("项目支出", "项目支出"), ("一般公共预算", "一般公共预算"),
                          ("政府性基金", "政府性基金"), ("机关运行经费", "机关运行经费")):
            if kw in clause:
                return canon
    return subj


def _interval_rate(change: Decimal, prev: Decimal, e_change: Decimal, e_prev: Decimal) -> Tuple[Decimal, Decimal]:
    """Bounds of change / prev * 100 given rounding errors of both figures."""
    cands = []
    for dc in (-e_change, e_change):
        for dp in (-e_prev, e_prev):
            den = prev + dp
            if den != 0:
                cands.append((change + dc) / den * HUNDRED)
    if not cands:
        return Decimal("-Infinity"), Decimal("Infinity")
    return min(cands), max(cands)


def _yoy_checks(periods: List[Period], bases: List[Optional[int]]) -> Tuple[List[YoyCheck], List[Finding]]:
    checks: List[YoyCheck] = []
    findings: List[Finding] = []
    for p in periods:
        b = bases[p.index]
        seen = set()
        for d in p.docs:
            for c in d.claims:
                if c.change is None and c.change_rate is None and not c.change_rate_infinite:
                    continue
                key = (c.subject, c.amount, c.change, c.change_rate, c.change_rate_infinite)
                if key in seen:
                    continue
                seen.add(key)
                subject = _refine_subject(c)
                target = _SUBJECT_MAP.get(subject, subject)
                src = os.path.basename(d.source) + (f" 第{c.page}页" if c.page else "")
                chk = YoyCheck(period=p.index, base=b, claim=c, subject=subject_label(target), current=None, previous=None,
                               expected_change=None, expected_rate=None, status="未核对", source=src)
                checks.append(chk)
                if c.scope and c.scope not in ("一般公共预算", "财政拨款"):
                    chk.note = f"叙述限定为“{c.scope}”，与表中同名合计不是同一口径，未核对"
                    continue
                if b is None:
                    chk.note = "无上年文件"
                    continue
                if p.year is not None and periods[b].year is not None and periods[b].year != p.year - 1:
                    chk.note = f"上年（{p.year - 1}年）文件不在对比中，未与{periods[b].label}核对"
                    continue
                prev = _period_value(periods[b], target)
                cur_tab = _period_value(p, target)
                if prev is None:
                    chk.note = f"上年文件中未找到“{subject_label(target)}”"
                    continue
                chk.previous = prev[0]
                cur = c.amount
                if cur is None:
                    cur = cur_tab[0] if cur_tab else None
                elif cur_tab is not None and abs(cur_tab[0] - cur) > half_ulp(cur) + half_ulp(cur_tab[0]) and cur != 0:
                    # the claim is not about the table figure we know by this name: do not guess
                    chk.note = f"叙述金额 {fmt(cur)} 与本年表中“{subject_label(target)}” {fmt(cur_tab[0])} 不符，主题不明确，未核对"
                    continue
                if cur is None:
                    chk.note = f"本年金额未知（叙述与表中均无“{subject_label(target)}”）"
                    continue
                chk.current = cur
                exp = cur - prev[0]
                chk.expected_change = exp
                e_cur, e_prev = half_ulp(cur), half_ulp(prev[0])
                problems = []
                if c.change is not None:
                    tol = e_cur + e_prev + half_ulp(c.change)
                    if abs(c.change - exp) > tol:
                        problems.append(f"增减额应为 {fmt(exp)}（{fmt(cur)} − 上年 {fmt(prev[0])}），叙述为 {fmt(c.change)}")
                        findings.append(Finding(
                            "YOY", "warning",
                            f"{p.label} 叙述（{src}）称{subject_label(target)}比上年{_signed(c.change)}万元，"
                            f"按{periods[b].label}“{subject_label(target)}” {fmt(prev[0])} 计算为 {_signed(exp)}万元",
                            expected=exp, actual=c.change, tolerance=tol))
                if prev[0] != 0:
                    chk.expected_rate = (exp / prev[0] * HUNDRED).quantize(CENT)
                if c.change_rate_infinite:
                    if prev[0] != 0:
                        problems.append(f"增减率应为 {chk.expected_rate}%，叙述为 ∞%")
                        findings.append(Finding(
                            "YOY", "warning",
                            f"{p.label} 叙述（{src}）称{subject_label(target)}增长∞%，但{periods[b].label}为 {fmt(prev[0])}，"
                            f"应为 {chk.expected_rate}%", expected=chk.expected_rate, actual=None))
                elif c.change_rate is not None:
                    if prev[0] == 0:
                        if exp != 0:
                            problems.append(f"上年为0，增减率应为 ∞%，叙述为 {c.change_rate}%")
                            findings.append(Finding(
                                "YOY", "warning",
                                f"{p.label} 叙述（{src}）称{subject_label(target)}增减 {c.change_rate}%，但{periods[b].label}为0",
                                expected=None, actual=c.change_rate))
                    else:
                        lo, hi = _interval_rate(exp, prev[0], e_cur + e_prev, e_prev)
                        slack = 2 * half_ulp(c.change_rate, 0)  # reported: a printed rate may be a whole unit off
                        if not printed_percent_ok(c.change_rate, lo, hi, change_rate=True):
                            problems.append(f"增减率应为 {chk.expected_rate}%，叙述为 {c.change_rate}%")
                            findings.append(Finding(
                                "YOY", "warning",
                                f"{p.label} 叙述（{src}）称{subject_label(target)}比上年{'增长' if c.change_rate >= 0 else '下降'}"
                                f"{abs(c.change_rate)}%，按{periods[b].label}“{subject_label(target)}” {fmt(prev[0])} → "
                                f"{fmt(cur)} 计算为 {chk.expected_rate}%",
                                expected=chk.expected_rate, actual=c.change_rate, tolerance=slack))
                chk.status = "不一致" if problems else "一致"
                chk.note = "；".join(problems)
    return checks, findings


def _signed(v: Decimal) -> str:
    return ("增加" if v >= 0 else "减少") + fmt(abs(v))


# ----------------------------------------------------------------- units

# a column of ratios, not amounts: never converted (决算数为预算数的%, 增减率, 占比)
_RATIO_COLUMN_RE = re.compile(r"%|％|率|占比|比重")
# rows that count things, not money (公开10表: 车辆数合计(辆), 个数, 人数, 批次): never rescaled
_COUNT_ROW_RE = re.compile(r"[（(](辆|个|人|人次|次|批|批次|台|套|家)[）)]|车辆数|个数|人数|批次")


def _conversion(unit: str) -> str:
    f = WAN_PER_UNIT[unit]
    return f"÷ {int(1 / f):,}" if f < 1 else f"× {int(f):,}"


def in_common_unit(doc: Document) -> Tuple[Document, Optional[str]]:
    """(a copy of ``doc`` whose table amounts are in 万元, the unit they were printed in when it
    was not 万元). Narrative claims are read in 万元 already; ``doc`` itself is left as it is."""
    printed = set()
    tables = []
    for t in doc.tables:
        unit = t.unit or doc.unit or COMMON_UNIT
        if unit == COMMON_UNIT or unit not in WAN_PER_UNIT:
            tables.append(t)
            continue
        printed.add(unit)
        keep = {j for j, c in enumerate(t.columns) if _RATIO_COLUMN_RE.search(c or "")}
        rows = [r if _COUNT_ROW_RE.search(r.name or "") else
                replace(r, cells=[c if j in keep else replace(c, value=to_wan(c.value, unit))
                                  for j, c in enumerate(r.cells)]) for r in t.rows]
        tables.append(replace(t, rows=rows, unit=COMMON_UNIT))
    if not printed:
        return doc, None
    return replace(doc, tables=tables, unit=COMMON_UNIT), "、".join(sorted(printed))


# ----------------------------------------------------------------- entry point

def compare(docs: Sequence[Document]) -> Comparison:
    """Compare disclosures of one department across years (and budget vs final account)."""
    warnings: List[str] = []
    # one unit for every file: a table printed in 元 next to one in 万元 would give 增减率 of 1,000,000 %
    units: Dict[str, str] = {}
    converted = []
    for d in docs:
        c, unit = in_common_unit(d)
        if unit:
            units[d.source] = unit
            warnings.append(f"{d.source}: tables printed in {unit}, converted to {COMMON_UNIT} before comparing"
                            + (f" ({_conversion(unit)})" if unit in WAN_PER_UNIT else ""))
        converted.append(c)
    docs = converted
    periods = _build_periods(list(docs), warnings)
    bases = _bases(periods)
    pairs = _exec_pairs(periods)
    totals = _compare_totals(periods, bases, pairs)
    tables = _compare_tables(periods, bases, pairs)
    checks, findings = _yoy_checks(periods, bases)
    for p in periods:
        missing = [s for s in MAIN_SUBJECTS[:4] if not totals.item(key=s).present[p.index]]
        if missing and any(d.tables for d in p.docs):
            warnings.append(f"{p.label}: main totals not found: {', '.join(missing)}")
    return Comparison(periods=periods, bases=bases, exec_pairs=pairs, totals=totals, tables=tables,
                      checks=checks, findings=findings, warnings=warnings, units=units)
