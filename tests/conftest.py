import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("XLBUDGET_SHARED", ROOT.parent / "shared"))
RENDERED = SHARED / "corpus" / "rendered"
REAL = SHARED / "corpus" / "real" / "jiangsu"
SHANGHAI = SHARED / "corpus" / "real" / "shanghai"
REAL_ALL = SHARED / "corpus" / "real"
SEEDS = ["000_7d1637c2b07940b9", "001_511f49588f3df717", "002_b9fb704af29df045",
         "003_333e51848c84ec7d", "004_d644b8a86bb20fe5"]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared corpus not found: {path}")
    return path


_cache = {}


def imported(path):
    """Import a PDF once per test session."""
    from xlbudget.read.importer import import_pdf

    key = str(path)
    if key not in _cache:
        _cache[key] = import_pdf(key)
    return _cache[key]
