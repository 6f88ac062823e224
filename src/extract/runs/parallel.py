"""Per-shard work and the local process-pool engine.

A shard is a list of article files and/or a small Parquet file of table rows
(written by the run's load stage, see inputs.tables).  `process_shard` runs every article of
one shard through the worker's Extractor and writes the shard's four tables
as one part folder (see writer.write_shard).  The same function runs in
process (one worker), in a `ProcessPoolExecutor` (spawn start method; the
initializer builds the Extractor once per worker process) or on a
dask.distributed worker (engine_dask).  The Extractor -- rules, gazetteer,
jieba -- is never pickled: workers receive the RuleSet (plain data) and
build their own.

A worker that dies (the kernel's OOM killer, a kill by hand) breaks the
pool.  The shards it left unfinished run again; each worker notes the
article it is on (`task["marker"]`), so the articles in flight when a pool
broke are known: they run again one shard at a time, and an article that
kills its worker there becomes its own errors row (`task["poisoned"]`)
instead of failing every run and every resume.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from extract.runs import article
from extract.runs.lifeline import watch_parent
from extract.models import ErrorRow
from extract.stages.rules import RuleSet
from extract.runs.writer import arrow_without_pandas, write_shard

if TYPE_CHECKING:   # loaded in the workers, not in the process that hands out shards
    from extract.pipeline import Extractor

log = logging.getLogger("extract")

_EXTRACTOR: Extractor | None = None
_LOCK = threading.Lock()


def init_worker(rules: RuleSet | None) -> None:
    """ProcessPoolExecutor initializer: build this process's Extractor once."""
    global _EXTRACTOR
    watch_parent()   # never outlive the run's main process, even when it is SIGKILLed
    arrow_without_pandas()
    from extract.pipeline import Extractor
    _EXTRACTOR = Extractor(rules=rules)


def set_extractor(extractor: Extractor) -> None:
    """In-process runs use the caller's Extractor."""
    global _EXTRACTOR
    _EXTRACTOR = extractor


def get_extractor(rules: RuleSet | None = None) -> Extractor:
    """The worker's Extractor, built on first use (dask workers) for these rules."""
    global _EXTRACTOR
    with _LOCK:
        if _EXTRACTOR is None or (rules is not None and _EXTRACTOR.rules.digest != rules.digest):
            from extract.pipeline import Extractor
            _EXTRACTOR = Extractor(rules=rules)
        return _EXTRACTOR


def process_shard(task: dict, rules: RuleSet | None = None) -> dict:
    """task: shard (name), shard_dir, input_dir, rels (relative paths of file
    articles), rows (the shard's table-row input, or None), max_bytes, version,
    budget (seconds per article, optional).  Writes the shard part folder;
    returns its stats."""
    extractor = get_extractor(rules)
    if extractor.version != task["version"]:
        # Code or data changed under the run (or a remote worker runs other code): the rows
        # say which version made them, so the next incremental run re-extracts them.
        log.warning("worker %d extractor %s differs from the run's %s", os.getpid(),
                    extractor.version, task["version"])
    t0 = time.perf_counter()
    input_dir = Path(task["input_dir"])
    tables: dict[str, list] = {"claims": [], "articles": [], "entities": [], "errors": []}
    stats = {"shard": task["shard"], "articles": 0, "claims": 0, "entities": 0, "errors": 0,
             "warnings": 0, "failed": 0, "chars": 0, "processed": 0, "pid": os.getpid()}
    renamed = task.get("renamed") or {}
    poisoned = task.get("poisoned") or {}
    marker = _Marker(task.get("marker"))
    for rel, row in _work_items(task):
        marker.on(rel)
        try:
            if rel in poisoned:
                result, errors = article.failed(extractor, rel, "", 0, row), [ErrorRow(
                    path=rel, stage="extract", reason=poisoned[rel],
                    **({"file": row.file, "row": row.row} if row is not None else {}))]
            elif row is None:
                result, errors = article.process_path(extractor, input_dir / renamed.get(rel, rel), rel,
                                                      task["max_bytes"], task.get("budget"))
                if rel in renamed:
                    errors.insert(0, ErrorRow(path=rel, stage="load", severity="warning", reason=(
                        f"file name is not UTF-8 ({os.fsencode(renamed[rel])!r}): its article key is {rel!r} "
                        f"(rename the file to keep the key stable)")))
            else:
                result, errors = article.process_row(extractor, row, task.get("budget"))
        except Exception as exc:  # process_path/row catch per-stage failures; this is a last guard
            result, errors = article.failed(extractor, rel, "", 0, row), [ErrorRow(
                path=rel, stage="extract", reason=f"{type(exc).__name__}: {exc}")]
        tables["errors"].extend(errors)
        stats["errors"] += sum(e.severity == "error" for e in errors)
        stats["warnings"] += sum(e.severity == "warning" for e in errors)
        stats["failed"] += result.article.status == "error"
        tables["claims"].extend(result.claims)
        tables["entities"].extend(result.entities)
        tables["articles"].append(result.article)
        stats["claims"] += len(result.claims)
        stats["entities"] += len(result.entities)
        stats["chars"] += result.article.chars
        stats["articles"] += 1
        stats["processed"] += 1
    stats["extract_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    marker.on("")   # writing the shard: no article is in flight
    write_shard(Path(task["shard_dir"]), tables, stats)
    marker.done()
    stats["write_s"] = time.perf_counter() - t1
    return stats


class _Marker:
    """A small file holding the key of the article a worker is on (nothing when None)."""

    def __init__(self, path: str | None):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if path else None
        self.path = path

    def on(self, key: str) -> None:
        if self.fd is not None:
            data = key.encode("utf-8", "surrogateescape")
            os.pwrite(self.fd, data, 0)
            os.ftruncate(self.fd, len(data))

    def done(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            os.unlink(self.path)
            self.fd = None


def in_flight(task: dict) -> str | None:
    """The article a dead worker was on in this task's shard, if it had started one."""
    try:
        with open(task["marker"], "rb") as f:
            key = f.read().decode("utf-8", "surrogateescape")
    except (OSError, KeyError, TypeError):
        return None
    return key or None


def _work_items(task: dict):
    """(article key, table row or None) for the shard's files, then its table rows."""
    for rel in task["rels"]:
        yield rel, None
    if task.get("rows"):
        from extract.inputs.tables import read_shard_rows
        for row in read_shard_rows(Path(task["rows"])):
            yield row.key, row


OnDone = Callable[[dict], None]


def run_serial(tasks: Iterable[dict], extractor: Extractor, on_done: OnDone) -> None:
    set_extractor(extractor)
    for task in tasks:
        on_done(process_shard(task))


class WorkersLost(RuntimeError):
    """Pool workers died without any article in flight (at start-up: memory, a broken install)."""


def run_pool(tasks: list[dict], rules: RuleSet, workers: int, on_done: OnDone) -> None:
    """Shards on a spawn-started process pool, results reported as they finish.

    When a worker dies the pool breaks; the unfinished shards run again.  The
    articles in flight are suspects: their shards run one at a time, and an
    article that kills its worker there (or is in flight in two breaks) is
    poisoned: it becomes an errors row and its shard goes on without it."""
    strikes: dict[str, int] = {}
    pending = list(tasks)
    while pending:
        suspect = [t for t in pending if any(k in strikes for k in _keys(t))]
        clean = [t for t in pending if t not in suspect]
        pending = []
        for group, size in [([t], 1) for t in suspect] + [(clean, workers)]:
            if not group:
                continue
            left = _pool_round(group, rules, min(size, len(group)), on_done)
            if not left:
                continue
            found = False
            for task in left:
                key = in_flight(task)
                if key is None:
                    continue
                found = True
                strikes[key] = strikes.get(key, 0) + 1
                if size == 1 or strikes[key] >= 2:
                    task.setdefault("poisoned", {})[key] = (
                        "the worker process died while extracting this article (killed: out of memory, or by "
                        "hand): skipped; fix: run with more memory or fewer workers (-j), or split the article")
                    log.warning("article %s killed its worker process: skipped (an errors row)", key)
            if not found:
                raise WorkersLost("worker processes died before extracting any article (out of memory at "
                                  "start-up?): run with fewer workers (-j)")
            pending += left


def _keys(task: dict) -> list[str]:
    """The file article keys of a task (its table rows are read in the worker)."""
    return list(task["rels"]) + list(task.get("suspects", []))


def _pool_round(tasks: list[dict], rules: RuleSet, workers: int, on_done: OnDone) -> list[dict]:
    """Run tasks on one pool; the tasks left unfinished when a worker died ([] if none)."""
    ctx = multiprocessing.get_context("spawn")
    by_future = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=(rules,)) as pool:
        unsubmitted: list[dict] = []
        for i, t in enumerate(tasks):
            try:
                by_future[pool.submit(process_shard, t)] = t
            except BrokenProcessPool:   # a worker died while the shards were being submitted
                unsubmitted = tasks[i:]
                break
        pending = set(by_future)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        stats = fut.result()
                    except BrokenProcessPool:
                        continue   # collected below with the other unfinished shards
                    on_done(stats)
                    by_future.pop(fut)
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    for task in unsubmitted:   # never started in this round: a marker left by an earlier one is stale
        if task.get("marker"):
            Path(task["marker"]).unlink(missing_ok=True)
    left = list(by_future.values()) + unsubmitted
    for task in left:   # a suspect table row is known by its key, read from the marker
        key = in_flight(task)
        if key is not None and key not in task["rels"]:
            task.setdefault("suspects", []).append(key)
    return left
