"""The ``catalogue`` command group and what its subcommands share: the lazily opened store,
the harvest HTTP client factory, exit codes, and the steps that follow a harvest.

The CLI is the composition root: it is the one place in ``catalogue/`` that reaches the
downstream layers (search index, web app), lazily inside the commands that need them, so the
store and pipeline never depend on them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from catalogue.config import Source
from catalogue.settings import Settings, SettingsError
from catalogue.source_check import FILE, CheckedSources, Problem, check_sources
from catalogue.store import Store

# Exit codes, documented in docs/operations.md.
EXIT_OK = 0
EXIT_SOME_FAILED = 3  # at least one source failed (others may have been harvested)
EXIT_ERRORS_IN_RECORDS = 0  # done-with-errors is a success for scheduling purposes
EXIT_USAGE = 2
EXIT_CHECK_FAILED = 4  # `catalogue check` found problems (run it with --repair)
EXIT_STORE_UNAVAILABLE = 5  # the store could not be read or written (down, full, read-only)

log = logging.getLogger("catalogue")


class Context:
    """Lazily opened resources shared by the subcommands."""

    def __init__(self, settings: Settings, sources_path: Path | None = None,
                 substitutions: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.sources_path = sources_path or settings.sources_path
        self.substitutions = substitutions or {}
        self._store: Store | None = None
        self._reader: Store | None = None
        self._checked: CheckedSources | None = None
        self.refused: list[Problem] = []

    @property
    def store(self) -> Store:
        if self._store is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._store = Store(self.settings.database_url)
            self._store.upgrade()
        return self._store

    @property
    def reader(self) -> Store:
        """The store opened read-only, for commands that only read (``report``, ``check``):
        they keep working on a full or read-only data dir."""
        if self._reader is None:
            url = self.settings.database_url
            if self._store is not None or (
                    url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists()):
                return self.store  # nothing to read yet: create it as before
            self._reader = Store(self.settings.database_url, read_only=True)
            self._reader.revision()  # fails here, clearly, if the store cannot be read
        return self._reader

    def checked(self) -> CheckedSources:
        """The sources file, checked once: good sources, and the problems of the others."""
        if self._checked is None:
            checked = check_sources(self.sources_path, self.substitutions)
            unreadable = [p for p in checked.problems if p.source == FILE and p.key is None]
            if unreadable:
                raise click.ClickException(str(unreadable[0]))
            self._checked = checked
        return self._checked

    def sources(self) -> list[Source]:
        """The sources that passed the check (the others are reported by :meth:`select`)."""
        return self.checked().sources

    def select(self, ids: tuple[str, ...]) -> list[Source]:
        """The sources to work on: ``ids``, or every enabled one. Those left out for a
        configuration mistake are kept in :attr:`refused` (see :meth:`report_refused`)."""
        checked = self.checked()
        by_id = {s.id: s for s in checked.sources}
        file_problems = [p for p in checked.problems if p.source == FILE]
        if not ids:
            self.refused = [*file_problems, *(p for p in checked.problems if p.source != FILE)]
            return [s for s in checked.sources if s.enabled]
        unknown = [i for i in ids if i not in by_id and i not in checked.skipped]
        if unknown:
            raise click.ClickException(
                f"unknown source(s): {', '.join(unknown)} (configured: "
                f"{', '.join([*by_id, *checked.skipped])})"
            )
        self.refused = [p for i in ids if i in checked.skipped for p in checked.problems_of(i)]
        return [by_id[i] for i in ids if i in by_id]

    def report_refused(self) -> int:
        """Print why sources were left out (French, one line a problem); how many sources."""
        for problem in self.refused:
            click.echo(f"{problem.source}: ignorée (configuration) — {problem}", err=True)
        return len({p.source for p in self.refused})


def make_http_factory(settings: Settings) -> Callable[[list[Source]], Any]:
    """HTTP clients allowed to fetch only the configured sources' hosts."""

    def factory(sources: list[Source]) -> Any:
        from harvesters.http import HttpClient

        return HttpClient(
            allowed_urls=[s.url for s in sources],
            # Partners who see our requests can read their harvest reports there.
            user_agent="catalogue-harvester/0.1"
            + (f" (+{settings.base_url}/partenaires)" if settings.base_url else ""),
            politeness_delay=settings.harvest_delay,
            max_retries=settings.harvest_retries,
            backoff_base=settings.harvest_backoff,
            total_timeout=settings.harvest_response_timeout,
            heartbeat_every=settings.harvest_heartbeat,
        )

    return factory


def sync_index(ctx: Context) -> None:
    """Bring the search index up to the store (a no-op if nothing changed)."""
    from search import open_index
    from search.sync import sync

    index = open_index(ctx.settings.search_url, ctx.settings.data_dir)
    try:
        sync(index, ctx.store)
    finally:
        index.close()


def write_dumps(ctx: Context) -> None:
    from catalogue.dumps import write_dumps as _write

    _write(ctx.store, ctx.settings.dumps_dir)


def store_failure(exc: BaseException) -> str:
    """One line for a store that cannot be reached: the driver's reason, no traceback."""
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {orig}".splitlines()[0]


def after_harvest(ctx: Context) -> None:
    """Derived data follows the store: index, then dumps. Failures here are reported, not fatal
    to the harvest: the store is the truth and `catalogue check --repair` rebuilds them."""
    for name, step in (("index", sync_index), ("dumps", write_dumps)):
        try:
            step(ctx)
        except ModuleNotFoundError as exc:
            log.debug("%s step unavailable: %s", name, exc)
        except Exception as exc:
            log.error("updating the %s failed: %s", name, exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sources", "sources_path", type=click.Path(path_type=Path), default=None,
              help="Sources file (default: $CATALOGUE_SOURCES or the bundled one).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.pass_context
def main(click_ctx: click.Context, sources_path: Path | None, verbose: bool) -> None:
    """Catalogue of educational resources: harvest partners, search, serve."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:  # names the variable: no traceback for a typo
        raise click.ClickException(str(exc)) from None
    click_ctx.obj = Context(settings, sources_path)
