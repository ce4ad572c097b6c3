"""Wording checks: what a reviewer reads in the sentences themselves.

A placeholder of the template left in ("上海市XX局", "XXX万元", "某某"), the template's two
directions printed together ("减少（增加）", "下降（增长）"), a sentence whose direction word
disagrees with its own figures ("减少120万元，增长5%"; "决算数大于预算数" of a 决算 below its
预算), and amounts stated as zero, which the narrative checks of rules.py pass over.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# rules.py's narrative section locates the table figures of a subject (one home for subjects)
from xlbudget.checks import rules
from xlbudget.checks.registry import NARRATIVE, WORDING, finding, rule
from xlbudget.model import CellRef, Claim, Document, Finding, table_keys
from xlbudget.numbers import fmt, half_ulp
from xlbudget.vocabulary import squeeze

# Template placeholders: a run of X (ASCII, full width or ×) standing alone, 某某, ＊＊, a
# "单位名称" standing for the name in a title, and the template's instructions to the author.
PLACEHOLDER_RE = re.compile(
    r"(?<![A-Za-z])(?:[XxＸｘ×]{2,})(?![A-Za-z])"
    r"|某某"
    r"|＊{2,}|\*{2,}(?=\s*(?:万元|元|%|％|年|个|人次|辆))"
    r"|单位名称(?=\s*(?:20\d{2}\s*年|部门(?:预算|决算)))"
    r"|[（(](?:如持平作持平表述|不涉及的不列|根据实际情况填写|请填写[^）)]{0,10})[）)]"
)
# the two directions of the template printed together: "减少（增加）", "增长（减少）", "小于（大于）"
UP_WORDS = ("增加", "增长", "上升", "大于", "超过", "高于")
DOWN_WORDS = ("减少", "下降", "降低", "小于", "低于")
_DIRECTION = "|".join(UP_WORDS + DOWN_WORDS)
ALTERNATIVE_RE = re.compile(rf"({_DIRECTION})\s*[（(]\s*({_DIRECTION})\s*[）)]")
SHOWN = 60  # characters of a sentence quoted in a finding


def _finding(rule_id: str, cells: Sequence[CellRef] = (), page: Optional[int] = None, **fields) -> Finding:
    """A finding whose message may name its page ({on})."""
    return finding(rule_id, cells, page=page, on=page if page is not None else "?", **fields)


def _quote(text: str, start: int, end: int) -> str:
    return text[max(0, start - 20):end + 20][:SHOWN]


def _pages_text(doc: Document) -> Dict[int, str]:
    """The text outside the tables, one string per page, white space removed (a placeholder may
    be printed "X X X" or broken over a line)."""
    out: Dict[int, List[str]] = {}
    for page, line in ((ln.page, ln.text) for ln in doc.lines):
        out.setdefault(page, []).append(squeeze(line))
    return {p: "".join(v) for p, v in sorted(out.items())}


@rule("WORDING.placeholder", kind=WORDING, severity="warning",
      message="{where}留有模板占位符 {found}：“{context}”",
      describe="a placeholder of the template (XX, ××, 某某, ＊＊, 单位名称, 填写说明) is left in the text, a title or a cell")
def placeholders(doc: Document) -> Iterable[Finding]:
    for page, text in _pages_text(doc).items():
        hits = list(PLACEHOLDER_RE.finditer(text))
        if hits:
            found = "、".join(dict.fromkeys(m.group(0) for m in hits))
            yield _finding("WORDING.placeholder", page=page, where=f"第{page}页文字", found=found,
                          context=_quote(text, hits[0].start(), hits[0].end()))
    keys = table_keys(doc)
    for t in doc.tables:
        title = squeeze(t.title)
        m = PLACEHOLDER_RE.search(title)
        if m:
            yield _finding("WORDING.placeholder", page=t.pages[0] if t.pages else None,
                          where=f"表“{t.title}”的标题", found=m.group(0), context=title[:SHOWN])
        cells: List[CellRef] = []
        found: List[str] = []
        for i, r in enumerate(t.rows):
            for j, c in enumerate(r.cells):
                m = PLACEHOLDER_RE.search(squeeze(c.text))
                if m:
                    cells.append(CellRef(keys[id(t)], i, j, r.page))
                    found.append(m.group(0))
        if cells:
            yield _finding("WORDING.placeholder", cells, where=f"表“{t.title or keys[id(t)]}”的 {len(cells)} 个单元格",
                          found="、".join(dict.fromkeys(found)), context=t.rows[cells[0].row].cells[cells[0].col].text)


@rule("WORDING.template-alternative", kind=WORDING, severity="warning",
      message="第{on}页：模板的两个方向词并列未删：“{pair}”（{context}）",
      describe="both directions of the template are left in a sentence: 减少（增加）, 下降（增长）, 小于（大于）")
def template_alternatives(doc: Document) -> Iterable[Finding]:
    # one stream of the whole text: a sentence runs on over a page break
    text, pages = "", []
    for page, line in ((ln.page, ln.text) for ln in doc.lines):
        line = squeeze(line)
        text += line
        pages += [page] * len(line)
    for m in ALTERNATIVE_RE.finditer(text):
        if (m.group(1) in UP_WORDS) != (m.group(2) in UP_WORDS):
            yield _finding("WORDING.template-alternative", page=pages[m.start()], pair=m.group(0),
                           context=_quote(text, m.start(), m.end()))


def _word(v: Decimal, up: str, down: str) -> str:
    return up if v > 0 else down


@rule("WORDING.change-direction", kind=WORDING, severity="warning",
      message="叙述（第{on}页）{subject}：增减额说{amount_word}{change}万元，增减率却说{rate_word}{rate}%（“{context}”）",
      describe="the change and the rate of change of one sentence go opposite ways (减少120万元，增长5%)")
def change_directions(doc: Document) -> Iterable[Finding]:
    for c in doc.claims:
        if c.change is None or c.change_rate is None or not c.change or not c.change_rate:
            continue
        if (c.change > 0) != (c.change_rate > 0):
            f = _finding("WORDING.change-direction", page=c.page, subject=c.subject,
                        amount_word=_word(c.change, "增加", "减少"), change=fmt(abs(c.change)),
                        rate_word=_word(c.change_rate, "增长", "下降"), rate=abs(c.change_rate), context=c.text[:SHOWN])
            f.expected, f.actual = c.change, c.change_rate
            yield f


def comparison_holds(word: str, amount: Decimal, budget: Decimal, tol: Optional[Decimal] = None) -> bool:
    """Does "决算数{word}预算数" hold of the printed figures? Two figures printed to the same place
    that differ differ in truth too; "等于/持平" allows the figures' rounding (``tol``)."""
    tol = half_ulp(amount) + half_ulp(budget) if tol is None else tol
    if word == "大于":
        return amount >= budget
    if word == "小于":
        return amount <= budget
    return abs(amount - budget) <= tol


def _relation(amount: Decimal, budget: Decimal) -> str:
    return "大于" if amount > budget else "小于" if amount < budget else "等于"


@rule("WORDING.budget-comparison", kind=WORDING, severity="warning",
      message="叙述（第{on}页）称{subject}决算数{word}预算数，但所述决算 {amount}万元{actual}预算 {budget}万元（“{context}”）",
      describe="\"决算数大于/小于/等于预算数\" disagrees with the 预算 and 决算 figures stated just before it")
def budget_comparisons(doc: Document) -> Iterable[Finding]:
    for s in doc.statements:
        if s.comparison is None or s.amount is None or s.budget is None:
            continue
        if not comparison_holds(s.comparison, s.amount, s.budget):
            f = _finding("WORDING.budget-comparison", page=s.page, subject=_label(s), word=s.comparison,
                        amount=fmt(s.amount), budget=fmt(s.budget), actual=_relation(s.amount, s.budget),
                        context=s.text[-SHOWN:])
            f.expected, f.actual = s.budget, s.amount
            yield f


def _label(c: Claim) -> str:
    return c.subject[3:] + "（科目）" if c.subject.startswith("科目:") else c.subject


# ---------------------------------------------------------------- zero amounts

def _zero_targets(doc: Document) -> Dict[str, List[Tuple[CellRef, Optional[Decimal], Decimal, str]]]:
    """subject -> (cell, value in 万元, its rounding error, unit) of the table figures a narrative
    amount of that subject may be: the locator of the narrative checks (rules.py)."""
    ctx = rules.Context(doc)
    return {subj: [(ref,) + rules.cell_in_wan(ctx, ref) for ref, _ in refs]
            for subj, refs in rules.claim_targets(ctx).items()}


@rule("NARR.zero-amount", kind=NARRATIVE, severity="warning",
      message="叙述（第{on}页）称{subject} 0 万元，表中为 {value}万元（“{context}”）",
      describe="an amount the narrative states as zero (\"收入支出总计0万元\") while the table of that subject prints more")
def zero_amounts(doc: Document) -> Iterable[Finding]:
    zeros = [c for c in doc.claims if c.amount == 0 and not c.scope and c.budget is None]
    if not zeros:
        return
    targets = _zero_targets(doc)
    seen = set()
    for c in zeros:
        if c.qualifier and re.search(r"年初|预算数|上年|去年|20\d{2}年", c.qualifier) and doc.kind != "预算":
            continue  # a 决算's "年初预算为0万元" is the budget, not the table's 决算 figure
        cands = [x for x in targets.get(squeeze(c.subject), []) if x[1] is not None]
        if not cands or (c.subject, c.page) in seen:
            continue
        # the claim is right if any of its candidate figures is zero (within its rounding)
        if any(abs(v) <= err + half_ulp(c.amount) for _, v, err, _ in cands):
            continue
        seen.add((c.subject, c.page))
        f = _finding("NARR.zero-amount", [x[0] for x in cands], page=c.page, subject=_label(c),
                    value=fmt(cands[0][1]), context=c.text[:SHOWN])
        f.expected, f.actual = cands[0][1], c.amount
        yield f
