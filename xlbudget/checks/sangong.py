"""The narrative's 三公 figures against the 三公 table (决算 公开09表 / budget 表十).

"“三公”经费财政拨款支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%，其中：…
公务接待费支出决算0.39万元，占100.00%。…公务接待2批次、26人次。" — each amount, share,
执行率 and count of such a paragraph is checked against the 预算数/决算数 of its item in the
table. A 决算's 三公 amounts are checked here (rules.py's narrative checks read only the budget
表十); amounts printed as 0 are checked too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from xlbudget.checks.registry import NARRATIVE, finding, rule
from xlbudget.checks.wording import comparison_holds
from xlbudget.model import CellRef, Claim, Document, Finding, Table, table_keys
from xlbudget.numbers import fmt, half_ulp, half_ulp_wan, printed_percent_ok, ratio_bounds, to_wan
from xlbudget.vocabulary import squeeze

TOTAL = "三公经费"
ABROAD = "因公出国（境）费"
CARS = "公务用车购置及运行费"
CAR_PURCHASE = "公务用车购置费"
CAR_RUNNING = "公务用车运行维护费"
RECEPTION = "公务接待费"
ITEMS = (TOTAL, ABROAD, CARS, CAR_PURCHASE, CAR_RUNNING, RECEPTION)
BUDGET, ACTUAL = "预算", "决算"
SANGONG_KINDS = ("f09", "b10")
# a 栏次 row "1 2 3 … 12" under a 决算 header: numbers of columns, not amounts
_COLUMN_NUMBERS = re.compile(r"^\d{1,2}$")


def _finding(rule_id: str, cells: Sequence[CellRef] = (), page: Optional[int] = None, **fields) -> Finding:
    """A finding whose message may name its page ({on})."""
    return finding(rule_id, cells, page=page, on=page if page is not None else "?", **fields)


def _item_of(path: str, meetings: bool) -> Optional[str]:
    """The 三公 item a column path or a row label names ("财政拨款“三公”经费/公务用车购置及运行维护费/
    小计/预算数" -> 公务用车购置及运行费). Header words cut by the drawing are joined first."""
    s = re.sub(r"[/／]?(预算数|决算数|\d{4}年预算数?|\d{4}年决算数?|预算|决算)$", "", squeeze(path)).replace("/", "")
    s = re.sub(r"^[①②③④⑤⑥（(]?[一二三四五六\d]*[)）、.．]?", "", s)
    s = s.replace("(", "（").replace(")", "）")
    if "因公出国" in s:
        return ABROAD
    if "公务接待" in s:
        return RECEPTION
    if re.search(r"购置及运行(维护)?费(小计)?$", s):
        return CARS
    if s.endswith("购置费"):
        return CAR_PURCHASE
    if re.search(r"运行(维护)?费$", s):
        return CAR_RUNNING
    if re.search(r"(小计|合计)$", s) and ("三公" in s or (s.endswith("合计") and not meetings)):
        return TOTAL
    return None


def _phase_of(path: str, kind: str) -> Optional[str]:
    p = squeeze(path)
    if "决算" in p:
        return ACTUAL
    if "预算" in p:
        return BUDGET
    return BUDGET if kind == "预算" else None


@dataclass
class SangongTable:
    """The 三公 table as (item, phase) -> figure in 万元 (a blank cell is 0)."""

    table: Table
    key: str
    cells: Dict[Tuple[str, str], CellRef] = field(default_factory=dict)
    values: Dict[Tuple[str, str], Decimal] = field(default_factory=dict)
    errors: Dict[Tuple[str, str], Decimal] = field(default_factory=dict)
    phases: Tuple[str, ...] = ()

    @property
    def page(self) -> Optional[int]:
        return self.table.pages[0] if self.table.pages else None

    def has(self, item: str) -> bool:
        return any(i == item for i, _ in self.values) or self.table.empty

    def value(self, item: str, phase: str) -> Optional[Decimal]:
        if self.table.empty:
            return Decimal(0)
        return self.values.get((item, phase))

    def refs(self, *keys: Tuple[str, str]) -> List[CellRef]:
        return [self.cells[k] for k in keys if k in self.cells]


def _put(st: SangongTable, item: str, phase: str, t: Table, i: int, j: int, unit: Optional[str]) -> None:
    if (item, phase) in st.values:
        return
    v = t.rows[i].cells[j].value
    st.cells[(item, phase)] = CellRef(st.key, i, j, t.rows[i].page)
    st.values[(item, phase)] = to_wan(v, unit) if v is not None else Decimal(0)
    st.errors[(item, phase)] = half_ulp_wan(v, unit) if v is not None else Decimal(0)


def _is_column_numbers(cells) -> bool:
    texts = [squeeze(c.text) for c in cells if squeeze(c.text)]
    return bool(texts) and all(_COLUMN_NUMBERS.match(x) for x in texts) and len(texts) >= 3


def locate(doc: Document) -> Optional[SangongTable]:
    """The 三公 table of the document, read in its wide layout (one column per item and phase) or
    its tall one (one row per item)."""
    t = next((x for k in SANGONG_KINDS for x in doc.tables if x.kind == k), None)
    if t is None:
        return None
    st = SangongTable(t, table_keys(doc)[id(t)])
    unit = t.unit or doc.unit
    meetings = any(re.search(r"会议费|培训费", squeeze(c)) for c in t.columns)
    wide = {j: (_item_of(c, meetings), _phase_of(c, doc.kind)) for j, c in enumerate(t.columns)}
    wide = {j: ip for j, ip in wide.items() if ip[0] and ip[1]}
    if len({ip[0] for ip in wide.values()}) >= 2:
        rows = [i for i, r in enumerate(t.rows) if not _is_column_numbers(r.cells)
                and any(j < len(r.cells) and r.cells[j].value is not None for j in wide)]
        if rows:
            i = next((i for i in rows if t.rows[i].is_total), rows[0])
            for j, (item, phase) in wide.items():
                if j < len(t.rows[i].cells):
                    _put(st, item, phase, t, i, j, unit)
    else:
        valued = {j for r in t.rows for j, c in enumerate(r.cells) if j > 0 and c.value is not None}
        amount_cols = [(j, _phase_of(c, doc.kind)) for j, c in enumerate(t.columns)
                       if j in valued and _phase_of(c, doc.kind)]
        firsts: Dict[str, int] = {}
        for j, phase in amount_cols:
            firsts.setdefault(phase, j)
        for i, r in enumerate(t.rows):
            item = _item_of(r.cells[0].text, meetings) if r.cells else None
            if item is None and r.cells and re.fullmatch(r"合计|总计", squeeze(r.cells[0].text)):
                item = TOTAL
            if item is None:
                continue
            for phase, j in firsts.items():
                if j < len(r.cells):
                    _put(st, item, phase, t, i, j, unit)
    st.phases = tuple(sorted({p for _, p in st.values}))
    return st if st.values or t.empty else None


# ---------------------------------------------------------------- the narrative's 三公 figures

def _about_sangong_total(c: Claim) -> bool:
    """"“三公”经费财政拨款支出年初预算为2.85万元": the subject read is 财政拨款, the clause is about 三公."""
    amount = format(c.amount, "f") if c.amount is not None else ""
    head = c.text[:c.text.find(amount)] if amount and amount in c.text else c.text[:20]
    head = re.split(r"[。；;]", head)[-1]
    return "三公" in head


def sangong_item(c: Claim) -> Optional[str]:
    if c.scope and not re.search(r"财政拨款|一般公共预算", c.scope):
        return None
    if c.subject in ITEMS:
        return c.subject
    if c.subject in ("财政拨款", "支出") and _about_sangong_total(c):
        return TOTAL
    return None


def _phase(c: Claim, kind: str) -> Optional[str]:
    q = c.qualifier or ""
    if re.search(r"上年|去年|上一年|20\d{2}年", q):
        return None  # last year's figure: not in this year's table
    if "决算" in q:
        return ACTUAL
    if "预算" in q:
        return BUDGET
    return BUDGET if kind == "预算" else ACTUAL


def _stated(doc: Document) -> List[Tuple[Claim, str, str, Decimal]]:
    """(claim, item, phase, amount) of every 三公 figure the narrative states; the 年初预算 of a
    "年初预算A，决算B" claim is a figure of its own."""
    out = []
    for c in doc.claims:
        item = sangong_item(c)
        if item is None or c.amount is None:
            continue
        if c.budget is not None:
            out.append((c, item, BUDGET, c.budget))
            out.append((c, item, ACTUAL, c.amount))
            continue
        phase = _phase(c, doc.kind)
        if phase is not None:
            out.append((c, item, phase, c.amount))
    return out


def _label(item: str, phase: str) -> str:
    return f"{'“三公”经费' if item == TOTAL else item}{phase}数"


@rule("SANGONG.narrative-amount", kind=NARRATIVE, severity="warning", tables=("f09",),
      message="叙述（第{on}页）称{what} {amount}万元，三公表中为 {value}万元",
      describe="a 三公 amount of a 决算's narrative (预算数 or 决算数, zero included) differs from the 三公 table")
def narrative_amounts(doc: Document) -> Iterable[Finding]:
    if doc.kind == "预算":
        return  # a budget's 三公 amounts are rules.py's NARR (and NARR.zero-amount for zeros)
    st = locate(doc)
    if st is None:
        return
    seen = set()
    for c, item, phase, amount in _stated(doc):
        v = st.value(item, phase)
        if v is None or (item, phase, amount) in seen:
            continue
        seen.add((item, phase, amount))
        if abs(v - amount) > st.errors.get((item, phase), Decimal(0)) + half_ulp(amount):
            f = _finding("SANGONG.narrative-amount", st.refs((item, phase)), page=c.page, what=_label(item, phase),
                        amount=fmt(amount), value=fmt(v))
            f.expected, f.actual = v, amount
            yield f


@rule("SANGONG.narrative-unbacked", kind=NARRATIVE, severity="warning", tables=SANGONG_KINDS,
      message="叙述（第{on}页）称{item} {amount}万元，三公表（第{table_on}页）却没有{item}这一项",
      describe="the narrative quotes a 三公 item (e.g. 公务接待费) that the 三公 table does not show: a row deleted or never printed")
def unbacked_items(doc: Document) -> Iterable[Finding]:
    st = locate(doc)
    if st is None:
        return
    seen = set()
    for c, item, _, amount in _stated(doc):
        if amount == 0 or st.has(item) or item in seen:
            continue
        if item in (CAR_PURCHASE, CAR_RUNNING) and st.has(CARS):
            continue  # a table printing 公务用车购置及运行费 without its two parts shows less, not other, figures
        seen.add(item)
        f = _finding("SANGONG.narrative-unbacked", page=c.page, item=item, amount=fmt(amount),
                    table_on=st.page)
        f.actual = amount
        yield f


def _ratio_ok(printed: Decimal, a: Decimal, ea: Decimal, t: Decimal, et: Decimal) -> Tuple[bool, Decimal]:
    """Could ``printed`` % be a / t of the table (a blank cell, error 0, is read as a printed 0.00)?"""
    lo, hi = ratio_bounds(a, t, ea or None, et or None)
    return printed_percent_ok(printed, lo, hi), (a / t * 100).quantize(Decimal("0.01"))


@rule("SANGONG.narrative-share", kind=NARRATIVE, severity="warning", tables=SANGONG_KINDS,
      message="叙述（第{on}页）称{item}占“三公”经费的{share}%，按三公表计算为 {expected}%（{value} / {total}）",
      describe="a 三公 item's share of the 三公 total in the narrative (budget and 决算) differs from the 三公 table")
def narrative_shares(doc: Document) -> Iterable[Finding]:
    st = locate(doc)
    if st is None:
        return
    for c, item, phase, _ in _stated(doc):
        if c.share is None or item == TOTAL or c.budget is not None:
            continue
        v, tv = st.value(item, phase), st.value(TOTAL, phase)
        if v is None or not tv:
            continue
        ok, expected = _ratio_ok(c.share, v, st.errors.get((item, phase), Decimal(0)), tv,
                                 st.errors.get((TOTAL, phase), Decimal(0)))
        if not ok:
            f = _finding("SANGONG.narrative-share", st.refs((item, phase), (TOTAL, phase)), page=c.page, item=item,
                        share=c.share, expected=expected, value=fmt(v), total=fmt(tv))
            f.expected, f.actual = expected, c.share
            yield f


@rule("SANGONG.narrative-rate", kind=NARRATIVE, severity="warning", tables=("f09",),
      message="叙述（第{on}页）称{item}完成预算的{rate}%，按三公表计算为 {expected}%（决算 {actual} / 预算 {budget}）",
      describe="a 三公 执行率 (完成预算的 R%) in a 决算's narrative differs from 决算数 / 预算数 of the 三公 table")
def narrative_rates(doc: Document) -> Iterable[Finding]:
    if doc.kind == "预算":
        return
    st = locate(doc)
    if st is None:
        return
    seen = set()
    for c, item, _, _ in _stated(doc):
        if c.execution_rate is None or (item, c.execution_rate) in seen:
            continue
        seen.add((item, c.execution_rate))
        a, b = st.value(item, ACTUAL), st.value(item, BUDGET)
        if a is None or not b:
            continue  # no budget: the rate is not defined (documents print 0.00%)
        ok, expected = _ratio_ok(c.execution_rate, a, st.errors.get((item, ACTUAL), Decimal(0)), b,
                                 st.errors.get((item, BUDGET), Decimal(0)))
        if not ok:
            f = _finding("SANGONG.narrative-rate", st.refs((item, ACTUAL), (item, BUDGET)), page=c.page,
                        item=item, rate=c.execution_rate, expected=expected, actual=fmt(a), budget=fmt(b))
            f.expected, f.actual = expected, c.execution_rate
            yield f


@rule("SANGONG.narrative-comparison", kind=NARRATIVE, severity="warning", tables=("f09",),
      message="叙述（第{on}页）称“三公”经费决算数{word}预算数，三公表为决算 {actual}万元、预算 {budget}万元",
      describe="\"“三公”经费决算数大于/小于/等于预算数\" disagrees with the 合计 of the 三公 table")
def narrative_comparisons(doc: Document) -> Iterable[Finding]:
    st = locate(doc)
    if st is None:
        return
    a, b = st.value(TOTAL, ACTUAL), st.value(TOTAL, BUDGET)
    if a is None or b is None:
        return
    tol = st.errors.get((TOTAL, ACTUAL), Decimal(0)) + st.errors.get((TOTAL, BUDGET), Decimal(0))
    for s in doc.statements:
        if s.comparison and s.subject == TOTAL and not comparison_holds(s.comparison, a, b, tol):
            f = _finding("SANGONG.narrative-comparison", st.refs((TOTAL, ACTUAL), (TOTAL, BUDGET)), page=s.page,
                        word=s.comparison, actual=fmt(a), budget=fmt(b))
            f.expected, f.actual = a - b, None
            yield f


# ---------------------------------------------------------------- counts

def _count_item(s: Claim) -> Optional[str]:
    """The table item a count speaks of: trips of 因公出国, visits of 公务接待, the cars kept
    (保有量: their running cost) or bought (购置: their purchase)."""
    if s.subject == "公务用车":
        q = s.qualifier or ""
        return CAR_PURCHASE if "购置" in q else CAR_RUNNING if "保有量" in q else None
    return s.subject if s.subject in (ABROAD, RECEPTION) else None


@rule("SANGONG.count-zero", kind=NARRATIVE, severity="warning", tables=("f09",),
      message="叙述（第{on}页）称{item}涉及 0 {unit}，三公表中{item}决算数却为 {value}万元",
      describe="the narrative counts no trips / visits / cars (0个, 0批次, 保有量0辆) for a 三公 item the table shows money spent on")
def zero_counts(doc: Document) -> Iterable[Finding]:
    if doc.kind == "预算":
        return  # a budget's counts are plans
    st = locate(doc)
    if st is None:
        return
    most: Dict[Tuple[str, str], Claim] = {}
    for s in doc.statements:
        item = _count_item(s) if s.count is not None else None
        if item is None or s.qualifier in ("合计", "其中"):
            continue
        k = (item, s.count_unit or "")
        if k not in most or (s.count or 0) > (most[k].count or 0):
            most[k] = s
    for (item, unit), s in most.items():
        v = st.value(item, ACTUAL)
        if s.count == 0 and v:
            f = _finding("SANGONG.count-zero", st.refs((item, ACTUAL)), page=s.page, item=item, unit=unit,
                        value=fmt(v))
            f.expected, f.actual = v, Decimal(0)
            yield f


@rule("SANGONG.vehicle-sum", kind=NARRATIVE, severity="warning",
      message="叙述（第{on}页）称共有车辆 {total} 辆，其中各类车辆相加为 {parts} 辆（{listed}）",
      describe="the cars the narrative lists by kind (其中：领导用车…辆、…) do not add up to the total it states")
def vehicle_sums(doc: Document) -> Iterable[Finding]:
    groups: List[Tuple[Claim, List[Claim]]] = []
    for s in doc.statements:
        if s.count_unit != "辆" or not s.subject.startswith("公务用车"):
            continue
        if s.qualifier == "合计":
            groups.append((s, []))
        elif s.qualifier == "其中" and groups:
            groups[-1][1].append(s)
    for total, parts in groups:
        n = sum(p.count or 0 for p in parts)
        if parts and n != total.count:
            listed = "、".join(f"{p.subject.split(':', 1)[1]}{p.count}辆" for p in parts)
            f = _finding("SANGONG.vehicle-sum", page=total.page, total=total.count, parts=n, listed=listed)
            f.expected, f.actual = Decimal(n), Decimal(total.count or 0)
            yield f


def _vehicles_in_table(doc: Document) -> Optional[Tuple[int, CellRef]]:
    """(cars, cell) of 公开10表's "车辆数合计(辆)" row: its 统计数 column (a blank cell is 0), not its 行次."""
    t = doc.table("f10")
    if t is None:
        return None
    value_col = next((j for r in t.rows for j, c in enumerate(r.cells) if re.search(r"统计数|数量", squeeze(c.text))),
                     None)
    for i, r in enumerate(t.rows):
        if r.cells and "车辆数" in squeeze(r.cells[0].text):
            j = value_col if value_col is not None else len(r.cells) - 1
            if j >= len(r.cells):
                return None
            v = r.cells[j].value
            if v is None and squeeze(r.cells[j].text):
                return None  # text, not a count
            return int(v or 0), CellRef(table_keys(doc)[id(t)], i, j, r.page)
    return None


@rule("SANGONG.vehicle-table", kind=NARRATIVE, severity="warning", tables=("f10",),
      message="叙述（第{on}页）称共有车辆 {said} 辆，公开10表“车辆数合计”为 {printed} 辆",
      describe="the cars the narrative says the department has differ from 车辆数合计 of the 决算 统计表 (公开10)")
def vehicle_table(doc: Document) -> Iterable[Finding]:
    found = _vehicles_in_table(doc)
    total = next((s for s in doc.statements if s.count_unit == "辆" and s.qualifier == "合计"), None)
    if found is None or total is None or total.count == found[0]:
        return
    f = _finding("SANGONG.vehicle-table", [found[1]], page=total.page, said=total.count, printed=found[0])
    f.expected, f.actual = Decimal(found[0]), Decimal(total.count or 0)
    yield f
