"""Recalculate a workbook's formulas with LibreOffice headless.

openpyxl writes formulas without cached results, so a workbook produced by
xlbudget shows no values until a spreadsheet application recalculates it.
This module drives ``soffice --headless --convert-to xlsx`` to load,
recalculate and re-save a *copy* of a workbook, and reads the computed values
back with openpyxl.  It is used by the tests to check that the native Excel
formulas of the 校验 sheet really evaluate to what we expect.

Every call runs LibreOffice with a fresh, throw-away user profile, so parallel
calls (pytest-xdist, several CI jobs) never fight over a profile lock.  The
profile is pre-seeded so that LibreOffice *always* recalculates on load: by
default it trusts cached values that are present in an .xlsx file (only cells
without a cached value are computed), which would silently hide stale results.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional

__all__ = ["find_soffice", "recalculate", "computed_values"]

#: Environment variable that may point at the soffice executable.
SOFFICE_ENV = "XLBUDGET_SOFFICE"

_FALLBACK_PATHS = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

# 0 = always recalculate, 1 = never, 2 = ask (the default for both is "never"
# for documents that carry cached values).
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> Optional[str]:
    """Return the path of the LibreOffice ``soffice`` executable, or None.

    Looks at ``$XLBUDGET_SOFFICE``, then ``soffice`` / ``libreoffice`` on PATH,
    then the usual installation directories.
    """
    env = os.environ.get(SOFFICE_ENV)
    if env:
        found = shutil.which(env)
        if found:
            return found
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _FALLBACK_PATHS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _write_profile(profile_dir: Path) -> None:
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill soffice and its children (it is a wrapper script around soffice.bin)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


def _tail(text: str, limit: int = 2000) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def recalculate(xlsx_path: str, out_dir: Optional[str] = None, timeout: float = 180) -> str:
    """Load *xlsx_path* in LibreOffice, recalculate all formulas, save a copy.

    The copy is written as ``<out_dir>/<stem>.xlsx``; if that would be the
    input file itself, ``<stem>.recalc.xlsx`` is used instead, so the input is
    never overwritten.  An existing file at the destination is replaced.  When
    *out_dir* is None a new temporary directory is created (the caller owns
    it).  Returns the path of the recalculated copy.

    Raises RuntimeError if LibreOffice is not installed, fails, or does not
    finish within *timeout* seconds; FileNotFoundError if the input is missing.
    """
    src = Path(xlsx_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"workbook not found: {xlsx_path}")
    soffice = find_soffice()
    if soffice is None:
        raise RuntimeError(
            "LibreOffice is not installed (no 'soffice' or 'libreoffice' on PATH, "
            f"nor at /usr/lib/libreoffice/program/soffice; set ${SOFFICE_ENV} to override). "
            "On Debian/Ubuntu: apt-get install --no-install-recommends libreoffice-calc-nogui"
        )

    if out_dir is None:
        dest_dir = Path(tempfile.mkdtemp(prefix="xlbudget-recalc-"))
    else:
        dest_dir = Path(out_dir).resolve()
        dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / (src.stem + ".xlsx")
    if dest == src:
        dest = dest_dir / (src.stem + ".recalc.xlsx")
    try:
        _convert(soffice, src, dest, timeout)
    except BaseException:
        if out_dir is None:
            shutil.rmtree(dest_dir, ignore_errors=True)
        raise
    return str(dest)


def _convert(soffice: str, src: Path, dest: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="xlbudget-soffice-") as work:
        work_dir = Path(work)
        profile = work_dir / "profile"
        stage = work_dir / "out"
        stage.mkdir()
        _write_profile(profile)
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "-env:UserInstallation=" + profile.as_uri(),
            "--convert-to",
            "xlsx",
            "--outdir",
            str(stage),
            str(src),
        ]
        env = dict(os.environ)
        env.setdefault("HOME", str(work_dir))  # soffice wants a HOME
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                env=env,
                cwd=str(work_dir),
                start_new_session=(os.name == "posix"),
            )
        except OSError as exc:
            raise RuntimeError(f"could not start LibreOffice ({soffice}): {exc}") from exc
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            raise RuntimeError(
                f"LibreOffice timed out after {timeout:g}s recalculating {src}"
            ) from None
        except BaseException:  # e.g. KeyboardInterrupt: don't leave soffice behind
            _kill_tree(proc)
            raise

        produced = stage / (src.stem + ".xlsx")
        # soffice often exits 0 even when the conversion failed, so the
        # presence of the output file is the real success criterion.
        if proc.returncode != 0 or not produced.is_file():
            raise RuntimeError(
                f"LibreOffice failed to recalculate {src} (exit code {proc.returncode}).\n"
                f"command: {' '.join(cmd)}\n"
                f"stdout: {_tail(stdout)}\nstderr: {_tail(stderr)}"
            )
        shutil.move(str(produced), str(dest))


def computed_values(xlsx_path: str, sheet: str) -> List[list]:
    """Recalculate *xlsx_path* and return the computed values of *sheet*.

    The result is a list of rows (lists), from row 1 / column A up to the
    sheet's used range, as read by ``openpyxl.load_workbook(data_only=True)``:
    numbers, strings (including error values such as ``'#DIV/0!'``), booleans
    or None for empty cells.  Raises KeyError if the sheet does not exist.
    """
    import openpyxl

    with tempfile.TemporaryDirectory(prefix="xlbudget-values-") as tmp:
        path = recalculate(xlsx_path, out_dir=tmp)
        wb = openpyxl.load_workbook(path, data_only=True)
        try:
            if sheet not in wb.sheetnames:
                raise KeyError(f"no sheet {sheet!r} in {xlsx_path} (sheets: {wb.sheetnames})")
            ws = wb[sheet]
            return [list(row) for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        finally:
            wb.close()
