"""Tantivy specifics: generations on disk, analysers on reopen, locks, other processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import tantivy

import search.documents
from search.base import SearchQuery
from search.tantivy_index import META, POINTER, IndexBusy, TantivyIndex
from tests.search.conftest import make_tantivy
from tests.search.records import generated, make_record

ROOT = Path(__file__).resolve().parents[2]


def generations(path: Path) -> list[str]:
    return sorted(p.name for p in path.glob("index-*"))


def test_layout_on_disk(tmp_path: Path) -> None:
    index = make_tantivy(tmp_path / "index")
    index.index([make_record("a", "Les volcans d'Auvergne")])
    index.set_last_seq(7)
    (gen,) = generations(tmp_path / "index")
    assert (tmp_path / "index" / POINTER).read_text().strip() == gen
    meta = json.loads((tmp_path / "index" / gen / META).read_text())
    assert meta["last_seq"] == 7 and meta["analyser"] >= 1 and meta["layout"] >= 1
    assert not index.needs_rebuild


def test_reopened_index_registers_the_french_analyser(tmp_path: Path) -> None:
    make_tantivy(tmp_path / "index").index([make_record("a", "Les volcans d'Auvergne")])
    again = make_tantivy(tmp_path / "index")
    assert again.search(SearchQuery(q="volcan")).total == 1
    assert "Les volcans d'Auvergne" in [s.text for s in again.suggest("volc")]


def test_rebuild_switches_and_keeps_one_previous_generation(tmp_path: Path) -> None:
    writer = make_tantivy(tmp_path / "index")
    reader = make_tantivy(tmp_path / "index")  # another "process": its own reader
    writer.index(generated(20, seed=1))
    assert reader.count() == 20
    for n in (30, 40, 50):
        writer.rebuild(generated(n, seed=n), last_seq=n)
        assert reader.count() == n and reader.last_seq == n
    gens = generations(tmp_path / "index")
    assert len(gens) == 2
    assert (tmp_path / "index" / POINTER).read_text().strip() == gens[-1]


def test_failed_rebuild_keeps_the_live_index(tmp_path: Path) -> None:
    index = make_tantivy(tmp_path / "index")
    index.index(generated(10))

    def broken():
        yield from generated(5, seed=9)
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert index.count() == 10
    assert len(generations(tmp_path / "index")) == 1


def test_another_process_sees_commits(tmp_path: Path) -> None:
    reader = make_tantivy(tmp_path / "index")
    assert reader.search(SearchQuery(q="glaciers")).total == 0
    script = (
        "import sys; from tests.search.conftest import make_tantivy; "
        "from tests.search.records import make_record; "
        "make_tantivy(sys.argv[1]).index([make_record('g', 'Les glaciers des Alpes')])"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "index")], cwd=ROOT, env=env,
                   check=True, timeout=120)
    assert reader.search(SearchQuery(q="glacier")).total == 1


def test_writer_waits_for_the_lock_then_gives_up(tmp_path: Path) -> None:
    index = make_tantivy(tmp_path / "index")
    (gen,) = generations(tmp_path / "index")
    other = tantivy.Index.open(str(tmp_path / "index" / gen))
    held = other.writer(heap_size=15_000_000, num_threads=1)  # another writer holds the lock
    impatient = TantivyIndex(tmp_path / "index", taxonomy=index.taxonomy,
                             heap_size=20_000_000, lock_timeout=0.3)
    with pytest.raises(IndexBusy):
        impatient.index([make_record("a", "Les volcans d'Auvergne")])

    def release() -> None:
        time.sleep(0.3)
        held.rollback()
        held.wait_merging_threads()

    thread = threading.Thread(target=release)
    thread.start()
    assert index.index([make_record("a", "Les volcans d'Auvergne")]) == 1  # retried until free
    thread.join()
    assert index.count() == 1


def test_analyser_change_asks_for_a_rebuild(tmp_path: Path) -> None:
    index = make_tantivy(tmp_path / "index")
    (gen,) = generations(tmp_path / "index")
    meta_path = tmp_path / "index" / gen / META
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "analyser": 0}))
    assert index.needs_rebuild
    index.set_last_seq(3)  # saving a position does not pass the old index off as current
    assert index.needs_rebuild
    index.rebuild([make_record("a", "Les volcans d'Auvergne")])
    assert not index.needs_rebuild and index.count() == 1


def test_lost_generation_starts_empty(tmp_path: Path) -> None:
    index = make_tantivy(tmp_path / "index")
    index.index([make_record("a", "Les volcans d'Auvergne")])
    index.set_last_seq(5)
    (tmp_path / "index" / POINTER).write_text("index-gone\n")
    again = make_tantivy(tmp_path / "index")
    assert again.count() == 0 and again.last_seq == 0  # a sync replays everything


def test_sort_ties_are_broken_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every tie-breaker hash equal: records with the same date or title tie on the whole tuple.
    monkeypatch.setattr(search.documents, "id_hash", lambda _: 12345)
    index = make_tantivy(tmp_path / "index")
    records = generated(60, seed=4)
    index.index(records)
    for sort in ("date", "title"):
        query = SearchQuery(sort=sort, per_page=4, facets=False)
        seen = []
        result = index.search(query)
        seen += [h.id for h in result.hits]
        while result.next_cursor:
            result = index.search(replace(query, cursor=result.next_cursor))
            seen += [h.id for h in result.hits]
        assert sorted(seen) == sorted(r["id"] for r in records), sort


def test_forged_cursors_are_refused(tmp_path: Path) -> None:
    from search.base import InvalidQuery
    from search.paging import encode_cursor, make_plan
    from tests.search.conftest import TAXONOMY

    index = make_tantivy(tmp_path / "index")
    index.index(generated(10))
    for query, position in [
        (SearchQuery(q="carte"), ["o", 10**12]),  # would make tantivy hold 10^12 hits
        (SearchQuery(q="carte"), ["o", "1"]),
        (SearchQuery(sort="date"), ["k", 1, "2", "id"]),
        (SearchQuery(sort="date"), ["k", 1, 2**64, "id"]),
        (SearchQuery(sort="title"), ["k", 1, 2, "id"]),  # wrong length
        (SearchQuery(sort="date"), ["o", 5]),  # another order's kind
    ]:
        cursor = encode_cursor(make_plan(query, TAXONOMY), position)
        with pytest.raises(InvalidQuery):
            index.search(replace(query, cursor=cursor))
