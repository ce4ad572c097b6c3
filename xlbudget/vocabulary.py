"""The words of the domain, declared once: what a total row is, an enumerated item,
a dash, a table title, a unit line, the 类/款/项 levels.

Every module that asks "is this a total row?" or "is this a title?" imports the
answer from here, so a fix reaches all of them.
"""
from __future__ import annotations

import re
from typing import Optional

# --- rows -----------------------------------------------------------------------------------

# a row label that opens with a total word: 合计, 总计, 小计, 本年收入合计 … (spaces allowed: "合  计")
TOTAL_RE = re.compile(r"^(合\s*计|总\s*计|小\s*计|部门合计|本年收入合计|本年支出合计|收入总计|支出总计)")
# a whole total label, nothing else in the cell: a row closing a block, printed whole
TOTAL_LABEL_RE = re.compile(r"^(部门合计|(本年|当年)?(收入|支出)?(合计|总计|小计))$")
# the grand total of a table (the row every 类 sums to)
GRAND_TOTAL_RE = re.compile(r"^(合计|总计|部门合计)$")
# an enumerated item or a sub-item marker: 一、 （一） (1) 1. 1、 其中
ITEM_MARKER_RE = re.compile(
    r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]\D|其中)"
)
# the number a heading or a 目录 entry opens with: 第二部分 / 一、 / （一） / 1.
HEADING_NUMBER_RE = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．](?!\d))"
)
# the three levels of a function code, by the length of the full code
LEVEL_NAMES = {1: "类", 2: "款", 3: "项"}
LEVEL_WORDS = frozenset(LEVEL_NAMES.values())

# --- cells ----------------------------------------------------------------------------------

# printed in a cell that cannot hold a value
DASHES = frozenset({"——", "—", "--", "－－", "—-", "-—", "─", "──"})

# --- titles, units, notes -------------------------------------------------------------------

# how a table title ends: 收支总表, 支出预算表, 决算表, 明细表, 绩效目标表 …
TITLE_SUFFIX = r"(总表|预算表|决算表|明细表|统计表|绩效目标表|自评表|申报表)"
UNIT_RE = re.compile(r"(?:金额)?单\s*位\s*[:：]\s*(万元|元|千元|亿元)")
YEAR_RE = re.compile(r"(20\d{2})\s*年")
# how the name of a government unit ends
ORG_SUFFIX_RE = re.compile(r"(办公室|办公厅|厅|局|委员会|委|院|办|会|部|室|中心|所|站|馆|队|处)$")
# "注：本表无数据" and its variants: a valid, empty table
EMPTY_TABLE_RE = re.compile(r"本表无数据|本部门无相关|无相关收支|本单位无|此表无数据|本表为空|此表为空|本表无内容")


def squeeze(text: Optional[str]) -> str:
    """Text without any white space ("合  计" -> "合计")."""
    return "".join((text or "").split())


def is_total_label(text: Optional[str]) -> bool:
    return bool(TOTAL_RE.match(squeeze(text)))


def starts_item(text: Optional[str]) -> bool:
    """Does the text open a new printed item (一、 （一） 1. 其中 a code or a total)?"""
    t = squeeze(text)
    return bool(ITEM_MARKER_RE.match(t) or TOTAL_RE.match(t) or re.match(r"^\d{3,}", t))
