"""The `extract` spaCy pipeline component: `nlp.add_pipe("extract")`.

Registered through the `spacy_factories` entry point (pyproject.toml), so any
spaCy pipeline finds it once the package is installed.  It runs the same
`Extractor.process` as `extract run` on `doc.text`, then puts the results on
the Doc (extract/stages/spacy_doc.py): regions, schools and groups as
`doc.ents`, claims as `doc.spans["claims"]`, every claims.parquet column as a
span extension.  The Doc's tokens are whatever its tokenizer made (spaCy's
zh pipeline: characters, or jieba's words); claims are found on the text and
mapped to those tokens, never found on them.

spaCy imports this module whenever it builds a pipeline (every entry point is
loaded then): the pipeline itself (jieba, the gazetteer, the rules) loads only
when the component is created.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extract.stages.spacy_doc import SPAN_FIELDS, Found, register_extensions, set_entities, span_of

log = logging.getLogger("extract")

# The entities the issue asks for; POLICY (《…》 document titles) on request.
DEFAULT_ENT_LABELS = ("REGION", "SCHOOL", "GROUP")


@Language.factory(
    "extract",
    default_config={"rules": [], "spans_key": "claims", "ent_labels": list(DEFAULT_ENT_LABELS),
                    "overwrite_ents": True},
    assigns=["doc.ents", "doc.spans"],
)
def make_extract(nlp: Language, name: str, rules: list[str], spans_key: str, ent_labels: list[str],
                 overwrite_ents: bool) -> "ExtractComponent":
    return ExtractComponent(name, rules=rules, spans_key=spans_key, ent_labels=ent_labels,
                            overwrite_ents=overwrite_ents)


class ExtractComponent:
    """Claims and entities of `extract run`, on a spaCy Doc.

    rules: rules folders added to the shipped rules, as `extract run --rules` (a path
        relative to the working folder when the component is created).
    spans_key: the doc.spans key of the claims.
    ent_labels: entity labels put in doc.ents (REGION, SCHOOL, GROUP, POLICY).
    overwrite_ents: where an entity overlaps one already in doc.ents, ours wins
        (else the existing one stays); entities we do not overlap always stay.
    """

    def __init__(self, name: str = "extract", rules: list[str] | tuple = (), spans_key: str = "claims",
                 ent_labels: list[str] | tuple = DEFAULT_ENT_LABELS, overwrite_ents: bool = True):
        from extract.pipeline import Extractor   # jieba, the gazetteer: only when a component is made

        unknown = set(ent_labels) - {"REGION", "SCHOOL", "GROUP", "POLICY"}
        if unknown:
            raise ValueError(f"extract: unknown entity labels {sorted(unknown)}; "
                             f"the labels are REGION, SCHOOL, GROUP, POLICY")
        self.name = name
        self.spans_key = spans_key
        self.ent_labels = frozenset(ent_labels)
        self.overwrite_ents = overwrite_ents
        self.extractor = Extractor(user_rules=[Path(p) for p in rules])
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        result = self.extractor.process(self._raw(doc))
        for error in result.errors:   # a claim the schema rejects: an errors row in a run
            log.warning("%s", error.reason)
        article = doc._.article   # None when not given, as it is in the Doc
        set_entities(doc, [
            Found(e.start, e.end, e.label, {**e.model_dump(exclude={"label"}), "article": article},
                  span_id=e.region or "", kb_id=e.region_code or "")
            for e in result.entities if e.label in self.ent_labels], overwrite=self.overwrite_ents)
        spans = []
        for c in result.claims:
            span = span_of(doc, Found(c.start, c.end, c.category, {**c.model_dump(), "article": article},
                                      span_id=f"{c.start}:{c.end}"))
            if span is None:   # no token holds the figure: cannot happen with text-covering tokens
                log.warning("extract: claim %r at %d:%d has no token in the Doc", c.text, c.start, c.end)
            else:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc

    @staticmethod
    def _raw(doc: Doc):
        """The Doc as the article a run would read: its text, and what doc._ says of it."""
        from extract.inputs.dates import parse_date
        from extract.inputs.load import RawArticle

        published = doc._.published
        try:
            published = parse_date(published)
        except ValueError as exc:
            raise ValueError(f"extract: doc._.published {published!r} is not a date: {exc}") from exc
        data = doc.text.encode("utf-8")
        return RawArticle(doc._.article or "", doc.text, hashlib.sha256(data).hexdigest(), "utf-8", len(data),
                          url=doc._.url, title_given=doc._.title, published_given=published)


def claim_rows(doc: Doc, spans_key: str = "claims") -> list[dict]:
    """The Doc's claims as claims.parquet rows (one dict per claim, the same columns):
    `pandas.DataFrame(claim_rows(doc))`."""
    return [{name: span._.get(name) for name in SPAN_FIELDS} for span in doc.spans.get(spans_key, [])]
