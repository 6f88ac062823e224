"""The stages' spans on a spaCy Doc: entities as `doc.ents`, figures as a span
group, and their fields (exact character offsets included) as span extensions.

Shared by `EntityRecognizer.to_spacy` (a Doc of the recognizer's words, for
notebooks) and the `extract` pipeline component (extract/spacy_component.py,
a Doc of any pipeline's tokens).  Spans are mapped to the Doc's tokens with
`alignment_mode="expand"`, so a figure inside a longer token (jieba's 35个)
gets that token; `span._.start`/`span._.end` keep the exact offsets.

Field values live in `doc.user_data` under (label, start_char, end_char, id)
of the span, not spaCy's default key (start_char, end_char): two figures
expanded to one token span, or an entity and a figure over the same
characters, would otherwise share their values.  Each claim's span id is its
exact offsets, so no two claims of one Doc share a key.
spaCy is imported only by the caller's choice of this module: the batch does not need it.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extract.models import Claim

# Every claims.parquet column is a span extension of the same name; entities use
# the ones they have (start, end, text, region, region_code, article).
SPAN_FIELDS: tuple[str, ...] = tuple(Claim.model_fields)
# What a caller may say about a Doc before the component reads it, as a run
# takes it from a table row or a page's metadata (None: not given).
DOC_FIELDS: tuple[str, ...] = ("article", "published", "title", "url")

_USER_DATA = "extract"   # first item of the user_data keys of span fields


class Found(NamedTuple):
    """A span to place on a Doc: exact character offsets, label, id and fields."""
    start: int
    end: int
    label: str
    fields: dict
    span_id: str = ""
    kb_id: str = ""


def _key(span: Span) -> tuple:
    return (_USER_DATA, span.label, span.start_char, span.end_char, span.id)


def _getter(name: str):
    def get(span: Span):
        return span.doc.user_data.get(_key(span), {}).get(name)
    get.extract_field = name   # marks the extension as ours (see register_extensions)
    return get


def _setter(name: str):
    def set_(span: Span, value) -> None:
        span.doc.user_data.setdefault(_key(span), {})[name] = value
    set_.extract_field = name
    return set_


def register_extensions() -> None:
    """Span extensions for SPAN_FIELDS and Doc extensions for DOC_FIELDS, once
    per process (idempotent).  A name another package registered differently
    is an error naming it, rather than values silently read from the wrong place."""
    for name in SPAN_FIELDS:
        if Span.has_extension(name):
            getter = Span.get_extension(name)[2]
            if getattr(getter, "extract_field", None) == name:
                continue
            raise ValueError(f"Span._.{name} is already registered by another package ({Span.get_extension(name)}); "
                             f"extract needs it for its claims' field {name!r}")
        Span.set_extension(name, getter=_getter(name), setter=_setter(name))
    for name in DOC_FIELDS:
        if Doc.has_extension(name):
            default, method, getter, setter = Doc.get_extension(name)
            if default is None and method is None and getter is None and setter is None:
                continue   # a plain attribute, as ours would be: the same meaning
            raise ValueError(f"Doc._.{name} is already registered by another package with a getter or method; "
                             f"extract reads it as the article's {name}")
        Doc.set_extension(name, default=None)


def span_of(doc: Doc, found: Found) -> Span | None:
    """The smallest token span holding the found characters, with its fields set;
    None when no token does (characters only of whitespace)."""
    span = doc.char_span(found.start, found.end, label=found.label, alignment_mode="expand",
                         span_id=found.span_id or 0, kb_id=found.kb_id or 0)
    if span is not None:
        for name, value in found.fields.items():
            span._.set(name, value)
    return span


def set_entities(doc: Doc, found: Iterable[Found], overwrite: bool = True) -> None:
    """Add entities to doc.ents without touching those they do not overlap. Where one
    overlaps an entity already there, the new one wins when `overwrite` (an entity ruler's
    overwrite_ents), else the old one stays. Among the new ones the longer wins."""
    candidates = [(doc.char_span(f.start, f.end, label=f.label, alignment_mode="expand",
                                 span_id=f.span_id or 0, kb_id=f.kb_id or 0), f) for f in found]
    fields = {(s.start, s.end, s.label): f.fields for s, f in candidates if s is not None}
    new = filter_spans([s for s, _ in candidates if s is not None])
    old = list(doc.ents)
    if overwrite:
        taken = _tokens_of(new)
        old = [e for e in old if not taken.intersection(range(e.start, e.end))]
    else:
        taken = _tokens_of(old)
        new = [s for s in new if not taken.intersection(range(s.start, s.end))]
    doc.ents = sorted(old + new, key=lambda s: s.start)
    for ent in doc.ents:
        for name, value in fields.get((ent.start, ent.end, ent.label), {}).items():
            ent._.set(name, value)


def _tokens_of(spans: list[Span]) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}
