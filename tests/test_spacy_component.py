"""`nlp.add_pipe("extract")`: the claims and entities of `extract run`, on a spaCy Doc.

The component runs the run's own pipeline on doc.text, so on every seed its
doc.spans["claims"] must equal claims.parquet field by field, and its REGION,
SCHOOL and GROUP ents entities.parquet, whichever segmenter made the tokens."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from conftest import SEEDS_DIR
from extract.inputs import read_file_article
from extract.spacy_component import ExtractComponent, claim_rows
from extract.stages.spacy_doc import SPAN_FIELDS, Found, register_extensions, span_of

ENT_LABELS = {"REGION", "SCHOOL", "GROUP"}


@pytest.fixture(scope="module")
def zh_char():
    nlp = spacy.blank("zh")   # spaCy's default Chinese segmenter: one token per character
    assert nlp.tokenizer.segmenter == "char"
    nlp.add_pipe("extract")
    return nlp


@pytest.fixture(scope="module")
def zh_jieba():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("extract")
    return nlp


def _seed_doc(nlp, path: Path) -> Doc:
    """A seed as `extract run` reads it, with its article key, through the pipeline."""
    raw = read_file_article(path, path.name)
    doc = nlp.make_doc(raw.text)
    doc._.article = path.name
    return nlp(doc)


def _rows(table: Path, article: str) -> list[dict]:
    return [r for r in pq.read_table(table).to_pylist() if r["article"] == article]


def _fields(span: Span, names) -> dict:
    return {name: span._.get(name) for name in names}


SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


@pytest.mark.parametrize("segmenter", ["char", "jieba"])
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_claims_equal_claims_parquet_field_by_field(request, seeds_out, path, segmenter):
    nlp = request.getfixturevalue(f"zh_{segmenter}")
    doc = _seed_doc(nlp, path)
    expected = _rows(seeds_out / "claims.parquet", path.name)
    assert expected, f"no claims for {path.name} in the run"
    columns = list(expected[0])
    assert set(columns) <= set(SPAN_FIELDS), "every claims.parquet column is a span extension"
    got = [_fields(s, columns) for s in doc.spans["claims"]]
    assert [{c: row[c] for c in columns} for row in claim_rows(doc)] == got
    assert len(got) == len(expected)
    for k, (g, e) in enumerate(zip(got, expected)):
        assert g == e, f"claim {k} of {path.name}: " + ", ".join(
            f"{c}: {g[c]!r} != {e[c]!r}" for c in columns if g[c] != e[c])
    for span in doc.spans["claims"]:
        # the token span covers the exact characters; the exact ones are in the extensions
        assert span.start_char <= span._.start < span._.end <= span.end_char
        assert doc.text[span._.start:span._.end] == span._.text
        assert span.label_ == span._.category
        if segmenter == "char":
            assert (span.start_char, span.end_char) == (span._.start, span._.end)
        else:   # the smallest token span: its first and last tokens hold claim characters
            assert span[0].idx + len(span[0]) > span._.start and span[-1].idx < span._.end


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_ents_are_the_runs_regions_schools_and_groups(zh_char, seeds_out, path):
    doc = _seed_doc(zh_char, path)
    expected = [r for r in _rows(seeds_out / "entities.parquet", path.name) if r["label"] in ENT_LABELS]
    got = [{"article": e._.article, "start": e._.start, "end": e._.end, "text": e.text, "label": e.label_,
            "region": e._.region, "region_code": e._.region_code} for e in doc.ents]
    assert got == expected
    for e in doc.ents:
        assert (e.start_char, e.end_char) == (e._.start, e._.end)
        assert e.kb_id_ == (e._.region_code or "")   # the official code is the knowledge-base id


def test_registered_through_the_entry_point():
    """A fresh process that never imports extract finds the factory by its name."""
    code = ("import spacy; nlp = spacy.blank('zh'); nlp.add_pipe('extract'); "
            "doc = nlp('目前已建立35个义务教育学校集团'); "
            "print([(s.text, s._.value, s._.unit, s._.category) for s in doc.spans['claims']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "('35个', 35.0, '个', 'education_groups')" in out.stdout


def test_publication_date_and_key_given_on_the_doc(zh_char):
    text = "目前已建立35个义务教育学校集团。"
    undated = zh_char(text)
    assert undated.spans["claims"][0]._.year is None   # undated, as a .txt without a date
    doc = zh_char.make_doc(text)
    doc._.published = "2022-04-13 17:35"   # as a table's date column: any form parse_date reads
    doc._.article = "a1"
    doc = zh_char(doc)
    claim = doc.spans["claims"][0]
    assert (claim._.year, claim._.article) == (2022, "a1")
    bad = zh_char.make_doc(text)
    bad._.published = "last spring"
    with pytest.raises(ValueError, match="last spring"):
        zh_char(bad)


def test_existing_ents_it_does_not_overlap_stay(zh_char):
    text = "据新华社报道,鞍山市铁西区新建3所学校。"
    doc = zh_char.make_doc(text)
    doc.ents = [doc.char_span(1, 4, label="ORG"), doc.char_span(7, 10, label="GPE")]   # 新华社, 鞍山市
    doc = zh_char(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("新华社", "ORG"), ("鞍山市铁西区", "REGION")]
    assert doc.ents[1]._.region == "辽宁省鞍山市铁西区"

    keep = spacy.blank("zh")
    keep.add_pipe("extract", config={"overwrite_ents": False})
    doc = keep.make_doc(text)
    doc.ents = [doc.char_span(7, 10, label="GPE")]
    doc = keep(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("鞍山市", "GPE")]


def test_config_rules_folder_and_labels(tmp_path):
    folder = tmp_path / "my_rules"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "rules:\n  - id: user.sheng\n    description: Students counted in 生.\n"
        "    pattern: '(?P<num>\\d+)(?P<unit>生)'\n", encoding="utf-8")
    text = "2021年北京市第四中学招收120生。"
    plain = spacy.blank("zh")
    plain.add_pipe("extract")
    assert [s._.rule_id for s in plain(text).spans["claims"]] == []
    nlp = spacy.blank("zh")
    nlp.add_pipe("extract", config={"rules": [str(folder)], "spans_key": "figures", "ent_labels": ["SCHOOL"]})
    doc = nlp(text)
    assert [(s.text, s._.rule_id, s._.value) for s in doc.spans["figures"]] == [("120生", "user.sheng", 120.0)]
    assert "claims" not in doc.spans
    assert [e.label_ for e in doc.ents] == ["SCHOOL"]
    with pytest.raises(ValueError, match="PLACE"):
        spacy.blank("zh").add_pipe("extract", config={"ent_labels": ["PLACE"]})


def test_saved_pipeline_and_docbin_keep_everything(zh_char, tmp_path):
    zh_char.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    text = SEEDS[0].read_text(encoding="utf-8")
    doc = loaded(text)
    before = zh_char(text)
    assert [_fields(s, SPAN_FIELDS) for s in doc.spans["claims"]] == \
           [_fields(s, SPAN_FIELDS) for s in before.spans["claims"]]
    back = list(DocBin(docs=[doc], store_user_data=True).get_docs(loaded.vocab))[0]
    assert [_fields(s, SPAN_FIELDS) for s in back.spans["claims"]] == [_fields(s, SPAN_FIELDS) for s in doc.spans["claims"]]
    assert [(e.text, e._.region) for e in back.ents] == [(e.text, e._.region) for e in doc.ents]


def test_two_claims_in_one_token_keep_their_own_fields(zh_char):
    """A tokenizer that puts two figures in one token: both claims get that token, each its own values."""
    component: ExtractComponent = zh_char.get_pipe("extract")
    doc = Doc(zh_char.vocab, words=["2021年", "新建3所小学和5所", "幼儿园", "。"], spaces=[False] * 4)
    doc = component(doc)
    claims = doc.spans["claims"]
    assert [(s.text, s._.text, s._.value) for s in claims] == [("新建3所小学和5所", "3所", 3.0),
                                                            ("新建3所小学和5所", "5所", 5.0)]


def test_extensions_are_registered_once_and_clashes_are_named():
    register_extensions()
    register_extensions()   # idempotent
    assert all(Span.has_extension(name) for name in SPAN_FIELDS)
    Span.remove_extension("unit")
    Span.set_extension("unit", getter=lambda span: "someone else's")
    try:
        with pytest.raises(ValueError, match="unit"):
            register_extensions()
    finally:
        Span.remove_extension("unit")
        register_extensions()
    assert Span.get_extension("unit")[2].extract_field == "unit"


def test_to_spacy_shares_the_entity_code(extractor):
    """EntityRecognizer.to_spacy (a Doc of the recognizer's words) places entities with the
    component's code: same ents, same fields."""
    text = "鞍山市铁西区新建沈阳市第七中学"
    doc = extractor.recognizer.to_spacy(text)
    assert [(e.text, e.label_, e._.region, e._.start) for e in doc.ents] == [
        ("鞍山市铁西区", "REGION", "辽宁省鞍山市铁西区", 0), ("沈阳市第七中学", "SCHOOL", None, 8)]
    assert span_of(doc, Found(0, 2, "X", {"value": 1.0})).text == "鞍山市"   # expanded to the word


def test_nlp_pipe_in_two_processes_keeps_the_fields(zh_char):
    """Docs come back from spaCy's worker processes serialized: the fields travel in user_data."""
    texts = ["目前已建立35个义务教育学校集团。", "鞍山市铁西区新建3所学校。"]
    docs = list(zh_char.pipe(texts, n_process=2, batch_size=1))
    here = [zh_char(t) for t in texts]
    assert [[(c.text, c._.value, c._.region) for c in d.spans["claims"]] for d in docs] == \
           [[(c.text, c._.value, c._.region) for c in d.spans["claims"]] for d in here]
    assert docs[1].ents[0]._.region == "辽宁省鞍山市铁西区"


def test_empty_text_and_original_characters(zh_char):
    """An empty Doc has no claims (a run would not read it at all); offsets and text are the
    Doc's own characters, before the pipeline's normalization (full-width digits, CRLF)."""
    empty = zh_char("")
    assert list(empty.spans["claims"]) == [] and list(empty.ents) == []
    text = "１２３个学校 共有5所。\r\n第二行 3所"
    doc = zh_char(text)
    assert [(c._.text, c._.start, c._.end, c._.value) for c in doc.spans["claims"]] == [
        ("１２３个", 0, 4, 123.0), ("5所", 9, 11, 5.0), ("3所", 18, 20, 3.0)]
