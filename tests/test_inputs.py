"""Saved web pages and tables of articles (issue 10): same claims as the
plain text, metadata through to articles.parquet, bad rows as errors rows."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.inputs.dates import parse_date
from extract.inputs.html import declared_charset, read_html
from extract.inputs.tables import Columns, iter_rows
from extract.report.page import build_data
from extract.runs.run import run
from runhelpers import SEEDS_DIR, assert_same_tables

# A city article (鞍山) whose page has a menu and a footer naming other places:
# if boilerplate leaked into the text, regions (and so claims) would change.
TITLE = "鞍山市推进集团化办学改革 破解教育均衡发展难题"
PARAGRAPHS = [
    "鞍山市辖区内有三县(市)四区共七个行政区,现有义务教育阶段学校401所,其中农村地区学校292所,占总数的73%。",
    "目前全市义务教育学校组建55个集团或联盟,参与学校416所,参与率99.52%。",
    "2021年,全市新增学位4500个,投入资金1.2亿元,培训教师3200人次。",
    "到2025年,全市集团化办学覆盖率将达到95%以上。",
]
OTHER_CITIES = ["北京市", "上海市", "广州市", "深圳市", "成都市", "沈阳市", "大连市", "锦州市"]


def page_html(charset: str = "gbk") -> str:
    menu = "".join(f'<li><a href="/city/{i}.html">{c}教育</a></li>' for i, c in enumerate(OTHER_CITIES))
    links = "".join(f'<li><a href="/n/{i}.html">{c}召开教育工作会议</a></li>' for i, c in enumerate(OTHER_CITIES))
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>{TITLE}_鞍山市教育局</title>
<meta property="og:site_name" content="鞍山市教育局">
<meta name="PubDate" content="2022-04-04 09:30">
<link rel="canonical" href="https://jyj.anshan.gov.cn/art/2022/4/4/art_1.html">
</head><body>
<div id="header"><ul class="nav">{menu}</ul></div>
<div class="main"><div class="article">
<h1>{TITLE}</h1>
<div class="info">发布时间:2022-04-04 来源:鞍山市教育局</div>
{body}
</div>
<div class="related"><h3>相关阅读</h3><ul>{links}</ul></div></div>
<div id="footer"><p>主办:鞍山市教育局 地址:鞍山市铁东区 电话:0412-1234567</p>
<ul>{menu}</ul><p>辽ICP备05000000号</p></div>
</body></html>"""


def page_as_text() -> str:
    return TITLE + "\n2022-04-04 来源:鞍山市教育局\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


def claim_facts(out: Path, article: str) -> list[tuple]:
    rows = [c for c in pq.read_table(out / "claims.parquet").to_pylist() if c["article"] == article]
    return sorted((c["text"], c["value"], c["unit"], c["region"], c["year"]) for c in rows)


def table(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


# -- HTML ---------------------------------------------------------------------------------

def test_gbk_page_with_city_menu_gives_the_claims_of_its_text(tmp_path, extractor):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "page.html").write_bytes(page_html().encode("gbk"))
    (inp / "page.txt").write_text(page_as_text(), encoding="utf-8")
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)

    html_claims, text_claims = claim_facts(out, "page.html"), claim_facts(out, "page.txt")
    assert len(text_claims) >= 10
    assert {r for *_, r, _ in text_claims} == {"辽宁省鞍山市"}
    assert {y for *_, y in text_claims} >= {2021, 2022, 2025}
    assert html_claims == text_claims

    art = {a["path"]: a for a in table(out, "articles")}["page.html"]
    assert art["encoding"] == "gb18030"  # from the meta tag (GBK, decoded as its superset)
    assert (art["input_format"], art["published_given"], art["published_from"]) == ("html", "2022-04-04", "given")
    assert art["url"] == "https://jyj.anshan.gov.cn/art/2022/4/4/art_1.html"
    assert art["site_given"] == "鞍山市教育局" and art["title_given"] == TITLE
    text = art["text"]
    assert not any(city in text for city in OTHER_CITIES), text  # menus, related links, footer dropped
    assert "ICP" not in text
    for c in table(out, "claims"):
        if c["article"] == "page.html":
            assert text[c["start"]:c["end"]] == c["text"]
    assert {a["path"]: a["text"] for a in table(out, "articles")}["page.txt"] is None  # the file is the text


def test_declared_charset_is_tried_first_but_not_believed_blindly(tmp_path):
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">') == "GB2312"
    assert declared_charset(b"<meta charset='big5'>") == "big5"
    assert declared_charset(b"<html><body>") is None
    # declares GBK but was saved as UTF-8: the strict, plausible decode decides
    path = tmp_path / "lying.html"
    path.write_bytes(page_html("gbk").encode("utf-8"))
    raw = read_html(path, "lying.html")
    assert raw.encoding == "utf-8" and "鞍山市" in raw.text
    # a Big5 page in traditional script
    path = tmp_path / "big5.html"
    path.write_bytes(page_html("big5").encode("big5hkscs", "replace"))  # simplified-only characters become ?
    assert read_html(path, "big5.html").encoding == "big5hkscs"


def test_published_given_outranks_the_text_header(tmp_path, extractor):
    """A text whose header says 2020 but whose row says 2022: 目前 takes 2022."""
    text = "鞍山市集团化办学成效显著\n2020-10-23 来源:鞍山日报\n\n目前鞍山市组建教育集团55个。\n"
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.jsonl").write_text(json.dumps({"id": "x", "text": text, "date": "2022-04-04"}, ensure_ascii=False)
                                 + "\n" + json.dumps({"id": "y", "text": text}, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)
    years = {c["article"]: c["year"] for c in table(out, "claims")}
    assert years == {"x": 2022, "y": 2020}
    arts = {a["path"]: a for a in table(out, "articles")}
    assert (arts["x"]["published_from"], arts["x"]["published"]) == ("given", "2020-10-23")
    assert (arts["y"]["published_from"], arts["y"]["published_given"]) == ("text", None)


# -- tables ---------------------------------------------------------------------------------

def seed_rows(seeds_out: Path) -> list[dict]:
    """The seeds as crawler rows, with their header date in a date column."""
    published = {a["path"]: a["published"] for a in table(seeds_out, "articles")}
    rows = []
    for p in sorted(SEEDS_DIR.glob("*.txt")):
        date = published[p.name][:10] if published[p.name] else None
        rows.append({"id": p.stem, "title": None, "content": p.read_text(encoding="utf-8"),
                     "publish_time": date, "url": f"https://example.org/{p.stem}.html"})
    return rows


def write_tables(folder: Path, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "export.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({**r, "id": "j-" + r["id"]}, ensure_ascii=False) + "\n")
    with open(folder / "export.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "url", "title", "publish_time", "content"])
        w.writeheader()
        for r in rows:
            w.writerow({**r, "id": "c-" + r["id"]})
    # Parquet: ids left out, so the url is the key; dates as a real date type.
    dates = [None if r["publish_time"] is None else pa.scalar(r["publish_time"]).cast(pa.date32())
             for r in rows]
    pq.write_table(pa.table({"link": [r["url"] for r in rows], "body": [r["content"] for r in rows],
                             "pubdate": pa.array([d.as_py() if d is not None else None for d in dates],
                                                 pa.date32())}), folder / "export.parquet")


def test_jsonl_csv_parquet_of_the_seeds_give_the_seeds_claims(tmp_path, extractor, seeds_out):
    rows = seed_rows(seeds_out)
    assert sum(r["publish_time"] is not None for r in rows) >= 3
    inp = tmp_path / "in"
    write_tables(inp, rows)
    out = tmp_path / "out"
    summary = run(inp, out, extractor, progress=False)
    assert (summary.articles, summary.errors) == (3 * len(rows), 0)

    def facts(claims, key):
        return sorted((c["start"], c["end"], c["text"], c["value"], c["unit"], c["region"], c["year"])
                      for c in claims if c["article"] == key)

    seeds = table(seeds_out, "claims")
    claims = table(out, "claims")
    arts = {a["path"]: a for a in table(out, "articles")}
    for r in rows:
        name = r["id"] + ".txt"
        expected = facts(seeds, name)
        assert expected
        for key, fmt in (("j-" + r["id"], "jsonl"), ("c-" + r["id"], "csv"), (r["url"], "parquet")):
            assert facts(claims, key) == expected, (key, fmt)
            a = arts[key]
            assert (a["input_format"], a["url"], a["published_given"]) == (fmt, r["url"], r["publish_time"])
            assert a["text"] == r["content"]
    assert {(a["file"], a["row"]) for a in arts.values() if a["input_format"] == "csv"} == \
        {("export.csv", i) for i in range(len(rows))}


def test_bad_rows_and_tables_become_errors_and_the_run_goes_on(tmp_path, extractor):
    good = (SEEDS_DIR / "001_8db625a38a313f37.txt").read_text(encoding="utf-8")
    inp = tmp_path / "in"
    inp.mkdir()
    lines = [
        {"id": "ok", "content": good, "date": "2022-04-13"},
        {"id": "empty", "content": "  \n ", "date": "2022-04-13"},
        {"id": "number", "content": 12345},
        {"id": "list", "content": ["a", "b"]},
        {"id": "nulltext", "content": None},
        {"id": "baddate", "content": good, "date": "上周五"},
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines) + "{not json\n"
    (inp / "rows.jsonl").write_text(text, encoding="utf-8")
    (inp / "nocolumn.csv").write_text("headline,author\n标题,某人\n", encoding="utf-8")
    pq.write_table(pa.table({"text": pa.array([good, ""]), "date": ["2022-04-13", "2022-04-13"]}),
                   inp / "rows.parquet")
    (inp / "broken.html").write_bytes(b"<html><head><title>x</title></head><body></body></html>")
    out = tmp_path / "out"
    # a table with no text column stops the run (tests/test_config.py), unless asked to go on
    run(inp, out, extractor, progress=False, skip_tables_without_text=True)

    errors = {(e["path"], e["file"], e["row"]): e["reason"] for e in table(out, "errors")}
    assert set(errors) == {
        ("empty", "rows.jsonl", 1), ("number", "rows.jsonl", 2), ("list", "rows.jsonl", 3),
        ("nulltext", "rows.jsonl", 4), ("baddate", "rows.jsonl", 5), ("rows.jsonl#6", "rows.jsonl", 6),
        ("nocolumn.csv", "nocolumn.csv", None), ("rows.parquet#1", "rows.parquet", 1),
        ("broken.html", None, None),
    }
    severity = {e["path"]: e["severity"] for e in table(out, "errors")}
    assert severity.pop("baddate") == "warning"  # the article is kept, without its date
    assert set(severity.values()) == {"error"}
    assert "empty text" in errors[("empty", "rows.jsonl", 1)]
    assert "not a string" in errors[("number", "rows.jsonl", 2)]
    assert "unparseable date" in errors[("baddate", "rows.jsonl", 5)]
    assert "not JSON" in errors[("rows.jsonl#6", "rows.jsonl", 6)]
    assert "none of the text columns" in errors[("nocolumn.csv", "nocolumn.csv", None)]
    assert "HTML" in errors[("broken.html", None, None)]
    status = {a["path"]: a["status"] for a in table(out, "articles")}
    # the good rows ran; a bad date costs the date, not the article
    assert status["ok"] == status["baddate"] == status["rows.parquet#0"] == "ok"
    assert status["empty"] == status["number"] == status["broken.html"] == "error"
    formats = {a["path"]: a["input_format"] for a in table(out, "articles")}
    assert (formats["broken.html"], formats["empty"], formats["rows.parquet#1"]) == ("html", "jsonl", "parquet")
    claims = {c["article"] for c in table(out, "claims")}
    assert {"ok", "baddate", "rows.parquet#0"} <= claims


def test_keys_reruns_and_workers_on_rows(tmp_path, extractor):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt")) if p.stat().st_size < 10_000]
    inp = tmp_path / "in"
    inp.mkdir()
    rows = [{"id": "a", "content": texts[0]}, {"url": "https://x.org/b", "content": texts[1]},
            {"content": texts[2]}, {"id": "", "link": "", "content": texts[3]}]
    path = inp / "rows.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    first = run(inp, out, extractor, progress=False)
    assert sorted(a["path"] for a in table(out, "articles")) == ["a", "https://x.org/b", "rows.jsonl#2",
                                                                   "rows.jsonl#3"]
    assert first.processed == 4

    again = run(inp, out, extractor, progress=False)
    assert (again.processed, again.carried) == (0, 4)

    rows[1]["content"] = rows[1]["content"].replace("2022", "2021", 1)  # one row changes
    rows[3]["date"] = "2023-01-01"                                       # another only in its metadata
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    third = run(inp, out, extractor, progress=False)
    assert (third.processed, third.carried) == (2, 2)
    assert {a["path"]: a["published_given"] for a in table(out, "articles")}["rows.jsonl#3"] == "2023-01-01"

    fresh = tmp_path / "fresh"
    run(inp, fresh, extractor, progress=False)
    assert_same_tables(out, fresh)
    # two worker processes, one row per shard: the same tables
    pooled = tmp_path / "pooled"
    assert run(inp, pooled, progress=False, workers=2, shard_size=1).processed == 4
    assert_same_tables(pooled, fresh)


def test_an_interrupted_run_over_rows_resumes(tmp_path, extractor, monkeypatch):
    import extract.runs.article as run_module   # one article of a shard: process_row

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt")) if p.stat().st_size < 10_000]
    inp = tmp_path / "in"
    inp.mkdir()
    pq.write_table(pa.table({"id": [f"r{i}" for i in range(len(texts))], "text": texts}), inp / "t.parquet")
    fresh = tmp_path / "fresh"
    run(inp, fresh, extractor, progress=False)

    real = run_module.process_row

    def interrupted(extractor, row, *args):
        if row.key == "r2":
            raise KeyboardInterrupt  # as a Ctrl-C would: the run stops, finished shards stay
        return real(extractor, row, *args)
    monkeypatch.setattr(run_module, "process_row", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run(inp, out, extractor, progress=False, shard_size=1)
    assert not (out / "claims.parquet").exists()
    monkeypatch.setattr(run_module, "process_row", real)
    resumed = run(inp, out, extractor, progress=False, shard_size=1, resume=True)
    assert (resumed.resumed, resumed.processed) == (2, len(texts) - 2)
    assert_same_tables(out, fresh)


def test_duplicate_keys_are_errors(tmp_path, extractor):
    text = "鞍山市现有学校401所。\n"
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.jsonl").write_text("".join(json.dumps({"id": "same", "text": text + str(i)}) + "\n"
                                         for i in range(2)), encoding="utf-8")
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)
    assert [a["path"] for a in table(out, "articles")] == ["same"]
    (err,) = table(out, "errors")
    assert (err["path"], err["row"]) == ("a.jsonl#1", 1) and "duplicate" in err["reason"]


def test_column_options_and_streamed_batches(tmp_path):
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="gb18030", newline="") as f:  # a GBK export, as Excel writes them
        w = csv.writer(f)
        w.writerow(["编号", "正文", "发布日期"])
        for i in range(2500):
            w.writerow([f"n{i}", f"第{i}篇\n鞍山市现有学校{i}所。", f"2022年4月{i % 28 + 1}日"])
    cols = Columns(text=("正文",), date=("发布日期",), id=("编号",))
    rows = list(iter_rows(path, "t.csv", cols))
    assert len(rows) == 2500 and rows[2499].key == "n2499" and rows[2499].row == 2499
    assert rows[2499].text == "第2499篇\n鞍山市现有学校2499所。" and rows[2499].published == "2022-04-08"
    assert all(r.error is None for r in rows)
    # the default columns find 正文, but not 发布日期 or 编号
    plain = list(iter_rows(path, "t.csv", Columns()))
    assert plain[7].text == rows[7].text and (plain[7].key, plain[7].published) == ("t.csv#7", None)
    with pytest.raises(Exception, match="none of the text columns"):
        list(iter_rows(path, "t.csv", Columns(text=("body",))))


@pytest.mark.parametrize("value, iso", [
    ("2022-04-13 17:35:10", "2022-04-13"), ("2022/4/13", "2022-04-13"), ("2022年4月13日", "2022-04-13"),
    ("2022年4月", "2022-04"), ("2022", "2022"), (2021, "2021"), ("20220413", "2022-04-13"),
    (1649843710, "2022-04-13"), (1649843710000, "2022-04-13"), ("2022-04-13T23:30:00+08:00", "2022-04-13"),
    (None, None), ("", None), (float("nan"), None),
])
def test_parse_date(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize("value", ["2022-13-01", "2022-02-30", "上周五", "04/13/2022", 1.5, True, "1850"])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


# -- the whole command on a mixed folder, and the report --------------------------------------------

def test_cli_runs_a_folder_mixing_every_format(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    seed = SEEDS_DIR / "001_8db625a38a313f37.txt"
    text = seed.read_text(encoding="utf-8")
    (inp / "a.txt").write_text(text, encoding="utf-8")
    (inp / "b.md").write_text(text, encoding="utf-8")
    (inp / "c.html").write_bytes(page_html().encode("gbk"))
    sub = inp / "exports"
    sub.mkdir()
    (sub / "d.ndjson").write_text(json.dumps({"id": "d", "body": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    (sub / "e.csv").write_text("id,text\ne,\"" + text.replace('"', '""') + "\"\n", encoding="utf-8")
    pq.write_table(pa.table({"id": ["f"], "content": [text]}), sub / "f.parquet")
    (inp / "g.htm").write_text(page_html("utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "extract", "run", str(inp), "--out", str(out), "-j", "1",
                           "--no-progress"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    arts = {a["path"]: a["input_format"] for a in table(out, "articles")}
    assert arts == {"a.txt": "txt", "b.md": "md", "c.html": "html", "g.htm": "html", "d": "jsonl", "e": "csv",
                    "f": "parquet"}
    per_article = {}
    for c in table(out, "claims"):
        per_article[c["article"]] = per_article.get(c["article"], 0) + 1
    assert set(per_article) == set(arts) and len({per_article[k] for k in "a.txt b.md d e f".split()}) == 1
    assert table(out, "errors") == []

    # the report highlights claims of stored texts without the input folder
    data = build_data(out, None)
    placed = [c for c in data["claims"] if c["article"] in ("c.html", "d", "e", "f")]
    assert placed and all(c["js_start"] is not None for c in placed)
