"""Memory flat in pages: what the reader keeps while it reads does not grow with the file.

Objects are counted, never bytes or RSS: the counts are the same on every machine and run.
"""
import pytest
from conftest import RENDERED, SEEDS, need

from xlbudget.read import pdf_open
from xlbudget.read.pdf import read_pdf
from xlbudget.read.narrative import _joined
from xlbudget.read.raw import TextLine

COPIES = 4  # the long file: the same document this many times over
_CHECK_PAGE = pdf_open.check_page


def _concatenated(src, copies: int, out) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(copies):
        part = pdfium.PdfDocument(str(src))
        doc.import_pages(part)
        part.close()
    doc.save(str(out))
    doc.close()
    return str(out)


def _held_per_page(monkeypatch, path: str, backend: str) -> list:
    """(pdfminer's cached objects, pdfplumber's built pages, pdfminer's built fonts) as each
    page comes to be read."""
    seen = []

    def spy(page, *args, **kwargs):
        pdf = page.pdf
        seen.append((len(pdf.doc._cached_objs), len(getattr(pdf, "_pages", ())), len(pdf.rsrcmgr._cached_fonts)))
        return _CHECK_PAGE(page, *args, **kwargs)

    monkeypatch.setattr(pdf_open, "check_page", spy)
    raw = read_pdf(path, {"backend": backend})
    assert len(seen) == raw.n_pages
    return seen


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_reader_holds_no_more_objects_for_a_longer_file(tmp_path, monkeypatch, backend):
    src = need(RENDERED / "pdf_a" / f"{SEEDS[2]}.pdf")
    one = _held_per_page(monkeypatch, _concatenated(src, 1, tmp_path / "one.pdf"), backend)
    many = _held_per_page(monkeypatch, _concatenated(src, COPIES, tmp_path / "many.pdf"), backend)
    assert len(many) == COPIES * len(one)
    # pdfminer's object cache: what the current page resolved, never the pages before it
    # (it kept every content stream of the file: the cache grew with the file's pages)
    assert max(c for c, _, _ in many) == max(c for c, _, _ in one)
    # pdfplumber's list of pages is never built (it holds every page, each with its content)
    assert {p for _, p, _ in many} == {0}


def test_pdfminer_keeps_a_bounded_number_of_fonts(tmp_path, monkeypatch):
    src = need(RENDERED / "pdf_a" / f"{SEEDS[2]}.pdf")
    one = _held_per_page(monkeypatch, _concatenated(src, 1, tmp_path / "one.pdf"), "pdfplumber")
    fonts = max(f for _, _, f in one)
    assert fonts > 0
    # each copy has fonts of its own (other object ids): kept, the long file would hold them all
    monkeypatch.setattr(pdf_open, "MAX_CACHED_FONTS", fonts)
    many = _held_per_page(monkeypatch, _concatenated(src, COPIES, tmp_path / "many.pdf"), "pdfplumber")
    assert max(f for _, _, f in many) <= fonts


def test_page_of_each_character_of_the_joined_lines():
    lines = [TextLine(3, 700, "一般 公共"), TextLine(3, 720, "  "), TextLine(4, 80, "预算"),
             TextLine(5, 80, "")]
    text, pages = _joined(lines)
    assert text == "一般公共预算"
    assert len(pages) == 6 and [pages[i] for i in range(6)] == [3, 3, 3, 3, 4, 4]
    with pytest.raises(IndexError):
        pages[6]
    assert not _joined([TextLine(1, 0, " ")])[1]


def test_document_objects_are_compact():
    from conftest import imported

    doc = imported(need(RENDERED / "pdf_a" / f"{SEEDS[2]}.pdf"))
    cells = [c for t in doc.tables for r in t.rows for c in r.cells]
    # slotted: no per-object dictionary (a thousand-page document holds tens of thousands of cells)
    assert not any(hasattr(x, "__dict__") for x in (cells[0], doc.tables[0].rows[0], doc.tables[0], doc.lines[0]))
    # cells printing the same text share one string and one amount
    by_text: dict = {}
    for c in cells:
        by_text.setdefault(c.text, []).append(c)
    repeated = [same for same in by_text.values() if len(same) > 1 and same[0].value is not None]
    assert repeated
    for same in repeated:
        assert len({id(c.value) for c in same}) == 1 and len({id(c.text) for c in same}) == 1
