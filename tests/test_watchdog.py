"""The per-article time budget: an article over it becomes an errors row naming
the stage, and the worker goes on (in process, in the spawn pool, and through
the stage checks used where signals cannot be, e.g. dask's worker threads)."""
from __future__ import annotations

import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract import watchdog
from extract.runs.run import run

STAGES = ("load", "normalize", "segment", "entities", "quantities", "context", "attribute", "records")


def _articles(folder: Path, n: int, stuck: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        marker = "卡住" if i == stuck else ""
        (folder / f"a{i}.txt").write_text(
            f"测试文章{i}\n2021-05-06 10:00:00 来源:测试\n\n{marker}全市共有学校{12 + i}所，教师{500 + i}人。\n",
            encoding="utf-8")
    return folder


def _tables(out: Path) -> dict[str, list[dict]]:
    return {name: pq.read_table(out / f"{name}.parquet").to_pylist() for name in ("articles", "errors", "claims")}


def test_article_over_budget_in_process_names_the_stage(tmp_path, extractor, monkeypatch):
    inp = _articles(tmp_path / "in", 3, stuck=1)
    real = extractor.recognizer.find

    def find(text):
        while "卡住" in text:   # pure Python that never returns: only the alarm stops it
            pass
        return real(text)
    monkeypatch.setattr(extractor.recognizer, "find", find)
    summary = run(inp, tmp_path / "out", extractor, progress=False, budget_s=0.5)
    t = _tables(tmp_path / "out")
    (error,) = t["errors"]
    assert (error["path"], error["stage"], error["severity"]) == ("a1.txt", "extract", "error")
    assert "time budget of 0.5 s" in error["reason"] and "'entities'" in error["reason"]
    status = {a["path"]: a["status"] for a in t["articles"]}
    assert status == {"a0.txt": "ok", "a1.txt": "error", "a2.txt": "ok"}
    assert {c["article"] for c in t["claims"]} == {"a0.txt", "a2.txt"}   # the worker went on
    assert summary.failed == summary.errors == 1


def test_budget_in_the_spawn_pool(tmp_path):
    """A budget too small for any article: every one becomes an errors row naming a
    stage, and the pool still finishes the run (each worker went on after each)."""
    inp = _articles(tmp_path / "in", 4)
    summary = run(inp, tmp_path / "out", progress=False, workers=2, shard_size=2, budget_s=1e-6)
    t = _tables(tmp_path / "out")
    assert sorted(e["path"] for e in t["errors"]) == [f"a{i}.txt" for i in range(4)]
    for e in t["errors"]:
        assert "time budget" in e["reason"] and any(f"'{s}'" in e["reason"] for s in STAGES), e
    assert summary.failed == 4 and summary.articles == 4


def test_stage_checks_stop_work_outside_the_main_thread():
    """No signal in a worker thread: the next stage boundary or loop check raises."""
    caught: list[BaseException] = []

    def work():
        try:
            with watchdog.budget(0.01):
                watchdog.stage("quantities")
                while True:
                    watchdog.check()
        except watchdog.BudgetExceeded as exc:
            caught.append(exc)
    t = threading.Thread(target=work)
    t.start()
    t.join()
    (exc,) = caught
    assert exc.stage == "quantities" and "'quantities'" in str(exc)


def test_no_budget_and_finished_articles_leave_no_alarm():
    with watchdog.budget(None):
        watchdog.check()
    with watchdog.budget(30):
        watchdog.stage("segment")
        assert watchdog.current_stage() == "segment"
    assert watchdog.current_stage() is None
    import signal
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
