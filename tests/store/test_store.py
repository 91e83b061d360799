"""The store of record, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from catalogue.store import RawEntry, RunItem, Store, Write
from schemas.record import RecordError, content_hash, record_id, validate_record
from tests.conftest import make_store_url


def make_record(source_id: str, identifier: str, title: str, **extra: object) -> dict:
    record = {
        "id": record_id(source_id, identifier),
        "source": {"partner": "bnf", "source_id": source_id, "identifier": identifier},
        "title": [{"value": title, "lang": "fr"}],
        **extra,
    }
    return validate_record(record)


def raw_entry(rid: str, identifier: str, payload: bytes) -> RawEntry:
    return RawEntry(rid, identifier, "oai_dc", payload, f"h-{payload.decode()}", None)


def write_for(source_id: str, identifier: str, title: str) -> Write:
    record = make_record(source_id, identifier, title)
    rid = record["id"]
    return Write(rid, identifier, raw=raw_entry(rid, identifier, title.encode()), record=record,
                 facets={"level": ["scolomfr-voc-022-num-015"]})


@pytest.fixture
def source(store: Store) -> str:
    store.upsert_source(id="bnf-gallica", partner="bnf", partner_name="BnF / Gallica",
                        name="Gallica", protocol="oai-pmh", url="http://127.0.0.1/oai", config={})
    return "bnf-gallica"


def page(store: Store, source: str, run: int, writes: list[Write]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    store.write_page(source_id=source, partner="bnf", run_id=run, writes=writes,
                     checkpoint={"page": {"token": "x"}}, counts=counts)
    return dict(counts)


def test_add_unchanged_update_delete(store: Store, source: str) -> None:
    run = store.start_run(source, "full")
    assert page(store, source, run, [write_for(source, "a", "Alpha"), write_for(source, "b", "Beta")]) \
        == {"added": 2}
    first = store.get(record_id(source, "a"))
    assert first is not None and first.version == 1 and first.data["title"][0]["value"] == "Alpha"

    run2 = store.start_run(source, "full")
    assert page(store, source, run2, [write_for(source, "a", "Alpha")]) == {"unchanged": 1}
    same = store.get(record_id(source, "a"))
    assert same is not None and same.version == 1 and same.seq == first.seq

    assert page(store, source, run2, [write_for(source, "a", "Alpha v2")]) == {"updated": 1}
    updated = store.get(record_id(source, "a"))
    assert updated is not None and updated.version == 2 and updated.seq > first.seq
    assert updated.datestamp >= first.datestamp

    rid_b = record_id(source, "b")
    assert page(store, source, run2, [Write(rid_b, "b", deleted=True)]) == {"deleted": 1}
    tomb = store.get(rid_b)
    assert tomb is not None and tomb.deleted and tomb.data is not None  # last good version kept
    assert store.count_records(source) == 1
    assert store.count_records(source, include_deleted=True) == 2
    changes = store.changes_since(first.seq)
    assert [(c.record_id, c.record is None) for c in changes] == [
        (record_id(source, "a"), False), (rid_b, True)]
    assert store.max_seq() == changes[-1].seq
    assert store.run(run2).checkpoint == {"page": {"token": "x"}}  # type: ignore[union-attr]
    assert store.run_counts([run2]) == {"unchanged": 1, "updated": 1, "deleted": 1}


def test_raw_bytes_kept_compressed_and_readable(store: Store, source: str) -> None:
    run = store.start_run(source, "full")
    payload = "<record>été</record>".encode() * 50
    w = write_for(source, "a", "Alpha")
    w.raw = RawEntry(w.record_id, "a", "oai_dc", payload, "hash-1", None, {"sets": ["x"]})
    page(store, source, run, [w])
    found = store.raw(w.record_id)
    assert found is not None
    entry, fetched_at = found
    assert entry.content == payload and entry.extra == {"sets": ["x"]} and fetched_at is not None
    assert store.raw_hashes([w.record_id]) == {w.record_id: "hash-1"}
    assert [e.record_id for e, _ in store.iter_raw(source)] == [w.record_id]


def test_invalid_record_names_field_and_keeps_previous_version(store: Store, source: str) -> None:
    run = store.start_run(source, "full")
    page(store, source, run, [write_for(source, "a", "Bonne version")])
    rid = record_id(source, "a")
    bad = {"id": rid, "source": {"partner": "bnf", "source_id": source, "identifier": "a"},
           "title": [{"value": "x", "lang": "fr"}], "url": "javascript:alert(1)",
           "levels": [{"id": "not-a-concept", "label": "?", "provenance": "rule"}]}
    with pytest.raises(RecordError) as err:
        validate_record(bad)
    assert "url" in str(err.value) and "levels.0.id" in str(err.value)
    run2 = store.start_run(source, "full")
    counts = page(store, source, run2, [Write(rid, "a", raw=raw_entry(rid, "a", b"bad"),
                                              failure=("validate", str(err.value)))])
    assert counts == {"failed": 1}
    kept = store.get(rid)
    assert kept is not None and not kept.deleted and kept.data["title"][0]["value"] == "Bonne version"
    failures = store.run_items(run2, outcomes=("failed",))
    assert failures[0].stage == "validate" and "levels.0.id" in (failures[0].message or "")
    # The raw bytes of the rejected version are kept for a later renormalize.
    assert store.raw(rid)[0].content == b"bad"  # type: ignore[index]


def test_missing_records_deleted_after_grace(store: Store, source: str) -> None:
    run = store.start_run(source, "full")
    page(store, source, run, [write_for(source, "a", "A"), write_for(source, "b", "B")])
    run2 = store.start_run(source, "full")
    page(store, source, run2, [write_for(source, "a", "A")])
    assert store.mark_missing(source, run2, grace=2) == []  # first miss: still there
    assert not store.get(record_id(source, "b")).deleted  # type: ignore[union-attr]
    run3 = store.start_run(source, "full")
    page(store, source, run3, [write_for(source, "a", "A")])
    gone = store.mark_missing(source, run3, grace=2)
    assert [i.record_id for i in gone] == [record_id(source, "b")]
    assert store.get(record_id(source, "b")).deleted  # type: ignore[union-attr]


def test_reappearing_record_resets_misses(store: Store, source: str) -> None:
    run = store.start_run(source, "full")
    page(store, source, run, [write_for(source, "a", "A"), write_for(source, "b", "B")])
    run2 = store.start_run(source, "full")
    page(store, source, run2, [write_for(source, "a", "A")])
    store.mark_missing(source, run2, grace=2)
    run3 = store.start_run(source, "full")
    page(store, source, run3, [write_for(source, "a", "A"), write_for(source, "b", "B")])
    assert store.mark_missing(source, run3, grace=2) == []


def test_curations_replace_and_list(store: Store, source: str) -> None:
    store.add_curation("r1", "level", "add", "scolomfr-voc-022-num-015", "alice")
    store.add_curation("r1", "level", "remove", "scolomfr-voc-022-num-015", "bob")
    store.add_curation("r2", "discipline", "add", "scolomfr-voc-015-num-7", None)
    cur = store.curations(["r1"])
    assert [(c["action"], c["author"]) for c in cur["r1"]] == [("remove", "bob")]
    assert set(store.curations()) == {"r1", "r2"}


def test_interrupted_run_detected_only_when_process_is_gone(store: Store, source: str) -> None:
    live = store.start_run(source, "full")
    assert store.running_run(source) is not None
    assert store.mark_interrupted(source) == []  # our own process is alive
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(proc.stdout)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE harvest_runs SET pid = :pid WHERE id = :id"),
                     {"pid": dead_pid, "id": live})
    assert [r.id for r in store.mark_interrupted(source)] == [live]
    assert store.run(live).status == "interrupted"  # type: ignore[union-attr]


def test_run_items_and_report_counts(store: Store, source: str) -> None:
    run = store.start_run(source, "incremental")
    store.add_run_items(run, [RunItem("x", None, "failed", "parse", "no identifier")])
    page(store, source, run, [write_for(source, "a", "A")])
    assert store.run_counts([run]) == {"failed": 1, "added": 1}


def test_content_hash_ignores_harvest_time() -> None:
    a = make_record("s", "a", "T")
    b = {**a, "source": {**a["source"], "harvested_at": "2030-01-01T00:00:00Z"}}
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({**a, "title": [{"value": "U", "lang": "fr"}]})


def test_record_id_is_stable_and_url_safe() -> None:
    rid = record_id("bnf-gallica", " oai:bnf.fr:gallica/ark:/12148/bpt6k5603637g\n")
    assert rid == record_id("bnf-gallica", "oai:bnf.fr:gallica/ark:/12148/bpt6k5603637g")
    assert rid.startswith("bnf-gallica-bpt6k5603637g-")
    assert all(c.isalnum() or c in "-._" for c in rid)
    assert record_id("bnf-gallica", "A") != record_id("bnf-gallica", "a")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_chain_keeps_data(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and not os.environ.get("CATALOGUE_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL not configured: set CATALOGUE_TEST_DATABASE_URL")
    url = make_store_url(backend, tmp_path)
    store = Store(url)
    store.upgrade("0001")
    assert store.revision() == "0001"
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO sources (id, partner, partner_name, name, protocol, url, config, updated_at) "
            "VALUES ('s', 'bnf', 'BnF', 'Gallica', 'oai-pmh', 'http://x', '{}', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO records (id, source_id, partner, identifier, data, content_hash, version, "
            "datestamp, deleted, seq, missed_full_runs) VALUES ('r1', 's', 'bnf', 'a', "
            "'{\"title\": [{\"value\": \"Vieux\", \"lang\": \"fr\"}]}', 'h', 3, CURRENT_TIMESTAMP, "
            ":f, 1, 0)"), {"f": False})
        conn.execute(text(
            "INSERT INTO harvest_runs (source_id, mode, status, started_at, counts) "
            "VALUES ('s', 'full', 'done', CURRENT_TIMESTAMP, '{\"added\": 1}')"))
    store.upgrade()
    assert store.revision() == store.head_revision() == "0006"
    assert store.mapping_fingerprint("s") is None  # re-mapped on its next harvest (0005)
    store.set_mapping_fingerprint("s", "f" * 64)
    assert store.mapping_fingerprint("s") == "f" * 64
    kept = store.get("r1")
    assert kept is not None and kept.version == 3 and kept.data == {
        "title": [{"value": "Vieux", "lang": "fr"}]}
    assert store.runs("s")[0].counts == {"added": 1}
    with store.engine.connect() as conn:
        facets = conn.execute(text("SELECT facet, value FROM record_facets WHERE record_id='r1'")).all()
    assert [tuple(f) for f in facets] == [("partner", "bnf")]
    assert store.refresh_oai_dc() == 1  # rows from before 0003 get their oai_dc fragment
    with store.engine.connect() as conn:
        fragment = conn.execute(text("SELECT oai_dc FROM records WHERE id='r1'")).scalar()
    assert "<dc:title" in fragment and "Vieux" in fragment
    store.close()
