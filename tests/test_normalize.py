from pathlib import Path

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st

import extract.stages.normalize as norm
from extract.stages.normalize import NormalizedText, normalize, to_simplified

SEED = Path(__file__).parents[1] / "seeds" / "003_539d5ab7d2e9261b.txt"


def offsets(n: NormalizedText) -> list[int]:
    return [n.to_orig(i) for i in range(len(n.text) + 1)]


def check_invariants(n: NormalizedText) -> None:
    to_orig = offsets(n)
    assert to_orig[0] == 0   # only characters between two others are ever dropped
    assert to_orig[-1] == len(n.original)
    assert all(a < b for a, b in zip(to_orig, to_orig[1:]))  # strictly: 1 char -> 1 char


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("２０２３年增长１２．５％", "2023年增长12.5%"),
        ("ＡＢＣ，：；（）！？", "ABC,:;()!?"),
        ("甲\u3000乙\u00a0丙\u2009丁\u202f戊", "甲乙丙丁戊"),  # odd spaces, then dropped between Han
        ("A\u3000B\u00a0c", "A B c"),
        ("生师比13︰1，男女比1∶1", "生师比13:1,男女比1:1"),
        ("。、“”《》", "。、“”《》"),  # CJK punctuation is kept
        ("個學校萬億兩區於", "个学校万亿两区于"),
        ("衞生署 顯著 乾隆 乾淨", "卫生署 显著 乾隆 干净"),  # HK variant; phrase-aware; spaces between words stay
        ("今日西安 今日长安 今日高陵", "今日西安 今日长安 今日高陵"),  # a menu keeps its items apart
        ("提 问 者 : 邓 兆 棠", "提问者 : 邓兆棠"),  # letter-spaced pages read as words
    ],
)
def test_character_mapping(raw, expected):
    n = normalize(raw)
    assert n.text == expected
    check_invariants(n)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("21 个", "21个"),
        ("5 000名", "5000名"),
        ("1\u00a0234\u2009567人", "1234567人"),
        ("３　万元", "3万元"),
        ("50 %", "50%"),
        ("三 百", "三百"),
        ("100 余所", "100余所"),
        ("12 小时", "12小时"),
        ("2021 年 3 月", "2021年 3月"),  # 年 is not a number: the space after it stays
        ("2021 2022", "2021 2022"),  # two years, not a thousands group
        ("COVID 19", "COVID 19"),  # ASCII words keep their spaces
        ("第 3 名", "第 3名"),
        ("共12\n个", "共12\n个"),  # never join across lines
    ],
)
def test_number_spaces(raw, expected):
    n = normalize(raw)
    assert n.text == expected
    check_invariants(n)


def test_span_to_orig_skips_dropped_spaces():
    raw = "共有 5 000 名學生"
    n = normalize(raw)
    assert n.text == "共有 5000名学生"
    start = n.text.index("5000名")
    s, e = n.span_to_orig(start, start + 4)
    assert raw[s:e] == "5 000"
    s, e = n.span_to_orig(start, start + 5)
    assert raw[s:e] == "5 000 名"
    assert n.span_to_orig(start, start) == (s, s)
    with pytest.raises(ValueError):
        n.span_to_orig(0, len(n.text) + 1)


def test_empty():
    n = normalize("")
    assert (n.text, offsets(n)) == ("", [0])


def test_traditional_twin_normalizes_identically():
    simplified = SEED.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    ns, nt = normalize(simplified), normalize(traditional)
    assert nt.text == ns.text
    check_invariants(nt)
    # Spans found in the normalized text point at the same words in the
    # traditional original.
    for word in ["100个典型案例", "1200个案例", "11个案例"]:
        start = nt.text.index(word)
        s, e = nt.span_to_orig(start, start + len(word))
        assert to_simplified(traditional[s:e]) == word


def test_length_changing_phrase_falls_back_per_character(monkeypatch):
    class Fake:  # one phrase rule that shortens the text, one character rule
        def convert(self, s):
            return s.replace("學校", "校").replace("個", "个")

    monkeypatch.setattr(norm, "_converter", lambda: Fake())
    norm._convert_char.cache_clear()
    try:
        # Only the line whose length changed is converted char by char.
        assert to_simplified("一個學校\n兩個") == "一个學校\n兩个"
    finally:
        norm._convert_char.cache_clear()


ALPHABET = "0123456789０１２３４５６７８９ \u3000\u00a0\n個萬學个万学名所%％年,，"


@given(st.text(alphabet=ALPHABET, max_size=60))
def test_property_offsets(raw):
    n = normalize(raw)
    check_invariants(n)
    for i, ch in enumerate(n.text):
        assert normalize(raw[n.to_orig(i)]).text == ch
    # Only horizontal whitespace is ever dropped.
    kept = set(offsets(n))
    assert all(raw[j] in " \u3000\u00a0" for j in range(len(raw)) if j not in kept)


def test_pinyin_glosses_are_dropped_with_offsets_kept():
    text = "鄂托克(ke)旗新增29.5萬(wàn)所學(xué)校(A)"
    n = normalize(text)
    assert n.text == "鄂托克旗新增29.5万所学校(A)"      # (A) is no pinyin syllable: kept
    s = n.text.index("29.5万所")
    start, end = n.span_to_orig(s, s + len("29.5万所"))
    assert text[start:end] == "29.5萬(wàn)所"         # a gloss inside the mention stays in its span
    s = n.text.index("鄂托克旗")
    assert text[slice(*n.span_to_orig(s, s + 3))] == "鄂托克"   # a gloss after the last character does not
