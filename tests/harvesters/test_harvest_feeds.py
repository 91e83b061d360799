"""RSS/Atom and INA Jalons clients against the simulated INA endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from core.raw import RawRecord
from core.xmlsafe import parse_xml
from harvesters.base import HarvestFailed

REAL = "InaEdu00015"
FICHE = ("http://fresques.ina.fr/jalons/fiche-media/InaEdu00015/"
         "l-election-du-premier-president-de-la-ive-republique.html")
MRSS = "http://search.yahoo.com/mrss/"


def records(pages) -> list[RawRecord]:
    return [r for p in pages for r in p.records]


def test_rss_items_with_media_and_channel_facts(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ina-rss"))
    got = records(pages)
    assert len(pages) == 1 and len(got) == 8
    first = got[0]
    assert first.identifier == FICHE and first.landing_url == FICHE
    assert first.format == "rss"
    assert first.datestamp == datetime(2024, 9, 2, 8, 0, tzinfo=UTC)
    assert first.extra == {"feed_kind": "rss", "channel_title": "Jalons – vidéos d'histoire de l'INA",
                           "channel_link": "http://fresques.ina.fr/jalons/",
                           "channel_language": "fr"}
    item = parse_xml(first.content)  # parses alone: namespace declarations travelled
    assert item.tag == "item"
    assert item.find(f"{{{MRSS}}}thumbnail") is not None
    assert "&lt;p&gt;Selon la nouvelle Constitution" in first.content.decode()


def test_atom_follows_rel_next(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ina-atom"))
    assert [len(p.records) for p in pages] == [3, 3, 2]
    assert [r.query for r in simulator.requests] == ["", "page=2", "page=3"]
    got = records(pages)
    assert [r.identifier for r in got] == [r.identifier for r in
                                           records(harvest(sim_source("sim-ina-rss")))]
    entry = parse_xml(got[0].content)
    assert entry.tag == "{http://www.w3.org/2005/Atom}entry"
    assert got[0].extra["feed_kind"] == "atom" and got[0].extra["channel_language"] == "fr"


def test_atom_next_loop_stops_with_an_issue(simulator, sim_source, harvest):
    simulator.faults.add("/ina/atom", "loop-next", after=1)
    pages = harvest(sim_source("sim-ina-atom"))
    assert len(records(pages)) == 6
    assert "already fetched" in pages[-1].issues[0].message


def test_atom_resume_from_checkpoint(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ina-atom"),
                    checkpoint={"next": simulator.url("/ina/atom?page=3"), "done": False})
    assert len(records(pages)) == 2


def test_deleted_item_leaves_the_feeds(simulator, sim_source, harvest):
    simulator.delete_record("ina", REAL)
    assert FICHE not in [r.identifier for r in records(harvest(sim_source("sim-ina-rss")))]
    assert REAL not in [r.identifier for r in records(harvest(sim_source("sim-ina-jalons")))]


def test_not_a_feed_fails(simulator, sim_source, harvest):
    simulator.faults.add("/ina/rss", "malformed", times=None, body="<html><body>maintenance</body></html>")
    with pytest.raises(HarvestFailed, match="feed page"):
        harvest(sim_source("sim-ina-rss"))


def test_jalons_pages_with_offset_and_limit(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-ina-jalons", page_size=3))
    assert [len(p.records) for p in pages] == [3, 3, 2]
    got = records(pages)
    assert got[0].identifier == REAL
    assert [parse_qs(r.query)["offset"] for r in simulator.requests] == [["0"], ["3"], ["6"]]
    resource = json.loads(got[0].content)
    assert resource["title"] == " L'élection du premier président de la IVe République "
    assert resource["description"].startswith("<p>Selon la nouvelle Constitution")
    assert got[0].landing_url == FICHE
    assert got[0].datestamp is None
    assert pages[-1].checkpoint == {"offset": 8, "done": True}


def test_jalons_query_option(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-ina-jalons", query="president")))
    assert [r.identifier for r in got] == [REAL]
    assert parse_qs(simulator.requests[0].query)["query"] == ["president"]


def test_jalons_resume_from_checkpoint(simulator, sim_source, harvest):
    got = records(harvest(sim_source("sim-ina-jalons", page_size=3),
                          checkpoint={"offset": 6, "done": False}))
    assert [r.identifier for r in got] == ["InaEdu90006", "InaEdu90007"]


def test_jalons_server_ignoring_offset_stops_with_an_issue(simulator, sim_source, harvest,
                                                           http_client):
    first = http_client.get(simulator.url("/ina/jalons/api/search"), params={"limit": 3}).content
    simulator.faults.add("/ina/jalons", "malformed", times=None, body=first,
                         content_type="application/json")
    pages = harvest(sim_source("sim-ina-jalons", page_size=3))
    assert len(records(pages)) == 3
    assert "repeats resources" in pages[-1].issues[0].message


def test_jalons_resource_without_id_is_a_parse_issue(simulator, sim_source, harvest):
    body = {"return": {"total": 2, "offset": 0, "limit": 10,
                       "resources": [{"title": "sans id"}, {"id": " InaEdu1 ", "title": "t"}]}}
    simulator.faults.add("/ina/jalons", "malformed", body=json.dumps(body),
                         content_type="application/json")
    pages = harvest(sim_source("sim-ina-jalons"))
    assert [r.identifier for r in records(pages)] == ["InaEdu1"]
    assert pages[0].issues[0].stage == "parse"


def test_rss_channel_next_link_and_rss1_page(simulator, sim_source, harvest):
    rss2 = """<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
  <title>Flux</title><link>/ina/</link><language>fr-FR</language>
  <atom:link rel="next" href="/ina/rss?page=2"/>
  <item><title>Sans guid</title><link>/ina/item-a</link>
    <pubDate>Tue, 10 Jun 2025 08:00:00 +0200</pubDate></item>
  <item><title>Ni guid ni lien</title></item>
</channel></rss>"""
    rss1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/"><title>RSS 1.0</title><link>http://example.org/</link>
    <dc:language>fr</dc:language></channel>
  <item rdf:about="http://example.org/b"><title>B</title><link>http://example.org/b</link>
    <dc:date>2025-06-11T10:00:00Z</dc:date></item>
</rdf:RDF>"""
    simulator.faults.add("/ina/rss", "malformed", body=rss1, query={"page": "2"})
    simulator.faults.add("/ina/rss", "malformed", body=rss2)
    pages = harvest(sim_source("sim-ina-rss"))
    got = records(pages)
    assert [r.identifier for r in got] == [simulator.url("/ina/item-a"), "http://example.org/b"]
    assert got[0].landing_url == simulator.url("/ina/item-a")
    assert got[0].datestamp == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
    assert got[0].extra["channel_link"] == simulator.url("/ina/")
    assert got[1].extra["feed_kind"] == "rss1" and got[1].extra["channel_language"] == "fr"
    assert got[1].datestamp == datetime(2025, 6, 11, 10, 0, tzinfo=UTC)
    assert pages[0].issues[0].stage == "parse"
