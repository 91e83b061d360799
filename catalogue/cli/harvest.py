"""``catalogue harvest`` and ``catalogue renormalize``: thin adapters over the pipeline."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from catalogue.cli.app import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_STORE_UNAVAILABLE,
    Context,
    after_harvest,
    log,
    main,
    make_http_factory,
    store_failure,
)
from catalogue.config import Source
from catalogue.settings import Settings


@main.command()
@click.argument("source_ids", nargs=-1)
@click.option("--full", is_flag=True, help="Re-read everything (and detect deletions by absence).")
@click.option("--dry-run", "dry_run", type=click.IntRange(min=1), default=None, metavar="N",
              help="Preview N mapped records (French table and counts); store nothing, read "
                   "only the pages needed; exit 3 when nothing can be mapped.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: compact JSON, one line "
              "per source.")
@click.pass_obj
def harvest(ctx: Context, source_ids: tuple[str, ...], full: bool, dry_run: int | None,
            as_json: bool) -> None:
    """Harvest the given sources (default: all enabled), incrementally unless --full.

    Sources whose configuration is wrong are reported and skipped (exit 3), the others run."""
    if as_json and dry_run is None:
        raise click.UsageError("--json goes with --dry-run")
    sys.exit(run_harvest(ctx, source_ids, full=full, dry_run=dry_run, as_json=as_json))


def harvest_limits(settings: Settings) -> Any:
    from catalogue.budget import Limits

    return Limits(settings.harvest_max_pages, settings.harvest_max_records,
                  settings.harvest_max_seconds)


def run_harvest(ctx: Context, source_ids: tuple[str, ...], *, full: bool = False,
                dry_run: int | None = None, as_json: bool = False) -> int:
    """Harvest (or preview) the selected sources; a source refused for its configuration makes
    the exit status 3 even when every other source ran well."""
    from sqlalchemy.exc import SQLAlchemyError

    sources = ctx.select(source_ids)
    refused = ctx.report_refused()
    if dry_run is not None:
        code = run_preview(ctx, sources, dry_run, as_json)
    else:
        try:
            code = _harvest_sources(ctx, sources, full=full)
        except SQLAlchemyError as exc:  # the store is down before any source could start
            for source in sources:
                click.echo(f"{source.id}: failed — the store is unavailable: {store_failure(exc)}")
            return EXIT_STORE_UNAVAILABLE
    return EXIT_SOME_FAILED if refused and code == EXIT_OK else code


def run_preview(ctx: Context, sources: list[Source], limit: int, as_json: bool) -> int:
    """``--dry-run``: no store is opened, so nothing at all is written."""
    from catalogue.pipeline import Mapper
    from catalogue.preview import as_json as preview_json
    from catalogue.preview import preview, render

    mapper = Mapper()
    http_factory = make_http_factory(ctx.settings)
    code = EXIT_OK
    for number, source in enumerate(sources):
        result = preview(source, http_factory([source]), limit, mapper)
        if as_json:
            click.echo(json.dumps(preview_json(result), ensure_ascii=False))
        else:
            click.echo(("\n" if number else "") + render(result))
        if not result.ok:
            code = EXIT_SOME_FAILED
    return code


def _harvest_sources(ctx: Context, sources: list[Source], *, full: bool) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from catalogue.pipeline import Pipeline, StoreUnavailable

    tty = sys.stderr.isatty()

    def progress(source_id: str, done: int, total: int | None) -> None:
        if tty:
            click.echo("\r" + progress_line(source_id, done, total), nl=False, err=True)
        else:
            log.info("%s: %d records processed%s", source_id, done,
                     f" of {total}" if total else "")

    pipeline = Pipeline(ctx.store, make_http_factory(ctx.settings), progress=progress,
                        workers=ctx.settings.harvest_workers, limits=harvest_limits(ctx.settings))
    pipeline.register(ctx.sources())
    failed = 0
    store_down = 0
    for source in sources:
        try:
            result = pipeline.harvest(source, full=full)
        except (StoreUnavailable, SQLAlchemyError) as exc:
            # One line per source, and the next source is tried: the store may be back.
            reason = str(exc) if isinstance(exc, StoreUnavailable) else store_failure(exc)
            click.echo(f"{source.id}: failed — the store is unavailable: {reason}")
            store_down += 1
            continue
        if tty:
            click.echo("", err=True)
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items() if v)
        click.echo(f"{source.id}: {result.status} ({counts or 'nothing'})"
                   + (f" — {result.error}" if result.error else ""))
        if result.status == "failed":
            failed += 1
    if store_down:
        return EXIT_STORE_UNAVAILABLE
    after_harvest(ctx)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def progress_line(source_id: str, done: int, total: int | None, width: int = 30) -> str:
    """A terminal progress bar when the partner announces a total, a counter otherwise."""
    if total:
        share = min(done / total, 1.0)
        filled = int(share * width)
        return (f"{source_id} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done}/{total} ({share:.0%})")
    return f"{source_id}: {done} enregistrements traités"


@main.command()
@click.argument("source_ids", nargs=-1)
@click.pass_obj
def renormalize(ctx: Context, source_ids: tuple[str, ...]) -> None:
    """Re-map stored raw records with the current readers and rules, without the network."""
    from catalogue.pipeline import Pipeline

    pipeline = Pipeline(ctx.store, make_http_factory(ctx.settings))
    for source in ctx.select(source_ids):
        counts = pipeline.renormalize(source)
        click.echo(f"{source.id}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"))
    after_harvest(ctx)
