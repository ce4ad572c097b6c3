"""Import a disclosure PDF into the model (pdf adapter + pure parsing)."""
from __future__ import annotations

import re
from typing import Optional, Union

from .model import Document, InputError
from .parse import build_document
from .pdf import read_pdf
from .raw import Fragment, RawDocument, TextLine
from .settings import PdfSettings, StitchSettings


def import_pdf(path: str, pdf: Union[None, PdfSettings, dict] = None,
               stitch: Union[None, StitchSettings, dict] = None) -> Document:
    """Read a PDF into a Document; ``pdf`` / ``stitch`` tune the reading tolerances by name."""
    return build_document(read_pdf(path, pdf), stitch)


# pdfminer's rendering of a glyph it cannot map to Unicode (a font without ToUnicode, or font
# strings left encrypted by an owner password)
_CID_GLYPH = re.compile(r"\(cid:\d+\)")
# a text layer is called undecodable when at least this share of its characters are such glyph codes
UNDECODABLE_SHARE = 0.5


def undecodable_share(raw: RawDocument) -> float:
    """Share of the non-blank text characters of ``raw`` that are ``(cid:N)`` glyph codes."""
    total = coded = 0
    for b in raw.blocks:
        texts = [b.text] if isinstance(b, TextLine) else (
            [c for r in b.rows for c in r if c] if isinstance(b, Fragment) else [])
        for t in texts:
            t = "".join(t.split())
            total += len(t)
            coded += sum(len(m) for m in _CID_GLYPH.findall(t))
    return coded / total if total else 0.0


def require_disclosure(doc: Document, path: str, raw: Optional[RawDocument] = None) -> Document:
    """Refuse a PDF in which neither a disclosure table nor a narrative claim was found: writing
    a workbook with nothing in it would look like success. With ``raw``, a text layer made mostly
    of undecodable glyph codes is named as such (not as "no disclosure")."""
    if not any(t.kind != "other" for t in doc.tables) and not doc.claims:
        if raw is not None and undecodable_share(raw) >= UNDECODABLE_SHARE:
            raise InputError(f"the text layer cannot be decoded (font without a Unicode map, or encrypted "
                             f"strings): it reads as (cid:N) glyph codes, {path}",
                             hint="if the PDF is protected by an owner password, save an unprotected copy "
                                  "(or print it to PDF) and import that; nothing was written")
        found = f"{len(doc.tables)} unrecognised tables" if doc.tables else "no ruled table"
        raise InputError(f"no disclosure table or narrative claim found ({found}), {path}",
                         hint="is this a 部门预算/决算/绩效 disclosure? nothing was written")
    return doc


def import_disclosure(path: str, pdf: Union[None, PdfSettings, dict] = None,
                      stitch: Union[None, StitchSettings, dict] = None) -> Document:
    """:func:`import_pdf`, refusing a PDF that holds no disclosure (see :func:`require_disclosure`)."""
    raw = read_pdf(path, pdf)
    return require_disclosure(build_document(raw, stitch), path, raw)
