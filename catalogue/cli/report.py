"""``catalogue report`` and ``catalogue quality``: what the store says about the harvests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from catalogue.cli.app import EXIT_STORE_UNAVAILABLE, Context, main, store_failure


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
