"""Publication dates given with an input (a table's date column, a page's
metadata) -> ISO text: YYYY-MM-DD, or YYYY-MM / YYYY when only that is given.

Crawler exports write dates every way: "2022-04-13 17:35:10", "2022/4/13",
"2022年4月13日", "20220413", epoch seconds or milliseconds, Arrow timestamps.
Anything else raises ValueError: a wrong year is worse than none, so an
unreadable date becomes an errors row rather than a guess.
"""
from __future__ import annotations

import datetime as dt
import math
import re

# Epoch numbers are read in China Standard Time: these are Chinese sites'
# publication times, and a UTC reading moves late-evening posts a day back.
_CST = dt.timezone(dt.timedelta(hours=8))
_MIN_YEAR, _MAX_YEAR = 1949, 2100

_YMD = re.compile(r"\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?"
                  r"(?:(?:[T\s]|$).*)?", re.S)
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:(?:[T\s]|\d{6}|$).*)?", re.S)


def parse_date(value) -> str | None:
    """ISO date text, None for a missing value (None, NaN, blank), or ValueError."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (value.astimezone(_CST) if value.tzinfo else value).date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return _from_number(value)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {type(value).__name__} {value!r}")
    text = value.strip()
    if not text:
        return None
    if text.isdigit() and len(text) >= 9:  # epoch seconds / milliseconds as text
        return _from_number(int(text))
    for pattern in (_COMPACT, _YMD):
        m = pattern.fullmatch(text)
        if m:
            return _iso(*m.groups(), original=value)
    raise ValueError(f"unparseable date {value!r}")


def _from_number(n: float) -> str:
    if n != int(n):
        raise ValueError(f"not a date: {n!r}")
    n = int(n)
    if _MIN_YEAR <= n <= _MAX_YEAR:
        return str(n)
    if 19_490_101 <= n <= 21_001_231:
        return _iso(str(n)[:4], str(n)[4:6], str(n)[6:], original=n)
    for scale in (1, 1_000):  # seconds, milliseconds
        seconds = n / scale
        if 3.15e8 <= seconds < 4.1e9:  # 1980 .. 2099
            return dt.datetime.fromtimestamp(seconds, _CST).date().isoformat()
    raise ValueError(f"number {n} is neither a year, a YYYYMMDD date nor an epoch time")


def _iso(year: str, month: str | None, day: str | None, original) -> str:
    y = int(year)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        raise ValueError(f"year {y} out of range in {original!r}")
    if month is None:
        return f"{y:04d}"
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(f"month {m} out of range in {original!r}")
    if day is None:
        return f"{y:04d}-{m:02d}"
    try:
        return dt.date(y, m, int(day)).isoformat()
    except ValueError as exc:
        raise ValueError(f"{exc} in {original!r}") from None
