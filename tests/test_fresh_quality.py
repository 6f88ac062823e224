"""The fresh pages in tests/data/fresh/ (collected and annotated blind, then learned
from: docs/quality.md) against their gold, with thresholds just under what the code
reaches on them, per batch and per script. They ship with the repo, so this runs on a
clean clone; the blind first scores of each batch are in docs/quality.md."""
import json
from pathlib import Path

import pytest

from conftest import ROOT

FRESH = ROOT / "tests" / "data" / "fresh"
# claim F1 and mention F1 per batch: all pages, simplified, traditional (2026-12-08, end of session)
THRESHOLDS = {
    "2026-12-07": {"f1": 0.97, "claim_f1": 0.825, "simplified": 0.86, "traditional": 0.775},
    "2026-12-07-b": {"f1": 0.955, "claim_f1": 0.53, "simplified": 0.57, "traditional": 0.465},
    "2026-12-07-c": {"f1": 0.97, "claim_f1": 0.80, "simplified": 0.91, "traditional": 0.66},
    "2026-12-08": {"f1": 0.955, "claim_f1": 0.635, "simplified": 0.585, "traditional": 0.66},
    "2026-12-08-b": {"f1": 0.945, "claim_f1": 0.80, "simplified": 0.83, "traditional": 0.77},
    "2026-12-08-c": {"f1": 0.82, "claim_f1": 0.56, "simplified": 0.60, "traditional": 0.52},
}


def _scripts(batch: Path) -> dict[str, str]:
    lines = (batch / "sources.tsv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    return {row[head.index("file")]: row[head.index("script")] for row in (ln.split("\t") for ln in lines[1:])}


@pytest.mark.parametrize("batch", sorted(THRESHOLDS))
def test_fresh_batch_holds_its_scores(extractor, tmp_path, batch):
    from extract.authoring.evaluate import evaluate, load_claims
    from extract.runs.run import run
    folder = FRESH / batch
    run(folder / "articles", tmp_path, extractor, progress=False)
    pred, gold = load_claims(tmp_path), load_claims(folder / "gold.jsonl")
    want = THRESHOLDS[batch]
    r = evaluate(pred, gold)
    low = [f"{k} = {r[k]:.3f} < {want[k]}" for k in ("f1", "claim_f1") if r[k] < want[k]]
    scripts = _scripts(folder)
    for script in ("simplified", "traditional"):
        arts = {a for a, s in scripts.items() if s == script}
        got = evaluate(pred, [g for g in gold if g["article"] in arts])["claim_f1"]
        if got < want[script]:
            low.append(f"{script} claim F1 = {got:.3f} < {want[script]}")
    assert not low, low


@pytest.mark.parametrize("batch", sorted(THRESHOLDS))
def test_fresh_batch_is_complete(batch):
    folder = FRESH / batch
    arts = {p.name for p in (folder / "articles").glob("*.txt")}
    gold = {json.loads(line)["article"] for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()}
    assert len(arts) >= 24 and gold <= arts and set(_scripts(folder)) == arts
    assert (folder / "decisions.tsv").exists()
