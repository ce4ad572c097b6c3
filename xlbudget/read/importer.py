"""Import a disclosure PDF into the model (pdf adapter + pure parsing)."""
from __future__ import annotations

from typing import Union

from xlbudget.model import EXTRACTION_PREFIX, Document, InputError
from xlbudget.read.parse import UNDECODABLE_SHARE, UNDECODABLE_SLUG, build_document, undecodable_share  # noqa: F401
from xlbudget.read.pdf import read_pdf
from xlbudget.settings import PdfSettings, StitchSettings


def import_pdf(path: str, pdf: Union[None, PdfSettings, dict] = None,
               stitch: Union[None, StitchSettings, dict] = None) -> Document:
    """Read a PDF into a Document; ``pdf`` / ``stitch`` tune the reading tolerances by name."""
    return build_document(read_pdf(path, pdf), stitch)


def require_disclosure(doc: Document, path: str) -> Document:
    """Refuse a PDF in which neither a disclosure table nor a narrative claim was found: writing
    a workbook with nothing in it would look like success. A text layer the parse found made
    mostly of undecodable glyph codes (EXTRACT.undecodable-text) is named as such."""
    if not any(t.kind != "other" for t in doc.tables) and not doc.claims:
        if any(f.id == EXTRACTION_PREFIX + UNDECODABLE_SLUG for f in doc.diagnostics):
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
    return require_disclosure(import_pdf(path, pdf, stitch), path)
