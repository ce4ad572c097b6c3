"""Amount parsing as Decimal and rounding-aware comparison."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
    # texts only are remembered: Decimal("1.0") == Decimal("1.00") would share a result
    return _parse_text(text) if type(text) is str else _parse(text)


@lru_cache(maxsize=4096)  # a document prints the same few thousand cell texts again and again
def _parse_text(text: str) -> Optional[Decimal]:
    return _parse(text)


def _parse(text) -> Optional[Decimal]:
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


@dataclass(frozen=True)
class Tolerance:
    """How far a table figure may sit from the value worked out from other printed figures, and
    the same allowance as the text of a live Excel formula: the one home of both.

    A sum (``total == Σ terms``, in the spirit of XBRL Calculations 1.1): each printed figure —
    the total and every non-blank term — may be off from its unrounded value by half a unit in
    its last printed place, so the interval grows with the number of rounded figures; a blank
    term is exactly zero and adds nothing. In a cell the same reads ``half × (1 + COUNT(terms))``
    (COUNT skips blanks), exact when the figures share their last place — as printed tables do.

    A percentage worked out from printed figures (``printed ≈ a / t × 100``): the interval
    :func:`printed_percent_bounds` gives, as distances below and above the computed value.
    """
    below: Decimal  # printed − computed may go this far below zero …
    above: Decimal  # … and this far above
    per_figure: Optional[Decimal] = None  # half a unit of the last place every figure shares (sums)

    @property
    def value(self) -> Decimal:
        """The largest |printed − computed| admitted."""
        return max(self.below, self.above)

    @classmethod
    def of_sum(cls, total: Optional[Decimal], terms: Iterable[Optional[Decimal]], decimals: int = 2) -> "Tolerance":
        halves = [half_ulp(total, decimals)] + [half_ulp(t, decimals) for t in terms if t is not None]
        same = halves[0] if all(h == halves[0] for h in halves) else None
        v = sum(halves, Decimal(0))
        return cls(v, v, same)

    @classmethod
    def of_percent(cls, computed: Decimal, lo: Decimal, hi: Decimal) -> "Tolerance":
        """A printed percentage admitted in [lo, hi] (:func:`printed_percent_bounds`), around ``computed``."""
        return cls(computed - lo, hi - computed)

    def admits(self, diff: Decimal) -> bool:
        return -self.below <= diff <= self.above

    def formula(self, counted: str = "") -> str:
        """The allowance (below) as formula text, no ``=``: ``0.005*(1+COUNT(<counted>))`` for a sum
        over the cells ``counted``, the plain number otherwise."""
        if counted and self.per_figure is not None:
            return f"{self.per_figure}*(1+COUNT({counted}))"
        return _plain(self.below)

    def test(self, diff: str, allowance: str) -> str:
        """The formula text of "``diff`` is admitted", the allowance below being in ``allowance``
        (``1E-9``: the float error of a spreadsheet's sum)."""
        if self.below == self.above:
            return f"ABS({diff})<={allowance}+1E-9"
        return f"AND({diff}>=-{allowance}-1E-9,{diff}<={_plain(self.above)}+1E-9)"


def _plain(v: Decimal) -> str:
    """A Decimal as a formula number: no exponent, no thousands separator."""
    if not v.is_finite():
        return "1E+300"  # an interval without bound (a share of a zero total): any value passes
    with localcontext() as ctx:
        ctx.prec = _wide(v)
        return format(v.normalize(), "f") if v else "0"


def tolerance(total: Optional[Decimal], terms: Iterable[Optional[Decimal]], decimals: int = 2) -> Decimal:
    """Tolerance for ``total == sum(terms)`` (:meth:`Tolerance.of_sum`)."""
    return Tolerance.of_sum(total, terms, decimals).value


def consistent(total: Optional[Decimal], terms: Iterable[Optional[Decimal]], decimals: int = 2):
    """Return (ok, computed_sum, difference, tolerance)."""
    terms = list(terms)
    s = sum((t for t in terms if t is not None), Decimal(0))
    tot = total if total is not None else Decimal(0)
    tol = Tolerance.of_sum(total, terms, decimals)
    diff = tot - s
    return tol.admits(diff), s, diff, tol.value


def _wide(*vs: Decimal) -> int:
    """Enough decimal precision for exact quantize of these values (a 30-digit amount read from
    a hostile PDF must not raise InvalidOperation under the default 28 digits)."""
    return max([28] + [len(v.as_tuple().digits) + abs(v.as_tuple().exponent) + 4
                       for v in vs if v.is_finite() and isinstance(v.as_tuple().exponent, int)])


def ratio_bounds(a: Decimal, t: Decimal, ea: Optional[Decimal] = None,
                 et: Optional[Decimal] = None) -> "tuple[Decimal, Decimal]":
    """The interval of a / t × 100 that the rounded figures a and t allow (``ea``/``et``: their
    rounding errors when not half a unit of their last place, e.g. figures converted to 万元)."""
    ea = half_ulp(a) if ea is None else ea
    et = half_ulp(t) if et is None else et
    lo = (a - ea) / (t + et) * 100 if t + et else Decimal(0)
    hi = (a + ea) / (t - et) * 100 if t - et > 0 else Decimal("Infinity")
    return lo, hi


def printed_percent_ok(printed: Decimal, lo: Decimal, hi: Decimal, change_rate: bool = False) -> bool:
    """Could ``printed`` be a true percentage in [lo, hi] as documents print it: rounded to its
    last place (± half a unit) or truncated there (up to one whole unit below)? Shares forced to
    add up to 100.00% and rates cut at two decimals are printed both ways. A rate of change
    (比上年增长 R%) is often worked out from last year's unrounded figures in the budget system:
    it may be a whole unit off either way."""
    low, high = printed_percent_bounds(printed, lo, hi, change_rate)
    return low <= printed <= high


def printed_percent_bounds(printed: Decimal, lo: Decimal, hi: Decimal, change_rate: bool = False):
    """The interval :func:`printed_percent_ok` admits ``printed`` in (its last place decides the unit)."""
    h = half_ulp(abs(printed), 0)
    up = 2 * h if change_rate else h
    if printed < 0:  # a negative rate truncates towards zero
        return lo - up, hi + 2 * h
    return lo - 2 * h, hi + up


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
