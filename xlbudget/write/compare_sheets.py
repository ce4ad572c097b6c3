"""openpyxl adapter: :class:`~xlbudget.compare.core.Comparison` -> comparison workbook.

Sheets: 总览 (main totals per period, 增减额/增减率/执行率, charts), one sheet per
compared table (values of every period, 增减额, 增减率, 执行率, added/removed
flags), 核对 (narrative 比上年 claims checked against the earlier year) and 文件
(the periods, their source files and the warnings of the comparison).

Numbers are written as numbers ('#,##0.00'), rates as percent numbers ('0.00%'). 增减额 and
增减率 are live formulas over the year columns of their row (a value corrected by hand
propagates); a rate is a number or blank, and why it is blank (上年为0, 新增, 取消) is said in
its own 增减说明 column. 执行率 stays a written value; undefined, it is "∞（预算为0）".
Each year has its own 来源 column: file, table and page of the value.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from xlbudget.compare.core import (ADDED, BASE_ZERO, BUDGET_ZERO, MAIN_SUBJECTS, REMOVED, Change, Comparison, Ratio,
                                   TableComparison)
from xlbudget.vocabulary import LEVEL_NAMES
from xlbudget.write.workbook import (AMOUNT_FORMAT as NUM_FMT, MAX_WIDTH, display_width, east_asian_workbook, font,
                                     print_setup)

PCT_FMT = "0.00%"


# ----------------------------------------------------------------- helpers

def _stderr_warning(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def _num(v: Optional[Decimal]):
    return None if v is None else float(v)


def _text(ws, row: int, col: int, text, **kw):
    """Text (from the PDFs: headers, names, department) through the one safe-text helper."""
    if isinstance(text, str):
        from xlbudget.write.workbook import text_cell

        return text_cell(ws, row, col, text)
    c = ws.cell(row=row, column=col)
    c.value = text
    return c


def _sheet_title(name: str, used: set) -> str:
    from xlbudget.write.workbook import sheet_title

    return sheet_title(name, used)


def _set_value(ws, row: int, col: int, v: Optional[Decimal], absent: bool = False):
    from openpyxl.styles import PatternFill

    c = ws.cell(row=row, column=col)
    if v is not None:
        c.value = float(v)
        c.number_format = NUM_FMT
    if absent:
        c.fill = PatternFill("solid", fgColor="EEEEEE")
    return c


def change_formulas(cur: str, base: str) -> Tuple[str, str, str]:
    """增减额, 增减率 and 增减说明 of the cell ``cur`` against ``base`` (A1 addresses of one row) as
    live formulas: a value corrected by hand propagates. Blank in both years stays blank (never
    0); the rate is a number or blank, never text: an undefined rate is said in 增减说明."""
    amount = f'=IF(AND({cur}="",{base}=""),"",N({cur})-N({base}))'
    rate = f'=IF(N({base})=0,"",(N({cur})-N({base}))/N({base}))'
    status = f'=IF(AND(N({base})=0,N({cur})<>0),"{BASE_ZERO}","")'
    return amount, rate, status


def _set_change(ws, row: int, col: int, ch: Optional[Change], cur: str, base: str):
    """增减额 at col, 增减率 at col + 1, 增减说明 at col + 2, over the value cells ``cur`` and ``base``
    (column letters). A row absent from one of the two tables is 新增 / 取消 there."""
    if ch is None:
        return
    amount, rate, status = change_formulas(f"{cur}{row}", f"{base}{row}")
    ws.cell(row=row, column=col, value=amount).number_format = NUM_FMT
    ws.cell(row=row, column=col + 1, value=rate).number_format = PCT_FMT
    if ch.flag in (ADDED, REMOVED):
        s = ws.cell(row=row, column=col + 2, value=ch.flag)
        s.font = font(color="C00000" if ch.flag == REMOVED else "006100")
    else:
        ws.cell(row=row, column=col + 2, value=status)


def _set_ratio(ws, row: int, col: int, ra: Optional[Ratio]):
    if ra is None:
        return
    c = ws.cell(row=row, column=col)
    if ra.rate is not None:
        c.value = float(ra.rate / 100)
        c.number_format = PCT_FMT
    elif ra.flag == BUDGET_ZERO:
        c.value = "∞（预算为0）"


def _style_header(ws, rows: Sequence[int], ncols: int):
    from openpyxl.styles import Alignment, Border, PatternFill, Side

    thin = Side(style="thin", color="999999")
    for r in rows:
        for j in range(1, ncols + 1):
            c = ws.cell(row=r, column=j)
            c.font = font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def _column_plan(comp: Comparison) -> List[tuple]:
    """Sub-columns of one measure: ('v', period) | ('d', period) | ('r', period) | ('s', period)
    | ('x', pair index): values, 增减额, 增减率, 增减说明, 执行率."""
    plan = [("v", p.index) for p in comp.periods]
    for p in comp.periods:
        if comp.bases[p.index] is not None:
            plan += [("d", p.index), ("r", p.index), ("s", p.index)]
    plan += [("x", k) for k in range(len(comp.exec_pairs))]
    return plan


def _plan_label(comp: Comparison, kind: str, idx: int) -> str:
    if kind == "v":
        return comp.periods[idx].label
    if kind in ("d", "r", "s"):
        b = comp.bases[idx]
        vs = f"{comp.periods[idx].label}比{comp.periods[b].label}"
        return {"d": "增减额\n", "r": "增减率\n", "s": "增减说明\n"}[kind] + vs
    bi, fi = comp.exec_pairs[idx]
    return f"预算执行率\n{comp.periods[fi].year}年（决算/预算）"


def _write_items(ws, comp: Comparison, tc: TableComparison, top: int, with_code: bool = True) -> int:
    """Header (2 rows) and items from row ``top``; returns the last row written."""
    from openpyxl.utils import get_column_letter

    plan = _column_plan(comp)
    lead = ["编码", "名称", "级次"] if with_code else ["项目"]
    nlead = len(lead)
    for j, h in enumerate(lead, start=1):
        ws.cell(row=top, column=j, value=h)
        ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
    col = nlead + 1
    starts = {}
    for m in tc.measures:
        starts[m] = col
        _text(ws, top, col, m)  # a column header printed in the PDF
        if len(plan) > 1:
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(plan) - 1)
        for k, (kind, idx) in enumerate(plan):
            _text(ws, top + 1, col + k, _plan_label(comp, kind, idx))
        col += len(plan)
    flag_col = col
    ws.cell(row=top, column=flag_col, value="增减项目")
    ws.merge_cells(start_row=top, start_column=flag_col, end_row=top + 1, end_column=flag_col)
    # one source column per period: each year's value cites its own file and page
    src_col = flag_col + 1
    last_col = src_col + len(comp.periods) - 1
    ws.cell(row=top, column=src_col, value="来源")
    if last_col > src_col:
        ws.merge_cells(start_row=top, start_column=src_col, end_row=top, end_column=last_col)
    for p in comp.periods:
        _text(ws, top + 1, src_col + p.index, p.label)
    _style_header(ws, [top, top + 1], last_col)
    ws.row_dimensions[top + 1].height = 45
    r = top + 2
    for it in tc.items:
        if with_code:
            _text(ws, r, 1, it.code or "")
            _text(ws, r, 2, ("  " * ((it.level or 1) - 1)) + it.name if it.code else it.name)
            _text(ws, r, 3, LEVEL_NAMES.get(it.level or 0, "") if it.code and len(it.code) in (3, 5, 7) else "")
        else:
            _text(ws, r, 1, it.name)
        if it.is_total:
            for j in range(1, nlead + 1):
                ws.cell(row=r, column=j).font = font(bold=True)
        for m in tc.measures:
            c0 = starts[m]
            vals = it.values.get(m, [None] * len(comp.periods))
            for k, (kind, idx) in enumerate(plan):
                if kind == "v":
                    absent = not it.present[idx] and tc.present[idx] if tc.key != "总览" else False
                    _set_value(ws, r, c0 + k, vals[idx], absent=absent)
                elif kind == "d":
                    ch = it.changes.get(m, [None] * len(comp.periods))[idx]
                    cur, base = (get_column_letter(c0 + plan.index(("v", i))) for i in (idx, comp.bases[idx]))
                    _set_change(ws, r, c0 + k, ch, cur, base)
                elif kind == "x":
                    ex = it.execution.get(m)
                    _set_ratio(ws, r, c0 + k, ex[idx] if ex else None)
        flags = [f"{comp.periods[i].label}{ADDED}" for i in it.added_in] + \
                [f"{comp.periods[i].label}{REMOVED}" for i in it.removed_in]
        if flags:
            _text(ws, r, flag_col, "；".join(flags))
        for p, src in enumerate(it.sources):
            if src:
                _text(ws, r, src_col + p, src)
        r += 1
    ws.freeze_panes = ws.cell(row=top + 2, column=nlead + 1)
    print_setup(ws, title_rows=top + 1)
    name_col = 2 if with_code else 1  # as wide as its longest name (CJK counts double)
    name_w = max([display_width(ws.cell(row=i, column=name_col).value or "") for i in range(top + 2, r)], default=0)
    widths = {1: 12, 2: 34, 3: 6} if with_code else {1: 16}
    widths[name_col] = min(MAX_WIDTH, max(widths[name_col], name_w + 2))
    for j in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(j, 14)
    ws.column_dimensions[get_column_letter(flag_col)].width = 24
    for j in range(src_col, last_col + 1):
        ws.column_dimensions[get_column_letter(j)].width = 40
    return r - 1


# ----------------------------------------------------------------- sheets

def _overview(wb, comp: Comparison, used: set):
    from openpyxl.chart import BarChart, LineChart, Reference
    ws = wb.active
    ws.title = _sheet_title("总览", used)
    depts = []
    for p in comp.periods:
        if p.department and p.department not in depts:
            depts.append(p.department)
    if len(depts) > 1 and any("documents of different departments" in w for w in comp.warnings):
        heading = "多部门对比（" + "、".join(depts) + "）：主要指标（万元）"
    else:
        heading = f"{comp.department or '（部门未识别）'} 跨年度对比：主要指标（万元）"
    _text(ws, 1, 1, heading).font = font(bold=True, size=13)  # starts with the department name
    last = _write_items(ws, comp, comp.totals, top=3, with_code=False)
    n = len(comp.periods)
    if n == 0:
        return ws
    # the period values are the first n columns after the label: B .. B+n-1
    first, cats_row = 5, 4
    anchor_row = last + 3
    big = [i for i, it in enumerate(comp.totals.items) if it.key in MAIN_SUBJECTS[:4]]
    small = [i for i, it in enumerate(comp.totals.items) if it.key not in MAIN_SUBJECTS[:4]]
    cats = Reference(ws, min_col=2, max_col=1 + n, min_row=cats_row, max_row=cats_row)
    if big:
        ch = BarChart()
        ch.type = "col"
        ch.grouping = "clustered"
        ch.title = "收支总计、基本支出、项目支出"
        ch.y_axis.title = "万元"
        ch.y_axis.numFmt = "#,##0"
        for i in big:
            row = first + i
            ch.add_data(Reference(ws, min_col=1, max_col=1 + n, min_row=row, max_row=row), from_rows=True,
                        titles_from_data=True)
        ch.set_categories(cats)
        ch.height, ch.width = 8, 16
        ws.add_chart(ch, f"A{anchor_row}")
    if small:
        lc = LineChart()
        lc.title = "“三公”经费、机关运行经费"
        lc.y_axis.title = "万元"
        lc.y_axis.numFmt = "#,##0.00"
        for i in small:
            row = first + i
            lc.add_data(Reference(ws, min_col=1, max_col=1 + n, min_row=row, max_row=row), from_rows=True,
                        titles_from_data=True)
        lc.set_categories(cats)
        for s in lc.series:
            s.marker.symbol = "circle"
        lc.height, lc.width = 8, 16
        ws.add_chart(lc, f"H{anchor_row}")
    return ws


def _files_sheet(wb, comp: Comparison, used: set):
    ws = wb.create_sheet(_sheet_title("文件", used))
    head = ["期间", "年度", "类型", "部门", "对比基期", "来源文件", "表中单位（对比按万元）"]
    for j, h in enumerate(head, start=1):
        ws.cell(row=1, column=j, value=h)
    _style_header(ws, [1], len(head))
    r = 2
    for p in comp.periods:
        b = comp.bases[p.index]
        for k, src in enumerate(p.sources):
            _text(ws, r, 1, p.label if k == 0 else "")
            if k == 0:
                ws.cell(row=r, column=2, value=p.year)
                _text(ws, r, 3, p.kind)
                _text(ws, r, 4, p.department or "")
                _text(ws, r, 5, comp.periods[b].label if b is not None else "")
            _text(ws, r, 6, src)
            _text(ws, r, 7, comp.units.get(src, "万元"))
            r += 1
    if comp.warnings:
        r += 1
        ws.cell(row=r, column=1, value="提示").font = font(bold=True)
        for w in comp.warnings:
            r += 1
            _text(ws, r, 1, w)
    for col, w in zip("ABCDEFG", (14, 8, 8, 30, 14, 80, 22)):
        ws.column_dimensions[col].width = w
    print_setup(ws, title_rows=1)


def _checks_sheet(wb, comp: Comparison, used: set):
    from openpyxl.styles import PatternFill

    ws = wb.create_sheet(_sheet_title("核对", used))
    head = ["期间", "对比基期", "主题", "叙述金额", "叙述增减额", "叙述增减率", "上年数", "应为增减额", "应为增减率",
            "结果", "说明", "出处", "叙述原文"]
    for j, h in enumerate(head, start=1):
        ws.cell(row=1, column=j, value=h)
    _style_header(ws, [1], len(head))
    bad = PatternFill("solid", fgColor="FFC7CE")
    r = 2
    for ch in comp.checks:
        c = ch.claim
        _text(ws, r, 1, comp.periods[ch.period].label)
        _text(ws, r, 2, comp.periods[ch.base].label if ch.base is not None else "")
        _text(ws, r, 3, ch.subject)
        _set_value(ws, r, 4, c.amount)
        _set_value(ws, r, 5, c.change)
        if c.change_rate_infinite:
            _text(ws, r, 6, "∞%")
        elif c.change_rate is not None:
            x = ws.cell(row=r, column=6, value=float(c.change_rate / 100))
            x.number_format = PCT_FMT
        _set_value(ws, r, 7, ch.previous)
        _set_value(ws, r, 8, ch.expected_change)
        if ch.expected_rate is not None:
            x = ws.cell(row=r, column=9, value=float(ch.expected_rate / 100))
            x.number_format = PCT_FMT
        elif ch.previous == 0 and ch.expected_change:
            _text(ws, r, 9, "∞（上年为0）")
        _text(ws, r, 10, ch.status)
        if ch.status == "不一致":
            for j in range(1, len(head) + 1):
                ws.cell(row=r, column=j).fill = bad
            ws.cell(row=r, column=10).font = font(bold=True, color="9C0006")
        _text(ws, r, 11, ch.note)
        _text(ws, r, 12, ch.source)
        _text(ws, r, 13, c.text)
        r += 1
    if not comp.checks:
        _text(ws, 2, 1, "叙述中没有可与上年核对的“比上年”表述")
    ws.freeze_panes = "A2"
    print_setup(ws, title_rows=1)
    for col, w in zip("ABCDEFGHIJKLM", (12, 12, 28, 12, 12, 10, 12, 12, 10, 8, 50, 36, 70)):
        ws.column_dimensions[col].width = w


def write_comparison(comp: Comparison, path: str, warn=_stderr_warning) -> str:
    """Write the comparison workbook atomically (temp file in the same folder, then replace).
    A text cut to Excel's cell limit is said through ``warn`` (EXTRACT.text-cut)."""
    wb = east_asian_workbook()
    used: set = set()
    _overview(wb, comp, used)
    for tc in comp.tables:
        if not tc.items:
            continue
        ws = wb.create_sheet(_sheet_title(tc.name, used))
        _text(ws, 1, 1, f"{tc.name}（万元）：按科目编码对齐，无编码时按名称").font = font(bold=True, size=12)
        _write_items(ws, comp, tc, top=3, with_code=True)
    _checks_sheet(wb, comp, used)
    _files_sheet(wb, comp, used)
    cuts = getattr(wb, "xlb_cut", [])
    if cuts:
        from xlbudget.text import describe_cuts

        warn(f"EXTRACT.text-cut: {path}: " + describe_cuts(cuts))
    return _save_atomic(wb, path)


def _save_atomic(wb, path: str) -> str:
    from xlbudget.write.workbook import save_atomic

    return save_atomic(wb, path)
