"""Attribution edge cases, each through the whole Extractor (as an article)."""
import pytest

from extract.load import RawArticle


def claims(extractor, text):
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    result = extractor.process(raw)
    for c in result.claims:
        assert text[c.start:c.end] == c.text
    return {c.text: c for c in result.claims}


def test_article_about_a_functional_zone_only(extractor):
    got = claims(extractor, "西安经开区今年新建学校5所。")
    assert got["5所"].region == "陕西省西安市经开区"


@pytest.mark.parametrize("text", ["2023年,全市学校比二三十年前增加了5所。", "2023年,全市学校比两三年前增加了5所。"])
def test_vague_years_ago_gives_no_baseline(extractor, text):
    c = claims(extractor, text)["5所"]
    assert c.kind == "change" and c.year == 2023 and c.baseline_year is None


def test_years_ago_gives_baseline(extractor):
    c = claims(extractor, "2022年有普通小学1.09万所,相较五年前减少551所。")["551所"]
    assert (c.value, c.year, c.baseline_year) == (-551, 2022, 2017)


def test_chinese_numeral_years_are_baselines_and_open_periods_too(extractor):
    got = claims(extractor, "二〇二三年,全市学校比二〇一九年增加了5所。")
    assert (got["5所"].year, got["5所"].baseline_year) == (2023, 2019)
    got = claims(extractor, "二〇一八年以来,全市新增学校7所。")
    assert (got["7所"].year, got["7所"].baseline_year) == (None, 2018)


def test_title_claim_points_into_the_title_line_not_a_breadcrumb(extractor):
    text = "当前位置:首页>新闻>北京市新建35所学校\n北京市新建35所学校\n2023-05-01 来源:北京日报\n\n正文。\n"
    [c] = [c for c in claims(extractor, text).values()]
    assert c.start == text.index("\n北京市新建35所学校") + 1 + len("北京市新建")


def test_autonomous_region_deixis(extractor):
    text = "新疆持续改善办学条件。塔什库尔干塔吉克自治县新建学校1所。目前,全区义务教育巩固率达99.2%。"
    assert claims(extractor, text)["99.2%"].region == "新疆维吾尔自治区"


def test_listed_places_take_their_common_area(extractor):
    text = "保定市教育集团成立,集团辖阜平、涞水、顺平七所分校。"
    assert claims(extractor, text)["七所"].region == "河北省保定市"
