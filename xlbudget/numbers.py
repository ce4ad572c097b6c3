"""Amount parsing as Decimal and rounding-aware comparison."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from typing import Iterable, Optional

from xlbudget.vocabulary import DASHES

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－（）", "0123456789.,-()")
_AMOUNT_RE = re.compile(r"^[-−－]?\(?[-−－]?\d{1,3}(,\d{3})+(\.\d+)?\)?$|^[-−－]?\(?\d+(\.\d+)?\)?$|^[-−－]?\.\d+$")


def clean(text: Optional[str]) -> str:
    if text is None:
        return ""
    return "".join(str(text).split())


def is_dash(text: Optional[str]) -> bool:
    return clean(text) in DASHES


def parse_amount(text: Optional[str]) -> Optional[Decimal]:
    """Parse a printed amount: ``1,234.50`` ``-16.28`` ``(16.28)`` ``0.00``.

    Returns ``None`` for blanks, dashes and anything that is not an amount
    (so names never become numbers). Thousands separators must be well placed.
    """
    s = clean(text).translate(_FULLWIDTH)
    if not s or s in DASHES:
        return None
    s = s.replace("，", ",").replace("−", "-").replace("－", "-")
    s = re.sub(r"(?<=\d)(万元|元)$", "", s)  # "12.50万元" in a cell that also prints its unit
    if not _AMOUNT_RE.match(s):
        return None
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    elif s.startswith("-(") and s.endswith(")"):
        neg, s = True, s[2:-1]
    s = s.replace(",", "")
    try:
        v = Decimal(s)
    except InvalidOperation:
        return None
    return -v if neg else v


def looks_numeric(text: Optional[str]) -> bool:
    return parse_amount(text) is not None


def decimals_of(v: Optional[Decimal]) -> int:
    if v is None:
        return 2
    exp = v.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 2


def half_ulp(v: Optional[Decimal], default_decimals: int = 2) -> Decimal:
    """Half a unit in the last printed place: the rounding error a printed value can carry."""
    d = decimals_of(v) if v is not None else default_decimals
    d = max(d, default_decimals)  # "20.1" printed without trailing zero is still a 2-decimal figure
    return Decimal(5) / (Decimal(10) ** (d + 1))


# the unit every comparison across tables, narrative and files is made in: narrative claims are read
# in 万元 (narrative.py), and disclosures print their tables in 万元 unless a unit line says otherwise
COMMON_UNIT = "万元"
# how many 万元 one printed unit is (the units UNIT_RE reads)
WAN_PER_UNIT = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}


def unit_factor(unit: Optional[str]) -> Decimal:
    """万元 per ``unit``; an unknown or missing unit is taken as printed (1)."""
    return WAN_PER_UNIT.get(unit or COMMON_UNIT, Decimal(1))


def to_wan(v: Optional[Decimal], unit: Optional[str]) -> Optional[Decimal]:
    """A figure printed in ``unit`` in 万元, exactly (2,978,912.34 元 -> 297.891234 万元)."""
    if v is None:
        return None
    f = unit_factor(unit)
    return v if f == 1 else v * f


def half_ulp_wan(v: Optional[Decimal], unit: Optional[str]) -> Decimal:
    """The rounding error of a figure printed in ``unit``, in 万元: half a unit of its last printed
    place, converted (a 元 figure is exact to 0.005 元 = 0.0000005 万元; a 亿元 one to 50 万元)."""
    return half_ulp(v) * unit_factor(unit)


def tolerance(total: Optional[Decimal], terms: Iterable[Optional[Decimal]], decimals: int = 2) -> Decimal:
    """Tolerance for ``total == sum(terms)`` in the spirit of XBRL Calculations 1.1.

    Each printed figure (the total and every non-blank term) may be off from its
    unrounded value by half a unit in its last place, so the interval of
    possible true sums grows with the number of rounded terms. A blank term
    is exactly zero and adds nothing.
    """
    tol = half_ulp(total, decimals)
    for t in terms:
        if t is not None:
            tol += half_ulp(t, decimals)
    return tol


def consistent(total: Optional[Decimal], terms: Iterable[Optional[Decimal]], decimals: int = 2):
    """Return (ok, computed_sum, difference, tolerance)."""
    terms = list(terms)
    s = sum((t for t in terms if t is not None), Decimal(0))
    tot = total if total is not None else Decimal(0)
    tol = tolerance(total, terms, decimals)
    diff = tot - s
    return abs(diff) <= tol, s, diff, tol


def _wide(*vs: Decimal) -> int:
    """Enough decimal precision for exact quantize of these values (a 30-digit amount read from
    a hostile PDF must not raise InvalidOperation under the default 28 digits)."""
    return max([28] + [len(v.as_tuple().digits) + abs(v.as_tuple().exponent) + 4
                       for v in vs if v.is_finite() and isinstance(v.as_tuple().exponent, int)])


def printed_percent_ok(printed: Decimal, lo: Decimal, hi: Decimal, change_rate: bool = False) -> bool:
    """Could ``printed`` be a true percentage in [lo, hi] as documents print it: rounded to its
    last place (± half a unit) or truncated there (up to one whole unit below)? Shares forced to
    add up to 100.00% and rates cut at two decimals are printed both ways. A rate of change
    (比上年增长 R%) is often worked out from last year's unrounded figures in the budget system:
    it may be a whole unit off either way."""
    if printed < 0:  # a negative rate truncates towards zero
        return printed_percent_ok(-printed, -hi, -lo, change_rate)
    h = half_ulp(printed, 0)
    return lo - 2 * h <= printed <= hi + (2 * h if change_rate else h)


def fmt(v: Optional[Decimal]) -> str:
    if v is None:
        return "空"
    if not v.is_finite():
        return str(v)
    with localcontext() as ctx:
        ctx.prec = _wide(v)
        return f"{v:,.2f}" if v == v.quantize(Decimal("0.01")) else f"{v:,}"


def pct(numer: Decimal, denom: Decimal) -> Optional[Decimal]:
    if denom == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _wide(numer) + _wide(denom)
        return (numer / denom * 100).quantize(Decimal("0.01"))
