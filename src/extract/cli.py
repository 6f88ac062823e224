"""Command line: `extract run INPUT_DIR --out OUT_DIR` and friends."""
from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path

import click

from extract.config import column_options, columns_from
from extract.runs.outlock import OutFolderBusy
from extract.stages.rules import RuleError
from extract.watchdog import DEFAULT_BUDGET_S

EXIT_ERRORS = 3   # the run finished, but some articles (or claims) are in the errors table


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="extract")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Corpus configuration (default: ./extract.toml, else [tool.extract] in ./pyproject.toml)")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """Numeric claims from Chinese school-education articles, as Parquet tables.

    Defaults for every command (input and output folders, rules folders,
    table columns, workers, budget) come from ./extract.toml or the
    [tool.extract] table of ./pyproject.toml; a flag overrides them.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    from extract import config
    try:
        cfg = config.load(config_path)
    except config.ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc
    ctx.obj = cfg
    if cfg.path is not None:
        ctx.default_map = cfg.default_map()


@main.command()
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="INPUT_DIR")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for claims/articles/entities/errors .parquet")
@click.option("--rules", "user_rules", type=click.Path(exists=True, file_okay=False, path_type=Path),
              multiple=True, help="Extra rules folder; a rule with a shipped id overrides it")
@click.option("--max-bytes", type=int, default=20_000_000, show_default=True,
              help="Larger files become errors rows")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar; --no-progress: no bar and no progress log lines (default: a bar on a terminal, "
                   "else a log line every 5 s)")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing but errors: no progress, no log lines, no summary (the exit status tells)")
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
@click.option("--skip-tables-without-text", is_flag=True,
              help="List a table with none of the text columns as an errors row and go on (default: stop "
                   "before changing OUT)")
@column_options
def run(input_dir: Path, out_dir: Path, user_rules: tuple[Path, ...], max_bytes: int, progress, quiet,
        workers, engine, scheduler, resume, full, shard_size, budget_s, follow_symlinks,
        skip_tables_without_text, text_column, title_column, date_column, url_column, id_column) -> None:
    """Extract claims from every article under INPUT_DIR: .txt/.md, web pages
    (.html/.htm) and tables with one article per row (.jsonl/.ndjson, .csv,
    .parquet; column options take NAMES as a|b|c).

    Exit status: 0 when every article was extracted, 3 when some are in the
    errors table with severity error (failed articles, dropped claims,
    unreadable folders), 1 when the run itself failed (message on stderr),
    e.g. a table with none of the text columns.
    """
    import os

    from extract.inputs.tables import MissingTextColumn
    from extract.runs.errorkinds import format_kinds, read_kinds
    from extract.stages.rules import load_rules
    from extract.runs.parallel import WorkersLost
    from extract.runs.run import BadOutFolder, run as run_batch
    from extract.runs.writer import arrow_without_pandas

    if engine == "local":   # dask brings its own pandas use
        arrow_without_pandas()
    if quiet:
        logging.getLogger().setLevel(logging.WARNING)   # ours
        # dask.distributed sets its loggers' levels from its config when imported, here and
        # in its worker processes: the environment reaches both. Critical only: at shutdown a
        # worker may log a lost heartbeat as an ERROR (a race inside dask, the run is complete);
        # what went wrong with the run itself is reported by extract, with exit status 3.
        os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
        logging.getLogger("distributed").setLevel(logging.CRITICAL)

    columns = columns_from(text_column, title_column, date_column, url_column, id_column)

    try:
        rules = load_rules(list(user_rules))
    except RuleError as exc:
        raise click.ClickException(f"broken rule file: {exc}") from exc
    for line in rules.overridden if not quiet else ():
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
        summary = run_batch(input_dir, out_dir, extractor, max_bytes=max_bytes,
                            progress=False if quiet else progress, quiet=quiet or progress is False,
                            workers=workers, engine=engine, scheduler=scheduler, resume=resume, full=full,
                            rules=rules, shard_size=shard_size, budget_s=budget_s or None,
                            follow_symlinks=follow_symlinks, columns=columns,
                            skip_tables_without_text=skip_tables_without_text)
    except (OutFolderBusy, BadOutFolder, WorkersLost, MissingTextColumn) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(os_error_message(exc, out_dir)) from exc
    kinds = read_kinds(out_dir) if summary.errors or summary.warnings or summary.skipped else []
    if quiet:   # only what made the exit status 3
        kinds = [k for k in kinds if k.severity == "error"]
    if kinds:
        click.echo(format_kinds(kinds), err=True)
    if not quiet:
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
