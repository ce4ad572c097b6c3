"""A text layer that reads as "(cid:N)" glyph codes (a CJK font without a Unicode map, or font
strings an owner password left encrypted) is named as such, not as "no disclosure found"."""
from __future__ import annotations

import pytest

from hostile import make_corpus as mc
from xlbudget.cli import main
from xlbudget.read.importer import require_disclosure, undecodable_share
from xlbudget.model import InputError
from xlbudget.read.parse import build_document
from xlbudget.read.raw import Fragment, RawDocument, TextLine


def _raw(*texts, cells=()):
    blocks = [TextLine(page=1, top=10.0 * i, text=t) for i, t in enumerate(texts)]
    if cells:
        blocks.append(Fragment(page=1, top=100, bottom=200, x0=0, x1=100, page_height=842,
                               col_x=[0, 50], rows=[list(r) for r in cells]))
    return RawDocument(source="x.pdf", n_pages=1, blocks=blocks)


def test_share_of_glyph_codes():
    assert undecodable_share(_raw("(cid:2838)(cid:1414)", cells=[["(cid:19)", "(cid:17)"]])) == 1.0
    assert undecodable_share(_raw("午餐菜单：米饭、青菜、汤。")) == 0.0
    assert undecodable_share(_raw()) == 0.0  # no text at all: not this case (a scan is refused elsewhere)


def test_undecodable_text_layer_is_named_not_called_no_disclosure():
    coded = build_document(_raw("(cid:2838)(cid:1414)(cid:3786) 2024", "(cid:19)(cid:17)"))
    assert [f.id for f in coded.diagnostics] == ["EXTRACT.undecodable-text"]
    with pytest.raises(InputError, match=r"text layer cannot be decoded .*\(cid:N\)"):
        require_disclosure(coded, "x.pdf")
    # a text layer that decodes but is no disclosure keeps the "no disclosure" message
    with pytest.raises(InputError, match="no disclosure table or narrative claim"):
        require_disclosure(build_document(_raw("Lunch menu", "Soup (cid:3) of the day")), "x.pdf")


def test_owner_password_cjk_pdf_one_line_exit_2(tmp_path, capsys):
    pdf, out = tmp_path / "owner.pdf", tmp_path / "owner.xlsx"
    pdf.write_bytes(mc.owner_only_cjk())
    # pdfminer leaves the strings encrypted (pdfium decrypts them: see the test below)
    assert main(["import", str(pdf), "-o", str(out), "--backend", "pdfplumber"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the text layer cannot be decoded" in err[0] and "owner.pdf" in err[0]
    assert not out.exists()


def test_owner_password_cjk_pdf_is_read_by_pdfium(tmp_path):
    from xlbudget.read.importer import import_pdf

    pdf = tmp_path / "owner.pdf"
    pdf.write_bytes(mc.owner_only_cjk())
    doc = import_pdf(str(pdf), {"backend": "pdfium"})
    assert (doc.department, doc.year) == ("某某单位", 2024)
