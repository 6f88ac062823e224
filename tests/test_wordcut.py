"""The segmenter is jieba: its dictionary, the gazetteer's names added as user
words, its words. Both implementations behind cut_block (jieba_fast_dat's
compiled route with jieba's finishing, and jieba's own algorithm rewritten in
Python) must give jieba.cut's words exactly."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEV_ARTICLES, SEEDS_DIR
from extract.stages import wordcut
from extract.stages.normalize import normalize
from extract.stages.wordcut import JIEBA_BLOCKS, cut_block


def _blocks() -> list[str]:
    files = sorted(SEEDS_DIR.glob("*.txt")) + (sorted(DEV_ARTICLES.glob("*.txt")) if DEV_ARTICLES.is_dir() else [])
    blocks = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        blocks += JIEBA_BLOCKS.findall(text) + JIEBA_BLOCKS.findall(normalize(text).text)
    return blocks


@pytest.fixture(scope="module")
def python_cutter(jieba_reference):
    """jieba's algorithm in Python (the segmenter without the wheel), on jieba's dictionary
    with the gazetteer's names."""
    jieba_reference.dt.check_initialized()
    return wordcut._JiebaCutter(jieba_reference.dt)


def test_the_patterns_are_jiebas_own():
    from jieba import finalseg
    assert JIEBA_BLOCKS.pattern == jieba.re_han_default.pattern
    assert wordcut._JIEBA_SKIP.pattern == jieba.re_skip_default.pattern
    assert wordcut._HMM_HAN.pattern == finalseg.re_han.pattern
    assert wordcut._HMM_SKIP.pattern == finalseg.re_skip.pattern


def test_every_block_of_seeds_and_dev_is_cut_as_jieba_cuts_it(jieba_reference, python_cutter):
    blocks = _blocks()
    assert len(blocks) > 1000
    assert [b for b in blocks if cut_block(b) != list(jieba.cut(b))] == []
    assert [b for b in blocks if python_cutter.cut(b) != list(jieba.cut(b))] == []


ALPHABET = "沈阳市和平区铁西小学第七中学教育集团义务均衡发展新建改扩所个人万亿年月日的了在是有我省全区ab12.%-+#&_"
# characters the HMM has never seen (its ties are jieba's to break), traditional ones, a run of one character
RARE = "鿕䶮𠀀龘壘複製轉載註冊嘅久"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET + RARE, min_size=1, max_size=40))
def test_property_cut_block_is_jiebas_cut(jieba_reference, python_cutter, text):
    for block in JIEBA_BLOCKS.findall(text):
        expected = list(jieba.cut(block))
        assert cut_block(block) == expected
        assert python_cutter.cut(block) == expected


def test_a_word_added_later_is_used(jieba_reference):
    """The Python cutter is built for one state of jieba's dictionary and rebuilt when it changes."""
    from jieba import finalseg
    block = "沈阳市新建扎克伯格实验学校"
    total = jieba.dt.total
    cutter = wordcut._JiebaCutter(jieba.dt)
    assert cutter.cut(block) == list(jieba.cut(block))
    jieba.add_word("扎克伯格实验学校")   # the dictionary's total changes: the cutter is rebuilt
    try:
        assert not cutter.current(jieba.dt)
        rebuilt = wordcut._JiebaCutter(jieba.dt)
        assert rebuilt.cut(block) == list(jieba.cut(block))
        assert "扎克伯格实验学校" in rebuilt.cut(block)
    finally:
        # as it was for the other tests: del_word leaves the total raised and a forced split
        jieba.del_word("扎克伯格实验学校")
        jieba.dt.total = total
        finalseg.Force_Split_Words.discard("扎克伯格实验学校")


# ---- jieba_fast_dat: installed from its wheel, holding jieba's numbers ------------------

fast_only = pytest.mark.skipif(wordcut._fast_module() is None, reason="jieba_fast_dat's wheel is not installed")


@fast_only
def test_the_compiled_segmenter_is_used_when_its_wheel_is_installed(extractor):
    if os.environ.get("EXTRACT_SEGMENTER", "").lower() == wordcut.JIEBA:
        pytest.skip("EXTRACT_SEGMENTER=jieba")
    assert wordcut.segmenter() == wordcut.FAST
    assert wordcut._FAST is not None


@fast_only
def test_the_compiled_dictionary_holds_jiebas_frequencies(extractor, jieba_reference):
    if wordcut.segmenter() != wordcut.FAST:
        pytest.skip("jieba cuts")
    fast = wordcut._FAST
    forms = extractor.recognizer._forms
    assert fast.total == jieba.dt.total
    assert [w for w in forms if fast.freq(w) != jieba.dt.FREQ[w]] == []
    common = random.Random(0).sample(sorted(w for w, f in jieba.dt.FREQ.items() if f), 2000)
    assert [w for w in common if fast.freq(w) != jieba.dt.FREQ[w]] == []


@fast_only
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="我省义务教育集团学校沈阳和平" + RARE, min_size=1, max_size=12))
def test_property_hmm_is_jiebas_hmm(extractor, text):
    """Compiled where every character is known, jieba's arithmetic elsewhere: jieba.finalseg's words."""
    if wordcut.segmenter() != wordcut.FAST:
        pytest.skip("jieba cuts")
    from jieba import finalseg
    words: list[str] = []
    wordcut._FAST.hmm.cut(text, words)
    assert words == list(finalseg.cut(text))


PROBE = r"""
import json, sys
from pathlib import Path
from extract.stages import wordcut
from extract.stages.gazetteer import Gazetteer
from extract.stages.entities import EntityRecognizer
from extract.stages.normalize import normalize
er = EntityRecognizer(Gazetteer.load())
out = []
for p in sorted(Path(sys.argv[1]).glob("*.txt")):
    text = normalize(p.read_text(encoding="utf-8")).text
    out.append([(e.start, e.end, e.label, e.region.path if e.region else None) for e in er.find(text)])
print(json.dumps({"segmenter": wordcut.segmenter(), "entities": out,
                  "jieba_imported": "jieba" in sys.modules}))
"""


def _probe(tmp_path, segmenter: str | None = None, hide_wheel: bool = False) -> dict:
    env = {**os.environ, "EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("EXTRACT_SEGMENTER", None)
    if segmenter:
        env["EXTRACT_SEGMENTER"] = segmenter
    code = ("import sys; sys.modules['jieba_fast_dat'] = None\n" if hide_wheel else "") + PROBE
    done = subprocess.run([sys.executable, "-c", code, str(SEEDS_DIR)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


@fast_only
def test_without_the_wheel_jieba_cuts_and_the_entities_are_the_same(tmp_path):
    fast = _probe(tmp_path)
    assert fast["segmenter"] == wordcut.FAST
    missing = _probe(tmp_path, hide_wheel=True)
    assert missing["segmenter"] == wordcut.JIEBA
    assert missing["entities"] == fast["entities"]
    chosen = _probe(tmp_path, segmenter="jieba")
    assert chosen["segmenter"] == wordcut.JIEBA and chosen["entities"] == fast["entities"]
    # from its cache, the compiled segmenter starts without importing jieba (and pkg_resources)
    assert _probe(tmp_path)["jieba_imported"] is False


def test_an_unknown_segmenter_is_an_error(tmp_path):
    env = {**os.environ, "EXTRACT_SEGMENTER": "spacy"}
    done = subprocess.run([sys.executable, "-c", "from extract.stages import wordcut; wordcut.segmenter()"],
                          env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "EXTRACT_SEGMENTER" in done.stderr
