"""Find quantity mentions with the rule pack: number, magnitude, unit, qualifier.

Every rule runs over the normalized text; overlapping matches are settled by
priority, then length, then position. Exclusion rules (dates, names, ...) take
part in that contest, so a number inside 第七中学 is claimed by the exclusion
and never becomes a claim. Offsets here are into the normalized text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


from extract.stages.numbers import NumberError, parse_cheng, parse_fraction, parse_number
from extract.stages.rules import Rule, RuleSet
from extract.watchdog import check as check_budget

# Time a rule may spend over the text it scans (all its matches together), per
# MATCH_TIMEOUT_CHARS characters: long articles get proportionally more.  The
# watchdog's per-article budget is the overall limit.
MATCH_TIMEOUT_S = 2.0
MATCH_TIMEOUT_CHARS = 100_000

_QUALIFIER_ORDER = ("prefix", "suffix", "trail")


@dataclass
class Quantity:
    start: int
    end: int
    rule: Rule
    value: float | None = None
    value_max: float | None = None
    unit: str = ""
    qualifier: str = "exact"
    unit_category: str | None = None
    lost_to: list[tuple[str, str]] = field(default_factory=list)   # (rule id, why) of overlapping losers

    @property
    def exclude(self) -> bool:
        return self.rule.exclude


class RuleTimeout(Exception):
    def __init__(self, rule_id: str, seconds: float, chars: int):
        super().__init__(f"rule {rule_id} took more than {seconds:g} s over this article's {chars:,} "
                         f"characters (all its matches together): the pattern is too slow for this text")
        self.rule_id = rule_id


def _timeout(chars: int) -> float:
    return MATCH_TIMEOUT_S * max(1.0, chars / MATCH_TIMEOUT_CHARS)


# The readers below take the match's named groups as one dict (m.groupdict(),
# one call): a group the pattern does not have reads as None, like one that did
# not take part in the match.

def _value(g: dict, rule: Rule) -> tuple[float, float | None]:
    y = rule.yields
    num = g.get("num")
    if y.value is not None and num is None:
        return y.value, None
    if y.parse == "cheng":
        return parse_cheng(num), None
    if y.parse == "fraction":
        return parse_fraction(num, g["den"]), None
    if y.parse == "ratio":
        return parse_number(num) / parse_number(g["den"]), None
    if y.parse == "doubling":
        return 2.0 ** parse_number(num), None
    if y.parse == "sum":
        return parse_number(num) + parse_number(g["den"]), None     # 36+2个班: 38 classes
    if y.value is not None:
        return y.value, None
    value = parse_number(num)
    mag_a, mag_max = g.get("mag_a"), g.get("mag_max")
    for mag in (mag_a, g.get("mag_b")):
        if mag:
            value *= parse_number("1" + mag)
    value_max = None
    if g.get("num_max"):
        value_max = parse_number(g["num_max"])
        if mag_max:
            value_max *= parse_number("1" + mag_max)
        elif mag_a and rule.regex.groupindex["mag_a"] > rule.regex.groupindex["num_max"]:
            value_max *= parse_number("1" + mag_a)   # 三五十人: 30-50
        if mag_a is None and mag_max:
            value *= parse_number("1" + mag_max)   # 3-5万人: the magnitude is shared
    return value, value_max


def _qualifier(g: dict, rules: RuleSet, rule: Rule) -> str:
    if rule.yields.qualifier:
        return rule.yields.qualifier
    found = []
    for position, group in zip(("prefix", "suffix", "trailing"), _QUALIFIER_ORDER):
        word = g.get(group)
        if word:
            found.append(rules.qualifier_of(word, position))
    if len(found) > 1 and "approx" in found:
        return "approx"        # 近300余人次: guideline says approx
    return found[0] if found else "exact"


def _unit(g: dict, rules: RuleSet, rule: Rule) -> tuple[str, str | None]:
    word = g.get("unit") or g.get("noun")
    entry = rules.unit_of(word) if word else None
    unit = rule.yields.unit if rule.yields.unit is not None else (
        (entry.unit or word) if entry else (word or ""))   # a user rule's own unit word stands as written
    return unit, rule.yields.category or (entry.category if entry else None)


# An exclusion matters only where it overlaps a claim candidate, so when the
# caller drops exclusions they run only in windows around the candidates, wide
# enough for the longest exclusion (第…, 为期…, 17条…举措, “…” slogans).
WINDOW_BEFORE, WINDOW_AFTER = 12, 24


def _windows(cands: list[Quantity], size: int) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for q in sorted(cands, key=lambda q: q.start):
        s, e = max(0, q.start - WINDOW_BEFORE), min(size, q.end + WINDOW_AFTER)
        if spans and s <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], e)
        else:
            spans.append([s, e])
    return [(s, e) for s, e in spans]


def _candidates(text: str, rules: RuleSet, only: Iterable[Rule] | None = None,
                windows: list[tuple[int, int]] | None = None) -> list[Quantity]:
    out = []
    spans = windows if windows is not None else [(0, len(text))]
    timeout = _timeout(sum(e - s for s, e in spans))
    for rule in (rules.rules if only is None else only):
        check_budget()
        try:
            for m in (m for s, e in spans for m in rule.regex.finditer(text, s, e, timeout=timeout)):
                if m.end() == m.start():
                    continue
                q = Quantity(m.start(), m.end(), rule)
                if not rule.exclude:
                    g = m.groupdict()
                    try:
                        q.value, q.value_max = _value(g, rule)
                    except (NumberError, ZeroDivisionError):
                        continue
                    q.unit, q.unit_category = _unit(g, rules, rule)
                    q.qualifier = _qualifier(g, rules, rule)
                out.append(q)
        except TimeoutError as exc:
            raise RuleTimeout(rule.id, timeout, sum(e - s for s, e in spans)) from exc
    return out


def _beats(a: Quantity, b: Quantity) -> str:
    if a.rule.priority != b.rule.priority:
        return f"priority {a.rule.priority} > {b.rule.priority}"
    return "longer match" if (a.end - a.start) != (b.end - b.start) else "earlier match"


def find_quantities(text: str, rules: RuleSet, keep_exclusions: bool = False) -> list[Quantity]:
    """Winning quantity mentions, sorted by position (exclusions dropped unless asked)."""
    claims = [r for r in rules.rules if not r.exclude]
    exclusions = [r for r in rules.rules if r.exclude]
    cands = _candidates(text, rules, claims)
    cands += _candidates(text, rules, exclusions, None if keep_exclusions else _windows(cands, len(text)))
    cands.sort(key=lambda q: (-q.rule.priority, -(q.end - q.start), q.start))
    taken: list[Quantity] = []
    occupied: dict[int, Quantity] = {}
    for q in cands:
        clash = next((occupied[i] for i in range(q.start, q.end) if i in occupied), None)
        if clash is not None:
            if clash.rule.id != q.rule.id:
                clash.lost_to.append((q.rule.id, f"overlaps {text[q.start:q.end]!r}; lost: {_beats(clash, q)}"))
            continue
        taken.append(q)
        for i in range(q.start, q.end):
            occupied[i] = q
    taken.sort(key=lambda q: q.start)
    return taken if keep_exclusions else [q for q in taken if not q.exclude]
