"""``catalogue sources check [SOURCE] [--remote]``: the sources file checked before anything
runs (``catalogue.source_check``), and with ``--remote`` the servers asked whether the configured
format, set or queryable exist (``harvesters.probe``). French output: partners read it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from catalogue.cli.app import EXIT_OK, EXIT_SOME_FAILED, Context, main, make_http_factory
from catalogue.source_check import check_sources, render


@main.group()
def sources() -> None:
    """The sources file: check it before harvesting."""


@sources.command("check")
@click.argument("source_id", required=False)
@click.option("--remote", is_flag=True,
              help="Also ask each server (OAI-PMH Identify, ListMetadataFormats, ListSets; CSW "
                   "GetCapabilities; the first page of the others).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def check_sources_command(ctx: Context, source_id: str | None, remote: bool,
                          as_json: bool) -> None:
    """Check every source (or SOURCE_ID): keys, types, formats. Exit 3 on any problem."""
    from harvesters.probe import probe

    checked = check_sources(ctx.sources_path, ctx.substitutions)
    known = [s.id for s in checked.sources] + checked.skipped
    if source_id and source_id not in known:
        raise click.ClickException(f"source inconnue : {source_id} (sources : {', '.join(known)})")
    problems = checked.problems_of(source_id) if source_id else checked.problems
    remote_findings: dict[str, list[Any]] = {}
    if remote:
        factory = make_http_factory(ctx.settings)
        for source in checked.sources:
            if source_id in (None, source.id):
                remote_findings[source.id] = probe(source.spec(), factory([source]))
    remote_bad = any(not f.ok for found in remote_findings.values() for f in found)
    if as_json:
        click.echo(json.dumps({
            "file": str(ctx.sources_path),
            "valid": [s.id for s in checked.sources if source_id in (None, s.id)],
            "skipped": [s for s in checked.skipped if source_id in (None, s)],
            "problems": [p.as_dict() for p in problems],
            "remote": {sid: [{"ok": f.ok, "key": f.key, "message": f.message} for f in found]
                       for sid, found in remote_findings.items()},
        }, ensure_ascii=False))
    else:
        click.echo(render(checked, ctx.sources_path, source_id))
        for sid, found in remote_findings.items():
            click.echo(f"\n{sid} — serveur :")
            for finding in found:
                click.echo(f"  {finding}")
    sys.exit(EXIT_SOME_FAILED if problems or remote_bad else EXIT_OK)
