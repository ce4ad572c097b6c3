"""The layers hold: the pure core imports no adapter library, and each folder imports only the
layers under it. Every import is read statically (lazy imports inside functions included)."""
import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = Path(ROOT) / "xlbudget"

# the domain, at the top level of the package: no I/O library, no other layer
DOMAIN = {"model", "vocabulary", "catalogue", "subjects", "numbers", "codes", "text", "settings", "readers", "paths",
          "frames", "__init__"}

# layer -> the layers it may import (the domain is always allowed)
ALLOWED = {
    "domain": set(),
    "read": {"read"},
    "checks": {"checks"},
    "compare": {"compare"},
    "write": {"write", "checks", "compare"},
    "api": {"read", "checks", "compare", "write"},
    "batch": {"api", "read", "checks", "compare", "write"},
    "cli": {"api", "batch", "read", "checks", "compare", "write"},
    "__main__": {"cli"},
    "excel": {"excel", "api", "batch", "read", "checks", "compare", "write"},
}

# third-party libraries that only some layers may touch
LIBRARY_HOMES = {
    "pdfplumber": {"read.pdf"}, "pdfminer": {"read.pdf"}, "pypdfium2": {"read.pdf"},
    "openpyxl": {"write", "batch", "excel"},
    "xlwings": {"excel"},
    "tqdm": {"batch", "cli"},
    "pyarrow": {"write.facts"}, "duckdb": {"write.facts"},
    "dask": {"batch"}, "distributed": {"batch"},
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        yield ".".join(rel.parts), path


def _layer(module: str) -> str:
    head = module.split(".")[0]
    if head in DOMAIN:
        return "domain"
    return head


def _imports(path: Path):
    """(imported module, line) for every import statement, at any depth, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base == "xlbudget":  # from xlbudget import api, model
                for a in node.names:
                    yield f"xlbudget.{a.name}", node.lineno
            else:
                yield base, node.lineno


def test_every_import_respects_the_layers():
    wrong = []
    for module, path in _modules():
        layer = _layer(module)
        for name, line in _imports(path):
            top = name.split(".")[0]
            if top == "xlbudget":
                parts = name.split(".")[1:]
                if not parts or parts[0] == "__version__":
                    continue
                target = _layer(".".join(parts))
                if target not in ("domain", layer) and target not in ALLOWED[layer]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} ({layer}) imports {name} ({target})")
            elif top in LIBRARY_HOMES:
                homes = LIBRARY_HOMES[top]
                if not any(module == h or module.startswith(h) for h in homes):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {top}, allowed only in {sorted(homes)}")
    assert not wrong, "\n".join(wrong)


def test_the_layer_test_reads_lazy_imports():
    # the test above must see an import inside a function, or it holds nothing
    src = PACKAGE / "api.py"
    names = {n for n, _ in _imports(src)}
    assert "xlbudget.write.compare_sheets" in names  # imported inside compare_files()


def test_core_runs_without_pdf_excel_libraries():
    core = [m for m, _ in _modules() if _layer(m) in ("domain", "checks", "compare")
            or (_layer(m) == "read" and not m.startswith("read.pdf"))]
    code = (
        "import sys\n"
        "for m in ('pdfplumber', 'pdfminer', 'pypdfium2', 'openpyxl', 'xlwings', 'tqdm'):\n"
        "    sys.modules[m] = None  # any import of them fails\n"
        + "".join(f"import xlbudget.{m}\n" for m in core if not m.endswith("__init__"))
        + "from xlbudget.read.parse import build_document\n"
        "from xlbudget.read.raw import RawDocument, TextLine, Fragment\n"
        "f = Fragment(page=1, top=100, bottom=200, x0=50, x1=500, page_height=842, col_x=[50, 200, 350],\n"
        "             rows=[['科目编码', '科目名称', '合计'], ['201', '一般公共服务支出', '10.00'],\n"
        "                   ['20103', '政府办公厅（室）及相关机构事务', '10.00']])\n"
        "doc = build_document(RawDocument('x.pdf', 1, [TextLine(1, 80, '2024年预算支出总表'), f]))\n"
        "from xlbudget.checks import rules\n"
        "assert rules.check(doc) == [] and doc.tables[0].kind == 'b03'\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_the_command_line_starts_without_heavy_libraries():
    # `xlbudget --help` costs about a bare interpreter: the PDF, Excel, table and cluster libraries
    # (and the model itself) are imported by the commands that use them, never at start-up
    code = ("import sys, contextlib, io\n"
            "import xlbudget.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    xlbudget.cli.main(['--help'])  # the parser is built: every subcommand's options\n"
            "heavy = ('pdfplumber', 'pdfminer', 'pypdfium2', 'openpyxl', 'pandas', 'pyarrow', 'duckdb', 'dask',\n"
            "         'distributed', 'tqdm', 'xlwings', 'xlbudget.model', 'dataclasses')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
