import itertools
from contextlib import contextmanager
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.stages.entities import EntityRecognizer, cut_words
from extract.stages.gazetteer import Gazetteer
from extract.stages.normalize import normalize


@pytest.fixture(scope="module")
def er() -> EntityRecognizer:
    return EntityRecognizer(Gazetteer.load())


def labels(er, text):
    ents = er.find(text)
    for e in ents:
        assert text[e.start:e.end] == e.text
    assert all(a.end <= b.start for a, b in zip(ents, ents[1:]))
    return [(e.label, e.text, e.region.path if e.region else None) for e in ents]


@pytest.mark.parametrize("text,expected", [
    ("辽宁省今年新建学校", [("REGION", "辽宁省", "辽宁省")]),
    ("在安阳市殷都区调研", [("REGION", "安阳市殷都区", "河南省安阳市殷都区")]),
    ("鞍山市、海城市和铁西区", [("REGION", "鞍山市", "辽宁省鞍山市"), ("REGION", "海城市", "辽宁省鞍山市海城市"),
                               ("REGION", "铁西区", None)]),
    ("鞍山市铁西区", [("REGION", "鞍山市铁西区", "辽宁省鞍山市铁西区")]),
    ("北京市西城区和包头市", [("REGION", "北京市西城区", "北京市西城区"), ("REGION", "包头市", "内蒙古自治区包头市")]),
    ("锦州市八中教育集团成立", [("GROUP", "锦州市八中教育集团", "辽宁省锦州市")]),
    ("沈阳市第七中学招生", [("SCHOOL", "沈阳市第七中学", "辽宁省沈阳市")]),
    ("印发《开展集团化等多种办学模式改革,推动基础教育高质量发展》的通知",
     [("POLICY", "《开展集团化等多种办学模式改革,推动基础教育高质量发展》", None)]),
    ("新疆生产建设兵团第十二师", [("REGION", "新疆生产建设兵团第十二师", "新疆生产建设兵团第十二师")]),
    # a campus, a count of districts: the bare name before them is still the place
    ("厦门翔安校区和同安两区", [("REGION", "厦门翔安", "福建省厦门市翔安区"), ("REGION", "同安", "福建省厦门市同安区")]),
])
def test_entities(er, text, expected):
    assert labels(er, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("我省全区新建公办小学3所,我市全市中小学", []),   # deictic and generic: nothing
    ("十九届三中全会,其中一中", []),                     # 三中/一中 outside a school name
    ("江西城市建设与中华民族共同体", [("REGION", "江西", "江西省")]),  # not 西城; not a group
    ("位于城中区安宁路12号,南京路和张掖大街", [("REGION", "城中区", None)]),   # streets named after places
    ("金寨南路棚改项目,太白湖区1所", []),        # a road; 太白 starts another place's name (fresh f4k03, f4k07)
    # a bare short name right after a place it does not lie in names something local there
    ("南京麒麟教育迎来大爆发", [("REGION", "南京", "江苏省南京市"), ("REGION", "麒麟", None)]),
])
def test_no_false_positives(er, text, expected):
    assert labels(er, text) == expected


def test_offsets_and_tokens(er):
    text = "推进北京四中和育才小学组建教育联盟"
    assert [e.text for e in er.find(text)] == ["北京四中", "育才小学"]
    spans = er.tokens(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_functional_zone_is_a_region_inside_its_city(er):
    text = "近年来,重庆高新区坚持优先发展教育。高新区直管园辖10个镇街。"
    zones = [(e.text, e.region.path) for e in er.find(text) if e.label == "REGION"]
    assert zones == [("重庆高新区", "重庆市高新区"), ("高新区", "重庆市高新区")]


def test_official_zone_name_wins_over_a_synthetic_one(er):
    [ent] = er.find("长春高新技术产业开发区新建学校")
    assert ent.region.path == "吉林省长春市长春高新技术产业开发区" and ent.region.code


# ---- segmenting only where an entity can be ----------------------------------------

SEEDS = sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))


@contextmanager
def full_cut(er):
    """The recognizer with jieba cutting every block, as a plain spaCy zh pipeline does."""
    er.partial_cut = False
    try:
        yield er
    finally:
        er.partial_cut = True


def spans(ents):
    return [(e.start, e.end, e.label, e.text, e.region.path if e.region else None) for e in ents]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_partial_cut_finds_what_a_full_cut_finds(er, seed):
    text = normalize(seed.read_text(encoding="utf-8")).text
    fast = spans(er.find(text))
    with full_cut(er):
        assert spans(er.find(text)) == fast


def test_partial_cut_keeps_jieba_words_where_marked(er):
    text = normalize(SEEDS[0].read_text(encoding="utf-8")).text
    full = cut_words(text)
    fast = cut_words(text, er._entity_chars(text))
    assert "".join(fast) == text
    assert len(fast) > len(full)   # unmarked blocks are split into characters
    # every word of a full cut is a word of the partial cut or spelled out character by character
    full_bounds = set(itertools.accumulate(map(len, full)))
    fast_bounds = set(itertools.accumulate(map(len, fast)))
    assert full_bounds <= fast_bounds
    marked_words = [w for w in fast if len(w) > 1]
    assert marked_words and set(marked_words) <= set(full)


PIECES = ["沈阳市", "和平区", "望湖路", "小学", "第七中学", "八中", "教育集团", "联盟", "铁西区", "鞍山",
          "江西", "城市", "重庆", "高新区", "学校", "集团", "实验", "新建", "所", "12", "个", "三",
          "我省", "推进", "，", "。", "、", " ", "\n", "《", "》", "等", "第", "二", "四", "中", "小", "学生", "的"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_property_partial_cut_equals_full_cut(er, pieces):
    text = "".join(pieces)
    fast = spans(er.find(text))
    with full_cut(er):
        assert spans(er.find(text)) == fast


@pytest.mark.parametrize("seed", SEEDS[:2], ids=lambda p: p.stem)
def test_all_marked_is_exactly_jiebas_cut(er, seed, jieba_reference):
    text = seed.read_text(encoding="utf-8")
    assert cut_words(text, bytearray(b"\1" * len(text))) == jieba.lcut(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="沈阳市小学第七中ab12 .%-\t\r\n\u3000,，。、《》·😀", max_size=40))
def test_property_all_marked_is_exactly_jiebas_cut(jieba_reference, text):
    assert cut_words(text, bytearray(b"\1" * len(text))) == jieba.lcut(text)


def test_a_directional_district_name_is_a_place_only_where_its_province_is_named():
    from extract.stages.entities import EntityRecognizer
    from extract.stages.gazetteer import Gazetteer
    rec = EntityRecognizer(Gazetteer.load())
    panyu = [e.region.path for e in rec.find("目前,番禺中心城区南区房地产业发展迅速,南区学位紧张。") if e.label == "REGION"]
    assert panyu and all(p.startswith("广东省广州市番禺区") for p in panyu)
    hk = [e.region.path for e in rec.find("香港北区幼稚园学额充足,北区今年新增学额400个。") if e.label == "REGION"]
    assert "香港特别行政区北区" in hk


def test_a_zone_that_names_its_district_in_brackets_is_that_district(er):
    text = "乌鲁木齐高新区“十三五”新建35所学校。乌鲁木齐高新区(新市区)教育局局长说,高新区将新建学校。"
    paths = {e.region.path for e in er.find(text) if e.label == "REGION" and "高新区" in e.text}
    assert paths == {"新疆维吾尔自治区乌鲁木齐市新市区"}       # fresh f5n06
    assert [e.region.path for e in er.find("重庆高新区新建学校")] == ["重庆市高新区"]

