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
