"""Arithmetic rules: the identities of domain.md between the cells of the tables, declared.

Each declaration locates its checks — the total and the terms — in a table (or across tables);
the engine evaluates them rounding-aware and writes them as live formulas in 校验. A locator
that finds the instances of several related identities at once (a 收支总表 holds income items,
expense items, balances and carry-over) yields checks of each of its declared ids.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from xlbudget.checks.engine import Check, Context
from xlbudget.checks.registry import ARITHMETIC, SUM_MESSAGE, declare, sum_rule
from xlbudget.catalogue import KINDS
from xlbudget.codes import parent_of
from xlbudget.model import CellRef, Table
from xlbudget.subjects import col_named, find_label, head_total_row, value_col_after
from xlbudget.vocabulary import squeeze

_Ctx = Context

# the tables of amounts by 功能/经济 code whose rows sum up their tree (every b/f kind of the
# catalogue but those with a layout of their own: 收支总表, 三公, 机关运行经费, 经济科目, 项目/采购, 统计表)
_OWN_LAYOUT = ("b01", "b04", "f01", "f04", "b10", "f09", "b11", "b06", "b06a", "f06", "b12", "b13", "b14", "f10")
CODED_TABLES = tuple(k for k in KINDS if k[:1] in ("b", "f") and k not in _OWN_LAYOUT)
SUMMARY_TABLES = ("b01", "b04", "f01", "f04")
SANGONG_TABLES = ("b10", "f09")
ECONOMIC_TABLES = ("b06", "b06a", "f06")


def _also(rule_id: str, tables, describe: str) -> None:
    """An identity the locator declared just above finds too (its checks carry this id)."""
    declare(rule_id, kind=ARITHMETIC, severity="error", message=SUM_MESSAGE, describe=describe, tables=tables,
            formula="sum")

ECON_CLASSES = {
    "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "其他支出",
    "对企业补助", "债务利息及费用支出", "机关工资福利支出", "机关商品和服务支出",
    "机关资本性支出（一）", "机关资本性支出（二）", "对事业单位经常性补助", "对事业单位资本性补助",
}




# ---------------------------------------------------------------- helpers

def _amount_cols(t: Table) -> List[int]:
    out = []
    for j in range(t.n_cols):
        if any(j < len(r.cells) and r.cells[j].value is not None for r in t.rows):
            out.append(j)
    return out


def _group(col: str) -> str:
    return col.rsplit("/", 1)[0] if "/" in col else ""


def _leaf(col: str) -> str:
    return col.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- rules

@sum_rule("TREE.children-sum", tables=CODED_TABLES + ("b11",),
          describe="parent = sum of children: function and economic codes, 类 → 款 → 项")
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
            checks.append(Check("TREE.children-sum", "error", f"{t.rows[pi].code} {t.rows[pi].name or ''} = 下级科目之和 [{t.columns[j]}]",
                                ctx.ref(t, pi, j), terms))
    ti = head_total_row(t)
    tops = [i for i, r in coded if len(r.code) == 3]
    if ti is not None and tops:
        for j in cols:
            checks.append(Check("TREE.total-of-classes", "error", f"合计 = 各类之和 [{t.columns[j]}]", ctx.ref(t, ti, j),
                                [ctx.ref(t, k, j) for k in tops]))
    return checks


_also("TREE.total-of-classes", CODED_TABLES + ("b11",),
      "合计 = sum of the 类 rows")


@sum_rule("TREE.econ-items", tables=ECONOMIC_TABLES,
          describe="economic classes printed by name (工资福利支出 …) = sum of the rows under them")
def _econ_tree_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """Economic tables printed by name: a class row = sum of the rows under it; 合计 = sum of classes."""
    checks: List[Check] = []
    if t.kind == "f06" and t.n_cols > 5:  # f06 prints several code groups side by side
        return checks
    name_col = 0
    cols = [j for j in _amount_cols(t) if j != name_col]
    groups: List[Tuple[int, List[int]]] = []
    for i, r in enumerate(t.rows):
        nm = squeeze(r.cells[name_col].text)
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
            checks.append(Check("TREE.econ-items", "error", f"{squeeze(t.rows[gi].cells[name_col].text)} = 明细之和 [{t.columns[j]}]",
                                ctx.ref(t, gi, j), [ctx.ref(t, k, j) for k in kids]))
    ti = head_total_row(t)
    if ti is not None and groups:
        for j in cols:
            checks.append(Check("TREE.econ-total", "error", f"合计 = 各经济分类之和 [{t.columns[j]}]", ctx.ref(t, ti, j),
                                [ctx.ref(t, g[0], j) for g in groups]))
    return checks


_also("TREE.econ-total", ECONOMIC_TABLES,
      "合计 = sum of the economic classes printed by name")


_SUM_COL_RE = re.compile(r"(合计|小计|本年支出合计|本年收入合计|总计)$")


@sum_rule("SPLIT.total-columns", tables=CODED_TABLES + ("b04", "f04") + ECONOMIC_TABLES,
          describe="row identities of 收入/支出 tables: 合计 = 基本支出 + 项目支出 (+ 上缴上级支出 …), "
                   "合计 = 一般公共预算 + … + 单位资金, 人员经费 + 公用经费")
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
            checks.append(Check("SPLIT.total-columns", "error",
                                f"{r.code or squeeze(r.name or '') or '行' + str(i + 1)}: {_leaf(c)} = " + " + ".join(_leaf(t.columns[k]) for k in sibs),
                                ctx.ref(t, i, j), [ctx.ref(t, i, k) for k in sibs]))
        break
    return checks


@sum_rule("SUMMARY.income-items", tables=SUMMARY_TABLES, describe="收支总表: 本年收入合计 = the income items")
def _summary_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """收支总表: income items, expense 类, 本年收入合计 = 本年支出合计, 收入总计 = 支出总计."""
    checks: List[Check] = []
    inc_tot = find_label(t, r"^本年收入合计$|^(本年|当年)收入小计$") or find_label(t, r"^收入合计$")
    exp_tot = find_label(t, r"^本年支出合计$|^(本年|当年)支出小计$") or find_label(t, r"^支出合计$")
    grand_in = find_label(t, r"^收入总计$") or (find_label(t, r"^收入合计$") if inc_tot and squeeze(t.rows[inc_tot[0]].cells[inc_tot[1]].text) != "收入合计" else None)
    grand_out = find_label(t, r"^支出总计$") or (find_label(t, r"^支出合计$") if exp_tot and squeeze(t.rows[exp_tot[0]].cells[exp_tot[1]].text) != "支出合计" else None)
    if inc_tot:
        i, j = inc_tot
        k = value_col_after(t, i, j)
        items = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", squeeze(t.rows[a].cells[j].text))]
        if k is not None and items:
            checks.append(Check("SUMMARY.income-items", "error", "本年收入合计 = 各项收入之和", ctx.ref(t, i, k), [ctx.ref(t, a, k) for a in items]))
    if exp_tot:
        i, j = exp_tot
        k = value_col_after(t, i, j)
        items = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", squeeze(t.rows[a].cells[j].text))]
        # a second expense grouping (支出用途: 基本支出 / 项目支出 ...) printed in another label column
        for j2 in range(j + 1, t.n_cols):
            items2 = [a for a in range(i) if re.match(r"^[一二三四五六七八九十]+、", squeeze(t.rows[a].cells[j2].text))]
            if len(items2) >= 2 and k is not None:
                k2 = next((x for x in range(j2 + 1, t.n_cols) if any(t.rows[a].cells[x].value is not None for a in items2)), None)
                if k2 is not None:
                    tk = k2 if t.rows[i].cells[k2].value is not None else k
                    # the column holds nothing but these items; rect-drawn grids may put an
                    # item's amount on a strip row without its label, so take the whole column
                    terms = [a for a in range(min(items2), i) if t.rows[a].cells[k2].value is not None]
                    checks.append(Check("SUMMARY.expense-uses", "error", "本年支出合计 = 按支出用途各项之和", ctx.ref(t, i, tk),
                                        [ctx.ref(t, a, k2) for a in terms]))
                break
        if items:
            k_items = next((x for x in range(j + 1, t.n_cols) if any(t.rows[a].cells[x].value is not None for a in items)), None)
            if k_items is not None and t.rows[i].cells[k_items].value is None and k is not None and k != k_items:
                checks.append(Check("SUMMARY.expense-items", "error", "本年支出合计 = 各类支出之和（功能分类）", ctx.ref(t, i, k),
                                    [ctx.ref(t, a, k_items) for a in items]))
                items = []
        if k is not None and items:
            for kk in [k] + [x for x in range(k + 1, t.n_cols) if re.search(r"预算|安排|合计|小计|金额|决算", t.columns[x])]:
                if kk >= t.n_cols:
                    continue
                checks.append(Check("SUMMARY.expense-items", "error", f"本年支出合计 = 各类支出之和 [{t.columns[kk]}]", ctx.ref(t, i, kk),
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
                checks.append(Check("SPLIT.current-carry", "error", f"{squeeze(r.cells[j].text)}: 合计 = 当年预算安排 + 上年结转安排",
                                    ctx.ref(t, a, k), [ctx.ref(t, a, cur), ctx.ref(t, a, carry)]))
            if inc_tot:
                ii, ij = inc_tot
                ik = value_col_after(t, ii, ij)
                if ik is not None:
                    checks.append(Check("BALANCE.income-expense", "error", "本年收入合计 = 本年支出合计（当年预算安排）",
                                        ctx.ref(t, ii, ik), [ctx.ref(t, i, cur)]))
        elif inc_tot and k is not None and t.kind.startswith("b") and not _has_carry(t):
            ii, ij = inc_tot
            ik = value_col_after(t, ii, ij)
            if ik is not None:
                checks.append(Check("BALANCE.income-expense", "error", "本年收入合计 = 本年支出合计", ctx.ref(t, ii, ik), [ctx.ref(t, i, k)]))
    # 总计 rows: "收入总计"/"支出总计", or "总计" on each side (决算总表)
    if not grand_in and inc_tot:
        grand_in = find_label(t, r"^总计$", col=inc_tot[1])
    if not grand_out and exp_tot:
        grand_out = find_label(t, r"^总计$", col=exp_tot[1])
    k1 = value_col_after(t, *grand_in) if grand_in else None
    k2 = value_col_after(t, *grand_out) if grand_out else None
    if k1 is not None and k2 is not None:
        checks.append(Check("BALANCE.grand-totals", "error", "收入总计 = 支出总计", ctx.ref(t, grand_in[0], k1),
                            [ctx.ref(t, grand_out[0], k2)]))
    # 总计 = 本年合计 + carry-over lines (上年结转 / 年初结转和结余 / 结余分配 / 年末结转和结余 …)
    for side, tot, grand, kg in (("收入", inc_tot, grand_in, k1), ("支出", exp_tot, grand_out, k2)):
        if not tot or not grand or kg is None or grand[0] <= tot[0]:
            continue
        ti, tj = tot
        tk = value_col_after(t, ti, tj)
        if tk is None:
            continue
        gj = grand[1]
        lines = [x for x in range(ti + 1, grand[0])
                 if re.search(r"结转|结余|结存|非财政拨款", squeeze(t.rows[x].cells[gj].text))
                 and not re.match(r"^[一二三四五六七八九十]+、", squeeze(t.rows[x].cells[gj].text))]
        checks.append(Check("BALANCE.carry-over", "error", f"{side}总计 = 本年{side}合计 + 结转结余",
                            ctx.ref(t, grand[0], kg),
                            [ctx.ref(t, ti, tk)] + [ctx.ref(t, x, kg) for x in lines]))
    return checks


_also("SUMMARY.expense-items", SUMMARY_TABLES,
      "收支总表: 本年支出合计 = the expense 类 (功能分类), per amount column")
_also("SUMMARY.expense-uses", SUMMARY_TABLES,
      "收支总表: 本年支出合计 = the 支出用途 items (基本支出, 项目支出 …) where both are printed")
_also("SPLIT.current-carry", SUMMARY_TABLES,
      "预算收支总表: 合计 = 当年预算安排 + 上年结转安排, per row")
_also("BALANCE.income-expense", SUMMARY_TABLES,
      "本年收入合计 = 本年支出合计 (a budget without carry-over, or its 当年预算安排)")
_also("BALANCE.grand-totals", SUMMARY_TABLES,
      "收入总计 = 支出总计")
_also("BALANCE.carry-over", SUMMARY_TABLES,
      "总计 = 本年合计 + the 结转结余 lines, each side")


def _has_carry(t: Table) -> bool:
    """Does a 收支总表 print a non-zero carry-over (上年结转 / 年初结转和结余)?"""
    for r in t.rows:
        for j, c in enumerate(r.cells):
            if re.search(r"上年.*结转|年初结转|结转和结余", squeeze(c.text)):
                if any(x.value for x in r.cells[j + 1:j + 2]) or any(x.value for x in r.cells if x.value):
                    return True
    return False


@sum_rule("SANGONG.parts", tables=SANGONG_TABLES,
          describe="“三公” = 因公出国（境）+ 公务用车购置及运行 + 公务接待, per 预算数/决算数 group")
def _sangong_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费; 公务用车 = 购置费 + 运行费."""
    checks: List[Check] = []
    # wide layout: one column each, possibly in groups (预算数 / 决算数, “三公”经费 / 会议费 …)
    names = [squeeze(c) for c in t.columns]
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
            checks.append(Check("SANGONG.parts", "error", f"{where}三公合计 = 因公出国 + 公务用车 + 公务接待",
                                ctx.ref(t, i, tot), [ctx.ref(t, i, abroad), ctx.ref(t, i, car), ctx.ref(t, i, recv)]))
            if buy is not None and run is not None and car not in (buy, run):
                checks.append(Check("SANGONG.vehicles", "error", f"{where}公务用车购置及运行费 = 购置费 + 运行费",
                                    ctx.ref(t, i, car), [ctx.ref(t, i, buy), ctx.ref(t, i, run)]))
    # 合计 = “三公”经费 + 会议费 + 培训费 (Jiangsu layout)
    top = group_totals.get("")
    sg = next((group_totals[p] for p in prefixes if p and "三公" in p and p in group_totals), None)
    extra = [j for j, n in enumerate(names) if re.fullmatch(r"会议费|培训费", flat(n))]
    if top is not None and sg is not None and extra:
        for i, r in enumerate(t.rows):
            if r.cells[top].value is None:
                continue
            checks.append(Check("SANGONG.with-meetings", "error", "合计 = “三公”经费 + 会议费 + 培训费", ctx.ref(t, i, top),
                                [ctx.ref(t, i, sg)] + [ctx.ref(t, i, j) for j in extra]))
    if found_wide:
        return checks
    # tall layout: rows named 合计 / 因公出国（境）费 / 公务用车购置及运行费 / 公务接待费
    rows = {}
    for i, r in enumerate(t.rows):
        nm = squeeze(r.cells[0].text)
        for key, rx in (("tot", r"^(合计|“?三公”?经费合计)"), ("abroad", r"因公出国"), ("car", r"公务用车购置及运行"),
                        ("recv", r"公务接待"), ("buy", r"购置费$"), ("run", r"运行(维护)?费$")):
            if re.search(rx, nm) and key not in rows:
                if key in ("buy", "run") and "购置及运行" in nm:
                    continue
                rows[key] = i
    if all(k in rows for k in ("tot", "abroad", "car", "recv")):
        for j in _amount_cols(t):
            checks.append(Check("SANGONG.parts", "error", f"三公合计 = 因公出国 + 公务用车 + 公务接待 [{t.columns[j]}]",
                                ctx.ref(t, rows["tot"], j), [ctx.ref(t, rows[k], j) for k in ("abroad", "car", "recv")]))
            if "buy" in rows and "run" in rows:
                checks.append(Check("SANGONG.vehicles", "error", f"公务用车购置及运行费 = 购置费 + 运行费 [{t.columns[j]}]",
                                    ctx.ref(t, rows["car"], j), [ctx.ref(t, rows["buy"], j), ctx.ref(t, rows["run"], j)]))
    return checks


_also("SANGONG.vehicles", SANGONG_TABLES,
      "公务用车购置及运行费 = 购置费 + 运行维护费")
_also("SANGONG.with-meetings", SANGONG_TABLES,
      "合计 = “三公”经费 + 会议费 + 培训费 (the Jiangsu layout)")


@sum_rule("UNITS.sum", tables=("b11",), describe="机关运行经费 部门合计 = sum of units (a table by unit, not by code)")
def _units_checks(ctx: _Ctx, t: Table) -> List[Check]:
    """机关运行经费: 部门合计 = sum of units."""
    checks: List[Check] = []
    if sum(1 for r in t.rows if r.code) >= 2:  # by economic code (Jiangsu layout): TREE checks it
        return checks
    tot = find_label(t, r"^(部门合计|合计)$", col=0)
    if not tot:
        return checks
    i = tot[0]
    units = [k for k in range(len(t.rows)) if k != i and t.rows[k].cells[0].text.strip() and not t.rows[k].is_total]
    if len(units) < 1:
        return checks
    for j in _amount_cols(t):
        checks.append(Check("UNITS.sum", "error", f"部门合计 = 各单位之和 [{t.columns[j]}]", ctx.ref(t, i, j),
                            [ctx.ref(t, k, j) for k in units]))
    return checks


@sum_rule("TIE.income-expense", tables=("b02", "b03"), scope="document",
          describe="收入总表 合计 (+ 上年结转) = 支出总表 合计, per code and total")
def _tie_checks(ctx: _Ctx) -> List[Check]:
    """Cross-table ties."""
    doc = ctx.doc
    checks: List[Check] = []
    b02, b03, b05, b06 = doc.table("b02"), doc.table("b03"), doc.table("b05"), doc.table("b06")
    # b02 vs b03 per code: 收入 合计 (+ 上年结转) = 支出 合计
    if b02 and b03:
        c2 = col_named(b02, r"/合计$", r"^合计$")
        carry = col_named(b02, r"上年结转")
        c3 = col_named(b03, r"/合计$", r"^合计$")
        if c2 is not None and c3 is not None:
            by_code: Dict[str, int] = {}
            totals: Dict[str, int] = {}  # total rows by their label
            for k, r3 in enumerate(b03.rows):
                if r3.code:
                    by_code.setdefault(r3.code, k)
                if r3.is_total and r3.cells:
                    totals.setdefault(squeeze(r3.cells[0].text), k)
            for i, r in enumerate(b02.rows):
                key = r.code
                i3 = by_code.get(key) if key else (totals.get(squeeze(r.cells[0].text)) if r.is_total and r.cells else None)
                if i3 is None:
                    continue
                terms = [ctx.ref(b02, i, c2)] + ([ctx.ref(b02, i, carry)] if carry is not None and carry != c2 else [])
                checks.append(Check("TIE.income-expense", "error", f"{key or '合计'}: 收入总表 = 支出总表",
                                    ctx.ref(b03, i3, c3), terms))
    # b05 基本支出 合计 = b06 合计
    if b05 and b06:
        j5 = col_named(b05, r"基本支出")
        t5 = head_total_row(b05)
        t6 = head_total_row(b06)
        j6 = col_named(b06, r"/合计$", r"^合计$")
        if j6 is None:
            am = _amount_cols(b06)
            j6 = am[0] if am else None
        if None not in (j5, t5, t6, j6):
            checks.append(Check("TIE.basic-economic", "error", "一般公共预算基本支出 = 基本支出经济分类合计",
                                ctx.ref(b06, t6, j6), [ctx.ref(b05, t5, j5)]))
    # b05 per code <= b03 is not an identity; b04 一般公共预算 per 类 = b05 per 类
    b04 = doc.table("b04") or doc.table("f04")
    if b05 is None:
        b05 = doc.table("f05")
    carry_pos = find_label(b04, r"上年.*结转") if b04 else None
    has_carry = False
    if carry_pos:
        i, j = carry_pos
        has_carry = any(c.value for c in b04.rows[i].cells[j + 1:j + 2])
    if b04 and b05 and not has_carry:
        jb = col_named(b04, r"一般公共预算$", r"一般公共预算财政拨款$")
        j5 = col_named(b05, r"/合计$", r"^合计$", r"小计$")
        if jb is not None and j5 is not None:
            for i, r in enumerate(b04.rows):
                label_cols = [x for x, c in enumerate(b04.columns) if re.search(r"支出/项目$|^项目$", squeeze(c))]
                for cell_j in label_cols[-1:] or [2]:
                    if cell_j >= len(r.cells):
                        continue
                    nm = re.sub(r"^[一二三四五六七八九十]+、", "", squeeze(r.cells[cell_j].text))
                    if not nm or r.cells[jb].value is None:
                        continue
                    r5 = next((k for k, x in enumerate(b05.rows) if x.code and len(x.code) == 3 and squeeze(x.name or "") == nm), None)
                    if r5 is not None:
                        checks.append(Check("TIE.fiscal-general", "error", f"{nm}: 财政拨款收支总表 = 一般公共预算支出表",
                                            ctx.ref(b04, i, jb), [ctx.ref(b05, r5, j5)]))
    # b01 本年收入合计 = b02 合计; b01 支出总计 = b03 合计
    b01 = doc.table("b01")
    for rule_id, label, b01_label, other in (
            ("TIE.summary-income", "预算收支总表 本年收入合计 = 收入总表 合计", r"^本年收入合计$|^收入合计$", b02),
            ("TIE.summary-expense", "预算收支总表 支出总计 = 支出总表 合计", r"^支出总计$", b03)):
        a = _label_ref(ctx, b01, b01_label)
        b = _label_ref(ctx, other, r"^合计$", r"/合计$|^合计$")
        if a is not None and b is not None:
            checks.append(Check(rule_id, "error", label, a, [b]))
    return checks


_also("TIE.basic-economic", ("b05", "b06"),
      "一般公共预算基本支出 = 基本支出经济分类合计")
_also("TIE.fiscal-general", ("b04", "f04", "b05", "f05"),
      "财政拨款收支总表 一般公共预算 = 一般公共预算支出表, per 类 (no carry-over)")
_also("TIE.summary-income", ("b01", "b02"),
      "预算收支总表 本年收入合计 = 收入总表 合计")
_also("TIE.summary-expense", ("b01", "b03"),
      "预算收支总表 支出总计 = 支出总表 合计")


def _label_ref(ctx: _Ctx, t: Optional[Table], pattern: str, col_rx: Optional[str] = None) -> Optional[CellRef]:
    """The amount printed for a label (optionally in the column whose name matches ``col_rx``)."""
    if t is None:
        return None
    pos = find_label(t, pattern)
    if not pos:
        return None
    i, j = pos
    if col_rx:
        k = col_named(t, col_rx)
        if k is None or k <= j:
            return None
    else:
        k = value_col_after(t, i, j)
    return ctx.ref(t, i, k) if k is not None else None


@sum_rule("TIE.final-income", tables=("f01", "f02"), scope="document",
          describe="决算: 收入决算表 合计 = 收入支出决算总表 本年收入合计")
def _final_ties(ctx: _Ctx) -> List[Check]:
    """决算: 总表 ↔ 收入/支出决算表, 财政拨款总表 ↔ 一般公共预算支出决算表 ↔ 基本支出明细表."""
    doc = ctx.doc
    checks: List[Check] = []
    f01, f02, f03, f04, f05, f06 = (doc.table(k) for k in ("f01", "f02", "f03", "f04", "f05", "f06"))

    def tie(rule_id, label, a, b):
        if a is not None and b is not None:
            checks.append(Check(rule_id, "error", label, a, [b]))

    tie("TIE.final-income", "收入决算表 合计 = 收入支出决算总表 本年收入合计",
        _label_ref(ctx, f02, r"^合计$", r"本年收入合计$|/合计$|^合计$"), _label_ref(ctx, f01, r"^本年收入合计$"))
    tie("TIE.final-expense", "支出决算表 合计 = 收入支出决算总表 本年支出合计",
        _label_ref(ctx, f03, r"^合计$", r"本年支出合计$|/合计$|^合计$"), _label_ref(ctx, f01, r"^本年支出合计$"))
    tie("TIE.final-general", "一般公共预算财政拨款支出决算表 合计 = 财政拨款收支决算总表 一般公共预算本年支出",
        _label_ref(ctx, f05, r"^合计$", r"小计$|/合计$|^合计$"),
        _label_ref(ctx, f04, r"^本年支出合计$", r"一般公共预算"))
    basic = _label_ref(ctx, f05, r"^合计$", r"基本支出$")
    staff = _label_ref(ctx, f06, r"^人员经费合计$")
    public = _label_ref(ctx, f06, r"^公用经费合计$")
    if basic and staff and public:
        checks.append(Check("TIE.final-basic", "error", "基本支出决算 = 人员经费合计 + 公用经费合计", basic, [staff, public]))
    return checks


_also("TIE.final-expense", ("f01", "f03"),
      "决算: 支出决算表 合计 = 收入支出决算总表 本年支出合计")
_also("TIE.final-general", ("f04", "f05"),
      "决算: 一般公共预算财政拨款支出决算表 合计 = 财政拨款收支决算总表 一般公共预算本年支出")
_also("TIE.final-basic", ("f05", "f06"),
      "决算: 基本支出 = 人员经费合计 + 公用经费合计")
