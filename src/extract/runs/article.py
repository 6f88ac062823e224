"""One article through the pipeline, as a run's shard processes it: the
article's result and its errors rows.  A bad article never stops the batch:
load problems, an article over its time budget, a slow rule and any
exception a stage raises become errors rows (and an articles row with status
error).

Used by the shard workers (runs/parallel.py) and, through them, by every
engine; runs/run.py re-exports `process_path` and `process_row`.
"""
from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from extract import watchdog
from extract.inputs import FILE_FORMATS, read_file_article
from extract.inputs.load import LoadError, RawArticle
from extract.inputs.tables import TableRow
from extract.models import ArticleRow, ErrorRow
from extract.stages.quantities import RuleTimeout

if TYPE_CHECKING:   # the pipeline (jieba, the gazetteer) loads only where articles are processed
    from extract.pipeline import ArticleResult, Extractor

log = logging.getLogger("extract")


def process_path(extractor: Extractor, path: Path, rel: str, max_bytes: int,
                 budget_s: float | None = None) -> tuple[ArticleResult, list[ErrorRow]]:
    """(result, errors rows): an article that fails still gets an articles row with
    status error; one that is kept may still bring warnings (bytes replaced while
    decoding) or claims dropped by validation.  `budget_s` bounds its time."""
    fmt = FILE_FORMATS.get(path.suffix.lower(), "txt")
    return _process(extractor, rel, lambda: read_file_article(path, rel, max_bytes), budget_s, fmt)


def process_row(extractor: Extractor, row: TableRow,
                budget_s: float | None = None) -> tuple[ArticleResult, list[ErrorRow]]:
    """(result, errors rows) for one table row, each errors row naming the file
    and row: a row that is no article (empty or non-string text) fails; an
    unusable date is a warning (the row is extracted without it)."""
    where = {"file": row.file, "row": row.row}
    if row.error is not None:
        return (failed(extractor, row.key, row.sha256, 0, row),
                [ErrorRow(path=row.key, stage="load", reason=f"{row.file} row {row.row}: {row.error}", **where)])
    result, errors = _process(extractor, row.key, row.to_raw, budget_s, row.input_format)
    if result.article.status == "error":  # keep the row's metadata on its failed articles row
        result = failed(extractor, row.key, row.sha256, len(row.text or ""), row)
    errors = [e.model_copy(update={"reason": f"{row.file} row {row.row}: {e.reason}", **where}) for e in errors]
    if row.warning is not None:
        errors.insert(0, ErrorRow(path=row.key, stage="load", severity="warning",
                                  reason=f"{row.file} row {row.row}: {row.warning}", **where))
    return result, errors


def _process(extractor: Extractor, rel: str, load: Callable[[], RawArticle], budget_s: float | None,
             fmt: str) -> tuple[ArticleResult, list[ErrorRow]]:
    raw = None
    try:
        with watchdog.budget(budget_s):
            raw = load()
            result = extractor.process(raw)
    except LoadError as exc:
        return (failed(extractor, rel, "", 0, fmt=fmt),
                [ErrorRow(path=rel, stage="load", reason=f"{exc.reason}: {exc}")])
    except watchdog.BudgetExceeded as exc:
        sha, chars = (raw.sha256, len(raw.text)) if raw is not None else ("", 0)
        return failed(extractor, rel, sha, chars, fmt=fmt), [ErrorRow(path=rel, stage="extract", reason=str(exc))]
    except RuleTimeout as exc:
        return (failed(extractor, rel, raw.sha256, len(raw.text), fmt=fmt),
                [ErrorRow(path=rel, stage="extract", reason=str(exc))])
    except Exception as exc:  # one article's bug must not lose the batch
        log.debug("article %s failed:\n%s", rel, traceback.format_exc())
        sha, chars = (raw.sha256, len(raw.text)) if raw is not None else ("", 0)
        return (failed(extractor, rel, sha, chars, fmt=fmt),
                [ErrorRow(path=rel, stage="extract", reason=f"{type(exc).__name__}: {exc}")])
    warnings = [ErrorRow(path=rel, stage="load", severity="warning", reason=w) for w in raw.warnings]
    return result, warnings + result.errors


def failed(extractor: Extractor, rel: str, sha: str, chars: int, row: TableRow | None = None,
            fmt: str = "txt"):
    from extract.pipeline import ArticleResult
    where = {"input_format": fmt} if row is None else {
        "input_format": row.input_format, "file": row.file, "row": row.row, "url": row.url, "title_given": row.title}
    return ArticleResult(ArticleRow(path=rel, sha256=sha, chars=chars, claims=0, status="error",
                                    extractor_version=extractor.version, **where))
