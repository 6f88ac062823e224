"""Batch run: discover articles, process them in shards, publish four tables.

A bad file never stops the batch: load problems, and any exception a stage
raises on one article, become rows of the errors table.

Layout of OUT (see docs / the run manifest):

    OUT/claims.parquet articles.parquet entities.parquet errors.parquet
    OUT/run.json                      manifest, written last
    OUT/.parts/<run-key>/plan.json    the shards of an unfinished run
    OUT/.parts/<run-key>/<shard>/     one complete shard: 4 tables + stats.json

Stages: *load* lists and hashes the input (content sha256 per article), plans
shards and carries the rows of unchanged articles over from the previous
output; *extract* runs the pending shards (in process, on a process pool or
on dask); *write* streams all shard parts into the final tables (temp file +
os.replace) and writes run.json.  The run key hashes the input listing and
the extractor version, so `resume=True` reuses exactly the finished shards
of an interrupted run of the same input and version.
"""
from __future__ import annotations

import errno
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from extract import __version__

from extract import watchdog
from extract.inputs import discover
from extract.inputs.tables import (Columns, MissingTextColumn, Scan, scan_tables, split_spool,
                                   tables_without_text)
from extract.inputs.load import article_key, escaped_key, open_regular
from extract.runs.manifest import read_manifest, remove_manifest, write_manifest
from extract.models import TABLES, ErrorRow, arrow_schema
from extract.runs.article import process_path, process_row  # noqa: F401  (the run's API: one article)
from extract.runs.outlock import OutLock
from extract.stages.rules import RuleSet, load_rules
from extract.version import extractor_version
from extract.runs.writer import TABLE_NAMES, ShardOutput, iter_batches, merge_parts, read_stats

if TYPE_CHECKING:   # the pipeline (jieba, the gazetteer) loads only where articles are processed
    from extract.pipeline import Extractor

log = logging.getLogger("extract")

PARTS = ".parts"
PRE = "pre"              # shard holding skip rows + rows carried over from the previous output
INPUTS = "inputs"        # OUT/.parts/<run-key>/inputs/<shard>.parquet: the table rows of each shard
PLAN_FORMAT = 2          # 2: shards hold files and table rows
MAX_SHARD = 50           # articles per shard at most (bounds worker memory and progress lag)
MIN_SHARD = 5            # below this a shard's own cost (four Parquet parts) outweighs its balance


class BadOutFolder(ValueError):
    """--out cannot hold this run's output (it is the input folder)."""


@dataclass
class RunSummary:
    articles: int = 0    # articles in the output
    claims: int = 0
    errors: int = 0      # error rows of severity error: failed articles, dropped claims, unreadable folders
    warnings: int = 0    # warning rows for kept articles (e.g. bytes replaced while decoding)
    failed: int = 0      # articles with status error
    skipped: int = 0     # files that are not articles
    processed: int = 0   # articles extracted by this invocation
    carried: int = 0     # unchanged articles whose rows were copied from the previous output
    resumed: int = 0     # articles in shard parts reused from an interrupted run
    entities: int = 0
    shards: int = 0
    timings: dict = field(default_factory=dict)


def run(input_dir: Path, out_dir: Path, extractor: Extractor | None = None, max_bytes: int = 20_000_000,
        progress: bool | None = None, *, workers: int = 1, engine: str = "local",
        scheduler: str | None = None, resume: bool = False, full: bool = False,
        user_rules: list[Path] | None = None, rules: RuleSet | None = None,
        shard_size: int | None = None, budget_s: float | None = watchdog.DEFAULT_BUDGET_S,
        follow_symlinks: bool = False, columns: Columns | None = None,
        skip_tables_without_text: bool = False, quiet: bool = False) -> RunSummary:
    """Extract every article under input_dir into out_dir.

    workers=1 runs in this process (with `extractor` if given); workers>1 a
    spawn process pool; engine="dask" a dask.distributed cluster (LocalCluster
    with `workers` processes, or `scheduler`).  Unchanged articles (same path,
    content hash and extractor version as in the previous complete output) are
    not re-extracted unless full=True.  Each article gets `budget_s` seconds.
    Tables (.jsonl/.ndjson, .csv, .parquet) hold one article per row, found
    by `columns`; a row's article key is its id, else its url, else file#row,
    and its hash covers its text and metadata.  A table with none of the
    text columns raises MissingTextColumn before out_dir is touched (a flag
    would have made its rows articles: their claims must not become one
    errors row), unless skip_tables_without_text (then it is an errors row).
    progress: a bar (True), log lines every few seconds (False), or a bar on a
    terminal and log lines elsewhere (None); quiet: neither, and no info lines.
    One run at a time per out_dir (OutFolderBusy); on failure the run's
    temporary files are removed (and, when the disk is full, its shard parts).
    """
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    if input_dir.resolve() == out_dir.resolve():
        # the tables would be read back as articles, and report.html as a page
        raise BadOutFolder(f"--out {out_dir} is the input folder: give the output its own folder "
                           f"(a folder inside the input is fine: it is not read)")
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r} (local | dask)")
    columns = columns or Columns()
    out_existed = out_dir.exists()
    found = discover(input_dir, follow_symlinks, exclude=out_dir)
    if not skip_tables_without_text:
        missing = tables_without_text(input_dir, found[2], columns)
        if missing:
            raise MissingTextColumn(missing, columns)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not out_existed and out_dir.resolve().is_relative_to(input_dir.resolve()):
        found = discover(input_dir, follow_symlinks, exclude=out_dir)   # lists the new --out as skipped
    with OutLock(out_dir):
        try:
            return _run_locked(input_dir, out_dir, extractor, max_bytes, progress, workers=workers,
                               engine=engine, scheduler=scheduler, resume=resume, full=full,
                               user_rules=user_rules, rules=rules, shard_size=shard_size,
                               budget_s=budget_s, found=found, columns=columns, quiet=quiet)
        except BaseException as exc:
            _remove_temporaries(out_dir, all_parts=isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
            raise


def _run_locked(input_dir: Path, out_dir: Path, extractor: Extractor | None, max_bytes: int,
                progress: bool | None, *, workers: int, engine: str, scheduler: str | None, resume: bool,
                full: bool, user_rules: list[Path] | None, rules: RuleSet | None, shard_size: int | None,
                budget_s: float | None, found: tuple, columns: Columns, quiet: bool = False) -> RunSummary:
    t_start = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if extractor is not None:
        rules = extractor.rules
    elif rules is None:
        rules = load_rules(user_rules)
    version = extractor.version if extractor is not None else extractor_version(rules)
    workers = max(1, int(workers or os.cpu_count() or 1))

    # -- load: list, hash, plan -------------------------------------------------
    found, articles, tables = found
    rels = [p.relative_to(input_dir).as_posix() for p in articles]
    renamed = _keys_of_names(rels)   # article key -> real relative path, for names that are not UTF-8
    key_of = {rel: key for key, rel in renamed.items()}
    listing = [(key_of.get(rel, rel), _sha256(p, max_bytes)) for rel, p in zip(rels, articles)]
    # a table's hash changes when any row does: enough to key the run (rows are hashed when planned)
    table_listing = [(article_key(p.relative_to(input_dir).as_posix()), _sha256(p, None)) for p in tables]
    skipped_rel = [[article_key(p.relative_to(input_dir).as_posix()), why] for p, why in found.skipped]
    unreadable = [[article_key(p.relative_to(input_dir).as_posix()), why] for p, why in found.unreadable]
    # --full is part of the key: resuming a --full run must not reuse an incremental plan
    run_key = hashlib.sha256(json.dumps([version, max_bytes, listing, table_listing, columns.as_dict(),
                                         skipped_rel, unreadable, full, budget_s,
                                         PLAN_FORMAT]).encode()).hexdigest()[:16]
    parts_root = out_dir / PARTS
    run_dir = parts_root / run_key
    _clean_parts(parts_root, keep=run_key if resume else None)
    plan_path = run_dir / "plan.json"
    plan = _read_json(plan_path) if resume else None
    if plan is None:
        shutil.rmtree(run_dir, ignore_errors=True)  # an unfinished plan's shard inputs
        run_dir.mkdir(parents=True, exist_ok=True)
        previous = None if full else _previous_output(out_dir, version, max_bytes)
        carry = sorted(rel for rel, sha in listing if previous and sha and previous.get(rel) == sha)
        carry_set = set(carry)
        todo = [rel for rel, _ in listing if rel not in carry_set]
        # Table rows: scanned once, the rows to extract spooled, then cut into per-shard inputs.
        spool = run_dir / "spool.parquet"
        scan = scan_tables(input_dir, tables, columns, previous, {rel for rel, _ in listing}, spool,
                           max_bytes) if tables else Scan()
        n_todo = len(todo) + scan.spooled
        # --shard-size: the last shard holds the rest (not phantom rows up to a full shard)
        sizes = ([shard_size] * (n_todo // shard_size) + ([n_todo % shard_size] if n_todo % shard_size else [])
                 if shard_size else _shard_sizes(n_todo, workers))
        shards = {}
        for i, (files, n_rows) in enumerate(_split(todo, sizes)):
            shards[f"s{i:05d}"] = {"files": files, "rows": n_rows}
        if tables:
            split_spool(spool, [(run_dir / INPUTS / f"{name}.parquet", sh["rows"]) for name, sh in shards.items()])
            spool.unlink()
        plan = {"run_key": run_key, "version": version, "input": str(input_dir.resolve()),
                "renamed": renamed, "articles": len(listing) + len(scan.carry) + scan.spooled,
                "carry": carry + scan.carry, "skipped": skipped_rel, "unreadable": unreadable,
                "load_errors": scan.errors, "shards": shards}
        _write_json(plan_path, plan)  # last: a plan that exists has all its shard inputs
    elif resume and not quiet:
        log.info("resuming run %s", run_key)
    pre_dir = run_dir / PRE
    if not pre_dir.is_dir():
        _write_pre(pre_dir, out_dir, plan)
    t_load = time.perf_counter()

    # -- extract ----------------------------------------------------------------
    summary = RunSummary()
    done_stats = {PRE: read_stats(pre_dir)}
    tasks = []
    for name, shard in plan["shards"].items():
        shard_dir = run_dir / name
        if shard_dir.is_dir():
            done_stats[name] = read_stats(shard_dir)
            summary.resumed += done_stats[name]["articles"]
        else:
            rows = str(run_dir / INPUTS / f"{name}.parquet") if shard["rows"] else None
            tasks.append({"shard": name, "shard_dir": str(shard_dir), "input_dir": str(input_dir.resolve()),
                          "rels": shard["files"], "rows": rows, "max_bytes": max_bytes, "version": version,
                          "budget": budget_s, "marker": str(run_dir / f".{name}.current"),
                          "renamed": {k: plan["renamed"][k] for k in shard["files"] if k in plan["renamed"]}})
    summary.carried = done_stats[PRE]["articles"]
    total = plan["articles"]
    bar = Progress(total, initial=summary.carried + summary.resumed, show=progress, silent=quiet)

    def on_done(stats: dict) -> None:
        done_stats[stats["shard"]] = stats
        summary.processed += stats["processed"]
        bar.update(stats["articles"], stats["claims"], stats["errors"], stats.get("chars", 0))

    try:
        if tasks:
            if engine == "dask":
                from extract.runs.engine_dask import run_dask
                run_dask(tasks, rules, workers, scheduler, on_done)
            elif workers == 1 or len(tasks) == 1:
                from extract.runs.parallel import run_serial
                if extractor is None:
                    from extract.pipeline import Extractor
                    extractor = Extractor(rules=rules)
                run_serial(tasks, extractor, on_done)
            else:
                from extract.runs.parallel import run_pool
                run_pool(tasks, rules, min(workers, len(tasks)), on_done)
    finally:
        bar.close()
    t_extract = time.perf_counter()

    # -- write: merge parts into the final tables -----------------------------------
    order = [PRE] + list(plan["shards"])
    shard_dirs = [run_dir / name for name in order]
    writers = []
    try:
        for name in TABLE_NAMES:
            writers.append(merge_parts(out_dir, name, shard_dirs, tag=run_key))
    except BaseException:
        for w in writers:
            w.abort()
        raise
    remove_manifest(out_dir)  # from here until run.json is back the folder is "in flux"
    for w in writers:
        w.publish()
    counts = {"files": len(listing) + len(table_listing) + len(skipped_rel), "tables": len(table_listing)}
    for key in ("articles", "claims", "entities", "errors", "warnings", "failed"):
        counts[key] = sum(s.get(key, 0) for s in done_stats.values())
    summary.articles, summary.claims = counts["articles"], counts["claims"]
    summary.entities, summary.errors = counts["entities"], counts["errors"]
    summary.warnings, summary.failed = counts["warnings"], counts["failed"]
    summary.skipped = len(skipped_rel)
    summary.shards = len(plan["shards"])
    t_end = time.perf_counter()
    summary.timings = {"load": round(t_load - t_start, 3), "extract": round(t_extract - t_load, 3),
                       "write": round(t_end - t_extract, 3), "total": round(t_end - t_start, 3),
                       "extract_cpu": round(sum(s.get("extract_s", 0) for s in done_stats.values()), 3)}
    write_manifest(out_dir, {
        "extractor_version": version, "package_version": __version__, "rules_hash": rules.digest,
        "input": str(input_dir.resolve()), "run_key": run_key, "engine": engine,
        "workers": workers, "max_bytes": max_bytes, "budget_s": budget_s, "resumed_run": resume and summary.resumed > 0,
        "started": started, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "counts": {**counts, "skipped": summary.skipped, "processed": summary.processed,
                   "carried": summary.carried, "resumed": summary.resumed, "shards": summary.shards},
        "timings": summary.timings,
    })
    shutil.rmtree(run_dir, ignore_errors=True)
    _clean_parts(parts_root, keep=None)
    return summary


def _shard_sizes(n: int, workers: int) -> list[int]:
    """Shards that shrink as the work runs out ("guided" scheduling): about a
    quarter of each worker's remaining share, at most MAX_SHARD, at least
    MIN_SHARD, so the workers finish together instead of one idling while
    the other ends a large last shard."""
    sizes, left = [], n
    while left > 0:
        size = min(left, max(MIN_SHARD, min(MAX_SHARD, -(-left // (workers * 4)))))
        sizes.append(size)
        left -= size
    return sizes


def _split(items: list[str], sizes: list[int]) -> list[tuple[list[str], int]]:
    """Consecutive shards of `sizes` work items: the files `items` first, then
    table rows; each shard as (its files, its number of rows)."""
    bounds = list(itertools.accumulate(sizes, initial=0))
    return [(items[a:b], (b - a) - len(items[a:b])) for a, b in zip(bounds, bounds[1:])]


# -- helpers ----------------------------------------------------------------------

def _keys_of_names(rels: list[str]) -> dict[str, str]:
    """article key -> relative path, for the paths that are not UTF-8 (see
    inputs.load.article_key); a decoded name that another file already has
    keeps its bytes escaped instead."""
    taken = set(rels)
    renamed = {}
    for rel in rels:
        key = article_key(rel)
        if key != rel:
            key = key if key not in taken and key not in renamed else escaped_key(rel)
            renamed[key] = rel
    return renamed


def _sha256(path: Path, max_bytes: int | None) -> str:
    """Content hash of an article file; "" when it cannot or should not be read
    (too large, unreadable) -- such files are always re-processed (they fail fast).
    max_bytes None: no limit (tables, which are streamed)."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            return ""
        h = hashlib.sha256()
        with open_regular(path) as f:   # a FIFO put in place since discovery must not block
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return ""


def _previous_output(out_dir: Path, version: str, max_bytes: int) -> dict[str, str] | None:
    """path -> sha256 of articles in the previous complete output made by this
    extractor version, or None when there is nothing trustworthy to reuse."""
    manifest = read_manifest(out_dir)
    if manifest is None or manifest.get("extractor_version") != version \
            or manifest.get("max_bytes") != max_bytes:
        return None
    if not all((out_dir / f"{name}.parquet").is_file() for name in TABLE_NAMES):
        return None
    try:
        for name in TABLE_NAMES:   # a table replaced by hand is not reused (its rows are re-extracted)
            if not pq.read_schema(out_dir / f"{name}.parquet").equals(arrow_schema(TABLES[name]),
                                                                       check_metadata=False):
                log.warning("%s is not a table this version of extract wrote (replaced by hand?): "
                            "every article is extracted again", out_dir / f"{name}.parquet")
                return None
        t = pq.read_table(out_dir / "articles.parquet", columns=["path", "sha256", "extractor_version", "status"])
    except (OSError, pa.ArrowException) as exc:
        log.warning("previous output in %s is unreadable (%s): every article is extracted again", out_dir, exc)
        return None
    # failed articles are tried again: a budget, a memory limit or a bug may have changed since
    return {p: s for p, s, v, st in zip(t["path"].to_pylist(), t["sha256"].to_pylist(),
                                        t["extractor_version"].to_pylist(), t["status"].to_pylist())
            if v == version and s and st == "ok"}


def _write_pre(pre_dir: Path, out_dir: Path, plan: dict) -> None:
    """The `pre` shard: errors rows for skipped files, then every row of the
    carried-over articles, streamed from the previous output."""
    out = ShardOutput(pre_dir)
    stats = {"shard": PRE, "articles": 0, "claims": 0, "entities": 0, "errors": 0, "warnings": 0,
             "failed": 0, "chars": 0, "processed": 0}
    try:
        out.add("errors", [ErrorRow(path=rel, stage="skip", severity="warning", reason=reason)
                           for rel, reason in plan["skipped"]])
        out.add("errors", [ErrorRow(path=rel, stage="load", reason=reason) for rel, reason in plan["unreadable"]])
        stats["errors"] += len(plan["unreadable"])
        # whole tables that are no articles, repeated article keys
        # and lines of a table that are no rows (skipped, or decoded another way)
        load_errors = [ErrorRow(**e) for e in plan.get("load_errors", [])]
        out.add("errors", load_errors)
        stats["errors"] += sum(e.severity == "error" for e in load_errors)
        stats["warnings"] += sum(e.severity == "warning" for e in load_errors)
        if plan["carry"]:
            keys = pa.array(plan["carry"], pa.string())
            for name, col in (("articles", "path"), ("claims", "article"), ("entities", "article"),
                              ("errors", "path")):
                for batch in iter_batches(out_dir / f"{name}.parquet"):
                    mask = pc.is_in(batch[col], value_set=keys)
                    if name == "errors":
                        mask = pc.and_(mask, pc.not_equal(batch["stage"], "skip"))
                    rows = batch.filter(mask)
                    out.add_table(name, rows)
                    if name == "errors":
                        warned = pc.sum(pc.equal(rows["severity"], "warning")).as_py() or 0
                        stats["warnings"] += warned
                        stats["errors"] += rows.num_rows - warned
                    else:
                        stats[name] += rows.num_rows
                    if name == "articles":
                        stats["chars"] += pc.sum(rows["chars"]).as_py() or 0
                        stats["failed"] += pc.sum(pc.equal(rows["status"], "error")).as_py() or 0
    except BaseException:
        out.abort()
        raise
    out.commit(stats, replace=True)


def _clean_parts(parts_root: Path, keep: str | None) -> None:
    if not parts_root.is_dir():
        return
    for child in parts_root.iterdir():
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
    if keep is None:
        try:
            parts_root.rmdir()
        except OSError:
            pass


# The temporary files a run writes in OUT (writer.TableWriter with the run key as tag,
# manifest.write_manifest): only these are removed after a failure, never a user's .notes.tmp.
_OWN_TEMPORARY = re.compile(r"\.(?:%s)\.[0-9a-f]{16}\.parquet\.tmp|\.run\.json\.\d+\.tmp" % "|".join(TABLE_NAMES))


def _remove_temporaries(out_dir: Path, all_parts: bool) -> None:
    """After a failed run: the hidden temporary tables and shard folders it was
    writing; with all_parts (disk full) also its finished shards, which would
    otherwise keep the disk full (the next run starts over)."""
    for tmp in out_dir.glob(".*.tmp"):
        if _OWN_TEMPORARY.fullmatch(tmp.name):
            tmp.unlink(missing_ok=True)
    parts_root = out_dir / PARTS
    if all_parts:
        shutil.rmtree(parts_root, ignore_errors=True)
    elif parts_root.is_dir():
        for tmp in parts_root.glob("*/.*.tmp*"):
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # ASCII: a file name that is not UTF-8 (a lone surrogate) round-trips as \udcXX
    tmp.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    os.replace(tmp, path)


class Progress:
    """tqdm on a terminal; otherwise a log line every ~5 s (and at the end);
    silent: nothing at all (--no-progress, --quiet)."""

    def __init__(self, total: int, initial: int = 0, show: bool | None = None, every: float = 5.0,
                 silent: bool = False):
        self.silent = silent
        self.show = False if silent else (sys.stderr.isatty() if show is None else show)
        self.total, self.done, self.claims, self.errors, self.chars = total, initial, 0, 0, 0
        self.every, self.t0 = every, time.monotonic()
        self.last = self.t0
        self.base = initial
        self.bar = tqdm(total=total, initial=initial, unit="article", dynamic_ncols=True) if self.show else None

    def update(self, articles: int, claims: int, errors: int, chars: int = 0) -> None:
        self.done += articles
        self.claims += claims
        self.errors += errors
        self.chars += chars
        if self.bar is not None:
            self.bar.update(articles)
            self.bar.set_postfix(claims=self.claims, errors=self.errors, refresh=False)
            return
        if self.silent:
            return
        now = time.monotonic()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            self.log_line(now)

    def log_line(self, now: float) -> None:
        elapsed = now - self.t0
        rate = (self.done - self.base) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        log.info("%d/%d articles, %d claims, %d errors, %.1f articles/s, ETA %s",
                 self.done, self.total, self.claims, self.errors, rate,
                 "-" if eta != eta else f"{eta:.0f}s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
