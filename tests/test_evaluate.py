"""`extract evaluate` gives the figures of ../shared/tools/score.py, on the seeds
run and the in-repo copy of the seeds' gold."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import GOLD_SEEDS, SCORER, SEEDS_GOLD, require_shared
from extract.cli import main
from extract.authoring.evaluate import evaluate, load_claims

# every figure score.py prints
SCORE_KEYS = ["gold", "predicted", "matched", "precision", "recall", "f1",
              "acc_value", "acc_value_max", "acc_unit", "acc_qualifier", "acc_kind", "acc_target",
              "acc_category", "acc_region", "acc_year", "acc_baseline_year",
              "claim_precision", "claim_recall", "claim_f1", "strict_claim_f1",
              "target_recall", "target_precision"]


@pytest.fixture(scope="module")
def ours(seeds_out) -> dict:
    res = CliRunner().invoke(main, ["evaluate", str(seeds_out), str(SEEDS_GOLD), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_evaluate_command_reports_every_figure(ours, seeds_out):
    assert set(SCORE_KEYS) <= set(ours)
    assert ours["gold"] == sum(1 for line in SEEDS_GOLD.read_text(encoding="utf-8").splitlines() if line.strip())
    direct = evaluate(load_claims(seeds_out), load_claims(SEEDS_GOLD))
    assert {k: direct[k] for k in SCORE_KEYS} == {k: ours[k] for k in SCORE_KEYS}
    assert 0 < ours["strict_claim_f1"] <= ours["claim_f1"] <= ours["f1"] <= 1


def test_evaluate_equals_score_py(ours, scorer, seeds_out):
    require_shared(GOLD_SEEDS)
    pred = scorer.load(str(seeds_out / "claims.parquet"))
    gold = scorer.load(str(SEEDS_GOLD))
    theirs, _ = scorer.score(pred, gold, {g["article"] for g in gold})
    assert list(theirs) == SCORE_KEYS, "score.py prints figures this test does not know"
    assert {k: ours[k] for k in SCORE_KEYS} == pytest.approx(theirs)


def test_in_repo_gold_is_the_shared_one():
    require_shared(GOLD_SEEDS)
    assert SEEDS_GOLD.read_bytes() == GOLD_SEEDS.read_bytes(), \
        "tests/data/seeds_gold.jsonl is out of date: copy ../shared/gold/seeds.jsonl"
