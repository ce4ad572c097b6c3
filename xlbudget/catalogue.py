"""The catalogue of table kinds: one entry per kind, read by every module that needs to know a table.

Each :class:`TableKind` says what a kind is called (sheet name), which disclosure it belongs to, how it is
recognised (title patterns, column hints), what a reviewer expects in it (columns, whether the document must
print it), how it is compared across years (family) and which subjects (收入总计, 基本支出, 三公经费…) are
looked up in it. Adding a kind or an alias is adding or editing ONE entry of :data:`CATALOGUE`.

Tables are identified by title and columns, never by the printed label (公开09表 may be misprinted).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from xlbudget.model import BUDGET, FINAL, PERFORMANCE

# Subjects the locator answers (xlbudget.subjects); the catalogue says which kinds hold each of them.
INCOME_TOTAL = "收入总计"
EXPENSE_TOTAL = "支出总计"
BASIC = "基本支出"
PROJECT = "项目支出"
SANGONG = "三公经费"
RUNNING = "机关运行经费"
PERSONNEL = "人员经费"
PUBLIC_USE = "公用经费"
GENERAL_BUDGET = "一般公共预算"
ABROAD = "因公出国（境）费"
RECEPTION = "公务接待费"
VEHICLES = "公务用车购置及运行费"
VEHICLE_PURCHASE = "公务用车购置费"
VEHICLE_RUNNING = "公务用车运行维护费"
CODE_SUBJECT = "科目"  # a 类/款/项 item, looked up by code level and name ("科目:类::一般公共服务支出")
OTHER_SUBJECT = "其他"  # any subject no kind lists: where it is looked for first

# The year from which budget disclosures print the 10-table set (政府性基金收入, 国有资本经营 added to the
# 8 tables of 财预〔2016〕143号); the 2017–2019 Jiangsu budgets print only the 8.
TEN_TABLE_BUDGET_SINCE = 2020


@dataclass(frozen=True)
class TableKind:
    kind: str  # canonical key: b01…b14, f01…f10, p_*, other
    sheet: str  # sheet name in workbooks, and the table's name where it printed no title
    doc_kind: Optional[str]  # 预算 / 决算 / 绩效 (None: any)
    # title patterns (regex on the normalised title, see norm_title); tried in title_rank order across kinds,
    # first match wins: a more specific title (财政拨款收支总表) must rank before a general one (收支总表)
    titles: Tuple[str, ...] = ()
    title_rank: int = 1000
    # recognition from the header when no title was found: each hint is a tuple of regexes that must ALL be
    # found in the normalised header text; tried in column_rank order across kinds
    column_hints: Tuple[Tuple[str, ...], ...] = ()
    column_rank: int = 1000
    # the column names a reviewer expects, in template order: leaf names ("基本支出"), or "group/leaf" where
    # the leaf alone is ambiguous ("本年支出/合计")
    expected_columns: Tuple[str, ...] = ()
    # comparison family: a budget kind and its final-account counterpart share one (T03 = 支出表);
    # None: the kind is its own family; compared=False: never compared (performance forms)
    family: Optional[str] = None
    compared: bool = True
    # subject -> priority (1 first): the subjects looked up in this kind; across kinds the order is
    # (priority, catalogue order)
    subjects: Mapping[str, int] = field(default_factory=dict)
    fallback: bool = True  # searched for subjects it does not list (False: its labels mean something else)
    required_for: Tuple[str, ...] = ()  # document kinds that must print this table (even when empty)
    required_since: Optional[int] = None  # first disclosure year it is required (None: always)
    alternatives: Tuple[str, ...] = ()  # kinds that stand in for this one when it is absent
    standard_title: str = ""  # the title the national template prints (without year and department)


_B = (BUDGET,)
_F = (FINAL,)
_TOTALS_SIDE = ("科目编码", "科目名称", "合计", "基本支出", "项目支出")
_SANGONG_COLS = ("合计", "因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费")
_SANGONG_SUBJECTS = {SANGONG: 1, ABROAD: 1, RECEPTION: 1, VEHICLES: 1, VEHICLE_PURCHASE: 1, VEHICLE_RUNNING: 1}

# Catalogue order is display order: a budget kind next to its final-account counterpart; it orders the
# compare sheets (by first appearance of each family) and breaks ties between subject priorities.
CATALOGUE: Tuple[TableKind, ...] = (
    TableKind("b01", "预算收支总表", BUDGET, (r"收支(预算)?总表|预算收支总表",), 160,
              ((r"收入", r"支出", r"项目", r"本年收入合计"),), 60,
              ("收入项目", "预算数", "支出项目", "预算数"), family="T01",
              subjects={INCOME_TOTAL: 1, EXPENSE_TOTAL: 1, BASIC: 2, PROJECT: 2, GENERAL_BUDGET: 2,
                        OTHER_SUBJECT: 2},
              required_for=_B,
              standard_title="预算收支总表"),
    TableKind("f01", "收入支出决算总表", FINAL, (r"收入支出决算总表",), 60,
              expected_columns=("项目", "决算数", "项目", "决算数"), family="T01",
              subjects={INCOME_TOTAL: 1, EXPENSE_TOTAL: 1, BASIC: 2, PROJECT: 2, GENERAL_BUDGET: 2,
                        OTHER_SUBJECT: 2},
              required_for=_F,
              standard_title="收入支出决算总表"),
    TableKind("b02", "预算收入总表", BUDGET, (r"收入(预算)?总表|预算收入总表",), 170,
              ((r"科目编码|功能分类", r"一般公共预算", r"单位资金"),), 80,
              ("科目编码", "科目名称", "合计", "一般公共预算", "政府性基金", "国有资本经营", "财政专户",
               "单位资金"), family="T02", subjects={INCOME_TOTAL: 2}, required_for=_B,
              standard_title="预算收入总表"),
    TableKind("f02", "收入决算表", FINAL, (r"收入决算表",), 70,
              expected_columns=("功能分类科目编码", "科目名称", "本年收入合计", "财政拨款收入", "上级补助收入",
                                "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
              family="T02", subjects={INCOME_TOTAL: 2}, required_for=_F,
              standard_title="收入决算表"),
    TableKind("b03", "预算支出总表", BUDGET, (r"支出(预算)?总表|预算支出总表",), 180,
              ((r"科目编码|功能分类", r"基本支出", r"项目支出"),), 70,
              _TOTALS_SIDE, family="T03",
              subjects={BASIC: 1, PROJECT: 1, EXPENSE_TOTAL: 2, CODE_SUBJECT: 2, OTHER_SUBJECT: 1},
              required_for=_B,
              standard_title="预算支出总表"),
    TableKind("f03", "支出决算表", FINAL, (r"支出决算表",), 140,
              expected_columns=("功能分类科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出",
                                "上缴上级支出", "经营支出", "对附属单位补助支出"),
              family="T03",
              subjects={BASIC: 1, PROJECT: 1, EXPENSE_TOTAL: 2, CODE_SUBJECT: 2, OTHER_SUBJECT: 1},
              required_for=_F,
              standard_title="支出决算表"),
    TableKind("b04", "财政拨款收支总表", BUDGET, (r"财政拨款收支(预算)?总表",), 150,
              expected_columns=("收入项目", "预算数", "支出项目", "合计", "一般公共预算", "政府性基金",
                                "国有资本经营"),
              family="T04", subjects={GENERAL_BUDGET: 3}, fallback=False, required_for=_B,
              standard_title="财政拨款收支总表"),
    TableKind("f04", "财政拨款收入支出决算总表", FINAL, (r"财政拨款收入支出决算总表",), 50,
              expected_columns=("项目", "决算数", "项目", "合计", "一般公共预算财政拨款",
                                "政府性基金预算财政拨款", "国有资本经营预算财政拨款"),
              family="T04", subjects={GENERAL_BUDGET: 3}, fallback=False, required_for=_F,
              standard_title="财政拨款收入支出决算总表"),
    TableKind("b05", "一般公共预算支出表", BUDGET, (r"一般公共预算.*支出",), 260,
              expected_columns=_TOTALS_SIDE, family="T05", subjects={GENERAL_BUDGET: 1, CODE_SUBJECT: 1},
              fallback=False, required_for=_B, alternatives=("b05a",),
              standard_title="一般公共预算支出预算表"),
    TableKind("f05", "一般公共预算财政拨款支出决算表", FINAL, (r"一般公共预算财政拨款支出决算",), 90,
              expected_columns=("功能分类科目编码", "科目名称", "合计", "基本支出", "项目支出"), family="T05",
              subjects={GENERAL_BUDGET: 1, CODE_SUBJECT: 1},
              fallback=False, required_for=_F,
              standard_title="一般公共预算财政拨款支出决算表"),
    TableKind("b05a", "财政拨款支出表", BUDGET, (r"财政拨款支出",), 270,
              expected_columns=_TOTALS_SIDE, subjects={CODE_SUBJECT: 1}, fallback=False,
              standard_title="财政拨款支出预算表"),
    TableKind("b06", "一般公共预算基本支出经济科目表", BUDGET, (r"一般公共预算.*基本支出",), 240,
              ((r"人员经费", r"公用经费"), (r"部门预算支出经济",), (r"经济科目", r"基本支出")), 50,
              ("科目编码", "科目名称", "合计", "人员经费", "公用经费"), family="T06",
              subjects={PERSONNEL: 1, PUBLIC_USE: 1}, fallback=False, required_for=_B, alternatives=("b06a",),
              standard_title="一般公共预算基本支出预算表"),
    TableKind("f06", "一般公共预算基本支出决算明细表", FINAL, (r"一般公共预算财政拨款基本支出决算",), 80,
              ((r"人员经费", r"公用经费", r"经济分类"),), 40,
              ("经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"), family="T06",
              subjects={PERSONNEL: 1, PUBLIC_USE: 1}, fallback=False, required_for=_F,
              standard_title="一般公共预算财政拨款基本支出决算表"),
    TableKind("b06a", "财政拨款基本支出经济科目表", BUDGET, (r"财政拨款.*基本支出",), 250,
              expected_columns=("科目编码", "科目名称", "合计", "人员经费", "公用经费"),
              subjects={PERSONNEL: 1, PUBLIC_USE: 1}, fallback=False,
              standard_title="财政拨款基本支出预算表"),
    TableKind("b07", "政府性基金收入表", BUDGET, (r"政府性基金.*收入",), 210,
              expected_columns=("科目编码", "科目名称", "金额"), fallback=False,
              required_for=_B, required_since=TEN_TABLE_BUDGET_SINCE,
              standard_title="政府性基金预算收入表"),
    TableKind("b08", "政府性基金支出表", BUDGET, (r"政府性基金.*支出",), 220,
              expected_columns=_TOTALS_SIDE, fallback=False, required_for=_B,
              standard_title="政府性基金预算支出表"),
    TableKind("b09", "国有资本经营预算表", BUDGET, (r"国有资本经营",), 230,
              expected_columns=_TOTALS_SIDE, fallback=False,
              required_for=_B, required_since=TEN_TABLE_BUDGET_SINCE,
              standard_title="国有资本经营预算收支预算表"),
    TableKind("f07", "政府性基金财政拨款决算表", FINAL, (r"政府性基金预算财政拨款.*决算",), 100,
              expected_columns=("功能分类科目编码", "科目名称", "年初结转和结余", "本年收入", "本年支出/合计",
                                "本年支出/基本支出", "本年支出/项目支出", "年末结转和结余"),
              fallback=False, required_for=_F,
              standard_title="政府性基金预算财政拨款收入支出决算表"),
    TableKind("f08", "国有资本经营财政拨款决算表", FINAL, (r"国有资本经营预算财政拨款.*决算",), 110,
              expected_columns=("功能分类科目编码", "科目名称", "年初结转和结余", "本年收入", "本年支出/合计",
                                "本年支出/基本支出", "本年支出/项目支出", "年末结转和结余"),
              fallback=False, required_for=_F,
              standard_title="国有资本经营预算财政拨款收入支出决算表"),
    TableKind("b10", "三公经费预算表", BUDGET, (r"三公经费",), 190,
              ((r"因公出国", r"公务接待"),), 30,
              _SANGONG_COLS, family="T10", subjects=_SANGONG_SUBJECTS, required_for=_B,
              standard_title="财政拨款安排“三公”经费支出预算表"),
    TableKind("f09", "三公经费支出决算表", FINAL, (r"三公经费.*决算",), 120,
              # each printed twice, 预算数 then 决算数
              expected_columns=("合计", "因公出国（境）费", "公务用车购置及运行维护费/小计", "公务用车购置费",
                                "公务用车运行维护费", "公务接待费"),
              family="T10", subjects=_SANGONG_SUBJECTS, required_for=_F,
              standard_title="财政拨款“三公”经费支出决算表"),
    TableKind("b11", "机关运行经费预算表", BUDGET, (r"机关运行经费",), 200,
              expected_columns=("科目编码", "科目名称", "金额"), subjects={RUNNING: 1, PUBLIC_USE: 1},
              standard_title="财政拨款安排机关运行经费预算表"),
    TableKind("b12", "项目支出预算表", BUDGET, (r"项目支出.*预算表|项目支出表",), 290,
              expected_columns=("单位名称", "项目名称", "金额"), fallback=False,
              standard_title="项目支出预算表"),
    TableKind("b13", "项目支出上年结转表", BUDGET, (r"项目支出.*上年结转",), 280,
              expected_columns=("单位名称", "项目名称", "金额"), fallback=False,
              standard_title="项目支出预算表（上年结转）"),
    TableKind("b14", "政府采购预算表", BUDGET, (r"政府采购",), 300,
              expected_columns=("采购项目", "采购品目", "金额"),
              standard_title="政府采购预算表"),
    TableKind("f10", "决算公开相关信息统计表", FINAL, (r"决算公开相关信息",), 130,
              expected_columns=("项目", "金额"), subjects={RUNNING: 1},
              standard_title="部门决算公开相关信息统计表"),
    TableKind("p_overall", "整体支出绩效目标表", PERFORMANCE, (r"整体支出绩效",), 20, compared=False,
              expected_columns=("年度目标", "一级指标", "二级指标", "三级指标", "指标值"),
              standard_title="部门整体支出绩效目标表"),
    TableKind("p_target", "项目支出绩效目标表", PERFORMANCE, (r"绩效目标",), 30,
              ((r"一级指标|绩效指标",),), 20,
              ("项目名称", "一级指标", "二级指标", "三级指标", "指标值"), compared=False,
              standard_title="项目支出绩效目标表"),
    TableKind("p_eval", "项目支出绩效自评表", PERFORMANCE, (r"自评",), 10,
              ((r"一级指标|绩效指标", r"得分|执行率"),), 10,
              ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分"), compared=False,
              standard_title="项目支出绩效自评表"),
    TableKind("p_catalog", "政府购买服务指导性目录", PERFORMANCE, (r"购买服务指导性目录",), 40, compared=False,
              standard_title="政府购买服务指导性目录"),
    TableKind("other", "其他表", None),
)

# derived from CATALOGUE by reload(): the index by kind, and kind -> (sheet name, document kind) with the
# budget kinds first, then the 决算, the 绩效 and other (the order of the README's checks table)
_BY_KIND: Dict[str, TableKind] = {}
KINDS: Dict[str, Tuple[str, Optional[str]]] = {}
_GROUP_ORDER = (BUDGET, FINAL, PERFORMANCE, None)


def _grouped() -> List[TableKind]:
    return sorted(CATALOGUE, key=lambda e: _GROUP_ORDER.index(e.doc_kind))  # stable: catalogue order within

# names of the comparison families several kinds share
FAMILY_NAMES: Dict[str, str] = {
    "T01": "收支总表", "T02": "收入表", "T03": "支出表", "T04": "财政拨款收支总表",
    "T05": "一般公共预算支出表", "T06": "基本支出经济科目表", "T10": "三公经费表",
}

TITLE_HINT_RE = re.compile(
    r"(总表|预算表|决算表|明细表|统计表|绩效目标|自评表|申报表|预算公开表|指导性目录|经费.*表|支出表|收入表|科目表|经济科目）?$|（功能科目）|（经济科目）)"
)


def entry(kind: str) -> TableKind:
    """The catalogue entry of a kind ("other" for an unknown key)."""
    return _BY_KIND.get(kind, _BY_KIND["other"])


def all_kinds() -> List[str]:
    return [e.kind for e in CATALOGUE]


def required_kinds(doc_kind: str, year: Optional[int] = None) -> List[str]:
    """Kinds a disclosure of ``doc_kind`` must print (an empty table printed as such counts).
    A kind with ``alternatives`` is also satisfied by one of them (b05 by b05a). ``year`` None: today's set."""
    return [e.kind for e in CATALOGUE if doc_kind in e.required_for
            and (year is None or e.required_since is None or year >= e.required_since)]


def missing_required(doc_kind: str, present: Sequence[str], year: Optional[int] = None) -> List[str]:
    """Required kinds of which neither the kind nor one of its alternatives is among ``present``."""
    have = set(present)
    return [k for k in required_kinds(doc_kind, year) if not ({k} | set(entry(k).alternatives)) & have]


def _title_rules() -> List[Tuple[str, str]]:
    ranked = sorted((e for e in CATALOGUE if e.titles), key=lambda e: e.title_rank)
    return [(pat, e.kind) for e in ranked for pat in e.titles]


def _column_rules() -> List[Tuple[Tuple[str, ...], str]]:
    ranked = sorted((e for e in CATALOGUE if e.column_hints), key=lambda e: e.column_rank)
    return [(hint, e.kind) for e in ranked for hint in e.column_hints]


# ordered: first match wins. Patterns run on the normalised title (no spaces, no quotes).
_TITLE_RULES: List[Tuple[str, str]] = []
_COLUMN_RULES: List[Tuple[Tuple[str, ...], str]] = []


def reload() -> None:
    """Rebuild the derived indexes from CATALOGUE (in place: importers keep their references)."""
    _BY_KIND.clear()
    _BY_KIND.update({e.kind: e for e in CATALOGUE})
    KINDS.clear()
    KINDS.update({e.kind: (e.sheet, e.doc_kind) for e in _grouped()})
    _TITLE_RULES[:] = _title_rules()
    _COLUMN_RULES[:] = _column_rules()


reload()


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
    for hint, kind in _COLUMN_RULES:
        if all(re.search(rx, h) for rx in hint):
            return kind
    return None


def sheet_name(kind: str) -> str:
    return entry(kind).sheet


def family_key(kind: str) -> Optional[str]:
    """Comparison family of a kind: shared key (T03) or the kind itself; None when never compared."""
    e = _BY_KIND.get(kind)
    if e is None:
        return kind
    if not e.compared:
        return None
    return e.family or e.kind


def family_order() -> List[str]:
    """Known families in display order (first appearance in the catalogue)."""
    out: List[str] = []
    for e in CATALOGUE:
        k = family_key(e.kind)
        if k is not None and k != "other" and k not in out:
            out.append(k)
    return out


def lookup_kinds(subject: str) -> List[str]:
    """Kinds a subject is looked up in, in order; a subject no kind lists uses OTHER_SUBJECT's."""
    key = subject if any(subject in e.subjects for e in CATALOGUE) else OTHER_SUBJECT
    hits = [(e.subjects[key], i, e.kind) for i, e in enumerate(CATALOGUE) if key in e.subjects]
    return [k for _, _, k in sorted(hits)]


def searched_by_fallback(kind: str) -> bool:
    return entry(kind).fallback


def doc_kind_of(kinds: List[str], titles: List[str]) -> str:
    fin = sum(1 for k in kinds if entry(k).doc_kind == FINAL)
    bud = sum(1 for k in kinds if entry(k).doc_kind == BUDGET)
    if fin > bud:
        return FINAL
    if bud:
        return BUDGET
    joined = "".join(titles)
    if "决算" in joined:
        return FINAL
    if kinds and all(entry(k).doc_kind == PERFORMANCE for k in kinds):
        return PERFORMANCE
    return BUDGET


# a document with this many standard tables is a disclosure, not a table cut out of one
DISCLOSURE_MIN_TABLES = 3
