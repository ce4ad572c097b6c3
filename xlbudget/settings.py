"""Every reading and stitching tolerance, with its default and its reason, in one place.

In the style of pdfplumber's ``TableSettings``: frozen dataclasses, validated in
``__post_init__``, and a ``resolve()`` that accepts ``None``, a dict of overrides or an
instance, so tests and callers tune a tolerance by name and nobody passes bare numbers.
Distances are PDF points (1/72 inch).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Dict, Type, TypeVar, Union

from xlbudget.readers import BACKENDS, DEFAULT_BACKEND  # noqa: F401 (BACKENDS: the names settings accept)

S = TypeVar("S", bound="_Settings")


class _Settings:
    @classmethod
    def resolve(cls: Type[S], given: Union[None, S, Dict[str, Any]] = None) -> S:
        if given is None:
            return cls()
        if isinstance(given, cls):
            return given
        if isinstance(given, dict):
            known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
            unknown = set(given) - known
            if unknown:
                raise ValueError(f"unknown {cls.__name__} fields: {', '.join(sorted(unknown))}")
            return replace(cls(), **given)  # type: ignore[type-var]
        raise TypeError(f"{cls.__name__}.resolve() takes None, a dict or a {cls.__name__}")

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                raise ValueError(f"{type(self).__name__}.{f.name} must not be negative: {v}")




@dataclass(frozen=True)
class PdfSettings(_Settings):
    """How the PDF adapter finds ruled tables and the text around them."""

    # pdfplumber table finder: ruling lines closer than this are one line
    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    # some exporters draw every cell as padding rects (5 pt strips left and right of the
    # text): a "column" narrower than this is padding, not a column
    min_column_width: float = 8.0
    # cell edges closer than this are the same column edge
    column_edge_tolerance: float = 2.0
    # a text line this close above or below a grid, inside its width and carrying an amount,
    # is a table row drawn without its rules
    orphan_row_gap: float = 20.0
    # a colour component at least this light is white paper: a rect or line painted in it
    # draws nothing (exporters lay white cell backgrounds and padding strips under the text)
    white_level: float = 0.99
    # vertical rules running this far past a table's outer rule draw a row whose closing rule
    # is on the other page (the first row of a continued table, printed without its top rule)
    open_row_min: float = 6.0
    # rule ends closer than this are one height
    rule_tolerance: float = 2.0

    # narrative lines. A run of characters printed a few points off its line's baseline
    # (figures set in another font, a superscript) still overlaps the neighbouring characters
    # of the line by this share of the smaller height; the next line, or a column printed half
    # a line lower, overlaps less
    line_overlap: float = 0.6
    # ... and sits right next to a character of the line: a gap of at most this many
    # character widths (a column gutter is wider)
    run_gap: float = 1.0
    # characters further apart than this many character widths are two runs
    run_split: float = 0.5
    # words further apart than this are printed with a space between them (pdfplumber's x_tolerance)
    word_gap: float = 3.0

    # how pages are read: "pdfium" or "pdfplumber" (pdfminer parses them in Python), see readers.py
    backend: str = DEFAULT_BACKEND

    # safety limits: a hostile or broken PDF is refused quickly instead of running for hours or
    # filling memory. Real disclosures (corpus: at most 33 pages, 1,422 characters and a 120 KB
    # content stream per page, a grid of 4,410 cells) stay far below them
    max_pages: int = 1000
    max_chars_per_page: int = 20_000
    # decompressed content stream (or form) of one page
    max_stream_bytes: int = 16 * 1024 * 1024
    # distinct x of vertical rules times distinct y of horizontal rules: what table finding
    # works through (a 200 x 200 ruled grid, 40,401 cells, runs > 15 minutes)
    max_grid_cells_per_page: int = 20_000

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.backend not in BACKENDS:
            raise ValueError(f"PdfSettings.backend must be one of {', '.join(BACKENDS)}: {self.backend!r}")

    def table_settings(self) -> Dict[str, Any]:
        """The dict pdfplumber's ``find_tables`` takes."""
        return {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "join_tolerance": self.join_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
        }


@dataclass(frozen=True)
class StitchSettings(_Settings):
    """When a table on the next page continues the one before, and how their columns line up."""

    # two grids whose left and right edges agree within this are the same table width
    same_width_tolerance: float = 6.0
    # column edges of the fragments of one table closer than this are one column
    column_merge_tolerance: float = 7.0
    # a column edge of the continuation matches one of the first page within this
    column_match_tolerance: float = 3.0
    # the previous fragment must run into the lower part of its page (a fraction of its height)
    continuation_min_bottom: float = 0.72
    # text spilled over the page break: at most this long, this far above the next grid (or
    # overlapping its top rule by this much)
    spill_max_chars: int = 10
    spill_max_gap: float = 20.0
    spill_overlap: float = 6.0
    # a text line starting this far left of a grid or a column edge still belongs to it
    edge_slack: float = 2.0
    # header rows repeated on a continuation page are looked for among the first rows
    repeated_header_rows: int = 6
    # share of a row's words that must be header words for it to be a (changed) header repeat
    header_repeat_share: float = 0.6
    # a text wrapped at a cell's edge leaves less room on its last line than the next unit of
    # text needs plus this (in character widths): punctuation may not start a line and pulls
    # one more character down with it; more room means the cell ended on its page
    cut_cell_slack: float = 2.0

