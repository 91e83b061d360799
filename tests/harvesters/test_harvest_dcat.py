"""DCAT client: JSON-LD and Turtle hydra-paged catalogues, the recorded Vanves RDF/XML."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from rdflib import Graph, Namespace, URIRef

from core.raw import RawRecord
from harvesters.base import HarvestFailed

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BUREAUX = "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VFE = "https://vanves-seineouest.opendatasoft.com/explore/dataset/vfe_public_219200755_20240506/"


def records(pages) -> list[RawRecord]:
    return [r for p in pages for r in p.records]


def graph_of(record: RawRecord) -> Graph:
    return Graph().parse(data=record.content.decode("utf-8"), format="nt")


def test_jsonld_catalogue_over_hydra_pages(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-meteofrance-dcat"))
    assert [len(p.records) for p in pages] == [3, 1]
    got = records(pages)
    assert [r.identifier for r in got] == ["1", "2", "3", "4"]
    first = got[0]
    assert first.format == "dcat"
    assert first.datestamp == datetime(2016, 12, 14, 19, 1, 24, 184120, tzinfo=UTC)
    assert first.landing_url == "http://data.test.org/datasets/1"
    g = graph_of(first)
    dataset = URIRef("http://data.test.org/datasets/1")
    assert (dataset, RDF_TYPE, DCAT.Dataset) in g
    distribution = URIRef("http://data.test.org/datasets/1/resources/1")
    assert (dataset, DCAT.distribution, distribution) in g
    assert (distribution, DCAT.accessURL, None) in g  # the distribution's own description
    temporal = g.value(dataset, DCTERMS.temporal)
    assert temporal is not None and len(list(g.triples((temporal, None, None)))) == 2
    assert (URIRef("http://data.test.org/contacts/1"), None, None) in g  # contact point
    # nothing from the other datasets or the catalogue
    assert (URIRef("http://data.test.org/datasets/2"), None, None) not in g
    assert (URIRef("http://data.test.org"), None, None) not in g
    assert pages[0].checkpoint == {"next": simulator.url("/meteofrance/catalog.jsonld?page=2"),
                                   "done": False}
    assert pages[-1].checkpoint["done"] is True


def test_turtle_catalogue_gives_identical_records(simulator, sim_source, harvest):
    jsonld = records(harvest(sim_source("sim-meteofrance-dcat")))
    turtle = records(harvest(sim_source("sim-meteofrance-dcat-ttl")))
    assert [r.identifier for r in turtle] == ["1", "2", "3", "4"]
    assert [r.content for r in turtle] == [r.content for r in jsonld]


def test_content_is_stable_between_harvests(simulator, sim_source, harvest):
    once = records(harvest(sim_source("sim-meteofrance-dcat")))
    twice = records(harvest(sim_source("sim-meteofrance-dcat")))
    assert [r.content for r in once] == [r.content for r in twice]
    assert b"_:" in once[0].content  # a blank node, relabelled canonically


def test_rdfxml_organisation_catalogue(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-vanves-dcat"))
    got = {r.identifier: r for r in records(pages)}
    assert set(got) == {BUREAUX, VFE}
    bureaux = graph_of(got[BUREAUX])
    assert len(list(bureaux.objects(URIRef(BUREAUX), DCAT.distribution))) == 4
    titles = {str(o) for o in bureaux.objects(None, DCTERMS.title)}
    assert {"bureau-de-vote-vanves.geojson", "bureau-de-vote-vanves.zip"} <= titles
    assert "La liste des 23 bureaux de vote à Vanves" in got[BUREAUX].content.decode()
    assert (URIRef(VFE), None, None) not in bureaux
    assert got[BUREAUX].datestamp == datetime(2019, 4, 19, 12, 21, 56, tzinfo=UTC)
    assert len(pages) == 1


def test_hydra_next_loop_stops_with_an_issue(simulator, sim_source, harvest):
    simulator.faults.add("/meteofrance/catalog.jsonld", "loop-next", times=None)
    pages = harvest(sim_source("sim-meteofrance-dcat"))
    assert [r.identifier for r in records(pages)] == ["1", "2", "3"]
    # The source URL has no ?page=1, so the self link is fetched once before the loop shows.
    assert len(pages) == 2 and len(simulator.requests) == 2
    assert "already fetched" in pages[-1].issues[0].message


def test_turtle_next_loop_stops_with_an_issue(simulator, sim_source, harvest):
    simulator.faults.add("/meteofrance/catalog.ttl", "loop-next", after=1)
    pages = harvest(sim_source("sim-meteofrance-dcat-ttl"))
    assert [r.identifier for r in records(pages)] == ["1", "2", "3", "4"]
    assert "already fetched" in pages[-1].issues[0].message


def test_resume_from_checkpoint(simulator, sim_source, harvest):
    pages = harvest(sim_source("sim-meteofrance-dcat"),
                    checkpoint={"next": simulator.url("/meteofrance/catalog.jsonld?page=2"),
                                "done": False})
    assert [r.identifier for r in records(pages)] == ["4"]


def test_update_and_delete(simulator, sim_source, harvest):
    simulator.update_record("meteofrance-dcat", "2", title="Normales climatiques 1991-2020")
    simulator.delete_record("meteofrance-dcat", "3")
    got = {r.identifier: r for r in records(harvest(sim_source("sim-meteofrance-dcat")))}
    assert set(got) == {"1", "2", "4"}
    assert "Normales climatiques 1991-2020" in got["2"].content.decode()
    assert got["2"].datestamp is not None and got["2"].datestamp.year >= 2026


def test_remote_context_outside_allow_list_is_refused(simulator, sim_source, harvest):
    document = [{"@context": "http://example.org/context.jsonld", "@id": "urn:x",
                 "@type": "dcat:Dataset"}]
    simulator.faults.add("/meteofrance/catalog.jsonld", "malformed", body=json.dumps(document),
                         content_type="application/ld+json")
    with pytest.raises(HarvestFailed, match="example.org"):
        harvest(sim_source("sim-meteofrance-dcat"))


def test_remote_context_on_allowed_host_is_inlined(simulator, sim_source, harvest):
    context = {"@context": {"dcat": "http://www.w3.org/ns/dcat#",
                            "dct": "http://purl.org/dc/terms/"}}
    document = {"@context": "/meteofrance/context.jsonld", "@id": "http://example.org/ds/9",
                "@type": "dcat:Dataset", "dct:identifier": "9", "dct:title": "Jeu 9"}
    simulator.faults.add("/meteofrance/context.jsonld", "malformed", body=json.dumps(context),
                         content_type="application/ld+json")
    simulator.faults.add("/meteofrance/catalog.jsonld", "malformed", body=json.dumps(document),
                         content_type="application/ld+json")
    got = records(harvest(sim_source("sim-meteofrance-dcat")))
    assert [r.identifier for r in got] == ["9"]
    assert "Jeu 9" in got[0].content.decode()


def test_unreadable_page_fails(simulator, sim_source, harvest):
    simulator.faults.add("/meteofrance/catalog.jsonld", "malformed", times=None,
                         body="{not json", content_type="application/ld+json")
    with pytest.raises(HarvestFailed, match="DCAT page"):
        harvest(sim_source("sim-meteofrance-dcat"))
