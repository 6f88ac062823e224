"""Broken rule folders are reported (file, line, rule id, problem) before any
article is processed; a runaway user regex becomes an errors row."""
import dataclasses
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.authoring.tools import load_checked, validate_examples
from extract.cli import main
from extract.stages.rules import RuleError, load_rules

GOOD_RULE = """\
rules:
  - id: user.sheng
    description: Students counted in 生.
    pattern: '(?P<num>\\d+)(?P<unit>生)'
    examples:
      - {text: '招收120生', expect: {text: 120生, value: 120, unit: 生}}
    counter_examples: ['学生']
"""

BROKEN = {
    "bad_yaml": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)\n  examples: [\n",
                 ["bad YAML"], None),
    "bad_regex": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+'\n",
                  ["bad regex"], "user.x"),
    "unknown_field": ("rules:\n  - id: user.ok\n    description: ok\n    pattern: '(?P<num>\\d+)个'\n"
                      "  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)'\n    colour: red\n",
                      ["colour", "Extra inputs"], "user.x"),
    "unknown_fragment": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+){nosuch}'\n",
                         ["unknown fragment {nosuch}"], "user.x"),
    "failing_example": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)(?P<unit>生)'\n"
                        "    examples:\n      - {text: '招收120生', expect: {value: 121}}\n",
                        ["example failed", "招收120生", "value 120 != 121"], "user.x"),
    "failing_counter_example": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)(?P<unit>生)'\n"
                                "    counter_examples: ['招收120生']\n",
                                ["counter_example failed", "招收120生"], "user.x"),
}
BROKEN.update({
    # values outside the claims table's controlled vocabularies (models.py, GUIDELINE.md)
    "bad_category": ("rules:\n  - id: user.ok\n    description: ok\n    pattern: '(?P<num>\\d+)个'\n"
                     "  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)间'\n"
                     "    yields: {category: facility}\n",
                     ["yields.category", "'facility'", "facilities"], "user.x"),
    "bad_yields_unit": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)人'\n"
                        "    yields: {unit: persons}\n",
                        ["yields.unit", "'persons'", "canonical unit"], "user.x"),
    "bad_kind": ("rules:\n  - id: user.x\n    description: x\n    pattern: '(?P<num>\\d+)人'\n"
                 "    yields: {kind: delta}\n",
                 ["yields.kind", "'delta'"], "user.x"),
})
LINES = {"bad_category": 5, "bad_yields_unit": 2, "bad_kind": 2, "bad_yaml": None, "bad_regex": 2, "unknown_field": 5, "unknown_fragment": 2,
         "failing_example": 2, "failing_counter_example": 2}


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "mine.yaml").write_text(text, encoding="utf-8")
    return folder


def _article(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"测试文章\n2021-05-06 10:00:00 来源:测试\n\n{body}\n", encoding="utf-8")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_rule_is_reported_with_file_line_and_rule(tmp_path, case):
    text, words, rule_id = BROKEN[case]
    folder = _folder(tmp_path, case, text)
    with pytest.raises(RuleError) as info:
        load_checked([folder])
    err = info.value
    assert err.file.endswith("mine.yaml")
    assert err.rule_id == rule_id
    if LINES[case]:
        assert err.line == LINES[case]
    for w in words:
        assert w in str(err)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_extract_run_refuses_broken_rules(tmp_path, case):
    text, words, rule_id = BROKEN[case]
    folder = _folder(tmp_path, case, text)
    _article(tmp_path / "in", "a.txt", "全市共有学校12所。")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                       "--rules", str(folder), "--no-progress"])
    assert result.exit_code != 0
    assert "broken rule file" in result.output and "mine.yaml" in result.output
    if rule_id:
        assert rule_id in result.output
    for w in words:
        assert w in result.output
    assert not (tmp_path / "out" / "claims.parquet").exists()


def test_rules_test_command(tmp_path):
    good = _folder(tmp_path, "good", GOOD_RULE)
    ok = CliRunner().invoke(main, ["rules", "test", "--rules", str(good)])
    assert ok.exit_code == 0, ok.output
    bad = _folder(tmp_path, "bad", BROKEN["failing_example"][0])
    res = CliRunner().invoke(main, ["rules", "test", "--rules", str(bad), "--user-only"])
    assert res.exit_code == 1
    assert "mine.yaml:2 rule user.x: example failed" in res.output
    assert "expected: value=121" in res.output and "value 120 != 121" in res.output


def test_validate_examples_scoped_to_user_folder(tmp_path):
    bad = _folder(tmp_path, "bad", BROKEN["failing_example"][0])
    ruleset = load_rules([bad])
    assert [f.rule_id for f in validate_examples(ruleset, [bad])] == ["user.x"]
    assert [f.rule_id for f in validate_examples(ruleset)] == ["user.x"]   # shipped rules all pass


RUNAWAY = """\
rules:
  - id: user.runaway
    description: Catastrophic backtracking on a long run of a without b.
    pattern: '(?P<num>\\d)(啊|啊)+吧'
    examples:
      - {text: '1啊吧', expect: {text: 1啊吧, value: 1}}
      - {text: '共2啊啊吧', expect: {text: 2啊啊吧, value: 2}}
    counter_examples: ['1啊哦']
"""


def test_runaway_regex_becomes_errors_row_and_batch_goes_on(tmp_path):
    folder = _folder(tmp_path, "runaway", RUNAWAY)
    _article(tmp_path / "in", "a_bad.txt", "编号1" + "啊" * 60 + "!共有学校12所。")
    _article(tmp_path / "in", "b_good.txt", "全市共有学校12所。")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                       "--rules", str(folder), "--no-progress"])
    assert result.exit_code == 3, result.output   # finished, but an article is in errors
    errors = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert [(e["path"], e["stage"]) for e in errors] == [("a_bad.txt", "extract")]
    assert "user.runaway" in errors[0]["reason"] and "all its matches together" in errors[0]["reason"]
    claims = pq.read_table(tmp_path / "out" / "claims.parquet").to_pylist()
    assert [(c["article"], c["text"]) for c in claims] == [("b_good.txt", "12所")]


@pytest.mark.parametrize("vocab, words, rule_id", [
    ("units:\n  盏: {unit: 盏, category: facility}\n", ["units.盏", "category", "'facility'"], "units.盏"),
    ("units:\n  盏: {unit: buildings}\n", ["'buildings'", "canonical unit"], "units.盏"),
    ("noun_units:\n  园: {category: kindergartens}\n", ["noun_units.园", "'kindergartens'"], "noun_units.园"),
])
def test_user_vocabulary_is_validated_at_load(tmp_path, vocab, words, rule_id):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "vocabulary.yaml").write_text(vocab, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([folder])
    assert info.value.file == str(folder / "vocabulary.yaml")
    assert info.value.rule_id == rule_id
    for w in words:
        assert w in str(info.value)


def test_user_measure_word_is_a_valid_unit(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "vocabulary.yaml").write_text("units:\n  盏: {unit: 盏, category: facilities}\n", encoding="utf-8")
    (folder / "r.yaml").write_text("rules:\n  - id: user.zhan\n    description: x\n"
                                   "    pattern: '护眼灯(?P<num>\\d+)'\n    yields: {unit: 盏}\n", encoding="utf-8")
    assert any(r.id == "user.zhan" and r.yields.unit == "盏" for r in load_rules([folder]).rules)


def test_claim_failing_validation_drops_only_that_claim(tmp_path, extractor):
    """A rule that slipped past validation (built in code here) loses its claims, each
    with an errors row naming the rule; the article's other claims stay."""
    from extract.inputs.load import RawArticle
    from extract.pipeline import Extractor
    from extract.stages.rules import Yields

    folder = _folder(tmp_path, "mine", "rules:\n  - id: user.jian\n    description: x\n"
                                         "    pattern: '(?P<num>\\d+)间教室'\n    priority: 90\n")
    rules = load_rules([folder])
    i = next(i for i, r in enumerate(rules.rules) if r.id == "user.jian")
    bad = Yields.model_construct(**{**rules.rules[i].yields.model_dump(), "category": "facility"})
    rules.rules[i] = dataclasses.replace(rules.rules[i], yields=bad)
    ex = Extractor(rules=rules)
    text = "测试文章\n2021-05-06 10:00:00 来源:测试\n\n全市共有学校12所，新建30间教室，教师500人。\n"
    result = ex.process(RawArticle("a.txt", text, "0" * 64, "utf-8", len(text.encode())))
    assert sorted(c.text for c in result.claims) == ["12所", "500人"]
    assert result.article.status == "ok" and result.article.claims == 2
    (error,) = result.errors
    assert (error.path, error.stage, error.severity) == ("a.txt", "extract", "error")
    assert "user.jian" in error.reason and "30间教室" in error.reason and "'facility'" in error.reason
