import importlib.util
from pathlib import Path

import pytest

from extract.stages.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_lookup_full_name(gaz):
    (r,) = gaz.lookup("鞍山市")
    assert (r.code, r.path, r.level, r.province, r.city) == ("210300", "辽宁省鞍山市", "city", "辽宁省", "鞍山市")


@pytest.mark.parametrize("name,path", [
    ("海城", "辽宁省鞍山市海城市"),          # beats 北海市海城区: a 市 outranks a 区
    ("西城区", "北京市西城区"),
    ("新疆生产建设兵团第十二师", "新疆生产建设兵团第十二师"),
    ("十二师", "新疆生产建设兵团第十二师"),
    ("铁门关市", "新疆生产建设兵团第二师铁门关市"),
    ("香港", "香港特别行政区"),
    ("内蒙古", "内蒙古自治区"),
    ("吉林", "吉林省"),
    ("全国", "全国"),
])
def test_resolve(gaz, name, path):
    assert gaz.resolve(name).path == path


def test_resolve_within_context(gaz):
    assert gaz.resolve("和平区") is None
    assert gaz.resolve("和平区", within="天津市").path == "天津市和平区"
    assert gaz.resolve("和平区", within="辽宁省沈阳市").path == "辽宁省沈阳市和平区"


def test_municipality_columns(gaz):
    r = gaz.by_path("北京市西城区")
    assert (r.code, r.province, r.city, r.county) == ("110102", "北京市", "北京市", "西城区")


def test_stopwords_are_not_aliases(gaz):
    assert gaz.lookup("和平") == [] and gaz.lookup("新建") == []


def test_data_file_is_current():
    if importlib.util.find_spec("jionlp") is None:
        pytest.skip("jionlp (build-only source) not installed")
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert (ROOT / "data" / "regions.tsv").read_text(encoding="utf-8") == build.generate()


def test_the_area_a_place_stands_for_holds_as_many_places_as_counted(gaz):
    dianbai = gaz.resolve("电白区")
    assert gaz.holding(dianbai).path == "广东省茂名市"              # 电白区等: its city
    assert gaz.holding(dianbai, 3).path == "广东省茂名市"           # 茂名市 has 3 or more counties
    assert gaz.holding(dianbai, 13).path == "广东省"                # but not 13
    assert gaz.holding(gaz.resolve("蓟州区"), 5).path == "天津市"
    assert gaz.holding(gaz.by_path("全国")) is None


def test_districts_merged_away_name_the_district_that_took_them_in(gaz):
    assert gaz.resolve("闸北").path == "上海市静安区"
    assert gaz.resolve("崇文区").path == "北京市东城区"
    assert gaz.lookup("崇文") == []          # 崇文尚学: an ordinary word
    assert gaz.resolve("东涌").path == "香港特别行政区离岛区"
