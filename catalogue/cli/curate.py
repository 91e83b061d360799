"""``catalogue curate``: the editorial team's corrections of levels and disciplines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from catalogue.cli.app import Context, after_harvest, main, make_http_factory
from catalogue.curation import CurationError, from_values, read_csv


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
    try:
        if import_file:
            operations = read_csv(import_file, vocab)
        elif record_id:
            operations = from_values(vocab, record_id, levels, disciplines, removals)
            if not operations:
                raise click.UsageError("give --level, --discipline or --remove")
        else:
            raise click.UsageError("give a RECORD_ID, --import FILE or --list")
    except CurationError as exc:
        raise click.ClickException(str(exc)) from None

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
    after_harvest(ctx)


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
