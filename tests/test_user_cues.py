"""Cue files a user can extend (issue 18, part 5): categories.yaml, attribution.yaml
(target and time cues) and context.yaml in a `--rules` folder are merged into the
shipped ones through the one rules loader, checked like the vocabulary (a broken
file names the file, the entry and the problem), and a file in a rules folder
that nothing reads is an error naming it."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.inputs.load import RawArticle
from extract.pipeline import Extractor
from extract.stages.rules import RuleError, load_rules, merge_cues

# One folder with a cue of each kind, as docs/rules.md shows them.
USER_CUES = {
    # 校车18台 counts buses, not the pupils named before it
    "categories.yaml": "rules:\n  - {category: facilities, units: [台, 辆], keywords: [校车]}\n",
    # 有望 (is expected to) makes a plan's figure a target; 前年 is two years before the text's year
    "attribution.yaml": "target_cues: [有望]\nrelative_years: {前年: -2}\n",
    # an office that places a text naming no place of its own
    "context.yaml": "institutions:\n  高等教育局: 澳门特别行政区\n",
}


def _folder(tmp_path: Path, files: dict[str, str], name: str = "mine") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def user_extractor(tmp_path_factory) -> Extractor:
    return Extractor(rules=load_rules([_folder(tmp_path_factory.mktemp("cues"), USER_CUES)]))


def _claims(extractor: Extractor, text: str) -> list:
    result = extractor.process(RawArticle("a.txt", text, "0" * 64, "utf-8", len(text.encode())))
    return result.claims, result.article


def _one(extractor: Extractor, text: str):
    claims, _ = _claims(extractor, text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


# -- each kind of cue changes what the shipped cues decide --------------------------------

def test_a_user_category_changes_a_claims_category(extractor, user_extractor):
    text = "2022-05-01\n为学生配备校车18台。\n"
    assert _one(extractor, text).category == "students"
    assert _one(user_extractor, text).category == "facilities"
    # the shipped category rules still apply where the user's does not
    assert _one(user_extractor, "2022-05-01\n全市共有学校45所。\n").category == "schools"


def test_a_user_target_cue_makes_a_target(extractor, user_extractor):
    text = "2022-05-01\n全市有望新增学位2000个。\n"
    assert _one(extractor, text).target is False
    assert _one(user_extractor, text).target is True
    # the shipped target cues stay: the user's list is added to them
    assert _one(user_extractor, "2022-05-01\n全市力争新增学位3000个。\n").target is True


def test_a_user_time_cue_dates_a_figure(extractor, user_extractor):
    text = "2022-05-01\n前年全市新建学校5所。\n"
    assert _one(extractor, text).year is None
    assert _one(user_extractor, text).year == 2020


def test_a_user_context_cue_places_a_text(extractor, user_extractor):
    text = "高等教育局公布\n\n本年度共有学生3000人。\n"
    claim, article = _claims(extractor, text)[0][0], _claims(extractor, text)[1]
    assert claim.region is None and article.home_region is None
    claims, article = _claims(user_extractor, text)
    assert article.home_region == "澳门特别行政区" and article.region_source == "institution"
    assert claims[0].region == "澳门特别行政区"


def test_user_cue_files_change_the_rules_digest(tmp_path):
    """An incremental run re-extracts every article when a cue file changes."""
    shipped = load_rules()
    folder = _folder(tmp_path, {"attribution.yaml": "target_cues: [有望]\n"})
    first = load_rules([folder]).digest
    (folder / "attribution.yaml").write_text("target_cues: [有望, 可望]\n", encoding="utf-8")
    assert len({shipped.digest, first, load_rules([folder]).digest}) == 3


def test_merge_adds_words_replaces_single_values_and_puts_user_category_rules_first():
    shipped = {"target_cues": ["力争"], "relative_years": {"今年": 0}, "budget": "预算",
               "deixis": {"city": ["我市"]}, "rules": [{"category": "schools", "keywords": ["学校"]}]}
    user = {"target_cues": ["有望", "力争"], "relative_years": {"前年": -2}, "budget": "预算案",
            "deixis": {"city": ["本埠"]}, "rules": [{"category": "facilities", "keywords": ["校车"]}]}
    merged = merge_cues(shipped, user, "attribution.yaml")
    assert merged["target_cues"] == ["力争", "有望"]
    assert merged["relative_years"] == {"今年": 0, "前年": -2}
    assert merged["budget"] == "预算案"
    assert merged["deixis"] == {"city": ["我市", "本埠"]}
    cats = merge_cues(shipped, user, "categories.yaml")
    assert [r["category"] for r in cats["rules"]] == ["facilities", "schools"]


def test_later_folders_come_after_earlier_ones(tmp_path):
    a = _folder(tmp_path, {"categories.yaml": "rules:\n  - {category: facilities, keywords: [校车]}\n"}, "a")
    b = _folder(tmp_path, {"categories.yaml": "rules:\n  - {category: other, keywords: [校车]}\n"}, "b")
    rules = load_rules([a, b]).cues["categories.yaml"]["rules"]
    # each folder's rules go before what came before it: the last folder's rule is tried first
    assert [r["category"] for r in rules[:2]] == ["other", "facilities"]


# -- files nothing reads -------------------------------------------------------------------

@pytest.mark.parametrize("name, words", [
    ("segment.yaml", ["segment.yaml", "shipped rules only"]),
    ("grids.yaml", ["grids.yaml", "shipped rules only"]),
    ("entities.yml", ["entities.yml", "only *.yaml", "rename it entities.yaml"]),
    ("categories.yml", ["categories.yml", "rename it categories.yaml"]),
    ("cues.json", ["cues.json", "only *.yaml"]),
    ("sub/", ["sub", "folder inside a rules folder"]),
])
def test_a_file_nothing_reads_is_an_error_naming_it(tmp_path, name, words):
    folder = _folder(tmp_path, {"attribution.yaml": "target_cues: [有望]\n"})
    if name.endswith("/"):
        (folder / name.rstrip("/")).mkdir()
    else:
        (folder / name).write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([folder])
    assert info.value.file == str(folder / name.rstrip("/"))
    for w in words:
        assert w in str(info.value)


def test_notes_and_hidden_files_are_for_people(tmp_path):
    folder = _folder(tmp_path, {"README.md": "# my rules\n", ".gitignore": "*.bak\n",
                                "attribution.yaml": "target_cues: [有望]\n"})
    assert "有望" in load_rules([folder]).cues["attribution.yaml"]["target_cues"]


def test_run_refuses_an_unread_file_before_any_article(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("全市共有学校45所。\n", encoding="utf-8")
    folder = _folder(tmp_path, {"segment.yaml": "headings: []\n"})
    res = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                    "--rules", str(folder), "--no-progress"])
    assert res.exit_code != 0
    assert str(folder / "segment.yaml") in res.output and "not read" in res.output
    assert not (tmp_path / "out" / "claims.parquet").exists()


# -- broken files: the file, the entry, the problem ----------------------------------------

BROKEN = {
    "bad_regex": ("attribution.yaml", "target_cues: [有望]\ntarget_patterns: ['有望(?=新增']\n",
                  "target_patterns.0", 2, ["bad regex", "有望(?=新增"]),
    "words_not_a_list": ("attribution.yaml", "target_cues: 有望\n", "target_cues", 1, ["valid list"]),
    "unknown_key": ("attribution.yaml", "target_cue: [有望]\n", "target_cue", 1, ["Extra inputs"]),
    "null_value": ("attribution.yaml", "present_cues:\n", "present_cues", 1, ["valid list"]),
    "bad_category": ("categories.yaml", "rules:\n  - {category: buses, keywords: [校车]}\n",
                     "rules.0.category", 2, ["'buses'", "facilities"]),
    "rule_without_keywords": ("categories.yaml", "rules:\n  - {category: facilities}\n  - {category: other, kw: [x]}\n",
                              "rules.0.keywords", 2, ["Field required"]),
    "bad_qualifier": ("attribution.yaml", "distant_qualifiers:\n  起码: at_least\n",
                      "distant_qualifiers.起码", 2, ["'at_least'", "lower_bound"]),
    "bad_kind": ("context.yaml", "kinds:\n  plans: [发展纲要]\n", "kinds.plans", 2, ["Extra inputs"]),
    "unknown_region": ("context.yaml", "institutions:\n  高等教育局: 澳门\n", "institutions.高等教育局", 2,
                       ["'澳门' is no region", "full path"]),
    "bad_context_regex": ("context.yaml", "example_place: '某('\n", "example_place", 1, ["bad regex"]),
    "bad_yaml": ("categories.yaml", "rules:\n  - {category: facilities, keywords: [校车\n", None, None, ["bad YAML"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_cue_file_names_file_entry_and_problem(tmp_path, case):
    name, text, entry, line, words = BROKEN[case]
    folder = _folder(tmp_path, {name: text})
    with pytest.raises(RuleError) as info:
        load_rules([folder])
    err = info.value
    assert err.file == str(folder / name)
    assert err.rule_id == entry
    if line is not None:
        assert err.line == line
    for w in words:
        assert w in str(err), str(err)


def test_explain_reports_a_broken_cue_file(tmp_path):
    folder = _folder(tmp_path, {"attribution.yaml": "target_cues: 有望\n"})
    res = CliRunner().invoke(main, ["explain", "--text", "全市有望新增学位2000个。", "--rules", str(folder)])
    assert res.exit_code != 0
    assert str(folder / "attribution.yaml") in res.output and "target_cues" in res.output


def test_the_rules_setting_of_extract_toml_brings_cue_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("区教育局\n2022-05-01\n\n为学生配备校车18台。\n", encoding="utf-8")
    _folder(tmp_path, {"categories.yaml": USER_CUES["categories.yaml"]}, "my_rules")
    (tmp_path / "extract.toml").write_text('input = "in"\nout = "out"\nrules = ["my_rules"]\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--no-progress"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    (claim,) = pq.read_table(tmp_path / "out" / "claims.parquet").to_pylist()
    assert (claim["text"], claim["category"]) == ("18台", "facilities")
    assert json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))


def test_cue_entries_in_a_file_of_another_name_are_not_read(tmp_path):
    """target_cues in targets.yaml would be neither a grammar file nor a cue file."""
    folder = _folder(tmp_path, {"targets.yaml": "target_cues: [有望]\n"})
    with pytest.raises(RuleError) as info:
        load_rules([folder])
    assert info.value.file == str(folder / "targets.yaml")
    assert "not read" in str(info.value) and "attribution.yaml" in str(info.value)
