"""The dev set (../shared/dev: 144 real web excerpts, not copied into the repo) against
its gold, with thresholds just under what the code reaches today, and the two
halves (odd and even files) within 0.05 of each other: a gap means code fitted to
articles. Skips where ../shared is absent."""
import pytest

from conftest import SHARED, require_shared

DEV = SHARED / "dev"

# Just under what the code reaches on all 144 pages, raised with each change that earns
# it so that it cannot fall back unnoticed (2026-12-08: 0.975, 0.968, 0.906, 0.885,
# 0.856, 0.816, 0.860, 0.800; at the session's start 0.957, 0.903, 0.831, 0.853, 0.729,
# 0.688, 0.842, 0.639). Issue 17 aims at claim F1 0.88.
THRESHOLDS = {"f1": 0.97, "acc_region": 0.965, "acc_year": 0.90, "acc_category": 0.885, "claim_f1": 0.85,
              "strict_claim_f1": 0.815, "target_precision": 0.86, "target_recall": 0.805}


@pytest.fixture(scope="module")
def dev_claims(extractor, tmp_path_factory):
    require_shared(DEV / "gold.jsonl", DEV / "articles")
    from extract.authoring.evaluate import load_claims
    from extract.runs.run import run
    out = tmp_path_factory.mktemp("dev_out")
    run(DEV / "articles", out, extractor, progress=False)
    return load_claims(out), load_claims(DEV / "gold.jsonl")


def test_dev_scores(dev_claims):
    from extract.authoring.evaluate import evaluate
    pred, gold = dev_claims
    r = evaluate(pred, gold)
    low = [f"{k} = {r[k]:.3f} < {v}" for k, v in THRESHOLDS.items() if r[k] < v]
    assert not low, low


def test_dev_halves_agree(dev_claims):
    from extract.authoring.evaluate import evaluate
    pred, gold = dev_claims
    arts = sorted({g["article"] for g in gold})
    f = [evaluate(pred, [g for g in gold if g["article"] in half])["claim_f1"]
         for half in (set(arts[0::2]), set(arts[1::2]))]
    assert abs(f[0] - f[1]) <= 0.05, f"claim F1 of the halves: {f[0]:.3f} / {f[1]:.3f}"
