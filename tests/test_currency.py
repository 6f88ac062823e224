"""claims.currency (issue 18, part 5): the ISO 4217 code of money claims, from the
words written with the figure, a (港元,下同) declaration, else the text's home
region; null for every other unit. The words are data (rules/vocabulary.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest

from extract.inputs.load import RawArticle
from extract.pipeline import Extractor
from extract.stages.currency import CurrencyReader
from extract.stages.gazetteer import Gazetteer
from extract.stages.normalize import normalize
from extract.stages.rules import RuleError, load_rules


def _process(extractor: Extractor, text: str):
    result = extractor.process(RawArticle("a.txt", text, "0" * 64, "utf-8", len(text.encode())))
    return result.article, {c.text: c for c in result.claims}


def test_macau_and_hong_kong_amounts_are_extracted_in_yuan_with_their_currency(extractor):
    _, claims = _process(extractor, "澳門教育發展基金\n\n今年預算約6.5億澳門元。\n")
    c = claims["約6.5億澳門元"]
    assert (c.value, c.unit, c.qualifier, c.currency) == (650_000_000, "元", "approx", "MOP")
    _, claims = _process(extractor, "特區政府撥款3億港元興建兩所小學。\n")
    c = claims["3億港元"]
    assert (c.value, c.unit, c.currency) == (300_000_000, "元", "HKD")
    assert claims["兩所"].currency is None


@pytest.mark.parametrize("text, figure, currency", [
    # a word with the figure decides, whatever the text's home
    ("香港教育局公布,另撥人民幣2億元支援。\n", "2億元", "CNY"),
    ("廣州市教育局:全市投入约143亿美元。\n", "约143亿美元", "USD"),
    ("過去6年已經投放超過29億元澳門幣。\n", "超過29億元", "MOP"),
    ("津貼金額為澳門元1,700元。\n", "1,700元", "MOP"),
    # no word: the text's home region
    ("香港教育局宣布,全港學校將獲津貼5000萬元。\n", "5000萬元", "HKD"),
    ("澳門教育及青年發展局:撥款3億元。\n", "3億元", "MOP"),
    ("沈阳市教育局:全市投入资金3亿元。\n", "3亿元", "CNY"),
    ("全市投入资金3亿元。\n", "3亿元", "CNY"),             # no home: CNY
])
def test_currency_from_words_else_home(extractor, text, figure, currency):
    _, claims = _process(extractor, text)
    assert claims[figure].currency == currency


@pytest.mark.parametrize("text, figure", [
    ("投入人民币3亿建设学校。\n", "3亿"),                 # money.currency_before
    ("預算為6.5億(澳門元)。\n", "6.5億"),                 # money.currency_after
    ("投入3亿人民币建设学校。\n", "3亿人民币"),            # 人民币 as the unit word
])
def test_amounts_with_only_a_currency_word_are_money(extractor, text, figure):
    _, claims = _process(extractor, text)
    assert claims[figure].unit == "元" and claims[figure].value > 1e8


def test_a_same_below_declaration_gives_later_figures_its_currency(extractor):
    _, claims = _process(extractor, "全國教育經費近1120億(港元,下同,約143億美元),其中撥款200億元。\n")
    assert claims["近1120億"].currency == "HKD"
    assert claims["約143億美元"].currency == "USD"
    assert claims["200億元"].currency == "HKD"


def test_reader_on_normalized_text():
    gaz = Gazetteer.load()
    reader = CurrencyReader(load_rules().vocabulary.currencies)
    text = normalize("總額3億港元及人民幣5億元,另撥2億元").text
    home = gaz.by_path("澳门特别行政区")
    spans = {"3亿港元": "HKD", "5亿元": "CNY", "2亿元": "MOP"}
    for figure, code in spans.items():
        start = text.index(figure)
        assert reader.currency_of(text, start, start + len(figure), "元", home) == code
    assert reader.currency_of(text, 0, 2, "所", home) is None


def test_seeds_money_has_a_currency_and_nothing_else_does(seed_claims):
    assert any(c["unit"] == "元" for c in seed_claims)
    for c in seed_claims:
        assert (c["currency"] is not None) == (c["unit"] == "元"), c
        assert c["currency"] in (None, "CNY")      # the seeds are mainland texts


def test_users_add_currency_words_and_a_bad_code_names_its_file(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "vocabulary.yaml").write_text(
        "units:\n  欧元: {unit: 元, category: funding}\ncurrencies:\n  words: {欧元: EUR}\n", encoding="utf-8")
    ex = Extractor(rules=load_rules([folder]))
    _, claims = _process(ex, "沈阳市教育局:获欧盟资助200万欧元。\n")
    assert (claims["200万欧元"].unit, claims["200万欧元"].currency) == ("元", "EUR")
    (folder / "vocabulary.yaml").write_text("currencies:\n  words: {欧元: euro}\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([folder])
    assert info.value.file == str(folder / "vocabulary.yaml")
    assert info.value.rule_id == "currencies.words.欧元" and "ISO 4217" in str(info.value)
