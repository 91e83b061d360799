"""CSW client against the simulated IGN/GeoNetwork catalogue (7 recorded ISO 19139 records)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from catalogue.simulator import Simulator
from core.raw import RawRecord
from core.xmlsafe import parse_xml
from harvesters.base import HarvestFailed

IDS = [
    "IGNF_RPG",
    "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44",
    "fr-120066022-ldd-777b1c6b-36a7-4650-befa-e4be638cd694",
    "fr-120066022-jdd-585c9cd3-d542-407a-b6a5-885f062b0024",
    "fr-120066022-ldd-05ba3a8c-ee8a-4dd5-a86a-15b6d6cd1bc8",
    "fr-120066022-ldd-3f4cc8c8-5c3e-4a0e-8b56-0a569a7e12f6",
    "955c3e47-411e-4969-b61b-3556d1b9f879",
]
GMD = "{http://www.isotc211.org/2005/gmd}"


def records(pages) -> list[RawRecord]:
    return [r for p in pages for r in p.records]


def getrecords(sim: Simulator) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in sim.requests if "GetRecords" in r.query]


def test_full_listing_pages_by_start_position(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw"))
    assert [len(p.records) for p in pages] == [2, 2, 2, 1]
    got = records(pages)
    assert [r.identifier for r in got] == IDS
    rpg = got[0]
    assert rpg.format == "iso19139"
    assert rpg.datestamp == datetime(2025, 11, 25, 10, 18, 24, 969095, tzinfo=UTC)
    root = parse_xml(rpg.content)
    assert root.tag == f"{GMD}MD_Metadata"
    assert b"<gco:CharacterString>IGNF_RPG</gco:CharacterString>" in rpg.content
    assert b"Plan local d'urbanisme de la commune de Cartigny" in got[1].content
    starts = [q["startPosition"] for q in getrecords(simulator)]
    assert starts == [["1"], ["3"], ["5"], ["7"]]
    first = getrecords(simulator)[0]
    assert first["outputSchema"] == ["http://www.isotc211.org/2005/gmd"]
    assert first["ElementSetName"] == ["full"] and first["resultType"] == ["results"]
    assert pages[-1].checkpoint == {"start": 8, "done": True}


def test_server_cap_on_max_records_is_followed(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-ign-csw", page_size=10)))
    assert [r.identifier for r in got] == IDS
    assert [q["maxRecords"] for q in getrecords(simulator)] == [["10"]] * 4


def test_exception_report_past_the_end_is_the_end(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw"), checkpoint={"start": 9, "done": False})
    assert records(pages) == [] and pages[-1].checkpoint["done"] is True
    assert pages[-1].issues == []


def test_records_deleted_during_harvest_end_on_exception_report(
    simulator, sim_source, http_client
):
    from harvesters.base import harvester_for

    pages = harvester_for(sim_source("sim-ign-csw"), http_client).pages()
    got = list(next(pages).records) + list(next(pages).records) + list(next(pages).records)
    for identifier in IDS[:4]:
        simulator.delete_record("ign", identifier)
    rest = list(pages)  # start=7 > 3 matched: GeoNetwork's ExceptionReport
    assert len(got) == 6 and records(rest) == []


def test_looping_next_record_terminates_with_an_issue_and_no_duplicates(
    simulator, sim_source, harvest
):
    simulator.faults.add("/ign/csw", "loop-next", times=None, next_record=1)
    pages = harvest(sim_source("sim-ign-csw"))
    ids = [r.identifier for r in records(pages)]
    assert ids == IDS
    assert max(Counter(ids).values()) == 1
    issues = [i for p in pages for i in p.issues]
    assert issues and all("nextRecord=1 points back" in i.message for i in issues)
    assert len(getrecords(simulator)) == 4


def test_next_record_zero_too_early_is_not_trusted_over_matched(simulator, sim_source, harvest):
    simulator.faults.add("/ign/csw", "loop-next", next_record=0)
    assert [r.identifier for r in records(harvest(sim_source("sim-ign-csw")))] == IDS


def test_next_record_beyond_matched_is_not_followed(simulator, sim_source, harvest):
    simulator.faults.add("/ign/csw", "loop-next", after=1, next_record=99)
    assert [r.identifier for r in records(harvest(sim_source("sim-ign-csw")))] == IDS
    assert [q["startPosition"] for q in getrecords(simulator)] == [["1"], ["3"], ["5"], ["7"]]


def test_server_ignoring_start_position_stops_with_an_issue(simulator, sim_source, harvest,
                                                            http_client):
    first_page = http_client.get(simulator.url("/ign/csw"), params={
        "service": "CSW", "request": "GetRecords", "startPosition": 1, "maxRecords": 2,
        "outputSchema": "http://www.isotc211.org/2005/gmd"}).content
    simulator.faults.add("/ign/csw", "malformed", times=None, body=first_page)
    pages = harvest(sim_source("sim-ign-csw"))
    assert [r.identifier for r in records(pages)] == IDS[:2]
    assert "repeats records already harvested" in pages[-1].issues[0].message


def test_modified_since_constraint(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw"), since=datetime(2022, 1, 1, tzinfo=UTC))
    assert [r.identifier for r in records(pages)] == [IDS[0], IDS[3]]
    query = getrecords(simulator)[0]
    assert query["constraint"] == ["apiso:Modified >= '2022-01-01T00:00:00Z'"]
    assert query["constraintLanguage"] == ["CQL_TEXT"]
    assert [i for p in pages for i in p.issues] == []


def test_modified_queryable_is_a_source_option(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw", modified_queryable="dct:modified"),
                    since=datetime(2022, 1, 1, tzinfo=UTC))
    assert [r.identifier for r in records(pages)] == [IDS[0], IDS[3]]
    assert getrecords(simulator)[0]["constraint"] == ["dct:modified >= '2022-01-01T00:00:00Z'"]


def test_rejected_modified_filter_falls_back_to_a_full_listing_with_a_warning(
    simulator, sim_source, harvest
):
    # Like pycsw, the simulator does not know the bare ``Modified`` that GeoNetwork accepts.
    pages = harvest(sim_source("sim-ign-csw", modified_queryable="Modified"),
                    since=datetime(2022, 1, 1, tzinfo=UTC))
    assert [r.identifier for r in records(pages)] == IDS
    queries = getrecords(simulator)
    assert queries[0]["constraint"] == ["Modified >= '2022-01-01T00:00:00Z'"]
    assert all("constraint" not in q for q in queries[1:])
    issues = [i for p in pages for i in p.issues]
    assert len(issues) == 1 and issues[0].warning and issues[0].identifier is None
    assert "Invalid Filter syntax" in issues[0].message
    assert "modified_queryable" in issues[0].message
    assert pages[-1].checkpoint == {"start": 8, "done": True, "unfiltered": True}


def test_resumed_fallback_listing_stays_unfiltered(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw"), since=datetime(2022, 1, 1, tzinfo=UTC),
                    checkpoint={"start": 5, "done": False, "unfiltered": True})
    assert [r.identifier for r in records(pages)] == IDS[4:]
    assert all("constraint" not in q for q in getrecords(simulator))


def test_updated_record_appears_in_incremental_run(simulator, sim_source, harvest):
    since = datetime.now(UTC) - timedelta(minutes=5)
    simulator.update_record("ign", IDS[6], title="Cadastre 2026 en Bretagne")
    got = records(harvest(sim_source("sim-ign-csw"), since=since))
    assert [r.identifier for r in got] == [IDS[6]]
    assert b"Cadastre 2026 en Bretagne" in got[0].content
    assert got[0].datestamp is not None and got[0].datestamp >= since.replace(microsecond=0)


def test_deleted_record_disappears(simulator, sim_source, harvest):
    simulator.delete_record("ign", "IGNF_RPG")
    assert [r.identifier for r in records(harvest(sim_source("sim-ign-csw")))] == IDS[1:]


def test_malformed_page_fails_after_retries(simulator, sim_source, harvest):
    simulator.faults.add("/ign/csw", "malformed", times=None, after=1)
    with pytest.raises(HarvestFailed, match="CSW page"):
        harvest(sim_source("sim-ign-csw"))


def test_other_exception_reports_fail(simulator, sim_source, harvest):
    with pytest.raises(HarvestFailed, match="InvalidParameterValue"):
        harvest(sim_source("sim-ign-csw", constraint="AnyText LIKE '%eau%'"))


def test_resume_from_checkpoint(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ign-csw"), checkpoint={"start": 5, "done": False})
    assert [r.identifier for r in records(pages)] == IDS[4:]
