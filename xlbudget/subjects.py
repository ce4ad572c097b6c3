"""The subject locator: where a document prints the amount of a subject (收入总计, 支出总计, 基本支出,
项目支出, 三公经费 and its parts, 机关运行经费, 人员经费/公用经费, 一般公共预算, a 类/款/项 item).

Two questions, one home:

- :func:`locate` — THE figure of a subject in a document (compare's 总览 and 比上年 checks, batch totals,
  the workbook's 总览 sheet): the first table of the catalogue's lookup order that prints it.
- :func:`quotable` — every table figure a narrative amount of a subject may be quoting (narrative checks):
  a 类 amount may come from the 支出总表 or the 一般公共预算 table, which differ when there are other funds;
  a claim is flagged only when it matches none of them.

Both answer with :class:`Located` (value, unit, cells with their page, table kind). Which kinds answer a
subject is read from the catalogue (``TableKind.subjects``, ``TableKind.fallback``). Pure: no I/O.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Dict, List, Optional, Sequence, Tuple

from xlbudget import catalogue
from xlbudget.codes import CLASSES
from xlbudget.model import FINAL, CellRef, Document, Table, table_keys
from xlbudget.numbers import COMMON_UNIT, looks_numeric
from xlbudget.vocabulary import GRAND_TOTAL_RE, squeeze

# the totals shown for every document (总览, batch summary, compare 总览), in this order
MAIN_SUBJECTS = [catalogue.INCOME_TOTAL, catalogue.EXPENSE_TOTAL, catalogue.BASIC, catalogue.PROJECT,
                 catalogue.SANGONG, catalogue.RUNNING]
CODE_PREFIX = catalogue.CODE_SUBJECT + ":"  # "科目:类::一般公共服务支出" (locate) / "科目:住房公积金" (quotable)


@dataclass(frozen=True)
class Located:
    """A subject's amount as printed: the value, the unit its table is printed in, the cells it rests on
    (first: the amount itself) and, for a share, the total it is a share of."""

    value: Optional[Decimal]
    unit: str
    cells: Tuple[CellRef, ...]
    kind: str  # table kind
    title: str  # the table's title (its sheet name when it printed none)
    total: Optional[CellRef] = None

    @property
    def cell(self) -> CellRef:
        return self.cells[0]

    @property
    def page(self) -> Optional[int]:
        return self.cells[0].page

    def where(self, doc: Document) -> str:
        """"<file> <table title> 第N页": where a reader finds the figure."""
        return _citation(doc.source, self.title, self.page)


def cite(source: str, t: Table, page: Optional[int]) -> str:
    """Where a value comes from: file, table and page (``2019年预算.pdf 收支预算总表 第4页``)."""
    return _citation(source, t.title or catalogue.sheet_name(t.kind), page)


def _citation(source: str, title: str, page: Optional[int]) -> str:
    return f"{os.path.basename(source or '')} {title}" + (f" 第{page}页" if page else "")


class _Refs:
    """CellRefs into one document's tables (keys as the workbook names its sheets)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.keys = table_keys(doc)

    def ref(self, t: Table, i: int, j: int) -> CellRef:
        return CellRef(self.keys[id(t)], i, j, t.rows[i].page if i < len(t.rows) else None)

    def located(self, t: Table, i: int, j: int, total: Optional[CellRef] = None,
                value: Optional[Decimal] = None) -> Located:
        """The figure at (i, j); ``value`` when it is not the cell's own (a sum of rows, a blank read as 0)."""
        if value is None:
            cells = t.rows[i].cells if i < len(t.rows) else []
            value = cells[j].value if j < len(cells) else None
        return Located(value, unit_of(self.doc, t), (self.ref(t, i, j),), t.kind,
                       t.title or catalogue.sheet_name(t.kind), total)


def unit_of(doc: Document, t: Optional[Table]) -> str:
    """The unit a table is printed in: its own unit line, else the document's, else 万元."""
    return (t.unit if t is not None else None) or doc.unit or COMMON_UNIT


def _of(t: Table, *families: str) -> bool:
    """Is the table of one of these comparison families (T03 = 支出总表 and 支出决算表) or kinds?"""
    return catalogue.family_key(t.kind) in families


def _kinds_of(*families: str) -> List[str]:
    """The catalogue's kinds of these families, in catalogue order (budget kind before its 决算 one)."""
    return [e.kind for e in catalogue.CATALOGUE if catalogue.family_key(e.kind) in families]


def _first_of(doc: Document, *families: str) -> Optional[Table]:
    """The first table of these families the document prints (in catalogue order)."""
    for k in _kinds_of(*families):
        t = doc.table(k)
        if t is not None:
            return t
    return None


# ----------------------------------------------------------------- labels and columns

NUMBERING_RE = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+[.．、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)


def norm_label(s: Optional[str]) -> str:
    """Name as a key: no spaces, no numbering (一、 1. （一） ①), full-width parentheses, no quotes."""
    t = squeeze(s).replace("(", "（").replace(")", "）")
    for ch in "“”\"'‘’":
        t = t.replace(ch, "")
    prev = None
    while prev != t:
        prev = t
        t = NUMBERING_RE.sub("", t)
    return t


def is_label_text(text: str) -> bool:
    t = squeeze(text)
    return bool(t) and not looks_numeric(t) and t not in ("——", "—", "--", "-")


def amount_cols(t: Table) -> List[int]:
    """Columns holding at least one amount."""
    return [j for j in range(t.n_cols) if any(j < len(r.cells) and r.cells[j].value is not None for r in t.rows)]


# ----------------------------------------------------------------- locate: THE figure of a subject

def _total_row(t: Table) -> Optional[int]:
    for i, r in enumerate(t.rows):
        if r.code:
            continue
        first = next((squeeze(c.text) for c in r.cells if squeeze(c.text)), "")
        if GRAND_TOTAL_RE.match(first) or (r.is_total and GRAND_TOTAL_RE.match(squeeze(r.name))):
            return i
    data = [i for i, r in enumerate(t.rows) if any(c.value is not None for c in r.cells)]
    if len(data) == 1:
        return data[0]
    return None


def _col(t: Table, *rxs: str) -> Optional[int]:
    for rx in rxs:
        for j, c in enumerate(t.columns):
            if re.search(rx, squeeze(c).replace("“", "").replace("”", "")):
                return j
    return None


def _labeled(t: Table, rx: str) -> Optional[Tuple[Decimal, int, int]]:
    """Value printed next to (right of, else below) a label cell matching ``rx``."""
    pat = re.compile(rx)
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if c.value is not None or not pat.search(norm_label(c.text)):
                continue
            for k in range(j + 1, len(r.cells)):
                x = r.cells[k]
                if x.value is not None:
                    return x.value, i, k
                if is_label_text(x.text):
                    break
            for ii in range(i + 1, len(t.rows)):
                cells = t.rows[ii].cells
                if j >= len(cells):
                    break
                x = cells[j]
                if x.value is not None:
                    return x.value, ii, j
                if is_label_text(x.text):
                    break
    return None


def _side_total(t: Table, side: str) -> Optional[Tuple[Decimal, int, int]]:
    """"总计" printed on both halves of a 收支总表: the income one left, the expense one right."""
    if not _of(t, "T01", "T04", "other"):
        return None
    amounts = amount_cols(t)
    hits = []
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if c.value is None and norm_label(c.text) == "总计":
                hits.append((i, j))
    if not amounts or not hits:
        return None
    first_amount = min(amounts)
    want = [h for h in hits if (h[1] < first_amount) == (side == "收入")]
    for i, j in want:
        for k in range(j + 1, len(t.rows[i].cells)):
            x = t.rows[i].cells[k]
            if x.value is not None:
                return x.value, i, k
            if is_label_text(x.text):
                break
    return None


def _f10_running_costs(t: Table) -> Optional[Tuple[Decimal, int, int]]:
    """公开10表: the 机关运行经费 section lists 行政单位 / 参公事业单位 rows; their sum."""
    amounts = amount_cols(t)
    if not amounts:
        return None
    k = max(amounts)  # the 统计数 column is the last one (行次 numbers may look like amounts)
    start = None
    total: Optional[Decimal] = None
    where: Optional[Tuple[int, int]] = None
    for i, r in enumerate(t.rows):
        first = next((squeeze(c.text) for c in r.cells if squeeze(c.text)), "")
        if start is None:
            if norm_label(first).startswith("机关运行经费") and all(c.value is None for c in r.cells):
                start = i
            continue
        if re.match(r"^[一二三四五六七八九十]+、", first):
            break
        v = r.cells[k].value if k < len(r.cells) else None
        if v is not None:
            total = v if total is None else total + v
            where = where or (i, k)
    if total is None or where is None:
        return None
    return total, where[0], where[1]


def _total_col_value(t: Table, col_rxs: Sequence[str], prefer: Optional[str] = None) -> Optional[Tuple[Decimal, int, int]]:
    ti = _total_row(t)
    if ti is None:
        return None
    j = None
    if prefer:
        j = _col(t, *[f"{prefer}.*{rx.rstrip('$')}$" for rx in col_rxs]) if prefer else None
    if j is None:
        j = _col(t, *col_rxs)
    if j is None or j >= len(t.rows[ti].cells):
        return None
    v = t.rows[ti].cells[j].value
    return (v, ti, j) if v is not None else None



def _candidates(doc: Document, subject: str) -> List[Table]:
    """The tables a subject is looked for in: its catalogue kinds in order, then the fallback tables."""
    if subject.startswith(CODE_PREFIX):
        return [t for k in catalogue.lookup_kinds(catalogue.CODE_SUBJECT) for t in doc.tables_of(k) if not t.empty]
    pref = catalogue.lookup_kinds(subject)
    out = [t for k in pref for t in doc.tables_of(k) if not t.empty]
    out += [t for t in doc.tables if t not in out and not t.empty and not t.kind.startswith("p_")
            and catalogue.searched_by_fallback(t.kind) and t.kind not in pref]
    return out


def locate(doc: Document, subject: str) -> Optional[Located]:
    """The amount of ``subject`` printed in ``doc`` (None: not found). ``subject`` is a subject name
    (收入总计, 三公经费, 一般公共服务支出 …) or a code item "科目:<类|款|项>:<parent>:<name>"."""
    final = doc.kind == FINAL
    refs: Optional[_Refs] = None
    for t in _candidates(doc, subject):
        got = _lookup_in(t, subject, final)
        if got is not None:
            refs = refs or _Refs(doc)
            return refs.located(t, got[1], got[2], value=got[0])
    return None


def main_totals(doc: Document) -> Dict[str, Located]:
    """subject -> where it is printed, for the main totals of one document (those found)."""
    out = {}
    for s in MAIN_SUBJECTS:
        got = locate(doc, s)
        if got is not None:
            out[s] = got
    return out


_CODE_LEN = {"类": 3, "款": 5, "项": 7}


def _lookup_code_item(t: Table, subject: str) -> Optional[Tuple[Decimal, int, int]]:
    _, level, parent, name = subject.split(":", 3)
    n = _CODE_LEN[level]
    rows = [(i, r) for i, r in enumerate(t.rows) if r.code and len(r.code) == n and norm_label(r.name) == name]
    if parent and len(rows) > 1:
        names = {r.code: norm_label(r.name) for r in t.rows if r.code}
        rows = [(i, r) for i, r in rows if names.get(r.code[:5]) == parent] or rows
    if not rows:
        return None
    j = _col(t, r"(^|/)(本年支出/)?(合计|小计)$", r"^合计$", r"金额$")
    if j is None:
        am = amount_cols(t)
        j = am[0] if am else None
    i, r = rows[0]
    if j is None or j >= len(r.cells):
        return None
    v = r.cells[j].value
    return (v if v is not None else Decimal(0)), i, j


def _lookup_in(t: Table, subject: str, final: bool) -> Optional[Tuple[Decimal, int, int]]:
    if subject.startswith("科目:"):
        return _lookup_code_item(t, subject)
    if subject in ("收入总计", "支出总计"):
        side = subject[:2]
        got = _labeled(t, rf"^{side}总计$") or _side_total(t, side)
        if got:
            return got
        for rx in (rf"^{side}合计$", rf"^本年{side}合计$"):
            got = _labeled(t, rx)
            if got:
                return got
        if subject == "支出总计" and _of(t, "T03", "other"):
            if _col(t, r"基本支出$") is not None:
                return _total_col_value(t, [r"(^|/)(本年支出)?合计$", r"^合计$"])
        if subject == "收入总计" and _of(t, "T02"):
            return _total_col_value(t, [r"(^|/)(本年收入)?合计$", r"^合计$"])
        return None
    if subject in ("基本支出", "项目支出"):
        got = _total_col_value(t, [rf"(^|/){subject}$"])
        if got:
            return got
        if _of(t, "T03") or _col(t, r"基本支出$") is not None:
            return None  # a 支出总表 without a total for this column
        return _labeled(t, rf"^{subject}$")
    if subject == "三公经费":
        pref = "决算" if final else None
        got = _total_col_value(t, [r"三公经费/(小计|合计)$", r"三公经费(小计|合计)$"], pref)
        if got:
            return got
        got = _labeled(t, r"^三公经费(合计|小计)?$")
        if got and _of(t, "T10"):
            return got
        if _of(t, "T10"):
            has_extra = any(re.search(r"会议费|培训费", c) for c in t.columns) or _labeled(t, r"^(会议费|培训费)$")
            if not has_extra:
                got = _total_col_value(t, [r"(^|/)合计$"], pref)
                if got:
                    return got
                ti = _total_row(t)
                if ti is not None:
                    am = amount_cols(t)
                    if final:
                        am = [j for j in am if "决算" in t.columns[j]] or am
                    if am and t.rows[ti].cells[am[0]].value is not None:
                        return t.rows[ti].cells[am[0]].value, ti, am[0]
        return None
    if subject == "机关运行经费":
        j = _col(t, r"机关运行经费")
        if t.kind == "b11" or j is not None:
            ti = None
            for i, r in enumerate(t.rows):
                first = next((squeeze(c.text) for c in r.cells if squeeze(c.text)), "")
                if GRAND_TOTAL_RE.match(first):
                    ti = i
                    break
            if ti is None:
                ti = _total_row(t)
            if ti is not None:
                if j is None:
                    j = _col(t, r"(^|/)合计$")
                if j is None:
                    am = amount_cols(t)
                    j = am[0] if am else None
                if j is not None and t.rows[ti].cells[j].value is not None:
                    return t.rows[ti].cells[j].value, ti, j
                # the amount printed under a neighbouring column of the same header
                same = [k for k, c in enumerate(t.columns) if j is not None and c == t.columns[j]]
                for k in same:
                    if k < len(t.rows[ti].cells) and t.rows[ti].cells[k].value is not None:
                        return t.rows[ti].cells[k].value, ti, k
        if t.kind == "f10":
            return _labeled(t, r"^机关运行经费(支出)?(合计)?$") or _f10_running_costs(t)
        return None
    if subject in ("人员经费", "公用经费"):
        got = _total_col_value(t, [rf"(^|/){subject}$"])
        if got:
            return got
        if _of(t, "T06", "b06a"):
            return _labeled(t, rf"^{subject}(合计)?$")
        return None
    if subject == "一般公共预算":
        if _of(t, "T05"):
            return _total_col_value(t, [r"(^|/)(本年支出/)?(合计|小计)$", r"^合计$"])
        return _labeled(t, r"^一般公共预算(拨款|财政拨款)?(收入|资金)?$")
    if subject in _SANGONG_PARTS:
        if not _of(t, "T10"):
            return None
        col_rx, label_rx = _SANGONG_PARTS[subject]
        got = _total_col_value(t, [col_rx], "决算" if final else None)
        if got:
            return got
        return _labeled(t, label_rx)
    # a function class (一般公共服务支出 ...): the 类 row of the 支出总表
    code = next((c for c, nm in CLASSES.items() if nm == subject), None)
    if code and _of(t, "T03", "other"):
        j = _col(t, r"(^|/)(本年支出)?合计$", r"^合计$", r"金额$")
        for i, r in enumerate(t.rows):
            if r.code == code and j is not None and j < len(r.cells) and r.cells[j].value is not None:
                return r.cells[j].value, i, j
    if _of(t, "T01"):
        return _labeled(t, rf"^{re.escape(subject)}$")
    return None


_SANGONG_PARTS = {
    # subject: (column regex in a wide table, row label regex in a tall one)
    "因公出国（境）费": (r"因公出国（?(境)?）?费$", r"^因公出国（?(境)?）?费$"),
    "公务接待费": (r"公务接待费$", r"^公务接待费$"),
    "公务用车购置及运行费": (r"公务用车购置及运行(维护)?费(/(小计|合计))?$", r"^公务用车购置及运行(维护)?费$"),
    "公务用车购置费": (r"(^|/)(公务用车)?购置费$", r"^(公务用车)?购置费$"),
    "公务用车运行维护费": (r"(^|/)(公务用车)?运行(维护)?费$", r"^(公务用车)?运行(维护)?费$"),
}



# ----------------------------------------------------------------- quotable: every figure a narrative may quote

def head_total_row(t: Table) -> Optional[int]:
    """The grand total row, found by its label in the first two cells (a coded row never is one)."""
    for i, r in enumerate(t.rows):
        first = next((squeeze(c.text) for c in r.cells[:2] if c.text.strip()), "")
        if not r.code and GRAND_TOTAL_RE.match(first):
            return i
    return None


def col_named(t: Table, *rxs: str) -> Optional[int]:
    """The first column whose name (white space removed) matches one of ``rxs``, tried in order."""
    for rx in rxs:
        for j, c in enumerate(t.columns):
            if re.search(rx, squeeze(c)):
                return j
    return None


def find_label(t: Table, pattern: str, col: Optional[int] = None) -> Optional[Tuple[int, int]]:
    """(row, column) of the first body cell (in column ``col``, if given) whose text matches ``pattern``."""
    rx = re.compile(pattern)
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if col is not None and j != col:
                continue
            if rx.search(squeeze(c.text)):
                return i, j
    return None


def value_col_after(t: Table, i: int, j: int) -> Optional[int]:
    """The column holding the value of a label cell: the first amount right of it, before
    the next label; failing that, the first amount-capable (blank) column right of it."""
    cells = t.rows[i].cells
    for k in range(j + 1, len(cells)):
        if cells[k].value is not None:
            return k
        if cells[k].text.strip() and not re.match(r"^[\d.,-]*$", cells[k].text.strip()) and not cells[k].is_dash:
            break
    for k in range(j + 1, len(t.rows[i].cells)):
        if t.rows[i].cells[k].value is not None or re.search(r"金额|合计|\d{4}年|预算数|决算数|小计", t.columns[k] or ""):
            if t.rows[i].cells[k].value is None and t.rows[i].cells[k].text.strip() and not re.match(r"^[\d.,-]*$", t.rows[i].cells[k].text):
                return None
            return k
    return None


def _label_pos(t: Optional[Table], pattern: str) -> Optional[Tuple[int, int]]:
    """(row, column) of the amount printed for a label."""
    if t is None:
        return None
    pos = find_label(t, pattern)
    if not pos:
        return None
    k = value_col_after(t, *pos)
    return (pos[0], k) if k is not None else None


# 三公 in a 预算 table: subject, row label (tall table), columns in order of preference (wide table).
# The 三公 小计 before the table's 合计: a table of "三公经费、会议费、培训费" totals all five.
_SANGONG_ROWS = (
    (catalogue.SANGONG, r"^(合计|“?三公”?经费合计)$", (r"三公.*小计$", r"^合计$")),
    (catalogue.ABROAD, r"因公出国", (r"因公出国",)),
    (catalogue.RECEPTION, r"公务接待", (r"公务接待",)),
    (catalogue.VEHICLES, r"公务用车购置及运行", (r"公务用车购置及运行.*小计$",)),
    (catalogue.VEHICLE_PURCHASE, r"^①?公务用车购置费$|^购置费$", (r"/公务用车购置费$|/购置费$",)),
    (catalogue.VEHICLE_RUNNING, r"^②?公务用车运行维护费$|^运行维护费$", (r"公务用车运行维护费$|/运行维护费$",)),
)
CLASS_NAMES = set(CLASSES.values())
GENERAL_PREFIX = catalogue.GENERAL_BUDGET + ":"  # "一般公共预算:基本支出": the figure of that fund only


def quotable(doc: Document) -> Dict[str, List[Located]]:
    """subject -> every table figure a narrative amount of that subject may refer to (``total``: the total
    a share of it is computed against). Keys: subject names, 类 names, "科目:<name>" for coded items,
    "一般公共预算:<subject>" for that fund's figure, 收入预算/支出预算 for the totals."""
    refs = _Refs(doc)
    out: Dict[str, List[Located]] = {}

    def add(subj: str, t: Table, i: int, j: int, total: Optional[CellRef] = None) -> None:
        out.setdefault(subj, []).append(refs.located(t, i, j, total))

    _spending_targets(doc, refs, add)
    _summary_class_targets(doc, add)
    _economic_targets(doc, refs, add)
    _sangong_targets(doc, add)
    b11 = doc.table("b11")
    if b11:
        tot = find_label(b11, r"^(部门合计|合计)$", col=0)
        am = amount_cols(b11)
        if tot and am:
            add(catalogue.RUNNING, b11, tot[0], am[0])
    b01 = _first_of(doc, "T01")
    if b01:
        for subj, rx in ((catalogue.INCOME_TOTAL, r"^收入总计$|^收入合计$"),
                         (catalogue.EXPENSE_TOTAL, r"^支出总计$|^支出合计$")):
            pos = _label_pos(b01, rx)
            if pos is not None:
                add(subj, b01, *pos)
                add("收入预算" if subj == catalogue.INCOME_TOTAL else "支出预算", b01, *pos)
    return out


def _spending_targets(doc: Document, refs: _Refs, add) -> None:
    """支出总表 and 一般公共预算支出表: 基本/项目支出, every coded item, the 类 (as shares of the 合计)."""
    b03 = _first_of(doc, "T03")
    b05 = _first_of(doc, "T05", "b05a")
    for t, prefix in ((b03, ""), (b05, GENERAL_PREFIX)):
        if not t:
            continue
        ti = head_total_row(t)
        jt = col_named(t, r"/合计$", r"^合计$", r"本年支出合计", r"小计$", r"金额$")
        if ti is None or jt is None:
            continue
        total = refs.ref(t, ti, jt)
        for subj in (catalogue.BASIC, catalogue.PROJECT):
            j = col_named(t, subj + "$")
            if j is not None:
                add(prefix + subj, t, ti, j, total)
                if prefix:
                    add(subj, t, ti, j, total)
        # any coded item named with its level in the narrative: "住房公积金（项）支出965.87万元"
        for i, r in enumerate(t.rows):
            if r.code and r.name:
                for j in amount_cols(t):
                    if r.cells[j].value is not None:
                        add(CODE_PREFIX + re.sub(r"支出$", "", squeeze(r.name)), t, i, j, refs.ref(t, ti, j))
        # 类: "社会保障和就业支出47.36万元，占14.37%" — of the 合计, or of the 基本支出 column
        for i, r in enumerate(t.rows):
            if r.code and len(r.code) == 3 and r.name:
                for j in amount_cols(t):
                    if r.cells[j].value is not None:
                        add(squeeze(r.name), t, i, j, refs.ref(t, ti, j))


def _summary_class_targets(doc: Document, add) -> None:
    """收支总表 / 财政拨款收支总表: 类 on the expense side (all funds, with carry-over)."""
    for tb in (doc.table(k) for k in _kinds_of("T01", "T04")):
        if not tb:
            continue
        for i, r in enumerate(tb.rows):
            for j, c in enumerate(r.cells):
                m = re.match(r"^[一二三四五六七八九十]+、(.+支出)$", squeeze(c.text))
                if m and m.group(1) in CLASS_NAMES:
                    for k in range(j + 1, len(r.cells)):
                        if r.cells[k].value is not None:
                            add(m.group(1), tb, i, k)
                            add(CODE_PREFIX + m.group(1)[:-2], tb, i, k)
                        elif r.cells[k].text.strip():
                            break


def _economic_targets(doc: Document, refs: _Refs, add) -> None:
    """基本支出经济科目表: 人员经费 / 公用经费 (as shares of its 合计)."""
    b06 = _first_of(doc, "T06")
    if not b06:
        return
    ti = head_total_row(b06)
    jt = col_named(b06, r"/合计$", r"^合计$")
    for subj in (catalogue.PERSONNEL, catalogue.PUBLIC_USE):
        if ti is not None:
            j = col_named(b06, subj + "$", subj)
            if j is not None:
                add(subj, b06, ti, j, refs.ref(b06, ti, jt) if jt is not None else None)
        pos = _label_pos(b06, f"^{subj}合计$")  # 决算 公开06: "人员经费合计 393.45"
        if pos is not None:
            add(subj, b06, *pos)


def _sangong_targets(doc: Document, add) -> None:
    """三公经费预算表: the total and its parts, from a tall table's rows or a one-row wide table's columns."""
    b10 = doc.table("b10")
    if not (b10 and b10.rows):
        return
    am = amount_cols(b10)
    for subj, row_rx, col_rxs in _SANGONG_ROWS:
        pos = find_label(b10, row_rx, col=0)
        if pos and am:
            add(subj, b10, pos[0], am[0])
            continue
        j = col_named(b10, *col_rxs)
        if j is not None and len(b10.rows) <= 3:
            add(subj, b10, 0, j)
