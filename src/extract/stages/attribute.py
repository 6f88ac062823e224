"""Attribute each quantity: kind, target, category, subject, region, entity, years.

Cue words live in rules/attribution.yaml and rules/categories.yaml. Context is
read from near to far: the clause before the number (change words, distant
qualifiers), its sentence (targets), the paragraph so far (time and place carry
over), the section (compilations: one section per regional case) or a line that
is only a region name, then the article's header (title, source, date).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import regex

from extract.stages.entities import Entity
from extract.stages.gazetteer import Gazetteer, Region, city_path
from extract.stages.numbers import NumberError, parse_number
from extract.stages.quantities import Quantity
from extract.stages.rules import alternation, shipped_cues
from extract.stages.context import DocumentContext, places_it_stands_for
from extract.stages.segment import Segmented, Sentence

# How far back (characters) time and place carry over inside a paragraph or
# sentence. Real paragraphs are shorter; pages flattened to one line are not,
# and without a bound every claim would rescan the whole line.
CARRY_OVER = 1500
_CLAUSE_END = regex.compile(r"[,;:。!?、\n]")
_KIND_CLAUSE_END = regex.compile(r"[,;:。!?\n]")
_COMMA_ITEM = regex.compile(r",(\p{Han}{2,12})")
# 2019年, 2019学年, and school years 2002-03学年 / 2010/2011学年 / 2026/27年度 / 2025/26年
# (their first year); not a version label (2016年版): no time cue
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|学年|\s?[-—–~/至](?:\d{2}|\d{4})\s?(?:学年|学校年度|年度)"
                      r"|\s?[-/]\d{2}\s?(?:学校年度|年度|年))(?![级版])")
# a day of a month with no year (在2月26日召开的…会上): the news item's own year
_MONTH_DAY = regex.compile(r"(?<![\d年])(1[0-2]|0?[1-9])月(?:[12]\d|3[01]|0?[1-9])日(?!\d)")
# 二〇〇二年 / 一九九八年 in formal texts; 二○二三/二○二四学校年度 in Macau's (its first year)
_CN_YEAR = regex.compile(r"(?<![〇○零一二三四五六七八九十])([一二][〇○零O一二三四五六七八九]{3})"
                         r"(?:年|\s?[-/至—]\s?[一二][〇○零O一二三四五六七八九]{3}\s?(?:学年|学校年度|年度))(?!级)")
_SHORT_SCHOOL_YEAR = regex.compile(r"(?<![\d〇○零一二三四五六七八九/])([\d〇○零一二三四五六七八九]{2})\s?/\s?"
                                   r"[\d〇○零一二三四五六七八九]{2}\s?(?:学年度|学年|学校年度|年度|财政年度)")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0"}
_TITLE_YEAR = regex.compile(r"[(\[【]((?:19|20)\d{2})[)\]】]")
_YEAR_RANGE_END = regex.compile(r"(?<!\d)(?:19|20)\d{2}年?\s*(?:-|—|–|~|至|到)\s*((?:19|20)\d{2})年(?!度)")
_YEARS_AGO = regex.compile(r"(?:相较|比|较)?(?<![一二两三四五六七八九十\d])([一二两三四五六七八九十]|\d{1,2})年前")
# items of a list (一是…。二是…): the time set inside one item does not reach the next;
# the time before the first item (2022年,我市…:一是…) leads them all
_LIST_ITEM = regex.compile(r"(?<=^|[。;;:\n])[一二三四五六七八九十]是")
# a year that names one figure (2017年的62%, 至2019年的120名): the figure right after 的
_OWN_FIGURE = regex.compile(r"的[约近超逾]?[\d一二两三四五六七八九十百千万]+[\d.万亿千百十]*\p{Han}?%?")
_FROM_PART = regex.compile(r"(?:来自|源自|出自|分别来自)")
_PARTS_GAP = regex.compile(r"[^\d,;:。!?\n]{0,8}[,;(]?(?:其中|包括|含|当中包括)[^\d,;:。!?\n]{0,4}")
# 记者从2023年度太原市教育工作会上获悉: 从 a source, not since a year
# 从…会上获悉 names a source, 从2020年各地区…来看 a point of view: neither opens a period
_HEARD_FROM = regex.compile(r"[^,;。!?\n]{0,30}?(?:会上|会议上|获悉|了解到|得知|获知|发布会|来看|看来)")
_DEADLINE_CUE = regex.compile(r"(?:到|至)20\d\d年")
# 新增班级24个学位1080个: one verb, two counts, only a noun between them
_BARE_NOUN_GAP = regex.compile(r"\p{Han}{1,4}")
# 比上年的38888.39亿元, 较上学年的近4,200学生, 上学年则为2600多万元: the year before's figure
_PREVIOUS_YEARS_FIGURE = regex.compile(r"(?:上年|去年|上一年|上学年|上一学年|前一年)(?:同期)?(?:的|则为|则是)[约近超逾]?$")
_YEARS_OWN_FIGURE = regex.compile(r"(?<!\d)((?:19|20)\d{2})年(?:底|末)?的[约近超逾]?$")
# How far a plan's stated years (…计划(2011-2013年)》实施) may stand before its 三年来
_STATED_PERIOD_GAP = 8
_ASIDE = regex.compile(r"\((?:含|包括|其中|不含|包含)[^()\n]{0,60}\)")
# The opening of the next sentence of a paragraph, as far as `finishing_next` reaches
# (bounded: a page flattened to one line has no sentence end to stop at)
_NEXT_SENTENCE = regex.compile(r"[^。!?\n]{0,60}")
# Between a change and the values it runs from and to (…5间,由2025/26年453间,减至2026/27年…)
_FROM_TO_GAP = regex.compile(r"[^。;!?\n\d]{0,4}(?:由|从|[减增降升提]?(?:至|到))[^。;!?\n]{0,12}")
_OPEN_ASIDE = regex.compile(r"\((?:含|包括|其中|不含|包含)[^()\n]*$")
_PAST_YEAR = regex.compile(r"去年|前年|上年")
_PAST = regex.compile(r"曾|原有|原来|过去|以前|此前|当时")   # 曾有学校200所: a past state
_FROM = regex.compile(r"(?:由|从)[^\d]{0,16}$")     # 由…X: the start of a from-to pair
_PREV_YEAR = regex.compile(r"比上年|较上年|同比|较上一学年|比上一年|比去年|较去年|上年同期")
_SUBJECT_TRIM = regex.compile(r"^(?:其中|共计|共有|共|总计|合计|累计|已|有|达到|达|为|约|计|的|和|及|与)+|(?:共计|共有|共|总计|累计|已|有|达到|达|为|约|计|的|分别为|分别)+$")
_NOUNISH = regex.compile(r"^[\p{Han}“”A-Za-z()]+")
_DIGIT = regex.compile(r"\d")
_SENTENCE_END = regex.compile(r"[。!?;]")
_BOOK_TITLE = regex.compile(r"《[^《》\n]{0,80}》")
_FOUR_DIGIT_YEAR = regex.compile(r"20\d\d")
_COMPARED_WITH = regex.compile(r"(?:比|较|相较|相比|与)$")
_CUT_OFF_DATE = regex.compile(r"^[^\p{Han}“]*(?:年|月|日)?")   # no cut-off "025年" at the front of a tail
_NOT_NOUN_START = regex.compile(r"^(?:的|以上|以下|左右|,|。|、|;|\)|,|和|与|及|等|,|占|达|是|为|在|到|至|中(?![小学职专心])|次)")


_PEOPLE = ("人", "人次")
_DONE = regex.compile(r"已|全部完成|完成了")
# Between a count and its parts: 158个,其中城区90个 / 、郊区68个
_BREAKDOWN_GAP = regex.compile(r"[,;、(]?(?:其中|包括|含)?[^\d,;:。!?\n]{0,6}")
# Between two items of one list: no clause break, a list joiner, no number.
_LIST_GAP = regex.compile(r"[^,;:。!?\n\d]{0,16}?[、和及与][^,;:。!?\n\d]{0,16}")
_DEPTH = {"country": 0, "province": 1, "city": 2, "county": 3, "district": 3}
_ENUMERATION_GAP = {"、", "和", "及", "与", "、以及"}


# Where a field's words are: offsets into the normalized text (pipeline maps them to the original).
Span = tuple[int, int]


@dataclass(frozen=True)
class Cue:
    """What set a field (category, kind, target): the words at [start, end) of the
    normalized text, or, when no words did, how it was set (`how`: rule X, unit 所…)."""
    start: int | None = None
    end: int | None = None
    how: str | None = None


def _words(start: int, end: int) -> Cue:
    return Cue(start, end)


def _year_words(text: str, start: int, end: int) -> Span:
    """A year's digits with the 年 after them (2027 -> 2027年)."""
    return (start, end + 1) if text.startswith("年", end) else (start, end)


@dataclass(frozen=True)
class TimeFrame:
    """How many times a text states: one (its figures share that time across
    paragraphs), several, or none; with the year carried into each paragraph."""
    kind: str                              # one | several | none
    years: tuple[int, ...]                 # the distinct years the body states
    carried: tuple[int | None, ...] = ()   # per paragraph, the time stated before it (kind one)
    carried_spans: tuple[Span | None, ...] = ()   # … and where its words are

    def year_before(self, paragraph: int) -> int | None:
        return self.carried[paragraph] if 0 <= paragraph < len(self.carried) else None

    def span_before(self, paragraph: int) -> Span | None:
        return self.carried_spans[paragraph] if 0 <= paragraph < len(self.carried_spans) else None


def _names_a_wider_place(e: Entity, context: Region | None) -> bool:
    """哈尔滨市松南学校 in a 道里区 text: a school or group named after a wider area than
    the context stands somewhere in the context; its name does not widen it."""
    return (e.label in ("SCHOOL", "GROUP") and context is not None and e.region is not None
            and e.region.path != context.path and context.path.startswith(e.region.path))


# A region, where it came from (one of models.RegionSource) and the words that gave it.
Placed = tuple[Region | None, str, Span | None]


@dataclass(frozen=True)
class Attribution:
    kind: str
    value_sign: int
    target: bool
    category: str
    subject: str
    region: Region | None
    entity: str | None
    year: int | None
    baseline_year: int | None
    qualifier: str
    region_source: str = "none"
    year_source: str = "none"
    unit: str = ""
    # the words behind the fields (normalized offsets), for claims' region_start … target_cue
    region_span: Span | None = None
    year_span: Span | None = None
    category_cue: Cue | None = None
    kind_cue: Cue | None = None
    target_cue: Cue | None = None


def _scope_cue(found, bases: tuple[int, ...]) -> Cue | None:
    """_category's answer as a cue: a keyword in scope i starts at bases[i] + start."""
    if found is None or isinstance(found, str):
        return Cue(how=found) if found else None
    i, start, end = found
    return _words(bases[i] + start, bases[i] + end)


def _in_scopes(scopes: tuple[str, ...], start: int, end: int) -> tuple[int, int, int]:
    """A match in " ".join(scopes) as (scope index, start, end) within that scope."""
    for i, scope in enumerate(scopes):
        if start <= len(scope):
            return i, start, min(end, len(scope))
        start, end = start - len(scope) - 1, end - len(scope) - 1
    return len(scopes) - 1, start, end


def _last_sentence(text: str) -> str:
    """The last sentence of `text` (which ends at a sentence boundary)."""
    body = text.rstrip()
    cut = max(body.rfind("。", 0, len(body) - 1), body.rfind("!", 0, len(body) - 1), body.rfind("?", 0, len(body) - 1))
    return body[cut + 1:]


def _alt(words) -> regex.Pattern:
    """Longest-first alternation of literal words; never matches when there are none."""
    return regex.compile(alternation(words))


class Attributor:
    """Built once per worker from the cue files; `attribute` is pure per call."""

    def __init__(self, gazetteer: Gazetteer, cue_files: dict[str, dict] | None = None):
        # the shipped cue files with the --rules folders' merged in (RuleSet.cues)
        cue_files = cue_files or shipped_cues()
        cues, cats = cue_files["attribution.yaml"], cue_files["categories.yaml"]
        self.gazetteer = gazetteer
        # in a plan, what its own sentence says was reached is no target
        context_cues = cue_files["context.yaml"]
        self._reached_re = _alt(context_cues["reached"])
        self.baseline_re = regex.compile(context_cues["reached_baseline"])
        self.town_re = regex.compile(cues["towns"]["pattern"])
        self.not_in_town = set(cues["towns"]["not_in_name"])
        self.town_locative = regex.compile(cues["towns"]["locative"])
        self.town_school_after = regex.compile(cues["towns"]["school_after"])
        self.town_after_county = regex.compile(cues["towns"]["after_county"])
        self.deixis = {w: level for level, words in cues["deixis"].items() for w in words}
        self.deixis_re = _alt(self.deixis)
        self.partner_re = regex.compile("(?:" + _alt(cues["partner_markers"]).pattern + r")$")
        self.compared_re = regex.compile("(?:" + _alt(cues["comparison_markers"]).pattern + r")$")
        # 已达 X is now; 已达标 (met a standard) says nothing of time
        self.present_re = regex.compile(_alt(cues["present_cues"]).pattern + "(?!标)")
        self.news_day_re = _alt(cues.get("news_days") or [])
        self.relative_years = cues["relative_years"]
        self.relative_re = regex.compile(r"(?<![比较上同])" + _alt(self.relative_years).pattern)
        self.period_reset_re = _alt(cues["period_reset"])
        self.year_heading_re = regex.compile(cues["year_heading"])
        self.period_open_re = regex.compile(r"^(?:" + _alt(cues["period_open"]).pattern + ")")
        self.plan_periods = cues["plan_periods"]
        # “十四五”期间, “十三五”末, and a plan period right before what is done in it (“十三五”新建35所学校)
        self.plan_re = regex.compile("(" + _alt(self.plan_periods).pattern
                                     + r")”?(?:期间|末|时期|(?=新建|新增|建成|改扩建|投入|累计|将|要|计划))")
        # “十三五”以来 in a text written after the plan ended (its date, else the latest year
        # it names before): a period with no end, like 2016年以来 (guideline: X以来 stays
        # null); written before its end, the figure is the plan's so far: the year written
        self.plan_since_re = regex.compile("(" + _alt(self.plan_periods).pattern + r")”?以来")
        reached = "(?:" + _alt(cues["reached"]).pattern + ")"
        self.increase_re = regex.compile("(?:" + _alt(cues["increase"]).pattern + f")了?(?!{reached})"
                                         + "|" + _alt(cues.get("increase_rates") or []).pattern
                                         + "|(?:" + _alt(cues.get("increase_adjacent") or []).pattern + ")$")
        self.decrease_re = regex.compile("(?:" + _alt(cues["decrease"]).pattern + f")了?(?!{reached})"
                                         + "|" + _alt(cues.get("decrease_rates") or []).pattern
                                         + "|(?:" + _alt(cues.get("decrease_adjacent") or []).pattern + ")$")
        self.target_re = _alt(cues["target_cues"])
        # one regex per pattern: as one alternation they scan four times slower
        # (no literal to jump to), and a cue is a cue whichever pattern finds it
        self.target_pattern_res = [regex.compile(p) for p in cues["target_patterns"]]
        self.forecast_re = _alt(cues["forecast_cues"])
        self.planned_after_forecast_re = regex.compile(cues["planned_after_forecast"])
        self.forecast_of_demand_re = regex.compile(cues["forecast_of_demand"])
        self.goal_after_re = _alt(cues["goal_after"])
        self.will_after_re = regex.compile(cues["will_after"])
        self.capacity_re = _alt(cues["capacity"])
        self.budget_re = regex.compile(cues["budget"])
        self.under_construction_re = regex.compile(cues["under_construction"])
        self.running_re = regex.compile(cues["running"])
        self.continued_max = cues["continued_line_max"]
        self.deadline_after_re = regex.compile(cues["deadline_after"])
        self.finishing_next_re = regex.compile(cues["finishing_next"])
        self.level_words_re = _alt(cues["level_words"])
        self.distant_q = cues["distant_qualifiers"]
        self.distant_q_re = _alt(self.distant_q)
        self.units_default = cats["units_default"]
        self.inherited_shares = cats.get("inherited_shares") or {}
        self.share_of_whole_re = regex.compile(cats["share_of_whole"])
        self.reform_re = _alt(cats["reform_words"])
        self.reach_of = set(cats["reach_of"])
        self.units_fixed = cats.get("units_fixed") or {}
        self.money_of_things_re = _alt(cats.get("money_of_things") or [])
        # `requires`: words that must also stand in the sentence before the number;
        # `unless`: words that, in the same scope as the keyword, make the rule not apply
        self.category_rules = [
            (r["category"], set(r["units"]) if "units" in r else None, _alt(r["keywords"]),
             _alt(r["requires"]) if "requires" in r else None, _alt(r["unless"]) if "unless" in r else None)
            for r in cats["rules"]]

    # ---- section- and paragraph-level context -------------------------------------

    def paragraph_homes(self, text: str, seg: Segmented, entities: list[Entity],
                        section_homes: list[Placed]) -> list[Placed]:
        """Region context per paragraph: a line that is only a region name (茅箭区), or
        a town's (浦江镇, below the section's county), heads the lines after it, until
        the next such line or section."""
        by_start = {e.start: e for e in entities if e.label == "REGION" and e.region}
        homes: list[Placed] = []
        current_section, current = None, None
        section_of = {}
        for sent in seg.sentences:
            section_of.setdefault(sent.paragraph, sent.section)
        for i, para in enumerate(seg.paragraphs):
            sec = section_of.get(i, 0)
            if sec != current_section:
                current_section, current = sec, section_homes[sec]
            e = by_start.get(para.start)
            if e is not None and para.end - e.end <= 1:
                current = (self._within(e.region, section_homes[sec][0]), "heading", (e.start, e.end))
            elif para.end - para.start <= 6 and (town := self._town_line(text, para.start, para.end,
                                                                          section_homes[sec][0])):
                current = (town[0], "heading", town[1])     # 浦江镇 on a line of its own in a 闵行区 text
            homes.append(current)
        return homes

    def paragraph_years(self, text: str, seg: Segmented) -> list[tuple[int | None, Span | None]]:
        """Year context per paragraph, with its words: a section heading naming one time,
        a line that is only a year, or a timeline entry (2010年——…), dates the paragraphs
        after it until the next one or a new section."""
        years: list[tuple[int | None, Span | None]] = []
        current, current_section = (None, None), None
        section_of = {}
        for sent in seg.sentences:
            section_of.setdefault(sent.paragraph, sent.section)
        for i, para in enumerate(seg.paragraphs):
            if section_of.get(i, 0) != current_section:
                current_section = section_of.get(i, 0)
                current = self._heading_year(seg, current_section, text)
            m = self.year_heading_re.match(text, para.start, para.end)
            if m:
                current = (int(m.group(1)), _year_words(text, *m.span(1)))
            years.append(current)
        return years

    def in_table(self, a: Attribution, q: Quantity, cell) -> Attribution:
        """A figure in a table row (stages/grids.py): its column header says what it
        counts, and the row's year cell, a year column or the table's title when."""
        category, subject, found = self._category(q, (cell.header, cell.title), cell.header + cell.title)
        # the header's words are in the text, but the cell knows no offsets for them
        cue = Cue(how=f"table {('header', 'title')[found[0]]} {(cell.header, cell.title)[found[0]]}"
                  if isinstance(found, tuple) else found) if found else None
        if category is None:
            category = self.units_default.get(q.unit) or a.category
            cue = Cue(how=f"unit {q.unit}") if self.units_default.get(q.unit) else a.category_cue
        year, source = (cell.year, "table") if cell.year is not None else (a.year, a.year_source)
        year_span = None if cell.year is not None else a.year_span
        return replace(a, category=category, subject=cell.header or subject, year=year, year_source=source,
                       category_cue=cue, year_span=year_span)

    def _heading_year(self, seg: Segmented, k: int, text: str = "") -> tuple[int | None, Span | None]:
        """The one time a section's heading names (一、“十五”期间我市教育事业取得的成果), which
        dates the section and its subsections ((一)各级各类教育… 1、义务教育…) up to a
        heading that names a time of its own; None for the body, several times or none,
        or a period since. Also where the heading's time words are."""
        while 0 < k < len(seg.sections):
            section = seg.sections[k]
            cues = self._time_cues(section.heading, None)[0] if section.heading else []
            if cues:
                years = {y for _, what, y, _ in cues if what == "year"}
                if not (len(years) == 1 and len(cues) == 1):
                    return None, None
                at = text.find(section.heading, section.start) if text else -1
                span = cues[0][3]
                return years.pop(), ((at + span[0], at + span[1]) if at >= 0 else None)
            k = section.parent if section.parent is not None else 0
        return None, None

    def time_frame(self, text: str, seg: Segmented, doc: DocumentContext) -> TimeFrame:
        """The guideline's carry-over across paragraphs: a text that states one time
        (news of one event, a year's report: 2024年全区… then 全区高中…共17所) carries
        the last time stated in an earlier paragraph to a figure whose own paragraph
        states none; a text that states several times (a reform reviewed over years)
        carries nothing past a paragraph. Periods (近年来, 2016年以来) end a carry."""
        dated_news = doc.anchor_source == "published" and doc.anchor_year is not None
        cues_of: list[list | None] = []         # per paragraph, its time cues (None: furniture)
        named_of: list[list] = []               # … and those inside 《…》 names
        for para in seg.paragraphs:
            if para.furniture or para.end <= seg.header.end:
                cues_of.append(None)
                named_of.append([])
                continue
            body = text[para.start:para.end]
            masked = _BOOK_TITLE.sub(lambda m: " " * len(m.group()), body)
            cues_of.append(self._time_cues(masked, doc.anchor_year, 0, dated_news)[0])
            named_of.append(self._time_cues(body, doc.anchor_year, 0, dated_news)[0])
        # a baseline (比2010年) or a period (2016年以来) is a time the text reviews too; a
        # year inside a document's name (《…实施方案(2018-2022年)》) counts only when the
        # text states no other (a plan's news: 《行动计划(2021—2023年)》提出…)
        # 去年/明年 (relative) are told from the text's own time, not a time of their own
        stated = {y for cues in cues_of if cues for _, what, y, _ in cues if y is not None and what != "relative"}
        if not stated:
            stated = {y for cues in named_of for _, what, y, _ in cues if y is not None and what != "relative"}
        if len(stated) != 1:
            return TimeFrame("several" if stated else "none", tuple(sorted(stated)), ())
        (only,) = stated
        carried: list[int | None] = []
        spans: list[Span | None] = []
        current: int | None = None
        current_span: Span | None = None
        for para, cues in zip(seg.paragraphs, named_of):
            carried.append(current)
            spans.append(current_span)
            for _, what, y, span in cues:
                if what == "open" and y is None:
                    current = current_span = None          # 近年来: a period ends the carry
                elif what in ("year", "anchor", "open") and y == only:
                    current = only if what != "open" else None
                    current_span = (para.start + span[0], para.start + span[1]) if current is not None else None
        return TimeFrame("one", (only,), tuple(carried), tuple(spans))

    def section_homes(self, seg: Segmented, entities: list[Entity], home: Placed) -> list[Placed]:
        """Region of each section: named in its heading (resolved inside the parent's), else inherited."""
        homes: list[Placed] = []
        for i, sec in enumerate(seg.sections):
            parent = homes[sec.parent] if sec.parent is not None else home
            named = None
            if sec.heading and i > 0:
                head_end = sec.start + len(sec.heading) + 4
                for e in entities:
                    if sec.start <= e.start < head_end and e.label in ("REGION", "SCHOOL", "GROUP") and e.region:
                        if _names_a_wider_place(e, parent[0]):
                            break
                        named = (self._within(e.region, parent[0]), "section", (e.start, e.end))
                        break
            homes.append(named or parent)
        return homes

    def _resolve_near(self, name: str, context: Region) -> Region | None:
        """An ambiguous name inside the context, else inside its nearest ancestor that
        decides it (铁西区 in a 海城市 paragraph of a 鞍山市 article: 鞍山市铁西区)."""
        for path in reversed(self.gazetteer.ancestors(context)):
            if path == "全国":
                break
            found = self.gazetteer.resolve(name, within=path)
            if found is not None:
                return found
        return self.gazetteer.resolve(name)

    def _within(self, region: Region, context: Region | None) -> Region:
        """Re-resolve an ambiguous short name inside the context region."""
        if context and not region.path.startswith(context.path):
            better = self.gazetteer.resolve(region.name, within=context.path)
            if better:
                return better
        return region

    # ---- per quantity -------------------------------------------------------------

    def attribute(self, text: str, q: Quantity, sentence: Sentence, paragraph_start: int,
                  entities: list[Entity], context: Placed, doc: DocumentContext,
                  previous: Attribution | None = None, in_title: bool = False,
                  heading_year: int | None = None, gap: str | None = None,
                  carried_year: int | None = None, plan_goes_on: bool = False,
                  heading_year_span: Span | None = None, carried_year_span: Span | None = None) -> Attribution:
        """`context`: the region of the paragraph (heading line, section or article);
        `doc`: the article's context. `previous`: the claim just before in the same
        sentence; a change or share with no words of its own (比上年减少294所,下降1.88%)
        measures the same thing. `gap`: the text between that claim and this one.
        `*_span`: where the words of the heading's and the carried year are."""
        before_start = max(sentence.start, paragraph_start)
        before = text[before_start:q.start]
        # time and place carry over from earlier sentences of the same paragraph
        para_before = text[paragraph_start:q.start]
        clause_start = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
        clause = before[clause_start:]
        after = text[q.end:sentence.end]
        anchor = doc.anchor_year

        # 、 lists nouns inside one clause (新增…融合型、共建型…学校合计1532家): the verb before them counts
        kind_starts = [m.end() for m in _KIND_CLAUSE_END.finditer(before)]
        kind_clause = before[kind_starts[-1] if kind_starts else 0:]
        kind, sign, words = self._kind(kind_clause)
        at = before_start + (kind_starts[-1] if kind_starts else 0)
        kind_cue = _words(at + words[0], at + words[1]) if words else None
        if q.rule.yields.kind is not None:
            kind = q.rule.yields.kind      # 翻两番 is a change whatever the words before it
            kind_cue = Cue(how=f"rule {q.rule.id}")
        if (kind == "level" and kind_starts and before[kind_starts[-1] - 1] == ":"
                and not self.increase_re.search(kind_clause) and not self.decrease_re.search(kind_clause)):
            # an item of a list a colon opens takes the head's verb (新增…任务数如下:杭州市174家)
            kind, sign, words = self._kind(before[kind_starts[-2] if len(kind_starts) > 1 else 0:kind_starts[-1] - 1])
            at = before_start + (kind_starts[-2] if len(kind_starts) > 1 else 0)
            kind_cue = _words(at + words[0], at + words[1]) if words else None
        if (kind == "level" and previous is not None and previous.kind == "change" and gap is not None
                and (_LIST_GAP.fullmatch(gap) or self._same_head_item(gap, previous.subject)
                     or (_PARTS_GAP.fullmatch(gap) and previous.unit == q.unit)
                     or _BARE_NOUN_GAP.fullmatch(gap))):
            # 新增学前学位180个、义务教育学位1620个; 减少76个教师职位,包括43个…: parts of a change
            kind, sign, kind_cue = "change", previous.value_sign, previous.kind_cue
        # the next sentence of the paragraph (…总建筑面积约3.56万平方米。计划于2022年8月底竣工。)
        next_sentence = _NEXT_SENTENCE.match(text, sentence.end).group()
        continued = self._continued(text, paragraph_start, sentence)
        earlier = para_before[:len(para_before) - len(before)]
        found = self._is_target(continued + before, after, earlier, anchor, doc, next_sentence)
        target = found is not None
        target_cue = self._target_cue(found, continued, before_start, paragraph_start, q.end, sentence.end)
        if plan_goes_on and not target and not self._reached(before) and not _DONE.search(before):
            target = True       # the sentence goes on from a plan (其中/另外/以及…)
            target_cue = previous.target_cue if previous is not None else None
        if (not target and q.unit not in _PEOPLE and (budget := self.budget_re.search(before))
                and not self._reached(clause)):
            target = True       # 教育开支预算达一千二百四十亿元: a budget is a planned amount
            target_cue = _words(before_start + budget.start(), before_start + budget.end())
        year, baseline, year_source, words = self._years(para_before, kind, anchor, clause,
                                                         len(para_before) - len(before), doc.anchor_source,
                                                         dated_news=doc.anchor_source == "published" and anchor is not None)
        year_span = (paragraph_start + words[0], paragraph_start + words[1]) if words else None
        # a target's year is its deadline, also when it follows (拟增加1680个学位,计划2027年9月完工;
        # 可容纳…近5000人,预计2021年投入使用), over the date of the news that reports it
        stated = year_source in ("sentence", "paragraph")
        deadline = self.deadline_after_re.match(after) if target and not stated else None
        if deadline:
            year, year_source = int(deadline.group("year")), "sentence"
            year_span = _year_words(text, q.end + deadline.start("year"), q.end + deadline.end("year"))
        elif (target and not stated and self.capacity_re.search(before)
              and (finish := self.finishing_next_re.match(next_sentence))):
            # a project's designed size, whose next sentence says when it is done
            year, year_source = int(finish.group("year")), "paragraph"
            year_span = _year_words(text, sentence.end + finish.start("year"), sentence.end + finish.end("year"))
        elif target and not stated and doc.project_deadline is not None and self.capacity_re.search(before):
            # the designed size of the one project a text reports, which it says opens in 2021
            year, year_source = doc.project_deadline, "sentence"
            year_span = doc.project_deadline_span
        if year is None and heading_year is not None and year_source != "reset":
            year, year_source, year_span = heading_year, "heading", heading_year_span
        elif (year is None and carried_year is not None and year_source not in ("reset", "present") and not in_title
              and not _FROM.search(clause) and not _PAST.search(clause)):
            # a one-time text (time_frame); not the value a change started from, nor a past state
            year, year_source, year_span = carried_year, "carried", carried_year_span
            if baseline is None and kind == "change" and _PREV_YEAR.search(before):
                baseline = year - 1       # 比上年增加…: the year before the carried one
        elif year is None and in_title and doc.kind == "news" and doc.published:
            year, year_source = anchor, "published"     # a news headline tells today's figure
            year_span = doc.anchor_span
        elif (year is None and doc.reference_year is not None and year_source != "reset"
              and not (year_source == "present" and doc.reference_from_period)):
            # (现有 in an undated review of “十四五”: now, undated; not the plan's end year)
            year, year_source, year_span = doc.reference_year, doc.year_source, doc.reference_span
            if baseline is None and kind == "change" and _PREV_YEAR.search(before):
                baseline = year - 1
        if year is None and year_source == "none" and anchor is not None and not target \
                and (now := self.present_re.search(after)) and not _FROM.search(clause) and not _PAST.search(clause):
            # no time before it, the present later in its sentence: the sentence tells how
            # things are now (我市辖区内有三县四区共七个行政区,现有…学校401所); not the
            # value a change started from (由初期的120多人发展到现在1300余人)
            year, year_source = anchor, doc.anchor_source
            year_span = (q.end + now.start(), q.end + now.end())
        if last_years := _PREVIOUS_YEARS_FIGURE.search(before):
            # last year's own figure (2017年…总投入为42562.01亿元,比上年的38888.39亿元;
            # 比上年的40046.55亿元 in a report of 2020; 去年则为2500万元 in a news item of
            # 2018): a year before the time found, else before the text's own time
            if year is None and anchor is not None:
                year, year_source = anchor, doc.anchor_source
            if year is not None:
                year -= 1
                year_span = (before_start + last_years.start(), before_start + last_years.end())
        if year is None:
            year_source = "none"
            year_span = None
        region, entity, region_source, region_span = self._region(text, q, sentence, paragraph_start,
                                                                  entities, context)
        town = self._town(text, sentence.start, q.start, region)
        if town is not None:
            (region, region_span), region_source = town, "sentence"
        # a share's base follows 的: 半数以上的学校建成…, 覆盖73.1%的乡村学校
        share_base = after[1:] if q.unit == "%" and after.startswith("的") else after
        # place names say where, not what: 天水市新增1.8万个 has no counted noun of its own
        offset = q.start - len(clause)
        what = list(clause)
        for e in entities:
            if e.label == "REGION" and e.end > offset:
                what[max(0, e.start - offset):e.end - offset] = " " * (min(e.end, q.start) - max(e.start, offset))
        what = "".join(what)
        scopes = (self._noun_after(share_base), what)
        category, subject, found = self._category(q, scopes, before)
        category_cue = _scope_cue(found, (q.end + len(after) - len(share_base), offset))
        if (q.unit == "%" and previous is not None and gap is not None and self.share_of_whole_re.search(clause)
                and q.rule.yields.category is None and category not in ("coverage", "quality")
                and previous.category != "other"):
            # a share of the count before it, not of the noun naming the whole (rules/categories.yaml)
            category = ("coverage" if previous.category in self.reach_of and self.reform_re.search(before)
                        else self.inherited_shares.get(previous.category, previous.category))
            category_cue = previous.category_cue
        if (previous is not None and gap is not None and previous.unit == q.unit
                and _FROM_PART.match(after) and q.rule.yields.category is None):
            # 76个教师职位,包括43个来自官立小学: a part of the count before, by where it
            # comes from; the place it names is no count of schools
            category, subject, category_cue = previous.category, previous.subject, previous.category_cue
        if category is None and previous is not None and (
                kind == "change" or q.unit in ("%", "百分点")
                or q.unit in _PEOPLE and previous.category in ("students", "teachers")
                # 将减少5间,由2025/26年453间,减至2026/27年448间: the values a change runs between
                or (previous.unit == q.unit and gap is not None and _FROM_TO_GAP.fullmatch(gap))):
            # 其中普通高校7759人、普通高中10274人: the list's head says what is counted
            category, subject, category_cue = previous.category, previous.subject, previous.category_cue
            if q.unit in ("%", "百分点"):
                category = self.inherited_shares.get(category, category)
        if (category in (None, "regions") and previous is not None and previous.unit == q.unit
                and previous.category != "regions" and gap is not None
                and (_BREAKDOWN_GAP.fullmatch(gap) or not what.strip(" :"))):
            # 教育集团158个,其中城区90个,郊区68个 / 任务数如下:杭州市174家: parts of the
            # count before (its clause is only a place), not areas
            category, subject, category_cue = previous.category, previous.subject, previous.category_cue
        if category is None:
            category, _, found = self._category(q, (before[-30:],), before)
            category_cue = _scope_cue(found, (q.start - len(before[-30:]),))
            if category is None:
                category = self.units_default.get(q.unit) or q.unit_category
                category_cue = Cue(how=f"unit {q.unit}") if category else None
            category = category or "other"
        qualifier = q.qualifier
        if qualifier == "exact":
            m = None
            for m in self.distant_q_re.finditer(clause):
                pass
            if m is not None and not _DIGIT.search(clause, m.end()):
                qualifier = self.distant_q[m.group()]
        return Attribution(kind, sign, target, category, subject, region, entity, year, baseline, qualifier,
                           region_source if region is not None else "none", year_source, q.unit,
                           region_span if region is not None else None, year_span,
                           category_cue, kind_cue if kind == "change" else None,
                           target_cue if target else None)

    @staticmethod
    def _target_cue(found, continued: str, before_start: int, paragraph_start: int, after_start: int,
                    next_start: int) -> Cue | None:
        """_is_target's answer as a cue in the text: its pieces are `continued + before`,
        `after`, the paragraph before the sentence (`earlier`) and the next sentence."""
        if found is None or isinstance(found, str):
            return Cue(how=found) if found else None
        piece, start, end = found
        if piece == "before":
            if start >= len(continued):
                return _words(before_start + start - len(continued), before_start + end - len(continued))
            line = paragraph_start - 1 - len(continued)      # the line `continued` is
            return _words(line + start, line + min(end, len(continued)))
        base = {"after": after_start, "earlier": paragraph_start, "next": next_start}[piece]
        return _words(base + start, base + end)

    def _reached(self, text: str) -> bool:
        """The text says a value was reached (已建成, 累计, 去年…); a year named only as a
        comparison's baseline (较上年增加60多亿元) says nothing of the sort."""
        return bool(self._reached_re.search(self.baseline_re.sub("", text)))

    def _reviews_the_past(self, text: str, anchor: int | None) -> bool:
        """In a plan's text, a paragraph that looks back: it names a plan period over by
        the time of writing (“十三五”期间 in 2020) or only years before it (从2015年的31.5万人)."""
        if anchor is None:
            return False
        text = _OPEN_ASIDE.sub("", _ASIDE.sub("", text))     # (含2008年续建项目学校18所) is a part, not a time
        if any(self.plan_periods[m.group(1)] <= anchor for m in self.plan_re.finditer(text)):
            return True
        years = [int(y) for y in _FOUR_DIGIT_YEAR.findall(text)]
        return bool(years) and max(years) < anchor

    def _is_target(self, before: str, after: str, earlier: str, anchor: int | None,
                   doc: DocumentContext, next_sentence: str = "") -> tuple[str, int, int] | str | None:
        """A planned or promised value: a cue before it in its sentence; else, when its
        sentence says nothing was reached or forecast, a plan document, a project's
        capacity right after its plan, or a goal or task named after the figure.
        None when it is no target; else the cue, as (before | after | earlier | next,
        start, end) in that string, or how (a plan's text) when no words are the cue."""
        if (cue := self._target(before, anchor)) is not None:
            return ("before", *cue)
        if self.forecast_re.search(before) or self._reached(before):
            return None
        if doc.targets_by_default and not self._reviews_the_past(earlier + before, anchor):
            announced = any(e.kind == "announcement" for e in doc.evidence)
            return "a title that announces" if announced else f"a text of kind {doc.kind}"
        # a paragraph that opens with a plan's deadline (新疆提出,到2020年,…毛入园率达到98%以上。
        # 义务教育…巩固率达到95%): its later sentences go on with the plan's goals
        if earlier and not _DONE.search(before) and (
                cue := self._target(_SENTENCE_END.split(earlier, 1)[0], anchor)) is not None \
                and _DEADLINE_CUE.search(_SENTENCE_END.split(earlier, 1)[0]):
            return ("earlier", *cue)
        # what the figure counts will do (5所幼儿园也将于9月开园)
        if (m := self.will_after_re.match(after)) and not _DONE.search(before):
            return ("after", *m.span())
        # a planned project's capacity, right after the plan (计划…开工建设。项目可容纳36个班)
        if earlier and self.capacity_re.search(before) and (
                cue := self._target(_last_sentence(earlier), anchor)) is not None:
            at = len(earlier.rstrip()) - len(_last_sentence(earlier))
            return ("earlier", at + cue[0], at + cue[1])
        # the designed capacity of a school being built (预计6月完工,…可提供学位1080个)
        if self.capacity_re.search(before) and not self.running_re.search(before + after):
            last = _last_sentence(earlier) if earlier else ""
            if self._reached(last) or _PAST_YEAR.search(last):
                last = ""       # 该校去年建成。项目可容纳24个教学班: built, so running
            if m := self.under_construction_re.search(last + before + after):
                at = len(earlier.rstrip()) - len(last)
                if m.start() < len(last):
                    return ("earlier", at + m.start(), at + min(m.end(), len(last)))
                if m.start() < len(last) + len(before):
                    return ("before", m.start() - len(last), min(m.end() - len(last), len(before)))
                return ("after", m.start() - len(last) - len(before), m.end() - len(last) - len(before))
            if m := self.finishing_next_re.match(next_sentence):
                return ("next", *m.span())     # …建设规模按48个教学班设置…。计划于2022年8月底竣工。
        # the figure a goal or a task names (达到…60%的目标, 实施123所学校的改造任务), unless
        # the sentence says it was done (完成了…任务, …现已全部完成, 2023年… in a later year)
        goal = self.goal_after_re.search(_KIND_CLAUSE_END.split(after, 1)[0])
        if (bool(goal)
                and not self._reached(after) and not _DONE.search(before + after)
                and not (anchor and any(int(m.group(1)) < anchor for m in _YEAR.finditer(before)))):
            return ("after", *goal.span())
        return None

    def _same_head_item(self, gap: str, subject: str) -> bool:
        """, + a bare noun with the previous amount's head noun: the next item of the same
        list (新增义务教育学位3000个,高中学位500个), not a new statement (,现有学位5万个)."""
        m = _COMMA_ITEM.fullmatch(gap)
        return bool(m and len(subject) >= 2 and m.group(1).endswith(subject[-2:])
                    and not self.level_words_re.search(m.group(1)))

    def _continued(self, text: str, paragraph_start: int, sentence: Sentence) -> str:
        """The line before a short line that continues it (poster layouts break one
        sentence over lines: 全年计划新增 / 义务教育和高中学位2万个), else ''."""
        if sentence.start > paragraph_start or paragraph_start < 2 or text[paragraph_start - 1] != "\n":
            return ""
        line_end = text.find("\n", paragraph_start)
        line = text[paragraph_start:line_end if line_end >= 0 else len(text)]
        prev_start = text.rfind("\n", 0, paragraph_start - 1) + 1
        prev = text[prev_start:paragraph_start - 1]
        if (not prev.strip() or len(prev) > self.continued_max or len(line) > self.continued_max
                or _SENTENCE_END.search(prev) or _SENTENCE_END.search(line.rstrip()[:-1])):
            return ""
        return prev

    def _target(self, before: str, pub_year: int | None) -> Span | None:
        """A target cue before the number in its sentence, unless a forecast word stands
        there or the text after the cue says it was done. A cue in the number's own clause
        outranks a forecast in an earlier one (…,预计新增学位14.4万个,计划投入资金23.2亿元:
        a forecast, then a plan; 明年建成100所学校 已惠及7841名: a plan, then what was reached).
        The cue's span in `before` when it is a target, else None."""
        at = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
        clause = before[at:]
        forecast = self._forecast(clause)
        if forecast is not None:
            is_plan = forecast[0] == "plan" and not _DONE.search(clause)
            return (at + forecast[1][0], at + forecast[1][1]) if is_plan else None
        last = self._cue(clause, pub_year)
        if last is not None:
            return (at + last[0], at + last[1]) if not _DONE.search(clause[last[1]:]) else None
        forecast = self._forecast(before)
        if forecast is not None:
            # 预计到2025年,全市新增学位…: a plan; 预计2025年适龄儿童…: a forecast
            return forecast[1] if forecast[0] == "plan" and not _DONE.search(before) else None
        last = self._cue(before, pub_year)
        return last if last is not None and not _DONE.search(before[last[1]:]) else None

    def _forecast(self, text: str) -> tuple[str, Span] | None:
        """After the last forecast word in `text`: "plan" when a plan verb follows it
        and what is forecast is no demand (预计新增学位14.4万个), "forecast" otherwise
        (预计受惠学生…), None without a forecast word; with the word's span."""
        last = None
        for last in self.forecast_re.finditer(text):
            pass
        if last is None:
            return None
        # only 预计 announces plans; 推算/估计 estimate from data (据…资料推算,…提供约四万个学额)
        clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, last.start())), default=0)
        if (last.group() == "预计" and self.planned_after_forecast_re.search(text, last.end())
                and not self.forecast_of_demand_re.search(text, clause_start)):
            return "plan", last.span()
        return "forecast", last.span()

    def _cue(self, text: str, pub_year: int | None) -> Span | None:
        """The span of the target cue in `text` that ends last, or None."""
        last = max((m.span() for m in self.target_re.finditer(text)), key=lambda s: s[1], default=None)

        def later(span: Span) -> Span:
            return span if last is None or span[1] > last[1] else last
        # a plan period still running when the text was written (“十四五”期间新增…, in 2021)
        # (undated: a plan period named is most often the plan's), unless its sentence says
        # it was reached (“十四五”期间,…累计投入…; 过去五年(指“十四五”时期))
        for m in self.plan_re.finditer(text):
            if ((pub_year is None or self.plan_periods[m.group(1)] > pub_year)
                    and not self._reached(text)):
                last = later(m.span())
        for pattern in self.target_pattern_res:
            for m in pattern.finditer(text):
                years = _FOUR_DIGIT_YEAR.findall(m.group())
                if not years or pub_year is None or max(int(y) for y in years) >= pub_year:
                    last = later(m.span())
        return last

    def _kind(self, clause: str) -> tuple[str, int, Span | None]:
        """(kind, sign, the change word's span in `clause`)."""
        tail = clause
        inc = [m for m in self.increase_re.finditer(tail)]
        dec = [m for m in self.decrease_re.finditer(tail)]
        last = max(inc + dec, key=lambda m: m.end(), default=None)
        if last is None or _DIGIT.search(tail, last.end()):
            return "level", 1, None
        return "change", (-1 if last in dec else 1), last.span()

    def _time_cues(self, before: str, pub_year: int | None, sentence_start: int = 0,
                   dated_news: bool = False) -> tuple[list[tuple[int, str, int | None, Span]], list, int | None,
                                                      Span | None]:
        """Every time cue in `before`, sorted: (position, what, year, words) with `what` one of
        year, open (a period with no single year), anchor (目前, 今年), relative (去年, 明年), baseline (比2019年),
        and `words` the cue's span in `before`; also the explicit years and the start of a
        year range, with the range's span."""
        cues: list[tuple[int, str, int | None, Span]] = []   # (position, what, year, words)
        years = [(m, int(m.group(1))) for m in _YEAR.finditer(before)]
        years += [(m, int("".join(_CN_DIGIT[c] for c in m.group(1)))) for m in _CN_YEAR.finditer(before)]
        # 一八/一九年度, 21/22学年: a school or financial year written short, in this century
        years += [(m, 2000 + int("".join(_CN_DIGIT.get(c, c) for c in m.group(1))))
                  for m in _SHORT_SCHOOL_YEAR.finditer(before)]
        for m, y in years:
            rest = before[m.end():m.end() + 3]
            lead = before[max(0, m.start() - 1):m.start()]
            heard = lead in ("自", "从") and _HEARD_FROM.match(before, m.end())
            if self.period_open_re.match(rest) or (lead in ("自", "从") and not rest.startswith("的") and not heard):
                cues.append((m.start(), "open", y, m.span()))       # 2018年以来, 自2015年 (not 从2023年度…会上获悉)
            elif _COMPARED_WITH.search(before[max(0, m.start() - 3):m.start()]):
                cues.append((m.start(), "baseline", y, m.span()))   # 比2019年
            elif ((own := _OWN_FIGURE.match(before, m.end())) and own.end() < len(before)
                  and (lead in ("从", "由") or m.start() < sentence_start)):
                # 从2017年的62%提高到83%: 2017 dates the 62% only; 至2019年的120名 dates what
                # follows in its sentence (十二年间减少了80.8万), not the next sentences
                continue
            else:
                cues.append((m.start(), "year", y, m.span()))
        range_start = range_span = None
        range_ends = []
        for m in _YEAR_RANGE_END.finditer(before):
            cues.append((m.end(), "year", int(m.group(1)), m.span()))           # 2020至2022年 -> 2022
            range_start, range_span = int(m.group()[:4]), m.span()
            range_ends.append(m.end())
        for m in self.plan_re.finditer(before):
            cues.append((m.start(), "year", self.plan_periods[m.group(1)], m.span()))
        for m in self.present_re.finditer(before):
            cues.append((m.start(), "anchor", pub_year, m.span()))               # 目前: publication year, or null
        if pub_year is not None:                                         # 今年/去年 need a dated article
            for m in self.relative_re.finditer(before):
                offset = self.relative_years[m.group()]
                # 去年/明年 are told from the text's own time: "relative", not a time of its own
                cues.append((m.start(), "anchor" if offset == 0 else "relative", pub_year + offset, m.span()))
        if dated_news:
            for m in self.news_day_re.finditer(before):
                cues.append((m.start(), "relative", pub_year, m.span()))        # 日前, 近日: the item's own days
            for m in _MONTH_DAY.finditer(before):
                # the item's own year, whether the day is past or coming (由9月1日起生效)
                cues.append((m.start(), "anchor", pub_year, m.span()))
        for m in self.period_reset_re.finditer(before):
            if any(0 <= m.start() - end <= _STATED_PERIOD_GAP for end in range_ends):
                continue        # 《…计划(2011-2013年)》实施三年来: the period is stated, it ends in 2013
            cues.append((m.start(), "open", None, m.span()))                     # 近年来: no single year
        # (undated: the period's end is not known either; a year named as a baseline, 较2020年,
        # is no date of writing)
        written = pub_year
        for m in self.plan_since_re.finditer(before):
            if written is None or written > self.plan_periods[m.group(1)]:
                cues.append((m.start(), "open", None, m.span()))                 # “十三五”以来 in 2023
            else:
                cues.append((m.start(), "year", written, m.span()))              # “十二五”以来 in 2015
        cues.sort(key=lambda c: c[0])
        # a time inside brackets that close before the figure (126所(含2008年续建项目学校18所),
        # 总建筑面积…) belongs to the aside only
        closed = [(m.start(), m.end()) for m in _ASIDE.finditer(before)]
        if closed:
            cues = [c for c in cues if not any(a < c[0] < b for a, b in closed)]
        return cues, years, range_start, range_span

    def _years(self, before: str, kind: str, pub_year: int | None, clause: str = "",
               sentence_start: int = 0, anchor_source: str = "published",
               dated_news: bool = False) -> tuple[int | None, int | None, str, Span | None]:
        """(year, baseline_year, source, words) from the nearest time cue before the number;
        `words` is the span in `before` of the time words that gave the year.

        `before` runs from the paragraph start; `sentence_start` is where the
        number's sentence begins in it. `pub_year` is the article's anchor for
        目前/今年 and `anchor_source` says what it is. A period word (近年来)
        resets the time: no earlier year carries over it (source "reset")."""
        cues, years, range_start, range_span = self._time_cues(before, pub_year, sentence_start, dated_news)
        own = _YEARS_OWN_FIGURE.search(before)
        if own:
            # 比2021年的5,026名, 从2017年的62%: the year right before 的 dates this very figure
            return int(own.group(1)), None, "sentence", _year_words(before, *own.span(1))
        previous = _PREVIOUS_YEARS_FIGURE.search(before)
        if previous:
            # 比上年的38888.39亿元: its own 上年/去年 is no time of the text's; attribute()
            # takes one year off whatever time the figure is found to have
            cues = [c for c in cues if c[0] < previous.start()]
        nearest = next((c for c in reversed(cues) if c[1] in ("year", "open", "anchor", "relative")), None)
        if nearest is not None:
            items = [m.start() for m in _LIST_ITEM.finditer(before)]
            if any(i < nearest[0] for i in items) and any(i > nearest[0] for i in items):
                nearest = None      # set inside an earlier item of a list
        year = nearest[2] if nearest and nearest[1] in ("year", "anchor", "relative") else None
        words = nearest[3] if year is not None else None
        if range_start and nearest and nearest[2] != range_start and _FROM.search(clause):
            year = range_start     # 1991-2001年,城市化水平由26.94%升至37.66%: 26.94% is 1991's
            words = range_span
        open_year = nearest[2] if nearest and nearest[1] == "open" else None
        if nearest is None:
            source = "none"
        elif nearest[1] == "open":
            source = "reset"
        elif nearest[1] in ("anchor", "relative"):
            # 现有/目前 in an undated text: now, which the text does not date ("present")
            source = anchor_source if year is not None else "present"
        else:
            source = "sentence" if nearest[0] >= sentence_start else "paragraph"
        if kind != "change":
            return year, None, source, words
        baseline = next((y for _, what, y, _ in reversed(cues) if what == "baseline"), None)
        if baseline is None and year and _PREV_YEAR.search(before):
            baseline = year - 1
        ago = None
        for ago in _YEARS_AGO.finditer(before):
            pass
        if baseline is None and year and ago:
            try:
                baseline = year - int(parse_number(ago.group(1)))      # 相较五年前
            except NumberError:
                pass                                                   # 两三年前: no single year
        if baseline is None and open_year:
            baseline = open_year
        if baseline is None and range_start and year and range_start < year:
            baseline = range_start
        return year, baseline, source, words

    def _region(self, text: str, q: Quantity, sentence: Sentence, paragraph_start: int,
                entities: list[Entity], context: Placed) -> tuple[Region | None, str | None, str, Span | None]:
        """Nearest fitting mention before the number, else the section's region; with
        the words that name it (the mention, a list of places, 全市; the context's own).

        A mention inside the section's region counts from anywhere earlier in
        the paragraph; a wider or unrelated one (重庆市 in a 江津区 article,
        全国首批 in a 云南 case) only right before the number, and never after a
        partner word (与新疆、西藏等对口地区).
        """
        home, home_source, home_words = context
        mentions: list[tuple[int, Region]] = []
        mention_end: dict[int, int] = {}     # where each mention's words end
        framed: set[int] = set()        # places that open their sentence's frame (在常山,)
        listed: list[tuple[int, int, list[Region]]] = []   # runs of enumerated places: (start, end, members)
        entity = None
        for e in entities:
            if e.start < paragraph_start or e.end > q.start:
                continue
            if e.label in ("SCHOOL", "GROUP") and e.start >= sentence.start:
                entity = e.text
            if e.label == "POLICY":
                continue
            if e.region is None:
                # 铁西区 is ambiguous alone; inside 鞍山市 (or after 在北京,) it is not
                context = mentions[-1][1] if mentions else home
                resolved = (self._resolve_near(e.text, context)
                            if context and e.label == "REGION" else None)
                if resolved is None and e.label == "REGION" and home is not None and context is not home:
                    # the place before was elsewhere (西宁二中南川校区位于城中区: 南川 is 重庆's)
                    resolved = self._resolve_near(e.text, home)
                if resolved is None:
                    continue
                e = Entity(e.start, e.end, e.label, e.text, resolved)
            lead = text[max(paragraph_start, e.start - 3):e.start]
            if (self.partner_re.search(lead) or self.compared_re.search(lead) or _names_a_wider_place(e, home)
                    or (mentions and _names_a_wider_place(e, mentions[-1][1]))):
                continue    # …普兰店市…北师大大连普湾附属学校: the school stands in 普兰店, not all of 大连
            region = self._within(e.region, home)
            # 蓟州区等5个远城区: several areas -> the area holding them
            region = places_it_stands_for(self.gazetteer, text, region, e.end)
            if listed and text[listed[-1][1]:e.start] in _ENUMERATION_GAP:
                # 阜平、涞水、顺平七所分校: a list of areas -> their lowest common area
                members = listed[-1][2] + [region]
                region = self._common(members)
                mentions[:] = [m for m in mentions if m[0] != listed[-1][0]]
                listed.append((listed[-1][0], e.end, members))
            else:
                listed.append((e.start, e.end, [region]))
            mentions.append((listed[-1][0], region))
            mention_end[listed[-1][0]] = e.end
            if e.start > 0 and text[e.start - 1] == "在" and text.startswith(",", e.end):
                framed.add(listed[-1][0])     # 在常山,计划…: the sentence happens there
        named = sorted(mentions, key=lambda m: m[0])
        from_context: set[int] = set()   # deixis resolved through the context, not a place named here
        for m in self.deixis_re.finditer(text, paragraph_start, q.start):
            if self.compared_re.search(text[max(paragraph_start, m.start() - 3):m.start()]):
                continue     # 高出全国1.6个百分点: the nation is what the figure is compared with
            # 全区 after 海淀区 means 海淀区: deixis points at the latest place named
            level = self.deixis[m.group()]
            if level == "district" and home is not None and home.level == "province" \
                    and home.name.endswith("自治区"):
                mentions.append((m.start(), home))   # 全区 in a 新疆 article: the autonomous region
                mention_end[m.start()] = m.end()
                from_context.add(m.start())
                continue
            named_before = next((r for pos, r in reversed(named)
                                 if pos < m.start() and _DEPTH[r.level] >= _DEPTH.get(level, 0)), None)
            region = self._deictic(level, named_before or home)
            if region is not None:
                mentions.append((m.start(), region))
                mention_end[m.start()] = m.end()
                if named_before is None and level != "country":
                    from_context.add(m.start())
        for pos, region in sorted(mentions, key=lambda m: -m[0]):
            inside = home is None or home.level == "country" or region.path.startswith(home.path)
            near = (q.start - pos <= 10 or pos in framed) and pos >= sentence.start
            if inside and (pos >= sentence.start or region.level != "country") or near:
                # 全市 names no place itself: which city comes from the context
                source = home_source if pos in from_context else (
                    "sentence" if pos >= sentence.start else "paragraph")
                return region, entity, source, (pos, mention_end[pos])
        return home, entity, home_source, home_words

    def _town_line(self, text: str, start: int, end: int,
                   region: Region | None) -> tuple[Region, Span] | None:
        """A line that is only a town's name, as a town below `region` (and its words)."""
        m = self.town_re.fullmatch(text, start, end)
        if m is None or set(m.group("name")) & self.not_in_town:
            return None
        return self._town(text, start, end, region)

    def _town(self, text: str, start: int, end: int, region: Region | None) -> tuple[Region, Span] | None:
        """The last town named in text[start:end] (a figure's sentence up to it), as a
        region below `region` when that is a county or a city with no counties (and its words)."""
        if region is None or not (region.level == "county" or (
                region.level == "city" and not self.gazetteer.has_counties(region))):
            return None
        found, located = None, False
        for m in self.town_re.finditer(text, start, end):
            name = m.group("name")
            if set(name) & self.not_in_town:
                continue
            # 分布在都龙镇茅坪小学20套、…小坝子镇小坝子中学40套: after a locative, each town
            # of the list is where its items are
            located = located or bool(self.town_locative.search(text, max(start, m.start() - 3), m.start()))
            opens_clause = (m.start() == start or text[m.start() - 1] in ",;:。!?"
                            or self.town_after_county.search(text, max(start, m.start() - 3), m.start()))
            names_a_school = self.town_school_after.match(text, m.end(), end) is not None
            if located or (opens_clause and not names_a_school):
                found, words = name + m.group("kind"), (m.start("name"), m.end("kind"))
        if found is None:
            return None
        return Region(code="", name=found, level="town", path=region.path + found, province=region.province,
                      city=region.city, county=region.county if region.level == "county" else None), words

    def _common(self, regions: list[Region]) -> Region:
        """Lowest common area of several regions (吉林、辽宁 -> 全国)."""
        paths = [self.gazetteer.ancestors(r) for r in regions]
        shared = [p for p in paths[0] if all(p in other for other in paths[1:])]
        return self.gazetteer.by_path(shared[-1]) or regions[0]

    def _deictic(self, level: str, home: Region | None) -> Region | None:
        if level == "country":
            return self.gazetteer.by_path("全国")
        if home is None:
            return None
        if level == "province":
            return self.gazetteer.by_path(home.province) if home.province else home
        if level == "city":
            if home.level == "county" and home.name.endswith("市"):
                return home   # 全市 in a county-level city (海城市) means that city
            if home.level in ("city", "county") and home.city:
                return self.gazetteer.by_path(city_path(home)) or home
            return home
        return home   # county-level deixis (全区, 我县): the most specific context we have

    @staticmethod
    def _noun_after(after: str) -> str:
        if _NOT_NOUN_START.match(after):
            return ""
        m = _NOUNISH.match(after)
        return m.group()[:12] if m else ""

    def _category(self, q: Quantity, scopes: tuple[str, ...],
                  before: str = "") -> tuple[str | None, str, tuple[int, int, int] | str | None]:
        """Category by keywords in the first scope that has one (the noun after the
        number, then its clause); None when no keyword decides it. Also the subject, and
        what decided: (scope index, start, end) of the keyword, or how (rule X, unit 所)."""
        after_noun = scopes[0]
        tail = _CUT_OFF_DATE.sub("", scopes[-1][-16:])
        subject = after_noun or _SUBJECT_TRIM.sub("", tail).strip() or q.unit
        if q.rule.yields.category:
            return q.rule.yields.category, subject, f"rule {q.rule.id}"
        if q.unit == "元" and (m := self.money_of_things_re.search(" ".join(scopes))):
            return "facilities", subject, _in_scopes(scopes, m.start(), m.end())
        if q.unit in self.units_fixed:
            return self.units_fixed[q.unit], subject, f"unit {q.unit}"
        for i, scope in enumerate(scopes):
            if not scope:
                continue
            for category, units, words, requires, unless in self.category_rules:
                if units is not None and q.unit not in units:
                    continue
                if requires is not None and not requires.search(before):
                    continue
                if (m := words.search(scope)) and not (unless is not None and unless.search(scope)):
                    return category, subject, (i, m.start(), m.end())
        return None, subject, None
