"""The ``catalogue`` command.

This module is the composition root: it is the one place in ``catalogue/`` that reaches the
downstream layers (search index, web app), lazily inside the commands that need them, so the
store and pipeline never depend on them.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from catalogue.config import DEMO_SOURCES, ConfigError, Source, load_sources
from catalogue.settings import Settings, SettingsError
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

    def sources(self) -> list[Source]:
        try:
            return load_sources(self.sources_path, self.substitutions)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    def select(self, ids: tuple[str, ...]) -> list[Source]:
        sources = self.sources()
        if not ids:
            return [s for s in sources if s.enabled]
        by_id = {s.id: s for s in sources}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise click.ClickException(
                f"unknown source(s): {', '.join(unknown)} (configured: {', '.join(by_id)})"
            )
        return [by_id[i] for i in ids]


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


@main.command()
@click.pass_obj
def init(ctx: Context) -> None:
    """Create the store, or upgrade it to the newest schema keeping its data."""
    ctx.settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(ctx.settings.database_url)
    before = store.revision()
    store.upgrade()
    if before == "0001":  # facet rows appeared in 0002: derive them from the records
        from catalogue.pipeline import Mapper

        n = store.refresh_facets(Mapper().facets)
        click.echo(f"facets derived for {n} record(s)")
    if before in ("0001", "0002"):  # stored oai_dc fragments appeared in 0003
        click.echo(f"oai_dc rendered for {store.refresh_oai_dc()} record(s)")
    click.echo(f"store ready at revision {store.revision()} ({_safe_url(ctx.settings.database_url)})")


def _safe_url(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def vocabularies(as_json: bool) -> None:
    """Print the ScoLOMFR level tree and the current disciplines, with concept ids."""
    from schemas.vocabularies import format_trees, load_vocabulary

    vocab = load_vocabulary()
    if as_json:

        def node(n: Any) -> dict[str, Any]:
            return {"id": n.concept.id, "label": n.concept.label,
                    "children": [node(c) for c in n.children]}

        click.echo(json.dumps({
            "levels": [node(n) for n in vocab.level_tree()],
            "disciplines": [{"id": c.id, "label": c.label} for c in vocab.disciplines()],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(format_trees(vocab))


@main.command()
@click.argument("source_ids", nargs=-1)
@click.option("--full", is_flag=True, help="Re-read everything (and detect deletions by absence).")
@click.option("--dry-run", "dry_run", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show N mapped records without storing anything.")
@click.pass_obj
def harvest(ctx: Context, source_ids: tuple[str, ...], full: bool, dry_run: int | None) -> None:
    """Harvest the given sources (default: all enabled), incrementally unless --full."""
    sys.exit(run_harvest(ctx, source_ids, full=full, dry_run=dry_run))


def harvest_limits(settings: Settings) -> Any:
    from catalogue.budget import Limits

    return Limits(settings.harvest_max_pages, settings.harvest_max_records,
                  settings.harvest_max_seconds)


def store_failure(exc: BaseException) -> str:
    """One line for a store that cannot be reached: the driver's reason, no traceback."""
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {orig}".splitlines()[0]


def run_harvest(ctx: Context, source_ids: tuple[str, ...], *, full: bool = False,
                dry_run: int | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    sources = ctx.select(source_ids)
    try:
        return _harvest_sources(ctx, sources, full=full, dry_run=dry_run)
    except SQLAlchemyError as exc:  # the store is down before any source could start
        for source in sources:
            click.echo(f"{source.id}: failed — the store is unavailable: {store_failure(exc)}")
        return EXIT_STORE_UNAVAILABLE


def _harvest_sources(ctx: Context, sources: list[Source], *, full: bool,
                     dry_run: int | None) -> int:
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
            result = pipeline.harvest(source, full=full, dry_run=dry_run)
        except (StoreUnavailable, SQLAlchemyError) as exc:
            # One line per source, and the next source is tried: the store may be back.
            reason = str(exc) if isinstance(exc, StoreUnavailable) else store_failure(exc)
            click.echo(f"{source.id}: failed — the store is unavailable: {reason}")
            store_down += 1
            continue
        if tty:
            click.echo("", err=True)
        if dry_run is not None:
            for record in result.preview:
                click.echo(json.dumps(record, ensure_ascii=False, indent=2))
            if result.error:
                click.echo(f"{source.id}: {result.error}", err=True)
                failed += 1
            continue
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items() if v)
        click.echo(f"{source.id}: {result.status} ({counts or 'nothing'})"
                   + (f" — {result.error}" if result.error else ""))
        if result.status == "failed":
            failed += 1
    if store_down:
        return EXIT_STORE_UNAVAILABLE
    if dry_run is None:
        _after_harvest(ctx)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def progress_line(source_id: str, done: int, total: int | None, width: int = 30) -> str:
    """A terminal progress bar when the partner announces a total, a counter otherwise."""
    if total:
        share = min(done / total, 1.0)
        filled = int(share * width)
        return (f"{source_id} [{'#' * filled}{'.' * (width - filled)}] "
                f"{done}/{total} ({share:.0%})")
    return f"{source_id}: {done} enregistrements traités"


def _after_harvest(ctx: Context) -> None:
    """Derived data follows the store: index, then dumps. Failures here are reported, not fatal
    to the harvest: the store is the truth and `catalogue check --repair` rebuilds them."""
    for name, step in (("index", sync_index), ("dumps", write_dumps)):
        try:
            step(ctx)
        except ModuleNotFoundError as exc:
            log.debug("%s step unavailable: %s", name, exc)
        except Exception as exc:
            log.error("updating the %s failed: %s", name, exc)


@main.command()
@click.argument("source_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--history", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also list the source's last N runs.")
@click.pass_obj
def report(ctx: Context, source_id: str | None, as_json: bool, lang: str, history: int) -> None:
    """Print the last harvest run of each source (or of SOURCE_ID), with per-record errors and
    the source's open problems (records that failed in any run and are not fixed yet)."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalogue.reports import last_reports, render_report

    try:
        reports = last_reports(ctx.reader, source_id, history=history)
    except SQLAlchemyError as exc:
        click.echo(f"the store is unavailable: {store_failure(exc)}", err=True)
        sys.exit(EXIT_STORE_UNAVAILABLE)
    if source_id and not reports:
        raise click.ClickException(f"no harvest run for source {source_id!r}")
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(reports, lang))


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
    _after_harvest(ctx)


@main.command()
@click.argument("record_id", required=False)
@click.option("--level", "levels", multiple=True, help="Add a level (label or concept id).")
@click.option("--discipline", "disciplines", multiple=True, help="Add a discipline.")
@click.option("--remove", "removals", multiple=True,
              help="Remove a level or discipline (label or concept id), whatever its provenance.")
@click.option("--author", default=None, help="Who decides (kept with the curation).")
@click.option("--note", default=None)
@click.option("--import", "import_file", type=click.Path(exists=True, path_type=Path),
              help="CSV with columns record_id, field (level|discipline), action (add|remove), value.")
@click.option("--list", "list_all", is_flag=True,
              help="List every curation; with RECORD_ID, that record's levels and disciplines, "
                   "each with where it came from (the explanation of its resource page), and its "
                   "curations.")
@click.pass_obj
def curate(ctx: Context, record_id: str | None, levels: tuple[str, ...], disciplines: tuple[str, ...],
           removals: tuple[str, ...], author: str | None, note: str | None,
           import_file: Path | None, list_all: bool) -> None:
    """Correct a record's levels and disciplines; curations survive every re-harvest."""
    from catalogue.pipeline import Pipeline
    from schemas.vocabularies import load_vocabulary

    store = ctx.store
    if list_all:
        if record_id:
            _list_record(store, record_id, load_vocabulary())
            return
        for rid, items in store.curations().items():
            for c in items:
                click.echo(f"{rid}\t{c['field']}\t{c['action']}\t{c['concept']}\t"
                           f"{c['author'] or ''}\t{c['created_at']}")
        return
    vocab = load_vocabulary()

    def concept(field_name: str, value: str) -> str:
        found = (vocab.resolve(value)
                 or (vocab.match_level(value) if field_name == "level" else vocab.match_discipline(value)))
        if found is None or found.vocab != ("022" if field_name == "level" else "015"):
            raise click.ClickException(f"{value!r} is not a known {field_name}")
        return found.id

    def which_field(value: str) -> str:
        found = vocab.resolve(value)
        if found is not None:
            return "level" if found.vocab == "022" else "discipline"
        return "level" if vocab.match_level(value) else "discipline"

    operations: list[tuple[str, str, str, str]] = []
    if import_file:
        with import_file.open(encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    field_name, action = row["field"].strip(), row["action"].strip()
                    if field_name not in ("level", "discipline") or action not in ("add", "remove"):
                        raise ValueError("field must be level|discipline and action add|remove")
                    operations.append((row["record_id"].strip(), field_name, action,
                                       concept(field_name, row["value"].strip())))
                except (KeyError, ValueError, click.ClickException) as exc:
                    raise click.ClickException(f"{import_file}:{line_no}: {exc}") from exc
    elif record_id:
        operations += [(record_id, "level", "add", concept("level", v)) for v in levels]
        operations += [(record_id, "discipline", "add", concept("discipline", v)) for v in disciplines]
        for v in removals:
            f = which_field(v)
            operations.append((record_id, f, "remove", concept(f, v)))
        if not operations:
            raise click.UsageError("give --level, --discipline or --remove")
    else:
        raise click.UsageError("give a RECORD_ID, --import FILE or --list")

    pipeline = Pipeline(store, make_http_factory(ctx.settings))
    sources = {s.id: s for s in ctx.sources()}
    touched: dict[str, None] = {}
    for rid, field_name, action, concept_id in operations:
        if store.get(rid) is None:
            raise click.ClickException(f"no record {rid!r}")
        store.add_curation(rid, field_name, action, concept_id, author, note)
        touched[rid] = None
    for rid in touched:
        changed = pipeline.recurate(rid, sources)
        click.echo(f"{rid}: {'updated' if changed else 'unchanged'}")
    _after_harvest(ctx)


def _list_record(store: Any, record_id: str, vocab: Any) -> None:
    """One line per level and discipline: field, id, label, origin, French explanation."""
    from schemas.provenance import explain

    stored = store.get(record_id)
    if stored is None or stored.data is None:
        raise click.ClickException(f"no record {record_id!r}")
    for field_name, key in (("level", "levels"), ("discipline", "disciplines")):
        for entry in stored.data.get(key) or []:
            click.echo(f"{field_name}\t{entry['id']}\t{entry['label']}\t{entry['provenance']}\t"
                       f"{explain(entry, vocab)}")
    for c in store.curations([record_id]).get(record_id, []):
        click.echo(f"curation\t{c['field']}\t{c['action']}\t{c['concept']}\t{c['author'] or ''}\t"
                   f"{c['created_at']}")


@main.command()
@click.argument("source_id", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("--evaluate", "labels_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Measure levels and disciplines against a labelled TSV file (record id or "
                   "original identifier, acceptable levels, acceptable disciplines, kind).")
@click.option("--errors", "show_errors", is_flag=True,
              help="With --evaluate: also list the records whose values are wrong.")
@click.pass_obj
def quality(ctx: Context, source_id: str | None, as_json: bool, labels_path: Path | None,
            show_errors: bool) -> None:
    """Share of records with a level, a discipline, a licence, a description, a thumbnail.

    With --evaluate: coverage and precision of levels and disciplines on a labelled file,
    per origin (source, rule, inferred, default, curation) and per kind of record."""
    from catalogue.quality import ALIGNED, FRACTIONS, ORIGIN_KEYS
    from catalogue.quality import quality as compute

    if labels_path is not None:
        _evaluate(ctx, labels_path, source_id, as_json, show_errors)
        return
    figures = compute(ctx.store, source_id)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    rows = [("TOTAL", figures["total"]), *figures["sources"].items()]
    click.echo(f"{'source':28} {'records':>8} " + " ".join(f"{k[5:]:>11}" for k in FRACTIONS))
    for name, fig in rows:
        click.echo(f"{name:28} {fig['records']:>8} "
                   + " ".join(f"{fig[k] * 100:>10.1f}%" for k in FRACTIONS))
    click.echo("\n(level, discipline: not counting partner defaults)")
    for field, key in ALIGNED:
        click.echo(f"\nRecords by origin of their {field} (strongest origin per record):")
        click.echo(f"{'source id':28} " + " ".join(f"{o:>9}" for o in ORIGIN_KEYS))
        for name, fig in rows:
            click.echo(f"{name:28} " + " ".join(f"{fig[key][o]:>9}" for o in ORIGIN_KEYS))
    top = figures["total"]["unmatched_terms"][:10]
    if top:
        click.echo("\nMost frequent terms that matched no rule:")
        for item in top:
            click.echo(f"  {item['count']:>5}  {item['term']}")


def _evaluate(ctx: Context, path: Path, source_id: str | None, as_json: bool,
              show_errors: bool) -> None:
    from catalogue.evaluation import LabelError, evaluate, format_report, read_labels
    from schemas.vocabularies import load_vocabulary

    vocab = load_vocabulary()
    try:
        labels = read_labels(path, vocab)
    except LabelError as exc:
        raise click.ClickException(str(exc)) from None
    result = evaluate(ctx.store, labels, vocab, source_id)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(result, show_errors))


@main.command()
@click.option("--repair", is_flag=True,
              help="Rebuild what is derivable from the store (index, dumps, facets).")
@click.pass_obj
def check(ctx: Context, repair: bool) -> None:
    """Check the store (integrity, valid records) and that the index and dumps follow it."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalogue.check import CheckReport, check_dumps, check_store, repair_store

    report = CheckReport()
    try:
        store = ctx.store if repair else ctx.reader
        check_store(store, report)
        live = store.count_records()
        top = store.max_seq()
    except SQLAlchemyError as exc:  # a store that cannot be read is a problem found, not a crash
        click.echo(f"PROBLEM: the store is unavailable: {store_failure(exc)}")
        sys.exit(EXIT_CHECK_FAILED)
    try:
        from search import open_index

        index = open_index(ctx.settings.search_url, ctx.settings.data_dir)
        try:
            if index.count() != live:
                report.problems.append(f"index holds {index.count()} records, the store {live}")
            if index.last_seq != top:
                report.problems.append(f"index is at change {index.last_seq}, the store at {top}")
            sample = [s.id for _, s in zip(range(200), store.iter_records(include_deleted=True),
                                            strict=False)]
            for stored_id in sample:
                stored = store.get(stored_id)
                in_index = index.get(stored_id) is not None
                if stored is not None and in_index == stored.deleted:
                    report.problems.append(
                        f"record {stored_id} is {'deleted' if stored.deleted else 'live'} in the "
                        f"store but {'present' if in_index else 'absent'} in the index")
                    break
        finally:
            index.close()
    except ModuleNotFoundError:
        pass
    except Exception as exc:  # a damaged index is a problem to report and repair, not a crash
        report.problems.append(f"the search index cannot be read: {type(exc).__name__}: {exc}")
    check_dumps(ctx.settings.dumps_dir, live, report)
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    if repair:
        repair_store(store, report)
        from search import open_index
        from search.sync import rebuild

        index = open_index(ctx.settings.search_url, ctx.settings.data_dir)
        try:
            n = rebuild(index, store)
        finally:
            index.close()
        report.repairs.append(f"index rebuilt from the store ({n} records)")
        from catalogue.dumps import write_dumps as _write

        _write(ctx.store, ctx.settings.dumps_dir, force=True)  # even if the manifest looks current
        report.repairs.append("dumps regenerated")
        for repaired in report.repairs:
            click.echo(f"REPAIRED: {repaired}")
        return
    if report.ok:
        click.echo(f"ok: {live} live records, index and dumps follow the store (change {top})")
        return
    sys.exit(EXIT_CHECK_FAILED)


@main.command()
@click.pass_obj
def reindex(ctx: Context) -> None:
    """Rebuild the search index from the store while searches keep being answered."""
    from search import open_index
    from search.sync import rebuild

    index = open_index(ctx.settings.search_url, ctx.settings.data_dir)
    try:
        n = rebuild(index, ctx.store)
    finally:
        index.close()
    click.echo(f"index rebuilt: {n} records")


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


if __name__ == "__main__":  # pragma: no cover
    main()
