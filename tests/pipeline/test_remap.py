"""A change of mapping (tables, vocabulary, a source's defaults) reaches records whose raw bytes
did not change: each source keeps the fingerprint of the mapping its records were made with, and
the next harvest, incremental or full, re-maps every stored record when it differs."""

from __future__ import annotations

import dataclasses

import pytest

from catalogue import pipeline as pipeline_module
from catalogue.pipeline import mapping_fingerprint
from tests.pipeline.conftest import Env

SOURCE = "bnf-gallica"
CYCLE4 = "scolomfr-voc-022-num-621"
COLLEGE = "scolomfr-voc-022-num-016"


def _default_levels(env: Env) -> dict[str, set[str]]:
    return {r.id: {v["id"] for v in r.data["levels"] if v["provenance"] == "default"}
            for r in env.store.iter_records(source_id=SOURCE) if r.data}


@pytest.mark.parametrize("full", [False, True])
def test_an_edited_default_reaches_every_record_on_the_next_run(env: Env, full: bool) -> None:
    source = env.sources[SOURCE]
    first = env.harvest(SOURCE)
    assert first.status == "done" and first.counts["added"] >= 100
    assert env.store.mapping_fingerprint(SOURCE) == env.pipeline.fingerprint(source)
    before = _default_levels(env)
    with_default = {rid for rid, ids in before.items() if ids}
    # Records with no level of their own get the source's (content evidence would come first).
    assert with_default and all(COLLEGE in before[rid] for rid in with_default)

    edited = dataclasses.replace(source, defaults={**source.defaults, "levels": ["cycle 4"]})
    env.sources[SOURCE] = edited
    env.pipeline.register([edited])
    requests = len(env.simulator.requests)
    second = env.harvest(SOURCE, full=full)
    assert second.status == "done"
    # The partner changed nothing: no record is new or updated from the feed…
    assert second.counts["added"] == second.counts["updated"] == 0
    if not full:
        lists = [r.query for r in env.simulator.requests[requests:] if "ListRecords" in r.query]
        assert lists and "from=" in lists[0]  # an incremental run
    # …yet every record that had the old default now has the new one.
    assert second.counts["remapped"] == len(with_default)
    after = _default_levels(env)
    assert {rid for rid, ids in after.items() if ids} == with_default
    assert all(after[rid] == {CYCLE4} for rid in with_default)
    assert env.store.mapping_fingerprint(SOURCE) == env.pipeline.fingerprint(edited)

    seq = env.store.max_seq()
    third = env.harvest(SOURCE, full=full)
    assert "remapped" not in third.counts  # same fingerprint: nothing to re-map
    assert env.store.max_seq() == seq


def test_the_fingerprint_follows_tables_vocabulary_and_source_settings(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    source = env.sources[SOURCE]
    base = mapping_fingerprint(source, "vocab-a")
    assert mapping_fingerprint(source, "vocab-a") == base
    assert mapping_fingerprint(source, "vocab-b") != base
    assert mapping_fingerprint(dataclasses.replace(source, defaults={}), "vocab-a") != base
    assert mapping_fingerprint(dataclasses.replace(source, options={"set": "x"}), "vocab-a") != base
    # The URL is where records are fetched, not how they are mapped.
    assert mapping_fingerprint(dataclasses.replace(source, url="http://other/oai"), "vocab-a") == base
    monkeypatch.setattr(pipeline_module, "_tables_digest", lambda _dir: "edited tables")
    assert mapping_fingerprint(source, "vocab-a") != base


def test_renormalize_records_the_fingerprint(env: Env) -> None:
    source = env.sources["ina-jalons"]
    env.harvest("ina-jalons")
    env.store.set_mapping_fingerprint("ina-jalons", "0" * 64)  # e.g. a store from before 0004
    counts = env.pipeline.renormalize(source)
    assert counts.get("unchanged", 0) + counts.get("updated", 0) >= 8
    assert env.store.mapping_fingerprint("ina-jalons") == env.pipeline.fingerprint(source)
