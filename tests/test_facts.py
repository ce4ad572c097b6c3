"""The fact store of a batch (--facts folder.parquet, --duckdb file.duckdb): the queries of the
README run on a batch of three real disclosures and give the figures printed in the PDFs.

江苏省人大常委会办公厅 2018 预算 公开09表 p15: “三公”经费 小计 833.60; 2019 预算 公开表九 p9: 767.60.
上海市普陀区规划和自然资源局 2024 决算 财政拨款“三公”经费支出决算表 p17: 合计 决算数 0.39; its
narrative (p24) quotes 基本支出 5,377.64 and 人员经费 4,896.98 where the tables print 5,364.75 and
4,884.09 (two NARR warnings)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SHARED

pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

NPC = SHARED / "corpus/real/jiangsu/江苏省人大办公厅"
FILES = {
    "npc2018.pdf": NPC / "省人大办公厅2018预算公开.pdf",
    "npc2019.pdf": NPC / "江苏省人大常委会办公厅2019年部门预算公开表.pdf",
    "putuo2024.pdf": SHARED / "corpus/real/shanghai/上海市普陀区规划和自然资源局 2024 年度部门决算.pdf",
}
SANGONG = {("江苏省人大常委会办公厅", 2018): 833.60, ("江苏省人大常委会办公厅", 2019): 767.60,
           ("上海市普陀区规划和自然资源局", 2024): 0.39}


def _inputs(folder):
    if not all(p.exists() for p in FILES.values()):
        pytest.skip("../shared corpus not present")
    folder.mkdir()
    for name, src in FILES.items():
        (folder / name).symlink_to(src)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from xlbudget.batch import run_batch

    tmp = tmp_path_factory.mktemp("facts")
    inp = _inputs(tmp / "in")
    results = run_batch(str(inp), str(tmp / "out"), workers=2, progress=False,
                        facts=str(tmp / "facts.parquet"), duckdb=str(tmp / "facts.duckdb"))
    return tmp, results


# the README's queries, as a user runs them
def sangong_by_year_pandas(folder):
    s = pd.read_parquet(f"{folder}/subjects")
    return s[s.subject == "三公经费"].pivot_table(index="department", columns="year", values="value")


SANGONG_SQL = """SELECT department, year, doc_kind, value AS sangong
FROM subjects WHERE subject = '三公经费' ORDER BY department, year"""
FAILED_SQL = """SELECT rule_id, severity, count(*) AS n, count(DISTINCT source) AS files
FROM findings WHERE kind = 'check' GROUP BY rule_id, severity ORDER BY n DESC"""


def test_every_file_converted_and_hashed(batch):
    tmp, results = batch
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    files = pd.read_parquet(tmp / "facts.parquet/files")
    assert sorted(files.source) == sorted(FILES)
    assert all(len(h) == 64 for h in files.sha256)


def test_every_row_carries_the_hash_of_its_file(batch):
    import hashlib

    tmp, _ = batch
    want = {name: hashlib.sha256(src.read_bytes()).hexdigest() for name, src in FILES.items()}
    for table in ("facts", "findings", "subjects", "files"):
        rows = pd.read_parquet(tmp / "facts.parquet" / table)
        assert len(rows) and {(r.source, r.sha256) for r in rows.itertuples()} <= set(want.items()), table


def test_sangong_by_year_with_pandas(batch):
    tmp, _ = batch
    table = sangong_by_year_pandas(tmp / "facts.parquet")
    got = {(d, y): table.loc[d, y] for d, y in SANGONG}
    assert got == SANGONG


def test_sangong_by_year_with_duckdb_sql(batch):
    tmp, _ = batch
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    rows = con.execute(SANGONG_SQL).fetchall()
    con.close()
    assert {(d, y): v for d, y, _, v in rows} == SANGONG
    # the same SQL over the Parquet folder
    over_parquet = SANGONG_SQL.replace("FROM subjects", f"FROM read_parquet('{tmp}/facts.parquet/subjects/*.parquet')")
    assert duckdb.sql(over_parquet).fetchall() == rows


def test_failed_checks_by_rule(batch):
    tmp, _ = batch
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    by_rule = {r[0]: r[1:] for r in con.execute(FAILED_SQL).fetchall()}
    # the two misquotes of the 规划 决算; the template's 增加（减少） left in (13 in npc2018, pp19–29; 1 in
    # 规划 p25 下降（增长）); 规划 p26 "规划与自然资源局"; npc2018's 目录 title of 政府性基金 (p2 vs p15);
    # npc2019's 政府性基金 table printed empty without a statement (p10)
    assert by_rule == {"NARR.amount": ("warning", 2, 1), "WORDING.template-alternative": ("warning", 14, 2),
                       "CONSIST.department": ("warning", 1, 1), "COMPLETE.contents-title": ("warning", 1, 1),
                       "COMPLETE.empty-table": ("warning", 1, 1)}
    messages = [m for (m,) in con.execute("SELECT message FROM findings WHERE rule_id = 'NARR.amount' ORDER BY page")
                .fetchall()]
    con.close()
    assert "5,377.64" in messages[0] and "5,364.75" in messages[0]
    assert "4,896.98" in messages[1] and "4,884.09" in messages[1]
    f = pd.read_parquet(tmp / "facts.parquet/findings")
    by_rule = f[f.kind == "check"].groupby(["rule_id", "severity"]).size()
    assert by_rule.to_dict()[("NARR.amount", "warning")] == 2 and by_rule.sum() == 19


def test_a_finding_says_the_family_of_its_rule(batch):
    tmp, _ = batch
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    families = dict(con.execute("SELECT DISTINCT rule_id, family FROM findings WHERE kind = 'check'").fetchall())
    doubts = {r for (r,) in con.execute("SELECT DISTINCT family FROM findings WHERE kind = 'extraction'").fetchall()}
    con.close()
    assert families == {"NARR.amount": "narrative", "WORDING.template-alternative": "wording",
                        "CONSIST.department": "consistency", "COMPLETE.contents-title": "completeness",
                        "COMPLETE.empty-table": "completeness"}
    assert doubts <= {"extraction"}


def test_a_value_fact_says_where_it_was_printed(batch):
    tmp, _ = batch
    facts = pd.read_parquet(tmp / "facts.parquet/facts")
    row = facts[(facts.source == "npc2018.pdf") & (facts.table_kind == "b10") & (facts.column == "“三公”经费/小计")]
    assert row[["value", "text", "page", "unit", "year"]].values.tolist() == [[833.60, "833.60", 15, "万元", 2018]]
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == len(facts)
    con.close()


def test_a_second_run_replaces_a_files_rows(batch):
    from xlbudget.batch import run_batch

    tmp, _ = batch
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    before = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    con.close()
    results = run_batch(str(tmp / "in"), str(tmp / "out"), workers=1, progress=False,
                        facts=str(tmp / "facts.parquet"), duckdb=str(tmp / "facts.duckdb"))
    assert [r.status for r in results] == ["skipped"] * 3  # read back from the workbooks
    con = duckdb.connect(str(tmp / "facts.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == before
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 3
    con.close()
    assert len(pd.read_parquet(tmp / "facts.parquet/files")) == 3
    assert sangong_by_year_pandas(tmp / "facts.parquet").loc["江苏省人大常委会办公厅", 2019] == 767.60


def test_summary_as_a_frame(batch):
    from xlbudget.frames import summary_frame

    _, results = batch
    s = summary_frame(results).set_index("file")
    assert s.loc["putuo2024.pdf", "department"] == "上海市普陀区规划和自然资源局"
    assert s.loc["putuo2024.pdf", "warnings"] == 4  # 2 NARR misquotes, CONSIST.department, WORDING (p24–26)
    assert s.loc["npc2019.pdf", "基本支出"] == 9312.90  # 2019 支出预算总表 p3
    assert s.loc["npc2019.pdf", "pages"] == 13


def test_an_interrupted_batch_keeps_the_files_it_finished(tmp_path):
    inp = _inputs(tmp_path / "in")
    store = tmp_path / "facts.parquet"
    p = subprocess.Popen([sys.executable, "-m", "xlbudget", "batch", str(inp), "-o", str(tmp_path / "out"), "-j1",
                          "--no-progress", "--facts", str(store)], cwd=ROOT, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = store / "files"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and p.poll() is None and not list(done.glob("*.parquet")):
            time.sleep(0.2)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # the batch and its worker, mid-way
        p.wait()
    files = pd.read_parquet(done)
    assert len(files) >= 1 and set(files.status) == {"ok"}
    facts = pd.read_parquet(store / "facts")  # complete files only: no half-written one breaks the read
    # a file's ``files`` row is written after its other tables: every file listed has its values
    # (the file being stored at the kill may have its values and not yet its row)
    assert set(files.source) <= set(facts.source)


def test_a_file_that_fails_is_a_row_of_files_and_has_no_values(tmp_path):
    from xlbudget.batch import run_batch

    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "notes.pdf").write_bytes(b"these are notes, not a PDF")
    results = run_batch(str(inp), str(tmp_path / "out"), workers=1, progress=False,
                        duckdb=str(tmp_path / "facts.duckdb"))
    assert [r.status for r in results] == ["error"]
    con = duckdb.connect(str(tmp_path / "facts.duckdb"), read_only=True)
    rows = con.execute("SELECT source, status, error FROM files").fetchall()
    assert [(s, st) for s, st, _ in rows] == [("notes.pdf", "error")] and "notes.pdf" in rows[0][2]
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
    con.close()


def test_a_fact_store_that_cannot_be_written_is_a_clear_error_before_any_file(tmp_path, capsys):
    from xlbudget.cli import main

    (tmp_path / "in").mkdir()
    (tmp_path / "not-a-database.duckdb").write_text("notes")
    for store in (["--duckdb", str(tmp_path / "missing-folder/facts.duckdb")],
                  ["--duckdb", str(tmp_path / "not-a-database.duckdb")],
                  ["--facts", str(tmp_path / "not-a-database.duckdb")]):
        assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress", *store]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("xlbudget: error: cannot ") and store[1] in err[0]
