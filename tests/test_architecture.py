"""The core (model, parsing, rules, comparison) imports no adapter library."""
import subprocess
import sys

from conftest import ROOT

CORE = ["vocabulary", "text", "model", "numbers", "codes", "classify", "diagnose", "raw", "stitch", "parse", "narrative", "rules", "perf", "compare"]


def test_core_runs_without_pdf_excel_libraries():
    code = (
        "import sys\n"
        "for m in ('pdfplumber', 'pdfminer', 'openpyxl', 'xlwings', 'tqdm'):\n"
        "    sys.modules[m] = None  # any import of them fails\n"
        + "".join(f"import xlbudget.{m}\n" for m in CORE)
        + "from xlbudget.parse import build_document\n"
        "from xlbudget.raw import RawDocument, TextLine, Fragment\n"
        "f = Fragment(page=1, top=100, bottom=200, x0=50, x1=500, page_height=842, col_x=[50, 200, 350],\n"
        "             rows=[['科目编码', '科目名称', '合计'], ['201', '一般公共服务支出', '10.00'],\n"
        "                   ['20103', '政府办公厅（室）及相关机构事务', '10.00']])\n"
        "doc = build_document(RawDocument('x.pdf', 1, [TextLine(1, 80, '2024年预算支出总表'), f]))\n"
        "from xlbudget import rules\n"
        "assert rules.check(doc) == [] and doc.tables[0].kind == 'b03'\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
