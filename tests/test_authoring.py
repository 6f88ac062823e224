"""docs/rules.md's worked example, run as written; and the authoring tools."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.authoring.evaluate import diff, evaluate
from extract.stages.rules import load_rules
from extract.authoring.coverage import Coverage

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
BIN = Path(sys.executable).parent


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def text_blocks() -> list[str]:
    return re.findall(r"```text\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """Run the doc's shell blocks in order in a fresh folder; output of each block."""
    cwd = tmp_path_factory.mktemp("worked")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    outputs = []
    for block in shell_blocks():
        p = subprocess.run(["bash", "-e", "-c", block], cwd=cwd, env=env, capture_output=True, text=True,
                           timeout=600)
        assert p.returncode == 0, f"block failed:\n{block}\n{p.stdout}\n{p.stderr}"
        outputs.append(p.stdout + p.stderr)
    return cwd, outputs


def test_doc_has_the_worked_example():
    assert len(shell_blocks()) == 3


def test_coverage_lists_the_gap_before(worked):
    _, (before, _, _) = worked
    assert re.search(r"^\s+2  \{n\}分之$", before, re.M)
    assert re.search(r"^\s+1  \{n\}盏$", before, re.M)
    assert "3 unexplained" in before
    for line in text_blocks()[0].splitlines():   # the doc shows the real output
        assert line.strip() in before


def test_rules_test_passes(worked):
    _, (_, test_out, _) = worked
    assert "1 rules, 3 examples, 0 failures" in test_out


def test_run_finds_the_new_claims_and_coverage_is_clean(worked):
    cwd, (_, _, after) = worked
    claims = pq.read_table(cwd / "work" / "out" / "claims.parquet").to_pylist()
    got = {(c["text"], round(c["value"], 2), c["unit"], c["rule_id"]) for c in claims}
    assert ("三分之一", 33.33, "%", "user.fraction_words") in got
    assert ("四分之三", 75.0, "%", "user.fraction_words") in got
    assert ("300盏", 300.0, "盏", "count.measure_word") in got
    assert "claim" in after and "user.fraction_words" in after        # explain output
    assert "0 unexplained in 0 patterns" in after
    assert "{n}分之" not in after.split("claims")[-1]


def test_explain_names_winner_and_losers():
    res = CliRunner().invoke(main, ["explain", "比2019年提高了9个百分点,第3名,点亮一所学校"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "'9个百分点'" in out and "rule count.measure_word" in out and "unit '百分点'" in out
    assert "excluded by not.date: '2019年'" in out
    assert "excluded by not.ordinal: '第3'" in out
    assert "lost: count.measure_word" in out and "priority 100 > 40" in out


def test_coverage_patterns():
    cov = Coverage(load_rules())
    found = cov.article("a.txt", "标题\n\n全市新建学校教室40间,护眼灯300盏,达到100%。")
    assert [u.pattern for u in found] == ["眼灯{n}盏"]


def _c(article, start, end, value, **kw):
    base = {"article": article, "start": start, "end": end, "text": "x", "value": value, "value_max": None,
            "unit": "所", "qualifier": "exact", "kind": "level", "target": False, "category": "schools",
            "region": None, "year": None, "baseline_year": None, "subject": "", "entity": None,
            "rule_id": "count.measure_word"}
    return {**base, **kw}


def test_evaluate_matches_scorer_semantics():
    gold = [_c("a.txt", 0, 3, 10), _c("a.txt", 10, 13, 20), _c("a.txt", 20, 23, 30, category="students")]
    pred = [_c("dir/a.txt", 1, 3, 10), _c("dir/a.txt", 11, 14, 21), _c("dir/a.txt", 40, 42, 5),
            _c("dir/b.txt", 0, 2, 1)]
    for p in pred:
        p["article"] = os.path.basename(p["article"])
    r = evaluate(pred, gold)
    assert (r["predicted"], r["matched"]) == (3, 2)          # b.txt is not in gold
    assert r["precision"] == pytest.approx(2 / 3) and r["recall"] == pytest.approx(2 / 3)
    assert r["acc_value"] == pytest.approx(0.5)
    assert [g["value"] for g in r["missed"]] == [30]
    assert r["by_category"]["students"]["recall"] == 0.0
    assert r["by_rule"]["count.measure_word"]["matched"] == 2


def test_diff_gained_lost_changed():
    old = [_c("a.txt", 0, 3, 10), _c("a.txt", 10, 13, 20), _c("a.txt", 20, 23, 30)]
    new = [_c("a.txt", 0, 3, 10), _c("a.txt", 10, 14, 20, unit="个"), _c("a.txt", 30, 33, 40, rule_id="user.x")]
    d = diff(old, new)
    assert d["unchanged"] == 1
    assert [c["value"] for c in d["gained"]] == [40] and [c["value"] for c in d["lost"]] == [30]
    (o, n, fields), = d["changed"]
    assert fields == ["span", "unit"]


def test_diff_and_evaluate_commands(tmp_path):
    import pyarrow as pa
    from extract.models import Claim, arrow_schema
    full = lambda c: {**{k: None for k in Claim.model_fields}, **c, "claim_group": "g", "sentence": "s",  # noqa: E731
                      "extractor_version": "v", "region_source": "none", "year_source": "none"}
    for name, rows in (("old", [_c("a.txt", 0, 3, 10)]), ("new", [_c("a.txt", 0, 3, 11)])):
        (tmp_path / name).mkdir()
        pq.write_table(pa.Table.from_pylist([full(r) for r in rows], schema=arrow_schema(Claim)),
                       tmp_path / name / "claims.parquet")
    res = CliRunner().invoke(main, ["diff", str(tmp_path / "old"), str(tmp_path / "new")])
    assert res.exit_code == 0, res.output
    assert "gained 0  lost 0  changed 1" in res.output and "value: 10.0 -> 11.0" in res.output
    (tmp_path / "gold.jsonl").write_text('{"article": "a.txt", "start": 0, "end": 3, "text": "x", "value": 10, '
                                         '"unit": "所", "category": "schools"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["evaluate", str(tmp_path / "old"), str(tmp_path / "gold.jsonl")])
    assert res.exit_code == 0, res.output
    assert "mention  P 1.000  R 1.000  F1 1.000" in res.output


def test_explain_takes_a_text_too_long_for_a_file_name():
    text = "新增县域内融合型、共建型教育共同体学校(校区)合计1532家," * 3
    res = CliRunner().invoke(main, ["explain", text])
    assert res.exit_code == 0, res.output
    assert "1532家" in res.output
