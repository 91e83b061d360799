"""udata (data.gouv.fr API v1) client against the simulated Météo-France organisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from core.raw import RawRecord
from harvesters.base import HarvestFailed

REAL = "6569b51ae64326786e4e8e1a"  # « Données climatologiques de base – quotidiennes »
PRIVATE = "697743413b08b420a4fa585f"
DELETED = "669e23a7ce052a9e8521b75e"
ARCHIVED = "68aecf1dd2d11c92c4fafe53"


def records(pages) -> list[RawRecord]:
    return [r for p in pages for r in p.records]


def test_listing_follows_next_page(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-meteofrance-udata", page_size=4))
    assert len(pages) == 3
    got = records(pages)
    ids = [r.identifier for r in got]
    assert len(ids) == 11 and len(set(ids)) == 11
    assert ids[0] == REAL
    queries = [parse_qs(r.query) for r in simulator.requests]
    assert queries[0] == {"page": ["1"], "page_size": ["4"]}
    assert queries[1] == {"page": ["2"], "page_size": ["4"]}
    real = got[0]
    assert real.format == "udata"
    assert real.datestamp == datetime(2024, 4, 14, 10, 52, 41, 962000, tzinfo=UTC)
    assert real.landing_url == ("https://www.data.gouv.fr/fr/datasets/"
                                "donnees-climatologiques-de-base-quotidiennes/")
    document = json.loads(real.content)
    assert document["license"] == "lov2" and document["frequency"] == "daily"
    assert document["description"].startswith("### Présentation")
    assert real.extra["organization"] == "Météo-France"
    assert pages[-1].checkpoint == {"next": None, "done": True}


def test_private_skipped_deleted_marked_archived_passed(simulator, sim_source, harvest):
    got = {r.identifier: r for r in records(harvest(sim_source("sim-meteofrance-udata")))}
    assert PRIVATE not in got
    assert got[DELETED].deleted is True
    assert got[ARCHIVED].deleted is False and got[ARCHIVED].extra["archived"]
    assert sum(r.deleted for r in got.values()) == 1


def test_next_page_loop_stops_with_an_issue(simulator, sim_source, harvest):
    simulator.faults.add("/meteofrance/api/", "loop-next", after=1)
    pages = harvest(sim_source("sim-meteofrance-udata", page_size=4))
    assert len(records(pages)) == 8
    assert "already fetched" in pages[-1].issues[0].message
    assert len(simulator.requests) == 2


def test_resume_from_checkpoint(simulator, sim_source, harvest, http_client):
    from harvesters.base import harvester_for

    spec = sim_source("sim-meteofrance-udata", page_size=5)
    first = next(harvester_for(spec, http_client).pages())
    rest = records(harvest(spec, checkpoint=first.checkpoint))
    all_ids = [r.identifier for r in records(harvest(spec))]
    assert [r.identifier for r in first.records] + [r.identifier for r in rest] == all_ids


def test_update_and_delete(simulator, sim_source, harvest):
    simulator.update_record("meteofrance", REAL, title="Données climatologiques de base - quotidiennes")
    simulator.delete_record("meteofrance", "6569b3d7d193b4daf2b43edc")
    got = {r.identifier: r for r in records(harvest(sim_source("sim-meteofrance-udata")))}
    assert "6569b3d7d193b4daf2b43edc" not in got
    assert json.loads(got[REAL].content)["title"] == "Données climatologiques de base - quotidiennes"
    assert got[REAL].datestamp is not None and got[REAL].datestamp.year >= 2026


def test_next_page_to_another_host_is_refused(simulator, sim_source, harvest):
    page = {"data": [], "next_page": "https://www.data.gouv.fr/api/1/datasets/?page=2",
            "page": 1, "page_size": 20, "total": 40}
    page["data"] = [{"id": "abc", "title": "x"}]
    simulator.faults.add("/meteofrance/api/", "malformed", body=json.dumps(page),
                         content_type="application/json")
    with pytest.raises(HarvestFailed, match="www.data.gouv.fr"):
        harvest(sim_source("sim-meteofrance-udata"))


def test_entry_without_id_is_a_parse_issue(simulator, sim_source, harvest):
    page = {"data": [{"title": "sans identifiant"}, {"id": "ok1", "title": "ok"}],
            "next_page": None, "page": 1, "page_size": 20, "total": 2}
    simulator.faults.add("/meteofrance/api/", "malformed", body=json.dumps(page),
                         content_type="application/json")
    pages = harvest(sim_source("sim-meteofrance-udata"))
    assert [r.identifier for r in records(pages)] == ["ok1"]
    assert pages[0].issues[0].stage == "parse"
