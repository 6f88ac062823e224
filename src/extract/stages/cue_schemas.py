"""What the cue files may hold: rules/categories.yaml, rules/attribution.yaml and
rules/context.yaml, shipped or in a `--rules` folder.

One model per file, every key typed, unknown keys refused. A key left out of a
user's file keeps the shipped value (rules.load_cues merges); a key given must
be well-formed: words are strings, patterns compile, categories, kinds and
qualifiers come from the claims table's controlled vocabularies (models.py).
"""
from __future__ import annotations

from typing import Annotated, Optional

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, conint

from extract.models import Category, DocKind, Qualifier


def _compiles(pattern: str) -> str:
    try:
        regex.compile(pattern, regex.V0)
    except regex.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
Words = list[str]


class _Cues(BaseModel):
    # a key left out is None here and keeps the shipped value; a key given as null is refused
    model_config = ConfigDict(extra="forbid")


class _Examples(_Cues):
    examples: list = None
    counter_examples: list = None


# -- categories.yaml --------------------------------------------------------------------------

class CategoryRule(_Cues):
    category: Optional[Category]             # null: no category here, the list's head decides
    keywords: Words
    units: Optional[Words] = None            # only quantities in these units
    requires: Optional[Words] = None         # one of these must stand in the sentence before the number
    unless: Optional[Words] = None           # none of these in the keyword's scope


class CategoryCues(_Cues):
    inherited_shares: dict[Category, Category] = None
    share_of_whole: Pattern = None
    reform_words: Words = None
    reach_of: list[Category] = None
    money_of_things: Words = None
    units_fixed: dict[str, Category] = None
    units_default: dict[str, Category] = None
    rules: list[CategoryRule] = None


# -- attribution.yaml: place, time, change and target cues ---------------------------------

class Towns(_Cues):
    pattern: Pattern = None
    not_in_name: str = None
    locative: Pattern = None
    after_county: Pattern = None
    school_after: Pattern = None


class Deixis(_Cues):
    province: Words = None
    city: Words = None
    county: Words = None
    district: Words = None
    country: Words = None


class AttributionCues(_Cues):
    towns: Towns = None
    deixis: Deixis = None
    partner_markers: Words = None
    comparison_markers: Words = None
    present_cues: Words = None
    news_days: Words = None
    period_open: Words = None
    relative_years: dict[str, int] = None
    year_heading: Pattern = None
    period_reset: Words = None
    plan_periods: dict[str, int] = None
    increase: Words = None
    decrease: Words = None
    decrease_adjacent: Words = None
    increase_adjacent: Words = None
    increase_rates: Words = None
    decrease_rates: Words = None
    reached: Words = None
    level_words: Words = None
    target_cues: Words = None
    target_patterns: list[Pattern] = None
    budget: Pattern = None
    finishing_next: Pattern = None
    deadline_after: Pattern = None
    forecast_cues: Words = None
    planned_after_forecast: Pattern = None
    forecast_of_demand: Pattern = None
    will_after: Pattern = None
    goal_after: Words = None
    capacity: Words = None
    under_construction: Pattern = None
    running: Pattern = None
    distant_qualifiers: dict[str, Qualifier] = None
    continued_line_max: conint(ge=0) = None
    # [text, figure] pairs per group, checked by tests/test_attribution.py
    target_examples: dict[str, _Examples] = None


# -- context.yaml: the document's place, time and kind -------------------------------------

class Published(_Examples):
    keys: Pattern = None
    max_line: conint(ge=1) = None
    patterns: list[Pattern] = None


class NamedPattern(_Cues):
    """{pattern: …, gives: school_year}: a pattern that finds something other than a report."""
    pattern: Pattern
    gives: str


class ReportYear(_Examples):
    patterns: list[Pattern | NamedPattern] = None


class Kinds(_Examples):
    bulletin: Words = None
    report: Words = None
    plan: Words = None
    notice: Words = None
    reply: Words = None
    entry: Words = None
    news: Words = None


class Publisher(_Examples):
    dateline: Pattern = None
    byline: Pattern = None


class LeadSource(_Examples):
    before: Pattern = None
    after: Pattern = None
    publisher: Pattern = None


class ContextCues(_Cues):
    top_lines: conint(ge=1) = None
    top_chars: conint(ge=1) = None
    published: Published = None
    report_year: ReportYear = None
    kinds: Kinds = None
    plan_kinds: list[DocKind] = None
    announcement_title: list[Pattern] = None
    reached_baseline: Pattern = None
    reached: Words = None
    publisher: Publisher = None
    lead_source: LeadSource = None
    example_place: Pattern = None
    caption: Pattern = None
    institutions: dict[str, str] = None      # word -> region path of the gazetteer (checked at load)
    national_institutions: Words = None
    mixed_topics_title: Pattern = None
    education_words: Words = None


# The cue files a rules folder may hold, and what each may contain.
CUE_SCHEMAS: dict[str, type[_Cues]] = {
    "categories.yaml": CategoryCues,
    "attribution.yaml": AttributionCues,
    "context.yaml": ContextCues,
}
