"""Tables of articles (crawler exports) -> rows: one article per row.

.jsonl/.ndjson are read line by line, .csv through pyarrow's streaming CSV
reader, .parquet batch by batch (`iter_batches` over the needed columns
only), so a table of any size is never held whole.

Each row becomes a `TableRow`: its article key (the id column, else the url,
else `file#row`), a hash of its text and metadata (an unchanged row is not
extracted again), its text and metadata, or the reason it cannot be an
article (empty or non-string text).  A date that cannot be parsed is a
`warning`: the row is still extracted, without a given date.

One bad row never costs the table: CSV and JSON Lines files are decoded line
by line (a UTF-8 row in a GBK export is read as UTF-8, bytes that fit no
encoding become U+FFFD), a CSV row with the wrong number of fields is
skipped, and a JSON line that is no article (an exporter's metadata object)
is skipped; each becomes an errors row naming the file and line
(`Note`s, collected while the table is read).

The run's load stage scans every table once (`scan_tables`), writing the rows
to extract into a spool, which `split_spool` cuts into one small Parquet
input per shard; workers read only their shard's input (`read_shard_rows`).
"""
from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from extract.inputs.load import LoadError, RawArticle, _decode_replacing, _try_decode, article_key, decode
from extract.inputs import TABLE_FORMATS
from extract.inputs.dates import parse_date

BATCH_ROWS = 1_000            # rows turned into Python objects at a time
CSV_BLOCK = 16 << 20          # a CSV row (an article with its quoted newlines) must fit in one block
_SNIFF = 1 << 16              # bytes read to decide a CSV/JSONL file's encoding
_RECODE_CHUNK = 1 << 20       # bytes decoded at a time (then up to the end of the line)
_SHOW_LINES = 10              # line numbers listed in one note


@dataclass(frozen=True)
class Columns:
    """Candidate column names per field, tried in order (exact name first,
    then ignoring case).  The defaults fit common crawler exports, English
    or Chinese (正文/内容, 标题, 发布时间/日期, 链接/网址)."""
    text: tuple[str, ...] = ("text", "content", "body", "正文", "内容")
    title: tuple[str, ...] = ("title", "标题")
    date: tuple[str, ...] = ("published", "date", "publish_time", "pubdate", "发布时间", "日期")
    url: tuple[str, ...] = ("url", "link", "链接", "网址")
    id: tuple[str, ...] = ("id",)

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in asdict(self).items()}

    def resolve(self, names: list[str]) -> dict[str, str | None]:
        """field -> the table's column for it (None when absent)."""
        lower = {}
        for n in names:
            lower.setdefault(n.lower(), n)
        found = {}
        for fld, candidates in asdict(self).items():
            found[fld] = next((c for c in candidates if c in names), None) or \
                next((lower[c.lower()] for c in candidates if c.lower() in lower), None)
        return found


@dataclass
class Note:
    """Something about part of a table that is no row of it (a skipped line,
    lines decoded another way): an errors row for the file."""
    severity: str       # error: a row is lost; warning: kept, but look
    reason: str


class TableError(Exception):
    """A table that cannot be read as articles at all (one errors row for the file)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class MissingTextColumn(Exception):
    """Tables with none of the text columns, found before a run changes anything:
    a flag (--text-column) would have made them articles, so the run stops
    instead of replacing their rows' claims with an errors row."""

    def __init__(self, tables: list[tuple[str, list[str]]], columns: "Columns"):
        self.tables = tables
        shown = "; ".join(f"{rel} (columns: {', '.join(names[:12]) or 'none'}"
                          f"{', …' if len(names) > 12 else ''})" for rel, names in tables[:5])
        more = f"; and {len(tables) - 5} more" if len(tables) > 5 else ""
        n = len(tables)
        super().__init__(
            f"{n} table{'s' if n > 1 else ''} with none of the text columns {'|'.join(columns.text)}: "
            f"{shown}{more}. Name the column that holds the article text with --text-column NAME "
            f"(or `text = \"NAME\"` under [columns] in extract.toml), or pass --skip-tables-without-text "
            f"to list such tables as errors and go on. Nothing in the output folder was changed.")


def table_columns(path: Path) -> list[str] | None:
    """A table's column names from its header alone (the Parquet schema, the
    CSV header row, the keys of the first JSON Lines object); None when they
    cannot be read, which the scan then reports as an errors row."""
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    try:
        if fmt == "parquet":
            return list(pq.read_schema(path).names)
        if fmt == "csv":
            import pyarrow.csv as pacsv
            read = pacsv.ReadOptions(block_size=CSV_BLOCK, encoding=_sniff_encoding(path))
            parse = pacsv.ParseOptions(newlines_in_values=True)
            with pacsv.open_csv(path, read_options=read, parse_options=parse) as probe:
                return list(probe.schema.names)
        if fmt == "jsonl":
            with open(path, encoding=_sniff_encoding(path), newline="\n") as f:
                for line in f:
                    if line.strip():
                        obj = json.loads(line)
                        return list(obj) if isinstance(obj, dict) else None
            return None
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException, TableError):
        return None
    return None


def tables_without_text(input_dir: Path, tables: list[Path], columns: "Columns") -> list[tuple[str, list[str]]]:
    """(path relative to input_dir, its columns) of every table whose header
    has none of `columns.text`."""
    missing = []
    for path in tables:
        if TABLE_FORMATS.get(path.suffix.lower()) == "jsonl":
            names = _jsonl_keys_without_text(path, columns)
        else:
            names = table_columns(path)
        if names is not None and columns.resolve(names)["text"] is None:
            missing.append((path.relative_to(input_dir).as_posix(), names))
    return missing


def _jsonl_keys_without_text(path: Path, columns: "Columns") -> list[str] | None:
    """The keys of the first object of a JSON Lines file in which no object has
    a text column; None when one has (a line without one is an exporter's header
    or trailer, skipped with a warning: see _jsonl_records) or none can be read."""
    first = None
    try:
        for _, line in _text_lines(path, _sniff_encoding(path), []):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue   # an errors row of its own
            if not isinstance(obj, dict):
                continue
            if columns.resolve(list(obj))["text"] is not None:
                return None
            first = list(obj) if first is None else first
    except (OSError, UnicodeDecodeError, TableError):
        return None
    return first


@dataclass
class TableRow:
    file: str                   # table path relative to the input folder
    row: int                    # 0-based data row (header and blank JSONL lines not counted)
    key: str                    # article key: id, else url, else file#row
    sha256: str                 # hash of text + metadata as given
    text: str | None = None
    title: str | None = None
    published: str | None = None  # ISO (see dates.parse_date)
    url: str | None = None
    error: str | None = None      # the row is not an article (errors row, articles row status error)
    warning: str | None = None    # the row is an article, but part of its metadata was unusable
    input_format: str = "jsonl"

    def to_raw(self) -> RawArticle:
        return RawArticle(self.key, self.text or "", self.sha256, "utf-8", len((self.text or "").encode("utf-8")),
                          url=self.url, title_given=self.title, published_given=self.published,
                          input_format=self.input_format, file=self.file, row=self.row)


ROW_SCHEMA = pa.schema([
    ("file", pa.string()), ("row", pa.int64()), ("key", pa.string()), ("sha256", pa.string()),
    ("text", pa.string()), ("title", pa.string()), ("published", pa.string()), ("url", pa.string()),
    ("error", pa.string()), ("warning", pa.string()), ("input_format", pa.string()),
])


# -- reading one table --------------------------------------------------------------

def iter_rows(path: Path, rel: str, columns: Columns, max_bytes: int = 20_000_000,
              notes: list[Note] | None = None) -> Iterator[TableRow]:
    """Every row of one table, in order; raises TableError for the whole file.
    Lines that are no rows (skipped, or decoded another way) go to `notes`."""
    fmt = TABLE_FORMATS[path.suffix.lower()]
    notes = [] if notes is None else notes
    reader = {"jsonl": _jsonl_records, "csv": _csv_records, "parquet": _parquet_records}[fmt]
    for i, record in enumerate(reader(path, columns, notes)):
        yield _make_row(rel, i, record, fmt, max_bytes)


def _no_text_column(names: list[str], columns: Columns) -> TableError:
    return TableError("no_text_column", f"none of the text columns {'|'.join(columns.text)} "
                      f"in the table's columns {', '.join(names[:20]) or '(none)'}")


def _parquet_records(path: Path, columns: Columns, notes: list[Note]) -> Iterator[dict]:
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise TableError("unreadable", f"not a readable Parquet file: {exc}") from exc
    with pf:
        names = pf.schema_arrow.names
        found = columns.resolve(names)
        if found["text"] is None:
            raise _no_text_column(names, columns)
        wanted = {f: c for f, c in found.items() if c is not None}
        cols = list(dict.fromkeys(wanted.values()))
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=cols):
            yield from _records(batch, wanted)


def _csv_records(path: Path, columns: Columns, notes: list[Note]) -> Iterator[dict]:
    import pyarrow.csv as pacsv

    encoding = _sniff_encoding(path)
    skipped: list[str] = []

    def skip_row(bad) -> str:   # a ragged row costs itself, not the rest of the file
        skipped.append(f"{bad.actual_columns} fields where the header has {bad.expected_columns} "
                       f"({' '.join(bad.text.split())[:60]!r})")
        return "skip"

    parse = pacsv.ParseOptions(newlines_in_values=True,   # article text has line breaks inside quotes
                               invalid_row_handler=skip_row)
    recoded = _recoded_lines(encoding)
    read = pacsv.ReadOptions(block_size=CSV_BLOCK, encoding="utf-8" if recoded else encoding)
    decoder = None

    def source():
        nonlocal decoder
        if not recoded:
            return path
        decoder = _LineDecoder(open(path, "rb"), encoding)
        return io.BufferedReader(decoder, buffer_size=_RECODE_CHUNK)

    try:
        with pacsv.open_csv(source(), read_options=read, parse_options=parse) as probe:
            names = probe.schema.names
    except (OSError, pa.ArrowException) as exc:
        raise TableError("unreadable", f"not a readable CSV file: {exc}") from exc
    found = columns.resolve(names)
    if found["text"] is None:
        raise _no_text_column(names, columns)
    wanted = {f: c for f, c in found.items() if c is not None}
    cols = list(dict.fromkeys(wanted.values()))
    # Every column as text: type inference on the first block would make ids numbers
    # and fail on a later block that disagrees.
    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in cols}, include_columns=cols)
    skipped.clear()   # the probe's first block is read again
    try:
        with pacsv.open_csv(source(), read_options=read, parse_options=parse, convert_options=convert) as reader:
            for batch in reader:
                yield from _records(batch, wanted)
    except (pa.ArrowException, UnicodeDecodeError) as exc:  # a malformed line ends the readable part of a CSV
        raise TableError("unreadable", f"CSV parse error after the rows read so far: {exc}") from exc
    finally:
        for what in skipped:
            notes.append(Note("error", f"a row with {what}: skipped (fix the row's quoting or field count)"))
        if decoder is not None:
            notes.extend(decoder.notes())


def _jsonl_records(path: Path, columns: Columns, notes: list[Note]) -> Iterator[dict]:
    encoding = _sniff_encoding(path)
    resolved: dict[tuple, dict[str, str | None]] = {}  # JSON Lines rows may differ in keys
    articles = 0
    pending: list[Note] = []   # lines without a text column, held until the file proves to be a table
    first_keys: list[str] | None = None
    try:
        for lineno, line in _text_lines(path, encoding, notes):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield {"_error": f"line {lineno} is not JSON: {exc}"}
                continue
            if not isinstance(obj, dict):
                yield {"_error": f"line {lineno} is a JSON {type(obj).__name__}, not an object"}
                continue
            keys = tuple(obj)
            found = resolved.get(keys)
            if found is None:
                if len(resolved) > 1024:  # rows with ever new keys: keep the cache bounded
                    resolved.clear()
                found = resolved.setdefault(keys, columns.resolve(list(keys)))
            if found["text"] is None:
                # an exporter's header or trailer ({"export": "crawler v2", "count": 3}): no article
                note = Note("warning", f"line {lineno}: a JSON object with none of the text columns "
                                       f"{'|'.join(columns.text)} (keys {', '.join(keys[:10]) or 'none'}): "
                                       f"not an article, skipped")
                if articles:
                    notes.append(note)
                elif len(pending) < _SHOW_LINES * 10:
                    pending.append(note)
                first_keys = list(keys) if first_keys is None else first_keys
                continue
            articles += 1
            if pending:
                notes.extend(pending)
                pending.clear()
            yield {f: obj.get(c) for f, c in found.items() if c is not None}
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError("unreadable", f"cannot read JSON Lines file: {exc}") from exc
    if not articles and first_keys is not None:   # no line is an article: no table of articles
        raise _no_text_column(first_keys, columns)


def _recoded_lines(encoding: str) -> bool:
    """Whether the file can be decoded line by line: every codec we detect except
    UTF-16/32 keeps b"\n" a byte of its own (GB18030 and Big5 trail bytes are >= 0x30)."""
    return not encoding.startswith(("utf-16", "utf-32"))


def _text_lines(path: Path, encoding: str, notes: list[Note]) -> Iterator[tuple[int, str]]:
    """(line number, text) of a text file, each line decoded on its own (see _LineDecoder)."""
    if not _recoded_lines(encoding):
        with open(path, encoding=encoding, newline="\n") as f:
            yield from enumerate(f, 1)
        return
    decoder = _LineDecoder(open(path, "rb"), encoding)
    try:
        with io.TextIOWrapper(io.BufferedReader(decoder, buffer_size=_RECODE_CHUNK), encoding="utf-8",
                              newline="\n") as f:
            yield from enumerate(f, 1)
    finally:
        notes.extend(decoder.notes())


class _LineDecoder(io.RawIOBase):
    """A text file as UTF-8 bytes, decoded line by line: in its own encoding,
    else in another one that fits (one UTF-8 row pasted into a GBK export, or
    the reverse), else in its own encoding with the bad bytes replaced by
    U+FFFD.  A whole chunk that decodes takes the fast path.  `notes()` tells
    which lines needed what."""

    def __init__(self, raw, encoding: str):
        self.raw, self.encoding = raw, encoding
        # legacy codecs decode almost any bytes, so they must also give plausible Chinese
        self.others = ["utf-8"] if encoding not in ("utf-8", "utf-8-sig") else ["gb18030", "big5hkscs"]
        self.pending = b""
        self.line = 0                 # lines decoded so far
        self.other: dict[str, list[int]] = {}       # codec -> line numbers decoded with it
        self.replaced: list[tuple[int, int]] = []   # (line number, bad bytes)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            chunk = self.raw.read(_RECODE_CHUNK)
            if not chunk:
                return 0
            self.pending = self._recode(chunk + self.raw.readline())
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()

    def _codec(self, data: bytes) -> str:
        return "utf-8-sig" if self.line == 0 and data.startswith(codecs.BOM_UTF8) else self.encoding

    def _recode(self, chunk: bytes) -> bytes:
        codec = self._codec(chunk)
        try:
            text = chunk.decode(codec)
            self.line += chunk.count(b"\n")
            return chunk if codec == "utf-8" else text.encode("utf-8")
        except UnicodeDecodeError:
            pass
        out = []
        for line in chunk.splitlines(keepends=True):
            codec = self._codec(line)
            self.line += 1
            try:
                out.append(line.decode(codec))
                continue
            except UnicodeDecodeError:
                pass
            for other in self.others:
                text = _try_decode(line, other) if other != "utf-8" else _strict(line)
                if text is not None:
                    out.append(text)
                    self.other.setdefault(other, []).append(self.line)
                    break
            else:
                text, bad = _decode_replacing(line, self.encoding)
                out.append(text)
                self.replaced.append((self.line, sum(e - s for s, e in bad)))
        if not chunk.endswith(b"\n"):
            self.line -= 1   # the last line goes on in the next chunk: counted there
        return "".join(out).encode("utf-8")

    def notes(self) -> list[Note]:
        found = [Note("warning", f"{_lines(lines)}: {codec} in a {self.encoding} file, decoded as {codec} "
                                 f"(re-export the table in one encoding)") for codec, lines in self.other.items()]
        if self.replaced:
            found.append(Note("warning", f"{_lines([n for n, _ in self.replaced])}: "
                                         f"{sum(b for _, b in self.replaced)} bytes that fit no encoding, "
                                         f"replaced by U+FFFD (check the row's text)"))
        return found


def _strict(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:_SHOW_LINES])) + (" …" if len(numbers) > _SHOW_LINES else "")
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown} ({len(numbers)} lines)"


def _records(batch: pa.RecordBatch, wanted: dict[str, str]) -> Iterator[dict]:
    for start in range(0, batch.num_rows, BATCH_ROWS):
        part = batch.slice(start, BATCH_ROWS)
        values = {f: _pylist(part.column(c)) for f, c in wanted.items()}
        for i in range(part.num_rows):
            yield {f: v[i] for f, v in values.items()}


class Unreadable:
    """A cell Python cannot hold (a timestamp past year 9999): the row gets an
    error or, for a date, a warning, instead of the table failing."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return f"unreadable value ({self.why})"


def _pylist(column: pa.Array) -> list:
    try:
        return column.to_pylist()
    except (ValueError, OverflowError, pa.ArrowException):
        values = []
        for i in range(len(column)):
            try:
                values.append(column[i].as_py())
            except (ValueError, OverflowError, pa.ArrowException) as exc:
                values.append(Unreadable(f"{column.type}: {exc}"))
        return values


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else what the text-file fallbacks
    (extract.inputs.load.decode: detection, GB18030, Big5) make of the first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
    except OSError as exc:
        raise TableError("unreadable", f"cannot read file: {exc.strerror or exc}") from exc
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    cut = head.rfind(b"\n") + 1 if len(head) == _SNIFF else len(head)  # whole lines only
    sample = head[:cut] or head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # mostly UTF-8 with a few lines in another encoding (rows pasted from another export):
    # UTF-8, and those lines are decoded on their own (_LineDecoder)
    foreign = [line for line in sample.splitlines() if not line.isascii()]
    if sum(_strict(line) is not None for line in foreign) * 2 > len(foreign):
        return "utf-8"
    try:
        return decode(sample)[1]
    except LoadError as exc:
        raise TableError("undecodable", f"cannot tell the file's encoding: {exc}") from exc


# -- one record -> TableRow ---------------------------------------------------------------

def _text_or_none(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _make_row(rel: str, i: int, record: dict, fmt: str, max_bytes: int) -> TableRow:
    if "_error" in record:  # a JSONL line that is no object
        return TableRow(rel, i, f"{rel}#{i}", "", error=record["_error"], input_format=fmt)
    record = {k: (None if isinstance(v, Unreadable) and k not in ("text", "date") else v)
              for k, v in record.items()}
    text, date_value = record.get("text"), record.get("date")
    ident, url = _text_or_none(record.get("id")), _text_or_none(record.get("url"))
    title = _text_or_none(record.get("title"))
    # The hash covers exactly what the row gives: any change re-extracts the row.
    digest = hashlib.sha256(json.dumps([text, title, str(date_value) if date_value is not None else None,
                                        url, ident], ensure_ascii=False, default=repr).encode("utf-8"))
    row = TableRow(rel, i, ident or url or f"{rel}#{i}", digest.hexdigest(), title=title, url=url,
                   input_format=fmt)
    if not isinstance(text, str):
        row.error = "no text" if text is None else f"text is not a string but {type(text).__name__}"
        return row
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as text files are read (universal newlines)
    if not text.strip():
        row.error = "empty text"
        return row
    if len(text) * 4 > max_bytes and len(text.encode("utf-8")) > max_bytes:
        row.error = f"text is {len(text.encode('utf-8')):,} bytes, limit is {max_bytes:,}"
        return row
    row.text = text
    try:
        row.published = parse_date(date_value)
    except ValueError as exc:
        row.warning = f"{exc}: extracted without a given date"
    return row


# -- the run's load stage: scan, spool, split -----------------------------------------

@dataclass
class Scan:
    carry: list[str] = field(default_factory=list)      # keys of unchanged rows (copied from the last output)
    spooled: int = 0                                      # rows written to the spool, in order
    errors: list[dict] = field(default_factory=list)     # ErrorRow fields: whole tables, duplicate keys
    rows: int = 0                                         # rows seen


def scan_tables(input_dir: Path, tables: list[Path], columns: Columns, previous: dict[str, str] | None,
                taken: set[str], spool: Path, max_bytes: int) -> Scan:
    """One pass over every table: unchanged rows (key and hash as in `previous`)
    are carried, the others appended to `spool` (Parquet, ROW_SCHEMA).  `taken`
    holds the keys already used (file articles); a repeated key is an error."""
    scan = Scan()
    seen: dict[str, str] = {}
    buf: list[dict] = []
    with pq.ParquetWriter(spool, ROW_SCHEMA) as writer:
        for path in tables:
            real = path.relative_to(input_dir).as_posix()
            rel = article_key(real)   # UTF-8, as Parquet needs
            notes: list[Note] = []
            if rel != real:
                notes.append(Note("warning", f"file name is not UTF-8 ({os.fsencode(real)!r}): its rows are "
                                             f"keyed under {rel!r} (rename the file to keep the keys stable)"))
            try:
                for row in iter_rows(path, rel, columns, max_bytes, notes):
                    scan.rows += 1
                    where = f"{row.file}#{row.row}"
                    if row.key in taken or row.key in seen:
                        first = seen.get(row.key, row.key)
                        scan.errors.append({"path": where, "stage": "load", "file": row.file, "row": row.row,
                                            "reason": f"duplicate article key {row.key!r} (first: {first}): row skipped"})
                        continue
                    seen[row.key] = where
                    if previous and row.sha256 and previous.get(row.key) == row.sha256:
                        scan.carry.append(row.key)
                        continue
                    buf.append(asdict(row))
                    scan.spooled += 1
                    if len(buf) >= BATCH_ROWS:
                        writer.write_table(pa.Table.from_pylist(buf, schema=ROW_SCHEMA))
                        buf.clear()
            except TableError as exc:
                scan.errors.append({"path": rel, "stage": "load", "file": rel, "row": None,
                                    "reason": f"{exc.reason}: {exc.message}"})
            scan.errors += [{"path": rel, "stage": "load", "file": rel, "row": None, "severity": n.severity,
                             "reason": n.reason} for n in notes]
        if buf:
            writer.write_table(pa.Table.from_pylist(buf, schema=ROW_SCHEMA))
    return scan


def split_spool(spool: Path, counts: list[tuple[Path, int]]) -> None:
    """Cut the spool, in order, into one Parquet input per shard: counts holds
    (input path, number of rows) for each shard with rows."""
    targets = iter([(p, n) for p, n in counts if n > 0])
    current = next(targets, None)
    pending: list[pa.Table] = []
    have = 0
    with pq.ParquetFile(spool) as pf:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            table = pa.Table.from_batches([batch], schema=ROW_SCHEMA)
            while table.num_rows and current is not None:
                take = min(current[1] - have, table.num_rows)
                pending.append(table.slice(0, take))
                have += take
                table = table.slice(take)
                if have == current[1]:
                    _write_input(current[0], pa.concat_tables(pending))
                    pending, have = [], 0
                    current = next(targets, None)
    if current is not None:
        raise ValueError(f"spool ended before shard input {current[0]} was complete")


def _write_input(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def read_shard_rows(path: Path) -> Iterator[TableRow]:
    """The rows of one shard's input, as written by split_spool."""
    with pq.ParquetFile(path) as pf:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            for record in batch.to_pylist():
                yield TableRow(**record)
