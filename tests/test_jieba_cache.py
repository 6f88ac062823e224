"""The jieba dictionary with the gazetteer's names is kept in a cache file so a
process starts in a fraction of a second. A process that builds it, one that
loads it and one that finds the file damaged must find the same entities."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import SEEDS_DIR

PROBE = r"""
import json, sys, time
from pathlib import Path
t = time.perf_counter()
from extract.stages.gazetteer import Gazetteer
from extract.stages.entities import EntityRecognizer
from extract.stages.normalize import normalize
er = EntityRecognizer(Gazetteer.load())
built = time.perf_counter() - t
out = []
for p in sorted(Path(sys.argv[1]).glob("*.txt")):
    text = normalize(p.read_text(encoding="utf-8")).text
    out.append([(e.start, e.end, e.label, e.region.path if e.region else None) for e in er.find(text)])
print(json.dumps({"entities": out, "seconds": built}))
"""


def _probe(cache_dir) -> dict:
    env = {**os.environ, "EXTRACT_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(SEEDS_DIR)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_built_cached_and_damaged_cache_give_the_same_entities(tmp_path):
    built = _probe(tmp_path)
    [cache] = list(tmp_path.glob("jieba-*.pickle"))
    cached = _probe(tmp_path)
    assert cached["entities"] == built["entities"]
    cache.write_bytes(cache.read_bytes()[:1000])   # a truncated file (a crash while copying, a full disk)
    rebuilt = _probe(tmp_path)
    assert rebuilt["entities"] == built["entities"]
    assert cache.stat().st_size > 1000   # and it was written again


def test_an_unwritable_cache_folder_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert _probe(blocker / "cache")["entities"] == _probe(tmp_path / "ok")["entities"]
