"""pypdfium2 reading backend: a page's characters, lines, rectangles and curves in pdfplumber's
object format, read in one pass over pdfium's page objects and text page.

pdfium parses content streams in C, about 15 times faster than pdfminer. The objects are built
exactly as pdfminer + pdfplumber build theirs, so pdfplumber's table finder, text lines and
everything downstream see the same page:

* a character's box is pdfminer's *loose* box: the advance width wide, the font size high,
  starting at the font descriptor's /Descent below the baseline (not pdfium's glyph box, nor
  its ascent/descent box), transformed by the text matrix with all four corners;
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


_P, _I = ctypes.c_void_p, ctypes.c_int
_TEXT_OBJECT = _raw(R.FPDFText_GetTextObject, _P, _P, _I)
_UNICODE = _raw(R.FPDFText_GetUnicode, ctypes.c_uint, _P, _I)
_ORIGIN = _raw(R.FPDFText_GetCharOrigin, _I, _P, _I, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double))
_LOOSE_BOX = _raw(R.FPDFText_GetLooseCharBox, _I, _P, _I, ctypes.POINTER(R.FS_RECTF))
_UNMAPPED = _raw(R.FPDFText_HasUnicodeMapError, _I, _P, _I)
_GENERATED = _raw(R.FPDFText_IsGenerated, _I, _P, _I)
_SEGMENT = _raw(R.FPDFPath_GetPathSegment, _P, _P, _I)
_SEGMENT_TYPE = _raw(R.FPDFPathSegment_GetType, _I, _P)
_SEGMENT_POINT = _raw(R.FPDFPathSegment_GetPoint, _I, _P, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float))
_SEGMENT_CLOSE = _raw(R.FPDFPathSegment_GetClose, _I, _P)
_OBJ_FONT = _raw(R.FPDFTextObj_GetFont, _P, _P)
_OBJ_FONT_SIZE = _raw(R.FPDFTextObj_GetFontSize, _I, _P, ctypes.POINTER(ctypes.c_float))
_CHAR_MATRIX = _raw(R.FPDFText_GetMatrix, _I, _P, _I, ctypes.POINTER(R.FS_MATRIX))
_IS_HYPHEN = _raw(R.FPDFText_IsHyphen, _I, _P, _I)
# the only characters pdfium's text page generates (spaces between words, line breaks, the
# mark of a hyphen ending a line): any other is read without asking whether it was generated
_MAYBE_GENERATED = frozenset((0x20, 0x0D, 0x0A, 0x02, 0x2D))


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
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._fx, self._fy = ctypes.c_float(), ctypes.c_float()
        self._r, self._g, self._b, self._a = (ctypes.c_uint() for _ in range(4))
        self._mode, self._stroke = ctypes.c_int(), ctypes.c_int()
        self._w = ctypes.c_float()
        self._bounds = tuple(ctypes.c_float() for _ in range(4))
        self._font_names: Dict[int, bytes] = {}
        self.pdfminer_pages = 0  # pages read by pdfminer after all (see ``page_like``)

    def close(self) -> None:
        self.pdf.close()

    def __len__(self) -> int:
        return len(self.pdf)

    # ---- helpers over the raw API -------------------------------------------------------
    def _matrix(self, obj) -> Matrix:
        m = self._m
        R.FPDFPageObj_GetMatrix(obj, m)
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _color(self, getter, obj) -> Tuple[float, ...]:
        if not getter(obj, self._r, self._g, self._b, self._a):
            return (0.0,)
        return (self._r.value / 255, self._g.value / 255, self._b.value / 255)

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
            stack = [(R.FPDFPage_GetObject(raw, i), None) for i in range(R.FPDFPage_CountObjects(raw))]
            stack.reverse()
            texts: list = []  # text objects in content order, with the matrix of their form
            while stack:
                obj, parent = stack.pop()
                kind = R.FPDFPageObj_GetType(obj)
                if kind == _PATH:
                    m = self._matrix(obj)
                    self._path(obj, _mult(m, parent) if parent else m, ctm, geometry, out)
                elif kind == _FORM:
                    m = self._matrix(obj)
                    m = _mult(m, parent) if parent else m
                    kids = [(R.FPDFFormObj_GetObject(obj, k), m) for k in range(R.FPDFFormObj_CountObjects(obj))]
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
        n = R.FPDFPath_CountSegments(obj)
        if n <= 0:
            return
        if not R.FPDFPath_GetDrawMode(obj, self._mode, self._stroke):
            return
        fill_mode, stroke = self._mode.value, bool(self._stroke.value)
        fill = fill_mode != 0
        if not (fill or stroke):
            return
        full = _mult(m, ctm)
        a, b, c, d, e, f = full
        fx, fy = self._fx, self._fy
        path = _address(obj)
        # subpaths in pdfminer's letters: m, l, c (a Bezier's end point only), h
        subpaths: List[Tuple[str, list]] = []
        shape: List[str] = []
        pts: list = []
        start = None
        bez = 0
        for k in range(n):
            seg = _SEGMENT(path, k)
            t = _SEGMENT_TYPE(seg)
            _SEGMENT_POINT(seg, fx, fy)
            x, y = fx.value, fy.value
            p = (a * x + c * y + e, b * x + d * y + f)
            closes = bool(_SEGMENT_CLOSE(seg))
            if t == _MOVE:
                if shape:
                    subpaths.append(("".join(shape), pts))
                shape, pts, start, bez = ["m"], [p], p, 0
                continue
            if not shape:  # a path not starting with a move: pdfminer ignores it
                continue
            if t == _BEZIER:
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
        scolor = self._color(R.FPDFPageObj_GetStrokeColor, obj)
        ncolor = self._color(R.FPDFPageObj_GetFillColor, obj)
        R.FPDFPageObj_GetStrokeWidth(obj, self._w)
        lw = self._w.value
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
        return self._font_at(_address(obj), fonts)

    def _font_at(self, addr: int, fonts: Dict[bytes, "FontInfo"]) -> Tuple["FontInfo", float]:
        """The font and size of the text object at address ``addr``."""
        font = _OBJ_FONT(addr)
        name = self._font_names.get(font) if font else b""
        if name is None:
            name = self.font_name(ctypes.cast(ctypes.c_void_p(font), R.FPDF_FONT))
            self._font_names[font] = name
        info = fonts.get(name) or fonts.get(_unsubset(name))
        fs = self._fx
        _OBJ_FONT_SIZE(addr, fs)
        if info is None:  # a font pdfminer would not find either: pdfium's own descent
            desc = ctypes.c_float()
            R.FPDFFont_GetDescent(ctypes.cast(ctypes.c_void_p(font), R.FPDF_FONT), ctypes.c_float(1.0), desc)
            info = FontInfo(name.decode("latin-1"), min(desc.value, 0.0), None, False)
        return info, fs.value

    def _chars(self, page, texts, g: "Geometry", ctm: Matrix, fonts: Dict[bytes, "FontInfo"], out: list) -> bool:
        """The characters of the page into ``out``; False when pdfium left out text it cannot
        give back. Four calls into pdfium per character (its text object, code, origin and
        loose box), more only for the few that may be generated or unmapped; the font, size
        and matrix once per text object."""
        tp = self._text_page
        order = {_address(o): k for k, (o, _) in enumerate(texts)}
        keyed = []
        n = self._n_chars
        m, fr, x, y = self._m, self._fr, self._x, self._y
        get_object, get_unicode, get_origin = _TEXT_OBJECT, _UNICODE, _ORIGIN
        get_box, unmapped, generated = _LOOSE_BOX, _UNMAPPED, _GENERATED
        maybe_generated, hyphen_mark = _MAYBE_GENERATED, _HYPHEN_MARK
        tpa = _address(tp)
        ca, cb, cc, cd, ce, cf = ctm
        page_number, height, mb_x0, mb_top = g.page_number, g.height, g.mb_x0, g.mb_top
        doctop0 = g.doctop0
        last_obj, last_char, shown = None, None, set()
        append = keyed.append
        for i in range(n):
            u = get_unicode(tpa, i)
            if u in maybe_generated and generated(tpa, i) == 1:
                continue  # spaces and line breaks pdfium adds: not in the PDF
            addr = get_object(tpa, i)
            if not addr:
                continue
            if addr != last_obj:  # a new text object: its font, size and matrix
                last_obj = addr
                shown.add(addr)
                info, size = self._font_at(addr, fonts)
                desc, name, k = info.descent * size, info.name, order.get(addr, -1)
                _CHAR_MATRIX(tpa, i, m)
                ma = m.a
                la, lb, lc, ld, _, _ = _mult((ma, m.b, m.c, m.d, 0.0, 0.0), ctm)
                ly0, ly1 = desc, desc + size
                plain = lb == 0 and lc == 0  # upright or mirrored: two corners say it all
                if plain:
                    fy0, fy1 = sorted((ld * ly0, ld * ly1))
                    upright = la * ld > 0
            get_origin(tpa, i, x, y)
            get_box(tpa, i, fr)
            if u == hyphen_mark and _IS_HYPHEN(tpa, i):
                u = 0x2D  # pdfium marks a hyphen ending a line: the hyphen it was
            text = chr(u) if u else ""
            if unmapped(tpa, i) == 1:
                text = f"(cid:{u})"  # no Unicode for the code: pdfium gives the code, pdfminer this
            ox, oy, left, right = x.value, y.value, fr.left, fr.right
            here = (addr, ox, oy, left, right, fr.bottom, fr.top)
            if here == last_char and right > left and keyed:
                # one character code that maps to several characters (a ligature, "——"):
                # pdfium gives each its own entry at the same place, pdfminer one character
                keyed[-1][2]["text"] += text
                continue
            last_char = here
            # the advance in text space: pdfium's loose box is a * (width * size) wide
            adv = (right - left) / ma if ma else 0.0
            e, f = ox * ca + oy * cc + ce, ox * cb + oy * cd + cf
            cm = (la, lb, lc, ld, e, f)
            if not plain:
                append((k, i, g.char(text, name, size, adv, desc, cm)))
                continue
            # Geometry.char and Geometry._place inlined for the upright case
            x0, x1 = e, la * adv + e
            if x1 < x0:
                x0, x1 = x1, x0
            y0, y1 = fy0 + f, fy1 + f
            width, top = x1 - x0, (height - y1) + mb_top
            if mb_x0 != 0:
                x0, x1 = x0 + mb_x0, x1 + mb_x0
            append((k, i, {"object_type": "char", "page_number": page_number, "text": text, "fontname": name,
                           "size": y1 - y0, "adv": adv, "upright": upright, "matrix": cm,
                           "width": width, "height": y1 - y0, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                           "top": top, "bottom": (height - y0) + mb_top, "doctop": doctop0 + top}))
        # pdfium's text page leaves out text objects of no width: runs of spaces drawn on their
        # own. They separate words (pdfplumber splits words at a blank), so each is put back as
        # one space at its origin, as wide as the font's space
        l, b, r, t = self._bounds
        for k, (obj, parent) in enumerate(texts):
            if _address(obj) in shown or not R.FPDFPageObj_GetBounds(obj, l, b, r, t):
                continue
            if r.value - l.value >= _NO_WIDTH:
                continue  # not left out for its width: a copy drawn over itself (fake bold), as pdfium drops
            info, size = self._font(obj, fonts)
            font = R.FPDFTextObj_GetFont(obj)
            if not font or not (R.FPDFFont_GetIsEmbedded(font) or info.simple):
                # a CJK font pdfium replaced: a glyph its stand-in lacks has no box either, so
                # the object may hold text ("。"), not a space; pdfium cannot say which, the
                # caller asks pdfminer. (Stand-ins of simple fonts have every Latin glyph)
                return False
            tm = self._matrix(obj)
            tm = _mult(tm, parent) if parent else tm
            adv = (info.space if info.space is not None else DEFAULT_SPACE) * size
            keyed.append((k, -1, g.char(" ", info.name, size, adv, info.descent * size, _mult(tm, ctm))))
        keyed.sort(key=lambda t: (t[0], t[1]))
        out.extend(t[2] for t in keyed)
        return True


_NO_WIDTH = 0.01  # pdfium's text page skips a text object narrower than this (its kSizeEpsilon)
_HYPHEN_MARK = 0x02  # what pdfium's text page puts for a hyphen that ends a line

# the width of a space (in font sizes) when the font does not say: CJK fonts' half-width space
DEFAULT_SPACE = 0.5


def _unsubset(name: bytes) -> bytes:
    """The font name without its subset tag ("ABCDEF+SimSun" -> "SimSun"): pdfium drops it."""
    return name[7:] if len(name) > 7 and name[6:7] == b"+" and name[:6].isupper() else name


def _text(u: int) -> str:
    return chr(u) if u else ""


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
        obj = {"object_type": kind, "page_number": self.page_number, "linewidth": lw, "stroke": stroke,
               "fill": fill, "evenodd": evenodd, "stroking_color": scolor, "non_stroking_color": ncolor,
               "pts": [(mb_x0 + x, mb_top + h - y) for x, y in pts], "width": x1 - x0, "height": y1 - y0}
        out[kind].append(self._place(obj, x0, y0, x1, y1))


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
