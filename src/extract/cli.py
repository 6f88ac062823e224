"""Command line: `extract run INPUT_DIR --out OUT_DIR` and friends."""
from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path

import click

from extract.runs.outlock import OutFolderBusy
from extract.stages.rules import RuleError
from extract.watchdog import DEFAULT_BUDGET_S

EXIT_ERRORS = 3   # the run finished, but some articles (or claims) are in the errors table


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="extract")
def main() -> None:
    """Numeric claims from Chinese school-education articles, as Parquet tables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)


@main.command()
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for claims/articles/entities/errors .parquet")
@click.option("--rules", "user_rules", type=click.Path(exists=True, file_okay=False, path_type=Path),
              multiple=True, help="Extra rules folder; a rule with a shipped id overrides it")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True,
              help="Larger files become errors rows")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when on a terminal)")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the machine's cores; 1 = in this process)")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local process pool, or a dask.distributed cluster")
@click.option("--scheduler", default=None, help="dask scheduler address (default: a LocalCluster)")
@click.option("--resume", is_flag=True, help="Continue an interrupted run, reusing its finished shards")
@click.option("--full", is_flag=True, help="Re-extract every article (ignore the previous output)")
@click.option("--shard-size", type=click.IntRange(min=1), default=None,
              help="Articles per shard (default: 50 shrinking to 5 toward the end, so workers finish together)")
@click.option("--budget", "budget_s", type=click.FloatRange(min=0), default=DEFAULT_BUDGET_S, show_default=True,
              help="Seconds of processing per article; an article over it becomes an errors row (0 = no limit)")
@click.option("--follow-symlinks", is_flag=True,
              help="Read symbolic links that point outside INPUT_DIR (default: listed as skipped)")
@click.option("--text-column", default=None, metavar="NAMES",
              help="Table column(s) holding the article text, tried in order [text|content|body]")
@click.option("--title-column", default=None, metavar="NAMES", help="Table title column(s) [title]")
@click.option("--date-column", default=None, metavar="NAMES",
              help="Table publication date column(s) [published|date|publish_time|pubdate]")
@click.option("--url-column", default=None, metavar="NAMES", help="Table URL column(s) [url|link]")
@click.option("--id-column", default=None, metavar="NAMES", help="Table id column(s), the article key [id]")
def run(input_dir: Path, out_dir: Path, user_rules: tuple[Path, ...], max_bytes: int, progress,
        workers, engine, scheduler, resume, full, shard_size, budget_s, follow_symlinks, text_column,
        title_column, date_column, url_column, id_column) -> None:
    """Extract claims from every article under INPUT_DIR: .txt/.md, web pages
    (.html/.htm) and tables with one article per row (.jsonl/.ndjson, .csv,
    .parquet; column options take NAMES as a|b|c).

    Exit status: 0 when every article was extracted, 3 when some are in the
    errors table with severity error (failed articles, dropped claims,
    unreadable folders), 1 when the run itself failed (message on stderr).
    """
    import os

    from extract.inputs.tables import Columns
    from extract.stages.rules import load_rules
    from extract.runs.parallel import WorkersLost
    from extract.runs.run import BadOutFolder, run as run_batch
    from extract.runs.writer import arrow_without_pandas

    if engine == "local":   # dask brings its own pandas use
        arrow_without_pandas()

    given = {"text": text_column, "title": title_column, "date": date_column, "url": url_column,
             "id": id_column}
    columns = Columns(**{k: tuple(n.strip() for n in v.split("|") if n.strip())
                         for k, v in given.items() if v})

    try:
        rules = load_rules(list(user_rules))
    except RuleError as exc:
        raise click.ClickException(f"broken rule file: {exc}") from exc
    for line in rules.overridden:
        click.echo(f"override: {line}", err=True)
    cores = os.cpu_count() or 1
    if workers and workers > cores and not scheduler:
        click.echo(f"warning: -j {workers} is more than this machine's {cores} cores: each worker holds "
                   f"~400 MB and they share the cores, so this is slower than -j {cores}", err=True)
    workers = workers or cores
    extractor = None
    if workers == 1 and engine == "local":
        from extract.pipeline import Extractor
        extractor = Extractor(rules=rules)
    try:
        summary = run_batch(input_dir, out_dir, extractor, max_bytes=max_bytes, progress=progress,
                            workers=workers, engine=engine, scheduler=scheduler, resume=resume, full=full,
                            rules=rules, shard_size=shard_size, budget_s=budget_s or None,
                            follow_symlinks=follow_symlinks, columns=columns)
    except (OutFolderBusy, BadOutFolder, WorkersLost) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(os_error_message(exc, out_dir)) from exc
    click.echo(f"{summary.articles} articles ({summary.processed} processed, {summary.carried} unchanged, "
               f"{summary.resumed} resumed), {summary.claims} claims, {summary.errors} errors, "
               f"{summary.warnings} warnings, {summary.skipped} skipped -> {out_dir}", err=True)
    if summary.errors:
        sys.exit(EXIT_ERRORS)


def os_error_message(exc: OSError, out_dir: Path) -> str:
    """A sentence for the failures a user can fix, instead of a traceback."""
    where = exc.filename or out_dir
    if exc.errno == errno.ENOSPC:
        return (f"no space left on the device of {out_dir} (while writing {where}); the run's temporary "
                f"files were removed: free some space and run again")
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded while writing {where}; the run's temporary files were removed"
    if isinstance(exc, PermissionError):
        return f"permission denied: {where} (is --out {out_dir} writable?)"
    if exc.errno == errno.EROFS:
        return f"read-only file system: cannot write {where}"
    return f"{exc.strerror or exc}: {where}"


# Further command groups register themselves on `main` (one import each).
from extract.authoring.tools import register as _register_authoring; _register_authoring(main)  # noqa: E402
from extract.report.query import register as _register_query; _register_query(main)  # noqa: E402
from extract.authoring.docs_tables import register as _register_docs; _register_docs(main)  # noqa: E402
from extract.report.page import register as _register_report; _register_report(main)  # noqa: E402
