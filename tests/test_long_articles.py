"""Articles of over a million characters (spaCy's default max_length, which the
pipeline no longer goes through) give claims and entities to their end;
--max-bytes is the only size limit."""
from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from conftest import SEEDS_DIR
from extract.runs.run import run

PARAGRAPH = ("  {i}. 截至目前，沈阳市已组建义务教育学校集团{n}个，覆盖中小学校{m}所，"
             "集团内教师交流轮岗人数达到{k}人，优质教育资源覆盖率提高到85%以上。")


def test_article_over_a_million_characters_gives_claims(tmp_path, extractor):
    paragraphs = []
    size = 0
    while size < 1_200_000:
        i = len(paragraphs)
        paragraphs.append(PARAGRAPH.format(i=i, n=10 + i % 50, m=100 + i % 300, k=1000 + i % 900))
        size += len(paragraphs[-1]) + 1
    text = "沈阳市推进集团化办学\n2021-05-06 10:00:00 来源:测试\n\n" + "\n".join(paragraphs) + "\n"
    assert len(text) > 1_200_000
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "long.txt").write_text(text, encoding="utf-8")
    summary = run(inp, tmp_path / "out", extractor, progress=False, max_bytes=10_000_000)
    assert summary.errors == 0, pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    claims = pq.read_table(tmp_path / "out" / "claims.parquet").to_pylist()
    assert len(claims) >= 3 * len(paragraphs)   # 个, 所, 人 (and the %) of every paragraph
    assert max(c["start"] for c in claims) > 1_100_000   # past spaCy's limit too
    assert all(text[c["start"]:c["end"]] == c["text"] for c in claims)
    entities = pq.read_table(tmp_path / "out" / "entities.parquet").to_pylist()
    assert max(e["start"] for e in entities if e["label"] == "REGION") > 1_100_000


def test_max_bytes_is_the_size_limit_and_says_so(tmp_path, extractor):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text("全市共有学校12所。\n" * 100, encoding="utf-8")
    run(inp, tmp_path / "out", extractor, progress=False, max_bytes=1_000)
    (error,) = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert "--max-bytes limit of 1,000" in error["reason"]
