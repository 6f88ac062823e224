"""A normalized matching view of an article, with offsets back to the original.

Rule regexes are written once, against simplified script with half-width
digits and punctuation, and run over `NormalizedText.text`; `to_orig` maps
every match back to exact offsets in the original text.  To keep that mapping
trivial, every transformation is one character -> one character except the
dropping of spaces (inside numbers, between a number and its unit, and between
two Han characters in letter-spaced pages) and of pinyin glosses (學(xué)),
which only removes characters.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import opencc
import regex

# One character -> one character.  Full-width ASCII (U+FF01-U+FF5E) sits
# exactly 0xFEE0 above its half-width twin.
_CHAR_MAP = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
# Unicode space separators (NBSP, en/em/thin spaces, ideographic space...).
_SPACES = "\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_CHAR_MAP.update(dict.fromkeys(_SPACES, " "))
# Ratio colons, as in "生师比 13︰1".
_CHAR_MAP.update({"\ufe30": ":", "\u2236": ":"})
# Few characters of a page need mapping: substituting just those is an order of
# magnitude faster than str.translate, which pays a failed lookup per character.
_CHAR_MAP_RE = re.compile("[%s]" % re.escape("".join(_CHAR_MAP)))

_CN_NUMERALS = "〇零一二三四五六七八九十百千万亿两"
# Measure words and units that follow a number.  Only consulted right after a
# number and a space, so a generous list costs nothing in false merges.
_UNITS = (
    "小时|公里|千米|公顷|公斤|平方|立方|"
    "[万亿千百%‰个名人位所座家户间项件次场批类种门节届期班本册套台辆"
    "张条份篇部支只头块元角分岁年月日天周时秒倍成米亩吨斤克升层栋处"
    "校园余多轮例起股段笔章]"
)
# Horizontal whitespace to drop: between a number and its unit ("21 个",
# "3 万"), and thousands separators ("5 000名").  Digit-space-digit is only
# dropped before an exact 3-digit group, so "2021 2022" stays two numbers.
# Newlines are never touched: they separate paragraphs.
# Also a single space between two Han characters of a letter-spaced page (提 问 者
# : 邓 兆 棠), where one side is a lone character: they must read as words for the
# rules and the gazetteer. Spaces between words (今日西安 今日长安, a menu) stay.
# Pinyin glosses that mirror sites put after characters (城乡(xiāng), 鄂托克(ke)旗):
# dropped like spaces, so places, units and numbers match through them.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_GLOSS = (rf"(?<=\p{{Han}})\((?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONED}]{{1,3}}"
                 rf"(?:ng|n|r)?\)")
_NUMBER_GAP = regex.compile(
    rf"{_PINYIN_GLOSS}"
    rf"|(?<=[0-9])[ \t]+(?=[0-9]{{3}}(?![0-9]))"
    rf"|(?<=[0-9{_CN_NUMERALS}])[ \t]+(?={_UNITS})"
    rf"|(?<=(?<!\S)\p{{Han}})[ \t](?=\p{{Han}})|(?<=\p{{Han}})[ \t](?=\p{{Han}}(?!\S))"
)


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str                    # normalized text
    # Where characters were dropped: a normalized index from which on, and how
    # many original characters lie before it in all (ascending).
    gap_starts: tuple[int, ...] = ()
    gap_dropped: tuple[int, ...] = ()

    def to_orig(self, i: int) -> int:
        """Normalized index -> original index (len(text) -> len(original))."""
        k = bisect.bisect_right(self.gap_starts, i) - 1
        return i + (self.gap_dropped[k] if k >= 0 else 0)

    def span_to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Normalized [start, end) -> original [s, e), end exclusive.

        The end maps through the last *kept* character, so a span never
        swallows spaces that were dropped after it."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalized text of {len(self.text)}")
        s = self.to_orig(start)
        return (s, self.to_orig(end - 1) + 1) if end > start else (s, s)


def normalize(text: str) -> NormalizedText:
    converted = to_simplified(_CHAR_MAP_RE.sub(lambda m: _CHAR_MAP[m.group()], text))
    pieces: list[str] = []
    starts: list[int] = []
    dropped: list[int] = []
    pos = 0
    for m in _NUMBER_GAP.finditer(converted):
        pieces.append(converted[pos : m.start()])
        total = (dropped[-1] if dropped else 0) + m.end() - m.start()
        starts.append(m.end() - total)   # normalized index of the next kept character
        dropped.append(total)
        pos = m.end()
    pieces.append(converted[pos:])
    return NormalizedText(text, "".join(pieces), tuple(starts), tuple(dropped))


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    # hk2s = t2s plus Hong Kong variants (衞 -> 卫).  tw2s was rejected: it
    # rewrites 著 -> 着 even in simplified text ("显著" -> "显着"), so a text and
    # its simplified twin would no longer normalize identically.
    return opencc.OpenCC("hk2s")


@lru_cache(maxsize=65536)
def _convert_char(char: str) -> str:
    out = _converter().convert(char)
    return out if len(out) == 1 else char


def to_simplified(text: str) -> str:
    """Traditional -> simplified, guaranteed the same length as `text`.

    OpenCC converts phrase-wise for accuracy (乾隆 keeps 乾, 乾淨 -> 干净),
    but a phrase may change length, which would break offsets.  Convert the
    whole text; if its length changed, redo line by line and fall back to
    per-character conversion only for lines whose length changed."""
    convert = _converter().convert
    out = convert(text)
    if len(out) == len(text):
        return out
    lines = []
    for line in text.splitlines(keepends=True):
        conv = convert(line)
        lines.append(conv if len(conv) == len(line) else "".join(map(_convert_char, line)))
    return "".join(lines)
