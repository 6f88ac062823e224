"""A corpus configuration (issue 18, part 4): extract.toml or [tool.extract]
in the working folder gives every command its defaults, flags override it;
Chinese column names are recognised without flags; a table without a text
column stops the run before OUT changes; the run's summary lists each kind
of error with a count, an example and the fix."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.config import Config, ConfigError, load
from extract.runs.errorkinds import classify, kinds_of
from test_rules_loader import GOOD_RULE

ARTICLE = "鞍山市推进集团化办学\n\n目前全市义务教育学校组建55个集团,参与学校416所。\n"


def invoke(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def claims(out: Path) -> list[dict]:
    return pq.read_table(out / "claims.parquet").to_pylist()


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


# -- Chinese column names, no flags ------------------------------------------------------------

@pytest.mark.parametrize("header", [["标题", "正文", "发布时间", "链接"], ["标题", "内容", "日期", "网址"]])
def test_a_folder_of_csv_files_with_chinese_headers_needs_no_flags(tmp_path, monkeypatch, header):
    monkeypatch.chdir(tmp_path)
    rows = [["鞍山集团化办学", "目前鞍山市义务教育学校组建55个集团。", "2022-04-13 17:35", "https://a.cn/1"],
            ["大连学区", "大连市共有学区36个。", "2021年5月6日", "https://a.cn/2"]]
    write_csv(tmp_path / "in" / "a.csv", header, rows[:1])
    write_csv(tmp_path / "in" / "sub" / "b.csv", header, rows[1:], encoding="gb18030")
    res = invoke(["run", "in", "--out", "out", "-j", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    arts = {a["path"]: a for a in pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()}
    assert set(arts) == {"https://a.cn/1", "https://a.cn/2"}
    assert all(a["status"] == "ok" for a in arts.values())
    assert (arts["https://a.cn/1"]["title_given"], arts["https://a.cn/1"]["published_given"]) == \
        ("鞍山集团化办学", "2022-04-13")
    assert arts["https://a.cn/2"]["published_given"] == "2021-05-06"
    assert sorted(c["text"] for c in claims(tmp_path / "out")) == ["36个", "55个"]


# -- the configuration file ---------------------------------------------------------------------

def _corpus(tmp_path: Path) -> None:
    write_csv(tmp_path / "exports" / "t.csv", ["编号", "文本", "时间"],
              [["n1", "鞍山市今年招收120生。", "2022-04-13"], ["n2", ARTICLE, "2021-01-01"]])
    rules = tmp_path / "my_rules"
    rules.mkdir()
    (rules / "sheng.yaml").write_text(GOOD_RULE, encoding="utf-8")


CONFIG = """\
input = "exports"
out = "results"
rules = ["my_rules"]
workers = 1
budget = 30
max_bytes = 1000000

[columns]
text = ["文本"]
date = "时间"
id = "编号"
"""


def test_run_reads_extract_toml_and_flags_override_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path)
    (tmp_path / "extract.toml").write_text(CONFIG, encoding="utf-8")
    res = invoke(["run", "--no-progress"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "results" / "run.json").read_text(encoding="utf-8"))
    assert (manifest["workers"], manifest["budget_s"], manifest["max_bytes"]) == (1, 30.0, 1_000_000)
    assert manifest["input"] == str((tmp_path / "exports").resolve())
    got = {(c["article"], c["text"], c["rule_id"]) for c in claims(tmp_path / "results")}
    assert ("n1", "120生", "user.sheng") in got        # the rules folder of the file
    assert {a for a, _, _ in got} == {"n1", "n2"}     # the id and text columns of the file
    arts = {a["path"]: a for a in pq.read_table(tmp_path / "results" / "articles.parquet").to_pylist()}
    assert arts["n1"]["published_given"] == "2022-04-13"

    # flags win over the file: another output folder, budget and id column
    res = invoke(["run", "--no-progress", "--out", "other", "--budget", "7", "--id-column", "nosuch"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "other" / "run.json").read_text(encoding="utf-8"))
    assert manifest["budget_s"] == 7.0
    assert {c["article"] for c in claims(tmp_path / "other")} == {"t.csv#0", "t.csv#1"}


def test_pyproject_tool_extract_and_an_explicit_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.extract]\n"
                                             + CONFIG.replace("[columns]", "[tool.extract.columns]"),
                                             encoding="utf-8")
    cfg = load()
    assert cfg.path == tmp_path / "pyproject.toml" and cfg.columns["text"] == ("文本",)
    assert cfg.rules == (tmp_path / "my_rules",) and cfg.out == tmp_path / "results"
    assert invoke(["run", "--no-progress"]).exit_code == 0
    assert any(c["rule_id"] == "user.sheng" for c in claims(tmp_path / "results"))

    # extract.toml comes first; --config names any file, its paths relative to it
    (tmp_path / "extract.toml").write_text('out = "from_extract_toml"\n', encoding="utf-8")
    assert load().out == tmp_path / "from_extract_toml"
    elsewhere = tmp_path / "conf"
    elsewhere.mkdir()
    (elsewhere / "corpus.toml").write_text('out = "o"\nrules = "../my_rules"\n', encoding="utf-8")
    cfg = load(elsewhere / "corpus.toml")
    assert cfg.out == elsewhere.resolve() / "o" and cfg.rules == (elsewhere.resolve() / "../my_rules",)
    res = invoke(["--config", str(elsewhere / "corpus.toml"), "rules", "test", "--user-only"])
    assert res.exit_code == 0 and "1 rules" in res.output, res.output


def test_no_config_file_means_no_defaults_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert load() == Config()
    assert Config().default_map()["run"] == {}


@pytest.mark.parametrize("text, words", [
    ('outt = "x"\n', ["unknown key", "'outt'", "known:"]),
    ("workers = 0\n", ["workers must be", "0"]),
    ('workers = "2"\n', ["workers must be"]),
    ("budget = -1\n", ["budget must be"]),
    ("rules = 3\n", ["rules must be"]),
    ("[columns]\ntexts = ['正文']\n", ["unknown key", "columns.texts"]),
    ("[columns]\ntext = 3\n", ["columns.text must be"]),
    ("[columns]\ntext = []\n", ["columns.text names no column"]),
    ("out = \n", ["not valid TOML"]),
])
def test_a_broken_config_is_an_error_naming_file_and_key(tmp_path, monkeypatch, text, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "extract.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load()
    assert "extract.toml" in str(info.value)
    for w in words:
        assert w in str(info.value)
    (tmp_path / "in").mkdir()
    res = CliRunner().invoke(main, ["run", "in", "--out", "out", "--no-progress"])
    assert res.exit_code == 1 and "configuration:" in res.output and res.exception is not None \
        and isinstance(res.exception, SystemExit), res.output
    assert not (tmp_path / "out").exists()


def test_every_command_reads_the_configuration(tmp_path, monkeypatch):
    """rules (explain, coverage, rules test), columns (explain, coverage), the input
    folder (coverage), the output folder (explain, query, report, evaluate)."""
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path)
    (tmp_path / "extract.toml").write_text(CONFIG, encoding="utf-8")
    assert invoke(["run", "--no-progress"]).exit_code == 0
    res = invoke(["explain", "今年招收120生。"])
    assert res.exit_code == 0 and "rule user.sheng" in res.output, res.output
    res = invoke(["rules", "test", "--user-only"])
    assert res.exit_code == 0 and "1 rules" in res.output, res.output
    res = invoke(["query", "select count(*) as n from claims where rule_id = 'user.sheng'", "--format", "csv"])
    assert res.exit_code == 0 and res.output.split() == ['"n"', "1"], res.output
    (tmp_path / "gold.jsonl").write_text(json.dumps({"article": "n1", "start": 6, "end": 10, "value": 120,
                                                     "unit": "生"}) + "\n", encoding="utf-8")
    res = invoke(["evaluate", "gold.jsonl", "--json"])    # the run's folder from the file
    assert res.exit_code == 0 and json.loads(res.output)["matched"] == 1, res.output
    res = invoke(["report", "--output", "r.html"])
    assert res.exit_code == 0 and (tmp_path / "r.html").is_file(), res.output
    res = invoke(["coverage", "--top", "0"])     # the input folder and columns of the file
    assert res.exit_code == 0 and "2 articles: " in res.output and "not read" not in res.output, res.output
    res = invoke(["explain", "exports/t.csv", "--article", "n1"])   # its columns, its rules
    assert res.exit_code == 0 and "=== n1 (t.csv row 0)" in res.output and "rule user.sheng" in res.output
    res = invoke(["explain", "--article", "n2"])   # its output folder
    assert res.exit_code == 0 and "claims.parquet holds these 2 claims for n2" in res.output, res.output


# -- a missing text column stops the run before anything changes --------------------------------

def test_a_table_without_its_text_column_fails_before_out_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "in" / "t.csv", ["编号", "文本"], [["n1", ARTICLE]])
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    res = invoke(["run", "in", "--out", "out", "--text-column", "文本", "--no-progress"])
    assert res.exit_code == 0, res.output
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "out").iterdir()}
    assert len([c for c in claims(tmp_path / "out") if c["article"] == "t.csv#0"]) == 2

    res = CliRunner().invoke(main, ["run", "in", "--out", "out", "--no-progress"])   # the flag forgotten
    assert res.exit_code == 1, res.output
    assert "t.csv (columns: 编号, 文本)" in res.output and "--text-column" in res.output
    assert "Nothing in the output folder was changed" in res.output
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "out").iterdir()} == before

    # asked for, the table becomes an errors row and the run goes on (exit 3)
    res = CliRunner().invoke(main, ["run", "in", "--out", "out", "--no-progress", "--skip-tables-without-text"])
    assert res.exit_code == 3, res.output
    errors = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert [(e["path"], e["severity"]) for e in errors] == [("t.csv", "error")]
    assert "error no_text_column ×1" in res.output and "fix: name the column" in res.output


# -- the end-of-run summary ---------------------------------------------------------------------

def test_the_summary_lists_each_kind_of_error_with_count_example_and_fix(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    (inp / "empty1.txt").write_text("  \n", encoding="utf-8")
    (inp / "empty2.md").write_text("", encoding="utf-8")
    (inp / "big.txt").write_text(ARTICLE * 50, encoding="utf-8")
    (inp / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    lines = [{"id": "r1", "text": ARTICLE, "date": "上周五"}, {"id": "r1", "text": ARTICLE}, {"id": "r3", "text": ""}]
    (inp / "rows.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)
                                    + "{broken\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(tmp_path / "out"), "-j", "1",
                                    "--no-progress", "--max-bytes", "2000"])
    assert res.exit_code == 3, res.output
    out = res.output
    for kind, n, example, fix in [
        ("empty_file", 2, "empty1.txt: empty:", "remove the file"),
        ("too_large", 1, "big.txt: too_large:", "--max-bytes N"),
        ("duplicate_key", 1, "rows.jsonl#1: duplicate article key 'r1'", "unique id"),
        ("row_without_text", 1, "r3: rows.jsonl row 2: empty text", "--text-column"),
        ("row_not_json", 1, "rows.jsonl#3: rows.jsonl row 3: line 4 is not JSON", "one JSON object"),
    ]:
        head = f"error {kind} ×{n}: "
        assert head in out, (kind, out)
        block = out[out.index(head):].splitlines()
        assert block[1].startswith(f"    e.g. {example}"), (kind, block[:3])
        assert block[2].startswith("    fix: ") and fix in block[2], (kind, block[:3])
    assert "warning bad_date ×1: " in out and "warning not_an_article ×1: " in out
    # errors before warnings, and the counts add up to the table
    assert out.index("error ") < out.index("warning bad_date")
    n_rows = pq.read_metadata(tmp_path / "out" / "errors.parquet").num_rows
    assert sum(int(line.split("×")[1].split(":")[0]) for line in out.splitlines()
               if line.startswith(("error ", "warning ")) and "×" in line) == n_rows


@pytest.mark.parametrize("stage, reason, kind", [
    ("load", "undecodable: no encoding fits (charset-normalizer guess: none): …", "undecodable"),
    ("load", "binary: binary file (NUL bytes in first 8 KiB)", "binary"),
    ("load", "unreadable: cannot read file: Permission denied", "unreadable"),
    ("load", "cannot read folder: Permission denied", "unreadable"),
    ("load", "unparseable: HTML has no main text (not a page, or only navigation)", "html_no_text"),
    ("load", "no_text_column: none of the text columns text in the table's columns a, b", "no_text_column"),
    ("load", "decoded as gb18030 with 2 undecodable bytes in 1 place replaced by U+FFFD, at byte offset 5",
     "replaced_bytes"),
    ("load", "t.csv row 4: text is 30,000 bytes, limit is 2,000", "too_large"),
    ("load", "t.csv row 4: text is not a string but int", "row_without_text"),
    ("extract", "over the time budget of 1 s per article in stage 'entities' (the article is skipped; …)",
     "over_budget"),
    ("extract", "t.csv row 2: over the time budget of 1 s per article in stage 'x'", "over_budget"),
    ("extract", "rule user.x took more than 2 s over this article's 9 characters", "slow_rule"),
    ("extract", "claim '30间' at 5 dropped: rule user.jian gives an invalid value (category)", "dropped_claim"),
    ("extract", "t.csv row 1: claim '30间' at 5 dropped: rule user.jian gives an invalid value", "dropped_claim"),
    ("extract", "ZeroDivisionError: division by zero", "stage_failed"),
    ("skip", "symbolic link to outside the input folder: not followed (use --follow-symlinks to read it)",
     "symlink"),
    ("skip", "broken symbolic link: skipped", "symlink"),
    ("extract", "something nobody wrote yet", "other"),
])
def test_every_reason_the_run_writes_has_its_kind(stage, reason, kind):
    assert classify(stage, reason)[0] == kind
    (k,) = kinds_of([{"path": "p", "stage": stage, "reason": reason, "severity": "error"}])
    assert k.count == 1 and k.example == f"p: {reason}" and k.fix
