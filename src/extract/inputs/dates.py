"""Publication dates given with an input (a table's date column, a page's
metadata) -> ISO text: YYYY-MM-DD, or YYYY-MM / YYYY when only that is given.

Crawler exports write dates every way: "2022-04-13 17:35:10", "2022/4/13",
"2022年4月13日", "20220413", epoch seconds or milliseconds, Arrow timestamps.
Anything else raises ValueError: a wrong year is worse than none, so an
unreadable date becomes an errors row rather than a guess.  That includes
dates out of 1949..2100 in any form (a Parquet 1900-01-01 or 9999-12-31 is
a placeholder, not a publication date), 1970-01-01 (what a null epoch time
becomes), and non-finite numbers (a JSON Infinity).
"""
from __future__ import annotations

import datetime as dt
import math
import re

# Epoch numbers are read in China Standard Time: these are Chinese sites'
# publication times, and a UTC reading moves late-evening posts a day back.
_CST = dt.timezone(dt.timedelta(hours=8))
_MIN_YEAR, _MAX_YEAR = 1949, 2100
# Export tools write these for "no date"; read as dates they would date every claim.
_PLACEHOLDERS = {"1970-01-01"}

_YMD = re.compile(r"\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?"
                  r"(?:(?:[T\s]|$).*)?", re.S)
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:(?:[T\s]|\d{6}|$).*)?", re.S)


def parse_date(value) -> str | None:
    """ISO date text, None for a missing value (None, NaN, blank), or ValueError."""
    iso = _parse(value)
    if iso in _PLACEHOLDERS:
        raise ValueError(f"{value!r} is a placeholder date (the epoch), not a publication date")
    return iso


def _parse(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.tzinfo:
            try:
                value = value.astimezone(_CST)
            except OverflowError:   # 9999-12-31 23:00 UTC is past Python's last date in CST
                raise ValueError(f"year {value.year} out of range in {value!r}") from None
        day = value.date() if isinstance(value, dt.datetime) else value
        return _iso(str(day.year), str(day.month), str(day.day), original=value)
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
    if not math.isfinite(n) or n != int(n):
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
