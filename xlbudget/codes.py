"""Function (支出功能分类) and economic (支出经济分类) codes: rebuild, levels, names.

Documents print codes either in full (201, 20103, 2010301) or split into 类/款/项
pieces (201, then 03, then 01). :func:`rebuild_codes` turns a column of printed
codes into full codes. A 2-digit piece after a 项 is either a sibling 项 or a new
款 (``25 港澳台事务`` = 20125): the official names decide, amounts confirm.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from xlbudget.numbers import consistent

# 类 (2024 edition; older names kept as aliases)
CLASSES = {
    "201": "一般公共服务支出", "202": "外交支出", "203": "国防支出", "204": "公共安全支出",
    "205": "教育支出", "206": "科学技术支出", "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出", "209": "社会保险基金支出", "210": "卫生健康支出",
    "211": "节能环保支出", "212": "城乡社区支出", "213": "农林水支出", "214": "交通运输支出",
    "215": "资源勘探工业信息等支出", "216": "商业服务业等支出", "217": "金融支出",
    "219": "援助其他地区支出", "220": "自然资源海洋气象等支出", "221": "住房保障支出",
    "222": "粮油物资储备支出", "223": "国有资本经营预算支出", "224": "灾害防治及应急管理支出",
    "227": "预备费", "229": "其他支出", "230": "转移性支出", "231": "债务还本支出",
    "232": "债务付息支出", "233": "债务发行费用支出", "234": "抗疫特别国债安排的支出",
}

# 款: a working subset of the official list (the ones departments of this kind use)
SEGMENTS = {
    "20101": "人大事务", "20102": "政协事务", "20103": "政府办公厅（室）及相关机构事务",
    "20104": "发展与改革事务", "20105": "统计信息事务", "20106": "财政事务", "20107": "税收事务",
    "20108": "审计事务", "20109": "海关事务", "20111": "纪检监察事务", "20113": "商贸事务",
    "20114": "知识产权事务", "20123": "民族事务", "20125": "港澳台事务", "20126": "档案事务",
    "20128": "民主党派及工商联事务", "20129": "群众团体事务", "20131": "党委办公厅（室）及相关机构事务",
    "20132": "组织事务", "20133": "宣传事务", "20134": "统战事务", "20135": "对外联络事务",
    "20136": "其他共产党事务支出", "20137": "网信事务", "20138": "市场监督管理事务",
    "20199": "其他一般公共服务支出",
    "20201": "外交管理事务", "20204": "国际组织", "20205": "对外合作与交流", "20206": "对外宣传",
    "20401": "武装警察部队", "20402": "公安", "20404": "检察", "20405": "法院", "20406": "司法",
    "20499": "其他公共安全支出",
    "20502": "普通教育", "20508": "进修及培训",
    "20801": "人力资源和社会保障管理事务", "20802": "民政管理事务",
    "20805": "行政事业单位养老支出", "20808": "抚恤", "20899": "其他社会保障和就业支出",
    "21001": "卫生健康管理事务", "21007": "计划生育事务", "21011": "行政事业单位医疗",
    "21099": "其他卫生健康支出",
    "22101": "保障性安居工程支出", "22102": "住房改革支出", "22103": "城乡社区住宅",
}
SEGMENT_ALIASES = {
    "行政事业单位离退休": "05",  # 20805 before 2021
    "医疗卫生与计划生育管理事务": "01",
    "医疗保障": "05",
}
# names that are (almost) always a 项
ITEM_NAMES = (
    "行政运行", "一般行政管理事务", "机关服务", "事业运行", "行政单位离退休", "事业单位离退休",
    "机关事业单位基本养老保险缴费支出", "机关事业单位职业年金缴费支出", "行政单位医疗",
    "事业单位医疗", "公务员医疗补助", "住房公积金", "提租补贴", "购房补贴", "台湾事务",
    "香港事务", "澳门事务", "专项业务活动", "专项服务", "信访事务", "参事事务", "人大会议",
    "人大立法", "人大监督", "政协会议", "委员视察", "其他计划生育事务支出", "死亡抚恤",
)

_SPLIT_RE = re.compile(r"^(\d{3})[\s./\-_]+(\d{2})(?:[\s./\-_]+(\d{2}))?$")


def _norm(s: Optional[str]) -> str:
    return "".join((s or "").split()).replace("(", "（").replace(")", "）")


def code_text(text: Optional[str]) -> Optional[str]:
    """Digits of a printed code cell, or None if it is not a code."""
    s = "".join((text or "").split())
    if not s:
        return None
    m = _SPLIT_RE.match((text or "").strip())
    if m:
        return "".join(g for g in m.groups() if g)
    if re.fullmatch(r"\d{2,9}", s):
        return s
    return None


def level_of(code: Optional[str]) -> Optional[int]:
    """1 类 (3 digits), 2 款 (5), 3 项 (7); economic codes 3 -> 1, 5 -> 2."""
    if not code:
        return None
    return {3: 1, 5: 2, 7: 3}.get(len(code))


def parent_of(code: str) -> Optional[str]:
    if len(code) == 7:
        return code[:5]
    if len(code) == 5:
        return code[:3]
    return None


def is_function_code(code: Optional[str]) -> bool:
    return bool(code) and code[0] == "2" and len(code) in (3, 5, 7)


def is_economic_code(code: Optional[str]) -> bool:
    return bool(code) and code[0] in "35" and len(code) in (3, 5)


def _is_known_segment(cls: str, piece: str, name: str) -> Optional[bool]:
    """True if (cls+piece) is a known 款 with that name; False if the name is a known 项."""
    n = _norm(name)
    known = SEGMENTS.get(cls + piece)
    if known and _norm(known) == n:
        return True
    if SEGMENT_ALIASES.get(n) == piece:
        return True
    if n in ITEM_NAMES or n.startswith("其他") and n.endswith("事务支出") and not n.startswith("其他一般"):
        return False
    for code, nm in SEGMENTS.items():
        if _norm(nm) == n and code.startswith(cls):
            return True
    return None


def rebuild_codes(
    pieces: Sequence[Optional[str]],
    names: Sequence[Optional[str]],
    amounts: Sequence[Optional[Decimal]],
) -> List[Optional[str]]:
    """Rebuild full codes for one code column.

    ``pieces`` are the printed code cells (full or split), ``names`` the item
    names, ``amounts`` the first amount of each row (used to confirm whether a
    2-digit piece closes the current 款).
    """
    out: List[Optional[str]] = []
    cls: Optional[str] = None
    seg: Optional[str] = None
    seg_amount: Optional[Decimal] = None
    seg_children_sum = Decimal(0)
    seg_children = 0
    last_level = 0
    for piece_text, name, amount in zip(pieces, names, amounts):
        piece = code_text(piece_text)
        if piece is None:
            out.append(None)
            continue
        if len(piece) in (3, 5, 7):
            full = piece
            out.append(full)
            if len(full) == 3:
                cls, seg, last_level = full, None, 1
            elif len(full) == 5:
                cls, seg, last_level = full[:3], full, 2
                seg_amount, seg_children_sum, seg_children = amount, Decimal(0), 0
            else:
                cls, last_level = full[:3], 3
                if seg != full[:5]:
                    seg = full[:5]
                    seg_amount, seg_children_sum, seg_children = None, Decimal(0), 0
            continue
        if len(piece) == 2 and cls:
            if last_level == 1 or seg is None:
                new_seg = True
            else:
                verdict = _is_known_segment(cls, piece, name or "")
                if verdict is not None:
                    new_seg = verdict
                elif seg_amount is not None and seg_children > 0:
                    # amounts confirm: the children of the current 款 already add up
                    ok, _, _, _ = consistent(seg_amount, [seg_children_sum], 2)
                    new_seg = ok
                else:
                    new_seg = False
            if new_seg:
                seg = cls + piece
                out.append(seg)
                last_level = 2
                seg_amount, seg_children_sum, seg_children = amount, Decimal(0), 0
            else:
                out.append(seg + piece)
                last_level = 3
                seg_children += 1
                if amount is not None:
                    seg_children_sum += amount
            continue
        out.append(piece)
    return out


def rebuild_split_codes(pieces: Sequence[Sequence[Optional[str]]]) -> Tuple[List[Optional[str]], List[int]]:
    """Full codes from 类 | 款 | 项 printed in columns of their own.

    ``pieces[i]`` holds the texts of row i's code columns (类, 款, 项). A row may print all
    its parts (201 | 06 | 01) or only its new part (| 06 |, | | 01); a full code printed
    in the first of them (a cell spanning the three) is taken as is. Returns the codes and
    the indexes of rows whose digits do not form a code path (a 款 with no 类 above, a
    piece of the wrong length), which get no code.
    """
    out: List[Optional[str]] = []
    bad: List[int] = []
    cls: Optional[str] = None
    seg: Optional[str] = None
    for i, texts in enumerate(pieces):
        raw = ["".join((t or "").split()) for t in list(texts)[:3]]
        raw += [""] * (3 - len(raw))
        ps = [code_text(t) or "" for t in raw]
        c, k, x = ps
        if any(r and not p and re.search(r"\d", r) for r, p in zip(raw, ps)):
            bad.append(i)  # digits that are no code piece (an amount?) in a code column
            out.append(None)
            continue
        if any(r and not p for r, p in zip(raw, ps)):
            out.append(None)  # 合计, …: a label spanning the code columns
            continue
        if c and len(c) in (5, 7) and not k and not x:
            cls, seg = c[:3], c[:5]
            out.append(c)
            continue
        if not (c or k or x):
            out.append(None)
            continue
        ok = True
        if c:
            if len(c) == 3:
                cls, seg = c, None
            else:
                ok = False
        if ok and k:
            if len(k) == 2 and cls:
                seg = cls + k
            else:
                ok = False
        if ok and x:
            ok = len(x) == 2 and seg is not None
        if not ok:
            bad.append(i)
            out.append(None)
        elif x:
            out.append(seg + x)  # type: ignore[operator]
        elif k:
            out.append(seg)
        else:
            out.append(cls)
    return out, bad
