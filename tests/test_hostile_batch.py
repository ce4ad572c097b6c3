"""Batch robustness: name clashes, stale or broken outputs, a file that hangs, the summary."""
from __future__ import annotations

import os
import time

import openpyxl

from hostile import make_corpus as mc
from xlbudget.batch import ERROR, OK, SKIPPED, SUMMARY_NAME, TIMEOUT, run_batch


def statuses(out):
    ws = openpyxl.load_workbook(out / SUMMARY_NAME).worksheets[0]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_a_pdf_and_A_PDF_never_write_the_same_workbook(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.pdf").write_bytes(mc.disclosure_pdf())
    (src / "a.PDF").write_bytes(mc.disclosure_pdf())
    (src / "b.pdf").write_bytes(mc.disclosure_pdf())
    by = {r.file: r for r in run_batch(str(src), str(out), workers=1, progress=False)}
    assert by["a.pdf"].status == ERROR and by["a.PDF"].status == ERROR
    assert "would both write a.xlsx" in by["a.pdf"].error and "a.PDF" in by["a.pdf"].error
    assert by["b.pdf"].status == OK
    assert not (out / "a.xlsx").exists() and (out / "b.xlsx").is_file()
    assert statuses(out) == {"a.PDF": "error", "a.pdf": "error", "b.pdf": "ok"}


def test_a_broken_or_stale_output_is_rebuilt_not_skipped(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "a.pdf").write_bytes(mc.disclosure_pdf())
    (src / "b.pdf").write_bytes(mc.disclosure_pdf())
    (out / "a.xlsx").write_bytes(b"half a workbook, left by a killed run")  # newer than its PDF, unreadable
    first = {r.file: r for r in run_batch(str(src), str(out), workers=1, progress=False)}
    assert first["a.pdf"].status == OK and first["b.pdf"].status == OK
    openpyxl.load_workbook(out / "a.xlsx")
    again = {r.file: r for r in run_batch(str(src), str(out), workers=1, progress=False)}
    assert again["a.pdf"].status == SKIPPED
    past = time.time() - 3600
    os.utime(out / "b.xlsx", (past, past))  # the PDF is newer than its workbook
    third = {r.file: r for r in run_batch(str(src), str(out), workers=1, progress=False)}
    assert third["b.pdf"].status == OK and third["a.pdf"].status == SKIPPED


def test_a_hanging_file_times_out_and_the_batch_goes_on(tmp_path, monkeypatch):
    import xlbudget.read.importer as importer

    real = importer.import_pdf

    def slow_for_hang(path, *settings):  # the workers are forked: they see this patch
        if os.path.basename(path).startswith("hang"):
            time.sleep(60)
        return real(path, *settings)

    monkeypatch.setattr(importer, "import_pdf", slow_for_hang)
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "hang.pdf").write_bytes(mc.disclosure_pdf())
    (src / "ok.pdf").write_bytes(mc.disclosure_pdf())
    t0 = time.monotonic()
    by = {r.file: r for r in run_batch(str(src), str(out), workers=2, progress=False, timeout=3)}
    assert time.monotonic() - t0 < 40
    assert by["hang.pdf"].status == TIMEOUT and "timeout after 3 s" in by["hang.pdf"].error
    assert by["ok.pdf"].status == OK
    assert not (out / "hang.xlsx").exists()
    assert statuses(out) == {"hang.pdf": "timeout", "ok.pdf": "ok"}


def test_summary_lists_every_file_even_when_all_fail(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    broken = {n: gen for n, gen in mc.CASES.items() if n not in mc.SOUND}
    for name, gen in broken.items():
        (src / name).write_bytes(gen())
    (src / "readme.txt").write_text("not a PDF: not listed")
    results = run_batch(str(src), str(out), workers=2, progress=False)
    assert len(results) == len(broken)
    got = statuses(out)
    assert set(got) == set(broken)
    # only the owner-password file opens; it holds no disclosure
    assert set(got.values()) == {"error"}, got
    assert not [p for p in out.iterdir() if p.name != SUMMARY_NAME]


def test_read_only_output_folder(tmp_path, capsys):
    import pytest

    from xlbudget.cli import main

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    (src / "a.pdf").write_bytes(mc.disclosure_pdf())
    out.chmod(0o555)
    try:
        assert main(["batch", str(src), "-o", str(out), "--no-progress"]) == 2
        assert "not writable" in capsys.readouterr().err
    finally:
        out.chmod(0o755)


def test_temp_files_of_a_killed_run_are_cleaned_up(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (out / "sub").mkdir(parents=True)
    old, fresh = out / "sub" / ".xlbudget-abc123.xlsx", out / ".xlbudget-def456.xlsx"
    old.write_bytes(b"half")
    fresh.write_bytes(b"being written by a batch running alongside")
    past = time.time() - 7 * 3600
    os.utime(old, (past, past))
    assert run_batch(str(src), str(out), progress=False) == []
    assert not old.exists() and fresh.exists()


def test_workers_die_with_a_killed_batch(tmp_path):
    import signal
    import subprocess
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.pdf").write_bytes(mc.disclosure_pdf())
    code = ("import time, xlbudget.read.importer as i\n"
            "i.import_pdf = lambda p, *settings: time.sleep(120)\n"
            "from xlbudget.batch import run_batch\n"
            f"run_batch({str(src)!r}, {str(out)!r}, workers=1, progress=False)\n")
    parent = subprocess.Popen([sys.executable, "-c", code])
    children: list = []
    t0 = time.monotonic()
    while not children and time.monotonic() - t0 < 30:
        time.sleep(0.5)
        try:
            children = open(f"/proc/{parent.pid}/task/{parent.pid}/children").read().split()
        except OSError:
            break
    assert children, "no worker started"
    time.sleep(1.0)  # the worker is in the hanging import
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    t0 = time.monotonic()
    alive = children
    while alive and time.monotonic() - t0 < 10:
        time.sleep(0.2)
        alive = [c for c in children if os.path.exists(f"/proc/{c}")
                 and "Z" not in open(f"/proc/{c}/stat").read().split(")")[-1].split()[:1]]
    assert not alive
    assert not (out / "a.xlsx").exists()


def test_cli_batch_with_a_timeout_exits_2(tmp_path, monkeypatch, capsys):
    import xlbudget.read.importer as importer
    from xlbudget.cli import main

    monkeypatch.setattr(importer, "import_pdf", lambda path, *settings: time.sleep(60))
    src = tmp_path / "in"
    src.mkdir()
    (src / "hang.pdf").write_bytes(mc.disclosure_pdf())
    assert main(["batch", str(src), "-o", str(tmp_path / "out"), "-j", "1", "--no-progress", "--timeout", "2"]) == 2
    cap = capsys.readouterr()
    assert "timeout after 2 s" in cap.err and "1 errors" in cap.out


# ----------------------------------------------------------------- two batches on one output folder

def _hanging_batch(src, out):
    """A real batch in another process, its one file hanging in the import (it holds the lock)."""
    import subprocess
    import sys

    code = ("import time, xlbudget.read.importer as i\n"
            "i.import_pdf = lambda p, *settings: time.sleep(120)\n"
            "from xlbudget.batch import run_batch\n"
            f"run_batch({str(src)!r}, {str(out)!r}, workers=1, progress=False, timeout=0)\n")
    first = subprocess.Popen([sys.executable, "-c", code])
    lock = out / ".xlbudget-batch.lock"
    t0 = time.monotonic()
    while not (lock.is_file() and lock.read_text().strip()) and time.monotonic() - t0 < 30:
        time.sleep(0.2)
    assert lock.is_file(), "the first batch took no lock"
    return first, lock


def test_a_second_batch_on_the_same_output_folder_ends_at_once_with_exit_2(tmp_path):
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.pdf").write_bytes(mc.disclosure_pdf())
    first, lock = _hanging_batch(src, out)
    try:
        pid, started = lock.read_text().split()[:2]
        assert int(pid) == first.pid and abs(float(started) - time.time()) < 60
        t0 = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "xlbudget", "batch", str(src), "-o", str(out), "--no-progress"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert time.monotonic() - t0 < 20  # at once: it converted nothing
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert lines[0].startswith(f"xlbudget: error: another xlbudget batch is writing to {out} (pid {first.pid}")
        assert not (out / "a.xlsx").exists() and not (out / SUMMARY_NAME).exists()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # the first batch was killed: its lock is stale (a dead pid) and the next batch takes it over
    assert lock.is_file()
    third = subprocess.run([sys.executable, "-m", "xlbudget", "batch", str(src), "-o", str(out), "--no-progress"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert third.returncode == 0, third.stderr
    assert (out / "a.xlsx").is_file() and statuses(out) == {"a.pdf": "ok"}
    assert not lock.exists()  # released at the end


def test_a_stale_lock_is_taken_over_by_exactly_one_of_several_batches(tmp_path):
    """Four processes find the lock of a dead batch at the same moment: one takes it, three are told
    another batch is writing."""
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".xlbudget-batch.lock").write_text(f"{dead.pid} {time.time() - 5:.3f} earlier\n")
    code = ("import sys, time\n"
            "from xlbudget.batch import acquire_lock\n"
            "from xlbudget.model import OutputError\n"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
            "try:\n"
            "    acquire_lock(sys.argv[1]); print('took', flush=True); time.sleep(3)\n"
            "except OutputError as e:\n"
            "    print('busy', e, flush=True)\n")
    go = f"{time.time() + 2.0:.3f}"  # all start together, after the interpreters are up
    procs = [subprocess.Popen([sys.executable, "-c", code, str(out), go], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    said = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert sorted(s.split()[0] for s in said) == ["busy", "busy", "busy", "took"], said
    assert all("another xlbudget batch is writing to" in s for s in said if s.startswith("busy"))


def test_a_lock_of_a_running_batch_names_its_pid_and_one_of_a_dead_pid_is_not_a_block(tmp_path):
    import pytest

    from xlbudget.batch import acquire_lock, release_lock
    from xlbudget.model import OutputError

    out = tmp_path / "out"
    out.mkdir()
    lock = acquire_lock(str(out))
    assert lock == str(out / ".xlbudget-batch.lock")
    assert open(lock).read().split()[0] == str(os.getpid())
    with pytest.raises(OutputError) as e:
        acquire_lock(str(out))
    assert f"(pid {os.getpid()}" in str(e.value) and e.value.exit_code == 2
    release_lock(lock)
    assert not os.path.exists(lock)
    (out / ".xlbudget-batch.lock").write_text("")  # an empty lock, left by a crash while it was written
    os.utime(out / ".xlbudget-batch.lock", (time.time() - 600, time.time() - 600))
    release_lock(acquire_lock(str(out)))
