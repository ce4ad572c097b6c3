"""pypdfium2 reading backend: a page's characters, lines, rectangles and curves in pdfplumber's
object format, read in one pass over pdfium's page objects and text page.

pdfium parses content streams in C, about 15 times faster than pdfminer. The objects are built
exactly as pdfminer + pdfplumber build theirs, so pdfplumber's table finder, text lines and
everything downstream see the same page:

* a character's box is pdfminer's *loose* box: the advance width wide (the font's width of
  the character, /W or /Widths, not pdfium's loose box, which also holds the glyph's outline
  and is the box of the slanted box for slanted text), the font size high, starting at the
  font descriptor's /Descent below the baseline, transformed by the text matrix with all four
  corners;
* spaces pdfium's text page drops (a run of spaces alone, a space after a space) are put back
  where they separate words; where a run of spaces lost some drawn across other characters,
  only pdfminer knows where they were, and it reads that page;
* paths are split into subpaths at each move, and a subpath is a line (``ml``, ``mlh``), a
  rectangle (``mlllh`` / ``mllll`` with square corners) or a curve, as pdfminer's
  ``paint_path`` decides, with the close of a subpath read as pdfminer's ``h``;
* a page turned by /Rotate gets pdfminer's rotation matrix, and coordinates are rebased on the
  MediaBox the way pdfplumber does (``top`` counted from the top of the turned page);
* form XObjects are walked with their matrices.

The page geometry (MediaBox, rotation, doctop) comes from the pdfplumber page of the same file,
whose objects are never parsed: :func:`page_like` gives a pdfplumber page whose ``objects`` are
the ones read here.
"""
from __future__ import annotations

import ctypes
import operator
from typing import Dict, List, Optional, Tuple

import pypdfium2 as pdfium
import pypdfium2.raw as R

Matrix = Tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

_TEXT, _PATH, _IMAGE, _FORM = (R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_IMAGE,
                               R.FPDF_PAGEOBJ_FORM)
_MOVE, _LINE, _BEZIER = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_LINETO, R.FPDF_SEGMENT_BEZIERTO


def _address(pointer) -> int:
    """The address a ctypes pointer holds (a dict key; ``ctypes.cast`` is three times slower)."""
    return ctypes.c_void_p.from_buffer(pointer).value or 0


def _raw(fn, restype, *argtypes):
    """``fn`` of pypdfium2.raw taking and giving plain addresses (a pointer object per call,
    and its conversion back to an address, cost more than the call itself)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


def _bare(fn, restype):
    """``fn`` of pypdfium2.raw with no argument types: called with ``c_void_p`` objects and
    small ints, which ctypes passes as they are (about twice as fast as converting each
    argument to a declared type; for the calls made per character and per path segment)."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)


class _Handle(ctypes.c_void_p):
    """A pointer pdfium gives back kept as a ctypes object (a bare ``c_void_p`` result is turned
    into an int), to be passed straight back to pdfium."""


_P, _I = ctypes.c_void_p, ctypes.c_int
_LOOSE_BOX = _raw(R.FPDFText_GetLooseCharBox, _I, _P, _I, ctypes.POINTER(R.FS_RECTF))
_OBJ_FONT = _raw(R.FPDFTextObj_GetFont, _P, _P)
_OBJ_FONT_SIZE = _raw(R.FPDFTextObj_GetFontSize, _I, _P, ctypes.POINTER(ctypes.c_float))
_IS_HYPHEN = _raw(R.FPDFText_IsHyphen, _I, _P, _I)
_GLYPH_WIDTH = _raw(R.FPDFFont_GetGlyphWidth, _I, _P, ctypes.c_uint, ctypes.c_float, ctypes.POINTER(ctypes.c_float))
# the only characters pdfium's text page generates (spaces between words, line breaks, the
# mark of a hyphen ending a line): any other is read without asking whether it was generated
_MAYBE_GENERATED = frozenset((0x20, 0x0D, 0x0A, 0x02, 0x2D))

# the calls made per character, per page object and per path segment, bare (see ``_bare``)
_B_TEXT_OBJECT = _bare(R.FPDFText_GetTextObject, ctypes.c_void_p)
_B_UNICODE = _bare(R.FPDFText_GetUnicode, ctypes.c_uint)
_B_ORIGIN = _bare(R.FPDFText_GetCharOrigin, ctypes.c_int)
_B_UNMAPPED = _bare(R.FPDFText_HasUnicodeMapError, ctypes.c_int)
_B_GENERATED = _bare(R.FPDFText_IsGenerated, ctypes.c_int)
_B_SEGMENT = _bare(R.FPDFPath_GetPathSegment, _Handle)
_B_COUNT_OBJECTS = _bare(R.FPDFPage_CountObjects, ctypes.c_int)
_B_PAGE_OBJECT = _bare(R.FPDFPage_GetObject, _Handle)
_B_OBJ_TYPE = _bare(R.FPDFPageObj_GetType, ctypes.c_int)
_B_OBJ_MATRIX = _bare(R.FPDFPageObj_GetMatrix, ctypes.c_int)
_B_OBJ_BOUNDS = _bare(R.FPDFPageObj_GetBounds, ctypes.c_int)
_B_FORM_COUNT = _bare(R.FPDFFormObj_CountObjects, ctypes.c_int)
_FORM_OBJECT = _raw(R.FPDFFormObj_GetObject, _Handle, ctypes.c_void_p, ctypes.c_ulong)  # an unsigned long index
_B_COUNT_SEGMENTS = _bare(R.FPDFPath_CountSegments, ctypes.c_int)
_B_DRAW_MODE = _bare(R.FPDFPath_GetDrawMode, ctypes.c_int)
_B_STROKE_COLOR = _bare(R.FPDFPageObj_GetStrokeColor, ctypes.c_int)
_B_FILL_COLOR = _bare(R.FPDFPageObj_GetFillColor, ctypes.c_int)
_B_STROKE_WIDTH = _bare(R.FPDFPageObj_GetStrokeWidth, ctypes.c_int)
_B_TEXT_FONT = _bare(R.FPDFTextObj_GetFont, ctypes.c_void_p)
_B_FONT_SIZE = _bare(R.FPDFTextObj_GetFontSize, ctypes.c_int)
_B_CHAR_MATRIX = _bare(R.FPDFText_GetMatrix, ctypes.c_int)
_B_SEGMENT_TYPE = _bare(R.FPDFPathSegment_GetType, ctypes.c_int)
_B_SEGMENT_POINT = _bare(R.FPDFPathSegment_GetPoint, ctypes.c_int)
_B_SEGMENT_CLOSE = _bare(R.FPDFPathSegment_GetClose, ctypes.c_int)


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF row-vector convention, as pdfminer's ``mult_matrix(m, n)``)."""
    a, b, c, d, e, f = m
    a1, b1, c1, d1, e1, f1 = n
    return (a * a1 + b * c1, a * b1 + b * d1, c * a1 + d * c1, c * b1 + d * d1,
            e * a1 + f * c1 + e1, e * b1 + f * d1 + f1)


def _rotation_ctm(rotate: int, mediabox) -> Matrix:
    """pdfminer's initial CTM for a page (``PDFPageInterpreter.process_page``)."""
    x0, y0, x1, y1 = mediabox
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


class TooManyChars(Exception):
    """A page holds more characters than ``Document.max_chars`` (``args[0]``: how many)."""

    @property
    def count(self) -> int:
        return self.args[0]


# pages read before the pdfium document is reopened (its caches dropped); opening costs about
# a millisecond, 10 pages of parsed objects a few MiB
REOPEN_EVERY = 10


class Document:
    """An open pypdfium2 document; ``page_objects(i, plumber_page, fonts)`` reads page ``i``."""

    def __init__(self, path: str, max_chars: Optional[int] = None):
        self.path = path
        self.max_chars = max_chars  # characters per page beyond which a page is refused (TooManyChars)
        self._text_page = None
        self._n_chars = 0
        self.pdf = pdfium.PdfDocument(path)
        self._read = 0  # pages read since the document was opened
        self._m = R.FS_MATRIX()
        self._fr = R.FS_RECTF()
        self._fx = ctypes.c_float()
        self._w = ctypes.c_float()
        # out-parameters of the bare calls: a point as two doubles (a character's origin) and as
        # two floats (a path segment's), with their addresses as c_void_p
        self._xy = (ctypes.c_double * 2)()
        self._xy_at = (ctypes.c_void_p(ctypes.addressof(self._xy)), ctypes.c_void_p(ctypes.addressof(self._xy) + 8))
        self._fxy = (ctypes.c_float * 2)()
        self._m_at = ctypes.c_void_p(ctypes.addressof(self._m))
        self._rgba = (ctypes.c_uint * 4)()
        self._rgba_at = tuple(ctypes.c_void_p(ctypes.addressof(self._rgba) + 4 * k) for k in range(4))
        self._ints = (ctypes.c_int * 2)()  # a path's fill mode and whether it is stroked
        self._ints_at = (ctypes.c_void_p(ctypes.addressof(self._ints)), ctypes.c_void_p(ctypes.addressof(self._ints) + 4))
        self._box4 = (ctypes.c_float * 4)()  # left, bottom, right, top
        self._box4_at = tuple(ctypes.c_void_p(ctypes.addressof(self._box4) + 4 * k) for k in range(4))
        self._fxy_at = (ctypes.c_void_p(ctypes.addressof(self._fxy)), ctypes.c_void_p(ctypes.addressof(self._fxy) + 4))
        self._font_names: Dict[int, bytes] = {}
        self._widths: Dict[int, Dict[int, Optional[float]]] = {}  # font address -> {unicode: width}
        self._embedded_fonts: Dict[int, bool] = {}  # font address -> embedded in the PDF
        self.pdfminer_pages = 0  # pages read by pdfminer after all (see ``page_like``)

    def close(self) -> None:
        self.pdf.close()

    def __len__(self) -> int:
        return len(self.pdf)

    # ---- helpers over the raw API -------------------------------------------------------
    def _matrix(self, obj) -> Matrix:
        m = self._m
        _B_OBJ_MATRIX(obj, self._m_at)
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _color(self, getter, obj) -> Tuple[float, ...]:
        if not getter(obj, *self._rgba_at):
            return (0.0,)
        r, g, b, _ = self._rgba
        return (r / 255, g / 255, b / 255)

    def font_name(self, font) -> bytes:
        key = _address(font)
        name = self._font_names.get(key)
        if name is None:
            n = R.FPDFFont_GetBaseFontName(font, None, 0)
            buf = ctypes.create_string_buffer(max(n, 1))
            R.FPDFFont_GetBaseFontName(font, buf, n)
            name = self._font_names[key] = buf.value
        return name

    # ---- one page ------------------------------------------------------------------------
    def page_objects(self, index: int, geometry: "Geometry", fonts: Dict[bytes, "FontInfo"]):
        """The page's objects as pdfplumber dicts: {"char": [...], "rect": [...], "line": [...],
        "curve": [...], "image": [...]}; None when pdfium cannot give all its characters."""
        if self._read >= REOPEN_EVERY:
            # pdfium keeps the objects it parsed (content streams, resources) as long as the
            # document is open: reopened now and then, memory stays flat in pages
            self.pdf.close()
            self.pdf = pdfium.PdfDocument(self.path)
            self._font_names.clear()  # keyed by addresses of the closed document
            self._widths.clear()
            self._embedded_fonts.clear()
            self._read = 0
        self._read += 1
        page = self.pdf[index]
        self._text_page = None
        try:
            out: Dict[str, list] = {"char": [], "rect": [], "line": [], "curve": [], "image": []}
            raw = page.raw
            ctm = geometry.ctm
            if ctm[:4] != (1, 0, 0, 1):
                # a page turned by /Rotate: its objects are turned in memory as pdfminer turns
                # them, so that pdfium's text page measures upright characters (it sizes a
                # character by the matrix's ``a``, zero for text turned a quarter)
                for i in range(R.FPDFPage_CountObjects(raw)):
                    R.FPDFPageObj_Transform(R.FPDFPage_GetObject(raw, i), *map(float, ctm))
                ctm = _IDENTITY
            self._text_page = R.FPDFText_LoadPage(page.raw)
            if not self._text_page:
                return None  # pdfium cannot analyse the page's text: pdfminer reads it
            self._n_chars = R.FPDFText_CountChars(self._text_page)
            if self.max_chars is not None and self._n_chars > self.max_chars:
                # counted in C before any character is built (the generated spaces and line
                # breaks of pdfium's count included: a page this full is refused either way)
                raise TooManyChars(self._n_chars)
            rawv, get_object, get_type = ctypes.c_void_p(_address(raw)), _B_PAGE_OBJECT, _B_OBJ_TYPE
            stack = [(get_object(rawv, i), None) for i in range(_B_COUNT_OBJECTS(rawv))]
            stack.reverse()
            texts: list = []  # text objects in content order, with the matrix of their form
            while stack:
                obj, parent = stack.pop()
                kind = get_type(obj)
                if kind == _PATH:
                    m = self._matrix(obj)
                    self._path(obj, _mult(m, parent) if parent else m, ctm, geometry, out)
                elif kind == _FORM:
                    m = self._matrix(obj)
                    m = _mult(m, parent) if parent else m
                    kids = [(_FORM_OBJECT(obj, k), m) for k in range(_B_FORM_COUNT(obj))]
                    stack.extend(reversed(kids))
                elif kind == _TEXT:
                    texts.append((obj, parent))
                elif kind == _IMAGE:
                    out["image"].append({"object_type": "image", "page_number": geometry.page_number})
            if not self._chars(page, texts, geometry, ctm, fonts, out["char"]):
                return None
            return out
        finally:
            if self._text_page:
                R.FPDFText_ClosePage(self._text_page)
                self._text_page = None
            page.close()

    def _path(self, obj, m: Matrix, ctm: Matrix, g: "Geometry", out) -> None:
        n = _B_COUNT_SEGMENTS(obj)
        if n <= 0:
            return
        if not _B_DRAW_MODE(obj, *self._ints_at):
            return
        fill_mode, stroke = self._ints[0], bool(self._ints[1])
        fill = fill_mode != 0
        if not (fill or stroke):
            return
        full = _mult(m, ctm)
        a, b, c, d, e, f = full
        fxy, (pfx, pfy) = self._fxy, self._fxy_at
        get_segment, get_type, get_point, get_close = _B_SEGMENT, _B_SEGMENT_TYPE, _B_SEGMENT_POINT, _B_SEGMENT_CLOSE
        path, move, bezier = obj, _MOVE, _BEZIER
        # subpaths in pdfminer's letters: m, l, c (a Bezier's end point only), h
        subpaths: List[Tuple[str, list]] = []
        shape: List[str] = []
        pts: list = []
        start = None
        bez = 0
        for k in range(n):
            seg = get_segment(path, k)
            t = get_type(seg)
            get_point(seg, pfx, pfy)
            x, y = fxy[0], fxy[1]
            p = (a * x + c * y + e, b * x + d * y + f)
            closes = get_close(seg)
            if t == move:
                if shape:
                    subpaths.append(("".join(shape), pts))
                shape, pts, start, bez = ["m"], [p], p, 0
                continue
            if not shape:  # a path not starting with a move: pdfminer ignores it
                continue
            if t == bezier:
                bez += 1
                if bez % 3:
                    continue  # control points: pdfminer keeps the end point of each curve
                shape.append("c")
                pts.append(p)
            elif closes and p == start:
                shape.append("h")  # a closing line back to the start is pdfminer's "h"
                pts.append(start)
                continue
            else:
                shape.append("l")
                pts.append(p)
            if closes:
                shape.append("h")
                pts.append(start)
        if shape:
            subpaths.append(("".join(shape), pts))
        scolor = self._color(_B_STROKE_COLOR, obj)
        ncolor = self._color(_B_FILL_COLOR, obj)
        _B_STROKE_WIDTH(obj, self._box4_at[0])
        lw = self._box4[0]
        evenodd = fill_mode == R.FPDF_FILLMODE_ALTERNATE
        for shape_s, p in subpaths:
            if len(shape_s) < 2:
                continue  # a lone move draws nothing (pdfminer's "m[^m]+")
            if len(shape_s) > 3 and shape_s[-2:] == "lh" and p[-2] == p[0]:
                shape_s = shape_s[:-2] + "h"
                p = p[:-1]
            if shape_s in ("mlh", "ml"):
                g.add(out, "line", [p[0], p[1]], lw, stroke, fill, evenodd, scolor, ncolor)
            elif shape_s in ("mlllh", "mllll"):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = p
                closed = p[0] == p[4]
                square = ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                          or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))
                if closed and square:
                    (rx0, ry0), (rx1, ry1) = p[0], p[2]
                    g.add(out, "rect", [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)], lw, stroke, fill,
                          evenodd, scolor, ncolor)
                else:
                    g.add(out, "curve", p, lw, stroke, fill, evenodd, scolor, ncolor)
            else:
                g.add(out, "curve", p, lw, stroke, fill, evenodd, scolor, ncolor)

    def _font(self, obj, fonts: Dict[bytes, "FontInfo"]) -> Tuple["FontInfo", float]:
        return self._font_at(obj.value, fonts)

    def _widths_of(self, font: int) -> Dict[int, Optional[float]]:
        """{unicode: advance width in font units (1/1000 of the size)} of ``font``, filled as met."""
        widths = self._widths.get(font)
        if widths is None:
            widths = self._widths[font] = {}
        return widths

    def _width(self, font: int, u: int, widths: Dict[int, Optional[float]]) -> Optional[float]:
        """The advance of the character pdfium reads as ``u``, in font units, from the font's
        widths as pdfminer takes them (/W and /DW of a CID font by CID, /Widths of a simple
        font): pdfium goes from the Unicode back to the character code by the font's ToUnicode.
        None when pdfium has no width for it. Kept in ``widths``."""
        out = self._w
        w = widths[u] = out.value if font and _GLYPH_WIDTH(font, u, 1000.0, out) and out.value > 0 else None
        return w

    def _embedded(self, font: int) -> bool:
        """Whether the pdfium font at address ``font`` is embedded in the PDF."""
        embedded = self._embedded_fonts.get(font)
        if embedded is None:
            f = ctypes.cast(ctypes.c_void_p(font), R.FPDF_FONT)
            embedded = self._embedded_fonts[font] = bool(R.FPDFFont_GetIsEmbedded(f))
        return embedded

    def _font_info(self, font: int, fonts: Dict[bytes, "FontInfo"]) -> "FontInfo":
        """pdfminer's font info for the pdfium font at address ``font``."""
        name = self._font_names.get(font) if font else b""
        if name is None:
            name = self.font_name(ctypes.cast(ctypes.c_void_p(font), R.FPDF_FONT))
            self._font_names[font] = name
        info = fonts.get(name) or fonts.get(_unsubset(name))
        if info is None:  # a font pdfminer would not find either: pdfium's own descent
            desc = ctypes.c_float()
            R.FPDFFont_GetDescent(ctypes.cast(ctypes.c_void_p(font), R.FPDF_FONT), ctypes.c_float(1.0), desc)
            info = FontInfo(name.decode("latin-1"), min(desc.value, 0.0), None, False)
        return info

    def _font_at(self, addr: int, fonts: Dict[bytes, "FontInfo"]) -> Tuple["FontInfo", float]:
        """The font and size of the text object at address ``addr``."""
        fs = self._fx
        _OBJ_FONT_SIZE(addr, fs)
        return self._font_info(_OBJ_FONT(addr), fonts), fs.value

    def _style(self, font: int, size: float, m, ctm: Matrix, fonts: Dict[bytes, "FontInfo"]) -> tuple:
        """What the characters of a text object share, from its font, size and matrix: font
        name, size, descent, the matrix turned by ``ctm``, and for an upright (or mirrored)
        one its vertical extent and whether it is upright; and the font's widths."""
        info = self._font_info(font, fonts)
        desc = info.descent * size
        la, lb, lc, ld, _, _ = _mult((m.a, m.b, m.c, m.d, 0.0, 0.0), ctm)
        plain = lb == 0 and lc == 0  # upright or mirrored: two corners say it all
        fy0, fy1 = sorted((ld * desc, ld * (desc + size))) if plain else (0.0, 0.0)
        return (info.name, size, desc, m.a, la, lb, lc, ld, plain, fy0, fy1, la * ld > 0,
                self._widths_of(font))

    def _box_adv(self, i: int, ma: float) -> float:
        """The advance of character ``i`` measured by pdfium's loose box (a * width wide for an
        upright character whose glyph stays within its advance)."""
        fr = self._fr
        _LOOSE_BOX(_address(self._text_page), i, fr)
        return (fr.right - fr.left) / ma if ma else 0.0

    def _same_box(self, i: int, j: int) -> bool:
        """Whether characters ``i`` and ``j`` have the same loose box, not empty."""
        fr, tpa = self._fr, _address(self._text_page)
        _LOOSE_BOX(tpa, i, fr)
        box = (fr.left, fr.right, fr.bottom, fr.top)
        _LOOSE_BOX(tpa, j, fr)
        return box[1] > box[0] and box == (fr.left, fr.right, fr.bottom, fr.top)

    def _chars(self, page, texts, g: "Geometry", ctm: Matrix, fonts: Dict[bytes, "FontInfo"], out: list) -> bool:
        """The characters of the page into ``out``; False when pdfium left out text it cannot
        give back. Four calls into pdfium per character (its code, text object, origin, and
        whether its code has a Unicode), more only for the few that may be generated or be
        pieces of one code; the font, size and matrix once per text object."""
        tp = self._text_page
        order = {o.value: k for k, (o, _) in enumerate(texts)}
        # the characters of each run of one text object, with the object's place in content
        # order: pdfium's text page orders the objects of a line by position, pdfminer by content
        runs: List[Tuple[int, int, list]] = []
        n = self._n_chars
        m, m_at, box, box_at = self._m, self._m_at, self._box4, self._box4_at
        xy, (px, py) = self._xy, self._xy_at
        get_object, get_unicode, get_origin = _B_TEXT_OBJECT, _B_UNICODE, _B_ORIGIN
        unmapped, generated = _B_UNMAPPED, _B_GENERATED
        maybe_generated, hyphen_mark = _MAYBE_GENERATED, _HYPHEN_MARK
        tpa = _address(tp)
        tpv = ctypes.c_void_p(tpa)
        ca, cb, cc, cd, ce, cf = ctm
        page_number, height, mb_x0, mb_top = g.page_number, g.height, g.mb_x0, g.mb_top
        doctop0 = g.doctop0
        styles: Dict[tuple, tuple] = {}
        last_obj, shown = None, set()
        last_addr = last_ox = last_oy = last_i = None  # the last character kept
        last_space: Dict[int, float] = {}  # text object -> origin of the last of its spaces shown
        run: list = []
        for i in range(n):
            u = get_unicode(tpv, i)
            if u in maybe_generated and generated(tpv, i) == 1:
                continue  # spaces and line breaks pdfium adds: not in the PDF
            addr = get_object(tpv, i)
            if not addr:
                continue
            if addr != last_obj:  # a new text object: its font, size and matrix
                last_obj = addr
                shown.add(addr)
                k = order.get(addr, -1)
                run = []
                runs.append((k, i, run))
                append = run.append
                handle = ctypes.c_void_p(addr)
                font = _B_TEXT_FONT(handle)
                _B_FONT_SIZE(handle, box_at[0])
                _B_CHAR_MATRIX(tpv, i, m_at)
                key = (font, box[0], m.a, m.b, m.c, m.d)
                style = styles.get(key)
                if style is None:
                    style = styles[key] = self._style(font, box[0], m, ctm, fonts)
                name, size, desc, ma, la, lb, lc, ld, plain, fy0, fy1, upright, widths = style
            get_origin(tpv, i, px, py)
            ox, oy = xy[0], xy[1]
            if u == hyphen_mark and _IS_HYPHEN(tpa, i):
                u = 0x2D  # pdfium marks a hyphen ending a line: the hyphen it was
            if unmapped(tpv, i) == 1:
                text, w = f"(cid:{u})", None  # no Unicode for the code: pdfium gives the code, pdfminer this
            elif u:
                text = chr(u)
                w = widths.get(u)
                if w is None and u not in widths:
                    w = self._width(font, u, widths)
            else:
                text, w = "", None
            if u == 0x20:
                last_space[addr] = ox
            if ox == last_ox and oy == last_oy and addr == last_addr and run and self._same_box(i, last_i):
                # one character code that maps to several characters (a ligature, "——"):
                # pdfium gives each its own entry at the same place, pdfminer one character
                ch = run[-1]
                box_adv = self._box_adv(i, ma)
                if ch["adv"] != box_adv:  # measured as the first piece alone: the box of the whole
                    ch = run[-1] = g.char(ch["text"], name, size, box_adv, desc, ch["matrix"])
                ch["text"] += text
                continue
            last_addr, last_ox, last_oy, last_i = addr, ox, oy, i
            # the advance in text space: the font's width of the character, as pdfminer
            # takes it. pdfium's loose box is no measure of it: the box of the glyph's
            # outline is added to it (wider where a glyph reaches past its advance) and it is
            # the box of the turned box for slanted text. Only a character whose code pdfium
            # cannot find again (no Unicode, a ligature's piece) is measured by its box
            adv = w * 0.001 * size if w is not None else self._box_adv(i, ma)
            e, f = ox * ca + oy * cc + ce, ox * cb + oy * cd + cf
            cm = (la, lb, lc, ld, e, f)
            if not plain:
                append(g.char(text, name, size, adv, desc, cm))
                continue
            # Geometry.char and Geometry._place inlined for the upright case
            x0, x1 = e, la * adv + e
            if x1 < x0:
                x0, x1 = x1, x0
            y0, y1 = fy0 + f, fy1 + f
            width, top = x1 - x0, (height - y1) + mb_top
            if mb_x0 != 0:
                x0, x1 = x0 + mb_x0, x1 + mb_x0
            append({"object_type": "char", "page_number": page_number, "text": text, "fontname": name,
                           "size": y1 - y0, "adv": adv, "upright": upright, "matrix": cm,
                           "width": width, "height": y1 - y0, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                           "top": top, "bottom": (height - y0) + mb_top, "doctop": doctop0 + top})
        # pdfium's text page leaves out text objects of no width (runs of spaces drawn on their
        # own) and every space that follows a space in its text. Spaces separate words
        # (pdfplumber splits words at a blank): a run left out is put back as one space at its
        # origin, as wide as the font's space
        for k, (obj, parent) in enumerate(texts):
            addr = obj.value
            if not _B_OBJ_BOUNDS(obj, *box_at):
                continue
            l, b, r, t = box
            # a run of spaces has no height (a space has no outline): pdfium's box of it goes
            # from the first space's origin to the last one's
            spaces = t - b < _NO_WIDTH
            if addr in shown or r - l >= _NO_WIDTH:
                if spaces and addr in last_space:
                    _, y0, x1, _ = _box((l, b, r, t), parent)
                    # the spaces left out (after the last one shown): where they were only
                    # pdfminer knows, and drawn over other characters they split words there
                    x0 = last_space[addr]
                    if x1 - x0 > _NO_WIDTH and _only_spaces(k, runs) and _over_text(x0, x1, y0, ctm, runs):
                        return False
                continue  # shown, or not left out for its width: a copy drawn over itself (fake bold), as pdfium drops
            info, size = self._font(obj, fonts)
            font = _B_TEXT_FONT(obj)
            if not font or not (self._embedded(font) or info.simple):
                # a CJK font pdfium replaced: a glyph its stand-in lacks has no box either, so
                # the object may hold text ("。"), not a space; pdfium cannot say which, the
                # caller asks pdfminer. (Stand-ins of simple fonts have every Latin glyph)
                return False
            tm = self._matrix(obj)
            tm = _mult(tm, parent) if parent else tm
            widths = self._widths_of(font)
            w = widths[0x20] if 0x20 in widths else self._width(font, 0x20, widths)
            if w is not None:
                adv = w * 0.001 * size
            else:
                adv = (info.space if info.space is not None else DEFAULT_SPACE) * size
            runs.append((k, -1, [g.char(" ", info.name, size, adv, info.descent * size, _mult(tm, ctm))]))
        runs.sort(key=_CONTENT_ORDER)
        for run in runs:
            out.extend(run[2])
        return True


def _box(bounds: Tuple[float, float, float, float], m: Optional[Matrix]) -> Tuple[float, float, float, float]:
    """``bounds`` (x0, y0, x1, y1) turned by the matrix ``m`` (None: as they are)."""
    if m is None:
        return bounds
    a, b, c, d, e, f = m
    x0, y0, x1, y1 = bounds
    xs = [a * x + c * y + e for x in (x0, x1) for y in (y0, y1)]
    ys = [b * x + d * y + f for x in (x0, x1) for y in (y0, y1)]
    return min(xs), min(ys), max(xs), max(ys)


def _only_spaces(k: int, runs: list) -> bool:
    """Whether the characters shown of text object ``k`` are all spaces (a text object whose
    glyphs pdfium's stand-in font lacks has no height either)."""
    return all(ch["text"] == " " for kk, _, run in runs if kk == k for ch in run)


def _over_text(x0: float, x1: float, baseline: float, ctm: Matrix, runs: list) -> bool:
    """Whether a character other than a blank starts between ``x0`` and ``x1`` on a line
    through ``baseline`` (pdfium's page space; the characters are placed by ``ctm``, which
    here only moves)."""
    dx, dy = ctm[4], ctm[5]
    x0, x1, baseline = x0 + dx, x1 + dx, baseline + dy
    return any(x0 < ch["matrix"][4] < x1 and ch["y0"] <= baseline <= ch["y1"] and ch["text"].strip()
               for _, _, run in runs for ch in run)


_CONTENT_ORDER = operator.itemgetter(0, 1)  # (text object in content order, first character index)
_NO_WIDTH = 0.01  # pdfium's text page skips a text object narrower than this (its kSizeEpsilon)
_HYPHEN_MARK = 0x02  # what pdfium's text page puts for a hyphen that ends a line

# the width of a space (in font sizes) when the font does not say: CJK fonts' half-width space
DEFAULT_SPACE = 0.5


def _unsubset(name: bytes) -> bytes:
    """The font name without its subset tag ("ABCDEF+SimSun" -> "SimSun"): pdfium drops it."""
    return name[7:] if len(name) > 7 and name[6:7] == b"+" and name[:6].isupper() else name


class FontInfo:
    __slots__ = ("name", "descent", "space", "simple")

    def __init__(self, name: str, descent: float, space: Optional[float], simple: bool = False):
        self.simple = simple  # one byte per character (Type1, TrueType), not a CID font
        self.name = name  # pdfminer's fontname
        self.descent = descent  # pdfminer's get_descent(): /Descent / 1000, never positive
        self.space = space  # width of character code 32 in font sizes, when the font says


class Geometry:
    """pdfplumber's placement of one page: rotation CTM, MediaBox rebasing, doctop."""

    def __init__(self, plumber_page):
        p = plumber_page
        self.page_number = p.page_number
        self.doctop0 = p.initial_doctop
        self.height = p.height
        self.mb_x0, self.mb_top = p.mediabox[0], p.mediabox[1]
        po = p.page_obj
        self.ctm = _rotation_ctm(po.rotate, po.mediabox)

    def _place(self, d: dict, x0: float, y0: float, x1: float, y1: float) -> dict:
        top = (self.height - y1) + self.mb_top
        bottom = (self.height - y0) + self.mb_top
        if self.mb_x0 != 0:
            x0, x1 = x0 + self.mb_x0, x1 + self.mb_x0
        d.update(x0=x0, y0=y0, x1=x1, y1=y1, top=top, bottom=bottom, doctop=self.doctop0 + top)
        return d

    def char(self, text: str, fontname: str, size: float, adv: float, descent: float, m: Matrix) -> dict:
        a, b, c, d, e, f = m
        # pdfminer's LTChar: (0, descent) .. (adv, descent + size), all four corners transformed
        ly0, ly1 = descent, descent + size
        if b == 0 and c == 0:  # upright or mirrored: two corners say it all
            x0, x1 = sorted((e, a * adv + e))
            y0, y1 = sorted((d * ly0 + f, d * ly1 + f))
        else:
            xs = (c * ly0 + e, a * adv + c * ly0 + e, a * adv + c * ly1 + e, c * ly1 + e)
            ys = (b * 0.0 + d * ly0 + f, b * adv + d * ly0 + f, b * adv + d * ly1 + f, d * ly1 + f)
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        obj = {"object_type": "char", "page_number": self.page_number, "text": text, "fontname": fontname,
               "size": y1 - y0, "adv": adv, "upright": a * d > 0 and b * c <= 0, "matrix": m,
               "width": x1 - x0, "height": y1 - y0}
        return self._place(obj, x0, y0, x1, y1)

    def add(self, out, kind: str, pts, lw, stroke, fill, evenodd, scolor, ncolor) -> None:
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        h, mb_x0, mb_top = self.height, self.mb_x0, self.mb_top
        top = (h - y1) + mb_top
        # _place inlined: one dict built at once, its keys in the same order
        out[kind].append({"object_type": kind, "page_number": self.page_number, "linewidth": lw, "stroke": stroke,
                          "fill": fill, "evenodd": evenodd, "stroking_color": scolor, "non_stroking_color": ncolor,
                          "pts": [(mb_x0 + x, mb_top + h - y) for x, y in pts], "width": x1 - x0, "height": y1 - y0,
                          "x0": x0 + mb_x0 if mb_x0 != 0 else x0, "y0": y0,
                          "x1": x1 + mb_x0 if mb_x0 != 0 else x1, "y1": y1,
                          "top": top, "bottom": (h - y0) + mb_top, "doctop": self.doctop0 + top})


def _literal(x) -> bytes:
    from pdfminer.psparser import PSLiteral

    name = x.name if isinstance(x, PSLiteral) else x
    return name if isinstance(name, bytes) else str(name).encode("utf-8")


def _font_info(spec) -> Tuple[bytes, "FontInfo"]:
    """pdfminer's fontname and descent of a font dictionary (``PDFFont.__init__``, its
    standard-14 metrics included), the width of its space, and its /BaseFont."""
    from pdfminer.fontmetrics import FONT_METRICS
    from pdfminer.psparser import literal_name
    from pdfminer.pdftypes import resolve1

    base = _literal(resolve1(spec.get("BaseFont", b"unknown")))
    sub = _literal(resolve1(spec.get("Subtype", b"")))
    space = None
    if sub == b"Type0":
        kids = resolve1(spec.get("DescendantFonts")) or [{}]
        spec = resolve1(kids[0]) or {}
    std = FONT_METRICS.get(base.decode("latin-1")) if sub in (b"Type1", b"MMType1", b"TrueType") else None
    if std is not None:
        descriptor = std[0]
        space = std[1].get(" ")
    else:
        descriptor = resolve1(spec.get("FontDescriptor")) or {}
        widths = resolve1(spec.get("Widths"))
        first = resolve1(spec.get("FirstChar", 0))
        if isinstance(widths, list) and isinstance(first, int) and 0 <= 32 - first < len(widths):
            space = resolve1(widths[32 - first])
    d = resolve1(descriptor.get("Descent", 0))
    descent = -abs(float(d)) * 0.001 if isinstance(d, (int, float)) else 0.0
    name = resolve1(descriptor.get("FontName", "unknown"))
    text = literal_name(name) if not isinstance(name, str) else name
    space = float(space) * 0.001 if isinstance(space, (int, float)) and space > 0 else None
    return base, FontInfo(text, descent, space, sub in (b"Type1", b"MMType1", b"TrueType"))


def page_fonts(page_obj, cache: Dict[object, Tuple[bytes, "FontInfo"]]) -> Dict[bytes, "FontInfo"]:
    """{/BaseFont: FontInfo} of the fonts a pdfminer page (and its forms) can show."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

    out: Dict[bytes, FontInfo] = {}
    todo, seen = [page_obj.resources], set()
    while todo:
        res = resolve1(todo.pop()) or {}
        if not isinstance(res, dict):
            continue
        for ref in (resolve1(res.get("Font")) or {}).values():
            key = (ref.objid if isinstance(ref, PDFObjRef) else id(ref))
            if key not in cache:
                spec = resolve1(ref)
                try:
                    cache[key] = _font_info(spec) if isinstance(spec, dict) else None
                except Exception:  # an odd font dictionary: pdfium's own metrics are used
                    cache[key] = None
            if cache[key] is not None:
                base, info = cache[key]
                out.setdefault(base, info)
                out.setdefault(_unsubset(base), info)
            if not isinstance(ref, PDFObjRef):  # an id names a direct dictionary only while it lives
                del cache[key]
        for ref in (resolve1(res.get("XObject")) or {}).values():
            key = (ref.objid if isinstance(ref, PDFObjRef) else id(ref))
            if key in seen:
                continue
            seen.add(key)
            x = resolve1(ref)
            if isinstance(x, PDFStream) and x.attrs.get("Resources") is not None:
                todo.append(x.attrs.get("Resources"))
    return out


def page_like(plumber_page, doc: Document, index: int, font_cache: dict):
    """A pdfplumber page whose objects are read by pdfium, on first use (after the limits on
    the page's streams were checked): filters, ``find_tables`` and ``extract_text_lines`` of
    pdfplumber work on it unchanged. The pdfminer page is never parsed."""
    from pdfplumber.page import FilteredPage

    class PdfiumPage(FilteredPage):
        @property
        def objects(self) -> Dict[str, list]:
            if not hasattr(self, "_objects"):
                fonts = page_fonts(plumber_page.page_obj, font_cache)
                objs = doc.page_objects(index, Geometry(plumber_page), fonts)
                if objs is None:  # text pdfium's text page drops and cannot give back: pdfminer reads the page
                    doc.pdfminer_pages += 1
                    objs = plumber_page.objects
                self._objects = objs
            return self._objects

    return PdfiumPage(plumber_page, lambda obj: True)
