"""REGION names are found with one Aho-Corasick pass over the text, checked
against jieba's words. This must be exactly what spaCy's entity ruler finds with
the same names as ORTH phrase patterns over the same words (the way the
pipeline used to run, at twice the cost): same spans, same overlap resolution."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from conftest import DEV_ARTICLES, SEEDS_DIR
from extract.stages.normalize import normalize


@pytest.fixture(scope="module")
def ruler_nlp(extractor):
    er = extractor.recognizer
    nlp = spacy.blank("xx")

    def tokenize(text: str) -> Doc:
        words = er.words(text)   # the pipeline's words: jieba where an entity can be, else characters
        return Doc(nlp.vocab, words=words, spaces=[False] * len(words))

    nlp.tokenizer = tokenize
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": "REGION", "pattern": f} for f in er._forms])
    return nlp


def ruler_spans(nlp, text):
    return [(e.start_char, e.end_char) for e in nlp(text).ents]


def our_spans(er, text):
    starts, ends = er._token_spans(text)
    return er._name_matches(text, starts, ends)


def _texts():
    files = sorted(SEEDS_DIR.glob("*.txt"))
    if DEV_ARTICLES.is_dir():
        files += sorted(DEV_ARTICLES.glob("*.txt"))
    return files


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.stem)
def test_names_are_the_entity_rulers(extractor, ruler_nlp, path):
    text = normalize(path.read_text(encoding="utf-8", errors="replace")).text
    assert our_spans(extractor.recognizer, text) == ruler_spans(ruler_nlp, text)


PIECES = ["沈阳市", "和平区", "沈阳", "市和", "平区", "鞍山市铁西区", "铁西", "西城", "江西", "城市", "北京市",
          "克州/克孜勒苏州", "克州", "/", "巴州", "高新区", "重庆", "新疆生产建设兵团第十二师", "十二师",
          "小学", "学校", "集团", "12", "所", "，", "。", " ", "\n", "的", "省", "市", "区", "县"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20))
def test_property_names_are_the_entity_rulers(extractor, ruler_nlp, pieces):
    text = "".join(pieces)
    assert our_spans(extractor.recognizer, text) == ruler_spans(ruler_nlp, text)


def test_to_spacy_gives_the_entities_as_a_doc(extractor):
    text = "鞍山市铁西区新建沈阳市第七中学"
    doc = extractor.recognizer.to_spacy(text)
    assert doc.text == text
    assert [(e.text, e.label_) for e in doc.ents] == [("鞍山市铁西区", "REGION"), ("沈阳市第七中学", "SCHOOL")]
