"""``catalogue serve`` and ``catalogue demo``: the web server, and the demo catalogue."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from catalogue.cli.app import Context, log, main, store_failure
from catalogue.cli.harvest import run_harvest
from catalogue.config import DEMO_SOURCES


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.pass_obj
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the web interface, the API and OAI-PMH (gunicorn, production mode)."""
    from dataclasses import replace

    from sqlalchemy.exc import SQLAlchemyError

    from web.server import run_server

    try:
        ctx.store  # noqa: B018  (create/upgrade the store before the workers start)
    except SQLAlchemyError as exc:  # full or read-only data dir: the web only reads
        log.warning("the store cannot be written (%s): serving it read-only", store_failure(exc))
    run_server(host, port, workers, replace(ctx.settings, sources_path=ctx.sources_path))


@contextmanager
def _simulator() -> Iterator[str]:
    from catalogue.simulator import Simulator

    sim = Simulator()
    base = sim.start()
    try:
        yield base
    finally:
        sim.stop()


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="Build the demo catalogue and stop.")
@click.pass_obj
def demo(ctx: Context, port: int, host: str, no_serve: bool) -> None:
    """Start the partner simulator, harvest every demo source over HTTP, then serve."""
    with _simulator() as base:
        demo_ctx = Context(ctx.settings, DEMO_SOURCES, {"simulator": base})
        code = run_harvest(demo_ctx, ())
        click.echo(f"demo catalogue built in {ctx.settings.data_dir} (exit {code})")
    if no_serve:
        sys.exit(code)
    from web.server import run_server

    click.echo(f"serving on http://{host}:{port}/")
    run_server(host, port, 2, ctx.settings)
