"""Batch runs: manifest, incremental re-runs, errors inside shards, parallel = serial."""
from __future__ import annotations

import logging

import pyarrow.parquet as pq
import pytest

from extract.runs.run import MAX_SHARD, MIN_SHARD, Progress, _shard_sizes, _split, run
from runhelpers import TABLES, assert_same_tables, make_input, manifest, rows


@pytest.fixture
def inp(tmp_path):
    return make_input(tmp_path / "in", n_seeds=3)


@pytest.fixture(scope="module")
def reference(extractor, tmp_path_factory):
    """One uninterrupted in-process run over 3 seeds."""
    src = make_input(tmp_path_factory.mktemp("ref_in"), n_seeds=3)
    out = tmp_path_factory.mktemp("ref_out")
    run(src, out, extractor, progress=False)
    return out


def test_manifest_records_version_counts_and_stage_timings(inp, tmp_path, extractor):
    out = tmp_path / "out"
    summary = run(inp, out, extractor, progress=False)
    m = manifest(out)
    assert m["extractor_version"] == extractor.version
    assert m["rules_hash"] == extractor.rules.digest
    assert m["input"] == str(inp.resolve())
    assert m["counts"]["articles"] == 3 == summary.articles
    assert m["counts"]["processed"] == 3
    assert m["counts"]["claims"] == summary.claims == len(rows(out, "claims")) > 0
    assert m["counts"]["errors"] == 0
    assert {"load", "extract", "write", "total"} <= set(m["timings"])
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in TABLES] + ["run.json"])


def test_unchanged_folder_does_no_extraction_work(inp, tmp_path, extractor, monkeypatch):
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)
    first = {t: rows(out, t, drop_version=False) for t in TABLES}

    def boom(raw):
        raise AssertionError(f"re-extracted {raw.path}")
    monkeypatch.setattr(extractor, "process", boom)
    summary = run(inp, out, extractor, progress=False)
    assert manifest(out)["counts"]["processed"] == 0 == summary.processed
    assert manifest(out)["counts"]["carried"] == 3
    assert {t: rows(out, t, drop_version=False) for t in TABLES} == first


def test_changed_new_and_deleted_articles(inp, tmp_path, extractor):
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)
    files = sorted(inp.glob("*.txt"))
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n2024年，全市新增学校12所。\n", encoding="utf-8")
    files[1].unlink()
    (inp / "new.txt").write_text("2023年，全县共有中小学校35所，在校学生约1.2万人。\n", encoding="utf-8")
    summary = run(inp, out, extractor, progress=False)
    assert (summary.processed, summary.carried) == (2, 1)
    full = tmp_path / "full"
    run(inp, full, extractor, progress=False, full=True)
    assert_same_tables(out, full)
    assert files[1].name not in {r["path"] for r in pq.read_table(out / "articles.parquet").to_pylist()}


def test_new_extractor_version_reprocesses_everything(inp, tmp_path, extractor, monkeypatch):
    out = tmp_path / "out"
    run(inp, out, extractor, progress=False)
    monkeypatch.setattr(extractor, "version", extractor.version + ".changed")
    summary = run(inp, out, extractor, progress=False)
    assert (summary.processed, summary.carried) == (3, 0)
    assert {r["extractor_version"] for r in pq.read_table(out / "claims.parquet").to_pylist()} \
        == {extractor.version}


def test_failing_article_and_skipped_files_become_error_rows(inp, tmp_path, extractor, monkeypatch):
    (inp / "notes.docx").write_text("a,b\n", encoding="utf-8")  # not an article format
    (inp / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    victim = sorted(p.name for p in inp.glob("0*.txt"))[1]
    real = extractor.process

    def flaky(raw):
        if raw.path == victim:
            raise ValueError("synthetic failure")
        return real(raw)
    monkeypatch.setattr(extractor, "process", flaky)
    out = tmp_path / "out"
    summary = run(inp, out, extractor, progress=False, shard_size=2)
    errors = {(r["path"], r["stage"]) for r in pq.read_table(out / "errors.parquet").to_pylist()}
    assert errors == {("notes.docx", "skip"), ("binary.txt", "load"), (victim, "extract")}
    status = {r["path"]: r["status"] for r in pq.read_table(out / "articles.parquet").to_pylist()}
    assert status[victim] == "error" and status["binary.txt"] == "error"
    assert sum(s == "ok" for s in status.values()) == 2
    assert (summary.articles, summary.errors, summary.skipped) == (4, 2, 1)


def test_interrupted_run_resumes_without_duplicates(inp, tmp_path, extractor, monkeypatch, reference):
    """In process: the 3rd article interrupts the run; --resume reuses the 2 finished shards."""
    out = tmp_path / "out"
    real = extractor.process
    third = sorted(p.name for p in inp.glob("*.txt"))[2]

    def interrupt(raw):
        if raw.path == third:
            raise KeyboardInterrupt
        return real(raw)
    monkeypatch.setattr(extractor, "process", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(inp, out, extractor, progress=False, shard_size=1)
    assert not (out / "claims.parquet").exists() and not (out / "run.json").exists()
    monkeypatch.setattr(extractor, "process", real)
    summary = run(inp, out, extractor, progress=False, shard_size=1, resume=True)
    assert (summary.resumed, summary.processed) == (2, 1)
    assert_same_tables(out, reference)
    assert not (out / ".parts").exists()


def test_parallel_run_equals_serial_run(inp, tmp_path, reference):
    out = tmp_path / "out"
    summary = run(inp, out, progress=False, workers=2, shard_size=1)
    assert summary.processed == 3
    assert_same_tables(out, reference)


def test_progress_without_terminal_logs_lines():
    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(logging.INFO)
            self.lines = []

        def emit(self, record):
            self.lines.append(record.getMessage())
    keep, logger = Keep(), logging.getLogger("extract")
    level = logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    try:
        bar = Progress(total=10, show=False, every=0.0)
        bar.update(4, claims=30, errors=1)
        bar.update(6, claims=20, errors=0)
        bar.close()
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    assert keep.lines[-1].startswith("10/10 articles, 50 claims, 1 errors")
    assert "articles/s" in keep.lines[0] and "ETA" in keep.lines[0]


@pytest.mark.parametrize("n, workers", [(1000, 2), (1000, 1), (37, 4), (3, 2), (0, 2), (10_000, 8)])
def test_shards_shrink_toward_the_end(n, workers):
    sizes = _shard_sizes(n, workers)
    assert sum(sizes) == n
    assert all(a >= b for a, b in zip(sizes, sizes[1:-1]))          # never grow (the last one is the rest)
    assert all(1 <= s <= MAX_SHARD for s in sizes)
    assert all(s >= MIN_SHARD for s in sizes[:-1])
    if n >= 1000:
        assert sizes[0] == MAX_SHARD and sizes[-2] == MIN_SHARD    # large first, small last
    items = [str(i) for i in range(n)]
    assert [x for files, _ in _split(items, sizes) for x in files] == items
    assert all(rows == 0 for _, rows in _split(items, sizes))
    # table rows come after the files: the first n // 2 items files, the rest rows
    split = _split(items[:n // 2], sizes)
    assert [len(files) + rows for files, rows in split] == sizes
    assert [x for files, _ in split for x in files] == items[:n // 2]
    assert sum(rows for _, rows in split) == n - n // 2
