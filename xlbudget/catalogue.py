"""Identify standard tables by title and columns (never by the printed label)."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from xlbudget.model import BUDGET, FINAL, PERFORMANCE

# kind -> (sheet name, document kind)
KINDS = {
    "b01": ("预算收支总表", BUDGET),
    "b02": ("预算收入总表", BUDGET),
    "b03": ("预算支出总表", BUDGET),
    "b04": ("财政拨款收支总表", BUDGET),
    "b05": ("一般公共预算支出表", BUDGET),
    "b05a": ("财政拨款支出表", BUDGET),
    "b06": ("一般公共预算基本支出经济科目表", BUDGET),
    "b06a": ("财政拨款基本支出经济科目表", BUDGET),
    "b07": ("政府性基金收入表", BUDGET),
    "b08": ("政府性基金支出表", BUDGET),
    "b09": ("国有资本经营预算表", BUDGET),
    "b10": ("三公经费预算表", BUDGET),
    "b11": ("机关运行经费预算表", BUDGET),
    "b12": ("项目支出预算表", BUDGET),
    "b13": ("项目支出上年结转表", BUDGET),
    "b14": ("政府采购预算表", BUDGET),
    "f01": ("收入支出决算总表", FINAL),
    "f02": ("收入决算表", FINAL),
    "f03": ("支出决算表", FINAL),
    "f04": ("财政拨款收入支出决算总表", FINAL),
    "f05": ("一般公共预算财政拨款支出决算表", FINAL),
    "f06": ("一般公共预算基本支出决算明细表", FINAL),
    "f07": ("政府性基金财政拨款决算表", FINAL),
    "f08": ("国有资本经营财政拨款决算表", FINAL),
    "f09": ("三公经费支出决算表", FINAL),
    "f10": ("决算公开相关信息统计表", FINAL),
    "p_overall": ("整体支出绩效目标表", PERFORMANCE),
    "p_target": ("项目支出绩效目标表", PERFORMANCE),
    "p_eval": ("项目支出绩效自评表", PERFORMANCE),
    "p_catalog": ("政府购买服务指导性目录", PERFORMANCE),
    "other": ("其他表", None),
}

# ordered: first match wins. Patterns run on the normalised title (no spaces, no quotes).
_TITLE_RULES: List[Tuple[str, str]] = [
    (r"自评", "p_eval"),
    (r"整体支出绩效", "p_overall"),
    (r"绩效目标", "p_target"),
    (r"购买服务指导性目录", "p_catalog"),
    (r"财政拨款收入支出决算总表", "f04"),
    (r"收入支出决算总表", "f01"),
    (r"收入决算表", "f02"),
    (r"一般公共预算财政拨款基本支出决算", "f06"),
    (r"一般公共预算财政拨款支出决算", "f05"),
    (r"政府性基金预算财政拨款.*决算", "f07"),
    (r"国有资本经营预算财政拨款.*决算", "f08"),
    (r"三公经费.*决算", "f09"),
    (r"决算公开相关信息", "f10"),
    (r"支出决算表", "f03"),
    (r"财政拨款收支(预算)?总表", "b04"),
    (r"收支(预算)?总表|预算收支总表", "b01"),
    (r"收入(预算)?总表|预算收入总表", "b02"),
    (r"支出(预算)?总表|预算支出总表", "b03"),
    (r"三公经费", "b10"),
    (r"机关运行经费", "b11"),
    (r"政府性基金.*收入", "b07"),
    (r"政府性基金.*支出", "b08"),
    (r"国有资本经营", "b09"),
    (r"一般公共预算.*基本支出", "b06"),
    (r"财政拨款.*基本支出", "b06a"),
    (r"一般公共预算.*支出", "b05"),
    (r"财政拨款支出", "b05a"),
    (r"项目支出.*上年结转", "b13"),
    (r"项目支出.*预算表|项目支出表", "b12"),
    (r"政府采购", "b14"),
]

TITLE_HINT_RE = re.compile(
    r"(总表|预算表|决算表|明细表|统计表|绩效目标|自评表|申报表|预算公开表|指导性目录|经费.*表|支出表|收入表|科目表|经济科目）?$|（功能科目）|（经济科目）)"
)


def norm_title(title: str) -> str:
    t = "".join((title or "").split())
    for ch in "“”\"'‘’「」":
        t = t.replace(ch, "")
    return t


def kind_from_title(title: str) -> Optional[str]:
    t = norm_title(title)
    if not t:
        return None
    for pat, kind in _TITLE_RULES:
        if re.search(pat, t):
            return kind
    return None


def kind_from_columns(header_text: str) -> Optional[str]:
    """Fallback when no title was found: recognise a table by its column names."""
    h = norm_title(header_text).replace("/", "")
    if "一级指标" in h or "绩效指标" in h:
        return "p_eval" if ("得分" in h or "执行率" in h) else "p_target"
    if "因公出国" in h and "公务接待" in h:
        return "b10"
    if "人员经费" in h and "公用经费" in h:
        return "f06" if "经济分类" in h else "b06"
    if ("部门预算支出经济" in h) or ("经济科目" in h and "基本支出" in h):
        return "b06"
    if "收入" in h and "支出" in h and "项目" in h and "本年收入合计" in h:
        return "b01"
    if ("科目编码" in h or "功能分类" in h) and "基本支出" in h and "项目支出" in h:
        return "b03"
    if ("科目编码" in h or "功能分类" in h) and ("一般公共预算" in h and "单位资金" in h):
        return "b02"
    return None


def sheet_name(kind: str) -> str:
    return KINDS.get(kind, KINDS["other"])[0]


def doc_kind_of(kinds: List[str], titles: List[str]) -> str:
    fin = sum(1 for k in kinds if k.startswith("f"))
    bud = sum(1 for k in kinds if k.startswith("b"))
    if fin > bud:
        return FINAL
    if bud:
        return BUDGET
    joined = "".join(titles)
    if "决算" in joined:
        return FINAL
    if kinds and all(k.startswith("p") for k in kinds):
        return PERFORMANCE
    return BUDGET


# The tables each document kind must publish (a stand-in for the catalogue entries' required_for).
# 部门预算: the 8 tables of the 2016 操作规程 (财预〔2016〕143号) — 收支总表, 收入总表, 支出总表, 财政拨款收支总表,
# 一般公共预算支出表, 一般公共预算基本支出表, 政府性基金预算支出表 and 三公 — which the 2017–2019 Jiangsu budgets
# all print; 政府性基金收入 (b07) and 国有资本经营 (b09) came with later templates and are not required here.
# 部门决算: 公开01–09 of the national template (附件2：部门决算模板); 公开10 (相关信息统计表) is optional.
REQUIRED = {
    BUDGET: ("b01", "b02", "b03", "b04", "b05", "b06", "b08", "b10"),
    FINAL: ("f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09"),
}
# a document with this many standard tables is a disclosure, not a table cut out of one
DISCLOSURE_MIN_TABLES = 3
