"""sync/rebuild against a tiny in-memory store with the same surface as catalogue.store.Store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.base import SearchQuery
from search.sync import rebuild, sync
from search.tantivy_index import META, TantivyIndex
from tests.search.conftest import make_tantivy
from tests.search.records import generated, make_record


@dataclass(frozen=True)
class Change:
    seq: int
    record_id: str
    record: dict[str, Any] | None


class FakeStore:
    """Records keyed by id; every put/delete takes the next seq (like the real store)."""

    def __init__(self) -> None:
        self.seq = 0
        self.rows: dict[str, tuple[int, dict[str, Any] | None]] = {}
        self.calls: list[tuple[int, int]] = []
        self.during_iteration: list[dict[str, Any]] = []

    def put(self, record: dict[str, Any]) -> None:
        self.seq += 1
        self.rows[record["id"]] = (self.seq, record)

    def remove(self, record_id: str) -> None:
        self.seq += 1
        self.rows[record_id] = (self.seq, None)

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        self.calls.append((seq, limit))
        rows = sorted((s, rid, rec) for rid, (s, rec) in self.rows.items() if s > seq)
        return [Change(s, rid, rec) for s, rid, rec in rows[:limit]]

    def max_seq(self) -> int:
        return self.seq

    def iter_live_records(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
        live = [rec for _, rec in self.rows.values() if rec is not None]
        for i, record in enumerate(live):
            if i == 1:  # a harvest writes while the rebuild reads
                for extra in self.during_iteration:
                    self.put(extra)
            yield record


def titles(index: TantivyIndex) -> set[str]:
    return {h.record["title"][0]["value"] for h in index.search(SearchQuery(per_page=100)).hits}


def test_sync_applies_upserts_and_deletes_in_batches(tmp_path: Path) -> None:
    store = FakeStore()
    records = generated(25)
    for record in records:
        store.put(record)
    index = make_tantivy(tmp_path / "index")
    assert sync(index, store, batch=10) == 25
    assert index.count() == 25 and index.last_seq == 25
    assert [seq for seq, _ in store.calls] == [0, 10, 20]

    store.remove(records[0]["id"])
    store.put({**records[1], "title": [{"value": "Les glaciers des Alpes", "lang": "fr"}]})
    assert sync(index, store, batch=10) == 2
    assert index.count() == 24 and index.last_seq == 27
    assert index.get(records[0]["id"]) is None
    assert index.search(SearchQuery(q="glaciers")).total == 1


def test_sync_with_nothing_new_is_a_no_op(tmp_path: Path) -> None:
    store = FakeStore()
    store.put(make_record("a", "Les volcans d'Auvergne"))
    index = make_tantivy(tmp_path / "index")
    sync(index, store)
    gen_meta = next((tmp_path / "index").glob(f"index-*/{META}"))
    before = gen_meta.stat().st_mtime_ns
    assert sync(index, store) == 0
    assert gen_meta.stat().st_mtime_ns == before


def test_sync_is_idempotent_after_a_lost_last_seq(tmp_path: Path) -> None:
    store = FakeStore()
    for record in generated(12):
        store.put(record)
    index = make_tantivy(tmp_path / "index")
    sync(index, store)
    index.set_last_seq(0)  # as if the process died between commit and saving last_seq
    assert sync(index, store) == 12
    assert index.count() == 12


def test_rebuild_reindexes_and_catches_up(tmp_path: Path) -> None:
    store = FakeStore()
    for record in generated(8):
        store.put(record)
    index = make_tantivy(tmp_path / "index")
    stale = make_record("stale", "Un enregistrement disparu du magasin")
    index.index([stale])  # in the index, unknown to the store: a rebuild drops it
    late = make_record("late", "Les glaciers des Alpes")
    store.during_iteration = [late]
    assert rebuild(index, store) == 8
    assert index.get(stale["id"]) is None
    assert index.get(late["id"]) == late  # written during the rebuild, applied by the catch-up
    assert index.count() == 9 and index.last_seq == store.max_seq()


def test_sync_rebuilds_an_index_of_another_analyser_version(tmp_path: Path) -> None:
    store = FakeStore()
    for record in generated(5):
        store.put(record)
    index = make_tantivy(tmp_path / "index")
    sync(index, store)
    meta_path = next((tmp_path / "index").glob(f"index-*/{META}"))
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "analyser": 0}))
    assert index.needs_rebuild
    sync(index, store)
    assert not index.needs_rebuild and index.count() == 5 and index.last_seq == 5


def test_open_index_and_cli_style_use(tmp_path: Path) -> None:
    from search import open_index

    store = FakeStore()
    store.put(make_record("a", "Les volcans d'Auvergne"))
    with open_index(None, tmp_path) as index:
        sync(index, store)
    assert (tmp_path / "index" / "CURRENT").exists()
    with open_index("", tmp_path) as index:
        assert titles(index) == {"Les volcans d'Auvergne"}  # type: ignore[arg-type]


def test_sync_interrupted_by_a_rebuild_replays_into_the_new_index(tmp_path: Path) -> None:
    store = FakeStore()
    first = generated(6, seed=1)
    for record in first:
        store.put(record)
    harvester = make_tantivy(tmp_path / "index")  # a harvest process, syncing
    reindexer = make_tantivy(tmp_path / "index")  # `catalogue reindex` in another process
    sync(harvester, store)
    late = make_record("late", "Les glaciers des Alpes")
    store.put(late)
    assert harvester.last_seq == 6  # the harvester reads its position in the old index…
    reindexer.rebuild(first, last_seq=3)  # …a rebuild switches to one that is only at 3…
    harvester.index([late])
    harvester.set_last_seq(7)  # …so advancing now would hide changes 4-6: refused
    assert reindexer.last_seq == 3
    sync(harvester, store)
    assert reindexer.last_seq == 7 and reindexer.count() == 7
    assert reindexer.get(late["id"]) == late
