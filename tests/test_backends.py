"""The pdfium reading backend gives the same Documents as the pdfplumber (pdfminer) one.

Every corpus PDF is imported with both backends and the whole Document is compared: tables,
header and body cells (text, amount, page), codes, levels, claims, department, year, warnings,
diagnostics and the findings of the rules, whitespace included. Then the mechanisms that make
them agree, each on the document where pdfium and pdfminer first disagreed.
"""
import dataclasses
from pathlib import Path

import pytest

from conftest import REAL_ALL, RENDERED, SHARED, imported, need

CORPUS = sorted(list(REAL_ALL.glob("*/*/*.pdf")) + list(REAL_ALL.glob("shanghai/*.pdf"))
                + list((RENDERED / "pdf_a").glob("*.pdf"))) if SHARED.exists() else []


def _pdfium(path):
    from xlbudget.read.importer import import_pdf

    return import_pdf(str(path), {"backend": "pdfium"})


def _as_data(doc) -> dict:
    from xlbudget.checks import rules

    _, _, findings = rules.run(doc)
    data = dataclasses.asdict(doc)
    data["findings"] = [dataclasses.asdict(f) for f in findings]
    return data


def _differences(a, b, where=""):
    """(path, pdfplumber value, pdfium value) where two nested structures differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            yield from _differences(a.get(k), b.get(k), f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, f"{where}[{i}]")
    elif a != b:
        yield where, a, b


def _shown(diffs) -> str:
    return f"{len(diffs)} differences, first:\n" + "\n".join(
        f"{w}: {a!r:.80} (pdfplumber) != {b!r:.80} (pdfium)" for w, a, b in diffs[:8])


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_both_backends_read_the_same_document(path):
    from xlbudget.read.importer import import_pdf
    from xlbudget.settings import PdfSettings

    # the default backend's Document is the one the other tests of the session import
    other = "pdfplumber" if PdfSettings.backend == "pdfium" else "pdfium"
    docs = {PdfSettings.backend: imported(path), other: import_pdf(str(path), {"backend": other})}
    diffs = list(_differences(_as_data(docs["pdfplumber"]), _as_data(docs["pdfium"])))
    assert not diffs, _shown(diffs)


def test_the_corpus_is_all_there():
    need(SHARED)
    assert len(CORPUS) >= 30  # 22 Jiangsu + 3 Shanghai + 5 rendered: a glob that finds nothing proves nothing


def _table(doc, kind):
    return next(t for t in doc.tables if t.kind == kind)


def test_a_page_turned_by_rotate_is_read_upright():
    # pages of /Rotate 90 with the content drawn turned: pdfium measures a character by its
    # matrix's a (zero for turned text), so the objects are turned first as pdfminer turns them
    path = need(REAL_ALL / "jiangsu" / "江苏省人大办公厅" / "江苏省人大常委会办公厅2019年部门预算公开表.pdf")
    doc = _pdfium(path)
    assert doc.department == "江苏省人大常委会办公厅"
    assert doc.year == 2019
    assert [h for h in _table(doc, "b01").header[0] if h][:2] == ["收入", "支出"]


def test_one_code_drawn_as_two_characters_stays_one():
    # "——" is one glyph mapped to two characters: pdfium lists them as two characters at the
    # same place (pdfplumber then keeps one as a duplicate), pdfminer as one
    path = need(RENDERED / "pdf_a" / "001_511f49588f3df717.pdf")
    doc = _pdfium(path)
    texts = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "——" in texts and "—" not in texts


def test_a_hyphen_ending_a_line_is_a_hyphen():
    # pdfium's text page marks a hyphen that ends a text line with U+0002
    path = need(RENDERED / "pdf_a" / "003_333e51848c84ec7d.pdf")
    names = [r.name for t in _pdfium(path).tables for r in t.rows]
    assert "运维保障-云时代项目运维次数" in names
    assert not any(n and "\x02" in n for n in names)


def _spaced_pdf(path: Path) -> Path:
    """Amounts whose space is a text object of its own: "1234.56" then " " then "78.90", 1.5 pt
    apart (pdfplumber words are split only further than 3 pt, or at a blank character)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(300, 200))
    c.setFont("Helvetica", 6)
    x = 40
    for piece in ("1234.56", " ", "78.90"):
        t = c.beginText(x, 120)
        t.setFont("Helvetica", 6)
        t.textOut(piece)
        c.drawText(t)
        x += c.stringWidth(piece, "Helvetica", 6)
    c.save()
    return path


def test_a_space_drawn_on_its_own_still_separates_words(tmp_path):
    # pdfium's text page leaves out text objects of no width (a run of spaces alone); pdfminer
    # keeps the space, and pdfplumber ends a word there
    from xlbudget.read.pdf import read_pdf

    path = _spaced_pdf(tmp_path / "spaced.pdf")
    for backend in ("pdfplumber", "pdfium"):
        lines = [b.text for b in read_pdf(str(path), {"backend": backend}).blocks]
        assert lines == ["1234.56 78.90"], backend


def test_characters_are_deduplicated_as_pdfplumber_does_in_n_log_n():
    import pdfplumber
    from pdfplumber.utils import dedupe_chars

    from xlbudget.read.pdf import _dedupe_chars

    path = need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2019年度部门预算公开.pdf")
    with pdfplumber.open(str(path)) as pdf:
        chars = pdf.pages[22].chars  # page 23 prints a few characters twice, one on the other
        ours = _dedupe_chars(chars)
        assert ours == dedupe_chars(chars)
        assert 0 < len(ours) < len(chars)


def test_backend_is_a_setting():
    from xlbudget.settings import PdfSettings

    assert PdfSettings.resolve({"backend": "pdfium"}).backend == "pdfium"
    with pytest.raises(ValueError, match="backend"):
        PdfSettings.resolve({"backend": "pdfminer"})


def test_text_pdfium_drops_and_cannot_give_back_is_read_by_pdfminer(tmp_path):
    # "。" drawn alone in a CJK font that is not embedded: pdfium's stand-in font has no glyph
    # for it, so its text page drops the object as having no width, like a lone space. Which of
    # the two it was pdfium cannot say: that page is read by pdfminer
    from fixtures import render_narrative as rn
    from xlbudget.read.pdf import read_pdf

    path = str(rn.write_final_account(tmp_path, "narrative.pdf", drop=3.0)["path"])
    lines = [b.text for b in read_pdf(path, {"backend": "pdfium"}).blocks if hasattr(b, "text")]
    assert "项目支出4381.74万元，占44.90%。" in lines


def test_reopening_the_pdfium_document_changes_nothing(monkeypatch):
    # pdfium's caches are dropped by reopening the document every REOPEN_EVERY pages (memory
    # flat in pages): the pages read after a reopen are the same
    from xlbudget.read import pdf_pdfium
    from xlbudget.read.pdf import read_pdf

    path = str(need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2019年度部门预算公开.pdf"))
    once = read_pdf(path, {"backend": "pdfium"})
    monkeypatch.setattr(pdf_pdfium, "REOPEN_EVERY", 2)
    again = read_pdf(path, {"backend": "pdfium"})
    assert once.n_pages == again.n_pages == 33
    assert once.blocks == again.blocks


def _hello_pdf(path: Path) -> Path:
    """One page showing "hello world" (11 characters) in one text object."""
    from hostile import make_corpus as mc

    text = b"BT /F1 12 Tf 72 712 Td (hello world) Tj ET\n"
    path.write_bytes(mc._page_pdf([b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"]))
    return path


def test_pdfium_counts_a_page_s_characters_before_building_them(tmp_path):
    import pdfplumber

    from xlbudget.read import pdf_pdfium

    path = _hello_pdf(tmp_path / "hello.pdf")
    doc = pdf_pdfium.Document(str(path), max_chars=8)
    with pdfplumber.open(str(path)) as pdf, pytest.raises(pdf_pdfium.TooManyChars) as e:
        doc.page_objects(0, pdf_pdfium.Geometry(pdf.pages[0]), {})
    doc.close()
    assert e.value.count == 11


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_both_backends_refuse_a_full_page_with_the_same_line(tmp_path, backend):
    from xlbudget.model import LimitError
    from xlbudget.read.pdf import read_pdf

    path = _hello_pdf(tmp_path / "hello.pdf")
    with pytest.raises(LimitError) as e:
        read_pdf(str(path), {"backend": backend, "max_chars_per_page": 8})
    assert str(e.value) == f"page 1: 11 characters > limit max_chars_per_page=8, {path}"
    # at the limit the page is read
    assert [ln.text for ln in read_pdf(str(path), {"backend": backend, "max_chars_per_page": 11}).blocks] \
        == ["hello world"]


def _slanted_pdf(path: Path) -> Path:
    """"12.5%" in Helvetica 10 drawn slanted (text matrix 1 0 0.3 1): a faux italic."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(300, 200))
    t = c.beginText()
    t.setTextTransform(1, 0, 0.3, 1, 50, 120)
    t.setFont("Helvetica", 10)
    t.textOut("12.5%")
    c.drawText(t)
    c.save()
    return path


def _pdfium_chars(path, index=0):
    import pdfplumber

    from xlbudget.read import pdf_pdfium

    doc = pdf_pdfium.Document(str(path))
    try:
        with pdfplumber.open(str(path)) as pdf:
            page = pdf.pages[index]
            objs = doc.page_objects(index, pdf_pdfium.Geometry(page), pdf_pdfium.page_fonts(page.page_obj, {}))
    finally:
        doc.close()
    return objs if objs is None else objs["char"]


def test_a_slanted_character_is_as_wide_as_its_font_says(tmp_path):
    # pdfium's loose box of a slanted character is the box of the slanted box (and of the
    # glyph's outline): its advance is taken from the font's widths, as pdfminer takes it.
    # Helvetica's widths (AFM): "1" 556, "." 278, "%" 889 thousandths of the size
    import pdfplumber

    path = _slanted_pdf(tmp_path / "slanted.pdf")
    chars = _pdfium_chars(path)
    assert [(c["text"], round(c["adv"], 9)) for c in chars] == [
        ("1", 5.56), ("2", 5.56), (".", 2.78), ("5", 5.56), ("%", 8.89)]
    with pdfplumber.open(str(path)) as pdf:  # and the slanted boxes are pdfminer's
        assert [x for c in chars for x in (c["x0"], c["x1"])] \
            == pytest.approx([x for c in pdf.pages[0].chars for x in (c["x0"], c["x1"])])


def test_a_slanted_digit_of_a_cid_font_is_as_wide_as_its_w_says():
    # page 19 prints percentages in an embedded FangSong (CID font, /W [8 [500] 11 28 500],
    # /DW 1000) at Tf 319 under a slanted matrix (c = 0.016): each digit advances
    # 500/1000 * 319 = 159.5 text units (pdfium's loose box made it 263.9, and "13.69%" lost
    # the gap pdfminer sees before "%")
    path = need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2017年省检察院部门预算.pdf")
    digits = [c for c in _pdfium_chars(path, 18)
              if c["fontname"].endswith("FangSong") and c["text"].isdigit() and c["matrix"][2] != 0]
    assert len(digits) > 10
    assert {round(c["adv"], 6) for c in digits if c["size"] == pytest.approx(15.95)} == {159.5}


def _spaces_over_text_pdf(path: Path) -> Path:
    """"AB" at x 100, then twenty spaces (Helvetica 10: 2.78 pt each) drawn from x 60 on,
    two of them starting between A and B."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(300, 200))
    for x, piece in ((100, "AB"), (60, " " * 20)):
        t = c.beginText(x, 120)
        t.setFont("Helvetica", 10)
        t.textOut(piece)
        c.drawText(t)
    c.save()
    return path


def test_spaces_pdfium_collapses_over_other_text_are_read_by_pdfminer(tmp_path):
    # pdfium's text page drops every space that follows a space; where dropped spaces were
    # drawn across other characters they split words there, and only pdfminer knows where
    # they were: the page is read by pdfminer
    from xlbudget.read.pdf import read_pdf

    path = _spaces_over_text_pdf(tmp_path / "spaces.pdf")
    assert _pdfium_chars(path) is None
    for backend in ("pdfplumber", "pdfium"):
        assert [b.text for b in read_pdf(str(path), {"backend": backend}).blocks] == ["A B"], backend


def test_spaces_collapsed_over_a_real_heading_are_read_by_pdfminer():
    # page 21 draws a run of Times New Roman spaces across "单位：万元" (宋体), a space
    # starting between 单 and 位: pdfminer reads "单 位", and so does the pdfium backend now
    path = need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2019年度部门预算公开.pdf")
    assert _pdfium_chars(path, 20) is None
    assert _pdfium_chars(path, 19) is not None  # its neighbour is read by pdfium


def test_a_character_s_width_is_looked_up_in_its_font_s_w_by_its_unicode():
    # the embedded FangSong of 2017年省检察院部门预算 (a CID font): /W [8 [500] 11 28 500],
    # /DW 1000: "%" (CID 8) and the digits and "." (CIDs 11-28) are half wide, the CJK
    # characters take the default. pdfium finds the code again from the Unicode (ToUnicode)
    import pypdfium2.raw as R

    from xlbudget.read import pdf_pdfium

    path = need(REAL_ALL / "jiangsu" / "江苏省人民检察院" / "2017年省检察院部门预算.pdf")
    doc = pdf_pdfium.Document(str(path))
    try:
        page = doc.pdf[18]
        objs = (R.FPDFPage_GetObject(page.raw, i) for i in range(R.FPDFPage_CountObjects(page.raw)))
        font = next(R.FPDFTextObj_GetFont(o) for o in objs if R.FPDFPageObj_GetType(o) == R.FPDF_PAGEOBJ_TEXT
                    and doc.font_name(R.FPDFTextObj_GetFont(o)).endswith(b"+FangSong"))
        widths: dict = {}
        assert {ch: doc._width(pdf_pdfium._address(font), ord(ch), widths) for ch in "13.69%年元，"} == {
            "1": 500, "3": 500, ".": 500, "6": 500, "9": 500, "%": 500, "年": 1000, "元": 1000, "，": 1000}
        assert widths[ord("%")] == 500  # kept for the next character
    finally:
        doc.close()
