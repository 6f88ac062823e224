"""Every article under a path, read exactly as `extract run` reads it: for
the commands that look at articles one by one (`explain`, `coverage`).

The run reads each file article with `read_file_article` (text files,
web pages through trafilatura) and each table row with `iter_rows` and
`TableRow.to_raw` (the same column options, keys and date parsing); so does
`read_inputs`.  What cannot be read -- a file of no article format, a file
that fails to load, a table without its text column, a row without text, a
repeated key -- is yielded as an `Unread` naming it and why, never dropped
in silence (and never counted as explained).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from extract.inputs import FILE_FORMATS, SUFFIXES, TABLE_FORMATS, discover, read_file_article
from extract.inputs.load import LoadError, RawArticle

FORMATS = ", ".join(s.lstrip(".") for s in SUFFIXES)


@dataclass(frozen=True)
class Unread:
    where: str      # file (relative to the input folder), or a table row's file#row
    why: str        # for a person to read
    format: bool = False   # True: a file of no format the commands read (rather than a failed read)


def unsupported(path: Path, rel: str) -> Unread:
    suffix = path.suffix.lower() or "(no extension)"
    return Unread(rel, f"not an article format: {suffix} (read: {FORMATS})", format=True)


def read_inputs(path: Path, columns=None, max_bytes: int = 20_000_000,
                follow_symlinks: bool = False, only: str | None = None) -> Iterator[RawArticle | Unread]:
    """Articles (RawArticle) and what could not be read (Unread) under `path`,
    a folder (recursively, as the run discovers it) or one file, in order.
    `only`: an article key in a folder -- a file under it is read alone, else
    only the tables are read (rows have keys).  FileNotFoundError when `path`
    does not exist."""
    from extract.inputs.tables import Columns, TableError, iter_rows

    path = Path(path)
    columns = columns or Columns()
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    if path.is_dir() and only is not None and (path / only).is_file():
        path, base = path / only, path   # the one file, named as the run names it
    else:
        base = path if path.is_dir() else path.parent
    if path.is_dir():
        found, files, tables = discover(path, follow_symlinks)
        if only is not None:
            files = []
        for p, why in found.unreadable:
            yield Unread(_rel(p, path), why)
        for p, why in found.skipped:
            rel = _rel(p, path)
            yield unsupported(p, rel) if why.startswith("not an article") else Unread(rel, why)
    else:
        suffix = path.suffix.lower()
        if suffix not in FILE_FORMATS and suffix not in TABLE_FORMATS:
            yield unsupported(path, _rel(path, base))
            return
        files, tables = ([path], []) if suffix in FILE_FORMATS else ([], [path])
    seen: set[str] = set()   # article keys: a row repeating one is skipped, as in a run
    for p in files:
        rel = _rel(p, base)
        seen.add(rel)
        try:
            yield read_file_article(p, rel, max_bytes)
        except LoadError as exc:
            yield Unread(rel, f"{exc.reason}: {exc}")
    for p in tables:
        rel = _rel(p, base)
        try:
            for row in iter_rows(p, rel, columns, max_bytes):
                where = f"{row.file}#{row.row}"
                if row.key in seen:
                    yield Unread(where, f"duplicate article key {row.key!r}: row skipped")
                    continue
                seen.add(row.key)
                if row.error is not None:
                    yield Unread(where, f"{row.key}: {row.error}")
                    continue
                yield row.to_raw()
        except TableError as exc:
            yield Unread(rel, f"{exc.reason}: {exc.message}")


def _rel(p: Path, base: Path) -> str:
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return p.as_posix()
