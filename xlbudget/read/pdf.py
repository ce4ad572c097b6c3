"""PDF adapter: PDF file -> :class:`~xlbudget.read.raw.RawDocument`.

Pages are read by pdfminer (``backend="pdfplumber"``) or by pdfium (``backend="pdfium"``,
:mod:`xlbudget.read.pdf_pdfium`, the same objects several times faster); either way
pdfplumber finds the tables. Each page is read once (duplicate characters dropped), its
ruled tables found, the text outside the tables kept as lines, and the page closed to free
its objects.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import itemgetter
from typing import List, Optional, Union

from xlbudget.model import InputError, XlbudgetError
from xlbudget.read import pdf_open
from xlbudget.read.pdf_grid import find_tables, one_line_text
from xlbudget.read.raw import Fragment, RawDocument, TextLine
from xlbudget.settings import PdfSettings

def _is_white(color, level: float) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        return color >= level
    c = tuple(color)
    if len(c) in (1, 3):  # gray, RGB
        return all(isinstance(v, (int, float)) and v >= level for v in c)
    if len(c) == 4:  # CMYK: no ink
        return all(isinstance(v, (int, float)) and v <= 1 - level for v in c)
    return False  # a pattern or an unknown colour space: assume it shows


def _drawn(obj, white_level: float) -> bool:
    """Does this object show on the page? White-filled, unstroked rects (cell backgrounds,
    padding strips) and white lines are no rules: the grid is what is printed, so a cell's
    text is the text inside its printed borders (a wrapped name stays with its amount)."""
    kind = obj.get("object_type")
    if kind == "rect":
        fill = obj.get("fill") and not _is_white(obj.get("non_stroking_color"), white_level)
        stroke = obj.get("stroke") and not _is_white(obj.get("stroking_color"), white_level)
        return bool(fill or stroke)
    if kind == "line":
        return not _is_white(obj.get("stroking_color"), white_level)
    return True


def _covered(hs, y: float, x0: float, x1: float, tol: float) -> bool:
    """Do the horizontal edges ``hs`` at height ``y`` run all the way from x0 to x1?"""
    segs = sorted((h["x0"], h["x1"]) for h in hs if abs(h["top"] - y) <= tol)
    reach = x0
    for a, b in segs:
        if a > reach + tol:
            return False
        reach = max(reach, b)
    return reach >= x1 - tol


def _frame_rules(page, tables, s: PdfSettings) -> list:
    """Rules closing a table's outer frame where the drawing leaves it open: a table cut by a
    page break prints its first (or last) row without the rule that is on the other page, so
    the column rules run on past the last horizontal rule, or the top rule stops short above a
    cell that continues from the previous page. The cells there are drawn all the same."""
    edges = page.edges
    verticals = [e for e in edges if e["orientation"] == "v"]
    horizontals = [e for e in edges if e["orientation"] == "h"]
    out = []
    RULE_TOL, OPEN_ROW_MIN = s.rule_tolerance, s.open_row_min
    for t in tables:
        x0, top, x1, bottom = t.bbox
        vs = [v for v in verticals if x0 - RULE_TOL <= v["x0"] <= x1 + RULE_TOL
              and v["bottom"] >= top - 1 and v["top"] <= bottom + 1]
        ys = []
        above = [v["top"] for v in vs if v["top"] < top - OPEN_ROW_MIN]
        below = [v["bottom"] for v in vs if v["bottom"] > bottom + OPEN_ROW_MIN]
        # at least two columns' rules running on, all ending at one height
        ys.append(min(above) if len(above) >= 2 and max(above) - min(above) <= RULE_TOL else top)
        ys.append(max(below) if len(below) >= 2 and max(below) - min(below) <= RULE_TOL else bottom)
        for y in ys:
            if not _covered(horizontals, y, x0, x1, RULE_TOL):
                out.append({"object_type": "frame_edge", "orientation": "h", "x0": x0, "x1": x1,
                            "top": y, "bottom": y, "width": x1 - x0, "height": 0})
    return out


def _clean_cell(text: Optional[str]) -> str:
    if text is None:
        return ""
    # lines wrapped inside a cell are joined; a space between CJK pieces is an artefact
    parts = [p.strip() for p in text.split("\n")]
    return "".join(parts).strip()


class _CharIndex:
    """A page's characters sorted by their vertical middle: the characters of a table row are
    found by bisection instead of a pass over the whole page per row (pdfplumber's
    ``Table.extract`` tests every character against every row: rows x characters)."""

    def __init__(self, chars: list):
        self.chars = chars
        mids = [(c["top"] + c["bottom"]) / 2 for c in chars]
        self.order = sorted(range(len(chars)), key=mids.__getitem__)
        self.mids = [mids[k] for k in self.order]

    def inside(self, bbox) -> list:
        """pdfplumber's ``char_in_bbox`` for every character, in page order: middle inside
        [x0, x1) x [top, bottom)."""
        x0, top, x1, bottom = bbox
        lo, hi = bisect_left(self.mids, top), bisect_left(self.mids, bottom)
        cs = self.chars
        found = sorted(k for k in self.order[lo:hi] if x0 <= (cs[k]["x0"] + cs[k]["x1"]) / 2 < x1)
        return [cs[k] for k in found]

    def within(self, bbox) -> list:
        """The characters whose middle is inside ``bbox``, edges included, in page order."""
        x0, top, x1, bottom = bbox
        lo, hi = bisect_left(self.mids, top), bisect_right(self.mids, bottom)
        cs = self.chars
        return [cs[k] for k in sorted(k for k in self.order[lo:hi] if x0 <= (cs[k]["x0"] + cs[k]["x1"]) / 2 <= x1)]

    def cell_texts(self, table) -> List[List[Optional[str]]]:
        """``table.extract()`` (default text settings), the same texts."""
        from pdfplumber.utils import extract_text

        out = []
        for row in table.rows:
            row_chars = self.inside(row.bbox)
            texts: List[Optional[str]] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                x0, top, x1, bottom = cell
                chars = [c for c in row_chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1
                         and top <= (c["top"] + c["bottom"]) / 2 < bottom]
                text = one_line_text(chars) if chars else ""
                texts.append(extract_text(chars) if text is None else text)
            out.append(texts)
        return out


def _fragment(table, page_no: int, page_height: float, s: PdfSettings,
              texts: Optional[List[List[Optional[str]]]] = None) -> Optional[Fragment]:
    rows_obj = table.rows
    if not rows_obj:
        return None
    xs = sorted({round(c[0], 1) for r in rows_obj for c in r.cells if c is not None})
    merged: List[float] = []
    for x in xs:
        if not merged or x - merged[-1] > s.column_edge_tolerance:
            merged.append(x)
    # some exporters draw every cell as padding rects (5 pt strips left and right of the
    # text): a "column" narrower than min_column_width is padding, not a column
    right = table.bbox[2]
    col_x = [x for k, x in enumerate(merged)
             if (merged[k + 1] if k + 1 < len(merged) else right) - x >= s.min_column_width] or merged[:1]
    rows: List[List[Optional[str]]] = []
    texts = table.extract() if texts is None else texts
    for r, t in zip(rows_obj, texts):
        out: List[Optional[str]] = [None] * len(col_x)
        covered = set()
        for cell, txt in zip(r.cells, t):
            if cell is None:
                continue
            # columns starting inside this cell are covered by it (a merged cell)
            edge = s.column_edge_tolerance
            covered.update(k for k, x in enumerate(col_x) if cell[0] + edge < x < cell[2] - edge)
            # column of the cell: the kept column edge nearest to its left edge, or the one
            # its centre falls in when the left edge was a padding strip
            j = min(range(len(col_x)), key=lambda k: abs(col_x[k] - cell[0]))
            if abs(col_x[j] - cell[0]) > edge:
                cx = (cell[0] + cell[2]) / 2
                inside = [k for k in range(len(col_x)) if col_x[k] <= cx]
                j = inside[-1] if inside and cell[2] - cell[0] < s.min_column_width else j
            text = _clean_cell(txt)
            if out[j] is None or (text and not out[j]):
                out[j] = text
            elif text:
                out[j] = out[j] + text
        # a column no cell of this row starts in or covers is an empty cell, not a merged one
        out = [("" if v is None and k not in covered else v) for k, v in enumerate(out)]
        rows.append(out)
    x0, top, x1, bottom = table.bbox
    return Fragment(
        page=page_no,
        top=top,
        bottom=bottom,
        x0=x0,
        x1=x1,
        page_height=page_height,
        col_x=col_x,
        rows=rows,
        row_tops=[r.bbox[1] for r in rows_obj],
        row_bottoms=[r.bbox[3] for r in rows_obj],
    )


_AMOUNT_WORD = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")


def _runs(chars, split: float) -> List[list]:
    out: List[list] = []
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if out and ch["x0"] - out[-1][-1]["x1"] <= split * max(ch["size"], 1.0):
            out[-1].append(ch)
        else:
            out.append([ch])
    return out


def _joins_line(run, host, s: PdfSettings) -> bool:
    """Does ``run`` (characters of another pdfplumber line) belong on the line of ``host`` chars:
    in a gap of it (no character overlaps it across), next to one of its characters, and
    overlapping that character vertically by most of its height?"""
    rx0, rx1 = run[0]["x0"], run[-1]["x1"]
    if any(c["x0"] < rx1 - 0.5 and c["x1"] > rx0 + 0.5 for c in host):
        return False
    size = max(c["size"] for c in run) or 1.0
    left = max((c for c in host if c["x1"] <= rx0 + 0.5), key=lambda c: c["x1"], default=None)
    right = min((c for c in host if c["x0"] >= rx1 - 0.5), key=lambda c: c["x0"], default=None)
    top, bottom = min(c["top"] for c in run), max(c["bottom"] for c in run)
    for nb, gap in ((left, rx0 - left["x1"] if left else None), (right, right["x0"] - rx1 if right else None)):
        if nb is None or gap > s.run_gap * size:
            continue
        overlap = min(bottom, nb["bottom"]) - max(top, nb["top"])
        if overlap >= s.line_overlap * min(bottom - top, nb["bottom"] - nb["top"]):
            return True
    return False


# a gap of exactly ``word_gap`` (a CJK character then a digit set 3 pt apart) is a tie that
# float noise decides, differently in pdfminer and pdfium: a gap counts only this much beyond it
WORD_GAP_TIE = 1e-3


def _line_of(chars, like, word_gap: float) -> dict:
    chars = sorted(chars, key=lambda c: c["x0"])
    text = ""
    for k, ch in enumerate(chars):
        if k and ch["x0"] - chars[k - 1]["x1"] > word_gap:
            text += " "
        text += ch["text"]
    # the line keeps its own top (reading order among lines and tables is by top)
    return dict(like, chars=chars, text=text, x0=chars[0]["x0"], x1=max(c["x1"] for c in chars),
                bottom=max(like["bottom"], max(c["bottom"] for c in chars)))


def _join_shifted_runs(lines: List[dict], s: PdfSettings) -> List[dict]:
    """pdfplumber clusters text lines by the tops of their words, so figures printed a few points
    below the Chinese text of their line ("基本支出" / "5377.64" / "万元") come out as a line of
    their own. Runs of one line that sit in the gaps of an overlapping line, right next to its
    characters, are moved onto it; lines that do not overlap are left exactly as they were."""
    lines = [dict(ln, chars=list(ln.get("chars") or [])) for ln in lines]
    changed = set()
    for i, a in enumerate(lines):
        for k in range(i + 1, len(lines)):
            b = lines[k]
            if not a["chars"] or b["top"] >= a["bottom"]:
                break
            if not b["chars"]:
                continue
            hi, di = (i, k) if len(a["chars"]) >= len(b["chars"]) else (k, i)
            host, donor = lines[hi], lines[di]
            keep = []
            for run in _runs(donor["chars"], s.run_split):
                if _joins_line(run, host["chars"], s):
                    host["chars"].extend(run)
                    changed.add(hi)
                else:
                    keep.extend(run)
            if len(keep) != len(donor["chars"]):
                donor["chars"] = keep
                changed.add(di)
    out = []
    for i, ln in enumerate(lines):
        if i not in changed:
            out.append(ln)
        elif ln["chars"]:
            out.append(_line_of(ln["chars"], ln, s.word_gap + WORD_GAP_TIE))
    return out


def _orphan_row_of(line, frags: List[Fragment], s: PdfSettings) -> Optional[Fragment]:
    """A table row drawn without its rules (first row on a page, last row above a break):
    a text line touching a table, inside its width, carrying an amount."""
    words = line["text"].split()
    if not any(_AMOUNT_WORD.match(w) for w in words):
        return None
    for f in frags:
        if line["x0"] < f.x0 - s.column_edge_tolerance or line["x1"] > f.x1 + s.column_edge_tolerance:
            continue
        gap_above = f.top - line["bottom"]
        gap_below = line["top"] - f.bottom
        if -1 <= gap_above <= s.orphan_row_gap or -1 <= gap_below <= s.orphan_row_gap:
            return f
    return None


def _last_row_room(table, f: Fragment, chars: _CharIndex) -> List[Optional[float]]:
    """Per column of ``f``: the room left free right of the last text line of the last row's cell,
    in character widths (cell padding taken off). A wrapped text cut by the page break leaves
    about none; a label that ended leaves the rest of its cell."""
    row = table.rows[-1]
    inside = {}
    for c in row.cells:
        if c is not None:
            inside[c] = [ch for ch in chars.within(c) if ch["text"].strip()]
    # the cell padding: the smallest gap between a cell's left edge and its text
    pads = [min(ch["x0"] for ch in chs) - c[0] for c, chs in inside.items() if chs]
    pad = max(0.0, min(pads)) if pads else 0.0
    out: List[Optional[float]] = [None] * len(f.col_x)
    for c, chs in inside.items():
        if not chs:
            continue
        last_top = max(ch["top"] for ch in chs)
        size = max(ch["size"] for ch in chs) or 1.0
        last = [ch for ch in chs if ch["top"] > last_top - size / 2]
        j = min(range(len(f.col_x)), key=lambda k: abs(f.col_x[k] - c[0]))
        out[j] = max(0.0, c[2] - max(ch["x1"] for ch in last) - pad) / size
    return out


def _attach_row(f: Fragment, line) -> None:
    """Split the line's characters into the fragment's columns and add it as a row."""
    cols = [""] * len(f.col_x)
    for ch in line["chars"]:
        cx = (ch["x0"] + ch["x1"]) / 2
        j = max([k for k, x in enumerate(f.col_x) if x <= cx] or [0])
        cols[j] += ch["text"]
    row: List[Optional[str]] = [c.strip() for c in cols]
    if line["top"] < f.top:
        f.rows.insert(0, row)
        f.row_tops.insert(0, float(line["top"]))
        f.row_bottoms.insert(0, float(line["bottom"]))
        f.top = float(line["top"])
    else:
        f.rows.append(row)
        f.last_row_room = []  # the new last row has no drawn cells to measure
        f.row_tops.append(float(line["top"]))
        f.row_bottoms.append(float(line["bottom"]))
        f.bottom = float(line["bottom"])


def _dedupe_chars(chars: list, tolerance: float = 1, extra_attrs=("fontname", "size")) -> list:
    """pdfplumber's ``utils.dedupe_chars`` (the same characters kept, in the same order) in
    n log n: pdfplumber puts the kept characters back in page order with
    ``sorted(key=chars.index)``, a linear search per character (quadratic: 21% of the import
    time on a 1,400-character page). Characters of one text, font and size whose tops and
    left edges fall in one cluster (``tolerance`` apart, chained) are one: the first of them
    by (doctop, x0) is kept."""
    key = itemgetter("upright", "text", *extra_attrs)
    groups: dict = {}
    for k, c in enumerate(chars):
        groups.setdefault(key(c), []).append(k)
    doctop = [c["doctop"] for c in chars]
    x0 = [c["x0"] for c in chars]
    dropped = set()
    for group in groups.values():
        if len(group) == 1:
            continue
        for row in _chained(group, doctop, tolerance):
            if len(row) == 1:
                continue
            for same in _chained(row, x0, tolerance):
                if len(same) > 1:
                    first = min(same, key=lambda k: (doctop[k], x0[k], k))
                    dropped.update(k for k in same if k != first)
    return [c for k, c in enumerate(chars) if k not in dropped] if dropped else list(chars)


def _chained(ks: List[int], value: list, tolerance: float) -> List[List[int]]:
    """pdfplumber's ``cluster_objects`` of the indices ``ks`` by ``value[k]``: sorted by value, a
    value more than ``tolerance`` above the one before starts a new cluster."""
    ks = sorted(ks, key=value.__getitem__)
    out, start = [], 0
    for i in range(1, len(ks)):
        if value[ks[i]] > value[ks[i - 1]] + tolerance:
            out.append(ks[start:i])
            start = i
    out.append(ks[start:])
    return out


def _with_objects(page, objects: dict):
    """A pdfplumber page of ``page``'s geometry holding ``objects`` (a dict by object type)."""
    from pdfplumber.page import FilteredPage

    p = FilteredPage(page, lambda obj: True)
    p._objects = objects
    return p


def _deduped(page):
    """The page with its duplicate characters (a bold face printed twice, offset) dropped."""
    return _with_objects(page, dict(page.objects, char=_dedupe_chars(page.chars)))


def _rules_drawn(page, white_level: float):
    """The page less its rects and lines that do not show (see :func:`_drawn`); the other
    objects as they are (``page.filter`` would test each of its characters)."""
    return _with_objects(page, {k: ([o for o in v if _drawn(o, white_level)] if k in ("rect", "line") else v)
                                for k, v in page.objects.items()})


def read_pdf(path: str, settings: Union[None, PdfSettings, dict] = None) -> RawDocument:
    """Read a PDF into raw blocks. Raises :class:`XlbudgetError` with a clear message."""
    s = PdfSettings.resolve(settings)
    blocks = []
    heights = []
    empty_pages: List[int] = []  # scanned: images, no text layer
    n_chars = 0
    pdf, n_pages = pdf_open.open_checked(path, s)
    fast = None
    try:
        if s.backend == "pdfium":
            from xlbudget.read import pdf_pdfium

            fast, fonts = pdf_pdfium.Document(path, max_chars=s.max_chars_per_page), {}
        for i, plumbed in enumerate(pdf_open.pages(pdf)):
            page_no = i + 1
            # pdfium: the same page geometry, its objects read by pdfium instead of pdfminer
            page = plumbed if fast is None else pdf_pdfium.page_like(plumbed, fast, i, fonts)
            pdf_open.check_page(page, page_no, path, s, counted=fast is not None)
            p = ruled = rest = None
            try:
                p = _deduped(page)
                n_chars += len(p.chars)
                # no text: a scan when the page holds an image; rules alone are an empty table
                # printed, nothing at all a blank page (neither is worth a warning)
                if not p.chars and page.images:
                    empty_pages.append(page_no)
                heights.append(float(page.height))
                ruled = _rules_drawn(p, s.white_level)
                tables = find_tables(ruled, s.table_settings())
                extra = _frame_rules(ruled, tables, s)
                if extra:
                    tables = find_tables(ruled, dict(s.table_settings(), explicit_horizontal_lines=extra))
                frags = []
                bboxes = []
                index = _CharIndex(ruled.chars) if tables else None
                for t in tables:
                    f = _fragment(t, page_no, float(page.height), s, index.cell_texts(t))
                    # a one-column "table" is a framed paragraph: keep its text as text
                    if f is not None and f.rows and len(f.col_x) >= 2:
                        f.last_row_room = _last_row_room(t, f, index)
                        frags.append(f)
                        bboxes.append(t.bbox)

                def outside(obj, bboxes=bboxes):
                    cx = (obj["x0"] + obj["x1"]) / 2
                    cy = (obj["top"] + obj["bottom"]) / 2
                    for (x0, t0, x1, b0) in bboxes:
                        if x0 - 1 <= cx <= x1 + 1 and t0 - 1 <= cy <= b0 + 1:
                            return False
                    return True

                rest = _with_objects(p, dict(p.objects, char=[c for c in p.chars if outside(c)])) if bboxes else p
                lines = []
                for ln in _join_shifted_runs(rest.extract_text_lines(return_chars=True, x_tolerance=s.word_gap + WORD_GAP_TIE), s):
                    txt = ln["text"].strip()
                    if not txt:
                        continue
                    frag = _orphan_row_of(ln, frags, s)
                    if frag is not None:
                        _attach_row(frag, ln)
                        continue
                    lines.append(
                        TextLine(page=page_no, top=float(ln["top"]), text=txt,
                                 x0=float(ln["x0"]), bottom=float(ln["bottom"]))
                    )
                items = [(ln.top, 1, ln) for ln in lines] + [(f.top, 0, f) for f in frags]
                items.sort(key=lambda x: (x[0], x[1]))
                blocks.extend(it[2] for it in items)
            finally:
                # pdfplumber's pages sit in reference cycles (their text-map cache): closed,
                # their objects are freed now, not at the next full garbage collection
                for done in (rest, ruled, p, page, plumbed):
                    if done is not None:
                        done.close()
    except XlbudgetError:
        raise
    except Exception as e:
        if not pdf_open.raised_by_reader(e):
            raise  # a bug of ours: the CLI reports it as an internal error, never as a damaged PDF
        raise pdf_open.open_error(path, e) from e  # encrypted / damaged PDF, cannot read PDF (…)
    finally:
        pdf_open.close(pdf)
        if fast is not None:
            fast.close()
    if n_chars == 0:
        raise InputError(f"scanned (no text layer), {path}", hint="run OCR first, xlbudget reads only text PDFs")
    warnings = []
    if empty_pages:
        warnings.append("pages without a text layer (scanned images are not read): "
                        + ", ".join(map(str, empty_pages)))
    return RawDocument(source=path, n_pages=n_pages, blocks=blocks, page_heights=heights, warnings=warnings)
