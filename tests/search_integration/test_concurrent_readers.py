"""Searches keep being answered, by other processes, while `catalogue` rewrites the index.

Reader processes (``tests/search_integration/reader.py``) open the index read-only, as web
workers do, and loop: a browse with facets and a word query each round. Each one is ready
before the writer starts and stops a moment after it ended, so its rounds span the switch.
"""

from __future__ import annotations

import time
from pathlib import Path

from catalogue.store import Store
from schemas.record import record_id
from search import SearchQuery, open_index
from tests.search_integration.conftest import EXTRA_ID, Populated, copy_catalogue
from tests.search_integration.support import Readers, catalogue

NEW = 100  # records the partner publishes before the concurrent harvest
NEW_ID = "oai:bnf.fr:gallica/ark:/12148/zy{:05d}"


def test_reindex_while_other_processes_search(populated: Populated, tmp_path: Path) -> None:
    env = copy_catalogue(populated, tmp_path)
    data_dir = Path(env["CATALOGUE_DATA_DIR"])
    with Readers(env, data_dir, 2, "--expect", str(populated.total)) as readers:
        start = time.time()
        for _ in range(2):  # the second switch also deletes the first generation
            out = catalogue(env, "reindex").stdout
            assert f"index rebuilt: {populated.total} records" in out
        end = time.time()
        reports = readers.stop()
    for report in reports:
        assert report.failures == 0, report.errors
        assert set(report.totals) == {populated.total}
        assert len({row[3] for row in report.rows}) == 1  # the word query too: one total
        assert len(report.generations) == 3, report.generations  # before, between, after
        assert len(report.between(start, end)) >= 10
    index_dir = data_dir / "index"
    gens = sorted(p.name for p in index_dir.glob("index-*"))
    assert len(gens) == 2 and (index_dir / "CURRENT").read_text().strip() == gens[-1]


def test_readers_while_a_harvest_writes(populated: Populated, tmp_path: Path) -> None:
    env = copy_catalogue(populated, tmp_path)
    data_dir = Path(env["CATALOGUE_DATA_DIR"])
    for i in range(NEW):
        populated.simulator.add_record("bnf", NEW_ID.format(i),
                                       title=f"Atlas de poche des départements, planche {i}")
    changed = EXTRA_ID.format(0)
    populated.simulator.update_record("bnf", changed, title="Cahier de géographie revu et corrigé")
    url = f"sqlite:///{data_dir / 'catalogue.db'}"
    probe = record_id("bnf-gallica", EXTRA_ID.format(1))
    before = populated.total
    with Readers(env, data_dir, 3, "--word", "atlas", "--store-url", url,
                 "--record-id", probe) as readers:
        start = time.time()
        out = catalogue(env, "harvest", "bnf-gallica").stdout
        end = time.time()
        reports = readers.stop()
    assert "bnf-gallica: done" in out
    store = Store(url)
    after = store.count_records()
    store.close()
    assert after == before + NEW
    with open_index(None, data_dir) as index:  # the changed record too, under its new title
        hits = index.search(SearchQuery(q="cahier revu et corrigé")).hits
        assert [h.id for h in hits] == [record_id("bnf-gallica", changed)]
    for report in reports:
        assert report.failures == 0, report.errors
        totals = report.totals
        assert totals[0] == before and totals[-1] == after
        assert totals == sorted(totals)  # additions only: a total never goes back
        words = [row[3] for row in report.rows]
        assert words[0] == 0 and words[-1] == NEW and words == sorted(words)
        assert len(report.between(start, end)) >= 10
