"""OAI-PMH client against the simulated BnF/Gallica repository (recorded 2010 records)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from catalogue.simulator import Simulator
from catalogue.simulator.data import RECORDINGS
from core.raw import RawRecord
from core.xmlsafe import parse_xml
from harvesters.base import HarvestFailed

LISTRECORDS = Path(RECORDINGS, "bnf", "gallica_oaipmh_2010_ListRecords.xml").read_text("utf-8")
# Independent of the simulator's loader: the identifiers as written in the recording.
RECORDED_IDS = [m.strip() for m in re.findall(r"<identifier>(.*?)</identifier>", LISTRECORDS, re.S)]
MODERN = ["oai:bnf.fr:gallica/ark:/12148/bpt6k5785971m", "oai:bnf.fr:gallica/ark:/12148/bpt6k5603637g",
          "oai:bnf.fr:gallica/ark:/12148/btv1b10870266z", "oai:bnf.fr:gallica/ark:/12148/bpt6k1914256x"]
BELZONI = "oai:bnf.fr:gallica/ark:/12148/bpt6k852111"


def records(pages) -> list[RawRecord]:
    return [r for p in pages for r in p.records]


def list_requests(sim: Simulator) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in sim.requests
            if "ListRecords" in r.query or "resumptionToken" in r.query]


def test_full_listing_over_several_pages(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-bnf-oai"))
    assert len(RECORDED_IDS) == 100
    assert [len(p.records) for p in pages] == [30, 30, 30, 14]
    got = records(pages)
    assert [r.identifier for r in got] == RECORDED_IDS + MODERN
    first = got[0]
    assert first.identifier == BELZONI
    assert first.format == "oai_dc"
    assert first.datestamp == datetime(2009, 1, 8, tzinfo=UTC)
    assert first.extra["sets"] == ["gallica:9:91", "gallica:monographies"]
    assert "Voyages en Égypte et en Nubie".encode() in first.content
    assert b"<setSpec>gallica:9:91</setSpec>" in first.content  # header travels with metadata
    record = parse_xml(first.content)
    assert record.tag == "{http://www.openarchives.org/OAI/2.0/}record"
    assert all(p.checkpoint is not None for p in pages)
    assert pages[-1].checkpoint["done"] is True
    assert all(not r.deleted for r in got)


def test_padded_identifiers_and_tokens_are_stripped(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-bnf-oai")))
    padded = "oai:bnf.fr:gallica/ark:/12148/btv1b7711393v"
    assert f"<identifier>\n\t\t\t\t{padded}</identifier>" in LISTRECORDS  # the quirk is recorded
    assert padded in [r.identifier for r in got]
    assert all(r.identifier == r.identifier.strip() for r in got)
    tokens = [q["resumptionToken"][0] for q in list_requests(simulator) if "resumptionToken" in q]
    assert tokens == ["2!2!30!!!gallica!oai_dc", "2!2!60!!!gallica!oai_dc",
                      "2!2!90!!!gallica!oai_dc"]
    # '!' and ':' reached the server URL-encoded
    assert any("resumptionToken=2%212%2130" in r.query for r in simulator.requests)


def test_set_filter(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-bnf-oai", set="gallica:8:84")))
    expected = LISTRECORDS.count("<setSpec>gallica:8:84</setSpec>")
    assert expected == 15
    assert len(got) == expected
    assert all("gallica:8:84" in r.extra["sets"] for r in got)
    assert list_requests(simulator)[0]["set"] == ["gallica:8:84"]


def test_since_uses_announced_day_granularity(simulator, sim_source, harvest):
    since = datetime(2020, 1, 1, 15, 30, tzinfo=UTC)
    got = records(harvest(sim_source("sim-bnf-oai", set=None), since=since))
    assert [r.identifier for r in got] == MODERN[1:]
    assert any(r.query == "verb=Identify" for r in simulator.requests)
    assert list_requests(simulator)[0]["from"] == ["2020-01-01"]


def test_until_option(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-bnf-oai", set=None, **{"from": "2018-01-01",
                                                                  "until": "2024-12-31"})))
    assert [r.identifier for r in got] == MODERN[:2]
    query = list_requests(simulator)[0]
    assert query["from"] == ["2018-01-01"] and query["until"] == ["2024-12-31"]


def test_no_records_match_is_an_empty_listing(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-bnf-oai"), since=datetime(2099, 1, 1, tzinfo=UTC))
    assert records(pages) == []
    assert pages[-1].checkpoint["done"] is True


def test_deleted_header(simulator, sim_source, harvest):
    before = datetime.now(UTC) - timedelta(hours=1)
    simulator.delete_record("bnf", BELZONI)
    got = records(harvest(sim_source("sim-bnf-oai"), since=before))
    assert [(r.identifier, r.deleted) for r in got] == [(BELZONI, True)]
    assert b'status="deleted"' in got[0].content
    assert b"<metadata>" not in got[0].content
    assert got[0].extra["sets"] == ["gallica:9:91", "gallica:monographies"]


def test_updated_record_is_relisted_with_new_title(simulator, sim_source, harvest):
    before = datetime.now(UTC) - timedelta(hours=1)
    simulator.update_record("bnf", BELZONI, title="Voyages en Égypte (nouvelle notice)")
    got = records(harvest(sim_source("sim-bnf-oai"), since=before))
    assert [r.identifier for r in got] == [BELZONI]
    assert "Voyages en Égypte (nouvelle notice)".encode() in got[0].content
    assert got[0].datestamp is not None and got[0].datestamp.date() == datetime.now(UTC).date()


def test_expired_token_restarts_from_checkpoint_and_yields_each_record_once(
    simulator, sim_source, harvest
):
    simulator.faults.add("/bnf/oai", "expired-token", after=1)  # the 2nd token request
    pages = harvest(sim_source("sim-bnf-oai"))
    ids = [r.identifier for r in records(pages)]
    assert Counter(ids).most_common(1)[0][1] == 1
    assert sorted(ids) == sorted(RECORDED_IDS + MODERN)
    restart = [q for q in list_requests(simulator) if "from" in q]
    assert restart and restart[0]["from"] == ["2009-01-08"]  # the last datestamp seen
    assert pages[-1].checkpoint["restarts"] == 1


def test_token_always_rejected_stops_after_restart_limit(simulator, sim_source, harvest):
    simulator.faults.add("/bnf/oai", "expired-token", times=None)
    with pytest.raises(HarvestFailed, match="restart"):
        harvest(sim_source("sim-bnf-oai", max_restarts=2))
    assert len(list_requests(simulator)) == 1 + 3 + 2  # first page, 3 rejected tokens, 2 restarts


def test_malformed_page_is_refetched(simulator, sim_source, harvest):
    simulator.faults.add("/bnf/oai", "malformed", query={"resumptionToken": "2!2!30!!!gallica!oai_dc"})
    got = records(harvest(sim_source("sim-bnf-oai")))
    assert len(got) == 104


def test_page_that_stays_malformed_fails_the_run_after_the_last_good_page(
    simulator, sim_source, http_client
):
    from harvesters.base import harvester_for

    simulator.faults.add("/bnf/oai", "malformed", times=None, query={"verb": "ListRecords"},
                         after=1)
    harvester = harvester_for(sim_source("sim-bnf-oai"), http_client)
    pages = []
    with pytest.raises(HarvestFailed, match="could not be read after 3 attempt"):
        for page in harvester.pages():
            pages.append(page)
    assert len(pages) == 1
    assert pages[0].checkpoint["token"] == "2!2!30!!!gallica!oai_dc"


def test_truncated_page_is_retried(simulator, sim_source, harvest):
    simulator.faults.add("/bnf/oai", "truncated", after=2)
    assert len(records(harvest(sim_source("sim-bnf-oai")))) == 104


def test_resume_from_checkpoint_yields_exactly_the_rest(simulator, sim_source, harvest, http_client):
    from harvesters.base import harvester_for

    pages = harvester_for(sim_source("sim-bnf-oai"), http_client).pages()
    first_two = [next(pages), next(pages)]
    checkpoint = first_two[-1].checkpoint
    done_ids = [r.identifier for p in first_two for r in p.records]
    rest = [r.identifier for r in records(harvest(sim_source("sim-bnf-oai"),
                                                  checkpoint=checkpoint))]
    assert len(done_ids) == 60 and len(rest) == 44
    assert done_ids + rest == RECORDED_IDS + MODERN
    assert harvest(sim_source("sim-bnf-oai"), checkpoint={"done": True}) == []


def test_record_without_identifier_is_a_parse_issue(simulator, sim_source, harvest):
    page = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2013-02-27T09:10:56Z</responseDate>
  <request metadataPrefix="oai_dc" verb="ListRecords">http://test.example.com/oai</request>
  <ListRecords>
    <record><header status="deleted"><!--Missing identifier--></header></record>
    <record>
      <header><identifier>oai:test.example.com:1585322</identifier>
      <datestamp>2011-01-10T10:19:23Z</datestamp></header>
      <metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
        xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Sample Title</dc:title></oai_dc:dc>
      </metadata>
    </record>
  </ListRecords>
</OAI-PMH>"""
    simulator.faults.add("/bnf/oai", "malformed", body=page, query={"verb": "ListRecords"})
    pages = harvest(sim_source("sim-bnf-oai"))
    assert [r.identifier for r in records(pages)] == ["oai:test.example.com:1585322"]
    issues = pages[0].issues
    assert len(issues) == 1 and issues[0].stage == "parse" and issues[0].identifier is None
    assert issues[0].url is not None and "/bnf/oai" in issues[0].url


def test_unsupported_metadata_prefix_fails_clearly(simulator, sim_source, harvest):
    with pytest.raises(HarvestFailed, match="cannotDisseminateFormat"):
        harvest(sim_source("sim-bnf-oai", metadata_prefix="lom"))
