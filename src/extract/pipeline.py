"""One article through every stage: load -> normalize -> segment -> quantities
-> entities -> attribution -> records. Built once per worker (rules, gazetteer,
jieba), then `process` is called per article."""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from extract.stages.attribute import CARRY_OVER, Attributor
from extract.stages.context import ContextBuilder
from extract.stages.currency import CurrencyReader
from extract.stages.entities import EntityRecognizer
from extract.stages.elided import elided_parts
from extract.stages.grids import GridReader, with_grid_cells
from extract.stages.gazetteer import Gazetteer, Region
from extract.inputs.load import RawArticle
from pydantic import ValidationError
import regex

from extract.models import ArticleRow, Claim, EntityRow, ErrorRow
from extract.stages.normalize import normalize
from extract.stages.quantities import find_quantities
from extract.stages.rules import RuleSet, load_rules
from extract.stages.segment import Sentence, segment
from extract.version import extractor_version
from extract.watchdog import check as check_budget, stage


@dataclass
class ArticleResult:
    article: ArticleRow
    claims: list[Claim] = field(default_factory=list)
    entities: list[EntityRow] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)   # rows for the errors table (dropped claims, warnings)


# a line ending in one of these has not ended its sentence
_GOES_ON_PUNCT = frozenset(",、:;")
# words that open a sentence going on from the one before (its parts, more of the same)
_GOES_ON = regex.compile(r"\s*(?:据悉,|据了解,)?(?:另外|以及|另有|其中(?![,:]?有)|本批|这批|该批|这些|上述)")

# context.decide's published_source -> articles.published_from: a given date outranks the text's
_PUBLISHED_FROM = {"metadata": "given", "header": "text", "top": "text"}


def claim_group(region: str | None, category: str, unit: str, value: float, year: int | None) -> str:
    """Same figure, same place, same year -> same id, whichever article reports it."""
    key = f"{region or ''}|{category}|{unit}|{value:.6g}|{year if year is not None else ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _region_columns(region: Region | None) -> dict:
    if region is None:
        return {"region": None, "province": None, "city": None, "county": None, "region_code": None}
    return {"region": region.path, "province": region.province, "city": region.city,
            "county": region.county, "region_code": region.code or None}


class Extractor:
    def __init__(self, rules: RuleSet | None = None, user_rules: list[Path] | None = None):
        self.rules = rules or load_rules(user_rules)
        self.gazetteer = Gazetteer.load()
        # cue files: the shipped ones with the --rules folders' merged in
        cues = self.rules.cues or None
        self.recognizer = EntityRecognizer(self.gazetteer, cue_files=cues)
        self.context = ContextBuilder(self.gazetteer, cues)
        self.attributor = Attributor(self.gazetteer, cues)
        self.grids = GridReader()
        self.currency = CurrencyReader(self.rules.vocabulary.currencies)
        self.version = extractor_version(self.rules)

    def process(self, raw: RawArticle) -> ArticleResult:
        # stage(): which stage a time-budget error names (see watchdog.py)
        stage("normalize")
        norm = normalize(raw.text)
        text = norm.text
        stage("segment")
        seg = segment(text)
        stage("entities")
        entities = self.recognizer.find(text)
        stage("quantities")
        quantities = find_quantities(text, self.rules)
        # tables flattened into lines: bare figures under a header that names their unit
        quantities, table_cells = with_grid_cells(quantities, self.grids.find(text))
        # parts listed in brackets after a figure, its unit left out: 66.3万平方米(幼儿园6.4万、…)
        quantities = sorted(quantities + elided_parts(text, quantities), key=lambda q: q.start)
        stage("context")
        doc = self.context.decide(text, seg, entities, raw.published_given, raw.title_given)
        stage("attribute")
        # places in mastheads, menus, datelines and captions say nothing about the claims
        placed = [e for e in entities if not doc.ignores(e.start, e.end)]
        home = (doc.home, doc.region_source, doc.home_span)
        section_homes = self.attributor.section_homes(seg, placed, home)
        paragraph_homes = self.attributor.paragraph_homes(text, seg, placed, section_homes)
        paragraph_years = self.attributor.paragraph_years(text, seg)
        frame = self.attributor.time_frame(text, seg, doc)
        # a paragraph whose line ends mid-sentence (…实施项目数达23个, / 包括9个完工项目…)
        # goes on in the next one: place and time carry over as within one paragraph
        joined_start: list[int] = []
        for k, para in enumerate(seg.paragraphs):
            prev = seg.paragraphs[k - 1] if k else None
            goes_on = prev is not None and not prev.furniture and text[prev.start:prev.end].rstrip()[-1:] in _GOES_ON_PUNCT
            joined_start.append(joined_start[k - 1] if goes_on else para.start)
        off_topic = self.context.off_topic(text, seg, doc)
        currencies_declared = self.currency.declared(text)     # (港元,下同)
        starts = [s.start for s in seg.sentences]
        entity_starts = [e.start for e in placed]

        # The title states claims too (广西近三年新建中小学校超千所); the rest of the header does not.
        h = seg.header
        title = Sentence(h.title_start, h.title_start + len(h.title), -1, 0, False) if h.title else None
        # a page often repeats its title on a line of its own (the page title, then the
        # headline): each repeat states the title's claims again, one claim per span
        titles = [title, *_title_repeats(text, title)] if title else []

        claims, errors = [], []
        headline: list[int] = []        # indices of the claims made in the title and its repeats
        previous: tuple | None = None   # (sentence, attribution, end) of the last claim
        for q in quantities:
            check_budget()
            heading = next((t for t in titles if t.start <= q.start and q.end <= t.end), None)
            if heading is not None:
                sentence, paragraph_start, context, heading_year = heading, heading.start, home, None
                carried_year = heading_span = carried_span = None
            else:
                i = bisect.bisect_right(starts, q.start) - 1
                if i < 0 or q.start < seg.header.end:
                    continue
                sentence = seg.sentences[i]
                if sentence.furniture or q.end > sentence.end or i in off_topic:
                    continue
                paragraph_start = joined_start[sentence.paragraph]
                context = paragraph_homes[sentence.paragraph]
                heading_year, heading_span = paragraph_years[sentence.paragraph]
                carried_year = frame.year_before(sentence.paragraph)
                carried_span = frame.span_before(sentence.paragraph)
            same = previous is not None and previous[0] == sentence
            # 现有在校学生47478人。其中:学前8234人…: a sentence opening with 其中 lists the
            # parts of the last figure before it in the paragraph (its head says what is counted)
            parts_of = (not same and previous is not None and heading is None
                        and previous[0].paragraph == sentence.paragraph
                        and text.startswith("其中", sentence.start))
            before = previous[1] if same or parts_of else None
            # …278所,其中141个项目将开工建设。以及73个续建项目。另外还有64所幼稚园…: a sentence
            # that goes on from a plan (其中, 另外, 以及, 此外, 这些) goes on planning
            plan_goes_on = (previous is not None and heading is None and previous[1].target
                            and 0 <= sentence.paragraph - previous[0].paragraph <= 2
                            and _GOES_ON.match(text, sentence.start) is not None)
            gap = text[previous[2]:q.start] if same and previous[2] <= q.start else None
            # context carries over a bounded stretch: linear time on pages flattened to one line
            paragraph_start = max(paragraph_start, q.start - CARRY_OVER)
            # only the entities between the paragraph start and the number can attribute it
            nearby = placed[bisect.bisect_left(entity_starts, paragraph_start):
                            bisect.bisect_left(entity_starts, q.start)]
            a = self.attributor.attribute(text, q, sentence, paragraph_start, nearby, context, doc,
                                          before, in_title=sentence in titles, heading_year=heading_year,
                                          gap=gap, carried_year=carried_year, plan_goes_on=plan_goes_on,
                                          heading_year_span=heading_span, carried_year_span=carried_span)
            if plan_goes_on and a.target and a.target_cue is None:
                a = replace(a, target_cue=previous[1].target_cue)     # the plan it goes on from
            cell = table_cells.get(q.start)
            if cell is not None:
                a = self.attributor.in_table(a, q, cell)
            previous = (sentence, a, q.end)
            start, end = norm.span_to_orig(q.start, q.end)
            s_start, s_end = norm.span_to_orig(sentence.start, sentence.end)
            value = a.value_sign * q.value
            value_max = None if q.value_max is None else a.value_sign * q.value_max
            if value_max is not None and value_max < value:
                value, value_max = value_max, value
            try:
                claim = Claim(
                    article=raw.path, start=start, end=end, text=raw.text[start:end],
                    value=value, value_max=value_max, unit=q.unit,
                    currency=self.currency.currency_of(text, q.start, q.end, q.unit, doc.home, currencies_declared),
                    qualifier=a.qualifier,
                    kind=a.kind, target=a.target, category=a.category, subject=a.subject,
                    entity=a.entity, year=a.year, baseline_year=a.baseline_year,
                    region_source=a.region_source, year_source=a.year_source,
                    **_region_columns(a.region), **_words_behind(a, raw.text, norm),
                    claim_group=claim_group(a.region.path if a.region else None, a.category, q.unit, value, a.year),
                    sentence=raw.text[s_start:s_end], rule_id=q.rule.id, extractor_version=self.version)
            except ValidationError as exc:
                # a rule that yields a value outside the schema loses this claim, not the article
                errors.append(_dropped_claim(raw.path, raw.text[start:end], start, q.rule.id, exc))
                continue
            claims.append(claim)
            if heading is not None:
                headline.append(len(claims) - 1)

        _date_headlines_by_body(claims, headline)
        stage("records")
        entity_rows = []
        for e in entities:
            start, end = norm.span_to_orig(e.start, e.end)
            entity_rows.append(EntityRow(
                article=raw.path, start=start, end=end, text=raw.text[start:end], label=e.label,
                region=e.region.path if e.region and e.label == "REGION" else None,
                region_code=(e.region.code or None) if e.region and e.label == "REGION" else None))

        article = ArticleRow(
            path=raw.path, sha256=raw.sha256, title=seg.header.title, published=seg.header.published,
            source=seg.header.source, encoding=raw.encoding, chars=len(raw.text), claims=len(claims),
            status="ok", extractor_version=self.version,
            furniture_sentences=sum(s.furniture for s in seg.sentences),
            kind=doc.kind, reference_year=doc.reference_year, year_source=doc.year_source,
            anchor_year=doc.anchor_year, time_frame=frame.kind,
            time_frame_years=",".join(map(str, frame.years)) or None, home_region=doc.home.path if doc.home else None,
            region_source=doc.region_source, context_evidence=doc.evidence_json(norm.span_to_orig),
            input_format=raw.input_format, file=raw.file, row=raw.row, url=raw.url,
            title_given=raw.title_given, published_given=raw.published_given, site_given=raw.site_given,
            published_from=_PUBLISHED_FROM.get(doc.published_source),
            # offsets of html and table-row claims refer to this text, which no file holds
            text=None if raw.input_format in ("txt", "md") else raw.text)
        return ArticleResult(article, claims, entity_rows, errors)


def _span_columns(prefix: str, span, norm) -> dict:
    start, end = norm.span_to_orig(*span) if span is not None else (None, None)
    return {f"{prefix}_start": start, f"{prefix}_end": end}


def _cue_columns(name: str, cue, text: str, norm) -> dict:
    """{name}_cue (the words, or how it was set) and their offsets in the original text."""
    if cue is None:
        return {f"{name}_cue": None, f"{name}_cue_start": None, f"{name}_cue_end": None}
    if cue.start is None:
        return {f"{name}_cue": cue.how, f"{name}_cue_start": None, f"{name}_cue_end": None}
    start, end = norm.span_to_orig(cue.start, cue.end)
    return {f"{name}_cue": text[start:end], f"{name}_cue_start": start, f"{name}_cue_end": end}


def _words_behind(a, text: str, norm) -> dict:
    """The claim's columns that say which words gave its region, year, category, kind and
    target, as offsets into the original text (Attribution keeps normalized ones)."""
    return {**_span_columns("region", a.region_span, norm), **_span_columns("year", a.year_span, norm),
            **_cue_columns("category", a.category_cue, text, norm), **_cue_columns("kind", a.kind_cue, text, norm),
            **_cue_columns("target", a.target_cue, text, norm)}


def _dropped_claim(path: str, text: str, start: int, rule_id: str, exc: ValidationError) -> ErrorRow:
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}={e.get('input')!r}: {e['msg']}" for e in exc.errors())
    return ErrorRow(path=path, stage="extract", severity="error",
                    reason=f"claim {text!r} at {start} dropped: rule {rule_id} gives an invalid value ({problems})")


def _title_repeats(text: str, title: Sentence) -> list[Sentence]:
    """Other lines that hold the title and nothing else (surrounding spaces aside)."""
    words = text[title.start:title.end].strip()
    out: list[Sentence] = []
    pos = text.find(words)
    while pos >= 0 and words:
        end = pos + len(words)
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if not (pos <= title.start < end) and not text[line_start:pos].strip() and not text[end:line_end].strip():
            out.append(Sentence(pos, end, -1, 0, False))
        pos = text.find(words, end)
    return out


# Year sources that come from words in the text, not from the publication date.
_STATED_YEAR = {"sentence", "paragraph", "section", "heading", "title", "report", "school_year", "dateline"}


def _date_headlines_by_body(claims: list[Claim], headline: list[int]) -> None:
    """A headline figure dated only by the publication (湖南又有18个县…) takes the year the
    body states for the same figure (《2018年…名单》,其中湖南省18个县): a headline
    announces what the body reports, often a year after it happened."""
    in_headline = set(headline)
    body = [c for i, c in enumerate(claims) if i not in in_headline]
    for i in headline:
        c = claims[i]
        if c.year_source != "published":
            continue
        same = next((b for b in body if b.value == c.value and b.unit == c.unit
                     and b.year is not None and b.year_source in _STATED_YEAR), None)
        if same is not None and same.year != c.year:
            claims[i] = c.model_copy(update={
                "year": same.year, "year_source": same.year_source,
                "year_start": same.year_start, "year_end": same.year_end,
                "claim_group": claim_group(c.region, c.category, c.unit, c.value, same.year)})
