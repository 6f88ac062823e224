"""The words behind each claim's fields: region_start/end, year_start/end and the
category, kind and target cues, as offsets into the ORIGINAL text (issue 18, part 2)."""
import json

import pytest

from extract.inputs.load import RawArticle

WORD_COLUMNS = (("region", "region_start", "region_end"), ("year", "year_start", "year_end"),
                ("category_cue", "category_cue_start", "category_cue_end"),
                ("kind_cue", "kind_cue_start", "kind_cue_end"), ("target_cue", "target_cue_start", "target_cue_end"))


def process(extractor, text, **given):
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()), **given)
    return extractor.process(raw)


def words(text, claim, name):
    start, end = getattr(claim, f"{name}_start"), getattr(claim, f"{name}_end")
    return None if start is None else text[start:end]


def claim(extractor, text, figure, **given):
    found = [c for c in process(extractor, text, **given).claims if c.text == figure]
    assert len(found) == 1, [c.text for c in process(extractor, text).claims]
    return found[0]


@pytest.mark.parametrize("text, figure, region_words, year_words", [
    # a place and a year in the sentence
    ("2023年,杭州市计划新建学校20所。", "20所", "杭州市", "2023年"),
    # deixis (我省) resolved through the title; 去年 told from the publication date
    ("浙江教育新闻\n发布时间:2024-03-01\n\n我省去年新增学位1.2万个。", "1.2万个", "我省", "去年"),
    # 全市 and 今年
    ("杭州市教育新闻\n发布时间:2024-03-01\n\n今年全市新建学校5所。", "5所", "全市", "今年"),
    # the title's place when the body names none; no year at all
    ("杭州市教育事业发展报告\n\n共有中小学校300所。", "300所", "杭州市", None),
    # a named report's year: the report's name
    ("宁波市2021年教育统计公报\n\n全市共有幼儿园1200所。", "1200所", "全市", "宁波市2021年教育统计公报"),
    # a school year the text names
    ("澳门教育\n\n2023/2024学校年度共有学生8万人。", "8万人", "澳门", "2023/2024学校年度"),
    # a year from the paragraph before, a place from the sentence
    ("2022年,全省教育投入增加。鞍山市新建学校12所。", "12所", "鞍山市", "2022年"),
])
def test_region_and_year_words(extractor, text, figure, region_words, year_words):
    c = claim(extractor, text, figure)
    assert words(text, c, "region") == region_words
    assert words(text, c, "year") == year_words


def test_a_region_from_the_bodys_places_has_no_words(extractor):
    # 35个's paragraph names no place: the text's home, decided by every place of the
    # body together, is no one span of words
    text = "鞍山市教育局召开会议。鞍山市推进集团化办学。\n\n共建成教育集团35个。"
    c = claim(extractor, text, "35个")
    assert c.region == "辽宁省鞍山市" and c.region_source == "body"
    assert c.region_start is None and c.region_end is None


def test_a_year_given_as_metadata_has_no_words(extractor):
    # a news headline's figure takes the publication year; given as metadata, no words of the text
    text = "深圳中小学开学 新增学位9万座\n\n深圳今年秋季学期开学。"
    c = claim(extractor, text, "9万座", published_given="2023-09-01")
    assert c.year == 2023 and c.year_source == "published"
    assert c.year_start is None


def test_cues_for_category_kind_and_target(extractor):
    text = "2023年,杭州市计划新建学校20所。全市新增学位1.2万个。"
    planned = claim(extractor, text, "20所")
    assert planned.category_cue == "学校" == words(text, planned, "category_cue")
    assert planned.target and planned.target_cue.startswith("计划")
    assert words(text, planned, "target_cue") == planned.target_cue
    assert planned.kind == "level" and planned.kind_cue is None
    added = claim(extractor, text, "1.2万个")
    assert added.kind == "change" and added.kind_cue == "新增" == words(text, added, "kind_cue")
    assert not added.target and added.target_cue is None


def test_a_cue_that_is_no_words_says_how(extractor):
    # a plan's text makes its figures targets: no words of the sentence are the cue
    text = "杭州市教育发展规划\n\n全市新建学校20所。"
    c = claim(extractor, text, "20所")
    assert c.target and c.target_cue == "a text of kind plan" and c.target_cue_start is None


def test_parts_of_a_change_keep_the_change_word(extractor):
    text = "全市新增学前学位180个、义务教育学位1620个。"
    part = claim(extractor, text, "1620个")
    assert part.kind == "change" and words(text, part, "kind_cue") == "新增"


def test_spans_are_into_the_original_traditional_text(extractor):
    text = "2023年,杭州市計劃新建學校20所。"
    c = claim(extractor, text, "20所")
    assert words(text, c, "region") == "杭州市" and words(text, c, "year") == "2023年"
    assert c.category_cue == "學校" == words(text, c, "category_cue")
    assert c.target_cue.startswith("計劃")


def test_every_seed_span_lies_in_its_text(seed_claims, seed_paths):
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_paths}
    spans = 0
    for c in seed_claims:
        text = texts[c["article"]]
        for field, start, end in WORD_COLUMNS:
            if c[start] is None:
                assert c[end] is None
                continue
            assert 0 <= c[start] < c[end] <= len(text), (field, c)
            spans += 1
            if field.endswith("_cue"):
                assert text[c[start]:c[end]] == c[field]
        assert (c["region"] is None) <= (c["region_start"] is None)
        assert (c["year"] is None) <= (c["year_start"] is None)
        assert c["target"] or c["target_cue"] is None
        assert c["kind"] == "change" or c["kind_cue"] is None
    assert spans > 2 * len(seed_claims)
    # most placed and dated claims show their words
    assert sum(c["region_start"] is not None for c in seed_claims) > 0.8 * sum(c["region"] is not None for c in seed_claims)
    assert sum(c["year_start"] is not None for c in seed_claims) > 0.9 * sum(c["year"] is not None for c in seed_claims)


def test_article_evidence_offsets_are_into_the_original_text(extractor):
    # full-width digits and traditional script: normalized offsets would differ from the original's
    text = "杭州市教育新闻\n發佈時間:２０２４-03-01\n\n今年全市新建學校5所。"
    result = process(extractor, text)
    evidence = json.loads(result.article.context_evidence)
    assert evidence
    for e in evidence:
        assert "start" not in e or (0 <= e["start"] < e["end"] <= len(text)), e
        assert e.get("start") != -1
    title = next(e for e in evidence if e["kind"] == "title")
    assert text[title["start"]:title["end"]] == "杭州市"


def test_year_source_names_a_report_only_when_the_text_names_one(extractor):
    school_year = claim(extractor, "澳门教育\n\n本澳共有学生8万人。\n\n2023/2024学校年度数据。", "8万人")
    assert school_year.year == 2023 and school_year.year_source == "school_year"
    report = claim(extractor, "宁波市2021年教育统计公报\n\n全市共有幼儿园1200所。", "1200所")
    assert report.year_source == "report"


def test_explain_prints_the_words(extractor):
    from extract.authoring.tools import explain
    out = explain("2023年,杭州市计划新建学校20所。全市新增学位1.2万个。", extractor)
    assert "region words '杭州市' at 6-9" in out and "year words '2023年' at 0-5" in out
    assert "category cue '学校'" in out and "target cue '计划" in out and "kind cue '新增'" in out


PAGE = """<html><head><meta charset="utf-8"><title>沈阳市教育新闻</title>
<meta property="article:published_time" content="2022-05-01"></head>
<body><div id="nav">首页 | 新闻</div><article><h1>沈阳市教育新闻</h1>
<p>今年沈阳市计划新建学校30所，新增学位2万个。全市共组建教育集团120个。</p>
<p>沈阳市教育局表示，集团化办学将覆盖全市学校。</p></article></body></html>"""


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    """`extract run` over a web page and a CSV row (Chinese headers)."""
    import csv
    from click.testing import CliRunner
    from extract.cli import main
    root = tmp_path_factory.mktemp("words")
    inp = root / "in"
    inp.mkdir()
    (inp / "page.html").write_text(PAGE, encoding="utf-8")
    with open(inp / "export.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "标题", "正文", "发布时间"])
        w.writerow(["r1", "大连学区", "大连市去年新划分学区36个,计划2025年新建学校8所。", "2021-09-10"])
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(root / "out"), "-j", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    return root / "out"


@pytest.mark.parametrize("key", ["page.html", "r1"])
def test_explain_out_prints_the_words_of_the_runs_claims(run_out, key):
    import pyarrow.parquet as pq
    from click.testing import CliRunner
    from extract.cli import main
    articles = {a["article"]: a for a in pq.read_table(run_out / "articles.parquet").to_pylist()}
    text = articles[key]["text"]
    claims = [c for c in pq.read_table(run_out / "claims.parquet").to_pylist() if c["article"] == key]
    assert claims
    res = CliRunner().invoke(main, ["explain", "--out", str(run_out), "--article", key], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    # the words are compared with claims.parquet too: the same claims, the same words
    assert f"claims.parquet holds these {len(claims)} claims for {key}" in res.output
    for c in claims:
        if c["region_start"] is not None:
            assert f"region words {text[c['region_start']:c['region_end']]!r} at {c['region_start']}-" in res.output
        if c["year_start"] is not None:
            assert f"year words {text[c['year_start']:c['year_end']]!r} at {c['year_start']}-" in res.output
        if c["category_cue_start"] is not None:
            assert f"category cue {c['category_cue']!r} at {c['category_cue_start']}-" in res.output
    assert any(c["year_start"] is not None for c in claims) and any(c["target_cue"] for c in claims)
    # evidence offsets are into articles.text, the text the claims' offsets refer to
    for e in json.loads(articles[key]["context_evidence"]):
        assert "start" not in e or 0 <= e["start"] < e["end"] <= len(text)
