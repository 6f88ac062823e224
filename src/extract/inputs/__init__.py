"""Input formats: which files under the input folder are articles, and how
each kind is read.  Dispatch is by file extension.

* file articles -- .txt/.md (extract.load) and .html/.htm (inputs.html): one
  article per file, read whole by the worker that processes it;
* tables -- .jsonl/.ndjson, .csv, .parquet (inputs.tables): one article per
  row, streamed in batches by the run's load stage, never read whole.

Everything else is skipped (an errors row with stage "skip").
"""
from __future__ import annotations

import os
from pathlib import Path

from ..load import RawArticle, read_article

FILE_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html"}
TABLE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
SUFFIXES = tuple(FILE_FORMATS) + tuple(TABLE_FORMATS)


def discover(input_dir: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Recursively: (file articles, tables, skipped files), each sorted by
    relative path.  Hidden files and folders are ignored entirely."""
    files: list[Path] = []
    tables: list[Path] = []
    skipped: list[Path] = []
    for root, dirs, names in os.walk(input_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # prune, don't descend
        for name in names:
            if name.startswith("."):
                continue
            path = Path(root, name)
            suffix = path.suffix.lower()
            (files if suffix in FILE_FORMATS else tables if suffix in TABLE_FORMATS else skipped).append(path)
    key = lambda p: p.relative_to(input_dir).as_posix()  # noqa: E731
    return sorted(files, key=key), sorted(tables, key=key), sorted(skipped, key=key)


def read_file_article(path: Path, rel: str, max_bytes: int = 20_000_000) -> RawArticle:
    """One file article, read by the reader of its format; raises LoadError."""
    if FILE_FORMATS.get(path.suffix.lower()) == "html":
        from .html import read_html  # trafilatura/lxml load only where pages are read
        return read_html(path, rel, max_bytes)
    return read_article(path, rel, max_bytes)
