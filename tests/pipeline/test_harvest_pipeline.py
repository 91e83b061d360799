"""Harvest end to end over real HTTP: simulator → protocol → reader → alignment → store."""

from __future__ import annotations

from tests.pipeline.conftest import Env

GALLICA_ID = "oai:bnf.fr:gallica/ark:/12148/bpt6k852111"


def test_every_demo_source_is_harvested_with_its_records(env: Env) -> None:
    for source_id in env.sources:
        result = env.harvest(source_id)
        assert result.status in ("done", "done-with-errors"), (source_id, result.error)
    gallica = env.titles("bnf-gallica")
    assert len(gallica) >= 100 and GALLICA_ID in gallica
    assert gallica[GALLICA_ID].strip() == gallica[GALLICA_ID]  # the padded 2010 values are stripped
    ign = env.titles("ign-geoplateforme")
    assert "IGNF_RPG" in ign and "RPG" in ign["IGNF_RPG"]
    ina = env.titles("ina-jalons")
    assert ina["InaEdu00015"] == "L'élection du premier président de la IVe République"
    assert len(env.titles("meteofrance-datagouv")) >= 8
    # Every stored record carries a level and a discipline with its provenance.
    for stored in env.store.iter_records():
        assert stored.data and stored.data["levels"] and stored.data["disciplines"]
        assert all(v["provenance"] in ("source", "rule", "inferred", "default", "curation")
                   for v in stored.data["levels"] + stored.data["disciplines"])


def test_second_run_is_unchanged_then_changes_and_deletions_propagate(env: Env) -> None:
    first = env.harvest("bnf-gallica")
    assert first.status == "done" and first.counts["added"] >= 100
    seq = env.store.max_seq()
    again = env.harvest("bnf-gallica")  # incremental: OAI `from` the last run, nothing new
    assert again.status == "done"
    assert again.counts["added"] == again.counts["updated"] == again.counts["deleted"] == 0
    assert "from" in env.simulator.requests[-1].query
    full = env.harvest("bnf-gallica", full=True)
    assert full.counts["unchanged"] == first.counts["added"] and full.counts["updated"] == 0
    assert env.store.max_seq() == seq  # no new record version was written

    env.simulator.update_record("bnf", GALLICA_ID, title="Un titre corrigé par la BnF")
    env.simulator.delete_record("bnf", "oai:bnf.fr:gallica/ark:/12148/bpt6k85210p")
    changed = env.harvest("bnf-gallica")
    assert changed.counts["updated"] == 1 and changed.counts["deleted"] == 1
    assert env.titles("bnf-gallica")[GALLICA_ID] == "Un titre corrigé par la BnF"
    from schemas.record import record_id

    tomb = env.store.get(record_id("bnf-gallica", "oai:bnf.fr:gallica/ark:/12148/bpt6k85210p"))
    assert tomb is not None and tomb.deleted


def test_absence_from_two_full_runs_deletes_when_protocol_has_no_deletions(env: Env) -> None:
    env.harvest("ina-jalons", full=True)
    before = env.store.count_records("ina-jalons")
    env.simulator.delete_record("ina", "InaEdu00015")
    first_miss = env.harvest("ina-jalons", full=True)
    assert first_miss.counts["deleted"] == 0 and env.store.count_records("ina-jalons") == before
    second_miss = env.harvest("ina-jalons", full=True)
    assert second_miss.counts["deleted"] == 1
    assert env.store.count_records("ina-jalons") == before - 1


def test_failing_record_is_reported_and_the_page_goes_on(env: Env) -> None:
    result = env.harvest("meteofrance-datagouv")
    assert result.status == "done-with-errors"
    from catalogue.reports import last_reports

    report = last_reports(env.store, "meteofrance-datagouv")[0]
    failure = report["failures"][0]
    assert failure["stage"] == "map" and failure["identifier"] == "6569b51ae64326786e4e8e1a"
    assert "title" in failure["message"]
    assert report["counts"]["added"] >= 8


def test_retry_after_503_and_429(env: Env) -> None:
    env.simulator.faults.add("/bnf/oai", "status", times=2, status=503)
    env.simulator.faults.add("/ign/csw", "429", times=1, retry_after=1)
    assert env.harvest("bnf-gallica").status == "done"
    assert env.harvest("ign-geoplateforme").status == "done"
    assert env.store.count_records("bnf-gallica") >= 100
    assert env.store.count_records("ign-geoplateforme") == 7


def test_bad_resumption_token_mid_list_restarts_without_duplicates(env: Env) -> None:
    env.simulator.faults.add("/bnf/oai", "expired-token", times=1, after=1)
    result = env.harvest("bnf-gallica")
    assert result.status in ("done", "done-with-errors")
    ids = [r.identifier for r in env.store.iter_records(source_id="bnf-gallica")]
    assert len(ids) == len(set(ids)) >= 100


def test_malformed_page_keeps_what_was_stored(env: Env) -> None:
    assert env.harvest("bnf-gallica").status == "done"
    before = env.titles("bnf-gallica")
    env.simulator.update_record("bnf", GALLICA_ID, title="Changement non encore moissonné")
    env.simulator.faults.add("/bnf/oai", "malformed", times=None)
    broken = env.harvest("bnf-gallica", full=True)
    assert broken.status == "failed" and broken.error
    assert env.titles("bnf-gallica") == before  # nothing stored before is lost
    from catalogue.reports import last_reports

    report = last_reports(env.store, "bnf-gallica")[0]
    assert report["status"] == "failed" and report["failures"][0]["stage"] in ("fetch", "parse")


def test_curation_survives_full_harvest_and_renormalize(env: Env) -> None:
    from schemas.record import record_id

    env.harvest("ina-jalons")
    rid = record_id("ina-jalons", "InaEdu00015")
    cm2 = "scolomfr-voc-022-num-015"
    env.store.add_curation(rid, "level", "add", cm2, "anne")
    assert env.pipeline.recurate(rid, env.sources)

    def levels() -> dict[str, str]:
        stored = env.store.get(rid)
        assert stored is not None and stored.data is not None
        return {v["id"]: v["provenance"] for v in stored.data["levels"]}

    assert levels()[cm2] == "curation"
    env.simulator.update_record("ina", "InaEdu00015", title="Nouveau titre INA")
    env.harvest("ina-jalons", full=True)
    assert levels()[cm2] == "curation"
    env.pipeline.renormalize(env.sources["ina-jalons"])
    assert levels()[cm2] == "curation"


def test_dry_run_stores_nothing(env: Env) -> None:
    result = env.harvest("bnf-gallica", dry_run=3)
    assert len(result.preview) == 3 and all(r["title"] for r in result.preview)
    assert env.store.count_records() == 0


def test_mapping_in_a_worker_process_gives_the_same_catalogue(env: Env, tmp_path) -> None:
    """Records mapped in a worker process are stored exactly as when mapped in-process."""
    from catalogue.pipeline import Pipeline
    from catalogue.store import Store
    from tests.pipeline.conftest import fast_http

    in_process = {sid: env.harvest(sid).counts for sid in ("bnf-gallica", "meteofrance-datagouv")}
    other = Store(f"sqlite:///{tmp_path / 'workers.db'}")
    other.upgrade()
    pipeline = Pipeline(other, fast_http, workers=1)
    pipeline.register(env.sources.values())
    for sid, counts in in_process.items():
        result = pipeline.harvest(env.sources[sid])
        assert result.counts == counts and result.status == ("done" if sid == "bnf-gallica"
                                                             else "done-with-errors")
    mine = {r.id: r.data for r in env.store.iter_records()}
    theirs = {r.id: r.data for r in other.iter_records()}
    strip = lambda d: {**d, "source": {**d["source"], "harvested_at": None}}  # noqa: E731
    assert {k: strip(v) for k, v in mine.items()} == {k: strip(v) for k, v in theirs.items()}
    seqs = [r.seq for r in other.iter_records()]
    assert seqs == sorted(seqs) and len(seqs) == len(mine)
    other.close()
