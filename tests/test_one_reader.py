"""One reader for every command (issue 18, part 3): `explain` and `coverage`
read web pages and table rows exactly as `run` does, `explain --out OUT
--article KEY` explains what a run produced, a missing path is an error and a
format no command reads is named, never counted as explained."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.authoring.coverage import coverage
from extract.cli import main
from extract.config import columns_from
from extract.inputs.reader import Unread, read_inputs
from extract.stages.rules import load_rules

TITLE = "鞍山市集团化办学成效显著"
# The page's date is in its metadata only; the body says 目前 and 今年: the run's year is the
# page's (2023).  The markup repeats 8000个 in <title>, a meta description and <h1>, and a
# script and a menu hold numbers: none of that is the article's text.
PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{TITLE}:新增学位8000个_鞍山市教育局</title>
<meta name="description" content="鞍山新增学位8000个">
<meta name="PubDate" content="2023-03-15 09:30">
<link rel="canonical" href="https://jyj.anshan.gov.cn/art/2023/3/15/art_9.html">
<script>var visits = 123456; var pages = 778899;</script>
</head><body>
<div id="nav"><ul><li><a href="/a">沈阳市教育</a></li><li><a href="/b">大连市教育</a></li></ul></div>
<div class="article"><h1>{TITLE}:新增学位8000个</h1>
<p>目前,鞍山市义务教育学校已组建教育集团55个,参与学校416所。</p>
<p>今年全市新增学位8000个,投入资金1.2亿元,培训教师3200人次。</p>
<p>全市现有护眼灯300盏。</p>
</div>
<div id="footer"><p>联系电话:0412-5551234 访问量:98765</p></div>
</body></html>"""
ROWS = [["r1", "沈阳集团化", "目前沈阳市共组建教育集团120个,覆盖学校650所。", "2022-05-01"],
        ["r2", "大连学区", "大连市今年新划分学区36个,护眼灯500盏。", "2021-09-10"]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A folder with a page, a CSV export (text column 文本: an option), a text file and
    a photo; and the output of `extract run` over it."""
    root = tmp_path_factory.mktemp("reader")
    inp = root / "in"
    inp.mkdir()
    (inp / "page.html").write_text(PAGE, encoding="utf-8")
    with open(inp / "export.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "标题", "文本", "发布时间"])
        w.writerows(ROWS)
    (inp / "a.txt").write_text("葫芦岛市教育集团\n\n2020年葫芦岛市组建教育集团18个,护眼灯70盏。\n", encoding="utf-8")
    (inp / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    out = root / "out"
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(out), "-j", "1", "--no-progress",
                                    "--text-column", "文本", "--id-column", "编号"])
    assert res.exit_code == 0, res.output
    return inp, out


def run_claims(out: Path, article: str) -> list[tuple]:
    rows = pq.read_table(out / "claims.parquet").to_pylist()
    return sorted((c["text"], c["start"], c["end"], c["year"]) for c in rows if c["article"] == article)


CLAIM_LINE = re.compile(r"^claim \d+: '([^']*)' at (\d+)-(\d+) .*\n.*\n.*  year (\S+) ", re.M)


def explained_claims(output: str) -> list[tuple]:
    return sorted((t, int(s), int(e), None if y == "None" else int(y)) for t, s, e, y in CLAIM_LINE.findall(output))


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- explain a file as run reads it ------------------------------------------------------------

def test_explain_reads_a_page_as_run_does(corpus):
    inp, out = corpus
    res = invoke("explain", str(inp / "page.html"))
    assert res.exit_code == 0, res.output
    got = explained_claims(res.output)
    assert got == run_claims(out, "page.html")
    text = pq.read_table(out / "articles.parquet", filters=[("path", "==", "page.html")])["text"][0].as_py()
    # the title, its repeat as the headline and the body: as in the text the run kept, not the markup
    assert [t for t, *_ in got].count("8000个") == text.count("8000个") == 3
    assert "鞍山新增学位" not in res.output
    assert all(y == 2023 for *_, y in got)                  # the page's date, given in its metadata
    assert "123456" not in res.output and "0412" not in res.output
    assert "published '2023-03-15'" in res.output


def test_explain_reads_each_table_row_with_the_column_options(corpus):
    inp, out = corpus
    res = invoke("explain", str(inp / "export.csv"), "--text-column", "文本", "--id-column", "编号")
    assert res.exit_code == 0, res.output
    parts = re.split(r"^=== ", res.output, flags=re.M)[1:]
    assert [p.split("\n", 1)[0] for p in parts] == ["r1 (export.csv row 0)", "r2 (export.csv row 1)"]
    for key, part in zip(("r1", "r2"), parts):
        assert explained_claims(part) == run_claims(out, key)
    one = invoke("explain", str(inp / "export.csv"), "--text-column", "文本", "--id-column", "编号", "--article", "r2")
    assert one.exit_code == 0 and explained_claims(one.output) == run_claims(out, "r2")
    assert "=== r1" not in one.output
    # a folder needs --article; the key is found among its tables' rows and its files
    assert invoke("explain", str(inp), "--article", "r1", "--text-column", "文本", "--id-column", "编号").exit_code == 0
    folder = invoke("explain", str(inp), "--article", "a.txt")
    assert folder.exit_code == 0 and explained_claims(folder.output) == run_claims(out, "a.txt")
    res = CliRunner().invoke(main, ["explain", str(inp)])
    assert res.exit_code == 1 and "is a folder" in res.output
    # without the option the table has no text column: said, not explained as nothing
    res = CliRunner().invoke(main, ["explain", str(inp / "export.csv")])
    assert res.exit_code == 1 and "no_text_column" in res.output and "文本" in res.output


# -- explain what a run produced -------------------------------------------------------------------

@pytest.mark.parametrize("key", ["page.html", "r1", "r2", "a.txt"])
def test_explain_out_article_gives_the_claims_of_the_run(corpus, key):
    _, out = corpus
    res = invoke("explain", "--out", str(out), "--article", key)
    assert res.exit_code == 0, res.output
    expected = run_claims(out, key)
    assert expected and explained_claims(res.output) == expected
    assert f"claims.parquet holds these {len(expected)} claims for {key}" in res.output


def test_explain_out_article_says_where_the_run_differs(corpus, tmp_path):
    _, out = corpus
    changed = tmp_path / "out"
    changed.mkdir()
    for name in ("articles", "errors", "entities"):
        (changed / f"{name}.parquet").write_bytes((out / f"{name}.parquet").read_bytes())
    claims = pq.read_table(out / "claims.parquet")
    keep = [not (a == "r1" and t == "120个") for a, t in zip(claims["article"].to_pylist(), claims["text"].to_pylist())]
    pq.write_table(claims.filter(pa.array(keep)), changed / "claims.parquet")
    res = invoke("explain", "--out", str(changed), "--article", "r1", "--articles", str(corpus[0]))
    assert res.exit_code == 0, res.output
    assert "claims.parquet differs: 1 claims there, 2 here" in res.output
    assert "only here: '120个'" in res.output


@pytest.mark.parametrize("args, words", [
    (["--out", "{out}", "--article", "nosuch"], ["no article 'nosuch'"]),
    (["--out", "{out}", "--article", "r"], ["no article 'r'", "did you mean"]),
    (["--out", "{tmp}/nowhere", "--article", "r1"], ["no such output folder"]),
    (["--out", "{tmp}", "--article", "r1"], ["no articles.parquet"]),
    (["--article", "r1"], ["needs --out"]),
    ([], ["give a TEXT_OR_FILE"]),
])
def test_explain_out_errors_are_clear(corpus, tmp_path, args, words):
    _, out = corpus
    args = [a.format(out=out, tmp=tmp_path) for a in args]
    res = CliRunner().invoke(main, ["explain", *args])
    assert res.exit_code in (1, 2) and not isinstance(res.exception, (KeyError, TypeError, AttributeError))
    for w in words:
        assert w in res.output, res.output


def test_explain_out_reads_a_text_file_from_the_run_input(corpus, tmp_path):
    """.txt/.md texts are not kept in articles.parquet: read from run.json's input, or --articles."""
    inp, out = corpus
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "a.txt").write_text((inp / "a.txt").read_text(encoding="utf-8") + "\n新增1所。\n", encoding="utf-8")
    res = invoke("explain", "--out", str(out), "--article", "a.txt", "--articles", str(moved))
    assert res.exit_code == 0 and "changed since the run" in res.output
    res = CliRunner().invoke(main, ["explain", "--out", str(out), "--article", "a.txt", "--articles", str(tmp_path)])
    assert res.exit_code == 1 and "--articles DIR" in res.output


# -- missing paths and unread formats ------------------------------------------------------------

def test_a_missing_path_is_an_error(tmp_path):
    for args in (["explain", "nosuch.txt"], ["explain", str(tmp_path / "no" / "鞍山集团化办学.html")],
                 ["coverage", str(tmp_path / "nosuch")]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1, (args, res.output)
        assert "no such file or folder" in res.output
    # text that only looks like a file name is explained with --text; numbers are never paths
    res = invoke("explain", "--text", "nosuch.txt")
    assert res.exit_code == 0 and "0 claims" in res.output
    res = invoke("explain", "全市学校达到95.5")
    assert res.exit_code == 0 and "'95.5'" in res.output


def test_a_format_no_command_reads_is_named_never_explained(corpus, tmp_path):
    inp, _ = corpus
    res = CliRunner().invoke(main, ["explain", str(inp / "photo.jpg")])
    assert res.exit_code == 1 and "not an article format: .jpg" in res.output
    only = tmp_path / "photos"
    only.mkdir()
    (only / "a.jpg").write_bytes(b"\xff\xd8")
    (only / "b.pdf").write_bytes(b"%PDF-1.4")
    res = CliRunner().invoke(main, ["coverage", str(only)])
    assert res.exit_code == 1, res.output
    assert "% explained" not in res.output and "nothing to explain" in res.output
    assert "not read: a.jpg: not an article format: .jpg" in res.output
    assert "2 not read and not counted (2 of no article format)" in res.output


# -- coverage reads what run reads ---------------------------------------------------------------

def test_coverage_reads_pages_and_rows_as_run_does(corpus):
    inp, _ = corpus
    rules = load_rules()
    result = coverage(inp, rules, columns=columns_from("文本", id="编号"))
    assert result.articles == 4                    # the page, two rows, the text file
    assert [u.where for u in result.unread] == ["photo.jpg"]
    groups = {g["pattern"]: g for g in result.groups}
    # 盏 is no shipped unit: one unexplained number in each article that has one
    lamps = groups["眼灯{n}盏"]
    assert lamps["count"] == 3
    assert sorted(e.split(":")[0] for e in lamps["examples"]) == ["a.txt", "page.html", "r2"]
    text = " ".join(e for g in result.groups for e in g["examples"])
    assert "123456" not in text and "98765" not in text        # script and footer are no text
    # a run's CLI options work for coverage too, and its summary counts the articles
    res = invoke("coverage", str(inp), "--text-column", "文本", "--id-column", "编号")
    assert res.exit_code == 0
    assert "4 articles:" in res.output and "1 not read and not counted (1 of no article format)" in res.output
    assert "not read: photo.jpg" in res.output


def test_read_inputs_is_the_run_loader(corpus):
    inp, out = corpus
    items = list(read_inputs(inp, columns_from("文本", id="编号")))
    raws = {i.path: i for i in items if not isinstance(i, Unread)}
    assert set(raws) == set(pq.read_table(out / "articles.parquet")["path"].to_pylist())
    stored = {a["path"]: a for a in pq.read_table(out / "articles.parquet").to_pylist()}
    for key, raw in raws.items():
        assert raw.sha256 == stored[key]["sha256"]
        if stored[key]["text"] is not None:
            assert raw.text == stored[key]["text"]
        assert (raw.published_given, raw.input_format) == (stored[key]["published_given"],
                                                          stored[key]["input_format"])
