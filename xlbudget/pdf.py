"""pdfplumber adapter: PDF file -> :class:`~xlbudget.raw.RawDocument`.

Each page is read once (``dedupe_chars``), its ruled tables found, the text
outside the tables kept as lines, and the page closed to free its objects.
"""
from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from typing import List, Optional

from .model import InputError, LimitError, XlbudgetError
from .raw import Fragment, RawDocument, TextLine

TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


MIN_COL_WIDTH = 8.0


def _clean_cell(text: Optional[str]) -> str:
    if text is None:
        return ""
    # lines wrapped inside a cell are joined; a space between CJK pieces is an artefact
    parts = [p.strip() for p in text.split("\n")]
    return "".join(parts).strip()


def _fragment(table, page_no: int, page_height: float) -> Optional[Fragment]:
    rows_obj = table.rows
    if not rows_obj:
        return None
    xs = sorted({round(c[0], 1) for r in rows_obj for c in r.cells if c is not None})
    merged: List[float] = []
    for x in xs:
        if not merged or x - merged[-1] > 2.0:
            merged.append(x)
    # some exporters draw every cell as padding rects (5 pt strips left and right of the
    # text): a "column" narrower than MIN_COL_WIDTH is padding, not a column
    right = table.bbox[2]
    col_x = [x for k, x in enumerate(merged)
             if (merged[k + 1] if k + 1 < len(merged) else right) - x >= MIN_COL_WIDTH] or merged[:1]
    rows: List[List[Optional[str]]] = []
    texts = table.extract()
    for r, t in zip(rows_obj, texts):
        out: List[Optional[str]] = [None] * len(col_x)
        covered = set()
        for cell, txt in zip(r.cells, t):
            if cell is None:
                continue
            # columns starting inside this cell are covered by it (a merged cell)
            covered.update(k for k, x in enumerate(col_x) if cell[0] + 2.0 < x < cell[2] - 2.0)
            # column of the cell: the kept column edge nearest to its left edge, or the one
            # its centre falls in when the left edge was a padding strip
            j = min(range(len(col_x)), key=lambda k: abs(col_x[k] - cell[0]))
            if abs(col_x[j] - cell[0]) > 2.0:
                cx = (cell[0] + cell[2]) / 2
                inside = [k for k in range(len(col_x)) if col_x[k] <= cx]
                j = inside[-1] if inside and cell[2] - cell[0] < MIN_COL_WIDTH else j
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


@dataclass(frozen=True)
class Limits:
    """Safety limits: a hostile or broken PDF is refused quickly instead of running for hours or
    filling memory. Real disclosures (corpus: at most 33 pages, 1,422 characters and a 120 KB content
    stream per page) stay far below them."""

    max_pages: int = 1000
    max_chars_per_page: int = 20_000
    max_stream_bytes: int = 16 * 1024 * 1024  # decompressed content stream (or form) of one page
    # distinct x of vertical rules times distinct y of horizontal rules: the grid table finding
    # works through (corpus max 4,410; a 200 x 200 ruled grid, 40,401, runs > 15 minutes)
    max_grid_cells_per_page: int = 20_000


LIMITS = Limits()
_TAIL_BYTES = 4096  # where %%EOF and startxref must be found at the end of a complete PDF
_ENCRYPTED = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def _preflight(path: str) -> None:
    """Clear errors before pdfminer sees the file: missing, folder, link loop, empty, a zip
    (Word/Excel) renamed .pdf, no %PDF header, truncated (no %%EOF), a startxref pointing nowhere."""
    if os.path.isdir(path):
        raise InputError(f"is a folder, not a PDF, {path}", hint="use `xlbudget batch FOLDER -o OUT` for a folder")
    if not os.path.exists(path):
        if os.path.islink(path):
            raise InputError(f"broken or looping symbolic link, {path}", hint="point it at a real file")
        raise InputError(f"no such file, {path}", hint="check the path")
    size = os.path.getsize(path)
    if size == 0:
        raise InputError(f"empty file (0 bytes), {path}", hint="download it again")
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read()
    if head.startswith(b"PK\x03\x04"):
        raise InputError(f"not a PDF file (a zip: Word/Excel document renamed .pdf?), {path}",
                         hint="save it as PDF from its application, or import the disclosure PDF itself")
    if b"%PDF" not in head:
        raise InputError(f"not a PDF file (no %PDF header), {path}", hint="give the disclosure PDF itself")
    if b"%%EOF" not in tail:
        raise InputError(f"damaged PDF, cannot open PDF: truncated (no %%EOF end marker), {path}",
                         hint="the download is incomplete; download it again")
    m = None
    for m in re.finditer(rb"startxref\s+(\d+)", tail):
        pass
    if m is not None:
        off = int(m.group(1))
        with open(path, "rb") as fh:
            fh.seek(min(off, size))
            at = fh.read(40).lstrip()
        if off >= size or not (at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", at)):
            raise InputError(f"damaged PDF, cannot open PDF: broken cross-reference table (xref), {path}",
                             hint="download it again, or repair it (e.g. qpdf in.pdf out.pdf)")


def _open_error(path: str, e: Exception) -> XlbudgetError:
    chain, x = [], e
    while x is not None and len(chain) < 5:
        chain.append(x)
        x = x.args[0] if x.args and isinstance(x.args[0], BaseException) else (x.__cause__ or x.__context__)
    names = {type(x).__name__ for x in chain}
    if names & set(_ENCRYPTED):
        return InputError(f"encrypted PDF (password required), {path}",
                          hint="open it with its password and save an unprotected copy, then import that")
    inner = chain[-1]
    return InputError(f"damaged PDF, cannot open PDF ({type(inner).__name__}: {inner}), {path}",
                      hint="download it again, or repair it (e.g. qpdf in.pdf out.pdf)")


def _open_checked(path: str, limits: Limits = LIMITS):
    """Pre-flight checks, then open with pdfplumber: one clear error for encrypted, damaged,
    page-less or too long PDFs."""
    import pdfplumber

    _preflight(path)
    try:
        pdf = pdfplumber.open(path)
        n = len(pdf.pages)
    except Exception as e:  # pdfminer raises many types
        raise _open_error(path, e) from e
    if n == 0:
        pdf.close()
        raise InputError(f"no pages (the PDF is empty), {path}", hint="download it again")
    if n > limits.max_pages:
        pdf.close()
        raise LimitError(f"too many pages ({n} > limit max_pages={limits.max_pages}), {path}",
                         hint="a disclosure is far shorter; split the file or check it is the right one")
    return pdf


def _inflate(stream, cap: int) -> Optional[bytes]:
    """The decoded bytes of a content stream, never inflating more than ``cap + 1`` bytes
    (longer: the first ``cap + 1``). Only FlateDecode (what content streams use) is decoded here;
    ``None`` when the stream uses another filter or its data is broken (pdfminer then says what)."""
    raw = getattr(stream, "rawdata", None)
    if raw is None:
        return getattr(stream, "data", None) or b""
    if getattr(stream, "decipher", None):
        raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
    filters = stream.get_filters()
    if not filters:
        return raw
    if len(filters) > 1 or str(filters[0][0]).strip("/'") not in ("FlateDecode", "Fl"):
        return None
    try:
        return zlib.decompressobj().decompress(raw, cap + 1)
    except zlib.error:
        return None


_INLINE_IMAGE = re.compile(rb"\bBI\b.*?\bID\b.*?\bEI\b", re.S)
_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
MAX_BYTES_PER_CHAR = 4  # the longest character code of a PDF font (CMaps: 1 to 4 bytes)


def _string_bytes(content: bytes) -> int:
    """Bytes of the strings a content stream shows: at least one per character drawn."""
    content = _INLINE_IMAGE.sub(b" ", content)
    n = sum(len(m) - 2 for m in _LITERAL.findall(content))
    return n + sum(len(re.sub(rb"\s", b"", m)) // 2 for m in _HEX.findall(content))


def _check_page(page, page_no: int, path: str, limits: Limits = LIMITS) -> None:
    """Per-page limits, before the page is parsed further: decompressed size of its content
    streams and forms, the characters they can draw, then the characters and the ruled grid."""
    from pdfminer.pdftypes import PDFStream, resolve1

    streams = []
    try:
        c = resolve1(page.page_obj.attrs.get("Contents"))
        streams += [resolve1(x) for x in (c if isinstance(c, list) else [c])]
        xobjs = resolve1((resolve1(page.page_obj.resources) or {}).get("XObject")) or {}
        for v in xobjs.values():
            v = resolve1(v)
            if isinstance(v, PDFStream) and str(v.attrs.get("Subtype")).strip("/'") == "Form":
                streams.append(v)
    except Exception:  # an odd page structure: pdfminer will say what is wrong
        streams = []
    shown = 0
    for st in streams:
        if isinstance(st, PDFStream):
            try:
                data = _inflate(st, limits.max_stream_bytes)
            except Exception:
                continue
            if data is None:
                continue
            if len(data) > limits.max_stream_bytes:
                raise LimitError(f"page {page_no}: a content stream inflates beyond "
                                 f"max_stream_bytes={limits.max_stream_bytes} (decompression bomb?), {path}",
                                 hint="not a normal disclosure; check the file")
            shown += _string_bytes(data)
    # every character takes 1 to MAX_BYTES_PER_CHAR bytes: refused before pdfminer builds them all
    if shown > MAX_BYTES_PER_CHAR * limits.max_chars_per_page:
        raise LimitError(f"page {page_no}: more than {limits.max_chars_per_page} characters ({shown} bytes of text) "
                         f"> limit max_chars_per_page={limits.max_chars_per_page}, {path}",
                         hint="not a normal disclosure page; check the file")
    n = len(page.chars)
    if n > limits.max_chars_per_page:
        raise LimitError(f"page {page_no}: {n} characters > limit max_chars_per_page={limits.max_chars_per_page}, "
                         f"{path}", hint="not a normal disclosure page; check the file")
    edges = page.edges
    grid = (len({round(e["x0"]) for e in edges if e["orientation"] == "v"})
            * len({round(e["top"]) for e in edges if e["orientation"] == "h"}))
    if grid > limits.max_grid_cells_per_page:
        raise LimitError(f"page {page_no}: a ruled grid of {grid} cells > limit max_grid_cells_per_page="
                         f"{limits.max_grid_cells_per_page}, {path}", hint="not a normal disclosure page; check the file")


_AMOUNT_WORD = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")


def _orphan_row_of(line, frags: List[Fragment]) -> Optional[Fragment]:
    """A table row drawn without its rules (first row on a page, last row above a break):
    a text line touching a table, inside its width, carrying an amount."""
    words = line["text"].split()
    if not any(_AMOUNT_WORD.match(w) for w in words):
        return None
    for f in frags:
        if line["x0"] < f.x0 - 2 or line["x1"] > f.x1 + 2:
            continue
        gap_above = f.top - line["bottom"]
        gap_below = line["top"] - f.bottom
        if -1 <= gap_above <= 20 or -1 <= gap_below <= 20:
            return f
    return None


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
        f.row_tops.append(float(line["top"]))
        f.row_bottoms.append(float(line["bottom"]))
        f.bottom = float(line["bottom"])


def read_pdf(path: str) -> RawDocument:
    """Read a PDF into raw blocks. Raises :class:`XlbudgetError` with a clear message."""
    try:
        import pdfplumber
    except ImportError as e:  # pragma: no cover
        raise XlbudgetError("pdfplumber is not installed: pip install pdfplumber") from e
    _preflight(path)
    if not os.path.isfile(path):
        raise XlbudgetError(f"{path}: no such file")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise XlbudgetError(f"{path}: not a PDF file (no %PDF header)")
    blocks = []
    heights = []
    empty_pages: List[int] = []
    n_chars = 0
    pdf = _open_checked(path)
    try:
        n_pages = len(pdf.pages)
        for i, page in enumerate(pdf.pages):
            page_no = i + 1
            _check_page(page, page_no, path)
            try:
                p = page.dedupe_chars()
                n_chars += len(p.chars)
                if not p.chars:
                    empty_pages.append(page_no)
                heights.append(float(page.height))
                tables = p.find_tables(TABLE_SETTINGS)
                frags = []
                bboxes = []
                for t in tables:
                    f = _fragment(t, page_no, float(page.height))
                    # a one-column "table" is a framed paragraph: keep its text as text
                    if f is not None and f.rows and len(f.col_x) >= 2:
                        frags.append(f)
                        bboxes.append(t.bbox)

                def outside(obj, bboxes=bboxes):
                    if obj.get("object_type") != "char":
                        return True
                    cx = (obj["x0"] + obj["x1"]) / 2
                    cy = (obj["top"] + obj["bottom"]) / 2
                    for (x0, t0, x1, b0) in bboxes:
                        if x0 - 1 <= cx <= x1 + 1 and t0 - 1 <= cy <= b0 + 1:
                            return False
                    return True

                rest = p.filter(outside) if bboxes else p
                lines = []
                for ln in rest.extract_text_lines(return_chars=True):
                    txt = ln["text"].strip()
                    if not txt:
                        continue
                    frag = _orphan_row_of(ln, frags)
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
                page.close()
    except XlbudgetError:
        raise
    except Exception as e:
        raise _open_error(path, e) from e  # encrypted / damaged PDF, cannot read PDF (…)
    finally:
        pdf.close()
    if n_chars == 0:
        raise InputError(f"scanned (no text layer), {path}", hint="run OCR first, xlbudget reads only text PDFs")
    warnings = []
    if empty_pages:
        warnings.append("pages without a text layer (scanned images are not read): "
                        + ", ".join(map(str, empty_pages)))
    return RawDocument(source=path, n_pages=n_pages, blocks=blocks, page_heights=heights, warnings=warnings)
