"""Hostile-input corpus, generated (no committed binaries): ``python tests/hostile/make_corpus.py DIR``.

Every generator returns the bytes of one file; :func:`build` writes them all into a folder.
PDFs are built with reportlab or by hand (raw objects), so each case is exactly what its name says.
"""
from __future__ import annotations

import io
import random
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Optional

# a narrative sentence the claim extractor reads (基本支出 amount and share)
CLAIM_TEXT = "2024年部门支出预算中，基本支出297.89万元，占90.41%；项目支出31.61万元，占9.59%。"


def raw_pdf(pages: List[bytes], compress: bool = False, extra_objs: Optional[List[bytes]] = None,
            resources: bytes = b"/Font << /F1 3 0 R >>", media_box: bytes = b"0 0 595 842") -> bytes:
    """A PDF built object by object; ``pages`` are content streams (b"" for a blank page)."""
    objs: List[Optional[bytes]] = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
                                   b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objs += list(extra_objs or [])
    kids = []
    for content in pages:
        if compress:
            data = zlib.compress(content)
            objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        else:
            objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + b"] /Resources << " + resources
                    + b" >> /Contents %d 0 R >>" % len(objs))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    return _assemble(objs)


def _assemble(objs: List[bytes]) -> bytes:
    body, offs = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offs.append(len(body))
        body += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(body)


def reportlab_pdf(lines: List[str], encrypt=None, table: bool = True, blank_pages: int = 0,
                  font: str = "STSong-Light", scanned_pages: int = 0) -> bytes:
    """A one-page text PDF (CJK font) with an optional small ruled table; ``encrypt`` is a
    reportlab StandardEncryption or None."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), encrypt=encrypt)
    c.setFont(font, 10)
    y = 800
    for ln in lines:
        c.drawString(50, y, ln)
        y -= 16
    if table:
        rows = [["项目", "本年预算数"], ["基本支出", "297.89"], ["项目支出", "31.61"], ["合计", "329.50"]]
        top = y - 10
        for k, r in enumerate(rows):
            yy = top - 18 * k
            c.drawString(55, yy - 13, r[0])
            c.drawRightString(295, yy - 13, r[1])
        for k in range(len(rows) + 1):
            c.line(50, top - 18 * k, 300, top - 18 * k)
        for x in (50, 200, 300):
            c.line(x, top, x, top - 18 * len(rows))
    c.showPage()
    for _ in range(blank_pages):  # pages without anything on them
        c.showPage()
    for _ in range(scanned_pages):  # pages showing only an image: a scan without OCR
        from reportlab.lib.utils import ImageReader

        from fixtures.render_layouts import scan_png

        c.drawImage(ImageReader(io.BytesIO(scan_png())), 60, 300, width=400, height=240)
        c.showPage()
    c.save()
    return buf.getvalue()


def disclosure_pdf(encrypt=None, blank_pages: int = 0, scanned_pages: int = 0) -> bytes:
    return reportlab_pdf(["某某单位2024年部门预算公开", CLAIM_TEXT], encrypt=encrypt, blank_pages=blank_pages,
                         scanned_pages=scanned_pages)


# ----------------------------------------------------------------- the cases

def empty() -> bytes:
    return b""


def random_bytes() -> bytes:
    return random.Random(9).randbytes(8192)


def word_renamed() -> bytes:
    """A .docx (a zip) renamed .pdf."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><document>预算</document>')
    return buf.getvalue()


def truncated(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def broken_xref() -> bytes:
    """startxref points into the middle of an object and the xref table is garbage."""
    data = disclosure_pdf()
    i = data.rindex(b"startxref")
    x = data.rindex(b"xref", 0, i)
    return data[:x] + b"xref\n0 9\nGARBAGE GARBAGE\n" + b"trailer\n<< /Size 9 >>\nstartxref\n17\n%%EOF\n"


def encrypted_user() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption

    return disclosure_pdf(StandardEncryption("secret", ownerPassword="owner", strength=128))


OWNER_ONLY_LINES = ["Department budget 2024", "Basic expenditure 297.89", "Project expenditure 31.61"]


def owner_only_pdf(encrypted: bool = True) -> bytes:
    """No user password (opens without one), copying restricted by an owner password. Latin text
    in a standard font: pdfminer does not decrypt the strings inside font dictionaries, so an
    encrypted CID font (Chinese) would not decode; see the report of issue 9."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption("", ownerPassword="owner", canCopy=0, canModify=0, strength=128) if encrypted else None
    return reportlab_pdf(OWNER_ONLY_LINES, encrypt=enc, font="Helvetica", table=False)


def encrypted_owner_only() -> bytes:
    return owner_only_pdf()


def zero_pages() -> bytes:
    return _assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def image_only() -> bytes:
    """One page showing a 2x2 grey image: what a scan without OCR is."""
    img = b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8" \
          b" /Length 4 >>\nstream\n\x00\x80\x80\xff\nendstream"
    return raw_pdf([b"q 500 0 0 700 40 60 cm /Im1 Do Q"], extra_objs=[img],
                   resources=b"/XObject << /Im1 4 0 R >>")


def not_budget() -> bytes:
    return reportlab_pdf(["Lunch menu", "Soup of the day, bread, coffee.", "午餐菜单：米饭、青菜、汤。"], table=False)


def blank_pages(n: int = 2000) -> bytes:
    return raw_pdf([b""] * n)


def tiny_chars(n: int = 200_000) -> bytes:
    """One page holding ``n`` characters at 1 pt (small file, huge page)."""
    line = b"(" + b"x" * 500 + b") Tj T* "
    body = b"BT /F1 1 Tf 1 TL 10 830 Td " + line * (n // 500) + b"ET"
    return raw_pdf([body], compress=True)


def enormous_page() -> bytes:
    """A 200 x 200 inch page (14,400 pt, the largest a PDF allows) holding one line far inside."""
    return raw_pdf([b"BT /F1 12 Tf 7000 7000 Td (Budget 2024) Tj ET"], media_box=b"0 0 14400 14400")


def inline_image_flood(n: int = 200_000) -> bytes:
    """A 1 KB page whose content inflates to ``n`` "BI" (begin inline image) and no end: a
    backtracking scan of it is quadratic."""
    return raw_pdf([b"BT /F1 12 Tf 72 700 Td (hello) Tj ET\n" + b"BI " * n], compress=True)


def junk_before_header(data: bytes) -> bytes:
    """Bytes before %PDF (a BOM, a server's banner): every offset of the file shifts."""
    return b"\xef\xbb\xbfjunk\r\n" + data


def padded_after_eof(data: bytes, n: int = 5000) -> bytes:
    """NULs after %%EOF, as some servers pad downloads."""
    return data + b"\x00" * n


def bomb(megabytes: int = 300) -> bytes:
    """A content stream of a few hundred KB that inflates to ``megabytes`` MB of spaces."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = z.compress(b"BT /F1 12 Tf 72 712 Td (bomb) Tj ET\n")
    for _ in range(megabytes):
        data += z.compress(chunk)
    data += z.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents 5 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    return _assemble(objs)


def _spaces_deflated(megabytes: int, head: bytes = b"BT /F1 12 Tf 72 712 Td (bomb) Tj ET\n") -> bytes:
    """``head`` then ``megabytes`` MB of spaces, deflated (about 1 KB per MB)."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = z.compress(head)
    for _ in range(megabytes):
        data += z.compress(chunk)
    return data + z.flush()


def _page_pdf(contents: List[bytes], forms: List[bytes] = ()) -> bytes:
    """One page; ``contents`` and ``forms`` are whole stream objects. Objects: 1 catalog, 2 pages,
    3 font, 4 page, then the content streams, then the forms (form k is /Fm<k>; each form's
    resources name the next form, the page's name the first)."""
    first = 5 + len(contents)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >>"
            + (b" /XObject << /Fm0 %d 0 R >>" % first if forms else b"") + b" >> /Contents ["
            + b" ".join(b"%d 0 R" % (5 + k) for k in range(len(contents))) + b"] >>"]
    return _assemble(objs + list(contents) + list(forms))


def chain_bomb(megabytes: int = 300) -> bytes:
    """A content stream under /Filter [/ASCII85Decode /FlateDecode]: ~400 KB inflating to
    ``megabytes`` MB (the filter chain hid it from a check that only measured a lone FlateDecode)."""
    import base64

    data = base64.a85encode(_spaces_deflated(megabytes), adobe=False) + b"~>"
    return _page_pdf([b"<< /Length %d /Filter [/ASCII85Decode /FlateDecode] >>\nstream\n" % len(data)
                      + data + b"\nendstream"])


def nested_form_bomb(megabytes: int = 300, depth: int = 3) -> bytes:
    """The page draws /Fm0, which draws /Fm1 … ; the innermost form inflates to ``megabytes`` MB
    (only the forms listed on the page itself were measured)."""
    content = b"/Fm0 Do\n"
    page = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    first = 6
    forms = []
    for k in range(depth):
        if k < depth - 1:
            body, filt = b"/Fm%d Do\n" % (k + 1), b""
            res = b"/Resources << /Font << /F1 3 0 R >> /XObject << /Fm%d %d 0 R >> >>" % (k + 1, first + k + 1)
        else:
            body, filt = _spaces_deflated(megabytes), b" /Filter /FlateDecode"
            res = b"/Resources << /Font << /F1 3 0 R >> >>"
        forms.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] " + res + filt
                     + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    return _page_pdf([page], forms)


def many_streams_bomb(streams: int = 30, megabytes: int = 10) -> bytes:
    """One page of ``streams`` content streams, each under the per-stream size a single check
    would allow, together ``streams * megabytes`` MB."""
    one = _spaces_deflated(megabytes)
    return _page_pdf([b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(one) + one + b"\nendstream"]
                     * streams)


def lzw_encode(data: bytes) -> bytes:
    """PDF LZW (early change): codes of 9-12 bits, 256 clear, 257 end of data."""
    out, acc, nbits = bytearray(), 0, 0
    table = {bytes([i]): i for i in range(256)}
    width, nxt = 9, 258
    def put(code):
        nonlocal acc, nbits
        acc = (acc << width) | code; nbits += width
        while nbits >= 8:
            nbits -= 8; out.append((acc >> nbits) & 0xFF)
    put(256)
    w = b""
    for b in data:
        wc = w + bytes([b])
        if wc in table:
            w = wc; continue
        put(table[w])
        table[wc] = nxt; nxt += 1
        if nxt + 1 > (1 << width) and width < 12:
            width += 1
        if nxt >= 4094:
            put(256); table = {bytes([i]): i for i in range(256)}; width, nxt = 9, 258
        w = bytes([b])
    if w:
        put(table[w])
    put(257)
    if nbits:
        out.append((acc << (8 - nbits)) & 0xFF)
    return bytes(out)


def lzw_page(content: bytes) -> bytes:
    """One page whose content stream is LZW-encoded."""
    data = lzw_encode(content)
    return _page_pdf([b"<< /Length %d /Filter /LZWDecode >>\nstream\n" % len(data) + data + b"\nendstream"])


def unknown_filter() -> bytes:
    """A content stream under a filter no content stream uses (/RunLengthDecode): its size cannot
    be measured before decoding, so it is refused."""
    data = b"\x81 " * 1000 + b"\x80"  # run-length: 1000 runs of 128 spaces
    return _page_pdf([b"<< /Length %d /Filter /RunLengthDecode >>\nstream\n" % len(data) + data
                      + b"\nendstream"])


def ruled_grid(n: int = 200) -> bytes:
    """One page ruled into an n x n grid (lines only): table finding would run for minutes."""
    step = 800 / n
    ops = [b"0.1 w"]
    for k in range(n + 1):
        ops.append(b"%.2f 20 m %.2f 820 l S" % (20 + k * step * 0.7, 20 + k * step * 0.7))
        ops.append(b"20 %.2f m 580 %.2f l S" % (20 + k * step, 20 + k * step))
    ops.append(b"BT /F1 6 Tf 30 30 Td (grid) Tj ET")
    return raw_pdf([b"\n".join(ops)], compress=True)


CASES: Dict[str, Callable[[], bytes]] = {
    "empty.pdf": empty,
    "random.pdf": random_bytes,
    "word_renamed.pdf": word_renamed,
    "truncated_10.pdf": lambda: truncated(disclosure_pdf(), 0.10),
    "truncated_50.pdf": lambda: truncated(disclosure_pdf(), 0.50),
    "truncated_90.pdf": lambda: truncated(disclosure_pdf(), 0.90),
    "broken_xref.pdf": broken_xref,
    "encrypted_user.pdf": encrypted_user,
    "encrypted_owner_only.pdf": encrypted_owner_only,
    "zero_pages.pdf": zero_pages,
    "image_only.pdf": image_only,
    "not_budget.pdf": not_budget,
    "disclosure.pdf": disclosure_pdf,
    "inline_image_flood.pdf": inline_image_flood,
    "junk_before_header.pdf": lambda: junk_before_header(disclosure_pdf()),
    "padded_after_eof.pdf": lambda: padded_after_eof(disclosure_pdf()),
}
# the cases that are sound PDFs and must import
SOUND = {"disclosure.pdf", "junk_before_header.pdf", "padded_after_eof.pdf"}
# slow to build or to refuse: generated on demand by the tests that need them
HEAVY: Dict[str, Callable[[], bytes]] = {
    "blank_2000_pages.pdf": blank_pages,
    "tiny_chars_200k.pdf": tiny_chars,
    "bomb_300mb.pdf": bomb,
    "grid_200x200.pdf": ruled_grid,
    "chain_bomb_300mb.pdf": chain_bomb,
    "nested_form_bomb_300mb.pdf": nested_form_bomb,
    "many_streams_bomb_300mb.pdf": many_streams_bomb,
    "unknown_filter.pdf": unknown_filter,
}


def build(folder: str, heavy: bool = False) -> Dict[str, Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, gen in {**CASES, **(HEAVY if heavy else {})}.items():
        p = out / name
        p.write_bytes(gen())
        paths[name] = p
    return paths


if __name__ == "__main__":  # pragma: no cover
    for name, p in build(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus", heavy="--heavy" in sys.argv).items():
        print(f"{p.stat().st_size:>10}  {p}")


def owner_only_cjk() -> bytes:
    """An owner-password PDF (opens without a password) of a Chinese disclosure: pdfminer leaves the
    strings of the CID font encrypted, so every glyph reads as "(cid:N)"."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    return disclosure_pdf(StandardEncryption("", ownerPassword="owner", canCopy=0, strength=128))
