"""Tables flattened into lines (stages/grids.py): figures under a header that names
their unit, dated by a year column or the table's title; the examples live in
rules/grids.yaml beside the cues."""
import pytest

from extract.inputs.load import RawArticle
from extract.paths import RULES_DIR
from extract.stages.grids import GridReader
from extract.stages.rules import RuleError, load_yaml

CASES = load_yaml((RULES_DIR / "grids.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reader():
    return GridReader()


@pytest.mark.parametrize("case", CASES["examples"], ids=lambda c: c["text"][:12])
def test_examples_give_their_cells(reader, case):
    text = case["text"]
    assert [text[c.start:c.end] for c in reader.find(text)] == case["cells"]


@pytest.mark.parametrize("text", CASES["counter_examples"], ids=lambda t: t[:12])
def test_counter_examples_give_none(reader, text):
    assert reader.find(text) == []


def test_header_units_scale_and_year_columns(reader):
    text = "各区经费\n区 2022年经费(万元) 2023年经费(万元)\n东区 120 130\n西区 80 95\n"
    got = [(text[c.start:c.end], c.value, c.unit, c.year) for c in reader.find(text)]
    assert got == [("120", 1.2e6, "元", 2022), ("130", 1.3e6, "元", 2023),
                   ("80", 8e5, "元", 2022), ("95", 9.5e5, "元", 2023)]


def test_a_broken_cue_file_names_itself(tmp_path):
    (tmp_path / "grids.yaml").write_text("bracket_unit: '(['\nheader_units: {}\nyear_headers: []\nmax_cells: 5\n",
                                         encoding="utf-8")
    with pytest.raises(RuleError, match="grids.yaml"):
        GridReader(tmp_path)


def test_table_figures_become_claims_with_row_place_and_title_year(extractor):
    text = ("2020年特岗计划各省份设岗名额分配表\n省份 设岗数量 省份 设岗数量\n"
            "河北省 8200 海南省 700\n山西省 2700 重庆市 280\n")
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    got = {c.text: c for c in extractor.process(raw).claims}
    c = got["700"]
    assert (c.value, c.unit, c.region, c.year, c.year_source, c.rule_id) == (
        700, "人", "海南省", 2020, "table", "grid.cell")
    assert got["8200"].category == "teachers" and got["8200"].subject == "设岗数量"


def test_a_table_on_its_side_takes_the_unit_and_qualifier_from_its_rows(reader):
    text = "项目 | 数据 |\n学校总数(所) | 160+ |\n在校学生人数(人) | 约12万 |\n"
    got = [(c.value, c.unit, c.qualifier) for c in reader.find(text)]
    assert got == [(160, "所", "lower_bound"), (120000, "人", "approx")]
