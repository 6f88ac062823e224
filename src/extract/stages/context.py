"""Document context: where and when an article is, what kind of text it is, and why.

Runs between segmentation (and entity recognition) and attribution. It collects
typed, positioned evidence (title, publication line, report year, mastheads,
datelines, navigation, institutions, places named in the body) and decides from
it, once per article:

- the kind of text (news, bulletin, report, plan, notice, reply, entry), which
  decides the reference time and whether figures default to targets — the way
  temporal taggers treat news and narrative documents differently;
- the reference year (a report's or bulletin's own year; a title's year) and the
  anchor year for 今年/目前 (the publication year, else the reference year);
- the home region (geoparsers' "focus"), from places weighted by where they are
  named, discounting publishers, menus, captions and example places;
- the spans whose place names are never evidence, for attribution to skip.

Attribution still reads context from near to far (sentence, paragraph,
section); this stage is the far end. Cue words live in rules/context.yaml.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field

import regex

from extract.stages.entities import Entity
from extract.stages.gazetteer import Gazetteer, Region
from extract.stages.numbers import NumberError, parse_number
from extract.stages.rules import RuleError, alternation, shipped_cues
from extract.stages.segment import Segmented, is_masthead, is_navigation, trim_span

_PLACE_LABELS = ("REGION", "SCHOOL", "GROUP")
_FIGURE = regex.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:万|亿)?(?:所|个|名|人|亿元|万元|元|座|间|%)")
_EXPLICIT_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})年")
# a project finishing in a given month (预计2018年9月竣工, 打算2020年9月投入使用, 将于2023年9月交付)
_FINISHING = regex.compile(r"(?:预计|打算|计划|将于|拟于|力争)于?(?P<y>(?:19|20)\d{2})年\d{1,2}月[^,。;\n]{0,6}?"
                           r"(?:竣工|完工|投用|投入使用|建成|交付|开学|招生|开园)"
                           # … or this year's tasks being done (用于完成2011年义务教育学校现代化建设任务)
                           r"|(?:完成|落实)(?P<y>(?:19|20)\d{2})年度?[^,。;\n]{0,16}?任务")
# a project opening in a year (预计2021年投入使用, 2020年9月建成投用, 计划2023年竣工)
_OPENING = regex.compile(r"(?:预计|计划|将于|拟于|力争|打算)于?(?P<y>(?:19|20)\d{2})年(?:\d{1,2}月)?(?:底|前)?"
                         r"(?:建成)?(?:投入使用|投用|竣工|完工|建成|交付使用|开学|招生)")
# the coming years counted from now: 未来三年(2017-2019年)
_COMING_YEARS = regex.compile(r"(?:未来|今后|接下来)[一二两三四五六七八九十\d]{1,2}年[(（]?(?P<y>(?:19|20)\d{2})\s*[-—至到~]")
# the words for the whole of a special administrative region (全港, 本港; 全澳, 本澳)
_SAR_WHOLE = {"香港特别行政区": regex.compile(r"全港|本港"), "澳门特别行政区": regex.compile(r"全澳|本澳")}
# 全国/我国 as a subject, not after a comparison (高于全国…) nor before 平均/人均/范围
_NATION_SUBJECT = regex.compile(r"(?<!高于|低于|高出|超过|好于|优于|比|较|居|占|领先|位居|与|和)(?:全国|我国)(?!平均|人均|范围|首|各地|同类|一流|前列|率先|示范|先进|重点|统一)")
# a numbered heading run into its first line (八、科技、教育、文化和卫生 科技:…)
_RUN_IN_HEADING = regex.compile(r"[一二三四五六七八九十]+、\S{2,30}\s+")
# a deadline a text sets itself: (提出)到2020年, 争取2020年建成, 计划2021年…, 2020年底前; not
# the end of a span (1928年至1929年) nor the year of a value reached (提高到2020年的86.7%)
_DEADLINE = regex.compile(r"(?:(?<=^|[,。;:!?\s]|提出|明确|要求|目标|计划|力争|争取)(?:到|至)"
                          r"|争取|力争|计划|预计|将于|确保)((?:19|20)\d{2})年(?!的)|(?<![至到])((?:19|20)\d{2})年底?前")
_CN_DIGITS = str.maketrans("〇○零O一二三四五六七八九", "000012345678" + "9")
_TITLE_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|学年)(?!级)|[(\[【]((?:19|20)\d{2})[)\]】]")
# 教育局 / 人民政府 right after a place: the institution of that place
_OFFICE = regex.compile(r"(?:教育局|教育厅|教育委员会|教委|教体局|教育和体育局|人民政府|政府|统计局|教育部门)")


def _covered(spans, starts, start: int, end: int) -> bool:
    """Whether [start, end) lies inside one of the sorted, merged `spans`."""
    i = bisect.bisect_right(starts, start) - 1
    return i >= 0 and spans[i][1] >= end


_SEVERAL = regex.compile(r"等\s*(\d+|[一二两三四五六七八九十百]+)?")


def places_it_stands_for(gazetteer: Gazetteer, text: str, region: Region, end: int) -> Region:
    """电白区等13个县(市、区): a place followed by 等 stands for several, so for the
    area holding them all (see Gazetteer.holding); any other place for itself."""
    m = _SEVERAL.match(text, end)
    if not m:
        return region
    count = None
    if m.group(1):
        try:
            count = int(parse_number(m.group(1)))
        except NumberError:
            pass
    return gazetteer.holding(region, count) or region


# English month names of dates on bilingual pages (January 24, 2018)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


@dataclass(frozen=True)
class Evidence:
    kind: str                 # title | published | inferred | report | masthead | dateline | byline | navigation
                              # | caption | example | institution | national | body
    start: int | None         # offsets into the normalized text (None: given as metadata, or no one span)
    end: int | None
    text: str
    region: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class DocumentContext:
    kind: str                         # news | bulletin | report | plan | notice | reply | entry
    published: str | None             # ISO date
    published_source: str | None      # metadata | header | top
    reference_year: int | None        # year of claims that state none, for kinds that have one
    year_source: str                  # report | title | none
    anchor_year: int | None           # what 今年/目前 refer to
    anchor_source: str                # published | inferred | report | title | none
    home: Region | None
    region_source: str                # title | institution | national | body | none
    targets_by_default: bool
    mixed_topics: bool = False        # a bulletin of every topic: only education paragraphs hold claims
    reference_from_period: bool = False   # the reference year is a title's plan period's end (“十四五”)
    project_deadline: int | None = None   # the one year the text's projects open (预计2021年投入使用)
    # where the words are that gave home, reference_year, anchor_year and project_deadline
    # (normalized offsets); None when no words of the text did (metadata, several places)
    home_span: tuple[int, int] | None = None
    reference_span: tuple[int, int] | None = None
    anchor_span: tuple[int, int] | None = None
    project_deadline_span: tuple[int, int] | None = None
    evidence: tuple[Evidence, ...] = ()
    ignored: tuple[tuple[int, int], ...] = ()   # sorted spans whose places are no evidence
    _ignored_starts: tuple[int, ...] = field(default=(), repr=False)

    def ignores(self, start: int, end: int) -> bool:
        return _covered(self.ignored, self._ignored_starts, start, end)

    def evidence_json(self, to_orig=None) -> str:
        """The evidence as JSON; `to_orig(start, end)` maps its offsets to the original text.
        Evidence that is no span of the text has no start and end."""
        out = []
        for e in self.evidence:
            item = {k: v for k, v in e.__dict__.items() if v is not None}
            if e.start is not None and to_orig is not None:
                item["start"], item["end"] = to_orig(e.start, e.end)
            out.append(item)
        return json.dumps(out, ensure_ascii=False)


class ContextBuilder:
    """Built once per worker from rules/context.yaml; `decide` is pure per article."""

    def __init__(self, gazetteer: Gazetteer, cue_files: dict[str, dict] | None = None):
        # the shipped cue files with the --rules folders' merged in (RuleSet.cues),
        # each checked at load (rules.load_cues)
        cue_files = cue_files or shipped_cues()
        try:
            self._build(gazetteer, cue_files)
        except (regex.error, KeyError, TypeError) as exc:
            # a broken cue file names itself and what is wrong, not a traceback
            raise RuleError("context.yaml", f"bad cue entry: {exc!r}") from exc

    def _build(self, gazetteer: Gazetteer, cue_files: dict[str, dict]) -> None:
        cues = cue_files["context.yaml"]
        self.gazetteer = gazetteer
        self.top_lines, self.top_chars = cues["top_lines"], cues["top_chars"]
        pub = cues["published"]
        self.pub_keys = regex.compile(f"(?:{pub['keys']})")
        self.pub_max_line = pub["max_line"]
        self.pub_patterns = [regex.compile(p) for p in pub["patterns"]]
        # a pattern is a named report's, or says what else it finds ({pattern, gives: school_year})
        self.report_patterns = [(regex.compile(p, regex.M), "report") if isinstance(p, str)
                                else (regex.compile(p["pattern"], regex.M), p["gives"])
                                for p in cues["report_year"]["patterns"]]
        self.kinds = [(k, regex.compile(alternation(words))) for k, words in cues["kinds"].items()
                      if k not in ("examples", "counter_examples")]
        self.plan_kinds = set(cues["plan_kinds"])
        self.announcement_re = regex.compile("|".join(cues["announcement_title"]))
        self.reached_re = regex.compile(alternation(cues["reached"]) + "|已")
        p = cues["publisher"]
        self.dateline = regex.compile(p["dateline"])
        self.byline = regex.compile(p["byline"])
        self.example_place = regex.compile(cues["example_place"])
        lead = cues["lead_source"]
        self.lead_before = regex.compile(lead["before"])
        self.lead_after = regex.compile(lead["after"])
        self.lead_publisher = regex.compile(lead["publisher"])
        self.caption = regex.compile(cues["caption"])
        self.institutions = cues["institutions"]
        self.institution_re = regex.compile(alternation(self.institutions))
        self.national_re = regex.compile(alternation(cues["national_institutions"]))
        self.national_words = regex.compile(r"我国|全国|中国")
        self.mixed_topics_re = regex.compile(cues["mixed_topics_title"])
        self.education_re = regex.compile(alternation(cues["education_words"]))
        # “十二五”回顾 in a title dates the text to the plan period's end
        attribution = cue_files["attribution.yaml"]
        self.plan_periods = attribution["plan_periods"]
        self.relative_years = {w: k for w, k in attribution["relative_years"].items() if w in ("今年", "明年", "去年")}
        self.relative_re = regex.compile(alternation(self.relative_years))
        self.this_year_re = regex.compile(alternation([w for w, k in attribution["relative_years"].items() if k == 0]))
        # 该县/全区 in the body: the article is about a place of that level
        self.local_deixis = regex.compile(alternation(
            [w for level in ("county", "district") for w in attribution["deixis"][level] if w[0] in "该我全本"]))
        self.plan_period_re = regex.compile(alternation(self.plan_periods))

    # ---- evidence ------------------------------------------------------------------

    def published_in(self, line: str) -> tuple[str, regex.Match] | None:
        """An ISO date when `line` is a publication line: short, and the date stands
        alone or after a publication key. Body sentences with dates are not."""
        long = len(line) > self.pub_max_line
        if long:
            line = line[:self.pub_max_line]     # a long line counts only for a date it opens with
        for rx in self.pub_patterns:
            m = rx.search(line)
            if not m:
                continue
            groups = m.groupdict()
            mo = _MONTHS.get(groups["mon"].lower()[:3]) if groups.get("mon") else int(groups["m"])
            y, d = int(groups["y"]), int(groups["d"])
            if not (mo and 1 <= mo <= 12 and 1 <= d <= 31):
                continue
            lead = line[:m.start()]
            if long:
                # a long first line may open with its date (" date 2026-02-27 新一份《…》披露…")
                if self.pub_keys.fullmatch(lead.strip(" :：")):
                    return f"{y:04d}-{mo:02d}-{d:02d}", m
                continue
            rest = (lead + line[m.end():]).strip()
            alone = not regex.search(r"\p{Han}{3,}", rest) or len(rest) <= 8
            if alone or self.pub_keys.search(lead) or "来源" in rest:
                return f"{y:04d}-{mo:02d}-{d:02d}", m
        return None

    def report_year(self, text: str) -> tuple[int, int, int, str] | None:
        """(year, start, end, what) of the first named report, bulletin or school year;
        `what` is report, or what else gave the year (school_year, dateline)."""
        for rx, what in self.report_patterns:
            m = rx.search(text)
            if m:
                return int(m.group("y").translate(_CN_DIGITS)), m.start(), m.end(), what
        return None

    def kind_of(self, heading: str) -> str:
        return next((k for k, rx in self.kinds if rx.search(heading)), "news")

    def is_publisher(self, line: str) -> bool:
        """A news agency's dateline or a byline."""
        return bool(self.dateline.search(line) or self.byline.search(line))

    # ---- decision ------------------------------------------------------------------

    def decide(self, text: str, seg: Segmented, entities: list[Entity],
               published_given: str | None = None, title_given: str | None = None) -> DocumentContext:
        evidence: list[Evidence] = []
        ignored: list[tuple[int, int]] = []
        header = seg.header
        # segmentation never takes a masthead for a title; a page's metadata may
        if title_given and is_masthead(title_given):
            title_given = None
        title = header.title or title_given
        title_span = ((header.title_start, header.title_start + len(header.title))
                      if header.title and header.title_start is not None else None)

        # top lines: the header zone and the first lines of the body
        top: list[tuple[int, int]] = []
        pos = 0
        while pos < len(text) and len(top) < self.top_lines and pos < self.top_chars:
            nl = text.find("\n", pos)
            nl = len(text) if nl < 0 else nl
            s, e = trim_span(text, pos, nl)
            if e > s:
                top.append((s, e))
            pos = nl + 1

        # publication date: given metadata > the header's > a publication line on top
        published, published_source = None, None
        if published_given:
            published, published_source = published_given, "metadata"
            evidence.append(Evidence("published", None, None, published_given, year=int(published_given[:4])))
        elif header.published:
            published, published_source = header.published[:10], "header"
        published_span = None      # the date's words in the text, when they gave `published`
        for s, e in top:
            found = self.published_in(text[s:e])
            if found:
                if published is None:
                    published, published_source = found[0], "top"
                if published_source != "metadata" and published[:10] == found[0]:
                    published_span = (s + found[1].start(), s + found[1].end())
                evidence.append(Evidence("published", s + found[1].start(), s + found[1].end(),
                                         found[1].group(), year=int(found[0][:4])))
                break
        if published_span is None and published_source == "header" and (
                at := text.find(published[:10], 0, header.end)) >= 0:
            published_span = (at, at + 10)     # the header's date as written (2025-12-26 12:23)

        # lines whose places say who publishes, not what it is about
        for s, e in top:
            line = text[s:e]
            in_title = title_span is not None and s <= title_span[0] < e
            if in_title:
                continue
            kind = None
            if is_navigation(line) or (e <= header.end and not self._office_line(text, s, e, entities)):
                kind = "navigation" if is_navigation(line) else "masthead"
            elif is_masthead(line) or self.byline.search(line) and len(line) <= 12:
                kind = "masthead" if is_masthead(line) else "byline"
            if kind:
                ignored.append((s, e))
                evidence.append(Evidence(kind, s, e, line[:40]))
        body_start = header.end
        for m in self.dateline.finditer(text, body_start, min(len(text), body_start + 400)):
            ignored.append((m.start(), m.end()))
            evidence.append(Evidence("dateline", m.start(), m.end(), m.group()))
        for m in self.byline.finditer(text, body_start, min(len(text), body_start + 400)):
            ignored.append((m.start(), m.end()))
        for para in seg.paragraphs:
            line = text[para.start:para.end]
            if para.end - para.start <= 80 and self.caption.search(line):
                ignored.append((para.start, para.end))
                evidence.append(Evidence("caption", para.start, para.end, line[:40]))
            elif para.furniture:       # menus and mastheads too (rules/segment.yaml)
                ignored.append((para.start, para.end))
        for ent in entities:
            if ent.label == "REGION" and self.example_place.match(text, ent.end):
                ignored.append((ent.start, ent.end + 2))
                evidence.append(Evidence("example", ent.start, ent.end + 2, text[ent.start:ent.end + 2]))

        ignored.sort()
        merged: list[tuple[int, int]] = []
        for s, e in ignored:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        starts = tuple(s for s, _ in merged)

        def is_ignored(s: int, e: int) -> bool:
            return _covered(merged, starts, s, e)

        # kind of text: words in the title, else in a short first line (an excerpt's heading)
        if title:
            head_text = title
        else:
            first = text[body_start:body_start + 80].lstrip().split("\n", 1)[0]
            # (not a sentence that opens a list: 根据…最新数据及近年规划,截至2024年,…如下:)
            head_text = first if len(first) <= 60 and "。" not in first and not first.rstrip().endswith(":") else ""
        kind = self.kind_of(head_text)

        # reference year: a named report or bulletin, else a year in the title
        reference_year, year_source = None, "none"
        period_title = False

        def in_text(start: int, end: int, title_offset: int) -> tuple[int, int] | None:
            """A span of the title (from title_offset on: of the text) as text offsets."""
            if start >= title_offset:
                return start - title_offset, end - title_offset
            if title_span and text[title_span[0]:title_span[1]] == title:
                return title_span[0] + start, title_span[0] + end
            if title_span and (at := text.find(title[start:end], title_span[0], header.end)) >= 0:
                return at, at + end - start        # a title joined from two lines
            return None       # a title given as metadata
        reference_span = None
        found = self.report_year((title or "") + "\n" + text[:self.top_chars])
        if found:
            reference_year, year_source = found[0], found[3]
            reference_span = in_text(found[1], found[2], len(title or "") + 1)
            evidence.append(Evidence(found[3], *(reference_span or (None, None)),
                                     str(found[0]), year=found[0]))
            if kind == "news":
                # a page that presents a named report or bulletin is one
                named = ((title or "") + "\n" + text[:self.top_chars])[found[1]:found[2]]
                kind = next((k for k, rx in self.kinds if rx.search(named) and k in ("bulletin", "report")),
                            kind)
        elif title:
            m = _TITLE_YEAR.search(title)
            p = None if m else self.plan_period_re.search(title)
            if m or p:
                reference_year = int(m.group(1) or m.group(2)) if m else self.plan_periods[p.group()]
                year_source = "title"
                period_title = m is None
                reference_span = in_text(*(m or p).span(), len(title) + 1)
                evidence.append(Evidence("title", *(reference_span or (None, None)), title[:40], year=reference_year))
        older = self._older_than_its_date(text, body_start, published) if published else None
        if older is not None:
            # 到2020年…争取2020年建成 on a page dated 2024, whose latest year is 2018: a
            # reprint's date, not the text's (guideline: a repost's date is no publication date)
            anchor_year, anchor_source, anchor_span = older, "inferred", None
            evidence.append(Evidence("reprint", None, None, published[:10], year=older))
        elif published:
            anchor_year, anchor_source, anchor_span = int(published[:4]), "published", published_span
        elif reference_year is None and (solved := self._solve_anchor(text) or self._this_years_plan(text, body_start)):
            # 湖南明年建成100所 … 到2021年,湖南将建成100所: the text was written in 2020
            anchor_year, anchor_source, anchor_span = solved[0], "inferred", (solved[1], solved[2])
            evidence.append(Evidence("inferred", solved[1], solved[2], text[solved[1]:solved[2]],
                                     year=solved[0]))
        else:
            # a title's plan period (四川“十四五”…成效显著) says what the text reviews, not when
            # it was written: 现有/目前 in such an undated text stay undated
            anchor_year, anchor_source = (None, "none") if period_title else (reference_year, year_source)
            anchor_span = None if period_title else reference_span

        # a news item that only announces: its figures are plans (rules/context.yaml)
        announces = bool(kind == "news" and title and self.announcement_re.search(title)
                         and not self.reached_re.search(text, body_start))
        if announces:
            evidence.append(Evidence("announcement", *(in_text(0, len(title), len(title) + 1) or (None, None)),
                                     title[:40]))

        # home region
        home, region_source, home_span = self._home(text, seg, entities, title_span, is_ignored, evidence)
        deadline = self._project_deadline(text, body_start)
        return DocumentContext(
            kind=kind, published=published, published_source=published_source,
            reference_year=reference_year, year_source=year_source,
            anchor_year=anchor_year, anchor_source=anchor_source,
            home=home, region_source=region_source,
            targets_by_default=kind in self.plan_kinds or announces,
            reference_from_period=period_title,
            project_deadline=deadline[0] if deadline else None,
            project_deadline_span=deadline[1] if deadline else None,
            home_span=home_span, reference_span=reference_span, anchor_span=anchor_span,
            mixed_topics=bool(self.mixed_topics_re.search((title or "") + "\n" + text[body_start:body_start + 200])),
            evidence=tuple(evidence), ignored=tuple(merged), _ignored_starts=starts)

    def _solve_anchor(self, text: str) -> tuple[int, int, int] | None:
        """The year an undated text was written, when it gives one figure both with a
        relative year (明年建成100所) and with an explicit one (到2021年…建成100所),
        each within its own sentence. One pass over each kind of cue."""
        dated: dict[str, int] = {}
        for y in _EXPLICIT_YEAR.finditer(text):
            window = text[y.end():y.end() + 24].split("。", 1)[0]
            for fig in _FIGURE.finditer(window):
                dated.setdefault(fig.group(), int(y.group(1)))
        if not dated:
            return None
        for m in self.relative_re.finditer(text):
            fig = _FIGURE.search(text[m.end():m.end() + 12].split("。", 1)[0])
            if fig and fig.group() in dated:
                return dated[fig.group()] - self.relative_years[m.group()], m.start(), m.end()
        return None

    def off_topic(self, text: str, seg: Segmented, doc: DocumentContext) -> set[int]:
        """Sentences (indices) of a bulletin of every topic that are about something else
        than education: no education word in them nor in the sentence before them in
        their paragraph (全县投入资金3000万元 after 全县有学校282所 is still education).
        Not their section's heading: it often joins topics (八、科技、教育、文化和卫生),
        and such a section may be one line (科技:… 申请专利75件。 教育:…)."""
        if not doc.mixed_topics:
            return set()
        out, before = set(), False
        for i, sent in enumerate(seg.sentences):
            # a numbered heading run into the line (八、科技、教育、文化和卫生 科技:…) names topics,
            # not this sentence's
            lead = _RUN_IN_HEADING.match(text, sent.start, sent.end)
            about = bool(self.education_re.search(text, lead.end() if lead else sent.start, sent.end))
            same_para = i > 0 and seg.sentences[i - 1].paragraph == sent.paragraph
            if not about and not (same_para and before):
                out.add(i)
            before = about
        return out

    def _older_than_its_date(self, text: str, body_start: int, published: str) -> int | None:
        """The year a reprinted text was written, when its page date is later than every
        plan it states: it names deadlines (到2020年, 争取2020年建成) all before the date,
        and no year within a year of the date. The latest year it names that is no
        deadline is when it was written; None when nothing says the date is wrong."""
        date_year = int(published[:4])
        body = text[body_start:]
        deadlines = {int(m.group(1) or m.group(2)) for m in _DEADLINE.finditer(body)}
        if not deadlines or max(deadlines) >= date_year:
            return None
        stated = {int(m.group(1)) for m in _EXPLICIT_YEAR.finditer(body)}
        others = stated - deadlines
        if not others or max(stated) >= date_year - 1:
            return None
        return max(others)

    def _place_opening(self, text: str, start: int, end: int) -> Region | None:
        """The place whose full name opens text[start:end] (a document's name), if any."""
        for k in range(min(12, end - start), 1, -1):
            found = [r for r in self.gazetteer.lookup(text[start:start + k]) if r.name == text[start:start + k]
                     or r.path.endswith(text[start:start + k])]
            if len(found) == 1:
                return found[0]
        return None

    def _this_years_plan(self, text: str, body_start: int) -> tuple[int, int, int] | None:
        """The year an undated text was written, when it speaks of 今年/本年 and of
        projects finishing in one year by the month (预计2018年9月竣工, 打算2020年9月投入
        使用), or of 未来三年(2017-2019年): news of this year's building works.
        (year, start, end) of the evidence."""
        if not self.this_year_re.search(text, body_start):
            return None
        done = {int(m.group("y")): m for m in _FINISHING.finditer(text, body_start)}
        if len(done) == 1:
            (year, m), = done.items()
            return year, m.start(), m.end()
        m = _COMING_YEARS.search(text, body_start)
        if m and not done:
            return int(m.group("y")), m.start(), m.end()
        return None

    def _project_deadline(self, text: str, body_start: int) -> tuple[int, tuple[int, int]] | None:
        """The one year a text's projects open or finish (预计2021年投入使用), when it names
        one, and where it first says so."""
        years = {}
        for m in _OPENING.finditer(text):
            years.setdefault(int(m.group("y")), (m.start("y"), m.end("y") + 1))     # 2021年
        return years.popitem() if len(years) == 1 else None

    def _office_line(self, text: str, s: int, e: int, entities: list[Entity]) -> bool:
        """A header line naming a place's education office (来源:鞍山市教育局): institution
        evidence, not a masthead."""
        return any(s <= ent.start and ent.end <= e and ent.region and _OFFICE.match(text, ent.end)
                   for ent in entities)

    def _home(self, text, seg, entities, title_span, is_ignored,
              evidence) -> tuple[Region | None, str, tuple[int, int] | None]:
        """The region the article is about, which evidence decided it, and the words that
        name it (a title's or a header's place, an institution; None for the body's places)."""
        weighted: list[tuple[Region, float]] = []
        in_title: list[Region] = []
        words: dict[int, tuple[int, int]] = {}   # id of a title's Region -> its mention
        office_words: dict[int, tuple[int, int]] = {}
        offices: list[Region] = []      # 来源:鞍山市教育局 in the header
        named: list[tuple[Region, bool]] = []   # per weighted mention: written in full?
        as_place: list[bool] = []               # per weighted mention: a place, not a school's name
        lead_sources: set[str] = set()          # places the lead reports from (记者从肥西县…获悉)
        ambiguous_in_title: list[str] = []      # title places the gazetteer cannot decide alone
        first_para_end = seg.paragraphs[0].end if seg.paragraphs else 0
        for e in entities:
            if e.label == "POLICY" and e.start >= seg.header.end and not is_ignored(e.start, e.end):
                # 《茂名市区公办中小学…布局调整方案》: the place a document is named for is
                # evidence of where the text is, as a school's name is
                issuer = self._place_opening(text, e.start + 1, e.end)
                if issuer is not None:
                    weighted.append((issuer, 1.0))
                    named.append((issuer, True))
                    as_place.append(False)
                continue
            if (e.label == "REGION" and e.region is None and title_span
                    and title_span[0] <= e.start < title_span[1]):
                ambiguous_in_title.append(e)     # 铁西区 in a title: which one, the body says
                continue
            if (e.label == "REGION" and e.region is not None and e.start < seg.header.end
                    and _OFFICE.match(text, e.end) and not (title_span and title_span[0] <= e.start < title_span[1])):
                # 来源:鞍山市教育局, 香港政府新闻网: a government's own site or office in the
                # header places a text that names no place (institution evidence), even as masthead
                offices.append(e.region)
                office_words[id(e.region)] = (e.start, e.end)
                continue
            if e.label not in _PLACE_LABELS or e.region is None or is_ignored(e.start, e.end):
                continue
            if title_span and title_span[0] <= e.start < title_span[1]:
                in_title.append(places_it_stands_for(self.gazetteer, text, e.region, e.end))
                words[id(in_title[-1])] = (e.start, e.end)
            elif e.start < seg.header.end:
                continue        # a header line other than the title: a site, not the subject
            else:
                weight = 2.0 if e.start < first_para_end else 1.0
                if e.label != "REGION" and e.region.level == "county" and not e.text.startswith(e.region.name):
                    # 钱塘小学 in 福州, 延安中学 anywhere: a school named with a bare district
                    # name is often named after an old name or another place
                    weight *= 0.2
                weighted.append((e.region, weight))
                if e.start < first_para_end and self.is_lead_source(text, e.start, e.end):
                    lead_sources.add(e.region.path)
                # a province's short name (上海, 广东) is as unambiguous as a full name
                named.append((e.region, e.text == e.region.name or e.text.endswith(e.region.name)
                              or e.region.level == "province"))
                as_place.append(e.label == "REGION")
        # a bare short name (石门 for 石门县, 大理) of a county or city in another province
        # than every full name the article uses (佛山市, 禅城区) is more likely part of a
        # local name (石门中学) than a place elsewhere: it counts for little
        # the nation named as what the text is about (全国共有…, 我国…), not as what a figure is
        # compared with (高于全国平均水平): evidence for a national home like any place
        nation = self.gazetteer.by_path("全国")
        if nation is not None and weighted:
            for m in _NATION_SUBJECT.finditer(text, seg.header.end):
                if not is_ignored(m.start(), m.end()):
                    weighted.append((nation, 1.0))
                    named.append((nation, True))
                    as_place.append(True)
        full_provinces = {r.province for r, full in named if full and r.province}
        if len(full_provinces) == 1:
            weighted = [(r, w * 0.2 if not full and r.level in ("city", "county")
                         and r.province not in full_provinces else w)
                        for (r, w), (_, full) in zip(weighted, named)]
        if in_title:
            for r in in_title:
                evidence.append(Evidence("title", *words[id(r)], r.name, region=r.path))
            home = max(in_title, key=lambda r: len(r.path))
            span = words[id(home)]
            if not all(home.path.startswith(r.path) for r in in_title):
                home = self._common(in_title)
                # the title's places together (吉林、辽宁 -> their common area)
                span = (min(words[id(r)][0] for r in in_title), max(words[id(r)][1] for r in in_title))
            whole = _SAR_WHOLE.get(home.province or "")
            if whole and home.level == "county" and len(whole.findall(text, title_span[1] if title_span else 0)) >= 2:
                # 四中学濒杀校 屯门占二 over a body about 全港/本港: the district is one of the
                # places the figures are about, the territory is what they count
                home = self.gazetteer.by_path(home.province) or home
                span = None
                evidence.append(Evidence("body", None, None, whole.pattern[:6], region=home.path))
            refined = self._refine(home, weighted, text, as_place, lead_sources, from_title=True)
            return refined, "title", span if refined is home else None
        if offices:
            home = max(offices, key=lambda r: len(r.path))
            evidence.append(Evidence("institution", *office_words[id(home)], home.name, region=home.path))
            refined = self._refine(home, weighted, text, as_place, lead_sources)
            return refined, "institution", office_words[id(home)] if refined is home else None
        if weighted:
            total = sum(w for _, w in weighted)
            counts: dict[str, float] = {}
            for r, w in weighted:
                for path in self.gazetteer.ancestors(r):
                    counts[path] = counts.get(path, 0) + w
            held = max((p for p, n in counts.items() if n >= 0.7 * total), key=len)
            if held == "全国" and counts.get("全国", 0) > sum(w for r, w in weighted if r.path == "全国"):
                # no common area below the nation: a province named far more than any
                # other is the focus (澳门 five times, 广东 once), else the nation stands
                provinces = sorted(((n, p) for p, n in counts.items()
                                    if p != "全国" and self.gazetteer.by_path(p)
                                    and self.gazetteer.by_path(p).level == "province"), reverse=True)
                if provinces and provinces[0][0] >= 0.5 * total and (
                        len(provinces) == 1 or provinces[0][0] >= 2 * provinces[1][0]):
                    top = provinces[0][1]
                    inner = {p: n for p, n in counts.items() if p.startswith(top)}
                    held = max((p for p, n in inner.items() if n >= 0.7 * inner[top]), key=len)
            # a functional zone (重庆市高新区) is no gazetteer row: keep the mention's Region
            home = self.gazetteer.by_path(held) or next(r for r, _ in weighted if r.path == held)
            evidence.append(Evidence("body", None, None, home.name, region=home.path))
            for e in ambiguous_in_title:
                # 铁西区7所…交付 over a 沈阳 body: the title's 铁西区 is 沈阳's, and the title's level wins
                found = self.gazetteer.resolve(e.text, within=home.path)
                if found is not None and found.path.startswith(home.path):
                    evidence.append(Evidence("title", e.start, e.end, e.text, region=found.path))
                    return found, "title", (e.start, e.end)
            return self._refine(home, weighted, text, as_place, lead_sources), "body", None
        title = text[title_span[0]:title_span[1]] if title_span else ""
        m = self.institution_re.search(text)
        if m:
            path = self.institutions[m.group()]
            evidence.append(Evidence("institution", m.start(), m.end(), m.group(), region=path))
            return self.gazetteer.by_path(path), "institution", m.span()
        in_title_words = self.national_words.search(title)
        m = in_title_words or self.national_re.search(text)
        if m:
            span = (title_span[0] + m.start(), title_span[0] + m.end()) if in_title_words else m.span()
            evidence.append(Evidence("national", *span, m.group(), region="全国"))
            return self.gazetteer.by_path("全国"), "national", span
        return None, "none", None

    def is_lead_source(self, text: str, start: int, end: int) -> bool:
        """记者从[肥西县]重点局…获悉, [福清市]公布…方案: the place a lead reports from."""
        after = text[end:end + 40]
        return bool(self.lead_publisher.match(after) or (
            self.lead_after.match(after) and self.lead_before.search(text[max(0, start - 3):start])))

    def _refine(self, home: Region, weighted: list[tuple[Region, float]], text: str,
                as_place: list[bool], lead_sources: set[str] = frozenset(),
                from_title: bool = False) -> Region:
        """乌鲁木齐市第一小学 … 天山区教育局 … 天山区委: the one place inside the home
        that the article keeps naming, or the one county it names while saying 该县,
        is where it happens."""
        inside = {r.path: r for r, _ in weighted if r.path.startswith(home.path) and r.path != home.path}
        leads = [inside[p] for p in lead_sources if p in inside]
        if len(inside) > 1 and len(leads) == 1:
            # 福清市公布…方案 and then its zones (福州新区…): the lead's place, when it holds
            # most of what is named inside the home
            (lead,) = leads
            held = sum(w for r, w in weighted if r.path.startswith(lead.path))
            if held >= 0.5 * sum(w for r, w in weighted if r.path in inside):
                inside = {lead.path: lead}
        if len(inside) > 1:
            # 太原市 three times and 太原市杏花岭区 once in a 山西 text: the places inside
            # share one city, which stands for them
            common = self._common(list(inside.values()))
            if common.path != home.path and common.path.startswith(home.path):
                inside = {common.path: common}
                weighted = [(common if r.path.startswith(common.path) else r, w) for r, w in weighted]
        if len(inside) == 1:
            (only,) = inside.values()
            # the body names the home itself as a place more than the place inside (四川 …
            # 全省, with 在成都举行 twice): that place is where something happened, not what
            # the text is about. A school named after the home (乌鲁木齐市第一小学) stands
            # in some district of it: no evidence against the finer place.
            named_home = sum(w for (r, w), place in zip(weighted, as_place) if place and r.path == home.path)
            named_only = sum(w for r, w in weighted if r.path == only.path)
            if only.path in lead_sources and named_home <= named_only:
                return only     # the lead reports from it: 记者从肥西县…获悉 under a 合肥 title
            # a title chose its level: a tie keeps it (上海… title, 上海 and 松江区 in the body)
            if named_home > named_only or (from_title and named_home == named_only):
                return home
            if sum(r.path == only.path for r, _ in weighted) >= 2:
                return only
            # 该县 means a 县, 全区 a 区 (in a 新疆 article 全区 is the autonomous region)
            if only.level == "county" and any(m.group()[-1] == only.name[-1]
                                              for m in self.local_deixis.finditer(text)):
                return only
        return home

    def _common(self, regions: list[Region]) -> Region:
        paths = [self.gazetteer.ancestors(r) for r in regions]
        shared = [p for p in paths[0] if all(p in other for other in paths[1:])]
        return self.gazetteer.by_path(shared[-1]) or regions[0]
