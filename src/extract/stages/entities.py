"""Named entities for claim extraction: REGION, SCHOOL, GROUP, POLICY.

REGION: the gazetteer's names and aliases, matched on whole jieba tokens (not
substrings), which is what keeps 西城 out of 江西城市; for that the gazetteer
names are added to jieba's dictionary so 鞍山市铁西区 splits into its parts.
A name matches where its own jieba tokens appear as consecutive tokens of the
text -- exactly what spaCy's entity ruler with ORTH phrase patterns does, and
with the same overlap resolution (most tokens first, then leftmost) -- but
found with one Aho-Corasick pass, so the batch needs no spaCy Doc
(`to_spacy` gives one for notebooks; the `extract` spaCy component, any pipeline's).
SCHOOL/GROUP/POLICY come from rules/entities.yaml: regexes plus a small
token grammar ([REGION] [name token | numbered] ending), because their jieba
tokenization (实验|小学, 第七|中学, 北京四中) is not uniform enough for phrase
patterns.  Text must already be simplified Chinese.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs
import regex

from extract.paths import RULES_DIR
from extract.stages.gazetteer import Gazetteer, Region
from extract.stages.rules import alternation, load_yaml, shipped_cues
from extract.stages.wordcut import JIEBA_BLOCKS, cut_block, cut_words, prepare_jieba

RULES_FILE = RULES_DIR / "entities.yaml"
HAN = regex.compile(r"^\p{Han}{2,}$")
HAN_RUN = regex.compile(r"\p{Han}+")
_MARKED_RUN = regex.compile(rb"\x01+")   # runs of marked characters (see _entity_chars)

# A zone's official district in brackets right after it: 乌鲁木齐高新区(新市区)
_OFFICIAL_NAME = regex.compile(r"[((](\p{Han}{1,6}(?:区|县|市))[))]")


@dataclass(frozen=True)
class Entity:
    start: int                    # char offsets into the text passed to find()
    end: int
    label: str                    # REGION | SCHOOL | GROUP | POLICY
    text: str
    region: Region | None = None  # REGION: resolved region (None if ambiguous);
                                  # SCHOOL/GROUP: the region they are prefixed with


# the two special administrative regions by their short names, before the words jieba
# joins them with (特区, 政府, 特别行政区 is a full name already)
_SAR_NAME = regex.compile(r"(?:香港|澳门)(?=特区|政府|社会|市民|本地|学生|教育|学校)")


class EntityRecognizer:
    def __init__(self, gazetteer: Gazetteer, patterns_file: Path | None = None,
                 cue_files: dict[str, dict] | None = None):
        rules = load_yaml((patterns_file or RULES_FILE).read_text(encoding="utf-8"))
        self.gazetteer = gazetteer
        # deictic words (我省, 全区 …) are attribution's to resolve: never a REGION here
        deixis = (cue_files or shipped_cues())["attribution.yaml"]["deixis"]
        skip = (set(rules.get("region_stopwords") or []) | set(rules.get("deictic") or [])
                | {w for words in deixis.values() for w in words})
        self._forms = sorted({f for f, _ in gazetteer.names() if len(f) >= 2 and f not in skip})
        # each name's phrase pattern: the word ends inside it, as jieba cuts the name alone
        cuts = prepare_jieba(self._forms)
        form_ends = {f: tuple(_ends(cuts[f])) for f in self._forms}

        school, group = rules["school"], rules["group"]
        self._school_end = regex.compile(alternation(school["suffixes"]) + "$")
        # where a school ending can end: only the tokens ending there are looked at
        self._school_last = regex.compile("[%s]" % regex.escape("".join({w[-1] for w in school["suffixes"]})))
        self._numbered = regex.compile(school["numbered"])
        self._numbered_short = regex.compile(school["numbered_short"])
        self._school_generic = set(school["generic"])
        self._max_name_tokens = school["max_name_tokens"]
        self._weak_suffixes = set(school["weak_suffixes"])
        self._place_end = regex.compile(alternation(school["place_endings"]) + "$")
        self._group_end = regex.compile(alternation(group["suffixes"]))
        self._group_needs_school = set(group["needs_school"])
        self._group_generic = set(group["generic"])
        self._policy = regex.compile(rules["policy"]["pattern"])
        self._zone = regex.compile(alternation(rules.get("zones") or [])
                                   + (r"|\p{Han}{2}(?:" + alternation(rules["named_zones"]) + ")"
                                      if rules.get("named_zones") else ""))
        self._street = regex.compile(rules.get("street_after") or "(?!)")
        self._generic = frozenset(rules.get("generic_names") or [])

        # Every literal a token-level match needs: region names, school and group endings;
        # one pass finds them all, and a region name's hits carry the name's word ends
        anchors = sorted({*self._forms, *school["suffixes"], *group["suffixes"]})
        self._anchors = ahocorasick_rs.AhoCorasick(anchors)
        self._anchor_ends = [form_ends.get(a) for a in anchors]   # None: an ending, no name
        # False: jieba cuts every block (as a plain zh pipeline does); the entities are the same
        self.partial_cut = True

    def _anchor_hits(self, text: str) -> list[tuple[int, int, int]]:
        return self._anchors.find_matches_as_indexes(text, overlapping=True)

    def _entity_chars(self, text: str, hits: list[tuple[int, int, int]] | None = None) -> bytearray:
        """1 for each character an entity found through tokens could cover: the
        blocks holding none of these need no words."""
        marked = bytearray(len(text))
        for _, start, end in (self._anchor_hits(text) if hits is None else hits):
            marked[start:end] = b"\1" * (end - start)
        for pattern in (self._numbered, self._numbered_short):
            for m in pattern.finditer(text):
                marked[m.start():m.end()] = b"\1" * (m.end() - m.start())
        return marked

    def words(self, text: str) -> list[str]:
        """The words entities are matched on (see cut_words)."""
        return cut_words(text, self._entity_chars(text) if self.partial_cut else None)

    def tokens(self, text: str) -> list[tuple[int, int]]:
        """Every jieba token span (char offsets) of a full cut, with the gazetteer words added."""
        spans, pos = [], 0
        for w in cut_words(text):
            spans.append((pos, pos + len(w)))
            pos += len(w)
        return spans

    def _token_spans(self, text: str, hits: list[tuple[int, int, int]] | None = None
                     ) -> tuple[list[int], list[int]]:
        """Starts and ends of the non-space tokens an entity can be made of: jieba's
        words in the blocks that can hold an entity, and the marked characters
        between blocks (the / of 克州/克孜勒苏州). Everything else has no tokens: no
        name, ending or numbered school lies there, and a school or group name
        never reaches across a block edge. Without partial_cut: every block and
        every character between blocks, as a full cut gives them."""
        if not self.partial_cut:
            solid = [(a, b) for a, b in self.tokens(text) if not text[a:b].isspace()]
            return [a for a, _ in solid], [b for _, b in solid]
        starts: list[int] = []
        ends: list[int] = []
        marked = self._entity_chars(text, hits)
        blocks = [m.span() for m in JIEBA_BLOCKS.finditer(text)]
        block_starts = [s for s, _ in blocks]
        pos = 0   # everything before pos has its tokens
        for run in _MARKED_RUN.finditer(marked):
            k = max(pos, run.start())
            while k < run.end():
                b = bisect.bisect_right(block_starts, k) - 1
                if b >= 0 and k < blocks[b][1]:   # inside a block: cut all of it
                    bs, be = blocks[b]
                    for w in cut_block(text[bs:be]):
                        starts.append(bs)
                        bs += len(w)
                        ends.append(bs)
                    k = be
                else:
                    if not text[k].isspace():
                        starts.append(k)
                        ends.append(k + 1)
                    k += 1
            pos = k
        return starts, ends

    def find(self, text: str) -> list[Entity]:
        hits = self._anchor_hits(text)
        starts, ends = self._token_spans(text, hits)
        toks = _Tokens(starts, ends)
        regions = self._regions(text, self._name_matches(text, starts, ends, hits))
        regions = self._zones(text, regions)
        region_end = {e.end: e for e in regions}
        schools = self._schools(text, toks, region_end)
        groups = self._groups(text, toks, region_end, {e.end: e for e in schools})
        policies = [Entity(m.start(), m.end(), "POLICY", m.group()) for m in self._policy.finditer(text)]
        # a place name that names a street (安宁路12号, 南京路) is an address, not the place;
        # it still starts school names (北京路小学) above
        regions = [e for e in regions if not self._street.match(text, e.end)]
        # 香港特区政府, 香港政府新闻网: jieba keeps 香港特区/香港政府 as one word, so the
        # territory's name is found on its own here
        taken = {i for e in regions for i in range(e.start, e.end)}
        for m in _SAR_NAME.finditer(text):
            if not any(i in taken for i in range(m.start(), m.end())):
                region = self.gazetteer.resolve(m.group())
                if region is not None:
                    regions.append(Entity(m.start(), m.end(), "REGION", m.group(), region))
        regions.sort(key=lambda e: e.start)
        if self._generic:
            # 南区 is a Hong Kong district only in a text that names Hong Kong otherwise
            provinces = {e.region.province for e in regions if e.region and e.text not in self._generic}
            regions = [e for e in regions if e.text not in self._generic
                       or (e.region is not None and e.region.province in provinces)]
        return _longest_first([*regions, *schools, *groups, *policies])

    def _name_matches(self, text: str, starts: list[int], ends: list[int],
                      hits: list[tuple[int, int, int]] | None = None) -> list[tuple[int, int]]:
        """Region names whose own words are consecutive words of the text, resolved
        as spaCy's entity ruler does: most words first, then leftmost; a match
        whose first or last word is taken is dropped."""
        found = []
        for k, s, e in (self._anchor_hits(text) if hits is None else hits):
            pattern = self._anchor_ends[k]
            if pattern is None:
                continue
            i = bisect.bisect_left(starts, s)
            if i == len(starts) or starts[i] != s:
                continue
            j = i + len(pattern)
            if j <= len(ends) and all(starts[i + n] == s + (pattern[n - 1] if n else 0) and ends[i + n] == s + end
                                      for n, end in enumerate(pattern)):
                found.append((len(pattern), i, j, s, e))
        found.sort(key=lambda m: (-m[0], m[1]))
        taken, seen = [], set()
        for _, i, j, s, e in found:
            if i not in seen and j - 1 not in seen:
                taken.append((s, e))
                seen.update(range(i, j))
        return sorted(taken)

    def to_spacy(self, text: str, nlp=None):
        """The text as a spaCy Doc: these words as tokens, these entities as doc.ents,
        with the fields of entities.parquet as span extensions (for notebooks; the batch
        does not need spaCy, and the `extract` pipeline component puts them on any Doc)."""
        import spacy   # a second and a half to import: only when asked for
        from extract.stages.spacy_doc import Found, register_extensions, set_entities
        register_extensions()
        nlp = nlp or spacy.blank("xx")
        words = self.words(text)
        doc = spacy.tokens.Doc(nlp.vocab, words=words, spaces=[False] * len(words))
        found = []
        for e in self.find(text):
            region = e.region if e.region is not None and e.label == "REGION" else None
            found.append(Found(e.start, e.end, e.label,
                               {"start": e.start, "end": e.end, "text": e.text,
                                "region": region.path if region else None,
                                "region_code": (region.code or None) if region else None},
                               span_id=region.path if region else "",
                               kb_id=(region.code or "") if region else ""))
        set_entities(doc, found)
        return doc

    def _regions(self, text: str, spans: list[tuple[int, int]]) -> list[Entity]:
        """Merge chains like 安阳市|殷都区 into one entity, resolving each link within the previous."""
        out: list[Entity] = []
        for s, e in spans:
            prev = out[-1] if out else None
            if prev and prev.end == s and prev.region:
                inner = self.gazetteer.resolve(text[s:e], within=prev.region.path)
                if inner and inner.path.startswith(prev.region.path) and inner.path != prev.region.path:
                    out[-1] = Entity(prev.start, e, "REGION", text[prev.start:e], inner)
                    continue
            region = self.gazetteer.resolve(text[s:e])
            if (prev and prev.end == s and prev.region and region is not None
                    and region.level in ("city", "county") and text[s:e] != region.name
                    and region.province != prev.region.province):
                # 南京麒麟 (南京's 麒麟街道): a bare short name right after a place it does not
                # lie in names something local there, not 曲靖's 麒麟区
                region = None
            out.append(Entity(s, e, "REGION", text[s:e], region))
        return out

    def _zones(self, text: str, regions: list[Entity]) -> list[Entity]:
        """重庆|高新区 -> one REGION 重庆市高新区; later bare 高新区 -> the same zone."""
        out: list[Entity] = []
        zones: dict[str, Region] = {}
        taken = set()
        # 乌鲁木齐高新区(新市区): a zone that names its district once is that district throughout
        zone_after = [(r, self._zone.match(text, r.end) if r.region is not None else None) for r in regions]
        official: dict[tuple[str, str], Region] = {}
        for r, m in zone_after:
            bracket = _OFFICIAL_NAME.match(text, m.end()) if m else None
            if bracket:
                found = self.gazetteer.resolve(bracket.group(1), within=r.region.path)
                if found is not None and found.level == "county" and found.path.startswith(r.region.path):
                    official.setdefault((r.region.path, m.group()), found)
        for r, m in zone_after:
            if m and r.region.level != "county" and not self.gazetteer.lookup(
                    text[r.start:m.end()]):
                zone = official.get((r.region.path, m.group())) or Region(
                    "", m.group(), "county", r.region.path + m.group(), r.region.province,
                    r.region.city or (r.region.name if r.region.level == "city" else None), m.group())
                zones.setdefault(m.group(), zone)
                out.append(Entity(r.start, m.end(), "REGION", text[r.start:m.end()], zone))
                taken.update(range(r.start, m.end()))
            else:
                out.append(r)
        if zones:
            bare = regex.compile(alternation(zones))
            occupied = {i for e in out for i in range(e.start, e.end)}
            for m in bare.finditer(text):
                if m.start() not in occupied and m.start() - 1 not in taken:
                    out.append(Entity(m.start(), m.end(), "REGION", m.group(), zones[m.group()]))
            out.sort(key=lambda e: e.start)
        return out

    def _schools(self, text: str, toks: "_Tokens", region_end: dict[int, Entity]) -> list[Entity]:
        spans: list[tuple[int, int]] = []
        # 第七中学, 十一学校 anywhere on token boundaries; 八中 only after a region or with 第.
        for pat, needs_region in ((self._numbered, False), (self._numbered_short, True)):
            for m in pat.finditer(text):
                if toks.ending_at(m.end()) is None:
                    continue
                if toks.starting_at(m.start()) is not None:
                    if not needs_region or m.group().startswith("第") or m.start() in region_end:
                        spans.append((m.start(), m.end()))
                else:  # inside one token: 北京四中 is a name, 其中 / 三中全会 are not
                    tok = toks.containing(m.start())
                    if (tok and tok[1] == m.end() and m.start() - tok[0] >= 2
                            and HAN.match(text[tok[0]:m.start()])):
                        spans.append(tok)
        # named schools: non-generic name tokens before the ending (华山|中学,
        # 望|湖路|小学, 人大附中), stopping at a region, which _prefixed absorbs.
        # Only tokens ending in a suffix's last character can be one: look those up.
        for last in self._school_last.finditer(text):
            i = toks.ending_at(last.end())
            if i is None:
                continue
            s, e = toks[i]
            m = self._school_end.search(text, s, e)
            if not m:
                continue
            head = text[s:m.start()]
            if head:
                if len(head) >= 2 and head not in self._school_generic and HAN.match(head):
                    spans.append((s, e))
                continue
            start = s
            for j in range(i - 1, max(i - 1 - self._max_name_tokens, -1), -1):
                ps, pe = toks[j]
                name = text[ps:pe]
                if (pe != start or pe in region_end or name in self._school_generic
                        or not HAN_RUN.fullmatch(name) or (start == s and len(name) < 2)):
                    break
                start = ps
            weak = m.group() in self._weak_suffixes
            first = toks[toks.starting_at(start)] if start < s else None
            if start < s and (not weak or start in region_end
                              or first and self._place_end.search(text, first[0], first[1])):
                spans.append((start, e))
        return [self._prefixed("SCHOOL", text, s, e, region_end) for s, e in spans]

    def _groups(self, text: str, toks: "_Tokens", region_end: dict[int, Entity],
                school_end: dict[int, Entity]) -> list[Entity]:
        out: list[Entity] = []
        for m in self._group_end.finditer(text):
            s = m.start()
            if toks.starting_at(s) is None:
                continue
            if s in school_end:
                school = school_end[s]
                out.append(Entity(school.start, m.end(), "GROUP", text[school.start:m.end()], school.region))
            elif m.group() in self._group_needs_school:
                continue
            elif s in region_end:  # 上城|教育联盟
                r = region_end[s]
                out.append(Entity(r.start, m.end(), "GROUP", text[r.start:m.end()], r.region))
            else:
                i = toks.ending_at(s)
                if i is not None:
                    ps = toks[i][0]
                    if HAN.match(text[ps:s]) and text[ps:s] not in self._group_generic:
                        out.append(self._prefixed("GROUP", text, ps, m.end(), region_end))
        return out

    @staticmethod
    def _prefixed(label: str, text: str, s: int, e: int, region_end: dict[int, Entity]) -> Entity:
        """Extend a name over a region right before it: 沈阳市|第七中学."""
        r = region_end.get(s)
        if r and r.start < s:
            return Entity(r.start, e, label, text[r.start:e], r.region)
        return Entity(s, e, label, text[s:e])


class _Tokens:
    """Non-space token spans in text order, looked up by position with bisection
    (an article has thousands of tokens and only a few positions are asked about)."""

    def __init__(self, starts: list[int], ends: list[int]):
        self.starts, self.ends = starts, ends

    def __getitem__(self, i: int) -> tuple[int, int]:
        return self.starts[i], self.ends[i]

    def starting_at(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.starts, pos)
        return i if i < len(self.starts) and self.starts[i] == pos else None

    def ending_at(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.ends, pos)
        return i if i < len(self.ends) and self.ends[i] == pos else None

    def containing(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self[i] if i >= 0 and pos < self.ends[i] else None


def _ends(lengths) -> list[int]:
    """Running end offsets of consecutive pieces of these lengths."""
    out, pos = [], 0
    for n in lengths:
        pos += n
        out.append(pos)
    return out


def _longest_first(ents: list[Entity]) -> list[Entity]:
    """Non-overlapping entities, longer spans winning, sorted by position."""
    used = bytearray(max((x.end for x in ents), default=0))  # per-char occupancy: linear time
    taken: list[Entity] = []
    for ent in sorted(ents, key=lambda x: (x.start - x.end, x.start)):
        if not any(used[ent.start:ent.end]):
            used[ent.start:ent.end] = b"\1" * (ent.end - ent.start)
            taken.append(ent)
    return sorted(taken, key=lambda x: x.start)
