"""The narrative rules, declared: their ids, words and README lines.

Their findings are made by ``rules.narrative_findings`` (being moved onto the shared subject
locator), which still gives them the ids of before (``NARR``, ``NARR-SHARE``, ``NARR-RATE``,
``NARR-EXEC``: registry.LEGACY_IDS maps them); the share a table contradicts also gets a live
formula in 校验 (``rules.share_checks``).
"""
from __future__ import annotations

from xlbudget.checks.registry import NARRATIVE, declare

declare("NARR.amount", kind=NARRATIVE, severity="warning", message="叙述（第{page}页）称{subject} {actual}万元，表中为 {expected}",
        describe="a narrative amount against every table cell it may be quoted from (the narrative's 万元 against "
                 "a table printed in 元, 千元 or 亿元 after conversion, each figure exact to half a unit of its own "
                 "printed unit); claims scoped to another fund (政府性基金…) or to 绩效 coverage are not compared "
                 "with the table of the same name")
declare("NARR.share", kind=NARRATIVE, severity="warning", message="叙述（第{page}页）称{subject}占{actual}%，按表计算为 {expected}%",
        describe="a narrative 占% against the amount cell over its total, within the interval the rounded "
                 "figures allow", formula="ratio")
declare("NARR.rate", kind=NARRATIVE, severity="warning",
        message="叙述（第{page}页）{subject}：增减率 {actual}% 与增减额算得 {expected}% 不符",
        describe="增减额 against 增减率 of the same sentence (last year = amount − change)")
declare("NARR.exec", kind=NARRATIVE, severity="warning",
        message="叙述（第{page}页）{subject}：称完成年初预算的{actual}%，应为 {expected}%",
        describe="完成年初预算的% against 决算 / 年初预算 of the same sentence")
