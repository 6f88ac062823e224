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
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.inputs.tables import MissingTextColumn
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
    # a file where no line is an article is a table without text: it stops the run (issue 18,
    # tests/test_config.py), and, asked to go on, is still one error for the table
    (inp / "t.jsonl").write_text('{"export": "crawler v2"}\n{"author": "x"}\n', encoding="utf-8")
    with pytest.raises(MissingTextColumn):
        run(inp, out, extractor, progress=False, full=True)
    run(inp, out, extractor, progress=False, full=True, skip_tables_without_text=True)
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


# --------------------------------------------------------------------------- names

def test_file_names_that_are_not_utf8_are_read_under_a_readable_key(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    gbk = os.fsdecode("北京".encode("gb18030") + b".txt")     # as unzip makes of a Windows archive
    junk = os.fsdecode(b"\xff\xfe.txt")
    for name in (gbk, junk):
        (inp / name).write_text(ARTICLE, encoding="utf-8")
    (inp / os.fsdecode("表".encode("gb18030") + b".jsonl")).write_text(
        json.dumps({"content": BODY}, ensure_ascii=False) + "\n", encoding="utf-8")
    (inp / os.fsdecode(b"\xff.pdf")).write_bytes(b"%PDF")
    summary = run(inp, out, extractor, progress=False)
    assert summary.articles == 3 and summary.failed == 0 and summary.errors == 0
    claims = {}
    for c in table(out, "claims"):
        claims[c["article"]] = claims.get(c["article"], 0) + 1
    assert claims == {"北京.txt": 2, "\\xff\\xfe.txt": 2, "表.jsonl#0": 2}
    warned = {e["path"]: e["reason"] for e in errors(out)}
    assert "not UTF-8" in warned["北京.txt"] and "not UTF-8" in warned["表.jsonl"]
    assert "\\xff.pdf" in warned   # the skipped file is listed too
    # unchanged on a second run, and the same under a pool of workers
    again = run(inp, out, extractor, progress=False)
    assert (again.processed, again.carried) == (0, 3)
    pooled = run(inp, tmp_path / "out2", progress=False, workers=2, shard_size=1)
    assert pooled.articles == 3 and pooled.failed == 0


# --------------------------------------------------------------------------- FIFOs and devices, links

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_and_device_links_are_skipped_not_waited_on(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(inp / "x.txt")                       # nobody ever writes to it
    os.mkfifo(inp / "rows.jsonl")
    (inp / "zero.txt").symlink_to("/dev/zero")      # endless bytes
    (inp / "null.csv").symlink_to("/dev/null")
    proc = extract_cli("run", str(inp), "--out", str(out), "-j", "1", "--follow-symlinks", "--no-progress",
                       timeout=120)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-2000:]
    skipped = {e["path"]: e["reason"] for e in errors(out)}
    assert skipped == {"x.txt": "not a regular file (a FIFO): skipped",
                       "rows.jsonl": "not a regular file (a FIFO): skipped",
                       "zero.txt": "not a regular file (a character device): skipped",
                       "null.csv": "not a regular file (a character device): skipped"}
    assert len(table(out, "claims")) == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_swapped_in_after_discovery_is_an_errors_row(tmp_path):
    from extract.inputs.load import LoadError, read_bytes
    os.mkfifo(tmp_path / "late.txt")
    with pytest.raises(LoadError, match="not a regular file"):
        read_bytes(tmp_path / "late.txt", 1000)


# --------------------------------------------------------------------------- the output folder

def test_out_inside_the_input_is_never_read_as_articles(tmp_path, extractor):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = inp / "out"
    for _ in range(3):   # each run leaves tables (and a report) in out/: none may become an article
        summary = run(inp, out, extractor, progress=False)
        CliRunner().invoke(main, ["report", str(out)])
        assert (out / "report.html").is_file()
        assert summary.articles == 1 and len(table(out, "claims")) == 2
    assert {e["path"]: e["reason"] for e in errors(out)} == {
        "out": "the run's output folder (--out): not read as input"}


def test_out_that_is_the_input_folder_is_refused_with_a_message(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    before = snapshot(inp)
    result = CliRunner().invoke(main, ["run", str(inp), "--out", str(inp), "-j", "1"])
    assert result.exit_code == 1 and "is the input folder" in result.output
    assert snapshot(inp) == before


def test_a_failing_run_removes_only_its_own_temporary_files(tmp_path, extractor, monkeypatch):
    import errno

    import extract.runs.run as run_module
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out.mkdir()
    mine = {".notes.tmp": b"my notes", ".claims.draft.tmp": b"draft", "x.tmp": b"x"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    real_merge = run_module.merge_parts

    def merge_then_fill_the_disk(out_dir, name, shard_dirs, tag):
        writer = real_merge(out_dir, name, shard_dirs, tag)
        if name == "entities":   # claims and articles are already in their temporary files
            raise OSError(errno.ENOSPC, "No space left on device")
        return writer

    monkeypatch.setattr(run_module, "merge_parts", merge_then_fill_the_disk)
    with pytest.raises(OSError):
        run(inp, out, extractor, progress=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == mine


def test_a_lock_file_that_is_not_ours_is_left_alone(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out.mkdir()
    (out / ".lock").write_text("held by my sync tool\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(inp), "--out", str(out), "-j", "1"])
    assert result.exit_code == 1 and "not a lock of extract" in result.output
    assert (out / ".lock").read_text(encoding="utf-8") == "held by my sync tool\n"
    assert sorted(p.name for p in out.iterdir()) == [".lock"]


# --------------------------------------------------------------------------- budgets

def test_failed_articles_are_tried_again_on_the_next_run(tmp_path, extractor, monkeypatch):
    from extract import watchdog
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (inp / "b.txt").write_text(ARTICLE.replace("35", "36"), encoding="utf-8")

    def over_budget(raw):   # as --budget 0.01 on a slow machine: the text was read, the stages ran out
        raise watchdog.BudgetExceeded("quantities", 0.01)

    monkeypatch.setattr(extractor, "process", over_budget)
    first = run(inp, out, extractor, progress=False, budget_s=0.01)
    monkeypatch.undo()
    assert first.failed == 2 and all("time budget" in e["reason"] for e in errors(out))
    assert all(a["sha256"] for a in table(out, "articles"))   # read: their hashes are known
    second = run(inp, out, extractor, progress=False, budget_s=600)
    assert (second.processed, second.carried, second.failed, second.errors) == (2, 0, 0, 0)
    assert len(table(out, "claims")) == 4 and errors(out) == []
    third = run(inp, out, extractor, progress=False, budget_s=600)
    assert (third.processed, third.carried) == (0, 2)   # articles that succeeded are carried as before


# --------------------------------------------------------------------------- installs

def test_every_distribution_a_run_imports_is_declared_without_relying_on_extras():
    """`pip install -e .` with the pip that `python -m venv` brings (23.2) does not
    match an extra spelled html_clean to lxml's html-clean: whatever a run
    imports (HTML pages included) must be reachable from pyproject's
    dependencies through requirements, extras matched only by exact name."""
    import importlib.metadata as md
    import tomllib

    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    reachable: set[str] = set()
    todo = [(Requirement(r), None) for r in declared]
    while todo:
        req, extra = todo.pop()
        env = dict(default_environment(), extra=extra or "")
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        for wanted in [None, *req.extras]:
            if (name, wanted) in reachable:
                continue
            reachable.add((name, wanted))
            try:
                requires = md.requires(req.name) or []
            except md.PackageNotFoundError:
                continue
            # old pip: a requirement under `extra == "x"` only counts for the extra spelled exactly x
            # (packaging's own marker evaluation would normalize html_clean to html-clean)
            for r in requires:
                named = re.search(r"""extra\s*==\s*["']([^"']+)["']""", r)
                if named is None or named.group(1) == wanted:
                    todo.append((Requirement(r), wanted))
    names = {n for n, _ in reachable}
    page = "<html><head><title>某市集团化办学</title></head><body><article><p>" + BODY * 5 + "</p></article></body></html>"
    probe = ("import sys, pathlib, tempfile\n"
             "from extract.inputs.html import read_html\n"
             "import extract.cli, extract.pipeline, extract.runs.run, extract.report.query, extract.report.page\n"
             "d = pathlib.Path(tempfile.mkdtemp()); (d / 'p.html').write_text(sys.argv[1], encoding='utf-8')\n"
             "read_html(d / 'p.html', 'p.html')\n"
             "print('\\n'.join(sorted(m.split('.')[0] for m in list(sys.modules))))\n")
    proc = subprocess.run([sys.executable, "-c", probe, page], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    tops = set(proc.stdout.split())
    assert "lxml_html_clean" in tops or "lxml" in tops
    dists = md.packages_distributions()
    missing = sorted({canonicalize_name(d) for top in tops if top not in sys.stdlib_module_names
                      for d in dists.get(top, [])} - names - {"extract"})
    assert missing == [], f"imported but not declared in pyproject (or only through an extra): {missing}"


# --------------------------------------------------------------------------- encodings: stray bytes

@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_one_nul_byte_does_not_reject_an_article(tmp_path, extractor, encoding):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    data = ARTICLE.encode(encoding)
    cut = data.index("截至".encode(encoding))
    (inp / "a.txt").write_bytes(data[:cut] + b"\x00" + data[cut:])
    summary = run(inp, out, extractor, progress=False)
    assert summary.failed == 0 and summary.errors == 0
    claims = table(out, "claims")
    assert len(claims) == 2
    text = (inp / "a.txt").open(encoding=encoding, errors="replace").read()
    assert all(text[c["start"]:c["end"]] == c["text"] for c in claims)   # offsets into the file as read
    (warning,) = errors(out)
    assert warning["severity"] == "warning" and f"1 NUL byte in the text, at byte offset {cut}" in warning["reason"]


def test_many_nul_bytes_are_still_binary(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    data = (ARTICLE * 5).encode("utf-8")
    (inp / "a.txt").write_bytes(b"".join(data[i:i + 10] + b"\x00" for i in range(0, len(data), 10)))
    summary = run(inp, out, extractor, progress=False)
    assert summary.failed == 1 and "binary" in errors(out)[0]["reason"]


# --------------------------------------------------------------------------- evaluate and diff

@pytest.mark.parametrize("gold", [
    '{"article": "a.txt", "start": 0, "end": 2}\n{"article": "a.txt", "start": 3,\n',
    '[1, 2]\n',
    '{"article": "a.txt", "start": "x", "end": 2}\n',
    '{"article": "a.txt"}\n',
])
def test_evaluate_with_a_malformed_gold_line_is_a_message(one_run, tmp_path, gold):
    _, out = one_run
    (tmp_path / "gold.jsonl").write_text(gold, encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(out), str(tmp_path / "gold.jsonl")])
    assert result.exit_code == 1 and "gold.jsonl:" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_diff_against_a_table_missing_columns_is_a_message(one_run, tmp_path):
    _, out = one_run
    other = tmp_path / "other"
    other.mkdir()
    pq.write_table(pa.table({"article": ["a.txt"], "start": [0]}), other / "claims.parquet")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "claims.parquet").write_bytes(b"not parquet")
    for bad in (other, tmp_path / "junk"):
        result = CliRunner().invoke(main, ["diff", str(out), str(bad)])
        assert result.exit_code == 1 and "claims.parquet" in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    result = CliRunner().invoke(main, ["diff", str(out), str(out)])
    assert result.exit_code == 0 and "unchanged 2" in result.output


# --------------------------------------------------------------------------- kills

# Loaded by every process of the run below (sitecustomize on PYTHONPATH): a worker that
# reads an article holding BOMB dies at once, as one the kernel's OOM killer takes.
BOMB_HOOK = '''
import os, signal
import extract.pipeline as _pipeline
_process = _pipeline.Extractor.process
def process(self, raw):
    if "BOMB" in raw.text and os.getpid() != int(os.environ["EXTRACT_MAIN_PID"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return _process(self, raw)
_pipeline.Extractor.process = process
'''


def test_an_article_that_kills_its_worker_becomes_its_errors_row(tmp_path):
    hook, inp, out = tmp_path / "hook", tmp_path / "in", tmp_path / "out"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BOMB_HOOK, encoding="utf-8")
    inp.mkdir()
    for i in range(10):
        (inp / f"a{i:02d}.txt").write_text(ARTICLE.replace("35", str(40 + i)), encoding="utf-8")
    (inp / "a04b.txt").write_text("BOMB\n\n" + BODY + "\n", encoding="utf-8")
    (inp / "rows.jsonl").write_text("".join(json.dumps({"id": k, "content": t}, ensure_ascii=False) + "\n"
                                            for k, t in [("r1", BODY), ("boom", "BOMB " + BODY), ("r2", BODY)]),
                                    encoding="utf-8")
    launcher = ("import os, sys; os.environ['EXTRACT_MAIN_PID'] = str(os.getpid()); "
                "from extract.cli import main; sys.exit(main())")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", launcher, "run", str(inp), "--out", str(out), "-j", "2",
                           "--shard-size", "3", "--no-progress"], capture_output=True, text=True,
                          timeout=240, env=env)
    no_traceback(proc)
    assert proc.returncode == 3, proc.stderr[-2000:]
    status = {a["path"]: a["status"] for a in table(out, "articles")}
    assert len(status) == 14
    assert {k for k, v in status.items() if v == "error"} == {"a04b.txt", "boom"}
    lost = {e["path"]: e for e in errors(out)}
    assert set(lost) == {"a04b.txt", "boom"}
    assert all(e["stage"] == "extract" and "worker process died" in e["reason"] and "fix:" in e["reason"]
               for e in lost.values())
    assert (lost["boom"]["file"], lost["boom"]["row"]) == ("rows.jsonl", 1)
    assert len(table(out, "claims")) == 2 * 10 + 2 * 2   # every other article kept its claims


def test_shard_size_that_does_not_divide_the_articles(tmp_path, extractor):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    for i in range(7):
        (inp / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    summary = run(inp, out, extractor, progress=False, shard_size=3)
    assert (summary.articles, summary.shards, summary.failed) == (7, 3, 0)
