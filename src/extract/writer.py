"""Parquet output: streamed row groups, made visible atomically.

Each table is written to a hidden temporary file in OUT_DIR and renamed over
the final name only when the run completes, so a killed run never leaves a
half-written claims.parquet behind, and memory holds one row group at a time.
"""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .models import TABLES, Record, arrow_schema

ROW_GROUP = 5_000


class TableWriter:
    def __init__(self, out_dir: Path, name: str, tag: str = ""):
        self.model = TABLES[name]
        self.schema = arrow_schema(self.model)
        self.final = out_dir / f"{name}.parquet"
        self.tmp = out_dir / f".{name}.{tag or os.getpid()}.parquet.tmp"
        self._writer = pq.ParquetWriter(self.tmp, self.schema)
        self._rows: list[dict] = []
        self.count = 0

    def add(self, records: list[Record]) -> None:
        self._rows.extend(r.model_dump() for r in records)
        self.count += len(records)
        if len(self._rows) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def commit(self) -> Path:
        self._flush()
        self._writer.close()
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)
