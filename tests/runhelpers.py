"""Helpers shared by the run / resume / dask tests."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"
TABLES = ("claims", "articles", "entities", "errors")


def make_input(folder: Path, n_seeds: int = 3, copies: int = 1) -> Path:
    """n_seeds seed articles (each `copies` times under different names)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS_DIR.glob("*.txt"))[:n_seeds]
    for c in range(copies):
        for s in seeds:
            name = s.name if copies == 1 else f"c{c:02d}_{s.name}"
            shutil.copy(s, folder / name)
    return folder


def rows(out: Path, table: str, drop_version: bool = True) -> list[tuple]:
    """A table's rows, sorted, as comparable tuples (extractor_version dropped
    by default: it hashes the package code, which a shared tree may change)."""
    t = pq.read_table(out / f"{table}.parquet")
    if drop_version and "extractor_version" in t.column_names:
        t = t.drop(["extractor_version"])
    return sorted(tuple(repr(v) for v in r.values()) for r in t.to_pylist())


def assert_same_tables(a: Path, b: Path) -> None:
    for table in TABLES:
        assert rows(a, table) == rows(b, table), table


def manifest(out: Path) -> dict:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))
