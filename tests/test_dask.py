"""batch --executor dask: a LocalCluster of 2 workers gives the process pool's outputs and
summary, and a worker lost mid-batch costs only its file, which is run again.

Seed 004 (新绛县人民政府办公室 2024 预算) holds 12 real errors and 收入总计 621.43 (truth JSON, table 一);
江苏省人大常委会办公厅 2019 预算 公开表三 p3 prints 基本支出 9,312.90."""
import pytest

from conftest import SHARED

pytest.importorskip("distributed")

FILES = {
    "seed004.pdf": SHARED / "corpus/rendered/pdf_a/004_d644b8a86bb20fe5.pdf",
    "seed002.pdf": SHARED / "corpus/rendered/pdf_a/002_b9fb704af29df045.pdf",
    "npc2019.pdf": SHARED / "corpus/real/jiangsu/江苏省人大办公厅/江苏省人大常委会办公厅2019年部门预算公开表.pdf",
}


def _summary(results):
    return [(r.file, r.status, r.department, r.year, r.kind, r.pages, r.totals, r.failed_checks, r.warnings)
            for r in results]


def test_a_local_cluster_survives_a_lost_worker(tmp_path, monkeypatch):
    from xlbudget.batch import EXIT_ONCE_ENV, run_batch
    from xlbudget.write.workbook import read_workbook

    if not all(p.exists() for p in FILES.values()):
        pytest.skip("../shared corpus not present")
    inp = tmp_path / "in"
    inp.mkdir()
    for name, src in FILES.items():
        (inp / name).symlink_to(src)
    marker = tmp_path / "worker-exited"
    # the worker converting seed004.pdf exits the first time (as a machine lost mid-batch)
    monkeypatch.setenv(EXIT_ONCE_ENV, f"seed004.pdf|{marker}")
    on_dask = run_batch(str(inp), str(tmp_path / "dask"), workers=2, progress=False, executor="dask",
                        facts=str(tmp_path / "facts.parquet"))
    assert marker.exists()  # a worker did exit during the batch
    assert [r.status for r in on_dask] == ["ok", "ok", "ok"]
    by_file = {r.file: r for r in on_dask}
    assert by_file["seed004.pdf"].failed_checks == 12
    assert float(by_file["seed004.pdf"].totals["收入总计"]) == 621.43
    assert float(by_file["npc2019.pdf"].totals["基本支出"]) == 9312.90
    assert read_workbook(str(tmp_path / "dask/seed004.xlsx")).department == by_file["seed004.pdf"].department
    assert (tmp_path / "dask/_summary.xlsx").exists()

    # the same batch on the local process pool: the same summary
    monkeypatch.delenv(EXIT_ONCE_ENV)
    on_pool = run_batch(str(inp), str(tmp_path / "pool"), workers=2, progress=False)
    assert _summary(on_dask) == _summary(on_pool)

    import pandas as pd

    files = pd.read_parquet(tmp_path / "facts.parquet/files")
    assert sorted(files.source) == sorted(FILES) and set(files.status) == {"ok"}


def test_an_unknown_executor_is_a_usage_error(tmp_path):
    from xlbudget.batch import run_batch
    from xlbudget.model import UsageError

    with pytest.raises(UsageError):
        run_batch(str(tmp_path), str(tmp_path / "out"), executor="spark")


def test_the_largest_files_start_first():
    # a pool that starts the big files last ends on one of them converting alone
    from xlbudget.batch import submission_order

    sizes = {"a.pdf": 90_000, "b.pdf": 1_200_000, "c.pdf": 300_000, "d.pdf": 300_000}
    assert submission_order(sorted(sizes), sizes.get) == ["b.pdf", "c.pdf", "d.pdf", "a.pdf"]


def test_the_command_line_runs_on_a_given_scheduler(tmp_path, capsys):
    from dask.distributed import LocalCluster

    from xlbudget.cli import main

    pdf = FILES["npc2019.pdf"]
    if not pdf.exists():
        pytest.skip("../shared corpus not present")
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "npc2019.pdf").symlink_to(pdf)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code = main(["batch", str(inp), "-o", str(tmp_path / "out"), "--no-progress", "--executor", "dask",
                     "--scheduler", cluster.scheduler_address, "--duckdb", str(tmp_path / "facts.duckdb")])
    assert code == 0, capsys.readouterr().err
    assert "1 files: 1 converted" in capsys.readouterr().out
    import duckdb

    con = duckdb.connect(str(tmp_path / "facts.duckdb"), read_only=True)
    # 公开表三 p3: 基本支出 9,312.90
    assert con.execute("SELECT value FROM subjects WHERE subject = '基本支出'").fetchall() == [(9312.90,)]
    con.close()


def test_a_scheduler_without_the_dask_executor_is_a_usage_error(tmp_path, capsys):
    from xlbudget.cli import main

    (tmp_path / "in").mkdir()
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--scheduler", "tcp://h:8786"]) == 2
    assert "--executor dask" in capsys.readouterr().err


def test_a_file_over_its_timeout_on_a_worker_is_reported_as_on_the_pool(tmp_path, monkeypatch):
    # a dask task runs in a worker thread, which no signal can stop: its worker process ends,
    # the file is run again elsewhere and reported as timed out, the other files convert
    from xlbudget.batch import HANG_ENV, TIMEOUT_MARK, run_batch

    if not FILES["npc2019.pdf"].exists():
        pytest.skip("../shared corpus not present")
    inp = tmp_path / "in"
    inp.mkdir()
    for name in ("hang.pdf", "ok.pdf"):
        (inp / name).symlink_to(FILES["npc2019.pdf"])
    monkeypatch.setenv(HANG_ENV, "hang.pdf")
    by = {r.file: r for r in run_batch(str(inp), str(tmp_path / "out"), workers=2, progress=False,
                                       executor="dask", timeout=20)}
    assert by["hang.pdf"].status == "timeout" and "timeout after 20 s" in by["hang.pdf"].error
    assert by["ok.pdf"].status == "ok" and float(by["ok.pdf"].totals["基本支出"]) == 9312.90
    assert not (tmp_path / "out" / "hang.xlsx").exists()
    assert not (tmp_path / "out" / ("hang.xlsx" + TIMEOUT_MARK)).exists()  # the mark is gone with its report
