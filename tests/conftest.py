"""Shared fixtures: one Extractor and one run over the seeds per test session."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"
# CI clones the repo with shared/ beside it (../shared); locally it is /work/shared.
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD_SEEDS = SHARED / "gold" / "seeds.jsonl"
SCORER = SHARED / "tools" / "score.py"
DEV_ARTICLES = SHARED / "dev" / "articles"
# The seeds' gold claims, copied from ../shared/gold/seeds.jsonl so the quality
# tests run on a clean clone (tests/test_evaluate.py checks the copy is current).
SEEDS_GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"


def require_shared(*paths: Path) -> None:
    for p in paths:
        if not p.exists():
            pytest.skip(f"{p} not found: the shared folder (gold data, scorer) must sit beside "
                        f"the repo at {SHARED}")


@pytest.fixture(scope="session")
def extractor():
    from extract.pipeline import Extractor
    return Extractor()


@pytest.fixture(scope="session")
def jieba_reference(extractor):
    """jieba itself, with the gazetteer's names added as jieba.add_word adds them: what
    the pipeline's words are checked against. With jieba_fast_dat cutting, jieba's own
    dictionary is otherwise never loaded (with jieba cutting, it holds the names already)."""
    import jieba
    from extract.stages import wordcut
    if wordcut.segmenter() == wordcut.FAST and not getattr(jieba, "_extract_reference", False):
        for w in extractor.recognizer._forms:
            jieba.add_word(w)
        jieba._extract_reference = True
    return jieba


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert paths, f"no seeds in {SEEDS_DIR}"
    return paths


@pytest.fixture(scope="session")
def seeds_out(extractor, tmp_path_factory) -> Path:
    """Output folder of one batch run over seeds/ (claims/articles/entities/errors.parquet)."""
    from extract.runs.run import run
    out = tmp_path_factory.mktemp("seeds_out")
    run(SEEDS_DIR, out, extractor, progress=False)
    return out


@pytest.fixture(scope="session")
def seed_claims(seeds_out) -> list[dict]:
    import pyarrow.parquet as pq
    return pq.read_table(seeds_out / "claims.parquet").to_pylist()


@pytest.fixture(scope="session")
def scorer():
    """The shared scorer module (load, score), imported from its file."""
    require_shared(SCORER)
    spec = importlib.util.spec_from_file_location("shared_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def seeds_score(seeds_out) -> dict:
    """`extract evaluate` of the seeds run against the in-repo gold (same figures as score.py)."""
    from extract.authoring.evaluate import evaluate, load_claims
    return evaluate(load_claims(seeds_out), load_claims(SEEDS_GOLD))
