"""Pure rule engine: every identity of domain.md as data.

Rules produce :class:`Check` objects (``total = Σ sign·term``) that are both
evaluated here, rounding-aware in the spirit of XBRL Calculations 1.1, and
rendered as native formulas in the 校验 sheet by the workbook adapter. Failing
checks become :class:`~xlbudget.model.Finding` with the cells involved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from xlbudget.codes import CLASSES, parent_of
from xlbudget.model import CellRef, Document, Finding, Table, table_keys
from xlbudget.numbers import COMMON_UNIT, consistent, fmt, half_ulp, half_ulp_wan, printed_percent_ok, to_wan
from xlbudget.subjects import quotable
from xlbudget.vocabulary import GRAND_TOTAL_RE
from xlbudget.checks.perf import execution_rate_ok, grade_of, norm_project, read_self_evaluation, read_target_form

CLASS_NAMES = set(CLASSES.values())
ECON_CLASSES = {
    "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "其他支出",
    "对企业补助", "债务利息及费用支出", "机关工资福利支出", "机关商品和服务支出",
    "机关资本性支出（一）", "机关资本性支出（二）", "对事业单位经常性补助", "对事业单位资本性补助",
}


@dataclass
class Check:
    id: str
    severity: str
    label: str  # human description
    total: CellRef
    terms: List[CellRef]
    signs: List[int] = field(default_factory=list)
    # filled by evaluate()
    ok: Optional[bool] = None
    total_value: Optional[Decimal] = None
    sum_value: Optional[Decimal] = None
    diff: Optional[Decimal] = None
    tol: Optional[Decimal] = None


def _norm(s: str) -> str:
    return "".join((s or "").split())


class _Ctx:
    def __init__(self, doc: Document):
        self.doc = doc
        self.keys: Dict[int, str] = table_keys(doc)

    def key(self, t: Table) -> str:
        return self.keys[id(t)]

    def ref(self, t: Table, i: int, j: int) -> CellRef:
        return CellRef(self.key(t), i, j, t.rows[i].page if i < len(t.rows) else None)

    def table_by_key(self, key: str) -> Optional[Table]:
        for t in self.doc.tables:
            if self.keys[id(t)] == key:
                return t
        return None

    def value(self, r: CellRef) -> Optional[Decimal]:
        t = self.table_by_key(r.table)
        if t is None or r.row >= len(t.rows) or r.col >= len(t.rows[r.row].cells):
            return None
        return t.rows[r.row].cells[r.col].value


# ---------------------------------------------------------------- helpers

def _amount_cols(t: Table) -> List[int]:
    out = []
    for j in range(t.n_cols):
        if any(j < len(r.cells) and r.cells[j].value is not None for r in t.rows):
            out.append(j)
    return out


def _total_row(t: Table) -> Optional[int]:
    for i, r in enumerate(t.rows):
        first = next((_norm(c.text) for c in r.cells[:2] if c.text.strip()), "")
        if not r.code and GRAND_TOTAL_RE.match(first):
            return i
    return None


def _group(col: str) -> str:
    return col.rsplit("/", 1)[0] if "/" in col else ""


def _leaf(col: str) -> str:
    return col.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- rules

def _tree_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """Parent row = sum of its children, for every amount column; 合计 = sum of 类."""
    checks: List[Check] = []
    coded = [(i, r) for i, r in enumerate(t.rows) if r.code]
    if len(coded) < 2:
        return checks
    cols = _amount_cols(t)
    children: Dict[str, List[int]] = {}
    index: Dict[str, int] = {}
    for i, r in coded:
        index.setdefault(r.code, i)
    for i, r in coded:
        p = parent_of(r.code)
        if p and p in index:
            children.setdefault(p, []).append(i)
    for p, kids in children.items():
        pi = index[p]
        for j in cols:
            terms = [ctx.ref(t, k, j) for k in kids]
            checks.append(Check("TREE", "error", f"{t.rows[pi].code} {t.rows[pi].name or ''} = 下级科目之和 [{t.columns[j]}]",
                                ctx.ref(t, pi, j), terms))
    ti = _total_row(t)
    tops = [i for i, r in coded if len(r.code) == 3]
    if ti is not None and tops:
        for j in cols:
            checks.append(Check("TREE", "error", f"合计 = 各类之和 [{t.columns[j]}]", ctx.ref(t, ti, j),
                                [ctx.ref(t, k, j) for k in tops]))
    return checks


def _econ_tree_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """Economic tables printed by name: a class row = sum of the rows under it; 合计 = sum of classes."""
    checks: List[Check] = []
    name_col = 0
    cols = [j for j in _amount_cols(t) if j != name_col]
    groups: List[Tuple[int, List[int]]] = []
    for i, r in enumerate(t.rows):
        nm = _norm(r.cells[name_col].text)
        code = r.code
        is_class = nm in ECON_CLASSES and (not r.cells[1].text.strip() if len(r.cells) > 1 else True)
        if code and len(code) == 3:
            is_class = True
        if is_class:
            groups.append((i, []))
        elif groups and not r.is_total and (r.cells[name_col].text.strip()):
            groups[-1][1].append(i)
    groups = [g for g in groups if g[1]]
    for gi, kids in groups:
        for j in cols:
            checks.append(Check("TREE", "error", f"{_norm(t.rows[gi].cells[name_col].text)} = 明细之和 [{t.columns[j]}]",
                                ctx.ref(t, gi, j), [ctx.ref(t, k, j) for k in kids]))
    ti = _total_row(t)
    if ti is not None and groups:
        for j in cols:
            checks.append(Check("TREE", "error", f"合计 = 各经济分类之和 [{t.columns[j]}]", ctx.ref(t, ti, j),
                                [ctx.ref(t, g[0], j) for g in groups]))
    return checks


_SUM_COL_RE = re.compile(r"(合计|小计|本年支出合计|本年收入合计|总计)$")


def _split_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """Row-wise: a 合计 column = the amount columns of its group (合计 = 基本 + 项目, ...)."""
    checks: List[Check] = []
    amount = set(_amount_cols(t))
    if t.kind in ("b01", "f01", "f10") or t.kind.startswith("p"):
        return checks
    for j, c in enumerate(t.columns):
        if not _SUM_COL_RE.search(_leaf(c)) or j not in amount:
            continue
        g = _group(c)
        sibs = [k for k, c2 in enumerate(t.columns) if k != j and k > j and _group(c2) == g and g
                and "上年结转" not in c2 and not _SUM_COL_RE.search(_leaf(c2))]
        if len(sibs) < 2:
            sibs = [k for k in range(j + 1, t.n_cols) if "上年结转" not in t.columns[k] and "结转" not in _leaf(t.columns[k])
                    and not re.search(r"编码|名称|代码", t.columns[k])]
            # stop at the next 合计 column
            cut = [k for k in sibs if _SUM_COL_RE.search(_leaf(t.columns[k]))]
            if cut:
                sibs = [k for k in sibs if k < cut[0]]
        if t.kind in ("b10", "f09"):
            continue  # 三公 has its own rule
        if len(sibs) < 2 and not (len(sibs) == 1 and t.kind in ("b06", "f06")):
            continue
        for i, r in enumerate(t.rows):
            if r.cells[j].value is None and all(r.cells[k].value is None for k in sibs):
                continue
            checks.append(Check("SPLIT", "error",
                                f"{r.code or _norm(r.name or '') or '行' + str(i + 1)}: {_leaf(c)} = " + " + ".join(_leaf(t.columns[k]) for k in sibs),
                                ctx.ref(t, i, j), [ctx.ref(t, i, k) for k in sibs]))
        break
    return checks


def _find_label(t: Table, pattern: str, col: Optional[int] = None) -> Optional[Tuple[int, int]]:
    rx = re.compile(pattern)
    for i, r in enumerate(t.rows):
        for j, c in enumerate(r.cells):
            if col is not None and j != col:
                continue
            if rx.search(_norm(c.text)):
                return i, j
    return None


def _value_col_after(t: Table, i: int, j: int) -> Optional[int]:
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


def _summary_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """收支总表: income items, expense 类, 本年收入合计 = 本年支出合计, 收入总计 = 支出总计."""
    checks: List[Check] = []
    inc_tot = _find_label(t, r"^本年收入合计$|^(本年|当年)收入小计$") or _find_label(t, r"^收入合计$")
    exp_tot = _find_label(t, r"^本年支出合计$|^(本年|当年)支出小计$") or _find_label(t, r"^支出合计$")
    grand_in = _find_label(t, r"^收入总计$") or (_find_label(t, r"^收入合计$") if inc_tot and _norm(t.rows[inc_tot[0]].cells[inc_tot[1]].text) != "收入合计" else None)
    grand_out = _find_label(t, r"^支出总计$") or (_find_label(t, r"^支出合计$") if exp_tot and _norm(t.rows[exp_tot[0]].cells[exp_tot[1]].text) != "支出合计" else None)
    if inc_tot:
        i, j = inc_tot
        k = _value_col_after(t, i, j)
        items = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", _norm(t.rows[a].cells[j].text))]
        if k is not None and items:
            checks.append(Check("SUMMARY", "error", "本年收入合计 = 各项收入之和", ctx.ref(t, i, k), [ctx.ref(t, a, k) for a in items]))
    if exp_tot:
        i, j = exp_tot
        k = _value_col_after(t, i, j)
        items = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", _norm(t.rows[a].cells[j].text))]
        # a second expense grouping (支出用途: 基本支出 / 项目支出 ...) printed in another label column
        for j2 in range(j + 1, t.n_cols):
            items2 = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", _norm(t.rows[a].cells[j2].text))]
            if len(items2) >= 2 and k is not None:
                k2 = next((x for x in range(j2 + 1, t.n_cols) if any(t.rows[a].cells[x].value is not None for a in items2)), None)
                if k2 is not None:
                    tk = k2 if t.rows[i].cells[k2].value is not None else k
                    # the column holds nothing but these items; rect-drawn grids may put an
                    # item's amount on a strip row without its label, so take the whole column
                    terms = [a for a in range(min(items2), i) if t.rows[a].cells[k2].value is not None]
                    checks.append(Check("SUMMARY", "error", "本年支出合计 = 按支出用途各项之和", ctx.ref(t, i, tk),
                                        [ctx.ref(t, a, k2) for a in terms]))
                break
        if items:
            k_items = next((x for x in range(j + 1, t.n_cols) if any(t.rows[a].cells[x].value is not None for a in items)), None)
            if k_items is not None and t.rows[i].cells[k_items].value is None and k is not None and k != k_items:
                checks.append(Check("SUMMARY", "error", "本年支出合计 = 各类支出之和（功能分类）", ctx.ref(t, i, k),
                                    [ctx.ref(t, a, k_items) for a in items]))
                items = []
        if k is not None and items:
            for kk in [k] + [x for x in range(k + 1, t.n_cols) if re.search(r"预算|安排|合计|小计|金额|决算", t.columns[x])]:
                if kk >= t.n_cols:
                    continue
                checks.append(Check("SUMMARY", "error", f"本年支出合计 = 各类支出之和 [{t.columns[kk]}]", ctx.ref(t, i, kk),
                                    [ctx.ref(t, a, kk) for a in items]))
        # 合计 = 当年预算安排 + 上年结转安排 (预算收支总表)
        cols = t.columns
        cur = next((x for x, c in enumerate(cols) if "当年预算安排" in c or "本年预算安排" in c), None)
        carry = next((x for x, c in enumerate(cols) if "上年结转安排" in c), None)
        if k is not None and cur is not None and carry is not None:
            for a in items + [i]:
                r = t.rows[a]
                if r.cells[k].value is None and r.cells[cur].value is None and r.cells[carry].value is None:
                    continue
                checks.append(Check("SPLIT", "error", f"{_norm(r.cells[j].text)}: 合计 = 当年预算安排 + 上年结转安排",
                                    ctx.ref(t, a, k), [ctx.ref(t, a, cur), ctx.ref(t, a, carry)]))
            if inc_tot:
                ii, ij = inc_tot
                ik = _value_col_after(t, ii, ij)
                if ik is not None:
                    checks.append(Check("BALANCE", "error", "本年收入合计 = 本年支出合计（当年预算安排）",
                                        ctx.ref(t, ii, ik), [ctx.ref(t, i, cur)]))
        elif inc_tot and k is not None and t.kind.startswith("b") and not _has_carry(t):
            ii, ij = inc_tot
            ik = _value_col_after(t, ii, ij)
            if ik is not None:
                checks.append(Check("BALANCE", "error", "本年收入合计 = 本年支出合计", ctx.ref(t, ii, ik), [ctx.ref(t, i, k)]))
    # 总计 rows: "收入总计"/"支出总计", or "总计" on each side (决算总表)
    if not grand_in and inc_tot:
        grand_in = _find_label(t, r"^总计$", col=inc_tot[1])
    if not grand_out and exp_tot:
        grand_out = _find_label(t, r"^总计$", col=exp_tot[1])
    k1 = _value_col_after(t, *grand_in) if grand_in else None
    k2 = _value_col_after(t, *grand_out) if grand_out else None
    if k1 is not None and k2 is not None:
        checks.append(Check("BALANCE", "error", "收入总计 = 支出总计", ctx.ref(t, grand_in[0], k1),
                            [ctx.ref(t, grand_out[0], k2)]))
    # 总计 = 本年合计 + carry-over lines (上年结转 / 年初结转和结余 / 结余分配 / 年末结转和结余 …)
    for side, tot, grand, kg in (("收入", inc_tot, grand_in, k1), ("支出", exp_tot, grand_out, k2)):
        if not tot or not grand or kg is None or grand[0] <= tot[0]:
            continue
        ti, tj = tot
        tk = _value_col_after(t, ti, tj)
        if tk is None:
            continue
        gj = grand[1]
        lines = [x for x in range(ti + 1, grand[0])
                 if re.search(r"结转|结余|结存|非财政拨款", _norm(t.rows[x].cells[gj].text))
                 and not re.match(r"^[一二三四五六七八九十]+、", _norm(t.rows[x].cells[gj].text))]
        checks.append(Check("BALANCE", "error", f"{side}总计 = 本年{side}合计 + 结转结余",
                            ctx.ref(t, grand[0], kg),
                            [ctx.ref(t, ti, tk)] + [ctx.ref(t, x, kg) for x in lines]))
    return checks


def _has_carry(t: Table) -> bool:
    """Does a 收支总表 print a non-zero carry-over (上年结转 / 年初结转和结余)?"""
    for r in t.rows:
        for j, c in enumerate(r.cells):
            if re.search(r"上年.*结转|年初结转|结转和结余", _norm(c.text)):
                if any(x.value for x in r.cells[j + 1:j + 2]) or any(x.value for x in r.cells if x.value):
                    return True
    return False


def _sangong_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费; 公务用车 = 购置费 + 运行费."""
    checks: List[Check] = []
    # wide layout: one column each, possibly in groups (预算数 / 决算数, “三公”经费 / 会议费 …)
    names = [_norm(c) for c in t.columns]
    # rect-drawn headers cut words into pieces ("因公出/国（境）/费"): match on the joined text
    flat = lambda r: r.replace("/", "")  # noqa: E731
    prefixes: List[str] = []
    for n in names:
        p = n.split("/", 1)[0] if "/" in n else ""
        if p not in prefixes:
            prefixes.append(p)
    found_wide = False
    group_totals: Dict[str, int] = {}
    for p in prefixes:
        members = [(j, n[len(p) + 1:] if p else n) for j, n in enumerate(names)
                   if (p and n.startswith(p + "/")) or (not p and "/" not in n)]

        loose = [(j, n) for j, n in enumerate(names) if "/" not in n]  # ungrouped columns

        def pick(pred):
            hit = next((j for j, rest in members if pred(rest)), None)
            if hit is None and p:
                hit = next((j for j, n in loose if pred(n)), None)
            return hit

        tot = pick(lambda r: r in ("合计", "小计") or flat(r) in ("合计小计",))
        abroad = pick(lambda r: "因公出国" in flat(r))
        car = pick(lambda r: flat(r).startswith("公务用车购置及运行") and (r.endswith("/小计") or "/" not in r
                                                                    or flat(r).endswith("小计费")))
        recv = pick(lambda r: "公务接待" in flat(r))
        buy = pick(lambda r: flat(r).endswith("购置费") and "购置及运行" not in r.rsplit("/", 1)[-1]
                   and not flat(r).endswith("运行维护费"))
        run = pick(lambda r: re.search(r"运行(维护)?费$", flat(r)) is not None and r != (names[car] if False else None)
                   and "购置及运行" not in r.rsplit("/", 1)[-1] and not flat(r).endswith("小计费"))
        if tot is not None:
            group_totals[p] = tot
        if None in (tot, abroad, car, recv):
            continue
        found_wide = True
        for i, r in enumerate(t.rows):
            if all(r.cells[k].value is None for k in (tot, abroad, car, recv)):
                continue
            where = f"{p}：" if p else ""
            checks.append(Check("SANGONG", "error", f"{where}三公合计 = 因公出国 + 公务用车 + 公务接待",
                                ctx.ref(t, i, tot), [ctx.ref(t, i, abroad), ctx.ref(t, i, car), ctx.ref(t, i, recv)]))
            if buy is not None and run is not None and car not in (buy, run):
                checks.append(Check("SANGONG", "error", f"{where}公务用车购置及运行费 = 购置费 + 运行费",
                                    ctx.ref(t, i, car), [ctx.ref(t, i, buy), ctx.ref(t, i, run)]))
    # 合计 = “三公”经费 + 会议费 + 培训费 (Jiangsu layout)
    top = group_totals.get("")
    sg = next((group_totals[p] for p in prefixes if p and "三公" in p and p in group_totals), None)
    extra = [j for j, n in enumerate(names) if re.fullmatch(r"会议费|培训费", flat(n))]
    if top is not None and sg is not None and extra:
        for i, r in enumerate(t.rows):
            if r.cells[top].value is None:
                continue
            checks.append(Check("SANGONG", "error", "合计 = “三公”经费 + 会议费 + 培训费", ctx.ref(t, i, top),
                                [ctx.ref(t, i, sg)] + [ctx.ref(t, i, j) for j in extra]))
    if found_wide:
        return checks
    # tall layout: rows named 合计 / 因公出国（境）费 / 公务用车购置及运行费 / 公务接待费
    rows = {}
    for i, r in enumerate(t.rows):
        nm = _norm(r.cells[0].text)
        for key, rx in (("tot", r"^(合计|“?三公”?经费合计)"), ("abroad", r"因公出国"), ("car", r"公务用车购置及运行"),
                        ("recv", r"公务接待"), ("buy", r"购置费$"), ("run", r"运行(维护)?费$")):
            if re.search(rx, nm) and key not in rows:
                if key in ("buy", "run") and "购置及运行" in nm:
                    continue
                rows[key] = i
    if all(k in rows for k in ("tot", "abroad", "car", "recv")):
        for j in _amount_cols(t):
            checks.append(Check("SANGONG", "error", f"三公合计 = 因公出国 + 公务用车 + 公务接待 [{t.columns[j]}]",
                                ctx.ref(t, rows["tot"], j), [ctx.ref(t, rows[k], j) for k in ("abroad", "car", "recv")]))
            if "buy" in rows and "run" in rows:
                checks.append(Check("SANGONG", "error", f"公务用车购置及运行费 = 购置费 + 运行费 [{t.columns[j]}]",
                                    ctx.ref(t, rows["car"], j), [ctx.ref(t, rows["buy"], j), ctx.ref(t, rows["run"], j)]))
    return checks


def _units_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """机关运行经费: 部门合计 = sum of units."""
    checks: List[Check] = []
    tot = _find_label(t, r"^(部门合计|合计)$", col=0)
    if not tot:
        return checks
    i = tot[0]
    units = [k for k in range(len(t.rows)) if k != i and t.rows[k].cells[0].text.strip() and not t.rows[k].is_total]
    if len(units) < 1:
        return checks
    for j in _amount_cols(t):
        checks.append(Check("UNITS", "error", f"部门合计 = 各单位之和 [{t.columns[j]}]", ctx.ref(t, i, j),
                            [ctx.ref(t, k, j) for k in units]))
    return checks


def _col_named(t: Table, *rxs: str) -> Optional[int]:
    for rx in rxs:
        for j, c in enumerate(t.columns):
            if re.search(rx, _norm(c)):
                return j
    return None


def _tie_checks(ctx: _Ctx) -> List[Check]:
    """Cross-table ties."""
    doc = ctx.doc
    checks: List[Check] = []
    b02, b03, b05, b06 = doc.table("b02"), doc.table("b03"), doc.table("b05"), doc.table("b06")
    # b02 vs b03 per code: 收入 合计 (+ 上年结转) = 支出 合计
    if b02 and b03:
        c2 = _col_named(b02, r"/合计$", r"^合计$")
        carry = _col_named(b02, r"上年结转")
        c3 = _col_named(b03, r"/合计$", r"^合计$")
        if c2 is not None and c3 is not None:
            for i, r in enumerate(b02.rows):
                key = r.code
                i3 = None
                for k, r3 in enumerate(b03.rows):
                    if (key and r3.code == key) or (not key and r.is_total and r3.is_total and _norm(r3.cells[0].text) == _norm(r.cells[0].text)):
                        i3 = k
                        break
                if i3 is None:
                    continue
                terms = [ctx.ref(b02, i, c2)] + ([ctx.ref(b02, i, carry)] if carry is not None and carry != c2 else [])
                checks.append(Check("TIE", "error", f"{key or '合计'}: 收入总表 = 支出总表",
                                    ctx.ref(b03, i3, c3), terms))
    # b05 基本支出 合计 = b06 合计
    if b05 and b06:
        j5 = _col_named(b05, r"基本支出")
        t5 = _total_row(b05)
        t6 = _total_row(b06)
        j6 = _col_named(b06, r"/合计$", r"^合计$")
        if j6 is None:
            am = _amount_cols(b06)
            j6 = am[0] if am else None
        if None not in (j5, t5, t6, j6):
            checks.append(Check("TIE", "error", "一般公共预算基本支出 = 基本支出经济分类合计",
                                ctx.ref(b06, t6, j6), [ctx.ref(b05, t5, j5)]))
    # b05 per code <= b03 is not an identity; b04 一般公共预算 per 类 = b05 per 类
    b04 = doc.table("b04") or doc.table("f04")
    if b05 is None:
        b05 = doc.table("f05")
    carry_pos = _find_label(b04, r"上年.*结转") if b04 else None
    has_carry = False
    if carry_pos:
        i, j = carry_pos
        has_carry = any(c.value for c in b04.rows[i].cells[j + 1:j + 2])
    if b04 and b05 and not has_carry:
        jb = _col_named(b04, r"一般公共预算$", r"一般公共预算财政拨款$")
        j5 = _col_named(b05, r"/合计$", r"^合计$", r"小计$")
        if jb is not None and j5 is not None:
            for i, r in enumerate(b04.rows):
                label_cols = [x for x, c in enumerate(b04.columns) if re.search(r"支出/项目$|^项目$", _norm(c))]
                for cell_j in label_cols[-1:] or [2]:
                    if cell_j >= len(r.cells):
                        continue
                    nm = re.sub(r"^[一二三四五六七八九十]+、", "", _norm(r.cells[cell_j].text))
                    if not nm or r.cells[jb].value is None:
                        continue
                    r5 = next((k for k, x in enumerate(b05.rows) if x.code and len(x.code) == 3 and _norm(x.name or "") == nm), None)
                    if r5 is not None:
                        checks.append(Check("TIE", "error", f"{nm}: 财政拨款收支总表 = 一般公共预算支出表",
                                            ctx.ref(b04, i, jb), [ctx.ref(b05, r5, j5)]))
    # b01 本年收入合计 = b02 合计; b01 支出总计 = b03 合计
    b01 = doc.table("b01")
    for label, b01_label, other in (("预算收支总表 本年收入合计 = 收入总表 合计", r"^本年收入合计$|^收入合计$", b02),
                                    ("预算收支总表 支出总计 = 支出总表 合计", r"^支出总计$", b03)):
        a = _label_ref(ctx, b01, b01_label)
        b = _label_ref(ctx, other, r"^合计$", r"/合计$|^合计$")
        if a is not None and b is not None:
            checks.append(Check("TIE", "error", label, a, [b]))
    return checks


def _label_ref(ctx: _Ctx, t: Optional[Table], pattern: str, col_rx: Optional[str] = None) -> Optional[CellRef]:
    """The amount printed for a label (optionally in the column whose name matches ``col_rx``)."""
    if t is None:
        return None
    pos = _find_label(t, pattern)
    if not pos:
        return None
    i, j = pos
    if col_rx:
        k = _col_named(t, col_rx)
        if k is None or k <= j:
            return None
    else:
        k = _value_col_after(t, i, j)
    return ctx.ref(t, i, k) if k is not None else None


def _final_ties(ctx: _Ctx) -> List[Check]:
    """决算: 总表 ↔ 收入/支出决算表, 财政拨款总表 ↔ 一般公共预算支出决算表 ↔ 基本支出明细表."""
    doc = ctx.doc
    checks: List[Check] = []
    f01, f02, f03, f04, f05, f06 = (doc.table(k) for k in ("f01", "f02", "f03", "f04", "f05", "f06"))

    def tie(label, a, b):
        if a is not None and b is not None:
            checks.append(Check("TIE", "error", label, a, [b]))

    tie("收入决算表 合计 = 收入支出决算总表 本年收入合计",
        _label_ref(ctx, f02, r"^合计$", r"本年收入合计$|/合计$|^合计$"), _label_ref(ctx, f01, r"^本年收入合计$"))
    tie("支出决算表 合计 = 收入支出决算总表 本年支出合计",
        _label_ref(ctx, f03, r"^合计$", r"本年支出合计$|/合计$|^合计$"), _label_ref(ctx, f01, r"^本年支出合计$"))
    tie("一般公共预算财政拨款支出决算表 合计 = 财政拨款收支决算总表 一般公共预算本年支出",
        _label_ref(ctx, f05, r"^合计$", r"小计$|/合计$|^合计$"),
        _label_ref(ctx, f04, r"^本年支出合计$", r"一般公共预算"))
    basic = _label_ref(ctx, f05, r"^合计$", r"基本支出$")
    staff = _label_ref(ctx, f06, r"^人员经费合计$")
    public = _label_ref(ctx, f06, r"^公用经费合计$")
    if basic and staff and public:
        checks.append(Check("TIE", "error", "基本支出决算 = 人员经费合计 + 公用经费合计", basic, [staff, public]))
    return checks


def build_checks(doc: Document) -> Tuple[_Ctx, List[Check]]:
    ctx = _Ctx(doc)
    checks: List[Check] = []
    for t in doc.tables:
        if t.empty or not t.rows:
            continue
        if t.kind in ("b01", "b04", "f01", "f04"):
            checks += _summary_checks(ctx, t)
            if t.kind in ("b04", "f04"):  # 小计 = 一般公共预算 + 政府性基金 + 国有资本经营, per row
                checks += _split_checks(ctx, t)
        elif t.kind in ("b10", "f09"):
            checks += _sangong_checks(ctx, t)
        elif t.kind == "b11":
            if sum(1 for r in t.rows if r.code) >= 2:  # by economic code (Jiangsu layout)
                checks += _tree_checks(ctx, t)
            else:
                checks += _units_checks(ctx, t)
        elif t.kind in ("b06", "b06a", "f06"):
            if t.kind != "f06" or t.n_cols <= 5:  # f06 prints several code groups side by side
                checks += _econ_tree_checks(ctx, t)
            checks += _split_checks(ctx, t)
        elif t.kind.startswith(("b", "f")) and t.kind not in ("b12", "b13", "b14", "f10"):
            checks += _tree_checks(ctx, t)
            checks += _split_checks(ctx, t)
    checks += _tie_checks(ctx)
    checks += _final_ties(ctx)
    for t in doc.tables_of("p_eval"):
        checks += _perf_score_checks(ctx, t)
    for t in doc.tables_of("p_target"):
        form = read_target_form(t)
        for total, sources in form.totals:
            if sources:
                checks.append(Check("PERF-FUNDS", "error", f"{form.project or '项目'}：资金总额 = 各来源资金之和",
                                    ctx.ref(t, *total), [ctx.ref(t, *s) for s in sources]))
    return ctx, checks


def _perf_score_checks(ctx: _Ctx, t: Table) -> List[Check]:
    ev = read_self_evaluation(t)
    if ev.total is None or ev.money_score is None or not ev.indicator_scores:
        return []
    terms = [ctx.ref(t, r, c) for r, c in ev.indicator_scores] + [ctx.ref(t, *ev.money_score)]
    return [Check("PERF-SCORE", "error", f"{ev.project or '项目'}：总分 = 各指标得分 + 预算执行得分",
                  ctx.ref(t, *ev.total), terms)]


def perf_findings(ctx: _Ctx) -> List[Finding]:
    """绩效自评表: 执行率 = 全年执行数 / 全年预算数; grade agrees with 总分.
    绩效目标表: 年度资金总额 (元) = the project's row of 项目支出预算表 (万元)."""
    out: List[Finding] = []
    b12 = ctx.doc.table("b12")
    if b12 is not None:
        jt = _col_named(b12, r"^合计$", r"/合计$")
        by_name = {}
        for i, r in enumerate(b12.rows):
            if r.cells and jt is not None and r.cells[jt].value is not None:
                by_name.setdefault(norm_project(r.cells[0].text), []).append(i)
        for t in ctx.doc.tables_of("p_target"):
            form = read_target_form(t)
            rows = by_name.get(norm_project(form.project))
            year_total = next((tot for tot, _ in form.totals
                               if "年度" in t.grid()[tot[0] + len(t.header)][tot[1] - 1 if tot[1] else 0]
                               or "年度" in "".join(t.grid()[tot[0] + len(t.header)][:tot[1]])), None)
            if not rows or year_total is None or len(rows) != 1:
                continue
            v = t.rows[year_total[0]].cells[year_total[1]].value
            w = b12.rows[rows[0]].cells[jt].value
            if v is None or w is None:
                continue
            in_wan = v / 10000 if form.unit == "元" else v
            tol = half_ulp(w) + (Decimal("0.00005") if form.unit == "元" else half_ulp(v))
            if abs(in_wan - w) > tol:
                out.append(Finding("PERF-TIE", "warning",
                                   f"{form.project}：绩效目标表年度资金 {fmt(v)}{form.unit}，项目支出预算表为 {fmt(w)}万元",
                                   cells=[ctx.ref(t, *year_total), ctx.ref(b12, rows[0], jt)],
                                   expected=w, actual=in_wan, tolerance=tol))
    for t in ctx.doc.tables_of("p_eval"):
        ev = read_self_evaluation(t)
        val = lambda rc: None if rc is None else t.rows[rc[0]].cells[rc[1]].value  # noqa: E731
        ok, computed = execution_rate_ok(val(ev.budget), val(ev.spent), val(ev.rate))
        if ok is False:
            out.append(Finding("PERF-EXEC", "error",
                               f"{ev.project or '项目'}：执行率 {val(ev.rate)}% 与 全年执行数 {val(ev.spent)} / "
                               f"全年预算数 {val(ev.budget)} = {computed}% 不符",
                               cells=[ctx.ref(t, *ev.rate), ctx.ref(t, *ev.spent), ctx.ref(t, *ev.budget)],
                               expected=computed, actual=val(ev.rate)))
        total = val(ev.total)
        if total is not None and ev.grade and grade_of(total) != ev.grade:
            out.append(Finding("PERF-GRADE", "error",
                               f"{ev.project or '项目'}：总分 {total} 应评为“{grade_of(total)}”，表中为“{ev.grade}”",
                               cells=[ctx.ref(t, *ev.total)]))
    return out


def evaluate(ctx: _Ctx, checks: Iterable[Check]) -> List[Check]:
    out = []
    for c in checks:
        total = ctx.value(c.total)
        terms = [ctx.value(r) for r in c.terms]
        signs = c.signs or [1] * len(terms)
        signed = [None if v is None else v * s for v, s in zip(terms, signs)]
        ok, s, diff, tol = consistent(total, signed)
        c.ok, c.total_value, c.sum_value, c.diff, c.tol = ok, total, s, diff, tol
        out.append(c)
    return out


def _check_finding(c: Check) -> Finding:
    msg = (f"{c.label}: 表列 {fmt(c.total_value)} ≠ 计算 {fmt(c.sum_value)}"
           f"（差 {c.diff}，容差 {c.tol}）")
    return Finding(id=c.id, severity=c.severity, message=msg, cells=[c.total] + list(c.terms),
                   expected=c.sum_value, actual=c.total_value, tolerance=c.tol)


# ---------------------------------------------------------------- narrative

Target = Tuple[CellRef, Optional[CellRef]]  # (cell with the amount, cell of the total it is a share of)


def _claim_targets(ctx: _Ctx) -> Dict[str, List[Target]]:
    """subject -> the table cells a narrative amount of that subject may refer to (the subject locator's
    :func:`~xlbudget.subjects.quotable`). A claim is flagged only when it matches none of them."""
    return {subj: [(loc.cell, loc.total) for loc in locs] for subj, locs in quotable(ctx.doc).items()}


def _in_unit(v_wan: Decimal, unit: str, printed: Optional[Decimal]) -> str:
    """"297.89万元", or "297.891234万元（表中 2,978,912.34元）" for a table printed in another unit."""
    if unit == COMMON_UNIT or printed is None:
        return f"{fmt(v_wan)}万元"
    return f"{fmt(v_wan)}万元（表中 {fmt(printed)}{unit}）"


def _subject_label(subject: str) -> str:
    return subject[3:] + "（科目）" if subject.startswith("科目:") else subject


def _share_bounds(a: Decimal, t: Decimal, ea: Optional[Decimal] = None,
                  et: Optional[Decimal] = None) -> Tuple[Decimal, Decimal]:
    """The interval of a / t × 100 that the rounded figures a and t allow (``ea``/``et``: their
    rounding errors when not half a unit of their last place, e.g. figures converted to 万元)."""
    ea = half_ulp(a) if ea is None else ea
    et = half_ulp(t) if et is None else et
    lo = (a - ea) / (t + et) * 100 if t + et else Decimal(0)
    hi = (a + ea) / (t - et) * 100 if t - et > 0 else Decimal("Infinity")
    return lo, hi


def _wan(ctx: _Ctx, ref: Optional[CellRef]) -> Tuple[Optional[Decimal], Decimal, str]:
    """(value in 万元, its rounding error in 万元, the unit it is printed in) of a table cell: the
    narrative states 万元, a table may be printed in 元 (or 千元, 亿元)."""
    if ref is None:
        return None, Decimal(0), COMMON_UNIT
    t = ctx.table_by_key(ref.table)
    unit = (t.unit if t is not None else None) or ctx.doc.unit or COMMON_UNIT
    v = ctx.value(ref)
    return to_wan(v, unit), (half_ulp_wan(v, unit) if v is not None else Decimal(0)), unit


def narrative_findings(ctx: _Ctx) -> List[Finding]:
    findings: List[Finding] = []
    targets = _claim_targets(ctx)
    seen = set()
    for c in ctx.doc.claims:
        # internal consistency: 增减额 vs 增减率 (last year = amount - change)
        if c.amount is not None and c.change is not None and c.change_rate is not None:
            prev = c.amount - c.change
            if prev > 0:
                lo, hi = _share_bounds(abs(c.change), prev)
                if not printed_percent_ok(abs(c.change_rate), lo, hi, change_rate=True):
                    findings.append(Finding("NARR-RATE", "warning",
                                            f"叙述（第{c.page}页）{_subject_label(c.subject)}{fmt(c.amount)}万元，比上年"
                                            f"{'增加' if c.change >= 0 else '减少'}{fmt(abs(c.change))}万元，"
                                            f"但增减率 {c.change_rate}% 与 {fmt(c.change)}/{fmt(prev)} = "
                                            f"{(c.change / prev * 100).quantize(Decimal('0.01'))}% 不符",
                                            expected=(c.change / prev * 100).quantize(Decimal("0.01")),
                                            actual=c.change_rate))
        # 完成年初预算的 R% = 决算 / 年初预算
        if c.budget and c.amount is not None and c.execution_rate is not None:
            lo, hi = _share_bounds(c.amount, c.budget)
            if not printed_percent_ok(c.execution_rate, lo, hi):
                exp = (c.amount / c.budget * 100).quantize(Decimal("0.01"))
                findings.append(Finding("NARR-EXEC", "warning",
                                        f"叙述（第{c.page}页）{_subject_label(c.subject)}年初预算{fmt(c.budget)}万元、决算{fmt(c.amount)}万元，"
                                        f"称完成年初预算的{c.execution_rate}%，应为 {exp}%",
                                        expected=exp, actual=c.execution_rate))
        key = _norm(c.subject)
        if c.scope in ("一般公共预算", "财政拨款") and "一般公共预算:" + key in targets:
            key = "一般公共预算:" + key
        elif c.scope:
            continue  # 政府性基金预算项目支出, 政府采购支出预算, 绩效 coverage …: not the table figure of that name
        if c.qualifier and re.search(r"年初|预算数|上年|去年", c.qualifier) and ctx.doc.kind != "预算":
            continue  # "基本支出年初预算324.07万元" in a final account is the budget, not the table
        if key not in targets or c.amount is None or c.amount == 0:
            continue
        # every table figure in 万元, the unit of the narrative, with its rounding error converted
        cands = [(ref, tot) + _wan(ctx, ref) for ref, tot in targets[key]]
        cands = [x for x in cands if x[2] is not None]
        if not cands:
            continue
        dedupe = (key, c.amount, c.share)
        if dedupe in seen:
            continue
        seen.add(dedupe)
        match = [x for x in cands if abs(x[2] - c.amount) <= x[3] + half_ulp(c.amount)]
        if not match:
            ref, _, v, err, unit = cands[0]
            tol = err + half_ulp(c.amount)
            others = "、".join(_in_unit(x[2], x[4], ctx.value(x[0])) for x in cands[1:] if x[2] != v)
            findings.append(Finding("NARR", "warning",
                                    f"叙述（第{c.page}页）称{_subject_label(c.subject)} {fmt(c.amount)}万元，"
                                    f"表中为 {_in_unit(v, unit, ctx.value(ref))}"
                                    + (f"（或 {others}）" if others else ""),
                                    cells=[x[0] for x in cands], expected=v, actual=c.amount, tolerance=tol))
            continue
        if c.share is not None:
            shares = []
            for ref, total_ref, v, err, _ in match:
                tv, terr, _ = _wan(ctx, total_ref)
                if tv:
                    lo, hi = _share_bounds(v, tv, err, terr)
                    shares.append((printed_percent_ok(c.share, lo, hi), v, tv, ref, total_ref))
            if shares and not any(ok for ok, *_ in shares):
                _, v, tv, ref, total_ref = shares[0]
                findings.append(Finding("NARR-SHARE", "warning",
                                        f"叙述（第{c.page}页）称{_subject_label(c.subject)}占{c.share}%，按表计算为 "
                                        f"{(v / tv * 100).quantize(Decimal('0.01'))}%",
                                        cells=[ref, total_ref], expected=(v / tv * 100).quantize(Decimal("0.01")),
                                        actual=c.share))
    return findings


def check(doc: Document) -> List[Finding]:
    """All findings of a document (failed checks and narrative mismatches)."""
    ctx, checks = build_checks(doc)
    evaluate(ctx, checks)
    findings = [_check_finding(c) for c in checks if not c.ok]
    findings += narrative_findings(ctx) + perf_findings(ctx)
    return list(doc.diagnostics) + findings


def run(doc: Document):
    """(checks with results, findings): what the workbook adapter needs."""
    ctx, checks = build_checks(doc)
    evaluate(ctx, checks)
    findings = [_check_finding(c) for c in checks if not c.ok] + narrative_findings(ctx) + perf_findings(ctx)
    return ctx, checks, list(doc.diagnostics) + findings


# ---------------------------------------------------------------- plain functions (UDF cores)

def sum_check(total, terms: Sequence, decimals: int = 2) -> Tuple[bool, Decimal, Decimal]:
    """Rounding-aware ``total == sum(terms)`` on plain numbers; returns (ok, diff, tol)."""
    from xlbudget.numbers import parse_amount

    def d(x):
        if x is None or x == "":
            return None
        if isinstance(x, Decimal):
            return x
        if isinstance(x, (int, float)):
            return Decimal(repr(round(x, 10))) if isinstance(x, float) else Decimal(x)
        return parse_amount(str(x))

    ok, s, diff, tol = consistent(d(total), [d(t) for t in terms], decimals)
    return ok, diff, tol
