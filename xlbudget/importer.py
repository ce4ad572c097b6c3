"""Import a disclosure PDF into the model (pdf adapter + pure parsing)."""
from __future__ import annotations

from .model import Document
from .parse import build_document
from .pdf import read_pdf


def import_pdf(path: str) -> Document:
    return build_document(read_pdf(path))
