"""`catalogue sources check`, bad sources skipped by `harvest`, runs that store nothing, and the
`--dry-run` preview (issue 18.3, 18.4): the command as an operator runs it, over HTTP against
the partner simulator."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from catalogue.simulator import Simulator
from tests.pipeline.test_cli import run, store_of


def add_sources(env: dict[str, str], simulator: Simulator, text: str) -> None:
    path = Path(env["CATALOGUE_SOURCES"])
    path.write_text(path.read_text(encoding="utf-8")
                    + text.replace("{simulator}", simulator.url("").rstrip("/")), encoding="utf-8")


def oai_source(sid: str, body: str) -> str:
    return (f'\n[[source]]\nid = "{sid}"\nname = "Gallica ({sid})"\npartner = "bnf"\n'
            f'protocol = "oai-pmh"\nurl = "{{simulator}}/bnf/oai"\n{body}\n')


MARCXML = oai_source("bnf-marcxml", 'metadata_prefix = "marcxml"')
TYPOS = oai_source("bnf-typos", 'metadataPrefix = "oai_dc"\nsets = "gallica"\n'
                                 '[source.default]\nlevels = ["collège"]')


def test_sources_check_good_and_bad_file(cli_env: dict[str, str], simulator: Simulator) -> None:
    good = run(cli_env, "sources", "check")
    assert "4 source(s) valide(s), 0 ignorée(s)" in good.stdout
    add_sources(cli_env, simulator, MARCXML + TYPOS)
    bad = run(cli_env, "sources", "check", check=False)
    assert bad.returncode == 3, bad.stdout + bad.stderr
    assert "4 source(s) valide(s), 2 ignorée(s)" in bad.stdout
    assert ("source « bnf-typos », clé « metadataPrefix » : clé inconnue — vouliez-vous dire "
            "« metadata_prefix » ?") in bad.stdout
    assert "clé « [source.default] »" in bad.stdout and "« set » ?" in bad.stdout
    assert "source « bnf-marcxml », clé « metadata_prefix » : aucun lecteur" in bad.stdout
    one = json.loads(run(cli_env, "sources", "check", "bnf-marcxml", "--json", check=False).stdout)
    assert one["skipped"] == ["bnf-marcxml"] and one["valid"] == []
    assert [p["key"] for p in one["problems"]] == ["metadata_prefix"]
    assert not Path(cli_env["CATALOGUE_DATA_DIR"], "catalogue.db").exists()  # no store needed


def test_remote_check_asks_the_oai_server(cli_env: dict[str, str], simulator: Simulator) -> None:
    add_sources(cli_env, simulator, oai_source("bnf-set", 'set = "galica"')
                + oai_source("bnf-lom", 'metadata_prefix = "lom"\nset = "gallica"'))
    checked = run(cli_env, "sources", "check", "--remote", "--json", check=False)
    assert checked.returncode == 3
    remote = json.loads(checked.stdout)["remote"]
    assert all(f["ok"] for f in remote["bnf-gallica"]) and len(remote["bnf-gallica"]) == 3
    assert all(f["ok"] for f in remote["ina-jalons"])  # its first page, read by its client
    bad_set = {f["key"]: f for f in remote["bnf-set"]}["set"]
    assert not bad_set["ok"] and "vouliez-vous dire « gallica » ?" in bad_set["message"]
    lom = {f["key"]: f for f in remote["bnf-lom"]}
    assert not lom["metadata_prefix"]["ok"] and "(formats proposés : oai_dc)" in \
        lom["metadata_prefix"]["message"]
    assert lom["set"]["ok"]
    verbs = {r.params.get("verb") for r in simulator.requests if r.path == "/bnf/oai"}
    assert verbs == {"Identify", "ListMetadataFormats", "ListSets"}  # nothing harvested


def test_a_bad_source_is_skipped_the_others_run(cli_env: dict[str, str],
                                                simulator: Simulator) -> None:
    add_sources(cli_env, simulator, MARCXML)
    everything = run(cli_env, "harvest", check=False)
    assert everything.returncode == 3, everything.stdout + everything.stderr
    assert "bnf-marcxml: ignorée (configuration)" in everything.stderr
    assert "clé « metadata_prefix »" in everything.stderr
    counts = store_of(cli_env).counts_by_source()
    assert set(counts) == {"bnf-gallica", "ign-geoplateforme", "meteofrance-datagouv",
                           "ina-jalons"}
    assert "bnf-marcxml" not in {s["id"] for s in store_of(cli_env).sources()}
    other = run(cli_env, "harvest", "ina-jalons")  # the bad source is not asked for: exit 0
    assert "ina-jalons: done" in other.stdout and "bnf-marcxml" not in other.stderr
    asked = run(cli_env, "harvest", "bnf-marcxml", "ina-jalons", check=False)
    assert asked.returncode == 3 and "ina-jalons: done" in asked.stdout


def test_a_run_that_stores_nothing_fails(cli_env: dict[str, str], simulator: Simulator) -> None:
    add_sources(cli_env, simulator, oai_source("bnf-set", 'set = "galica"'))
    empty = run(cli_env, "harvest", "bnf-set", check=False)
    assert empty.returncode == 3, empty.stdout + empty.stderr
    assert "bnf-set: failed" in empty.stdout and "le set « galica » ne renvoie aucune notice" \
        in empty.stdout
    report = run(cli_env, "report", "bnf-set").stdout
    assert "échec" in report and "galica" in report
    # Every record failing (here: titles gone at the partner) fails the run, first or not.
    for identifier in simulator.identifiers("ina"):
        simulator.update_record("ina", identifier, title="")
    failed = run(cli_env, "harvest", "ina-jalons", check=False)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert "ina-jalons: failed (failed 8)" in failed.stdout
    assert "source « ina-jalons » : aucune notice enregistrée, 8 échec(s)" in failed.stdout
    # After a successful run, a quiet incremental run that lists nothing is done.
    run(cli_env, "harvest", "bnf-gallica")
    quiet = run(cli_env, "harvest", "bnf-gallica")
    assert "bnf-gallica: done" in quiet.stdout


def snapshot(db: Path) -> list[object]:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"select * from {name} order by 1").fetchall()
                for name in ("sources", "harvest_runs", "records", "raw_records")]


def test_dry_run_preview_stores_nothing(cli_env: dict[str, str], simulator: Simulator) -> None:
    fresh = run(cli_env, "harvest", "bnf-gallica", "--dry-run", "5")
    assert not Path(cli_env["CATALOGUE_DATA_DIR"], "catalogue.db").exists()  # not even created
    out = fresh.stdout
    assert out.startswith("Aperçu de bnf-gallica (rien n'est enregistré)")
    assert "5 notice(s) convertie(s), 0 en échec (1 page(s) lue(s))" in out
    assert "   niveaux     : " in out and "[par défaut]" in out and "licence     : " in out
    assert len(out.splitlines()) < 40
    assert [r.params.get("verb") for r in simulator.requests] == ["ListRecords"]  # one page

    run(cli_env, "harvest", "ina-jalons")
    db = Path(cli_env["CATALOGUE_DATA_DIR"], "catalogue.db")
    before = snapshot(db)
    simulator.clear_requests()
    data = run(cli_env, "harvest", "meteofrance-datagouv", "--dry-run", "2", "--json").stdout
    assert snapshot(db) == before  # no source row, no run, no record
    assert len(data.splitlines()) == 1
    preview = json.loads(data)
    assert preview["mapped"] == 2 and len(preview["records"]) == 2 and preview["ok"]
    assert {"title", "levels", "disciplines", "licence"} <= set(preview["records"][0])
    assert preview["records"][0]["levels"][0]["origin"] in ("source", "rule", "inferred",
                                                             "default")
    # Pages of 2 asked for 2 records (the source's own pages hold 4), as many as needed (one of
    # the first records has no title): not the listing's 6 pages.
    sizes = [r.params.get("page_size") for r in simulator.requests]
    assert sizes == ["2"] * preview["pages"] and preview["pages"] == 2
    assert preview["failures"][0]["reason"] == "no title"


def test_dry_run_fails_when_nothing_maps(cli_env: dict[str, str], simulator: Simulator) -> None:
    for identifier in simulator.identifiers("ina"):
        simulator.update_record("ina", identifier, title="")
    proc = run(cli_env, "harvest", "ina-jalons", "--dry-run", "5", check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "0 notice(s) convertie(s), 8 en échec" in proc.stdout
    assert "échec [conversion] InaEdu" in proc.stdout and "Aucune notice n'a pu être convertie" \
        in proc.stdout
    add_sources(cli_env, simulator, MARCXML)
    simulator.clear_requests()
    marc = run(cli_env, "harvest", "bnf-marcxml", "--dry-run", "5", check=False)
    assert marc.returncode == 3 and marc.stdout == ""  # refused before any request
    assert "bnf-marcxml: ignorée (configuration)" in marc.stderr and not simulator.requests
