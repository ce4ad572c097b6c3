"""The ready-made macro workbook workbooks/xlbudget.xlsm (built by
``python -m xlbudget.excel.build_workbook``): a valid macro-enabled package, the xlwings config
sheet, VBA modules that read back with oletools, buttons assigned to macros that exist, and each
macro's RunPython target present in Python with a signature it can be called with."""
from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

xw = pytest.importorskip("xlwings")
olevba = pytest.importorskip("oletools.olevba")

BOOK = ROOT / "workbooks" / "xlbudget.xlsm"
BAS = ROOT / "macros" / "xlbudget.bas"
BUTTONS = {  # text on the button -> the macro it runs (what the brief asks for: Import PDF, Validate, Compare, Batch)
    "导入 PDF": "ChooseAndImportPdf",
    "校验": "Validate",
    "对比": "ChooseAndCompare",
    "批量转换": "ChooseAndBatchConvert",
}


@pytest.fixture(scope="module")
def parts():
    with zipfile.ZipFile(BOOK) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def modules():
    """Module name -> VBA source (Attribute lines included), read back from xl/vbaProject.bin by oletools."""
    parser = olevba.VBA_Parser(str(BOOK))
    try:
        assert parser.detect_vba_macros()
        return {Path(name).stem: code.replace("\r\n", "\n")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _subs(source: str) -> dict:
    """Sub name -> body."""
    return dict(re.findall(r"^(?:Public |Private )?Sub (\w+)\(\)\n(.*?)^End Sub", source, re.S | re.M))


# ---------------------------------------------------------------- the package

def test_the_workbook_is_a_macro_enabled_package(parts):
    types = parts["[Content_Types].xml"].decode()
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"' in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert re.search(r'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"', rels)
    assert parts["xl/vbaProject.bin"][:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file
    assert '<workbookPr codeName="ThisWorkbook"' in parts["xl/workbook.xml"].decode()


def test_the_vba_project_is_source_only(parts):
    """No compiled code to go stale: _VBA_PROJECT version 0xFFFF tells Excel to compile the source."""
    import io

    import olefile

    ole = olefile.OleFileIO(io.BytesIO(parts["xl/vbaProject.bin"]))
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:4] == bytes.fromhex("cc61ffff")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert re.findall(r"^Module=(\w+)", project, re.M) == ["xlwings", "xlbudget", "xlwings_udfs"]


def test_each_sheet_has_its_document_module(parts, modules):
    """Excel ties a sheet to the VBA project through its code name."""
    names = re.findall(r'codeName="(\w+)"', b"".join(v for k, v in parts.items() if k.startswith("xl/worksheets/sheet")).decode())
    assert sorted(names) == ["Sheet1", "Sheet2"]
    assert {"ThisWorkbook", "Sheet1", "Sheet2"} <= set(modules)


def test_the_config_sheet_names_the_udf_module():
    from openpyxl import load_workbook

    wb = load_workbook(BOOK, keep_vba=True)
    assert wb.sheetnames == ["开始", "xlwings.conf"]
    conf, settings, row = wb["xlwings.conf"], {}, 1
    while conf.cell(row=row, column=1).value:  # xlwings reads from A1 down to the first blank
        settings[conf.cell(row=row, column=1).value.upper()] = conf.cell(row=row, column=2).value
        row += 1
    assert settings == {"UDF MODULES": "xlbudget.excel.udfs", "DEBUG UDFS": False,
                        "USE UDF SERVER": False, "SHOW CONSOLE": False}
    assert importlib.import_module(settings["UDF MODULES"]).XLB_TABLE
    start = wb["开始"]
    assert "使用方法" in start["A3"].value and "启用内容" in start["A3"].value  # the paragraph in Chinese


# ---------------------------------------------------------------- VBA modules

def test_the_macros_module_is_the_bas_file(modules):
    assert modules["xlbudget"] == BAS.read_bytes().decode("ascii").replace("\r\n", "\n")


def test_the_xlwings_module_matches_the_pinned_xlwings(modules):
    version = re.search(r'XLWINGS_VERSION As String = "([\d.]+)"', modules["xlwings"]).group(1)
    # its DLL is named after the version: the excel extra must install that very xlwings
    assert f'"xlwings=={version}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_every_udf_has_its_wrapper(modules):
    from xlbudget.excel.build_workbook import load_udfs_as_on_windows

    mod = load_udfs_as_on_windows()
    udfs = sorted(f.__xlfunc__["name"] for f in vars(mod).values() if hasattr(f, "__xlfunc__") and not f.__xlfunc__["sub"])
    assert {"XLB_TABLE", "XLB_FINDINGS", "XLB_CHECKS", "XLB_SUMCHECK"} <= set(udfs)
    wrappers = modules["xlwings_udfs"]
    for name in udfs:
        assert re.search(rf'^Function {name}\(.*\n(.*\n)*?.*XLPy\.CallUDF\("xlbudget\.excel\.udfs", "{name}"', wrappers, re.M), name
    assert mod.XLB_TABLE.__xlfunc__["async_mode"] == "threading"  # the slow ones do not block Excel
    assert mod.XLB_TABLE.__xlfunc__["ret"]["options"]["index"] is False


def test_the_wrappers_are_those_xlwings_generates_today(modules):
    version = re.search(r'XLWINGS_VERSION As String = "([\d.]+)"', modules["xlwings"]).group(1)
    if xw.__version__ != version:
        pytest.skip(f"workbook built with xlwings {version}, {xw.__version__} installed")
    from xlbudget.excel.build_workbook import udf_wrappers

    assert modules["xlwings_udfs"] == udf_wrappers(), "stale workbook: python -m xlbudget.excel.build_workbook"


# ---------------------------------------------------------------- buttons and their Python targets

def test_the_start_sheet_has_the_four_buttons(parts):
    drawing = parts["xl/drawings/drawing1.xml"].decode()
    found = dict(re.findall(r'<xdr:sp macro="\[0\]!(\w+)".*?<a:t>([^<]+)</a:t>', drawing))
    assert {text: macro for macro, text in found.items()} == BUTTONS
    rels = parts["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    assert 'Target="../drawings/drawing1.xml"' in rels and "rIdButtons" in parts["xl/worksheets/sheet1.xml"].decode()
    assert 'PartName="/xl/drawings/drawing1.xml"' in parts["[Content_Types].xml"].decode()


def _runpython_targets(modules, macro, seen=None):
    """The Python commands a macro runs, following calls to the other Subs of the module."""
    subs = _subs(modules["xlbudget"])
    seen = set() if seen is None else seen
    seen.add(macro)
    body = subs[macro]
    out = re.findall(r'RunPython "([^"]+)"', body)
    for other in subs:
        if other not in seen and re.search(rf"^\s*{other}\s*$", body, re.M):
            out += _runpython_targets(modules, other, seen)
    return out


def _python_callable(command):
    """``import m as u; u.f()`` -> m.f; ``u.run_macro('mod', 'func')`` -> what run_macro calls."""
    m = re.fullmatch(r"import ([\w.]+) as (\w+); \2\.(\w+)\((.*)\)", command)
    assert m, command
    module, func, args = importlib.import_module(m.group(1)), m.group(3), m.group(4)
    if func == "run_macro":
        target_mod, target = re.fullmatch(r"'([\w.]+)', '(\w+)'", args).groups()
        mod = importlib.import_module(target_mod)
        f = getattr(mod, target + "_caller", None) or getattr(mod, target)
        return f
    assert args == ""
    return getattr(module, func)


@pytest.mark.parametrize("macro", sorted(BUTTONS.values()))
def test_each_button_runs_python_that_exists(modules, macro):
    assert macro in _subs(modules["xlbudget"])
    commands = _runpython_targets(modules, macro)
    assert commands, f"{macro} runs no Python"
    for command in commands:
        f = _python_callable(command)
        params = inspect.signature(f).parameters.values()
        required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert required == [], f"{command}: {f.__name__} needs {required}"  # RunPython passes nothing


def test_button_targets_are_the_documented_functions(modules):
    from xlbudget.excel import macros, udfs

    assert _python_callable(_runpython_targets(modules, "ChooseAndImportPdf")[0]) is udfs.import_pdf_to_active_caller
    assert _python_callable(_runpython_targets(modules, "Validate")[0]) is macros.validate_workbook_caller
    assert _python_callable(_runpython_targets(modules, "ChooseAndCompare")[0]) is macros.compare_workbooks_caller
    assert _python_callable(_runpython_targets(modules, "ChooseAndBatchConvert")[0]) is macros.batch_convert_caller


# ---------------------------------------------------------------- the Validate button's choice (plain Python)

def test_validate_checks_the_saved_workbook_once_it_holds_tables(tmp_path):
    from xlbudget.excel.macros import validate_source

    book = str(tmp_path / "xlbudget.xlsm")
    assert validate_source(book, ["开始", "元数据", "预算支出总表"], '="D:\\a.pdf"') == book


def test_validate_falls_back_to_the_pdf_named_xlb_pdf(tmp_path):
    from xlbudget.excel.macros import validate_source

    pdf = tmp_path / "a.pdf"
    assert validate_source(str(tmp_path / "x.xlsm"), ["开始", "xlwings.conf"], f'="{pdf}"') == str(pdf)
    assert validate_source(None, ["元数据"], "a.pdf", str(tmp_path)) == str(pdf)


def test_validate_without_anything_says_to_import_first():
    from xlbudget.excel.macros import validate_source
    from xlbudget.model import XlbudgetError

    with pytest.raises(XlbudgetError, match="import a PDF first"):
        validate_source("C:/b.xlsm", ["开始", "xlwings.conf"], None)


# ---------------------------------------------------------------- the VBA writer

@pytest.mark.parametrize("data", [b"", b"A", b"abc" * 3, b"x" * 10_000, bytes(range(256)) * 40,
                                  b"Attribute VB_Name = \"m\"\r\nSub A()\r\nEnd Sub\r\n" * 300],
                         ids=["empty", "one", "short", "run", "binary", "source"])
def test_compressed_streams_decompress_with_oletools(data):
    from xlbudget.excel import vba_project

    packed = vba_project.compress(data)
    assert olevba.decompress_stream(bytearray(packed)) == data
    assert vba_project.decompress(packed) == data


def test_a_rebuild_gives_the_same_modules(tmp_path, modules):
    pytest.importorskip("ms_cfb")
    from xlbudget.excel import build_workbook

    if xw.__version__ != re.search(r'XLWINGS_VERSION As String = "([\d.]+)"', modules["xlwings"]).group(1):
        pytest.skip("another xlwings than the workbook's")
    out = build_workbook.build(tmp_path / "again.xlsm")
    parser = olevba.VBA_Parser(str(out))
    try:
        again = {Path(n).stem: c.replace("\r\n", "\n") for _, _, n, c in parser.extract_macros()}
    finally:
        parser.close()
    assert again == modules


@pytest.mark.libreoffice
def test_libreoffice_reads_the_vba_project_and_the_button_macros(tmp_path):
    """A second reader: LibreOffice imports the VBA modules and binds each button to its Sub."""
    from xlbudget.write import recalc

    soffice = recalc.find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    src = tmp_path / "xlbudget.xlsm"
    shutil.copy(BOOK, src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, timeout=300, check=True)
    with zipfile.ZipFile(tmp_path / "xlbudget.ods") as z:
        names = set(z.namelist())
        content = z.read("content.xml").decode()
        macros = z.read("Basic/VBAProject/xlbudget.xml").decode()
    assert {"Basic/VBAProject/xlwings.xml", "Basic/VBAProject/xlwings_udfs.xml"} <= names
    for macro in BUTTONS.values():
        assert f"vnd.sun.star.script:VBAProject.xlbudget.{macro}?" in content
        assert f"Sub {macro}()" in macros


def test_validate_reads_back_what_the_import_macro_wrote(tmp_path):
    """The 校验 button on a saved workbook after 导入 PDF: the sheets the import macro writes (here
    through openpyxl, with Excel's handling of a leading apostrophe: a text prefix, not a character)
    read back, and the table errors of seed 004 are found again."""
    from conftest import RENDERED, need
    from openpyxl import Workbook

    from xlbudget.excel import udfs
    from xlbudget.excel.macros import validate_rows, validate_source

    pdf = need(RENDERED / "pdf_a" / "004_d644b8a86bb20fe5.pdf")
    wb = Workbook()
    wb.active.title = "开始"
    wb.create_sheet("xlwings.conf")
    for name, rows in udfs.document_sheets(udfs.load_document(pdf)).items():
        ws = wb.create_sheet(name)
        for row in udfs.excel_values(rows, formulas=(name == "校验")):
            ws.append([v[1:] if isinstance(v, str) and v.startswith("'") else v for v in row])
    book = tmp_path / "xlbudget.xlsx"
    wb.save(book)
    rows = validate_rows(validate_source(str(book), wb.sheetnames))
    errors = [r for r in rows[1:] if r[1] == "error"]
    assert len(errors) == 12  # seed 004's 12 real errors
    assert sorted(r[2] for r in errors) == sorted(r[2] for r in udfs.run_checks(pdf)[1:] if r[1] == "error")
    assert any("139.75" in r[2] and "141.75" in r[2] for r in errors)  # 201 项目支出 139.75 ≠ 141.75
