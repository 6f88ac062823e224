"""jieba, prepared for entity matching: the gazetteer's names in its dictionary
(cached on disk, so a process starts in a fraction of a second) and an exact,
faster cut of one block. jieba stays the segmenter: these are its words."""
from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import tempfile
from pathlib import Path

import jieba
from jieba import finalseg

from extract.paths import cache_dir

# How jieba splits a text into blocks it cuts independently (jieba.cut's own pattern).
JIEBA_BLOCKS = jieba.re_han_default
_JIEBA_SKIP = jieba.re_skip_default

# jieba's dictionary is process-global: remember what this process already added
# so a second recognizer (tests, notebooks) does not redo it.
_JIEBA_WORDS: set[str] = set()


def cut_words(text: str, marked: bytearray | None = None) -> list[str]:
    """jieba's words of `text`, covering it exactly (whitespace included).

    jieba cuts each block (a maximal run of Han, letters and digits) on its own,
    so a block gets the same words whether cut alone or inside the whole text.
    With `marked`, only blocks overlapping a marked character are cut into
    words; any other block becomes one word per character. Marking every
    place an entity can occur keeps the entities exactly as with a full cut,
    and skips most of jieba's work (the largest cost of the pipeline)."""
    if marked is None:
        return [w for w in jieba.cut(text, cut_all=False) if w]
    words: list[str] = []
    pos = 0
    # split() with jieba's capturing pattern alternates: between-blocks, block, ...
    for i, piece in enumerate(JIEBA_BLOCKS.split(text)):
        end = pos + len(piece)
        if i % 2 == 0:
            # between blocks, as jieba.cut does it: whitespace runs whole, the rest per character
            for part in _JIEBA_SKIP.split(piece):
                if _JIEBA_SKIP.match(part):
                    words.append(part)
                else:
                    words.extend(part)
        elif marked.find(1, pos, end) < 0:
            words.extend(piece)
        else:
            words.extend(cut_block(piece))
        pos = end
    return words


def cut_block(block: str) -> list[str]:
    """jieba's words of one block (a maximal run of Han, letters and digits), exactly
    as jieba.cut gives them, about twice as fast (see _Cutter)."""
    global _CUTTER
    dt = jieba.dt
    if _CUTTER is None or not _CUTTER.current(dt):
        dt.check_initialized()
        _CUTTER = _Cutter(dt)
    return _CUTTER.cut(block)


class _Cutter:
    """jieba's own algorithm for one block (Tokenizer.__cut_DAG, HMM on), with the
    same arithmetic in the same order, so the same words: the word graph and the
    best route are found in one backward pass over lists instead of a dict of
    lists and a generator per character, and each word's log probability is
    computed once per process. tests/test_wordcut.py compares it with jieba.cut
    on every block of the seeds and the dev set and on random text.
    Built for one state of jieba's dictionary; cut_block builds a new one when
    words are added (the total changes)."""

    def __init__(self, dt: jieba.Tokenizer):
        self.freq, self.total = dt.FREQ, dt.total
        self.logtotal = math.log(dt.total)
        self.logp: dict[str, float] = {}

    def current(self, dt: jieba.Tokenizer) -> bool:
        return dt.FREQ is self.freq and dt.total == self.total

    def cut(self, sentence: str) -> list[str]:
        get, logp, logtotal = self.freq.get, self.logp, self.logtotal
        n = len(sentence)
        score = [0.0] * (n + 1)   # best route's log probability from each position
        end = [0] * (n + 1)       # ... and the last character of its first word
        for k in range(n - 1, -1, -1):
            best, best_end = None, k
            i, frag = k, sentence[k]
            while i < n:                     # every dictionary word starting at k
                f = get(frag)
                if f is None:
                    break
                if f:
                    lp = logp.get(frag)
                    if lp is None:
                        lp = logp[frag] = math.log(f) - logtotal
                    s = lp + score[i + 1]
                    if best is None or s >= best:   # a tie goes to the longer word, as max() over (score, end)
                        best, best_end = s, i
                i += 1
                frag = sentence[k:i + 1]
            if best is None:                 # no word: the character alone
                w = sentence[k]
                lp = logp.get(w)
                if lp is None:
                    lp = logp[w] = math.log(get(w) or 1) - logtotal
                best = lp + score[k + 1]
            score[k], end[k] = best, best_end
        words: list[str] = []
        buf = ""                             # single characters in a row: the HMM may join them
        x = 0
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, words)
                    buf = ""
                words.append(sentence[x:y])
            x = y
        if buf:
            self._flush(buf, words)
        return words

    def _flush(self, buf: str, words: list[str]) -> None:
        if len(buf) == 1:
            words.append(buf)
        elif not self.freq.get(buf):
            words.extend(finalseg.cut(buf))
        else:
            words.extend(buf)


_CUTTER: _Cutter | None = None


def prepare_jieba(words: list[str]) -> dict[str, tuple[int, ...]]:
    """Add the gazetteer's names to jieba's dictionary; return how jieba then
    cuts each name (the word lengths), which is the name's phrase pattern.

    jieba's own start (a marshal of 500,000 prefixes), adding 6,400 words with
    computed frequencies and cutting them take over a second; the result is kept
    in a pickle keyed by jieba's version, its dictionary file and the words,
    which loads in a fraction of that. Any cache problem falls back to building
    it, so the cache can make start-up faster, never different."""
    jieba.setLogLevel(logging.WARNING)
    fresh = not jieba.dt.initialized and not _JIEBA_WORDS
    path = _jieba_cache_path(words) if fresh else None
    cached = _load_jieba(path) if path is not None else None
    if cached is not None:
        _JIEBA_WORDS.update(words)
        return cached
    for w in words:
        if w not in _JIEBA_WORDS:
            # freq=None lets jieba compute the frequency that keeps w one token
            # without making it swallow its neighbours.
            jieba.add_word(w)
            _JIEBA_WORDS.add(w)
    cuts = {w: tuple(map(len, cut_words(w, bytearray(b"\1" * len(w))))) for w in words}
    if path is not None:
        _save_jieba(path, cuts)
    return cuts


def _jieba_cache_path(words: list[str]) -> Path | None:
    dictionary = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    try:
        st = os.stat(dictionary)
    except OSError:
        return None
    key = hashlib.sha256("\n".join([jieba.__version__, dictionary, str(st.st_size), str(st.st_mtime_ns),
                                    *words]).encode("utf-8")).hexdigest()[:20]
    return cache_dir() / f"jieba-{key}.pickle"


def _load_jieba(path: Path) -> dict[str, tuple[int, ...]] | None:
    try:
        with open(path, "rb") as f:
            freq, total, cuts = pickle.load(f)
    except Exception:   # missing, truncated or foreign file: build instead
        return None
    with jieba.dt.lock:
        jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = freq, total, True
    return cuts


def _save_jieba(path: Path, cuts: dict[str, tuple[int, ...]]) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((jieba.dt.FREQ, jieba.dt.total, cuts), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)   # atomic: a parallel worker reads no file or the whole new one
    except OSError:
        logging.getLogger("extract").debug("jieba cache not written to %s", path, exc_info=True)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
