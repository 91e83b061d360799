"""Store and index upkeep: ``init``, ``vocabularies``, ``check``, ``reindex``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from catalogue.cli.app import EXIT_CHECK_FAILED, Context, main, store_failure
from catalogue.store import Store


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
