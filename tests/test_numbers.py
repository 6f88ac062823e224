"""extract.stages.numbers: parse_number / parse_cheng / parse_fraction, examples and properties."""
import math
import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.stages.numbers import NumberError, parse_cheng, parse_fraction, parse_number, to_chinese

MAX = 10**12


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


# --------------------------------------------------------------------------- examples

@pytest.mark.parametrize(
    "text, value",
    [
        ("1.09万", 10900),
        ("2.31万", 23100),
        ("两", 2),
        ("二十三", 23),
        ("百", 100),
        ("千", 1000),
        ("十", 10),
        ("十一", 11),
        ("5,000", 5000),
        ("1,234,567", 1234567),
        ("120亿", 1.2e10),
        ("300亿", 3e10),
        ("5000万", 5e7),
        ("1万亿", 1e12),
        ("1,234.5万", 12345000),
        ("3.5亿", 3.5e8),
        ("43.6", 43.6),
        ("0", 0),
        ("零", 0),
        ("两千", 2000),
        ("两万", 20000),
        ("两亿", 2e8),
        ("两千零五", 2005),
        ("一千零一十", 1010),
        ("二十万零三", 200003),
        ("一亿零一", 100000001),
        (" 12 ", 12),
    ],
)
def test_parse_number(text, value):
    assert close(parse_number(text), value), (text, parse_number(text), value)


@pytest.mark.parametrize("text, value", [("七成七", 77), ("九成", 90), ("一成", 10), ("两成", 20),
                                         ("3成", 30), ("十成", 100), ("六成五", 65)])
def test_parse_cheng(text, value):
    assert parse_cheng(text) == value


@pytest.mark.parametrize("num, den, value", [("1", "8", 12.5), ("3", "4", 75), ("1", "3", 100 / 3),
                                             ("一", "四", 25), ("2", "2", 100)])
def test_parse_fraction(num, den, value):
    assert close(parse_fraction(num, den), value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1.2.3", "5,00", "亿万", "12个", "约12", "第三", "一二三x"])
def test_parse_number_errors(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_number_error_is_value_error():
    assert issubclass(NumberError, ValueError)


@pytest.mark.parametrize("text", ["", "成", "九", "九成九九", "成七", "abc", "一成不变"])
def test_parse_cheng_errors(text):
    with pytest.raises(NumberError):
        parse_cheng(text)


@pytest.mark.parametrize("num, den", [("1", "0"), ("1", "零"), ("x", "3"), ("1", "")])
def test_parse_fraction_errors(num, den):
    with pytest.raises(NumberError):
        parse_fraction(num, den)


# --------------------------------------------------------------------------- properties

integers = st.integers(min_value=0, max_value=MAX)


@settings(max_examples=300, deadline=None)
@given(integers)
@example(0)
@example(10)
@example(1010)
@example(100_000)
@example(100_000_001)
@example(MAX)
@example(MAX - 1)
@example(10001000)
@example(100010000)
@example(1000100)
def test_chinese_numerals_round_trip(n):
    assert parse_number(to_chinese(n)) == n, to_chinese(n)


@pytest.mark.parametrize("n, written", [(100001000, "一亿零一千"), (1000001000, "十亿零一千"),
                                        (100000001000, "一千亿零一千"), (200005000, "二亿零五千")])
def test_to_chinese_zero_before_thousands(n, written):
    assert to_chinese(n) == written


@pytest.mark.parametrize("written, n", [("一亿零一千", 100001000), ("十亿零一千", 1000001000),
                                        ("一千亿零一千", 100000001000), ("两亿零五千", 200005000),
                                        ("一亿零一万", 100010000), ("一万亿零一千", 10**12 + 1000)])
def test_zero_before_thousands_parses(written, n):
    """The 零 before a thousands section (cn2an's an2cn drops it) parses back."""
    assert parse_number(written) == n


def liang_variants(cn: str) -> list[str]:
    """Every way to write 二 as 两 where Chinese allows it: before 百/千/万/亿 and not
    as the units digit of a ten (十二万 stays, 一万二千 -> 一万两千)."""
    spots = [m.start() for m in re.finditer(r"(?<!十)二(?=[百千万亿])", cn)]
    out = []
    for k in range(1, 2 ** len(spots)):
        chars = list(cn)
        for bit, i in enumerate(spots):
            if k >> bit & 1:
                chars[i] = "两"
        out.append("".join(chars))
    return out


def test_liang_variants_helper():
    assert liang_variants("二千") == ["两千"]
    assert liang_variants("十二万") == []
    assert sorted(liang_variants("二万二千")) == ["两万两千", "两万二千", "二万两千"]


# Numbers with a 2 in front of a magnitude, so that 两 variants exist.
with_two = st.text(alphabet="012222222", min_size=1, max_size=12).map(int)


@settings(max_examples=200, deadline=None)
@given(with_two)
@example(2000)
@example(2)
@example(200)
@example(22_000)
@example(200_000_000)
@example(222_222_222_222)
def test_chinese_numerals_with_liang_round_trip(n):
    for variant in liang_variants(to_chinese(n)) or [to_chinese(n)]:
        assert parse_number(variant) == n, variant


@settings(max_examples=300, deadline=None)
@given(integers)
@example(1000)
@example(1_234_567)
def test_thousands_separators_round_trip(n):
    assert parse_number(f"{n:,}") == n
    assert parse_number(str(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX // 10**4))
def test_wan_integer_multiple(k):
    assert parse_number(f"{k}万") == k * 10**4
    assert parse_number(f"{k:,}万") == k * 10**4


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX // 10**8))
def test_yi_integer_multiple(k):
    assert parse_number(f"{k}亿") == k * 10**8
    assert parse_number(f"{k:,}亿") == k * 10**8


@settings(max_examples=300, deadline=None)
@given(integers, st.sampled_from([("万", 4), ("亿", 8)]))
@example(10900, ("万", 4))
@example(12_000_000_000, ("亿", 8))
def test_g_formatted_magnitude_round_trip(n, mag):
    """f"{n/10**4:g}万" (as a writer would shorten it), whenever that is exact."""
    word, power = mag
    text = f"{n / 10**power:g}"
    if "e" in text or Decimal(text) * 10**power != n:
        return  # :g rounded it: not an exact way to write n
    assert close(parse_number(text + word), n), text + word


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=1, max_value=4))
@example(109, 2)
@example(5, 1)
def test_decimal_wan(mantissa, places):
    """A decimal with 万 (up to 4 places, as written: 1.09万, 56.3万) -> its exact value."""
    d = Decimal(mantissa).scaleb(-places)
    text = f"{d:f}万"
    assert close(parse_number(text), float(d * 10**4)), text
