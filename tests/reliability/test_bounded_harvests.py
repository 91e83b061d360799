"""Issue 16, points 2 and 3: every hostile harvest ends within its budget, the others go on.

Hostile OAI-PMH partners on loopback: one hands out a new resumption token with a new record on
every page (``t-n`` → ``t-(n+1)``, forever), one a new token with no record, one a new token
with a record but a low ``max_tokens``, and one trickles its page a byte at a time. In one
``catalogue harvest`` command they fail one by one, each with its report line, and the
simulator's Gallica source after them is harvested. A page read byte by byte hits its deadline
while the run's heartbeat keeps moving.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue.config import DEMO_SOURCES, Source
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from harvesters.base import HarvestFailed
from harvesters.http import HttpClient
from tests.reliability.partners import Answer, Partner, oai_dc_record, oai_list, token_of, trickle
from tests.reliability.support import catalogue, child_env, report, store_of


def endless(path: str) -> Answer:
    """/records: a new record and token per page; /empty: a token and nothing else."""
    token = token_of(path)
    n = int(token[2:]) if token else 0
    records = "" if path.startswith("/empty") else oai_dc_record(f"oai:endless:{n}", f"Page {n}")
    return Answer(oai_list(records, token=f"t-{n + 1}"))


def dripping(_path: str) -> Answer:
    """A ListRecords page whose body never ends: a space every 0.2 s after the start."""
    return Answer(trickle(oai_list("")[:200], b" ", pause=0.2, limit=3000))


@pytest.fixture
def partners() -> Iterator[tuple[Partner, Partner]]:
    with Partner(endless, max_requests=200) as listing, Partner(dripping, max_requests=20) as drip:
        yield listing, drip


HOSTILE = """
[[source]]
id = "endless-records"
name = "Jetons sans fin"
partner = "bnf"
protocol = "oai-pmh"
url = "{listing}/records/oai"
max_pages = 12

[[source]]
id = "endless-empty"
name = "Pages vides sans fin"
partner = "bnf"
protocol = "oai-pmh"
url = "{listing}/empty/oai"

[[source]]
id = "endless-tokens"
name = "Trop de jetons"
partner = "bnf"
protocol = "oai-pmh"
url = "{listing}/tokens/oai"
max_tokens = 5

[[source]]
id = "slow-drip"
name = "Un octet à la fois"
partner = "bnf"
protocol = "oai-pmh"
url = "{drip}/oai"
max_seconds = 2
"""


def test_hostile_listings_fail_alone_within_their_budgets_and_the_next_source_runs(
    partners: tuple[Partner, Partner], module_simulator: Simulator, tmp_path: Path
) -> None:
    listing, drip = partners
    sources = tmp_path / "sources.toml"
    sources.write_text(
        HOSTILE.format(listing=listing.url("").rstrip("/"), drip=drip.url("").rstrip("/"))
        + DEMO_SOURCES.read_text(encoding="utf-8").replace(
            "{simulator}", module_simulator.url("").rstrip("/")), encoding="utf-8")
    env = child_env({"CATALOGUE_DATA_DIR": str(tmp_path / "var"), "CATALOGUE_SOURCES": str(sources),
                     "CATALOGUE_HARVEST_DELAY": "0", "CATALOGUE_HARVEST_BACKOFF": "0.01",
                     "CATALOGUE_HARVEST_RETRIES": "1", "CATALOGUE_HARVEST_WORKERS": "0"})
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    proc = catalogue(env, "harvest", "endless-records", "endless-empty", "endless-tokens",
                     "slow-drip", "bnf-gallica", timeout=300)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = {line.split(":", 1)[0]: line for line in proc.stdout.splitlines() if ": " in line}
    assert "page budget reached (more than max_pages=12" in lines["endless-records"]
    assert "pages in a row brought no new record" in lines["endless-empty"]
    assert "more than 5 distinct resumption tokens" in lines["endless-tokens"]
    assert "time budget" in lines["slow-drip"]
    assert lines["bnf-gallica"].startswith("bnf-gallica: done"), lines["bnf-gallica"]
    assert "Traceback" not in proc.stderr

    by_source = {p: [r for r in listing.requests if r.startswith(p)]
                 for p in ("/records", "/empty", "/tokens")}
    assert len(by_source["/records"]) == 13  # 12 pages stored, the 13th refused
    assert len(by_source["/empty"]) == 21  # 20 idle pages allowed, the 21st stops it
    assert len(by_source["/tokens"]) == 6
    assert len(drip.requests) == 1  # the time budget is not retried

    store = store_of(env)
    try:
        assert store.count_records("endless-records") == 12
        assert store.count_records("bnf-gallica") > 0
        for source_id in ("endless-records", "endless-empty", "endless-tokens", "slow-drip"):
            run = store.last_run(source_id)
            assert run is not None and run.status == "failed", source_id
        assert store.running_run("slow-drip") is None
    finally:
        store.close()
    failure = report(env, "endless-records")["failures"][-1]
    assert failure["stage"] == "fetch" and "max_pages=12" in failure["message"]


def test_a_page_read_byte_by_byte_hits_its_deadline_on_a_clock_that_only_the_reads_advance(
    partners: tuple[Partner, Partner]
) -> None:
    """The deadline is checked on every small read: with a clock that moves one second per
    look, a 10 s deadline is reached after a handful of bytes, whatever the machine's speed."""
    _listing, drip = partners
    ticks = iter(range(1_000_000))
    client = HttpClient(allowed_urls=[drip.url()], total_timeout=10, max_retries=0,
                        politeness_delay=0, clock=lambda: float(next(ticks)), sleep=lambda _s: None)
    with pytest.raises(HarvestFailed, match="body not complete after 10 s"):
        client.get(drip.url("/oai"))


def test_the_run_heartbeat_moves_while_a_trickling_page_is_read(
    partners: tuple[Partner, Partner], tmp_path: Path
) -> None:
    _listing, drip = partners
    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    observed: list[Any] = []
    watcher = Store(store.url)

    def watching(_path: str) -> Answer:
        def body() -> Iterator[tuple[bytes, float]]:
            for piece, pause in trickle(oai_list("")[:200], b" ", pause=0.05, limit=400):
                run = watcher.last_run("drip")
                observed.append(run.heartbeat_at if run else None)
                yield piece, pause
        return Answer(body())

    drip.route = watching

    def factory(sources: list[Source]) -> HttpClient:
        return HttpClient(allowed_urls=[s.url for s in sources], total_timeout=1.0, max_retries=0,
                          politeness_delay=0, heartbeat_every=0)

    source = Source(id="drip", name="Goutte à goutte", partner="bnf", protocol="oai-pmh",
                    url=drip.url("/oai"), partner_name="BnF / Gallica")
    pipeline = Pipeline(store, factory)
    pipeline.register([source])
    result = pipeline.harvest(source)
    assert result.status == "failed"
    assert "timeout: body not complete after 1.0 s" in (result.error or "")
    beats = {b for b in observed if b is not None}
    assert len(beats) >= 3, observed  # the heartbeat moved during the one page read
    assert len(observed) < 400  # the read stopped at the deadline, not at the end of the body
    run = store.last_run("drip")
    assert run is not None and run.status == "failed" and run.counts.get("added", 0) == 0
    watcher.close()
    store.close()


def test_budgets_are_read_from_the_sources_file_and_wrong_values_fail_the_run(tmp_path: Path) -> None:
    from catalogue.budget import Limits

    limits = Limits(10, 100, 60.0).for_source({"max_pages": 3, "max_seconds": "1.5"})
    assert (limits.max_pages, limits.max_records, limits.max_seconds) == (3, 100, 1.5)
    with pytest.raises(ValueError, match="max_records"):
        Limits().for_source({"max_records": "beaucoup"})
    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    source = Source(id="wrong", name="Mauvaise option", partner="bnf", protocol="oai-pmh",
                    url="http://127.0.0.1:9/oai", partner_name="BnF / Gallica",
                    options={"max_pages": 0})
    pipeline = Pipeline(store, lambda s: HttpClient(allowed_urls=[x.url for x in s]))
    pipeline.register([source])
    result = pipeline.harvest(source)
    assert result.status == "failed" and "max_pages" in (result.error or "")
    assert json.dumps(result.counts)
    store.close()
