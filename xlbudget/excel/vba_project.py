"""A vbaProject.bin (MS-OVBA inside an OLE compound file) with our VBA modules, written
without Excel — for the ready-made workbook (:mod:`xlbudget.excel.build_workbook`).

The project is derived from a template project written by Excel (xlwings' quickstart): its
project information and references are kept byte for byte, its document modules (ThisWorkbook,
the sheets) and class modules keep their source, standard modules are replaced by ours. Every
module is stored as compressed source without a performance cache (``_VBA_PROJECT`` version
0xFFFF, as in xlwings' own template), so Excel compiles the source when the workbook is opened.

Reading needs ``olefile``, writing the compound file ``ms_cfb`` (both pure Python, imported
here only: building the workbook is a developer step, not a runtime one).
"""
from __future__ import annotations

import os
import re
import struct
import tempfile
from dataclasses import dataclass
from typing import Dict, List, Tuple

CHUNK = 4096  # MS-OVBA 2.4.1: compression works on chunks of 4096 decompressed bytes
MATCH_CANDIDATES = 64  # earlier positions tried per 3-byte prefix: enough for source text, keeps the build fast
CODEPAGE = "cp1252"  # the template project's code page (PROJECTCODEPAGE 1252); our VBA is ASCII
NO_CACHE = bytes.fromhex("cc61ffff000100")  # _VBA_PROJECT: Reserved1 0x61CC, Version 0xFFFF (no p-code cache), as in xlwings' template

MODULE_PROCEDURAL, MODULE_OTHER = 0x0021, 0x0022  # MODULETYPE: standard module / document or class module


# ---------------------------------------------------------------- compression (MS-OVBA 2.4.1)

def _bit_count(position: int) -> int:
    return max((position - 1).bit_length(), 4)


def compress(data: bytes) -> bytes:
    """MS-OVBA compressed container: greedy LZ77 within each 4096-byte chunk."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start:start + CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    heads: Dict[bytes, List[int]] = {}
    pos = 0
    while pos < len(chunk):
        flag_at, flag = len(body), 0
        body.append(0)
        for i in range(8):
            if pos >= len(chunk):
                break
            length, offset = _longest_match(chunk, pos, heads)
            if length >= 3:
                bits = _bit_count(pos)
                body += (((offset - 1) << (16 - bits)) | (length - 3)).to_bytes(2, "little")
                flag |= 1 << i
            else:
                length = 1
                body.append(chunk[pos])
            for k in range(pos, min(pos + length, len(chunk) - 2)):
                heads.setdefault(chunk[k:k + 3], []).append(k)
            pos += length
        body[flag_at] = flag
    if len(body) > CHUNK:  # never for text; a raw chunk would need padding to 4096 bytes
        raise ValueError("VBA source chunk does not compress")
    header = (len(body) + 2 - 3) | (0b011 << 12) | (1 << 15)
    return header.to_bytes(2, "little") + bytes(body)


def _longest_match(chunk: bytes, pos: int, heads: Dict[bytes, List[int]]) -> Tuple[int, int]:
    if pos == 0:
        return 0, 0
    limit = min((0xFFFF >> _bit_count(pos)) + 3, len(chunk) - pos)
    best, best_offset = 0, 0
    for cand in reversed(heads.get(chunk[pos:pos + 3], [])[-MATCH_CANDIDATES:]):
        n = 0
        while n < limit and chunk[cand + n] == chunk[pos + n]:
            n += 1
        if n > best:
            best, best_offset = n, pos - cand
            if n == limit:
                break
    return best, best_offset


def decompress(data: bytes) -> bytes:
    """The inverse of :func:`compress` (any MS-OVBA container, raw chunks included)."""
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = int.from_bytes(data[pos:pos + 2], "little")
        end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < end:
            flag = data[pos]
            pos += 1
            for i in range(8):
                if pos >= end:
                    break
                if flag & (1 << i):
                    token = int.from_bytes(data[pos:pos + 2], "little")
                    bits = _bit_count(len(out) - start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                    pos += 2
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# ---------------------------------------------------------------- the project

@dataclass
class Module:
    name: str
    source: str  # VBA source as Excel stores it: Attribute lines first, CRLF line ends
    kind: str  # "Document", "Class" or "Module" (as in the PROJECT stream)

    @property
    def type_id(self) -> int:
        return MODULE_PROCEDURAL if self.kind == "Module" else MODULE_OTHER


def _crlf(text: str) -> str:
    return re.sub(r"\r?\n", "\r\n", text)


def _record(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _split_dir(dir_stream: bytes) -> Tuple[bytes, List[Dict[str, object]]]:
    """(project information + references, verbatim; the module records read as dicts)."""
    pos = 0
    while True:
        rid = struct.unpack_from("<H", dir_stream, pos)[0]
        if rid == 0x000F:  # PROJECTMODULES
            break
        if rid == 0x0009:  # PROJECTVERSION: Reserved(4) = 4, then VersionMajor(4) + VersionMinor(2)
            pos += 12
            continue
        pos += 6 + struct.unpack_from("<I", dir_stream, pos + 2)[0]
    head = dir_stream[:pos]
    count = struct.unpack_from("<H", dir_stream, pos + 6)[0]
    pos += 8 + 8  # PROJECTMODULES and PROJECTCOOKIE
    modules: List[Dict[str, object]] = []
    for _ in range(count):
        mod: Dict[str, object] = {}
        while True:
            rid, size = struct.unpack_from("<HI", dir_stream, pos)
            data = dir_stream[pos + 6:pos + 6 + size]
            pos += 6 + size
            if rid == 0x0019:
                mod["name"] = data.decode(CODEPAGE)
            elif rid == 0x001A:
                mod["stream"] = data.decode(CODEPAGE)
            elif rid == 0x0031:
                mod["offset"] = struct.unpack("<I", data)[0]
            elif rid in (MODULE_PROCEDURAL, MODULE_OTHER):
                mod["type"] = rid
            elif rid == 0x002B:  # module terminator
                break
        modules.append(mod)
    return head, modules


def _module_records(modules: List[Module]) -> bytes:
    out = bytearray(struct.pack("<HIH", 0x000F, 2, len(modules)) + struct.pack("<HIH", 0x0013, 2, 0xFFFF))
    for m in modules:
        name, uname = m.name.encode(CODEPAGE), m.name.encode("utf-16-le")
        out += _record(0x0019, name) + _record(0x0047, uname)
        out += _record(0x001A, name) + _record(0x0032, uname)  # stream name (MBCS, then Unicode)
        out += _record(0x001C, b"") + _record(0x0048, b"")  # no doc string
        out += _record(0x0031, struct.pack("<I", 0))  # source at offset 0: no performance cache
        out += _record(0x001E, struct.pack("<I", 0))  # help context
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # cookie
        out += struct.pack("<HI", m.type_id, 0) + struct.pack("<HI", 0x002B, 0)
    out += struct.pack("<HI", 0x0010, 0)  # end of the dir stream
    return bytes(out)


def _project_text(template: str, modules: List[Module]) -> str:
    """The PROJECT stream: the template's lines (ID, Name, the protection triple CMG/DPB/GC that
    is encrypted with that ID, host extender) with our module list and workspace."""
    lines = template.replace("\r\n", "\n").split("\n")
    keep = [ln for ln in lines if not re.match(r"^(Document|Module|Class|BaseClass|Package)=", ln)]
    if "[Workspace]" in keep:
        keep = keep[: keep.index("[Workspace]")]
    while keep and keep[-1] == "":
        keep.pop()
    items = [f"Document={m.name}/&H00000000" if m.kind == "Document" else f"{m.kind}={m.name}" for m in modules]
    workspace = ["", "[Workspace]"] + [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return "\r\n".join(keep[:1] + items + keep[1:] + workspace) + "\r\n"


def _project_wm(modules: List[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(CODEPAGE) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def read_modules(vba_bin: bytes) -> Tuple[bytes, str, List[Module]]:
    """(dir head, PROJECT text, modules with their source) of a vbaProject.bin."""
    import io

    import olefile

    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    head, records = _split_dir(decompress(ole.openstream("VBA/dir").read()))
    text = ole.openstream("PROJECT").read().decode(CODEPAGE)
    kind_of = {name: kind for kind, name in re.findall(r"^(Document|Module|Class)=([^/\r\n]+)", text, re.M)}
    modules = []
    for r in records:
        raw = ole.openstream(f"VBA/{r['stream']}").read()
        source = decompress(raw[int(r.get("offset", 0)):]).decode(CODEPAGE)
        modules.append(Module(str(r["name"]), source, kind_of.get(str(r["name"]), "Module")))
    return head, text, modules


def build(template_bin: bytes, standard_modules: Dict[str, str], drop: Tuple[str, ...] = ()) -> bytes:
    """A vbaProject.bin: the template's document and class modules, then ``standard_modules``
    (name -> source; a template module of the same name is replaced); ``drop`` names template
    modules left out (xlwings' sample Module1)."""
    head, text, modules = read_modules(template_bin)
    kept = [m for m in modules if m.name not in standard_modules and m.name not in drop]
    ours = [Module(name, _crlf(src), "Module") for name, src in standard_modules.items()]
    for m in ours:
        m.source.encode(CODEPAGE)  # raises on text the project's code page cannot hold
        if f'Attribute VB_Name = "{m.name}"' not in m.source.split("\r\n", 1)[0]:
            raise ValueError(f"module {m.name}: the source must start with Attribute VB_Name = \"{m.name}\"")
    modules = kept + ours
    streams = {
        "PROJECT": _project_text(text, modules).encode(CODEPAGE),
        "PROJECTwm": _project_wm(modules),
        "VBA/_VBA_PROJECT": NO_CACHE,
        "VBA/dir": compress(head + _module_records(modules)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(_crlf(m.source).encode(CODEPAGE))
    return write_ole(streams)


def write_ole(streams: Dict[str, bytes]) -> bytes:
    """An OLE compound file holding ``streams`` (``"VBA/dir"``: stream dir in storage VBA)."""
    from ms_cfb.Models.Directories.root_directory import RootDirectory
    from ms_cfb.Models.Directories.storage_directory import StorageDirectory
    from ms_cfb.Models.Directories.stream_directory import StreamDirectory
    from ms_cfb.ole_file import OleFile

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # ms_cfb writes a scratch file (fatChain.bin) into the working directory
        try:
            root, storages = RootDirectory(), {}
            for k, (path, data) in enumerate(streams.items()):
                file = os.path.join(tmp, f"stream{k}.bin")
                with open(file, "wb") as f:
                    f.write(data)
                folder, _, name = path.rpartition("/")
                entry = StreamDirectory(name, file)
                if not folder:
                    root.add_directory(entry)
                    continue
                if folder not in storages:
                    storages[folder] = StorageDirectory(folder)
                storages[folder].add_directory(entry)
            for storage in storages.values():
                root.add_directory(storage)
            ole = OleFile()
            ole.root_directory = root
            out = os.path.join(tmp, "vbaProject.bin")
            ole.create_file(out)
            with open(out, "rb") as f:
                return f.read()
        finally:
            os.chdir(here)
