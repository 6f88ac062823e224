"""`extract query "SQL"`: DuckDB over the output tables.

The four Parquet files of an output folder are registered as views named
after their tables (claims, articles, entities, errors).  A table whose file
is missing is registered as an empty table with the model's schema, so a
query that joins errors still works on a run without errors.parquet.

Read-only by default: the four files are opened by pyarrow (as datasets,
still read lazily, column by column) and handed to DuckDB as Arrow scans, so
DuckDB itself may touch no file at all -- it cannot read another file
(read_text('/etc/shadow')), cannot write (COPY ... TO, even over the tables
it reads: DuckDB's allowed_paths would grant writing them too), no EXPORT
DATABASE, no ATTACH, no extension installs or downloads -- and the
configuration is locked so SQL cannot lift this.  Tables created with CREATE
TABLE live in memory and vanish with the query.  `--output` is written by
extract, never into the output folder.  Text printed to a terminal has its
control characters escaped (an article can hold terminal escape sequences).
`--unsafe` gives plain DuckDB: any file the user can read or write.
"""
from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from pathlib import Path

from typing import TYPE_CHECKING

import click

from extract.models import TABLES, arrow_schema

if TYPE_CHECKING:   # duckdb and pyarrow load when a query runs, not with every command
    import duckdb
    import pyarrow as pa

FORMATS = ("table", "csv", "parquet", "json")
MAX_CELL = 60  # display columns per cell in the table format
# C0 and C1 control characters (ESC starts a terminal escape sequence, U+009B is CSI
# on its own); newline and tab are shown as \n and \t in the table format.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def connect(out_dir: Path, unsafe: bool = False) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one view per output table; read-only unless `unsafe`."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"output folder not found: {out_dir}")
    import duckdb
    con = duckdb.connect(":memory:")
    for name, model in TABLES.items():
        path = out_dir / f"{name}.parquet"
        if not path.is_file():
            con.register(f"_{name}_empty", arrow_schema(model).empty_table())
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}_empty"')
        elif unsafe:
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({_literal(str(path.resolve()))})')
        else:
            import pyarrow.dataset as ds
            # pyarrow reads the file; DuckDB only sees an Arrow scan and needs no file access
            con.register(f"_{name}_file", ds.dataset(path.resolve(), format="parquet"))
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "_{name}_file"')
    if not unsafe:
        _lock_down(con)
    return con


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Every file-system or network access, extension loading, and any later
    change of these settings is refused.  No allowed_paths: a path DuckDB may
    read it may also write (COPY ... TO 'OUT/claims.parquet')."""
    con.execute("SET enable_external_access=false")
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    con.execute("SET lock_configuration=true")


def run_query(sql: str, out_dir: Path, unsafe: bool = False) -> pa.Table:
    import pyarrow as pa
    con = connect(out_dir, unsafe=unsafe)
    try:
        rel = con.sql(sql)
        if rel is None:  # a statement without a result set
            return pa.table({})
        for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):  # duckdb 2.x, 1.x
            if hasattr(rel, method):
                return getattr(rel, method)()
        raise RuntimeError("unsupported duckdb version")
    finally:
        con.close()


# -- formatting ---------------------------------------------------------------

def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


def _clip(s: str, limit: int = MAX_CELL) -> str:
    if _width(s) <= limit:
        return s
    out, w = [], 0
    for c in s:
        cw = _width(c)
        if w + cw > limit - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def _cell(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return _visible(str(v).replace("\n", "\\n").replace("\t", "\\t"))


def _visible(text: str) -> str:
    """Control characters as \\xNN: article text must not drive the reader's terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_table(table: pa.Table) -> str:
    """Plain aligned text (CJK-width aware): header, rule, rows, row count."""
    names = table.column_names
    rows = [[_clip(_cell(v)) for v in row.values()] for row in table.to_pylist()]
    if not names:
        return "(no result)\n"
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]
    import pyarrow as pa
    numeric = [pa.types.is_integer(f.type) or pa.types.is_floating(f.type) for f in table.schema]

    def line(cells):
        parts = []
        for c, w, num in zip(cells, widths, numeric):
            pad = " " * (w - _width(c))
            parts.append(pad + c if num else c + pad)
        return " | ".join(parts).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _json_value(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def format_json(table: pa.Table) -> str:
    """A JSON array of row objects (UTF-8, not ASCII-escaped)."""
    rows = [{k: _json_value(v) for k, v in r.items()} for r in table.to_pylist()]
    if not rows:
        return "[]\n"
    lines = (json.dumps(r, ensure_ascii=False, default=str) for r in rows)
    # json escapes C0 controls itself; DEL and C1 (CSI) it leaves raw: escape them too (same JSON value)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", "[\n" + ",\n".join(lines) + "\n]\n")


def format_csv(table: pa.Table) -> str:
    import io

    import pyarrow.csv as pacsv
    buf = io.BytesIO()
    if table.num_columns:
        pacsv.write_csv(table, buf)
    return buf.getvalue().decode("utf-8")


def write_result(table: pa.Table, fmt: str, output: Path | None) -> None:
    if fmt == "parquet":
        if output is None:
            raise click.UsageError("--format parquet needs --output FILE")
        from extract.runs.writer import write_table_atomic
        write_table_atomic(table, output)
        return
    text = {"table": format_table, "csv": format_csv, "json": format_json}[fmt](table)
    if output is None:
        if fmt == "csv" and sys.stdout.isatty():   # a file gets the exact values; a terminal no escapes
            text = _visible(text)
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


@click.command("query")
@click.argument("sql")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Output folder of `extract run` holding the .parquet tables")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the result to FILE instead of stdout (required for parquet)")
@click.option("--unsafe", is_flag=True,
              help="Plain DuckDB: SQL may read and write any file you can (read_csv, COPY TO, ATTACH) "
                   "and install extensions. Default: only the four tables are readable, nothing is written")
def query_command(sql: str, out_dir: Path, fmt: str, output: Path | None, unsafe: bool) -> None:
    """Run SQL over the views claims, articles, entities and errors.

    Read-only by default: the SQL sees the four tables of OUT and nothing else
    on disk or on the network (no other files, no COPY TO, no ATTACH, no
    extension installs); --output is written by extract, not by the SQL.

    \b
    extract query "SELECT category, count(*) n FROM claims GROUP BY 1 ORDER BY n DESC"
    extract query "SELECT * FROM claims WHERE province = '辽宁省'" --format csv --output ln.csv
    """
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs --output FILE")
    if output is not None and _inside(output, out_dir):
        raise click.UsageError(f"--output {output} is inside the output folder {out_dir}: a query never "
                               f"writes there (its tables and run.json are the run's); write it elsewhere")
    import duckdb
    try:
        table = run_query(sql, out_dir, unsafe=unsafe)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except duckdb.Error as exc:
        raise click.ClickException(f"query failed: {exc}") from exc
    write_result(table, fmt, output)


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` (a file that may not exist yet) lies in `folder`, links resolved."""
    real, root = Path(path).resolve(), Path(folder).resolve()
    return real == root or root in real.parents


def register(group: click.Group) -> None:
    group.add_command(query_command)
