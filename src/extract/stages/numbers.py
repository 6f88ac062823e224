"""Number words to values: Arabic, Chinese numerals, 万/亿 magnitudes, 成, fractions.

Chinese numerals are parsed by cn2an (a maintained library); this module only
adds what cn2an does not take: thousands separators, a bare 百/千, shares in
成 (七成七 -> 77), and a magnitude after an Arabic number with separators.
"""
from __future__ import annotations

from functools import lru_cache

import regex

MAGNITUDES = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

_CN_DIGITS = "零〇一二两三四五六七八九"
_ARABIC = regex.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CHENG = regex.compile(rf"([{_CN_DIGITS}十]|\d+)成([{_CN_DIGITS}]|\d)?")


def _cn2an():
    import cn2an   # 0.3 s of regex compiling on import: only once a Chinese numeral is parsed
    return cn2an


class NumberError(ValueError):
    pass


# Articles repeat the same few numerals (一, 两, 1, 10 ...), and a Chinese one
# costs a cn2an parse: values are remembered (bounded; a NumberError is not).
@lru_cache(maxsize=4096)
def parse_number(text: str) -> float:
    """Value of a number word: '1.09万' -> 10900, '两' -> 2, '二十三' -> 23, '5,000' -> 5000.

    Trailing magnitudes multiply ('300亿' -> 3e10, '5000万' -> 5e7, '1万亿'
    -> 1e12). Raises NumberError for anything that is not a number.
    """
    s = text.strip()
    if not s:
        raise NumberError("empty number")
    m = _ARABIC.match(s)
    if m:
        base = float(m.group().replace(",", ""))
        rest = s[m.end():]
        for ch in rest:
            if ch not in "万亿千百":
                raise NumberError(f"not a number: {text!r}")
            base *= MAGNITUDES[ch]
        return base
    if s[0] in "十百千万亿":
        s = "一" + s  # 百余 -> 一百: cn2an wants a leading digit except for 十
    try:
        return float(_cn2an().cn2an(s, "strict"))
    except (ValueError, KeyError) as exc:
        try:
            return float(_cn2an().cn2an(s, "smart"))
        except (ValueError, KeyError):
            raise NumberError(f"not a number: {text!r}") from exc


def parse_cheng(text: str) -> float:
    """Share written in 成 as a percentage: 九成 -> 90, 七成七 -> 77, 一成 -> 10."""
    m = _CHENG.fullmatch(text.strip())
    if not m:
        raise NumberError(f"not a share in 成: {text!r}")
    value = parse_number(m.group(1)) * 10
    if m.group(2):
        value += parse_number(m.group(2))
    return value


def parse_fraction(numerator: str, denominator: str) -> float:
    """a/b as a percentage: 1/8 -> 12.5."""
    den = parse_number(denominator)
    if den == 0:
        raise NumberError("zero denominator")
    return parse_number(numerator) / den * 100


def to_chinese(n: int) -> str:
    """Chinese numeral for an integer (used by tests and rule examples).

    Built section by section (亿, 万, units) because cn2an drops the 零 of an
    empty 万 section (100001000 -> 一亿一千, which reads as 1.1亿).
    """
    if n < 10_000:
        return _cn2an().an2cn(n, "low")
    out, need_zero = "", False
    for size, word in ((100_000_000, "亿"), (10_000, "万"), (1, "")):
        section, n = divmod(n, size)
        if size == 100_000_000:
            if section:
                out += to_chinese(section) + word
            continue
        if section == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or section < 1000):
            out += "零"
        out += _cn2an().an2cn(section, "low") + word
        need_zero = False
    return out
