"""A traditional-script copy of every seed (OpenCC s2t / s2hk) yields the same claims as
the simplified original, with spans into its own text."""
from __future__ import annotations

import opencc
import pyarrow.parquet as pq
import pytest

FIELDS = ("start", "end", "value", "value_max", "unit", "qualifier", "kind", "target", "category",
          "region", "year", "baseline_year")


@pytest.fixture(scope="module", params=["s2t", "s2hk"])
def traditional(request, seed_paths, extractor, tmp_path_factory):
    from extract.runs.run import run
    converter = opencc.OpenCC(request.param)
    src = tmp_path_factory.mktemp(f"trad_{request.param}_in")
    texts = {}
    for p in seed_paths:
        simplified = p.read_text(encoding="utf-8")
        texts[p.name] = converter.convert(simplified)
        (src / p.name).write_text(texts[p.name], encoding="utf-8")
    out = tmp_path_factory.mktemp(f"trad_{request.param}_out")
    run(src, out, extractor, progress=False)
    claims = pq.read_table(out / "claims.parquet").to_pylist()
    return request.param, texts, claims


def test_conversion_is_real_and_length_preserving(traditional, seed_paths):
    config, texts, _ = traditional
    changed = 0
    for p in seed_paths:
        simplified = p.read_text(encoding="utf-8")
        assert len(texts[p.name]) == len(simplified), f"{config} changed the length of {p.name}"
        changed += sum(a != b for a, b in zip(simplified, texts[p.name]))
    assert changed > 500, f"{config} converted only {changed} characters: not a traditional copy"


def test_spans_index_the_traditional_text(traditional):
    _, texts, claims = traditional
    bad = [(c["article"], c["start"], c["text"]) for c in claims
           if texts[c["article"]][c["start"]:c["end"]] != c["text"]]
    assert not bad, bad[:10]


def test_same_claims_as_simplified(traditional, seed_claims):
    config, texts, claims = traditional
    for name in texts:
        want = sorted(tuple(c[f] for f in FIELDS) for c in seed_claims if c["article"] == name)
        got = sorted(tuple(c[f] for f in FIELDS) for c in claims if c["article"] == name)
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        assert got == want, f"{config} {name}: only in simplified {missing[:5]}; only in traditional {extra[:5]}"


def test_region_and_unit_stay_simplified(traditional):
    """Guideline: region and unit are written in simplified script whatever the article's."""
    from extract.stages.normalize import to_simplified
    _, _, claims = traditional
    for c in claims:
        assert c["unit"] == to_simplified(c["unit"]), c
        if c["region"]:
            assert c["region"] == to_simplified(c["region"]), c


def test_pinyin_glosses_of_mirror_sites_change_no_claim(extractor, seed_paths):
    """Mirror sites put pinyin after characters (城乡(xiāng)); with glosses in 6% of the
    places the claims are those of the clean text, with spans into the glossed one."""
    import random
    import regex
    from extract.inputs.load import RawArticle
    rng = random.Random(1)
    syllables = ["xiāng", "fā", "qū", "zhì", "nèi", "nóng", "yōu", "zhuǎn", "ke", "wàn", "xué", "mén"]

    def key(result):
        return sorted((c.value, c.unit, c.region or "", c.year or 0, c.target) for c in result.claims)

    for path in [p for p in seed_paths if not p.name.startswith("003")]:
        text = path.read_text(encoding="utf-8")
        glossed = "".join(ch + (f"({rng.choice(syllables)})" if regex.match(r"\p{Han}", ch) and rng.random() < 0.06
                                else "") for ch in text)
        clean = extractor.process(RawArticle(path.name, text, "", "utf-8", 1))
        noisy = extractor.process(RawArticle(path.name, glossed, "", "utf-8", 1))
        assert key(noisy) == key(clean), path.name
        assert all(glossed[c.start:c.end] == c.text for c in noisy.claims)
