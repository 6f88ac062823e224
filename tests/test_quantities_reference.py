"""find_quantities reads each match's groups once and parses numbers through a
cache. Its results must be exactly those of the way it used to run, kept below
as the reference (group by group through m.group, parse_number uncached): same
spans, rules, values, units, qualifiers, exclusions and lost_to, with and
without keep_exclusions."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEV_ARTICLES, SEEDS_DIR
from extract.stages import quantities as Q
from extract.stages.normalize import normalize
from extract.stages.numbers import NumberError, parse_cheng, parse_fraction
from extract.stages.numbers import parse_number as _cached_parse_number
from extract.stages.rules import load_rules
from extract.watchdog import check as check_budget

parse_number = _cached_parse_number.__wrapped__


# ---- the reference: quantities.py before the groups were read as one dict ----

def _group(m, name):
    return m.group(name) if name in m.re.groupindex else None


def _value(m, rule):
    y = rule.yields
    if y.value is not None and _group(m, "num") is None:
        return y.value, None
    num = m.group("num")
    if y.parse == "cheng":
        return parse_cheng(num), None
    if y.parse == "fraction":
        return parse_fraction(num, m.group("den")), None
    if y.parse == "ratio":
        return parse_number(num) / parse_number(m.group("den")), None
    if y.parse == "doubling":
        return 2.0 ** parse_number(num), None
    if y.value is not None:
        return y.value, None
    value = parse_number(num)
    for mag in (_group(m, "mag_a"), _group(m, "mag_b")):
        if mag:
            value *= parse_number("1" + mag)
    value_max = None
    if _group(m, "num_max"):
        value_max = parse_number(m.group("num_max"))
        if _group(m, "mag_max"):
            value_max *= parse_number("1" + m.group("mag_max"))
        elif _group(m, "mag_a") and "num_max" in m.re.groupindex and m.re.groupindex["mag_a"] > m.re.groupindex["num_max"]:
            value_max *= parse_number("1" + m.group("mag_a"))
        if _group(m, "mag_a") is None and _group(m, "mag_max"):
            value *= parse_number("1" + m.group("mag_max"))
    return value, value_max


def _qualifier(m, rules, rule):
    if rule.yields.qualifier:
        return rule.yields.qualifier
    found = []
    for position, group in zip(("prefix", "suffix", "trailing"), ("prefix", "suffix", "trail")):
        word = _group(m, group)
        if word:
            found.append(rules.qualifier_of(word, position))
    if len(found) > 1 and "approx" in found:
        return "approx"
    return found[0] if found else "exact"


def _unit(m, rules, rule):
    word = _group(m, "unit") or _group(m, "noun")
    entry = rules.unit_of(word) if word else None
    unit = rule.yields.unit if rule.yields.unit is not None else (
        (entry.unit or word) if entry else (word or ""))
    return unit, rule.yields.category or (entry.category if entry else None)


def _candidates(text, rules, only, windows=None):
    out = []
    spans = windows if windows is not None else [(0, len(text))]
    timeout = Q._timeout(sum(e - s for s, e in spans))
    for rule in only:
        check_budget()
        for m in (m for s, e in spans for m in rule.regex.finditer(text, s, e, timeout=timeout)):
            if m.end() == m.start():
                continue
            q = Q.Quantity(m.start(), m.end(), rule)
            if not rule.exclude:
                try:
                    q.value, q.value_max = _value(m, rule)
                except (NumberError, ZeroDivisionError):
                    continue
                q.unit, q.unit_category = _unit(m, rules, rule)
                q.qualifier = _qualifier(m, rules, rule)
            out.append(q)
    return out


def reference(text, rules, keep_exclusions=False):
    claims = [r for r in rules.rules if not r.exclude]
    exclusions = [r for r in rules.rules if r.exclude]
    cands = _candidates(text, rules, claims)
    cands += _candidates(text, rules, exclusions, None if keep_exclusions else Q._windows(cands, len(text)))
    cands.sort(key=lambda q: (-q.rule.priority, -(q.end - q.start), q.start))
    taken, occupied = [], {}
    for q in cands:
        clash = next((occupied[i] for i in range(q.start, q.end) if i in occupied), None)
        if clash is not None:
            if clash.rule.id != q.rule.id:
                clash.lost_to.append((q.rule.id, f"overlaps {text[q.start:q.end]!r}; lost: {Q._beats(clash, q)}"))
            continue
        taken.append(q)
        for i in range(q.start, q.end):
            occupied[i] = q
    taken.sort(key=lambda q: q.start)
    return taken if keep_exclusions else [q for q in taken if not q.exclude]


# ---- the comparison ----

def rows(quantities):
    return [(q.start, q.end, q.rule.id, q.value, q.value_max, q.unit, q.qualifier, q.unit_category,
             q.exclude, q.lost_to) for q in quantities]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _texts() -> list[Path]:
    files = sorted(SEEDS_DIR.glob("*.txt"))
    if DEV_ARTICLES.is_dir():
        files += sorted(DEV_ARTICLES.glob("*.txt"))
    return files


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.stem)
def test_articles_match_the_reference(rules, path):
    text = normalize(path.read_text(encoding="utf-8", errors="replace")).text
    for keep in (False, True):
        assert rows(Q.find_quantities(text, rules, keep)) == rows(reference(text, rules, keep)), keep


PIECES = ["1", "2", "3", "12", "300", "1958", "2019", "0.28", "85.71", "5,000", "13.5",
          "一", "两", "三", "十", "二十三", "七", "百", "千", "万", "亿", "余", "多",
          "约", "近", "超过", "不少于", "低于", "上",
          "所", "个", "人", "人次", "%", "万元", "元", "平方米", "名", "倍", "校", "学位", "随迁子女", "资金",
          "百分之", "成", "翻", "番", "大", "1:2", "比", "1/3", "/", ":", "-", "至", "年", "月", "第",
          "以上", "左右", "“", "”", ",", "。", "、", "\n", " ",
          "近300余人次", "约3万余名", "三五十人", "3-5万人", "1-2个", "80%-90%", "一两个", "七成七", "百余人",
          "学校", "教育集团", "系数", "中学", "方面", "举措", "一体化", "学生", "的", "建成"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
def test_random_texts_match_the_reference(rules, pieces):
    text = normalize("".join(pieces)).text
    for keep in (False, True):
        assert rows(Q.find_quantities(text, rules, keep)) == rows(reference(text, rules, keep)), (text, keep)
