"""Parquet output: streamed row groups, made visible atomically.

Two layers:

* shard parts -- one worker writes the four tables of one shard of articles
  into a hidden temporary folder and renames it into place
  (`OUT/.parts/<run-key>/<shard>/<table>.parquet`), so a shard folder that
  exists is complete;
* final tables -- `merge_parts` streams the parts, row group by row group,
  into a hidden temporary file which is renamed over `OUT/<table>.parquet`
  only when the run completes.  A killed run never leaves a half-written
  Parquet file behind, and memory holds about one row group at a time.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from extract.models import TABLES, Record, arrow_schema

ROW_GROUP = 5_000
TABLE_NAMES = tuple(TABLES)  # claims, articles, entities, errors


def arrow_without_pandas() -> None:
    """pyarrow imports pandas (half a second) the first time it converts Python
    values, only to check whether they are pandas objects; a run never hands it
    any. Called in a run's own processes (the CLI's, the pool's workers), this
    lets that one check find no pandas. pandas still loads where it is asked for
    (to_pandas, from_pandas); not for notebooks, where pa.table(a_dataframe)
    needs the check."""
    if "pandas" in sys.modules:
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import hook under which `import pandas` fails as if it were not installed."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"{name} is not loaded in a run's processes")
        return None


class TableWriter:
    """One table streamed to a temporary file, renamed into place by commit()."""

    def __init__(self, out_dir: Path, name: str, tag: str = ""):
        self.model = TABLES[name]
        self.schema = arrow_schema(self.model)
        self.final = Path(out_dir) / f"{name}.parquet"
        self.tmp = Path(out_dir) / f".{name}.{tag or os.getpid()}.parquet.tmp"
        self._writer = pq.ParquetWriter(self.tmp, self.schema)
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.count = 0

    def add(self, records: list[Record]) -> None:
        if records:
            self.add_table(pa.Table.from_pylist([r.model_dump() for r in records], schema=self.schema))

    def add_table(self, table: pa.Table) -> None:
        """Append Arrow rows (any batch size); written out in ROW_GROUP-sized row groups."""
        if table.num_rows == 0:
            return
        self._pending.append(table.select(self.schema.names).cast(self.schema))
        self._pending_rows += table.num_rows
        self.count += table.num_rows
        if self._pending_rows >= ROW_GROUP:
            self._flush(final=False)

    def _flush(self, final: bool = True) -> None:
        """Write whole ROW_GROUP-row groups; the remainder waits unless final."""
        if not self._pending:
            return
        table = pa.concat_tables(self._pending)
        cut = table.num_rows if final else table.num_rows - table.num_rows % ROW_GROUP
        if cut:
            self._writer.write_table(table.slice(0, cut), row_group_size=ROW_GROUP)
        rest = table.slice(cut)
        self._pending, self._pending_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> Path:
        """Finish the temporary file without making it visible (see publish)."""
        self._flush()
        self._writer.close()
        return self.tmp

    def publish(self) -> Path:
        os.replace(self.tmp, self.final)
        return self.final

    def commit(self) -> Path:
        self.close()
        return self.publish()

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class ShardOutput:
    """The four tables of one shard, streamed into a hidden temp folder that
    commit() renames to `shard_dir` -- so a shard folder that exists is complete."""

    def __init__(self, shard_dir: Path):
        self.dir = Path(shard_dir)
        self.tmp = self.dir.parent / f".{self.dir.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.tmp.mkdir(parents=True)
        self.writers = {name: TableWriter(self.tmp, name, tag="part") for name in TABLE_NAMES}

    def add(self, name: str, records: list[Record]) -> None:
        self.writers[name].add(records)

    def add_table(self, name: str, table: pa.Table) -> None:
        self.writers[name].add_table(table)

    def commit(self, stats: dict, replace: bool = False) -> bool:
        """False if another writer (a retried task) finished this shard first."""
        try:
            for w in self.writers.values():
                w.commit()
            (self.tmp / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
            if replace and self.dir.exists():
                shutil.rmtree(self.dir)
            try:
                os.rename(self.tmp, self.dir)
            except OSError:
                if self.dir.is_dir():
                    return False
                raise
            return True
        finally:
            self.abort()

    def abort(self) -> None:
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)


def write_shard(shard_dir: Path, tables: dict[str, list[Record]], stats: dict) -> bool:
    out = ShardOutput(shard_dir)
    try:
        for name, records in tables.items():
            out.add(name, records)
    except BaseException:
        out.abort()
        raise
    return out.commit(stats)


def read_stats(shard_dir: Path) -> dict:
    return json.loads((Path(shard_dir) / "stats.json").read_text(encoding="utf-8"))


def iter_batches(path: Path) -> Iterable[pa.Table]:
    """A Parquet file one row group at a time."""
    with pq.ParquetFile(path) as f:
        for i in range(f.num_row_groups):
            yield f.read_row_group(i)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """A whole table to `path` via a temporary file and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def merge_parts(out_dir: Path, name: str, shard_dirs: list[Path], tag: str) -> TableWriter:
    """Stream `<shard>/<name>.parquet` of every shard, in order, into a closed
    (not yet published) TableWriter for OUT/<name>.parquet."""
    w = TableWriter(out_dir, name, tag=tag)
    try:
        for d in shard_dirs:
            for batch in iter_batches(Path(d) / f"{name}.parquet"):
                w.add_table(batch)
        w.close()
    except BaseException:
        w.abort()
        raise
    return w
