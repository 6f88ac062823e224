"""A hostile or unlucky corpus (issue 19): every case builds its own input in
tmp_path and checks a promise of the README -- every failure is an errors
row naming the file (and row), the stage and the fix; the run goes on; no
traceback, no hang; nothing outside --out changes; `extract query` cannot
write to the output folder or read other files; `extract report` reads only
the run's own input files inside its input root.  docs/reliability.md lists
the cases with the test of each.

Hang cases run `extract` in a subprocess with a timeout, so a regression
fails instead of blocking the suite.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.runs.run import run

# One paragraph with two claims and a dated header line, as a crawler saves a page.
BODY = "截至2023年底,某市已组建教育集团35个,覆盖学校120所。"
ARTICLE = f"某市推进集团化办学\n2024-01-05\n\n{BODY}\n"
UNDATED = "目前,某市已组建教育集团35个,覆盖学校120所。"   # no year of its own: the given date decides


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def errors(out: Path) -> list[dict]:
    return table(out, "errors")


def extract_cli(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`extract ...` in a fresh process: a hang fails the test after `timeout` seconds."""
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under folder, with its bytes (for 'nothing changed' checks)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def one_run(tmp_path, extractor):
    """A finished run of one article: (input folder, output folder)."""
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    run(inp, out, extractor, progress=False)
    assert len(table(out, "claims")) == 2
    return inp, out


# --------------------------------------------------------------------------- queries

@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1 AS x) TO '{out}/claims.parquet' (FORMAT parquet, USE_TMP_FILE false)",
    "COPY claims TO '{out}/claims.parquet' (FORMAT parquet)",
    "COPY (SELECT 1 AS x) TO '{out}/run.json'",
    "EXPORT DATABASE '{out}/dump'",
    "ATTACH '{out}/x.duckdb' AS x",
    "SELECT * FROM read_text('{inp}/a.txt')",
    "SELECT * FROM read_parquet('{out}/../out/claims.parquet')",
])
def test_query_cannot_write_the_output_folder_or_read_other_files(one_run, sql):
    inp, out = one_run
    before = snapshot(out)
    result = CliRunner().invoke(main, ["query", "--out", str(out), sql.format(out=out, inp=inp)])
    assert result.exit_code == 1 and "query failed" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert snapshot(out) == before


def test_query_output_option_never_lands_in_the_output_folder(one_run, tmp_path):
    _, out = one_run
    before = snapshot(out)
    for target in (out / "claims.parquet", out / "sub" / "x.csv"):
        result = CliRunner().invoke(main, ["query", "--out", str(out), "SELECT 1 AS x", "--format", "parquet",
                                           "--output", str(target)])
        assert result.exit_code == 2 and "inside the output folder" in result.output
    assert snapshot(out) == before
    elsewhere = tmp_path / "result.csv"
    result = CliRunner().invoke(main, ["query", "--out", str(out), "SELECT count(*) AS n FROM claims",
                                       "--format", "csv", "--output", str(elsewhere)])
    assert result.exit_code == 0 and elsewhere.read_text(encoding="utf-8").split() == ['"n"', "2"]


def test_query_escapes_terminal_control_sequences(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    # ESC [2J clears the screen, ESC ]0; sets the window title, U+009B is a one-character CSI
    filler = "\n\n".join(["全市推进集团化办学,促进义务教育优质均衡发展。"] * 4)
    (inp / "a.txt").write_text(f"标题\x1b[2J\x1b]0;pwned\x07\u009b31m\n\n{BODY}\n\n{filler}\n", encoding="utf-8")
    run(inp, out, extractor, progress=False)
    for fmt in ("table", "json"):
        result = CliRunner().invoke(main, ["query", "--out", str(out), "--format", fmt,
                                           "SELECT title, sentence FROM articles, claims"])
        assert result.exit_code == 0, result.output
        assert not any(c in result.output for c in "\x1b\x07\u009b"), repr(result.output)
        assert "2J" in result.output   # shown, escaped, not dropped
    # the values themselves are intact: JSON decodes back to the article's characters
    result = CliRunner().invoke(main, ["query", "--out", str(out), "--format", "json", "SELECT title FROM articles"])
    assert json.loads(result.output)[0]["title"].startswith("标题\x1b[2J")


# --------------------------------------------------------------------------- reports

def _forge_paths(out: Path, paths: list[str]) -> None:
    """articles.parquet rewritten by hand (or by a query, before issue 19) to name other files."""
    t = pq.read_table(out / "articles.parquet")
    rows = t.to_pylist()
    forged = [dict(rows[0], path=p) for p in paths]
    pq.write_table(pa.Table.from_pylist(rows + forged, schema=t.schema), out / "articles.parquet")


def test_report_reads_only_article_files_inside_the_input_root(one_run, tmp_path):
    inp, out = one_run
    secret = "SECRET-" + "x" * 20
    (tmp_path / "secret.txt").write_text(secret, encoding="utf-8")
    (tmp_path / "key.md").write_text(secret, encoding="utf-8")
    (inp / "notes.cfg").write_text(secret, encoding="utf-8")      # inside the root, but no article
    (inp / "link.txt").symlink_to(tmp_path / "secret.txt")        # inside by name, outside in fact
    _forge_paths(out, [str(tmp_path / "secret.txt"), "../secret.txt", "../key.md", "notes.cfg", "link.txt",
                       "/etc/hostname", "../../../../../../etc/hostname"])
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert secret not in page
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path("/etc/hostname").is_file() else ""
    if len(hostname) > 6:
        assert hostname not in page
    assert "Not an article file of the run" in page
    assert "已组建教育集团" in page   # the real article is still shown


# --------------------------------------------------------------------------- encodings and tables

def _by_path(rows: list[dict]) -> dict[str, dict]:
    return {r["path"]: r for r in rows}


def test_gbk_csv_with_a_utf8_row_after_the_sniffed_bytes_keeps_every_row(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    head = "id,content\n" + "".join(f'g{i},"第{i}篇。{BODY * 3}"\n' for i in range(400))
    data = head.encode("gb18030")
    assert len(data) > 64 * 1024   # past the bytes the encoding is sniffed from
    data += f'u1,"{BODY}"\n'.encode("utf-8") + f'g400,"{BODY}"\n'.encode("gb18030")
    data += b'b1,"\xff' + BODY.encode("gb18030") + b'"\n'   # a byte no encoding takes
    (inp / "export.csv").write_bytes(data)
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 403 and summary.failed == 0 and summary.errors == 0
    arts = _by_path(table(out, "articles"))
    assert arts["u1"]["text"] == BODY and arts["g400"]["text"] == BODY
    assert arts["b1"]["text"].endswith(BODY[1:])
    reasons = {e["reason"] for e in errors(out) if e["file"] == "export.csv"}
    assert any("line 402: utf-8 in a gb18030 file" in r for r in reasons), reasons
    assert any("line 404: 1 bytes that fit no encoding" in r for r in reasons), reasons
    # the notes name the line, which an editor shows: the UTF-8 row is the 402nd line
    assert data.split(b"\n")[401].startswith(b"u1,")
    assert {e["severity"] for e in errors(out)} == {"warning"}


def test_utf8_jsonl_with_one_gbk_line_keeps_the_other_lines(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    lines = [json.dumps({"id": f"j{i}", "content": BODY}, ensure_ascii=False).encode("utf-8") for i in range(3)]
    lines.insert(1, json.dumps({"id": "gbk", "content": BODY}, ensure_ascii=False).encode("gb18030"))
    (inp / "rows.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 4 and summary.failed == 0
    assert _by_path(table(out, "articles"))["gbk"]["status"] == "ok"


def test_one_ragged_csv_row_costs_only_itself(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    rows = [f'r{i},"{BODY}"' for i in range(10)]
    rows[4] = 'r4,"a",too,many'
    (inp / "t.csv").write_text("id,content\n" + "\n".join(rows) + "\n", encoding="utf-8")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 9 and len(table(out, "claims")) == 18
    (bad,) = errors(out)
    assert (bad["path"], bad["file"], bad["severity"]) == ("t.csv", "t.csv", "error")
    assert "4 fields where the header has 2" in bad["reason"] and "skipped" in bad["reason"]
    assert summary.errors == 1   # a lost row makes the run exit 3


def test_jsonl_metadata_line_does_not_discard_the_rows_after_it(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    lines = [{"export": "crawler v2", "count": 3}] + [{"id": f"j{i}", "content": BODY} for i in range(3)] \
        + [{"export_end": True}]
    (inp / "t.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 3 and len(table(out, "claims")) == 6
    notes = sorted(e["reason"][:7] for e in errors(out))
    assert notes == ["line 1:", "line 5:"]
    assert {e["severity"] for e in errors(out)} == {"warning"} and summary.errors == 0
    # a file where no line is an article is still one error for the table
    (inp / "t.jsonl").write_text('{"export": "crawler v2"}\n{"author": "x"}\n', encoding="utf-8")
    run(inp, out, extractor, progress=False, full=True)
    (only,) = errors(out)
    assert only["severity"] == "error" and "none of the text columns" in only["reason"]


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_jsonl_non_finite_date_is_a_warning(tmp_path, extractor, literal):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "t.jsonl").write_text(f'{{"id": "a", "content": "{UNDATED}", "publish_time": {literal}}}\n',
                                 encoding="utf-8")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 1 and summary.failed == 0 and len(table(out, "claims")) == 2
    if literal != "NaN":   # NaN is a missing value, not a date
        (warning,) = errors(out)
        assert warning["severity"] == "warning" and "without a given date" in warning["reason"]


@pytest.mark.parametrize("value", [
    pa.array([dt.date(1900, 1, 1)]),
    pa.array([dt.datetime(1970, 1, 1)], pa.timestamp("s")),
    pa.array([dt.datetime(9999, 12, 31, 23)], pa.timestamp("us", tz="UTC")),
    pa.array([dt.date(9999, 12, 31)]),
    pa.array([253402300800 + 86400 * 366], pa.timestamp("s")),   # past 9999: no Python datetime holds it
])
def test_parquet_placeholder_and_out_of_range_dates_give_no_year(tmp_path, extractor, value):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    pq.write_table(pa.table({"body": [UNDATED], "pubdate": value}), inp / "t.parquet")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 1 and summary.failed == 0
    claims = table(out, "claims")
    assert len(claims) == 2 and {c["year"] for c in claims} == {None}
    (warning,) = errors(out)
    assert (warning["severity"], warning["file"], warning["row"]) == ("warning", "t.parquet", 0)
    assert "without a given date" in warning["reason"]
