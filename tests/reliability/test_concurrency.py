"""Concurrent use: the served catalogue keeps answering, correctly, while a full harvest and a
reindex run beside it.

`catalogue serve --workers 2` (gunicorn) on a loopback port; a thread pool searches the API,
loads the search page and walks complete OAI-PMH listings (resumption tokens and all) while
`catalogue harvest --full` and `catalogue reindex` run in subprocesses. Bounded in time and in
number of requests.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from catalogue.simulator import Simulator
from core.xmlsafe import parse_xml
from tests.reliability.support import Served, catalogue, store_of

OAI = "{http://www.openarchives.org/OAI/2.0/}"
CHANGED = ["oai:bnf.fr:gallica/ark:/12148/bpt6k852111", "oai:bnf.fr:gallica/ark:/12148/bpt6k85210p"]
MAX_SECONDS = 90
MAX_ROUNDS = 3000  # a safety net; the clients stop once the harvest and reindexes are over
PAUSE = 0.02


def oai_traversal(session: requests.Session, base: str, query: str) -> list[str]:
    """Every identifier of a complete ListRecords listing, following resumption tokens."""
    ids: list[str] = []
    url = f"{base}/oai?verb=ListRecords&{query}"
    for _ in range(100):
        response = session.get(url, timeout=30)
        assert response.status_code == 200, response.status_code
        root = parse_xml(response.content)
        assert root.find(f"{OAI}error") is None, response.text[:500]
        ids += [e.text or "" for e in root.iter(f"{OAI}identifier")
                if (parent := e.getparent()) is not None and parent.tag == f"{OAI}header"]
        token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        value = (token.text or "").strip() if token is not None else ""
        if not value:
            return ids
        url = f"{base}/oai?verb=ListRecords&resumptionToken={value}"
    raise AssertionError("listing did not end")


@pytest.mark.slow
def test_searches_api_and_oai_keep_answering_during_a_harvest_and_a_reindex(
    cli_env: dict[str, str], simulator: Simulator, tmp_path: Path
) -> None:
    assert catalogue(cli_env, "harvest").returncode == 0
    store = store_of(cli_env)
    live = store.count_records()
    bnf_live = store.count_records("bnf-gallica")
    store.close()
    # The concurrent harvest has real work: changed records.
    for identifier in CHANGED:
        simulator.update_record("bnf", identifier, title=f"Zyxwvutien {identifier[-6:]}")

    errors: list[str] = []
    done = Counter[str]()
    finished: list[tuple[float, str]] = []  # (when, kind) of every successful round
    stop = threading.Event()
    changed_oai_ids: set[str] = set()

    with Served(cli_env, tmp_path / "serve.log") as served:
        base = served.base_url
        # The OAI identifiers of the records the harvest will change.
        from schemas.record import record_id

        changed_oai_ids = {f"oai:catalogue.education.fr:{record_id('bnf-gallica', i)}" for i in CHANGED}

        def search_api(session: requests.Session) -> None:
            response = session.get(f"{base}/api/v1/resources", params={"per_page": 5}, timeout=30)
            assert response.status_code == 200, response.status_code
            assert response.json()["total"] == live
            response = session.get(f"{base}/api/v1/resources", params={"q": "carte"}, timeout=30)
            assert response.status_code == 200 and response.json()["total"] > 0

        def search_page(session: requests.Session) -> None:
            response = session.get(f"{base}/", params={"q": "histoire"}, timeout=30)
            assert response.status_code == 200 and "</html>" in response.text

        def walk_oai(session: requests.Session) -> None:
            ids = oai_traversal(session, base, "metadataPrefix=oai_dc&set=partner:bnf")
            repeated = {i for i, n in Counter(ids).items() if n > 1}
            # Complete; a record changed during the walk may come again later (OAI-PMH's rule),
            # nothing else ever does.
            assert len(set(ids)) == bnf_live, (len(set(ids)), bnf_live)
            assert repeated <= changed_oai_ids, repeated

        tasks = {"api": search_api, "page": search_page, "oai": walk_oai}

        def worker(kind: str) -> None:
            session = requests.Session()
            while not stop.is_set() and sum(done.values()) < MAX_ROUNDS:
                try:
                    tasks[kind](session)
                    done[kind] += 1
                    finished.append((time.monotonic(), kind))
                except (AssertionError, requests.RequestException, ValueError) as exc:
                    errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:500])
                    done[f"{kind}-error"] += 1
                time.sleep(PAUSE)

        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(worker, kind) for kind in ("api", "api", "page", "oai", "oai", "oai")]
            harvest_started = time.monotonic()
            harvest = subprocess.Popen([sys.executable, "-m", "catalogue", "harvest", "--full"],
                                       env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(0.5)
            reindex_started = time.monotonic()
            reindex = subprocess.Popen([sys.executable, "-m", "catalogue", "reindex"], env=cli_env,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            out_r, err_r = reindex.communicate(timeout=MAX_SECONDS)
            reindex_ended = time.monotonic()
            out_h, err_h = harvest.communicate(timeout=MAX_SECONDS)
            harvest_ended = time.monotonic()
            # A second reindex once the harvest is over: the index switches again under load.
            again = catalogue(cli_env, "reindex")
            time.sleep(1)  # keep the clients going a moment after the last switch
            stop.set()
            for future in futures:
                future.result(timeout=MAX_SECONDS)
        # The changed titles are searchable through the switched index.
        changed = requests.get(f"{base}/api/v1/resources", params={"q": "zyxwvutien"}, timeout=30)
        server_log = served.log_path.read_text(errors="replace")

    assert reindex.returncode == 0, out_r + err_r
    assert harvest.returncode == 0, out_h + err_h
    assert "bnf-gallica: done" in out_h and "updated 2" in out_h
    assert again.returncode == 0, again.stderr
    assert errors == [], errors[:5]
    # The clients really ran while the harvest and the reindex did.
    for start, end in ((harvest_started, harvest_ended), (reindex_started, reindex_ended)):
        during = Counter(kind for when, kind in finished if start <= when <= end)
        assert during["api"] >= 1 and during["oai"] >= 1 and during["page"] >= 1, (during, end - start)
    assert '"status": 500' not in server_log and "Traceback" not in server_log
    assert changed.status_code == 200 and changed.json()["total"] == len(CHANGED)


def test_a_record_changed_while_reindex_reads_the_store_is_indexed_once(tmp_path: Path) -> None:
    """The store is read in change order; a record updated during the read comes again at its
    new position. The new index must not hold it twice, even before the closing sync."""
    from catalogue.store import Change
    from search import open_index
    from search.sync import rebuild
    from tests.oai.support import make_record

    records = [make_record(f"id{n}", f"Titre {n}") for n in range(3)]
    changed = make_record("id1", "Titre 1 corrigé")
    index = open_index(None, tmp_path)
    counts_at_switch: list[int] = []

    class StoreChangingMeanwhile:
        def max_seq(self) -> int:
            return 3

        def iter_live_records(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
            yield from records
            yield changed  # updated (seq 4) while the first batch was being read

        def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
            counts_at_switch.append(index.count())
            return [Change(4, changed["id"], changed)] if seq < 4 else []

    try:
        assert rebuild(index, StoreChangingMeanwhile()) == 3
        assert counts_at_switch[0] == 3 and index.count() == 3
        hit = index.get(changed["id"])
        assert hit is not None and hit["title"][0]["value"] == "Titre 1 corrigé"
    finally:
        index.close()
