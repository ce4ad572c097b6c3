"""The one pipeline every adapter calls (CLI, batch, the Excel macros): a disclosure in, a
:class:`Result` out — the document read once and its checks run once.

    from xlbudget.api import convert
    res = convert("新绛县2024部门预算.pdf")     # Result(document, checks, findings)
    res.errors                                   # failed checks (findings of severity "error")
"""
from __future__ import annotations

from dataclasses import dataclass, field
import os
import sys
from typing import Callable, List, Union

from xlbudget.checks import rules
from xlbudget.read.importer import import_disclosure
from xlbudget.model import Document, Finding, InputError, UsageError
from xlbudget.paths import check_input
from xlbudget.settings import PdfSettings, StitchSettings


@dataclass
class Result:
    document: Document
    checks: List["rules.AnyCheck"] = field(default_factory=list)  # every identity, evaluated
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


def load(path: str) -> Document:
    """The one loader of every adapter: a PDF is imported (and must hold a disclosure), an xlbudget .xlsx read back."""
    low = path.lower()
    if not os.path.isdir(path) and not low.endswith((".pdf", ".xlsx", ".xlsm")):
        raise InputError(f"expected a .pdf or an .xlsx file, {path}",
                         hint="give a disclosure PDF or an xlbudget workbook")
    check_input(path)
    if low.endswith(".pdf"):
        from xlbudget.read.importer import import_disclosure

        return import_disclosure(path)
    if low.endswith((".xlsx", ".xlsm")):
        from xlbudget.write.workbook import read_workbook

        return read_workbook(path)
    raise InputError(f"expected a .pdf or an .xlsx file, {path}", hint="give a disclosure PDF or an xlbudget workbook")


def _stderr_warning(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def compare_files(inputs: List[str], out: str, warn: Callable[[str], None] = _stderr_warning):
    """Load every input, compare them and write the comparison workbook ``out``.
    Warnings go to ``warn`` (stderr by default)."""
    from xlbudget.compare.core import compare
    from xlbudget.write.compare_sheets import write_comparison

    if not inputs:
        raise UsageError("compare: no input files", hint="give two or more PDFs or workbooks")
    for p in inputs:
        if os.path.abspath(p) == os.path.abspath(out):
            raise UsageError(f"the output would overwrite an input, {out}", hint="choose another -o")
    comp = compare([load(p) for p in inputs])
    for w in comp.warnings:
        warn(w)
    write_comparison(comp, out, warn=warn)
    return comp
