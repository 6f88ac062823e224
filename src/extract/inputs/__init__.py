"""Input formats: which files under the input folder are articles, and how
each kind is read.  Dispatch is by file extension.

* file articles -- .txt/.md (extract.inputs.load) and .html/.htm (inputs.html): one
  article per file, read whole by the worker that processes it;
* tables -- .jsonl/.ndjson, .csv, .parquet (inputs.tables): one article per
  row, streamed in batches by the run's load stage, never read whole.

Everything else is skipped (a warning row with stage "skip").
"""
from __future__ import annotations

from pathlib import Path

from extract.inputs.load import Discovery, RawArticle, discover_all, read_article

FILE_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html"}
TABLE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
SUFFIXES = tuple(FILE_FORMATS) + tuple(TABLE_FORMATS)


def discover(input_dir: Path, follow_symlinks: bool = False,
             exclude: Path | None = None) -> tuple[Discovery, list[Path], list[Path]]:
    """Recursively, as load.discover_all (hidden files, symbolic links, special
    files, unreadable folders, the `exclude` folder): (the discovery, file
    articles, tables), each list sorted by relative path."""
    found = discover_all(input_dir, follow_symlinks, suffixes=SUFFIXES, exclude=exclude)
    files = [p for p in found.articles if p.suffix.lower() in FILE_FORMATS]
    tables = [p for p in found.articles if p.suffix.lower() in TABLE_FORMATS]
    return found, files, tables


def read_file_article(path: Path, rel: str, max_bytes: int = 20_000_000) -> RawArticle:
    """One file article, read by the reader of its format; raises LoadError."""
    if FILE_FORMATS.get(path.suffix.lower()) == "html":
        from extract.inputs.html import read_html  # trafilatura/lxml load only where pages are read
        return read_html(path, rel, max_bytes)
    return read_article(path, rel, max_bytes)
