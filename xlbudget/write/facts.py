"""The fact store of a batch: every value and every finding of every file, queryable at once.

Four tables (the records are built by :mod:`xlbudget.frames`, one home for "a fact"):

* ``facts``    one row per printed amount (:data:`xlbudget.frames.VALUE_COLUMNS`) + source, sha256;
* ``findings`` one row per finding (:data:`xlbudget.frames.FINDING_COLUMNS`) + source, sha256;
* ``subjects`` one row per main subject found (收入总计, 支出总计, 基本支出, 项目支出, 三公经费,
  机关运行经费) — the same figures as the batch summary, whatever the table layout;
* ``files``    one row per input file (status, error, totals counts) — failed files included.

Two stores, both written by the batch driver as each file finishes (an interrupted batch keeps
every file it finished; running the batch again replaces a file's rows, never duplicates them):

* :class:`ParquetFacts` — a folder (``facts.parquet/``) with one sub-folder per table and ONE
  PARQUET FILE PER INPUT in each, written to a temporary name and renamed. Chosen over row groups
  appended with ``ParquetWriter``: a Parquet footer is written only when the writer closes, so a
  batch killed mid-way would leave one unreadable file and lose everything; a file per input is
  complete or absent, and a re-run replaces it by name. pandas (``pd.read_parquet(folder)``) and
  DuckDB (``read_parquet('folder/*.parquet')``) read a folder as one table.
* :class:`DuckFacts` — a DuckDB database file; each input's rows are replaced in one transaction.

pyarrow and duckdb are imported here only (``pip install -e ".[facts]"``).
"""
from __future__ import annotations

import hashlib
import os
from typing import Any, Dict, List, Optional

from xlbudget.compare.core import main_totals
from xlbudget.frames import (
    DOCUMENT_COLUMNS,
    FINDING_COLUMNS,
    VALUE_COLUMNS,
    Records,
    finding_records,
    value_records,
)
from xlbudget.model import OutputError, UsageError

SOURCE_COLUMNS = ("source", "sha256")
SUBJECT_COLUMNS = DOCUMENT_COLUMNS + ("subject", "value", "where")
FILE_COLUMNS = ("status", "department", "year", "doc_kind", "pages", "failed_checks", "warnings", "error", "note",
                "seconds")
TABLES = {
    "facts": VALUE_COLUMNS + SOURCE_COLUMNS,
    "findings": FINDING_COLUMNS + SOURCE_COLUMNS,
    "subjects": SUBJECT_COLUMNS + SOURCE_COLUMNS,
    "files": SOURCE_COLUMNS + FILE_COLUMNS,
}
_INTEGERS = {"year", "row", "col", "page", "pages", "failed_checks", "warnings"}
_FLOATS = {"value", "expected", "actual", "tolerance", "seconds"}
_BOOLEANS = {"is_total"}
_HASH_CHUNK = 1 << 20


def sha256_of(path: str) -> Optional[str]:
    """The file's content hash (None when it cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(_HASH_CHUNK), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def _with_source(records: Records, n: int, source: str, sha: Optional[str]) -> Records:
    records["source"] = [source] * n
    records["sha256"] = [sha] * n
    return records


def document_facts(doc, findings, source: str, sha: Optional[str]) -> Dict[str, Records]:
    """The ``facts``, ``findings`` and ``subjects`` rows of one document (plain columns: they
    cross the process and the network boundary of a batch)."""
    values = value_records(doc)
    found = finding_records(doc, findings)
    subjects: Records = {c: [] for c in SUBJECT_COLUMNS}
    for subject, (value, where) in main_totals(doc).items():
        for name, v in (("department", doc.department), ("year", doc.year), ("doc_kind", doc.kind),
                        ("subject", subject), ("value", float(value)), ("where", where)):
            subjects[name].append(v)
    return {
        "facts": _with_source(values, len(values["value"]), source, sha),
        "findings": _with_source(found, len(found["rule_id"]), source, sha),
        "subjects": _with_source(subjects, len(subjects["subject"]), source, sha),
    }


def file_record(res, sha: Optional[str]) -> Records:
    """The ``files`` row of one batch result (any status)."""
    row = {"source": res.file, "sha256": sha, "status": res.status, "department": res.department, "year": res.year,
           "doc_kind": res.kind, "pages": res.pages, "failed_checks": res.failed_checks, "warnings": res.warnings,
           "error": res.error, "note": res.note, "seconds": res.seconds}
    return {c: [row[c]] for c in TABLES["files"]}


def _arrow_type(column: str):
    import pyarrow as pa

    if column in _INTEGERS:
        return pa.int32()
    if column in _FLOATS:
        return pa.float64()
    if column in _BOOLEANS:
        return pa.bool_()
    return pa.string()


def arrow_table(name: str, records: Records):
    import pyarrow as pa

    schema = pa.schema([(c, _arrow_type(c)) for c in TABLES[name]])
    return pa.table({c: records.get(c, []) for c in TABLES[name]}, schema=schema)


class ParquetFacts:
    """``folder/<table>/<one file per input>.parquet`` (see the module note for why)."""

    def __init__(self, folder: str):
        import pyarrow  # noqa: F401  (fail at the start of the batch, not after the first file)

        self.folder = folder
        for name in TABLES:
            os.makedirs(os.path.join(folder, name), exist_ok=True)

    @staticmethod
    def file_key(source: str) -> str:
        """One name per input path: a re-run replaces the file's rows."""
        return hashlib.sha1(source.encode("utf-8")).hexdigest()[:20]

    def add(self, source: str, tables: Dict[str, Records]) -> None:
        import pyarrow.parquet as pq

        key = self.file_key(source)
        for name, records in tables.items():
            path = os.path.join(self.folder, name, key + ".parquet")
            tmp = os.path.join(self.folder, name, f".{key}.{os.getpid()}.tmp")
            pq.write_table(arrow_table(name, records), tmp)
            os.replace(tmp, path)

    def close(self) -> None:
        pass


class DuckFacts:
    """A DuckDB database with the four tables; each input replaced in one transaction."""

    def __init__(self, path: str):
        import duckdb

        self.con = duckdb.connect(path)
        for name in TABLES:
            self.con.register("xlb_rows", arrow_table(name, {}))
            self.con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" AS SELECT * FROM xlb_rows LIMIT 0')
            self.con.unregister("xlb_rows")

    def add(self, source: str, tables: Dict[str, Records]) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            for name, records in tables.items():
                self.con.execute(f'DELETE FROM "{name}" WHERE source = ?', [source])
                self.con.register("xlb_rows", arrow_table(name, records))
                self.con.execute(f'INSERT INTO "{name}" SELECT * FROM xlb_rows')
                self.con.unregister("xlb_rows")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.con.close()


def open_stores(parquet: Optional[str] = None, duck: Optional[str] = None) -> List[Any]:
    """The stores asked for, opened before the first file converts (a store that cannot be
    written is a clear error at the start, never after an hour of converting)."""
    stores: List[Any] = []
    try:
        if parquet:
            stores.append(ParquetFacts(parquet))
        if duck:
            folder = os.path.dirname(os.path.abspath(duck))
            if not os.path.isdir(folder):
                raise OutputError(f"cannot write the DuckDB fact store: the folder does not exist, {duck}",
                                  hint=f"create {folder} first or choose another --duckdb")
            try:
                stores.append(DuckFacts(duck))
            except ImportError:
                raise
            except Exception as e:  # duckdb's own errors: a locked or damaged file, not a database
                raise OutputError(f"cannot open the DuckDB fact store ({type(e).__name__}: {e}), {duck}",
                                  hint="an existing file must be a DuckDB database no other program holds open; "
                                       "choose another --duckdb") from e
    except ImportError as e:
        for store in stores:
            store.close()
        raise UsageError(f"the fact store needs pyarrow and duckdb ({e})",
                         hint='pip install -e ".[facts]" (from the checkout)') from e
    except OSError as e:
        raise OutputError(f"cannot write the fact store ({e.strerror or e}), {parquet or duck}",
                          hint="choose a writable --facts / --duckdb") from e
    return stores
