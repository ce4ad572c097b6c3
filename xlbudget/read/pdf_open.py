"""Opening a PDF safely, for either backend: the pre-flight checks (not a PDF, truncated,
encrypted), one clear error for what the readers raise, pdfminer's pages built one at a time
(their objects let go after each), and the per-page limits checked before a page is parsed
(decompressed stream bytes, forms nested, characters, the ruled grid)."""
from __future__ import annotations

import io
import os
import re
import traceback
import zlib
from typing import Optional

from xlbudget.model import InputError, LimitError, XlbudgetError
from xlbudget.paths import check_input
from xlbudget.settings import PdfSettings


_TAIL_BYTES = 65536  # where %%EOF and startxref must be found at the end of a complete PDF
_ENCRYPTED = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def _preflight(path: str) -> None:
    """Clear errors before pdfminer sees the file: missing, folder, link loop, empty, a zip
    (Word/Excel) renamed .pdf, no %PDF header, truncated (no %%EOF), a startxref pointing nowhere."""
    check_input(path)
    size = os.path.getsize(path)
    if size == 0:
        raise InputError(f"empty file (0 bytes), {path}", hint="download it again")
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read().rstrip(b"\x00 \t\r\n")  # servers pad downloads with NULs or blanks
    if head.startswith(b"PK\x03\x04"):
        raise InputError(f"not a PDF file (a zip: Word/Excel document renamed .pdf?), {path}",
                         hint="save it as PDF from its application, or import the disclosure PDF itself")
    if b"%PDF" not in head:
        raise InputError(f"not a PDF file (no %PDF header), {path}", hint="give the disclosure PDF itself")
    base = head.find(b"%PDF")  # offsets count from the header: bytes before it shift them
    if b"%%EOF" not in tail:
        raise InputError(f"damaged PDF, cannot open PDF: truncated (no %%EOF end marker), {path}",
                         hint="the download is incomplete; download it again")
    m = None
    for m in re.finditer(rb"startxref\s+(\d+)", tail):
        pass
    if m is not None:
        off = int(m.group(1)) + base
        with open(path, "rb") as fh:
            fh.seek(min(off, size))
            at = fh.read(40).lstrip()
        if off >= size or not (at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", at)):
            raise InputError(f"damaged PDF, cannot open PDF: broken cross-reference table (xref), {path}",
                             hint="download it again, or repair it (e.g. qpdf in.pdf out.pdf)")


def raised_by_reader(e: BaseException) -> bool:
    """Was ``e`` raised inside pdfminer / pdfplumber (or the codecs they call), not in our code?"""
    ours = os.path.dirname(os.path.abspath(__file__)) + os.sep
    for frame in reversed(traceback.extract_tb(e.__traceback__)):  # innermost first
        where = os.path.abspath(frame.filename)
        if where.startswith(ours):
            return False
        if any(f"{os.sep}{lib}{os.sep}" in where for lib in ("pdfminer", "pdfplumber", "pypdfium2")):
            return True
    return True


def open_error(path: str, e: Exception) -> XlbudgetError:
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


def _page_objs(pdf):
    """pdfminer's pages of ``pdf`` one by one, pdfminer's object cache emptied after each: a
    page resolves its content streams, which pdfminer would otherwise keep until the file is
    closed (the whole file's content in memory)."""
    from pdfminer.pdfpage import PDFPage

    cache = pdf.doc._cached_objs
    for page_obj in PDFPage.create_pages(pdf.doc):
        yield page_obj
        cache.clear()  # before the next page is resolved: this page's objects are no longer needed


def pages(pdf):
    """pdfplumber's ``PDF.pages``, one page at a time: pdfplumber builds every page of the file
    up front and keeps them all until it is closed (6 KiB each, with their content streams)."""
    from pdfplumber.page import Page

    doctop = 0
    for i, page_obj in enumerate(_page_objs(pdf)):
        page = Page(pdf, page_obj, page_number=i + 1, initial_doctop=doctop)
        doctop += page.height
        yield page
        fonts_made = pdf.rsrcmgr._cached_fonts
        if len(fonts_made) > MAX_CACHED_FONTS:
            fonts_made.clear()


# fonts pdfminer keeps built (by object id) across pages: a disclosure uses a dozen or two; a file
# made of many documents would keep every one of its fonts (widths, CMaps) to the end
MAX_CACHED_FONTS = 64


def _count_pages(doc) -> int:
    """How many pages pdfminer's ``PDFPage.create_pages`` gives (its walk of the page tree,
    its fallback), without building them: building a page resolves its content streams."""
    from pdfminer import settings
    from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
    from pdfminer.pdftypes import dict_value, list_value

    n = 0
    if "Pages" in doc.catalog:
        visited, todo = set(), [doc.catalog["Pages"]]
        while todo:
            obj = todo.pop()
            if isinstance(obj, int):
                objid, props = obj, dict_value(doc.getobj(obj))
            else:
                objid, props = obj.objid, dict_value(obj)
            if objid in visited:
                continue
            visited.add(objid)
            kind = props.get("Type")
            if kind is None and not settings.STRICT:
                kind = props.get("type")
            if kind is LITERAL_PAGES and "Kids" in props:
                todo.extend(list_value(props["Kids"]))
            elif kind is LITERAL_PAGE:
                n += 1
    if n == 0:  # no page tree: pdfminer looks for page objects among all objects
        n = sum(1 for _ in PDFPage.create_pages(doc))
    doc._cached_objs.clear()
    return n


def close(pdf) -> None:
    """pdfplumber's ``PDF.close`` but for its pages (each was closed once read): it would build
    every page of the file again to close them."""
    pdf.flush_cache()
    if not pdf.stream_is_external:
        pdf.stream.close()


def open_checked(path: str, limits: PdfSettings):
    """Pre-flight checks, then open with pdfplumber: one clear error for encrypted, damaged,
    page-less or too long PDFs. Returns the PDF and its number of pages; read its pages with
    :func:`pages`, never ``pdf.pages``."""
    import pdfplumber

    _preflight(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many types
        raise open_error(path, e) from e
    try:
        n = _count_pages(pdf.doc)
    except Exception as e:
        close(pdf)
        raise open_error(path, e) from e
    if n == 0:
        close(pdf)
        raise InputError(f"no pages (the PDF is empty), {path}", hint="download it again")
    if n > limits.max_pages:
        close(pdf)
        raise LimitError(f"too many pages ({n} > limit max_pages={limits.max_pages}), {path}",
                         hint="a disclosure is far shorter; split the file or check it is the right one")
    return pdf, n


_FLATE = ("FlateDecode", "Fl")
_A85 = ("ASCII85Decode", "A85")
_AHX = ("ASCIIHexDecode", "AHx")
_LZW = ("LZWDecode", "LZW")
# forms nested in forms deeper than this are refused (real disclosures: at most one level)
MAX_FORM_DEPTH = 16


class _Unmeasurable(Exception):
    """A stream filter whose output size cannot be bounded before decoding it."""


def _lzw_capped(data: bytes, cap: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        out += chunk
        if len(out) > cap:
            break
    return bytes(out[:cap + 1])


def _inflate(stream, cap: int) -> Optional[bytes]:
    """The decoded bytes of a content stream, never holding more than ``cap + 1`` bytes at any
    stage of its filter chain (longer: the first ``cap + 1``). Decodes chains of FlateDecode,
    ASCII85Decode, ASCIIHexDecode and LZWDecode; ``None`` when the data is broken (pdfminer then
    says what); raises :class:`_Unmeasurable` for any other filter."""
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    raw = getattr(stream, "rawdata", None)
    if raw is None:
        return getattr(stream, "data", None) or b""
    if getattr(stream, "decipher", None):
        raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
    data = raw
    for f, _params in stream.get_filters():
        name = str(f).strip("/'")
        try:
            if name in _FLATE:
                data = zlib.decompressobj().decompress(data, cap + 1)
            elif name in _A85:  # 5 characters (or one "z") give at most 4 bytes
                data = ascii85decode(data)[:cap + 1]
            elif name in _AHX:  # 2 characters give 1 byte
                data = asciihexdecode(data)[:cap + 1]
            elif name in _LZW:
                data = _lzw_capped(data, cap)
            else:
                raise _Unmeasurable(name)
        except (zlib.error, ValueError):
            return None
    return data


_BEGIN_IMAGE = re.compile(rb"\bBI\b")
_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
MAX_BYTES_PER_CHAR = 4  # the longest character code of a PDF font (CMaps: 1 to 4 bytes)


def _without_inline_images(content: bytes) -> bytes:
    """The content stream less its inline images (BI … ID data EI), in one linear pass (a
    backtracking regex is quadratic on a stream of many BI and no EI)."""
    kept, pos = [], 0
    while True:
        m = _BEGIN_IMAGE.search(content, pos)
        start = content.find(b"ID", m.end()) if m else -1
        end = content.find(b"EI", start + 2) if start >= 0 else -1
        if end < 0:
            break
        kept.append(content[pos:m.start()])
        pos = end + 2
    kept.append(content[pos:])
    return b" ".join(kept)


def _string_bytes(content: bytes) -> int:
    """Bytes of the strings a content stream shows: at least one per character drawn."""
    content = _without_inline_images(content)
    n = sum(len(m) - 2 for m in _LITERAL.findall(content))
    return n + sum(len(re.sub(rb"\s", b"", m)) // 2 for m in _HEX.findall(content))


def check_page(page, page_no: int, path: str, limits: PdfSettings, counted: bool = False) -> None:
    """Per-page limits, before the page is parsed further: decompressed size of its content
    streams and forms, the characters they can draw, then the characters and the ruled grid.
    ``counted``: the page's reader counts its characters itself before building them (pdfium,
    in C: ``pdf_pdfium.TooManyChars``), so the strings of the streams are not scanned for it."""
    from pdfminer.pdftypes import PDFStream, resolve1

    def forms(resources) -> list:
        xobjs = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        return [v for v in map(resolve1, xobjs.values())
                if isinstance(v, PDFStream) and str(v.attrs.get("Subtype")).strip("/'") == "Form"]

    streams = []  # (stream, depth): the page's content streams, then its forms and the forms in them
    try:
        c = resolve1(page.page_obj.attrs.get("Contents"))
        streams += [(resolve1(x), 0) for x in (c if isinstance(c, list) else [c])]
        streams += [(v, 1) for v in forms(page.page_obj.resources)]
    except Exception:  # an odd page structure: pdfminer will say what is wrong
        streams = []
    budget = limits.max_stream_bytes  # for the page: all its content streams and forms together
    seen = set()
    shown = 0
    while streams:
        st, depth = streams.pop(0)
        key = (getattr(st, "objid", None), getattr(st, "genno", None)) if getattr(st, "objid", None) else id(st)
        if not isinstance(st, PDFStream) or key in seen:
            continue
        seen.add(key)
        if depth > MAX_FORM_DEPTH:
            raise LimitError(f"page {page_no}: forms nested more than MAX_FORM_DEPTH={MAX_FORM_DEPTH} deep, {path}",
                             hint="not a normal disclosure; check the file")
        try:
            data = _inflate(st, budget)
        except _Unmeasurable as e:
            raise LimitError(f"page {page_no}: a content stream uses the filter /{e} whose size cannot be checked "
                             f"against max_stream_bytes={limits.max_stream_bytes}, {path}",
                             hint="not a normal disclosure; check the file") from None
        except Exception:
            data = None
        if data is not None:
            if len(data) > budget:
                raise LimitError(f"page {page_no}: its content streams and forms inflate beyond "
                                 f"max_stream_bytes={limits.max_stream_bytes} per page (decompression bomb?), {path}",
                                 hint="not a normal disclosure; check the file")
            budget -= len(data)
            if not counted:
                shown += _string_bytes(data)
        if depth:
            try:
                streams += [(v, depth + 1) for v in forms(st.attrs.get("Resources"))]
            except Exception:  # odd resources: pdfminer will say what is wrong
                pass
    # every character takes 1 to MAX_BYTES_PER_CHAR bytes: refused before pdfminer builds them all
    if shown > MAX_BYTES_PER_CHAR * limits.max_chars_per_page:
        raise LimitError(f"page {page_no}: more than {limits.max_chars_per_page} characters ({shown} bytes of text) "
                         f"> limit max_chars_per_page={limits.max_chars_per_page}, {path}",
                         hint="not a normal disclosure page; check the file")
    too_many: tuple = ()
    if counted:
        from xlbudget.read.pdf_pdfium import TooManyChars as too_many
    try:
        n = len(page.chars)
    except too_many as e:  # pdfium counted them before building any
        n = e.count
    if n > limits.max_chars_per_page:
        raise LimitError(f"page {page_no}: {n} characters > limit max_chars_per_page={limits.max_chars_per_page}, "
                         f"{path}", hint="not a normal disclosure page; check the file")
    edges = page.edges
    grid = (len({round(e["x0"]) for e in edges if e["orientation"] == "v"})
            * len({round(e["top"]) for e in edges if e["orientation"] == "h"}))
    if grid > limits.max_grid_cells_per_page:
        raise LimitError(f"page {page_no}: a ruled grid of {grid} cells > limit max_grid_cells_per_page="
                         f"{limits.max_grid_cells_per_page}, {path}", hint="not a normal disclosure page; check the file")
