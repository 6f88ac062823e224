"""Split a normalized article into header, paragraphs, sections and sentences.

Input is the normalized text (half-width ASCII punctuation and digits, simplified script);
every offset returned is a character offset into that same string. Marker words and
heading patterns are language data and live in rules/segment.yaml.

Everything runs in one pass over lines plus one regex scan per paragraph, so the cost is
linear in the text length.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import regex

from extract.paths import RULES_DIR
from extract.stages.rules import load_yaml

RULES_PATH = RULES_DIR / "segment.yaml"


@dataclass(frozen=True)
class Header:
    title: str | None
    published: str | None  # ISO date, with "T hh:mm:ss" when the page gives a time
    source: str | None
    end: int  # offset where the body starts
    title_start: int | None = None  # offset of the title line (breadcrumbs may repeat its text)


@dataclass(frozen=True)
class Section:
    start: int
    end: int
    heading: str | None
    level: int  # depth in the section tree: 0 = whole body
    parent: int | None


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive, includes the final punctuation
    paragraph: int
    section: int  # innermost section
    furniture: bool


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    furniture: bool


@dataclass(frozen=True)
class Segmented:
    header: Header
    sections: list[Section]
    paragraphs: list[Paragraph]
    sentences: list[Sentence]

    def section_path(self, sentence_index: int) -> list[Section]:
        """Sections enclosing a sentence, outermost (the body) first."""
        path = []
        k: int | None = self.sentences[sentence_index].section
        while k is not None:
            path.append(self.sections[k])
            k = self.sections[k].parent
        return path[::-1]


# --------------------------------------------------------------------------- rules

def _alt(patterns: list[str]) -> regex.Pattern[str]:
    # `regex`, not `re`: it scans these alternations of literals several times faster
    return regex.compile("|".join(f"(?:{p})" for p in patterns))


_RULES = load_yaml(RULES_PATH.read_text(encoding="utf-8"))
_H, _F, _S = _RULES["header"], _RULES["furniture"], _RULES["sections"]

_DATE = re.compile(_H["date"])
_META_KEY_COLON = re.compile(rf"(?:{_H['meta_keywords']})\s*[:\]】]")
_META_COLON = re.compile(rf"(?:{_H['meta_colon_keys']})\s*:")
_SOURCE = re.compile(
    rf"(?:{_H['source_keys']})\s*[\]】]?\s*[:|]\s*"
    rf"(?P<src>[^\s|\]】]+?)(?=$|[\s|\]】]|{_H['source_stop']})"
)
# What may surround a date on a bare date line ("2023-10-23 11:46:00", "[2015/12/16]").
_BARE_REST = re.compile(r"[\s\[\]【】()::|,.\-]+")
_SOURCE_ONLY = re.compile(r"[\w·]{2,12}")
_NOT_TITLE = re.compile(_H["not_title"])
_TITLE_FIRST_END = re.compile(_H["title_first_line_end"])

_FURN_ANY = _alt(_F["anywhere"])
_FURN_SHORT = _alt(_F["short"])
_LINK_LIST = re.compile(_F["link_list"])
_EDITOR_LINE = re.compile(_F["editor_line"])
_MASTHEAD = regex.compile(_F["masthead"])
_NAVIGATION = regex.compile(_F["navigation"])


def is_masthead(line: str) -> bool:
    """A line that is only a media or site name: who publishes, not what it is about."""
    return bool(_MASTHEAD.match(line.strip()))


def is_navigation(line: str) -> bool:
    """A menu line: several short items and nothing else."""
    return bool(_NAVIGATION.match(line.strip()))
_BLOCK_HEAD = _alt(_F["block_heads"])
_PROSE_BLOCK = re.compile(_F["prose_blocks"])

_MARKERS = [
    (m["kind"], m["rank"], m["strong"], re.compile(m["pattern"])) for m in _S["markers"]
]

_TERMINAL = "。!?"
# A line ending in one of these continues or introduces text, so it is no heading.
_NOT_HEADING_END = "。!?;:,、"
# Scan events for the sentence splitter: terminators and paired quotes/titles.
_EVENTS = re.compile(r'[。!?“”《》「」『』"]')
# Closers and repeated terminators that stay with the sentence they end ("。”", "?!", "。)").
_TAIL = re.compile(r'[。!?…]*[”’」』)》"]*')
_CLAUSE_END = re.compile(r"[,:;。]")
_OPEN = {"“": 0, "《": 1, "「": 2, "『": 2}
_CLOSE = {"”": 0, "》": 1, "」": 2, "』": 2}
_ASCII_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=&_/")


# --------------------------------------------------------------------------- lines

def trim_span(text: str, s: int, e: int) -> tuple[int, int]:
    """text[s:e] without the whitespace around it, as offsets."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, newline) per line, start/end trimmed of surrounding whitespace."""
    out = []
    pos, n = 0, len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        s, e = trim_span(text, pos, nl)
        out.append((s, e, nl))
        pos = nl + 1
    return out


# --------------------------------------------------------------------------- header

def _iso(m: re.Match[str]) -> str | None:
    y, mo, d, hh, mm, ss = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    iso = f"{y}-{int(mo):02d}-{int(d):02d}"
    if hh is not None and int(hh) < 24:
        iso += f"T{int(hh):02d}:{mm}:{ss or '00'}"
    return iso


def _is_meta(line: str) -> bool:
    """A publication line: short, and a date with a "key:" or a bare date, or a "来源:" line.

    Requiring the "key:" form (not just the word) keeps titles like "教育部发布…2020年…"
    and body sentences that mention a date out of the header.
    """
    if len(line) > 120:
        return False
    if _DATE.search(line):
        rest = _BARE_REST.sub("", _DATE.sub("", line))
        # a bare date, or a source's name and a date split by | (河南华图 | 2020-05-12 09:18)
        return (bool(_META_KEY_COLON.search(line)) or not rest
                or ("|" in line and len(rest) <= 10 and not regex.search(r"\d", rest))
                # a blog's byline: author, age, date, channel, views (中科高盛3年前 (2022-11-10)火币交易平台144)
                # — not an update time (更新:) nor a forum post's (发表于): no publication dates
                or (len(line) <= 50 and not regex.search(r"[,。;!?、]|\p{Han}{9,}|更新|发表于|修改", line)))
    m = _META_COLON.search(line) if len(line) <= 60 else None
    # a sentence before the key (…覆盖学校120所。来源:某市教育局) is body with a source note
    return m is not None and not regex.search(r"[。!?]", line[:m.start()])


def _is_furniture_line(line: str) -> bool:
    """A whole line of page furniture. Long lines are furniture only as link
    lists; their `anywhere` matches drop single sentences (see segment())."""
    if len(line) > _F["short_max"]:
        return bool(_LINK_LIST.match(line))
    return bool(_FURN_ANY.search(line) or _FURN_SHORT.search(line) or _LINK_LIST.match(line))


def _is_furniture_only(line: str) -> bool:
    """A furniture line with no content sentence in it: a short article's only body
    line that ends in 版权所有 or 联系邮箱:… is body, whose figures stay claims."""
    return _is_furniture_line(line) and all(
        furniture_reason(line[s:e], len(line)) for s, e in _split_sentences(line, 0, len(line)))


def furniture_reason(sentence: str, paragraph_len: int | None = None) -> str | None:
    """Why a sentence is page furniture (for `extract explain` too), or None.

    `anywhere` words (版权所有, an e-mail address) and link lists count at any length;
    the `short` words, mastheads and menus only in a short paragraph, since their
    words also occur in real body sentences (打印机, 热线, APP)."""
    short = (paragraph_len if paragraph_len is not None else len(sentence)) <= _F["short_max"]
    checks = [("link list", _LINK_LIST.match), ("furniture words", _FURN_ANY.search)]
    if short:
        checks += [("furniture words", _FURN_SHORT.search), ("masthead", _MASTHEAD.match),
                   ("menu", _NAVIGATION.match), ("block heading", _BLOCK_HEAD.search)]
    for name, find in checks:
        m = find(sentence.strip())
        if m:
            return f"{name} {m.group()[:20]!r}"
    return None


def _looks_like_title(line: str) -> bool:
    # Unlike headings, titles may end with ? or ! ("为什么…?").
    return (
        len(line) <= _H["max_title_len"]
        and line[-1] not in "。;:,、"
        and not _NOT_TITLE.search(line)
        and not _is_furniture_line(line)
        and not is_masthead(line)
        and not is_navigation(line)
        and not any(rx.match(line) for _, _, _, rx in _MARKERS)
    )


def _parse_header(text: str, lines: list[tuple[int, int, int]]) -> tuple[Header, int]:
    """Header and the index of the first body line.

    Only the top lines before the first body-like line (long, or ending with 。) are
    considered, so an excerpt starting with body text gets an empty header.
    """
    zone: list[int] = []
    for i, (s, e, _) in enumerate(lines):
        if s == e:
            continue
        if e - s > _H["body_min_len"] or text[e - 1] == "。" or len(zone) >= _H["max_lines"]:
            break
        zone.append(i)

    def line(i: int) -> str:
        return text[lines[i][0]:lines[i][1]]

    meta_at = next((k for k, i in enumerate(zone) if _is_meta(line(i))), None)
    if meta_at is None:
        return _title_only_header(text, lines, zone)

    # The title is the nearest title-like line above the publication line; site names
    # and navigation above it stay in the header.
    title_at = next((i for i in reversed(zone[:meta_at]) if _looks_like_title(line(i))), None)
    title = line(title_at) if title_at is not None else None
    if title_at is not None and title_at > 0 and _title_continues(line(title_at - 1), title):
        # a title broken over two lines (2014年新疆维吾尔自治区 / 教育事业发展统计公报):
        # both lines, as written, so that its span still points into the text
        title_at -= 1
        title = text[lines[title_at][0]:lines[title_at + 1][1]]
    published = source = None
    last = zone[meta_at]
    for k in range(meta_at, len(zone)):
        ln = line(zone[k])
        if k > meta_at and not (_is_meta(ln) or _is_furniture_only(ln)):
            # Some portals print the publisher alone under a bare date line.
            if source is None and published and _SOURCE_ONLY.fullmatch(ln) and _is_meta(line(last)):
                source, last = ln, zone[k]
            break
        last = zone[k]
        if published is None and (m := _DATE.search(ln)):
            published = _iso(m)
        if source is None and (m := _SOURCE.search(ln)):
            source = m.group("src")
    end = min(lines[last][2] + 1, len(text))
    title_start = lines[title_at][0] if title_at is not None else None
    return Header(title, published, source, end, title_start), last + 1


def _title_continues(first: str, second: str) -> bool:
    """Whether `first`, the line right above the title line (no blank line between),
    is the title's first half: short, title-like, one phrase (no spaced menu items or
    lists), ending where a title cannot end, and the two no longer than a title."""
    return (0 < len(first) <= _H["title_first_line_max"] and _looks_like_title(first)
            and " " not in first.strip() and "、" not in first and bool(_TITLE_FIRST_END.search(first))
            and len(first) + len(second) <= _H["max_title_len"])


def _title_only_header(text, lines, zone) -> tuple[Header, int]:
    """Without a publication line, take a title only when it is clearly one: the first
    line that is no furniture, short and set off by a blank line. Otherwise the text is an
    excerpt and its first line stays body (losing a title costs less than losing body).
    Site furniture above the title (mastheads, menus, spam link lists) is passed over."""
    for i in zone:
        s, e, nl = lines[i]
        ln = text[s:e]
        if _is_furniture_line(ln) or is_masthead(ln) or is_navigation(ln) or len(ln) < 6:
            continue
        blank_after = i + 1 < len(lines) and lines[i + 1][0] == lines[i + 1][1]
        if _looks_like_title(ln) and blank_after:
            return Header(ln, None, None, min(nl + 1, len(text)), s), i + 1
        break
    return Header(None, None, None, 0), 0


# --------------------------------------------------------------------------- sentences

def _split_sentences(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split text[s:e] after 。!? — not inside “…”, 《…》, 「…」 or "…".

    ";" does not end a sentence: statistical bulletins chain "A 15340所,…;B 584087人,…"
    and keeping the clauses together keeps each number next to its subject and period.
    "." never ends a sentence, so decimals like 43.6 are safe. A pair whose counts do not
    balance in the paragraph is ignored (Chinese multi-paragraph quotes never close).
    """
    seg = text[s:e]
    balanced = (
        seg.count("“") == seg.count("”"),
        seg.count("《") == seg.count("》"),
        seg.count("「") + seg.count("『") == seg.count("」") + seg.count("』"),
    )
    track_ascii = seg.count('"') % 2 == 0
    depth = [0, 0, 0]
    ascii_open = False
    out = []
    start = s
    for m in _EVENTS.finditer(text, s, e):
        i = m.start()
        if i < start:  # already swallowed by a tail
            continue
        c = text[i]
        if c in _OPEN:
            if balanced[_OPEN[c]]:
                depth[_OPEN[c]] += 1
            continue
        if c in _CLOSE or c == '"':
            if c == '"':
                if not track_ascii:
                    continue
                ascii_open = not ascii_open
                if ascii_open:
                    continue
            else:
                k = _CLOSE[c]
                if not balanced[k] or depth[k] == 0:
                    continue
                depth[k] -= 1
            # 他说:“……。”  — the sentence ends after the closing quote.
            if any(depth) or ascii_open or i == s or text[i - 1] not in _TERMINAL:
                continue
        elif any(depth) or ascii_open:
            continue
        elif c in "!?" and i + 1 < e and text[i + 1] in _ASCII_WORD:
            continue  # URL query or ASCII text, not a sentence end
        end = _TAIL.match(text, i + 1, e).end()
        out.append((start, end))
        start = end
        while start < e and text[start].isspace():
            start += 1
    if start < e:
        out.append((start, e))
    return out


# --------------------------------------------------------------------------- body

def _furniture_flags(text: str, paras: list[tuple[int, int]], blank_before: list[bool],
                     title: str | None, splits: list[list[tuple[int, int]]]) -> list[bool]:
    """Whole paragraphs of furniture: link and legal blocks, a repeated title, and
    lines all of whose sentences are furniture (a paragraph with one furniture
    sentence among figures keeps the figures; see segment())."""
    flags = []
    block = None  # None, "to_blank" or "to_end"
    prose_ok = False  # the open block is related reading, whose prose excerpts are content
    for (s, e), blank, sents in zip(paras, blank_before, splits):
        if block == "to_blank" and blank:
            block = None
        t = text[s:e]
        excerpt = prose_ok and len(t) >= _F["prose_min"] and "。" in t
        furn = ((block is not None and not excerpt) or t == title or bool(_LINK_LIST.match(t))
                or all(furniture_reason(text[ss:se], e - s) for ss, se in sents))
        head = _BLOCK_HEAD.search(t) if len(t) <= _F["short_max"] else None
        if head:
            furn = True
            if block != "to_end":
                bare = len(t) - len(head.group()) <= _F["block_head_rest"]
                block = "to_end" if bare else "to_blank"
                prose_ok = bool(_PROSE_BLOCK.search(head.group()))
        flags.append(furn)
    # a news page ends with its editor's line (责任编辑:刘维斯): what follows is the
    # portal's footer (频道推荐, other stories' headlines)
    last_editor = max((i for i, (s, e) in enumerate(paras) if _EDITOR_LINE.match(text, s, e)), default=None)
    if last_editor is not None:
        for i in range(last_editor, len(flags)):
            flags[i] = True
    return flags


def _cn_value(marker: str) -> int:
    digits = "一二三四五六七八九"
    s = marker.rstrip("、")
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)
    return digits.index(s) + 1


def _heading_text(text: str, s: int, e: int, cut: bool) -> str:
    """The line itself when short, else its first sentence (for a marker-led line,
    cut at the first clause when that sentence is long)."""
    if e - s <= _S["heading_max_len"] and text[e - 1] not in _NOT_HEADING_END:
        return text[s:e]
    fs, fe = _split_sentences(text, s, e)[0]
    h = text[fs:fe]
    if cut and len(h) > _S["marked_heading_max_len"]:
        m = _CLAUSE_END.search(h)
        h = h[: m.start()] if m else h[: _S["marked_heading_max_len"]]
    return h


def _is_heading_like(text: str, s: int, e: int, max_len: int) -> bool:
    return e - s <= max_len and text[e - 1] not in _NOT_HEADING_END


def _find_headings(text: str, paras: list[tuple[int, int]], furn: list[bool]) -> list[tuple[int, int, str]]:
    """(paragraph index, rank, heading text), in text order."""
    live = [i for i, f in enumerate(furn) if not f]
    marked: dict[int, tuple[str, int, int]] = {}  # para -> (kind, rank, cn value)
    heads: dict[int, tuple[int, str]] = {}
    for i in live:
        s, e = paras[i]
        for kind, rank, strong, rx in _MARKERS:
            m = rx.match(text, s, e)
            if not m:
                continue
            h = _heading_text(text, s, e, cut=True)
            if strong or len(h) <= _S["marked_heading_max_len"]:
                marked[i] = (kind, rank, _cn_value(m.group()) if kind == "cn" else 0)
                heads[i] = (rank, h)
            break

    has_cn = any(k == "cn" for k, _, _ in marked.values())
    if not has_cn:
        _add_unmarked_headings(text, paras, live, marked, heads)
    else:
        _add_cases(text, paras, live, marked, heads)
    return [(i, r, h) for i, (r, h) in sorted(heads.items())]


def _add_unmarked_headings(text, paras, live, marked, heads) -> None:
    """Short unnumbered lines as level-1 headings ("加强政策引导", "天津市:…"), used only
    when the article has no 一、 numbering. A line counts when it is followed by body
    text and does not continue a broken line; lines that repeat (image captions) do not."""
    seen = Counter(text[slice(*paras[i])] for i in live)
    hmax = _S["heading_max_len"]
    for k, i in enumerate(live):
        s, e = paras[i]
        if i in marked or not _is_heading_like(text, s, e, hmax) or seen[text[s:e]] > 1:
            continue
        if k + 1 >= len(live):
            continue
        ns, ne = paras[live[k + 1]]
        if ne - ns <= hmax and text[ne - 1] not in _TERMINAL:
            continue  # next line is short too: a list or verse, not a heading + body
        if k > 0:
            ps, pe = paras[live[k - 1]]
            if pe - ps > hmax and text[pe - 1] not in _TERMINAL + "”\")」…":
                continue  # previous line broke mid-sentence: this is its continuation
        heads[i] = (_S["case_rank"] + 1, text[s:e])


def _add_cases(text, paras, live, marked, heads) -> None:
    """Compilation articles (several regional cases, each numbered 一、二、… anew): every
    restart of the 一、 numbering opens a case section that nests the numbered ones.

    The case begins at its title line when one precedes the restart (the last run of
    heading-like lines), else at the single paragraph just before the first 一、 — cases
    are introduced by one paragraph naming the region, which becomes the heading so a
    later stage can resolve 我市/全区 from it."""
    groups = []  # paragraph index of each group's 一、
    last_cn = 0
    for i in sorted(marked):
        kind, _, value = marked[i]
        if kind == "part":
            last_cn = 0
        elif kind == "cn":
            if value == 1 and last_cn >= 2 or not groups:
                groups.append(i)
            last_cn = value
    if len(groups) < 2:
        return
    live_pos = {i: k for k, i in enumerate(live)}
    for g in groups:
        k = live_pos[g]
        while k > 0 and live[k - 1] not in marked:  # back to the previous heading
            k -= 1
        cand = live[k : live_pos[g]]
        if not cand:
            continue
        like = [_is_heading_like(text, *paras[i], _S["marked_heading_max_len"]) for i in cand]
        if any(like):
            k = max(j for j, ok in enumerate(like) if ok)
            while k > 0 and like[k - 1]:
                k -= 1
            start = cand[k]
            heading = text[slice(*paras[start])]
        else:
            start = cand[-1]
            heading = _heading_text(text, *paras[start], cut=False)
        heads[start] = (_S["case_rank"], heading)


def segment(text: str) -> Segmented:
    lines = _lines(text)
    header, first_body = _parse_header(text, lines)

    paras: list[tuple[int, int]] = []
    blank_before: list[bool] = []
    blank = False
    for s, e, _ in lines[first_body:]:
        if s == e:
            blank = True
            continue
        paras.append((s, e))
        blank_before.append(blank)
        blank = False

    splits = [_split_sentences(text, s, e) for s, e in paras]
    furn = _furniture_flags(text, paras, blank_before, header.title, splits)
    heads = _find_headings(text, paras, furn)

    # Nest headings by rank: a heading closes open sections of the same or a higher rank.
    secs: list[list] = [[header.end, len(text), None, 0, None]]
    stack = [(-1, 0)]  # (rank, section index)
    para_sec = []
    hi = 0
    for pi, (s, _) in enumerate(paras):
        if hi < len(heads) and heads[hi][0] == pi:
            _, rank, heading = heads[hi]
            hi += 1
            while stack[-1][0] >= rank:
                secs[stack.pop()[1]][1] = s
            secs.append([s, len(text), heading, len(stack), stack[-1][1]])
            stack.append((rank, len(secs) - 1))
        para_sec.append(stack[-1][1])

    # Furniture (a copyright line, a contact e-mail) drops only the sentences it
    # is in, never the figures of the sentences around it.
    sentences = [
        Sentence(ss, se, pi, para_sec[pi], furn[pi] or bool(furniture_reason(text[ss:se], pe - ps)))
        for pi, ((ps, pe), sents) in enumerate(zip(paras, splits))
        for ss, se in sents
    ]
    return Segmented(
        header=header,
        sections=[Section(*x) for x in secs],
        paragraphs=[Paragraph(s, e, f) for (s, e), f in zip(paras, furn)],
        sentences=sentences,
    )
