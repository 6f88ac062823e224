"""Batch run: discover articles, process each, stream the four tables.

A bad file never stops the batch: load problems, and any exception a stage
raises on one article, become rows of the errors table.
"""
from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .load import LoadError, discover, read_article
from .models import ArticleRow, ErrorRow
from .pipeline import Extractor
from .quantities import RuleTimeout
from .writer import TableWriter

log = logging.getLogger("extract")


@dataclass
class RunSummary:
    articles: int = 0
    claims: int = 0
    errors: int = 0
    skipped: int = 0


def run(input_dir: Path, out_dir: Path, extractor: Extractor, max_bytes: int = 20_000_000,
        progress: bool | None = None) -> RunSummary:
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    articles, skipped = discover(input_dir)
    writers = {name: TableWriter(out_dir, name) for name in ("claims", "articles", "entities", "errors")}
    summary = RunSummary(skipped=len(skipped))
    try:
        for path in skipped:
            rel = path.relative_to(input_dir).as_posix()
            writers["errors"].add([ErrorRow(path=rel, stage="skip", reason="not an article (.txt/.md): skipped")])
        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(articles, unit="article", disable=not show)
        for path in bar:
            rel = path.relative_to(input_dir).as_posix()
            result, error = process_path(extractor, path, rel, max_bytes)
            if error is not None:
                writers["errors"].add([error])
                summary.errors += 1
            if result is not None:
                writers["claims"].add(result.claims)
                writers["entities"].add(result.entities)
                writers["articles"].add([result.article])
                summary.claims += len(result.claims)
            summary.articles += 1
            bar.set_postfix(claims=summary.claims, errors=summary.errors)
            if not show and summary.articles % 1000 == 0:
                log.info("%d/%d articles, %d claims, %d errors", summary.articles, len(articles),
                         summary.claims, summary.errors)
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    for w in writers.values():
        w.commit()
    return summary


def process_path(extractor: Extractor, path: Path, rel: str, max_bytes: int):
    """(result, error row): an article that fails still gets an articles row with status error."""
    try:
        raw = read_article(path, rel, max_bytes)
    except LoadError as exc:
        return _failed(extractor, rel, "", 0), ErrorRow(path=rel, stage="load", reason=f"{exc.reason}: {exc}")
    try:
        return extractor.process(raw), None
    except RuleTimeout as exc:
        return _failed(extractor, rel, raw.sha256, len(raw.text)), ErrorRow(path=rel, stage="extract", reason=str(exc))
    except Exception as exc:  # one article's bug must not lose the batch
        log.debug("article %s failed:\n%s", rel, traceback.format_exc())
        return (_failed(extractor, rel, raw.sha256, len(raw.text)),
                ErrorRow(path=rel, stage="extract", reason=f"{type(exc).__name__}: {exc}"))


def _failed(extractor: Extractor, rel: str, sha: str, chars: int):
    from .pipeline import ArticleResult
    return ArticleResult(ArticleRow(path=rel, sha256=sha, chars=chars, claims=0, status="error",
                                    extractor_version=extractor.version))
