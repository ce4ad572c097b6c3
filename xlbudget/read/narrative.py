"""Pure: extract checkable claims from the narrative (情况说明).

"基本支出297.89万元，占90.41%；项目支出31.61万元，占9.59%"
"比上年减少6.32万元，下降1.88%"   "完成年初预算的134.52%"   "增长∞%"
"""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from xlbudget.model import Claim
from xlbudget.read.raw import TextLine

# subject keywords, longest first; value = canonical subject
SUBJECTS = [
    ("公务用车购置及运行维护费", "公务用车购置及运行费"),
    ("公务用车购置及运行费", "公务用车购置及运行费"),
    ("公务用车运行维护费", "公务用车运行维护费"),
    ("公务用车购置费", "公务用车购置费"),
    ("因公出国（境）费", "因公出国（境）费"),
    ("因公出国(境)费", "因公出国（境）费"),
    ("公务接待费", "公务接待费"),
    ("“三公”经费", "三公经费"),
    ("\"三公\"经费", "三公经费"),
    ("三公经费", "三公经费"),
    ("机关运行经费", "机关运行经费"),
    ("会议费", "会议费"),
    ("培训费", "培训费"),
    ("人员经费", "人员经费"),
    ("公用经费", "公用经费"),
    ("基本支出", "基本支出"),
    ("项目支出", "项目支出"),
    ("政府采购", "政府采购"),
    ("收入预算", "收入预算"),
    ("支出预算", "支出预算"),
    ("收入总计", "收入总计"),
    ("支出总计", "支出总计"),
    ("收入合计", "收入合计"),
    ("支出合计", "支出合计"),
    ("财政拨款", "财政拨款"),
    ("一般公共预算", "一般公共预算"),
    ("上年结转", "上年结转"),
    ("本年收入", "本年收入"),
    ("本年预算安排", "本年预算安排"),
    ("政府性基金", "政府性基金"),
    ("国有资本经营", "国有资本经营"),
]
from xlbudget.codes import CLASSES as _CLASSES  # noqa: E402

SUBJECTS = sorted(SUBJECTS + [(n, n) for n in _CLASSES.values()], key=lambda x: -len(x[0]))
# parts of a total: a change stated after them belongs to the total of the sentence
COMPONENTS = {"上年结转", "本年收入", "本年预算安排", "政府性基金", "国有资本经营"}

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
AMOUNT_RE = re.compile(_NUM + r"\s*万元")
SHARE_RE = re.compile(r"占(?:比|总支出的?|支出总额的?|[^，。；%]{0,8}?的)?\s*" + _NUM + r"\s*[%％]")
CHANGE_RE = re.compile(
    r"(?:比|较|与)(?:上年|上一年|去年|\d{4}年)[^，。；\d]{0,10}?(增加|减少|增长|下降|降低|持平|一致|相同|无变化|未变化)"
    r"(?:了)?\s*" + _NUM + r"?\s*(万元)?"
)
RATE_RE = re.compile(r"(增长|下降|降低|增加|减少|减)(?:了)?\s*(∞|" + _NUM[1:-1] + r")\s*[%％]")
SCOPES = ("一般公共预算", "财政拨款", "政府性基金预算", "政府性基金", "国有资本经营预算", "国有资本经营",
          "国有资金经营预算", "社会保险基金预算", "单位资金", "财政专户", "政府采购", "其他资金", "事业收入",
          "上级补助", "经营收入")
NO_CHANGE = ("持平", "一致", "相同", "无变化", "未变化")
EXEC_FULL_RE = re.compile(
    r"年初预算(?:数)?(?:为)?\s*" + _NUM + r"\s*万元[，,]?\s*(?:支出)?决算(?:数)?(?:为)?\s*" + _NUM
    + r"\s*万元[，,]?\s*完成(?:年初)?预算的?\s*" + _NUM + r"\s*[%％]"
)
EXEC_RE = re.compile(r"完成(?:年初|全年)?预算的?\s*" + _NUM + r"\s*[%％]")


def _dec(s: Optional[str]) -> Optional[Decimal]:
    if s is None:
        return None
    try:
        return Decimal(s.replace(",", ""))
    except Exception:
        return None


_ITEM_RE = re.compile(r"([^（）()，,；;。：:、\d]+?)[（(](类|款|项)[）)]")


def _subject_before(text: str, pos: int):
    """(subject, scope, qualifier) of the amount at ``pos``: the last subject keyword of the
    clause; where two keywords overlap ("基本支出预算数为"), the one starting first wins.
    A function item named with its level, "住房改革支出（款）住房公积金（项）支出", is the
    subject "科目:住房公积金"."""
    window = text[max(0, pos - 40):pos]
    cut = max(window.rfind(ch) for ch in "，,；;。")
    if cut >= 0:
        window = window[cut + 1:]
    items = list(_ITEM_RE.finditer(window))
    if items and re.fullmatch(r"(支出|预算|预算数|安排|为|合计|共|是|支出预算|预算支出)*", window[items[-1].end():]):
        name = re.sub(r"^([.．、\s]|\d+[.．、]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)+", "",
                      items[-1].group(1))
        if name:
            return "科目:" + re.sub(r"支出$", "", name), None, window[items[-1].end():] or None
    hits = []
    for kw, canon in SUBJECTS:
        i = window.rfind(kw)
        if i >= 0:
            hits.append((i, i + len(kw), kw, canon))
    if not hits:
        return None, None, None
    last_end = max(h[1] for h in hits)
    # among the hits that overlap the last one, the earliest start
    overlapping = [h for h in hits if h[1] > min(x[0] for x in hits if x[1] == last_end)]
    start, end, kw, canon = min(overlapping, key=lambda h: (h[0], -len(h[2])))
    before, after = window[:start], window[end:]
    scope = next((sc for sc in SCOPES if sc in before and sc != canon), None)
    qualifier = re.sub(r"^(为|是|共|合计|总额|总计|安排)+|(为|是|共|安排)+$", "", after) or None
    return canon, scope, qualifier


def extract_claims(lines: Sequence[TextLine]) -> List[Claim]:
    """Claims from narrative lines (lines are joined per page, then split in clauses)."""
    text, pages = _joined(lines)  # one stream, with the page of each character
    claims: List[Claim] = []
    amounts = list(AMOUNT_RE.finditer(text))
    for k, m in enumerate(amounts):
        # skip amounts that are themselves the 增减额 of a change clause
        pre = text[max(0, m.start() - 14):m.start()]
        if re.search(r"(增加|减少|增长|下降)(了)?$", pre):
            continue
        subject, scope, qualifier = _subject_before(text, m.start())
        if subject is None:
            continue
        sent_from = max(text.rfind(p, 0, m.start()) for p in "。；;")
        if "绩效" in text[sent_from + 1:m.start()]:
            scope = "绩效"  # "编报绩效目标，涉及资金…其中项目支出…": project coverage, not the tables
        end = len(text)
        for m2 in amounts[k + 1:]:
            pre2 = text[max(0, m2.start() - 14):m2.start()]
            if not re.search(r"(增加|减少|增长|下降)(了)?$", pre2):
                end = m2.start()
                break
        stop = re.search(r"[。；;]", text[m.end():end])
        seg_end = m.end() + stop.start() if stop else end
        seg = text[m.end():seg_end]
        c = Claim(subject=subject, amount=_dec(m.group(1)), page=pages[m.start()] if pages else None,
                  text=text[max(0, m.start() - 20):seg_end][:160], scope=scope, qualifier=qualifier,
                  pos=m.start())
        s = SHARE_RE.search(seg)
        if s and s.start() < 12:
            c.share = _dec(s.group(1))
        ch = CHANGE_RE.search(seg)
        target = c
        if ch and subject in COMPONENTS:
            # "收入总计A万元，其中：本年收入B万元，上年结转C万元，比上年减少D万元": D is for the total
            sent_start = max(text.rfind(p, 0, m.start()) for p in "。；;")
            for prev in reversed(claims):
                if prev.subject not in COMPONENTS and prev.pos > sent_start:
                    target = prev
                    break
        if ch:
            word, val = ch.group(1), _dec(ch.group(2))
            if word in NO_CHANGE:
                target.change = Decimal(0)
                target.change_rate = Decimal(0)
            elif val is not None and ch.group(3):
                target.change = -val if word in ("减少", "下降", "降低") else val
        # the rate belongs to this claim only when it follows the amount or its change closely
        near = seg[ch.end():ch.end() + 16] if ch else seg[:24]
        r = RATE_RE.search(near)
        if r:
            if r.group(2) == "∞":
                target.change_rate_infinite = True
            else:
                v = _dec(r.group(2))
                target.change_rate = -v if r.group(1) in ("减少", "下降", "降低", "减") else v
        e = EXEC_RE.search(seg)
        if e:
            c.execution_rate = _dec(e.group(1))
        claims.append(c)
    # "基本支出年初预算324.07万元，支出决算423.74万元，完成年初预算的130.75%"
    for m in EXEC_FULL_RE.finditer(text):
        subject, scope, _ = _subject_before(text, m.start() + 4)
        if subject is None:
            subject, scope = "支出", None
        claims.append(Claim(subject=subject, amount=_dec(m.group(2)), budget=_dec(m.group(1)),
                            execution_rate=_dec(m.group(3)), page=pages[m.start()] if pages else None,
                            text=text[max(0, m.start() - 20):m.end()][:160], scope=scope, qualifier="决算",
                            pos=m.start()))
    claims.sort(key=lambda c: c.pos)
    return claims


# ---------------------------------------------------------------- statements
# Sentences the checks read besides the amount claims: "决算数小于预算数" (of the figures just
# stated), and counts of 三公 activity (团组/人次/辆/批次).

# "决算数小于（全年）预算数", "决算数同预算数持平": the word, normalised to 大于 / 小于 / 等于
COMPARE_RE = re.compile(
    r"决算数?(?:(大于|超过|高于|小于|低于|少于|等于)(?:年初|全年|调整后?)?预算数?"
    r"|[同与和](?:年初|全年|调整后?)?预算数?(?:相比)?(?:基本)?(持平|相同|一致))"
)
COMPARISON_WORDS = {"大于": "大于", "超过": "大于", "高于": "大于", "小于": "小于", "低于": "小于", "少于": "小于",
                    "等于": "等于", "持平": "等于", "相同": "等于", "一致": "等于"}
# the figures a comparison speaks of: "年初预算为452.40万元，支出决算为446.11万元"
BUDGET_AMOUNT_RE = re.compile(r"预算(?:数)?(?:为|是)?\s*" + _NUM + r"\s*万元")
ACTUAL_AMOUNT_RE = re.compile(r"决算(?:数)?(?:为|是)?\s*" + _NUM + r"\s*万元")
# how far back (characters of the joined narrative) the figures of a comparison may stand
COMPARE_WINDOW = 220

# the 三公 item a count belongs to: the last of these named before it
COUNT_SUBJECTS = (("因公出国", "因公出国（境）费"), ("出访", "因公出国（境）费"), ("团组", "因公出国（境）费"),
                  ("公务用车", "公务用车"), ("车辆", "公务用车"), ("接待", "公务接待费"))
COUNT_RE = re.compile(r"(\d+)\s*(人次|辆|批次|个)")
# a vehicle total and its parts: "共有车辆66辆，其中，一般公务用车13辆、执法执勤用车38辆…"
VEHICLE_TOTAL_RE = re.compile(r"(?:共有|实有)(?:车辆|公务用车)?(?:编制\d+辆[，,]?实有)?\s*(\d+)\s*辆")
VEHICLE_PART_RE = re.compile(r"([^，,、；;：:。\d]{2,16}?)\s*(\d+)\s*辆")


class _CharPages:
    """The page of each character of the joined lines, ``pages[i]``, stored per line: a list
    with an entry per character takes 8 bytes a character (megabytes for a long document)."""

    def __init__(self):
        self.starts: List[int] = []  # offset of each (non-empty) line's first character
        self.pages: List[int] = []
        self.n = 0

    def add(self, page: int, length: int) -> None:
        if length:
            self.starts.append(self.n)
            self.pages.append(page)
            self.n += length

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.pages[bisect_right(self.starts, i) - 1]


def _joined(lines: Sequence[TextLine]) -> Tuple[str, _CharPages]:
    """The lines' texts joined without their whitespace, and the page of each character."""
    parts: List[str] = []
    pages = _CharPages()
    for ln in lines:
        t = "".join(ln.text.split())
        parts.append(t)
        pages.add(ln.page, len(t))
    return "".join(parts), pages


def _comparisons(text: str, pages: _CharPages) -> List[Claim]:
    out: List[Claim] = []
    prev_end = 0
    for m in COMPARE_RE.finditer(text):
        start = max(prev_end, m.start() - COMPARE_WINDOW)
        prev_end = m.end()
        window = text[start:m.start()]
        budgets = list(BUDGET_AMOUNT_RE.finditer(window))
        if not budgets:
            continue
        b = budgets[-1]  # "年初预算为0万元，全年预算为321.02万元，支出决算为307.82万元": the last budget
        a = ACTUAL_AMOUNT_RE.search(window, b.end())
        if a is None:
            continue
        subject, scope, _ = _subject_before(text, m.start())
        if subject is None:
            subject, scope, _ = _subject_before(text, start + b.start())
        out.append(Claim(subject=subject or "支出", amount=_dec(a.group(1)), budget=_dec(b.group(1)),
                         comparison=COMPARISON_WORDS[m.group(1) or m.group(2)], scope=scope,
                         page=pages[m.start()] if pages else None,
                         text=text[start + b.start():m.end()][:160], pos=m.start()))
    return out


def _counts(text: str, pages: _CharPages) -> List[Claim]:
    """"团组0个、累计0人次", "保有量为0辆", "接待23批次，179人次": counts of the 三公 item named
    last before them in the sentence (a count with no 三公 item before it is no 三公 count)."""
    out: List[Claim] = []
    for m in COUNT_RE.finditer(text):
        sent_from = max(text.rfind(p, 0, m.start()) for p in "。；;") + 1
        head = text[sent_from:m.start()]
        hits = [(head.rfind(kw), canon) for kw, canon in COUNT_SUBJECTS if kw in head]
        if not hits or (m.group(2) == "个" and "团组" not in head):
            continue
        if m.group(2) == "辆" and not re.search(r"保有量|购置", head):
            continue  # the cars owned, by kind: read with their total (_vehicles)
        if re.search(r"[≥≤><＞＜]\s*$", head) or re.search(r"\d$", head):
            continue  # "≥24次": a 绩效 target; "1.5个": not a count
        subject = max(hits)[1]
        qualifier = re.sub(r"^.*[，,、：:]", "", head) or None
        out.append(Claim(subject=subject, count=int(m.group(1)), count_unit=m.group(2), qualifier=qualifier,
                         page=pages[m.start()] if pages else None, text=text[sent_from:m.end()][-160:],
                         pos=m.start()))
    return out


def _vehicles(text: str, pages: _CharPages) -> List[Claim]:
    """"共有车辆66辆，其中，一般公务用车13辆、执法执勤用车38辆、特种专业技术用车15辆": the total
    (qualifier 合计) followed by its parts (qualifier 其中), one statement each."""
    out: List[Claim] = []
    for m in VEHICLE_TOTAL_RE.finditer(text):
        lead = re.match(r"车?[，,。；;]?其中", text[m.end():])
        if not lead:
            continue
        end = text.find("。", m.end() + lead.end())
        end = len(text) if end < 0 else end
        rest = text[m.end():end]
        page = pages[m.start()] if pages else None
        out.append(Claim(subject="公务用车", count=int(m.group(1)), count_unit="辆", qualifier="合计", page=page,
                         text=text[m.start():end][:160], pos=m.start()))
        for p in VEHICLE_PART_RE.finditer(rest, rest.find("其中") + 2):
            name = re.sub(r"^(其中|以及|和|及)", "", p.group(1))
            out.append(Claim(subject="公务用车:" + name, count=int(p.group(2)), count_unit="辆", qualifier="其中",
                             page=page, text=p.group(0), pos=m.end() + p.start()))
    return out


def extract_statements(lines: Sequence[TextLine]) -> List[Claim]:
    """Comparisons of 决算 with 预算 and counts of 三公 activity, in the order of the text."""
    text, pages = _joined(lines)
    out = _comparisons(text, pages) + _counts(text, pages) + _vehicles(text, pages)
    out.sort(key=lambda c: c.pos)
    return out
