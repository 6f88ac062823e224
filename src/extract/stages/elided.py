"""Parts listed in brackets after a figure, their unit left out:
校园占地面积66.3万平方米(幼儿园6.4万、小学24.3万、中学32.3万). Each part is a figure
in the head's unit; the claim rules skip it (6.4万 has no measure word). Offsets are
into the normalized text.
"""
from __future__ import annotations

import regex

from extract.stages.numbers import NumberError, parse_number
from extract.stages.quantities import Quantity
from extract.stages.rules import Rule, Yields

ELIDED_RULE = Rule(id="list.elided_unit",
                   description="a part listed in brackets after a figure, in the figure's unit (幼儿园6.4万)",
                   priority=0, yields=Yields(), regex=None, source="src/extract/stages/elided.py", line=0)

_OPEN = regex.compile(r"\s?[(（]")
# one part: a short name, then a bare number (a magnitude at most), then a separator
_PART = regex.compile(r"(?P<name>\p{Han}{1,8})(?P<num>\d+(?:\.\d+)?)(?P<mag>万|亿)?(?=[、,;)）])")
_SEPARATOR = regex.compile(r"[、,;]")
_CLOSE = "）)"


def elided_parts(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """A quantity for each unitless part in the brackets right after a figure with a unit;
    only when every part in the brackets has that form, so a bracket of notes yields none."""
    taken = {i for q in quantities for i in range(q.start, q.end)}
    out: list[Quantity] = []
    for head in quantities:
        if not head.unit or head.unit in ("%", "百分点") or not (m := _OPEN.match(text, head.end)):
            continue
        pos, parts = m.end(), []
        while pos < len(text) and len(parts) < 12:
            p = _PART.match(text, pos)
            if p is None:
                break
            parts.append(p)
            pos = p.end()
            if text[pos] in _CLOSE:
                break
            if not _SEPARATOR.match(text, pos):
                break
            pos += 1
        if len(parts) < 2 or pos >= len(text) or text[pos] not in _CLOSE:
            continue
        for p in parts:
            start, end = p.start("num"), p.end()
            if any(i in taken for i in range(start, end)):
                continue
            try:
                value = parse_number(p.group("num")) * (parse_number("1" + p.group("mag")) if p.group("mag") else 1)
            except NumberError:
                continue
            out.append(Quantity(start, end, ELIDED_RULE, value=value, unit=head.unit,
                                unit_category=head.unit_category))
    return out
