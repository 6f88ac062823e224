"""Command line: `extract run INPUT_DIR --out OUT_DIR` and friends."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .rules import RuleError


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
def run(input_dir: Path, out_dir: Path, user_rules: tuple[Path, ...], max_bytes: int, progress,
        workers, engine, scheduler, resume, full, shard_size) -> None:
    """Extract claims from every .txt/.md article under INPUT_DIR."""
    import os

    from .rules import load_rules
    from .run import run as run_batch

    try:
        rules = load_rules(list(user_rules))
    except RuleError as exc:
        raise click.ClickException(f"broken rule file: {exc}") from exc
    for line in rules.overridden:
        click.echo(f"override: {line}", err=True)
    workers = workers or os.cpu_count() or 1
    extractor = None
    if workers == 1 and engine == "local":
        from .pipeline import Extractor
        extractor = Extractor(rules=rules)
    summary = run_batch(input_dir, out_dir, extractor, max_bytes=max_bytes, progress=progress,
                        workers=workers, engine=engine, scheduler=scheduler, resume=resume, full=full,
                        rules=rules, shard_size=shard_size)
    click.echo(f"{summary.articles} articles ({summary.processed} processed, {summary.carried} unchanged, "
               f"{summary.resumed} resumed), {summary.claims} claims, {summary.errors} errors, "
               f"{summary.skipped} skipped -> {out_dir}", err=True)


# Further command groups register themselves on `main` (one import each).
from .authoring import register as _register_authoring; _register_authoring(main)  # noqa: E402
from .query import register as _register_query; _register_query(main)  # noqa: E402
from .docs_tables import register as _register_docs; _register_docs(main)  # noqa: E402
from .report import register as _register_report; _register_report(main)  # noqa: E402
