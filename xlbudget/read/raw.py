"""Raw page content as the PDF adapter hands it to the pure core.

A document is a list of :class:`Block` in reading order: text lines outside
tables, and table fragments (one ruled table on one page). Everything
pdfplumber-specific stays in :mod:`xlbudget.read.pdf`; the core only sees these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Union


@dataclass(slots=True)
class TextLine:
    page: int
    top: float
    text: str
    x0: float = 0.0
    bottom: float = 0.0


@dataclass(slots=True)
class Fragment:
    """One table on one page. ``rows[i][j]`` is None where a merged cell covers column j."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    page_height: float
    col_x: List[float]  # left edge of each column
    rows: List[List[Optional[str]]]
    row_tops: List[float] = field(default_factory=list)
    row_bottoms: List[float] = field(default_factory=list)
    # per column, for the last row: room left free right of the cell's last text line, in character
    # widths (a wrapped text the page break cut leaves almost none); empty when not measured
    last_row_room: List[Optional[float]] = field(default_factory=list)


Block = Union[TextLine, Fragment]


@dataclass(slots=True)
class RawDocument:
    source: str
    n_pages: int
    blocks: List[Block]
    page_heights: List[float] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
