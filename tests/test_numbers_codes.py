from decimal import Decimal as D

import pytest

from xlbudget.codes import level_of, rebuild_codes
from xlbudget.numbers import consistent, parse_amount, tolerance


@pytest.mark.parametrize("text,value", [
    ("1,234.50", D("1234.50")), ("-16.28", D("-16.28")), ("(16.28)", D("-16.28")), ("0.00", D("0.00")),
    ("27,664.22", D("27664.22")), ("120,900", D("120900")), ("20.1", D("20.1")), (" 35 ", D("35")),
    ("１２３．４５", D("123.45")), ("（16.28）", D("-16.28")), ("12.50万元", D("12.50")), ("120,900元", D("120900")),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["", "  ", "——", "—", "行政运行", "12,34.5", "2024年", "≥90%", None, "≤200元/人天",
                                  "万元", "98.95%"])
def test_not_amounts(text):
    assert parse_amount(text) is None


def test_blank_is_not_zero():
    assert parse_amount("") is None and parse_amount("0.00") == D("0")


def test_rounding_tolerance_grows_with_terms():
    # seed 003: 本年支出合计 5670.31 = 5660.05 + 10.27 (5670.32): a rounding difference, not an error
    ok, s, diff, tol = consistent(D("5670.31"), [D("5660.05"), D("10.27")])
    assert ok and s == D("5670.32") and tol == D("0.015")
    # a real error is not hidden: 495.55 vs 499.55
    assert not consistent(D("495.55"), [D("499.55")])[0]
    assert tolerance(D("1"), [D("1")] * 10) == D("0.055")
    # blanks are exact zeros and add no tolerance
    assert tolerance(D("1"), [None, None, D("1")]) == D("0.010")


def test_rebuild_split_codes_seed004():
    pieces = ["201", "03", "01", "02", "50", "99", "25", "05", "208", "05", "01", "05", "210", "11", "01", "02"]
    names = ["一般公共服务支出", "政府办公厅（室）及相关机构事务", "行政运行", "一般行政管理事务", "事业运行",
             "其他政府办公厅（室）及相关机构事务支出", "港澳台事务", "台湾事务", "社会保障和就业支出",
             "行政事业单位离退休", "行政单位离退休", "机关事业单位基本养老保险缴费支出", "卫生健康支出",
             "行政事业单位医疗", "行政单位医疗", "事业单位医疗"]
    amounts = [D(x) for x in ("497.55", "495.55", "199.65", "102.75", "158.15", "35", "2", "2", "67.49", "67.49",
                              "9.49", "58", "20.1", "20.1", "10.96", "9.14")]
    got = rebuild_codes(pieces, names, amounts)
    assert got == ["201", "20103", "2010301", "2010302", "2010350", "2010399", "20125", "2012505", "208", "20805",
                   "2080501", "2080505", "210", "21011", "2101101", "2101102"]
    assert [level_of(c) for c in got[:3]] == [1, 2, 3]


def test_two_digit_piece_decided_by_amounts_when_name_unknown():
    # unknown names: the 款 children already add up to the 款, so "07" opens a new 款
    got = rebuild_codes(["213", "01", "01", "02", "07", "01"], ["A", "B", "C", "D", "E", "F"],
                        [D("10"), D("6"), D("4"), D("2"), D("4"), D("4")])
    assert got == ["213", "21301", "2130101", "2130102", "21307", "2130701"]
    got = rebuild_codes(["213", "01", "01", "02", "07"], ["A", "B", "C", "D", "E"],
                        [D("10"), D("10"), D("4"), D("2"), D("4")])
    assert got[-1] == "2130107"


def test_full_and_spaced_codes():
    assert rebuild_codes(["2010301", "201 03 02"], ["x", "y"], [None, None]) == ["2010301", "2010302"]


def test_rounded_figures_of_a_true_identity_always_pass():
    # XBRL Calculations 1.1 property: round every figure of an exact identity to 2 places,
    # the check still passes; move the total by one cent more than the tolerance and it fails
    import random
    from decimal import ROUND_HALF_UP

    rng = random.Random(20261125)
    q = D("0.01")
    for _ in range(2000):
        parts = [D(rng.randrange(0, 10_000_000)) / D(1000) for _ in range(rng.randrange(1, 30))]
        total = sum(parts)
        r_parts = [p.quantize(q, ROUND_HALF_UP) for p in parts]
        r_total = total.quantize(q, ROUND_HALF_UP)
        ok, s, diff, tol = consistent(r_total, r_parts)
        assert ok, (r_total, r_parts)
        assert not consistent(s + tol + q, r_parts)[0]


def test_printed_percentages_rounded_or_truncated():
    from xlbudget.numbers import printed_percent_ok

    # 9746.50 / 10210.34 = 95.4571…%: printed 95.46 (rounded) or 95.45 (truncated)
    lo, hi = D("95.4566"), D("95.4576")
    assert printed_percent_ok(D("95.46"), lo, hi) and printed_percent_ok(D("95.45"), lo, hi)
    assert not printed_percent_ok(D("95.44"), lo, hi) and not printed_percent_ok(D("95.47"), lo, hi)
    # a falling rate truncates towards zero: -6.1057…% printed -6.10 or -6.11, never -6.12 or -6.09
    lo, hi = D("-6.1060"), D("-6.1054")
    assert printed_percent_ok(D("-6.10"), lo, hi) and printed_percent_ok(D("-6.11"), lo, hi)
    assert not printed_percent_ok(D("-6.12"), lo, hi) and not printed_percent_ok(D("-6.09"), lo, hi)
    # a whole-number share: "占78%" for 77.6%
    assert printed_percent_ok(D("78"), D("77.6"), D("77.6")) and not printed_percent_ok(D("79"), D("77.6"), D("77.6"))
    # a rate of change may be a whole unit off either way (worked out from unrounded figures)
    assert printed_percent_ok(D("64.07"), D("64.0604"), D("64.0610"), change_rate=True)
    assert not printed_percent_ok(D("64.08"), D("64.0604"), D("64.0610"), change_rate=True)
