"""The one pipeline every adapter calls (CLI, batch, the Excel macros): a disclosure in, a
:class:`Result` out — the document read once and its checks run once.

    from xlbudget.api import convert
    res = convert("新绛县2024部门预算.pdf")     # Result(document, checks, findings)
    res.errors                                   # failed checks (findings of severity "error")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Union

from . import rules
from .importer import import_disclosure
from .model import Document, Finding
from .settings import PdfSettings, StitchSettings


@dataclass
class Result:
    document: Document
    checks: List["rules.Check"] = field(default_factory=list)  # every identity, evaluated
    findings: List[Finding] = field(default_factory=list)  # failed checks, narrative and extraction findings

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def evaluate(doc: Document) -> Result:
    """Run the rule engine once over a document (read from a PDF or a workbook)."""
    _, checks, findings = rules.run(doc)
    return Result(doc, checks, findings)


def convert(path: str, pdf: Union[None, PdfSettings, dict] = None,
            stitch: Union[None, StitchSettings, dict] = None) -> Result:
    """Import a disclosure PDF (refusing one that holds none) and check it."""
    return evaluate(import_disclosure(path, pdf, stitch))
