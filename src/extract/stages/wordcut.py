"""jieba, prepared for entity matching: the gazetteer's names in its dictionary
(cached on disk, so a process starts in a fraction of a second) and a fast,
exact cut of one block. jieba stays the segmenter: these are its words, from
its dictionary with the gazetteer's names added as user words.

Two implementations of jieba's algorithm, giving the same words
(tests/test_wordcut.py compares both with jieba.cut):

* jieba_fast_dat, a compiled wheel (jieba's algorithm in C++ over a
  double-array trie), loaded with jieba's own dictionary and the gazetteer's
  names at the frequencies jieba.add_word gives them (_FastCutter);
* jieba itself, with its per-block cut rewritten in Python with the same
  arithmetic (_JiebaCutter): when the wheel is missing, or with
  EXTRACT_SEGMENTER=jieba."""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
import pickle
import re
import tempfile
from pathlib import Path

from extract.paths import cache_dir

# How jieba splits a text into blocks it cuts independently, and what lies between
# (jieba.re_han_default, jieba.re_skip_default: tests check they are jieba's own).
# Copied so the fast segmenter never imports jieba (its import pulls in pkg_resources).
JIEBA_BLOCKS = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_JIEBA_SKIP = re.compile("(\r\n|\\s)", re.U)
# How jieba's HMM splits a run of single characters (jieba.finalseg.re_han, re_skip)
_HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")

FAST, JIEBA = "jieba_fast_dat", "jieba"

# The names this process already added to the dictionary, in order, so a second
# recognizer (tests, notebooks) does not redo it.
_JIEBA_WORDS: dict[str, None] = {}


def segmenter() -> str:
    """Which implementation cuts: jieba_fast_dat when its wheel is installed,
    unless EXTRACT_SEGMENTER=jieba; else jieba."""
    global _BACKEND
    if _BACKEND is None:
        wanted = os.environ.get("EXTRACT_SEGMENTER", "").strip().lower()
        if wanted not in ("", FAST, JIEBA):
            raise ValueError(f"EXTRACT_SEGMENTER={wanted!r}: expected {FAST!r} or {JIEBA!r}")
        _BACKEND = FAST if wanted != JIEBA and _fast_module() is not None else JIEBA
    return _BACKEND


_BACKEND: str | None = None


def _fast_module():
    """jieba_fast_dat's compiled module, or None when the wheel is missing or is
    not the version whose functions this module calls (pyproject.toml pins it)."""
    try:
        from jieba_fast_dat import _jieba_fast_dat_functions_py3 as native
    except ImportError:
        return None
    needed = ("DatTrie", "_get_DAG_and_calc", "_get_freq", "_finalseg_viterbi_cpp",
              "load_finalseg_hmm_model", "load_main_dict_from_path_pybind")
    return native if all(hasattr(native, n) for n in needed) else None


def cut_words(text: str, marked: bytearray | None = None) -> list[str]:
    """jieba's words of `text` (jieba.lcut), covering it exactly (whitespace included).

    jieba cuts each block (a maximal run of Han, letters and digits) on its own,
    so a block gets the same words whether cut alone or inside the whole text.
    With `marked`, only blocks overlapping a marked character are cut into
    words; any other block becomes one word per character. Marking every
    place an entity can occur keeps the entities exactly as with a full cut,
    and skips most of jieba's work."""
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
        elif marked is not None and marked.find(1, pos, end) < 0:
            words.extend(piece)
        else:
            words.extend(cut_block(piece))
        pos = end
    return words


def cut_block(block: str) -> list[str]:
    """jieba's words of one block (a maximal run of Han, letters and digits), exactly
    as jieba.cut gives them."""
    if segmenter() == FAST:
        return (_FAST or _fast_cutter([])).cut(block)
    global _CUTTER
    import jieba
    dt = jieba.dt
    if _CUTTER is None or not _CUTTER.current(dt):
        dt.check_initialized()
        _CUTTER = _JiebaCutter(dt)
    return _CUTTER.cut(block)


class _FastCutter:
    """jieba's cut of one block (Tokenizer.__cut_DAG, HMM on), its word graph and
    best route computed by jieba_fast_dat's compiled code, which does jieba's
    arithmetic (the same log probabilities, a tie going to the longer word). The
    route's runs of single characters are finished as jieba finishes them: a run
    that is a dictionary word stays characters, any other goes to jieba's HMM.
    The HMM runs compiled where every character of the run is in its tables, in
    Python (jieba's code) elsewhere: an unseen character makes ties, which the
    compiled Viterbi breaks differently from jieba."""

    def __init__(self, native, dat, total: float):
        self.native, self.dat, self.total = native, dat, float(total)
        self._route, self._freq = native._get_DAG_and_calc, native._get_freq
        self.hmm = _Hmm(native)

    def freq(self, word: str) -> int:
        return self._freq(self.dat, word)

    def cut(self, sentence: str) -> list[str]:
        end: list[int] = []        # the last character of the best route's word starting at each position
        self._route(self.dat, sentence, end, self.total)
        words: list[str] = []
        n, x, run = len(sentence), 0, -1     # run: where the current run of single characters began
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                if run < 0:
                    run = x
            else:
                if run >= 0:
                    self._flush(sentence[run:x], words)
                    run = -1
                words.append(sentence[x:y])
            x = y
        if run >= 0:
            self._flush(sentence[run:], words)
        return words

    def _flush(self, buf: str, words: list[str]) -> None:
        if len(buf) == 1:
            words.append(buf)
        elif self._freq(self.dat, buf):
            words.extend(buf)
        else:
            self.hmm.cut(buf, words)


_MIN_FLOAT = -3.14e100                                       # jieba.finalseg.MIN_FLOAT
_PREV_STATES = {"B": "ES", "M": "MB", "S": "SE", "E": "BM"}  # jieba.finalseg.PrevStatus


class _Hmm:
    """jieba's HMM for runs of characters no dictionary word covers
    (jieba.finalseg.cut), with jieba's model (the wheel ships the same tables)."""

    def __init__(self, native):
        from jieba_fast_dat.utils import load_model_pickle
        self.start, self.trans, self.emit = (load_model_pickle("jieba_fast_dat.finalseg", f"prob_{name}.p")
                                             for name in ("start", "trans", "emit"))
        native.load_finalseg_hmm_model(self.start, self.trans, self.emit)
        self._compiled = native._finalseg_viterbi_cpp
        # characters with an emission probability in every state: no ties for them
        self.known = frozenset(self.emit["B"]).intersection(self.emit["M"], self.emit["E"], self.emit["S"])

    def cut(self, buf: str, words: list[str]) -> None:
        for i, part in enumerate(_HMM_HAN.split(buf)):
            if not part:
                continue
            if i % 2 == 0:   # not Han: runs of letters and digits (with a decimal part, a %) whole
                words.extend(x for x in _HMM_SKIP.split(part) if x)
                continue
            states = self._compiled(part)[1] if self.known.issuperset(part) else self._viterbi(part)
            begin = nexti = 0
            for k, state in enumerate(states):
                if state == "B":
                    begin = k
                elif state == "E":
                    words.append(part[begin:k + 1])
                    nexti = k + 1
                elif state == "S":
                    words.append(part[k])
                    nexti = k + 1
            if nexti < len(part):
                words.append(part[nexti:])

    def _viterbi(self, obs: str) -> list[str]:
        """jieba.finalseg.viterbi, the same arithmetic and tie-breaking."""
        start, trans, emit = self.start, self.trans, self.emit
        probs = {y: start[y] + emit[y].get(obs[0], _MIN_FLOAT) for y in "BMES"}
        path = {y: [y] for y in "BMES"}
        for t in range(1, len(obs)):
            new_probs, new_path = {}, {}
            for y in "BMES":
                em_p = emit[y].get(obs[t], _MIN_FLOAT)
                prob, state = max([(probs[y0] + trans[y0].get(y, _MIN_FLOAT) + em_p, y0) for y0 in _PREV_STATES[y]])
                new_probs[y], new_path[y] = prob, path[state] + [y]
            probs, path = new_probs, new_path
        _, state = max((probs[y], y) for y in "ES")
        return path[state]


_FAST: _FastCutter | None = None


def _fast_cutter(words: list[str]) -> _FastCutter:
    """jieba's dictionary with `words` added as jieba.add_word adds them, in a
    jieba_fast_dat trie. jieba itself computes the frequencies (its suggest_freq,
    as each word is added), so the trie holds exactly jieba's numbers."""
    global _FAST
    import jieba
    jieba.setLogLevel(logging.WARNING)
    native = _fast_module()
    reference = jieba.Tokenizer(jieba.dt.dictionary)
    reference.initialize()
    dat = native.DatTrie()
    native.load_main_dict_from_path_pybind(dat, _jieba_dictionary(), {})
    for w in words:
        reference.add_word(w)
        dat.add_word(w, reference.FREQ[w], "")
    _FAST = _FastCutter(native, dat, reference.total)
    return _FAST


def _jieba_dictionary() -> str:
    """jieba's dictionary file, found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


class _JiebaCutter:
    """jieba's own algorithm for one block (Tokenizer.__cut_DAG, HMM on), with the
    same arithmetic in the same order, so the same words: the word graph and the
    best route are found in one backward pass over lists instead of a dict of
    lists and a generator per character, and each word's log probability is
    computed once per process. tests/test_wordcut.py compares it with jieba.cut
    on every block of the seeds and the dev set and on random text.
    Built for one state of jieba's dictionary; cut_block builds a new one when
    words are added (the total changes). Used when jieba_fast_dat is missing."""

    def __init__(self, dt):
        self.freq, self.total = dt.FREQ, dt.total
        self.logtotal = math.log(dt.total)
        self.logp: dict[str, float] = {}

    def current(self, dt) -> bool:
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
            from jieba import finalseg
            words.extend(finalseg.cut(buf))
        else:
            words.extend(buf)


_CUTTER: _JiebaCutter | None = None


def prepare_jieba(words: list[str]) -> dict[str, tuple[int, ...]]:
    """Add the gazetteer's names to jieba's dictionary; return how jieba then
    cuts each name (the word lengths), which is the name's phrase pattern.

    Building the dictionary (jieba's 350,000 words and 6,400 names with computed
    frequencies) and cutting the names take a second or more; the result is kept
    in a pickle keyed by the segmenter, its dictionary file and the words, which
    loads in a fraction of that. Any cache problem falls back to building it, so
    the cache can make start-up faster, never different."""
    if segmenter() == FAST:
        return _prepare_fast(words)
    return _prepare_jieba(words)


def _prepare_fast(words: list[str]) -> dict[str, tuple[int, ...]]:
    global _FAST
    fresh = _FAST is None and not _JIEBA_WORDS
    path = _cache_path(FAST, words) if fresh else None
    cached = _load_fast(path) if path is not None else None
    if cached is not None:
        _JIEBA_WORDS.update(dict.fromkeys(words))
        return cached
    if _FAST is None or any(w not in _JIEBA_WORDS for w in words):
        # jieba's frequency of a name depends on the names added before it: rebuild with all
        _JIEBA_WORDS.update(dict.fromkeys(words))
        _fast_cutter(list(_JIEBA_WORDS))
    cuts = {w: tuple(map(len, cut_words(w, bytearray(b"\1" * len(w))))) for w in words}
    if path is not None:
        _save(path, (_FAST.dat.save_to_bytes(), _FAST.total, cuts))
    return cuts


def _load_fast(path: Path) -> dict[str, tuple[int, ...]] | None:
    global _FAST
    native = _fast_module()
    try:
        with open(path, "rb") as f:
            data, total, cuts = pickle.load(f)
        dat = native.DatTrie()
        dat.load_from_bytes(data)   # RuntimeError on damaged data
    except Exception:   # missing, truncated or foreign file: build instead
        return None
    _FAST = _FastCutter(native, dat, total)
    return cuts


def _prepare_jieba(words: list[str]) -> dict[str, tuple[int, ...]]:
    import jieba
    jieba.setLogLevel(logging.WARNING)
    fresh = not jieba.dt.initialized and not _JIEBA_WORDS
    path = _cache_path(JIEBA, words) if fresh else None
    cached = _load_jieba(path) if path is not None else None
    if cached is not None:
        _JIEBA_WORDS.update(dict.fromkeys(words))
        return cached
    for w in words:
        if w not in _JIEBA_WORDS:
            # freq=None lets jieba compute the frequency that keeps w one token
            # without making it swallow its neighbours.
            jieba.add_word(w)
            _JIEBA_WORDS[w] = None
    cuts = {w: tuple(map(len, cut_words(w, bytearray(b"\1" * len(w))))) for w in words}
    if path is not None:
        _save(path, (jieba.dt.FREQ, jieba.dt.total, cuts))
    return cuts


def _cache_path(backend: str, words: list[str]) -> Path | None:
    """The cache file for this segmenter, jieba's dictionary and code, and these words."""
    try:
        files = [_jieba_dictionary(), importlib.util.find_spec("jieba").origin]
        if backend == FAST:
            files.append(importlib.util.find_spec("jieba_fast_dat._jieba_fast_dat_functions_py3").origin)
        stats = [f"{f}:{os.stat(f).st_size}:{os.stat(f).st_mtime_ns}" for f in files]
    except (OSError, AttributeError, TypeError, ImportError):
        return None
    key = hashlib.sha256("\n".join([backend, *stats, *words]).encode("utf-8")).hexdigest()[:20]
    return cache_dir() / f"jieba-{'fast-' if backend == FAST else ''}{key}.pickle"


def _load_jieba(path: Path) -> dict[str, tuple[int, ...]] | None:
    import jieba
    try:
        with open(path, "rb") as f:
            freq, total, cuts = pickle.load(f)
    except Exception:   # missing, truncated or foreign file: build instead
        return None
    with jieba.dt.lock:
        jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = freq, total, True
    return cuts


def _save(path: Path, content: tuple) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(content, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)   # atomic: a parallel worker reads no file or the whole new one
    except OSError:
        logging.getLogger("extract").debug("jieba cache not written to %s", path, exc_info=True)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
