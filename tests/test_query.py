"""`extract query`: DuckDB over the output tables."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.report.query import connect, format_table, run_query

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(seeds_out) -> Path:
    """The session-wide run over seeds/ (tests/conftest.py)."""
    return seeds_out


def invoke(*args):
    result = CliRunner().invoke(main, ["query", *args], catch_exceptions=False)
    return result


def test_views_match_the_parquet_files(out):
    con = connect(out)
    for name in ("claims", "articles", "entities", "errors"):
        n = con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        assert n == pq.read_metadata(out / f"{name}.parquet").num_rows
    con.close()


def test_join_across_tables(out):
    t = run_query("SELECT a.path, count(c.start) n, any_value(a.claims) expected FROM articles a "
                  "LEFT JOIN claims c ON c.article = a.path GROUP BY a.path", out)
    rows = t.to_pylist()
    assert rows and all(r["n"] == r["expected"] for r in rows)


def test_table_format(out):
    r = invoke("SELECT province, count(*) AS n FROM claims WHERE province = '辽宁省' GROUP BY 1", "--out", str(out))
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split("|")[0].strip() == "province"
    assert lines[2].startswith("辽宁省")
    assert lines[-1] == "(1 row)"


def test_csv_json_parquet_outputs_agree(out, tmp_path):
    sql = "SELECT article, start, value, region, year FROM claims ORDER BY article, start"
    expected = run_query(sql, out).to_pylist()
    assert expected

    r = invoke(sql, "--out", str(out), "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [(x["article"], int(x["start"])) for x in rows] == [(e["article"], e["start"]) for e in expected]

    r = invoke(sql, "--out", str(out), "--format", "json", "--output", str(tmp_path / "c.json"))
    assert r.exit_code == 0 and r.output == ""
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == expected

    r = invoke(sql, "--out", str(out), "--format", "parquet", "--output", str(tmp_path / "c.parquet"))
    assert r.exit_code == 0
    assert pq.read_table(tmp_path / "c.parquet").to_pylist() == expected


def test_parquet_needs_output(out):
    r = invoke("SELECT 1", "--out", str(out), "--format", "parquet")
    assert r.exit_code != 0 and "--output" in r.output


def test_bad_sql_is_a_clean_error(out):
    r = invoke("SELECT * FROM no_such_table", "--out", str(out))
    assert r.exit_code == 1 and "query failed" in r.output


def test_missing_out_dir(tmp_path):
    r = invoke("SELECT 1", "--out", str(tmp_path / "nope"))
    assert r.exit_code == 1 and "not found" in r.output


def test_missing_table_is_empty_view(tmp_path):
    t = run_query("SELECT count(*) n FROM errors", tmp_path)
    assert t.to_pylist() == [{"n": 0}]
    t = run_query("SELECT * FROM claims", tmp_path)
    assert "claim_group" in t.column_names and t.num_rows == 0


def test_table_format_aligns_wide_characters():
    import pyarrow as pa
    text = format_table(pa.table({"region": ["辽宁省", "ab"], "n": [1, 22]}))
    lines = text.splitlines()
    # "辽宁省" is 6 display columns wide: the separator sits at the same column on every row
    assert lines[0] == "region |  n"
    assert lines[2] == "辽宁省 |  1"
    assert lines[3] == "ab     | 22"


# --------------------------------------------------------------------------- read-only by default

@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT * FROM claims) TO '{out}/claims.parquet' (FORMAT parquet)",
    "COPY (SELECT 1 AS x) TO '{tmp}/x.csv'",
    "ATTACH '{tmp}/x.duckdb' AS x",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SELECT * FROM read_parquet('{other}')",
])
def test_query_is_read_only_by_default(out, tmp_path, sql):
    other = tmp_path / "other.parquet"
    pq.write_table(pq.read_table(out / "errors.parquet"), other)
    before = (out / "claims.parquet").read_bytes()
    r = invoke(sql.format(out=out, tmp=tmp_path, other=other), "--out", str(out))
    assert r.exit_code != 0 and "query failed" in r.output, r.output
    assert (out / "claims.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.parquet"]


def test_read_only_still_reads_the_tables(out):
    r = invoke("SELECT count(*) AS n FROM claims c JOIN articles a ON c.article = a.path", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert int(r.output.split("\n")[2]) == pq.read_metadata(out / "claims.parquet").num_rows


def test_unsafe_allows_files(out, tmp_path):
    target = tmp_path / "x.csv"
    r = invoke(f"COPY (SELECT count(*) AS n FROM claims) TO '{target}'", "--out", str(out), "--unsafe")
    assert r.exit_code == 0, r.output
    assert target.read_text().splitlines()[1] == str(pq.read_metadata(out / "claims.parquet").num_rows)
