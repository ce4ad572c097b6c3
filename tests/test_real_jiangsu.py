"""Real Jiangsu disclosures (2017-2019): every PDF imports; the 收支预算总表 matches the CSV."""
import csv
import re
from decimal import Decimal as D

import pytest

from conftest import REAL, imported, need
from xlbudget.checks import rules

PDFS = sorted(REAL.glob("*/*.pdf")) if REAL.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_real_pdf_imports(pdf):
    doc = imported(pdf)
    assert doc.year in (2017, 2018, 2019)
    assert doc.kind == "预算"
    if doc.tables:  # the narrative-only files (…公开文件.pdf) have claims instead
        assert doc.table("b01") is not None or doc.table("b03") is not None
        # the unit is read, never assumed: a file that prints none says so
        assert doc.unit == "万元" or any("unit" in w for w in doc.warnings)
    else:
        assert doc.claims
    ctx, checks, findings = rules.run(doc)
    if doc.tables:
        assert len(checks) >= 15, "the standard tables are recognised and checked"
    # these published tables are internally consistent: no check may fail on them
    assert [f.message for f in findings if f.severity == "error"] == []


def _label(text):
    t = "".join(text.split())
    return re.sub(r"^([一二三四五六七八九十]+、|\d+[.．、])", "", t)


def b01_values(doc):
    out = {}
    for t in doc.tables_of("b01"):
        for r in t.rows:
            for j, c in enumerate(r.cells):
                lab = _label(c.text)
                if not lab or c.value is not None:
                    continue
                for k in range(j + 1, len(r.cells)):
                    if r.cells[k].value is not None:
                        out.setdefault(lab, r.cells[k].value)
                        break
                    if r.cells[k].text.strip():
                        break
    return out


CASES = []
for dept_dir in sorted(REAL.glob("*")) if REAL.exists() else []:
    f = dept_dir / "收支预算总表.csv"
    if f.exists() and f.stat().st_size > 10:
        for row in csv.DictReader(f.open(encoding="utf-8")):
            CASES.append((dept_dir.name, int(row[""][:4]), {k: v for k, v in row.items() if k and v}))


@pytest.mark.slow
@pytest.mark.parametrize("dept,year,expected", CASES, ids=[f"{d}-{y}" for d, y, _ in CASES])
def test_summary_table_matches_csv(dept, year, expected):
    docs = [imported(p) for p in sorted((REAL / dept).glob("*.pdf")) if str(year) in p.name]
    docs = [d for d in docs if d.table("b01")]
    assert docs, f"no 收支预算总表 imported for {dept} {year}"
    values = b01_values(docs[0])
    checked = 0
    for name, v in expected.items():
        if name in values:
            assert values[name] == D(v).quantize(values[name]) or values[name] == D(v), (name, values[name], v)
            checked += 1
    assert checked >= 5, (sorted(values), expected)


@pytest.mark.slow
def test_narrative_claims_of_real_disclosures_agree_with_their_tables():
    # 检察院 2019: the narrative and the tables are in one PDF; every claim that names a table
    # figure (基本支出, 类/款/项 items, 三公, 机关运行经费 …) is found in the tables
    doc = imported(need(REAL / "江苏省人民检察院" / "2019年度部门预算公开.pdf"))
    ctx, checks, findings = rules.run(doc)
    targets = rules.claim_targets(ctx)
    checkable = [c for c in doc.claims if c.subject in targets and not c.scope]
    assert len(checkable) >= 20
    assert not [f for f in findings if f.id in ("NARR.amount", "NARR.share")]
    c = next(c for c in doc.claims if c.subject == "科目:住房公积金")
    assert c.amount == D("1442.74")
    assert c.amount in {ctx.value(ref) for ref, _ in targets["科目:住房公积金"]}


@pytest.mark.slow
def test_department_read_from_the_narrative_when_the_cover_is_an_image():
    # 政协 2019: the cover is a picture; the narrative opens its sentences with the name
    doc = imported(need(REAL / "江苏省政协办公厅" / "江苏省政协办公厅2019年度部门预算.pdf"))
    assert doc.department == "江苏省政协办公厅"
    assert not [f for f in doc.diagnostics if f.id == "EXTRACT.no-department"]
