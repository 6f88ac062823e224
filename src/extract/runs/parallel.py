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
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
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
    for rel, row in _work_items(task):
        try:
            if row is None:
                result, errors = article.process_path(extractor, input_dir / rel, rel, task["max_bytes"],
                                                      task.get("budget"))
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
    write_shard(Path(task["shard_dir"]), tables, stats)
    stats["write_s"] = time.perf_counter() - t1
    return stats


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


def run_pool(tasks: list[dict], rules: RuleSet, workers: int, on_done: OnDone) -> None:
    """Shards on a spawn-started process pool, results reported as they finish."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=(rules,)) as pool:
        pending = {pool.submit(process_shard, t) for t in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_done(fut.result())
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
