"""``GET /api/v1/resources/{id}``: the shared record, schema.org JSON-LD, the XML formats, 404/406/410."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from core.xmlsafe import parse_xml
from tests.api import data

SDO = Namespace("https://schema.org/")
CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"
LEVEL_SET = URIRef("http://data.education.fr/voc/scolomfr/scolomfr-voc-022")
DISCIPLINE_SET = URIRef("http://data.education.fr/voc/scolomfr/scolomfr-voc-015")


def find(records: list[dict[str, Any]], discipline: str) -> dict[str, Any]:
    return next(r for r in records if r["disciplines"][0]["id"] == discipline and len(r["levels"]) > 1)


def test_json_is_the_shared_record_with_links(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    record = records[0]
    response = client.get(f"/api/v1/resources/{record['id']}")
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    links = body.pop("_links")
    catalogue = body.pop("catalogue")
    assert body == record
    # The catalogue's own change datestamp, apart from the partner's (source.datestamp).
    assert set(catalogue) == {"modified", "change"}
    assert catalogue["modified"].endswith("Z") and catalogue["change"].startswith("c")
    assert links["self"] == f"{data.BASE_URL}/api/v1/resources/{record['id']}"
    assert set(links) == {"self", "jsonld", "oai_dc", "lom", "scolomfr", "html"}
    assert links["html"] == f"{data.BASE_URL}/ressources/{record['id']}"
    assert "Accept" in response.headers["Vary"]


def jsonld_graph(client: FlaskClient, record_id: str, **kwargs: Any) -> tuple[Graph, URIRef]:
    response = client.get(f"/api/v1/resources/{record_id}", **kwargs)
    assert response.status_code == 200
    assert response.content_type == "application/ld+json"
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    subject = URIRef(f"{data.BASE_URL}/api/v1/resources/{record_id}")
    assert (subject, RDF.type, SDO.LearningResource) in graph
    return graph, subject


def test_jsonld_carries_levels_and_disciplines_as_scolomfr_uris(
    client: FlaskClient, records: list[dict[str, Any]]
) -> None:
    record = find(records, data.HISTGEO)
    graph, subject = jsonld_graph(client, record["id"], headers={"Accept": "application/ld+json"})
    levels = set(graph.objects(subject, SDO.educationalLevel))
    assert levels == {URIRef(CONCEPT + c["id"]) for c in record["levels"]} and len(levels) == 2
    for level in levels:
        assert (level, RDF.type, SDO.DefinedTerm) in graph
        assert (level, SDO.inDefinedTermSet, LEVEL_SET) in graph
    assert set(graph.objects(subject, SDO.about)) == {URIRef(CONCEPT + data.HISTGEO)}
    assert (URIRef(CONCEPT + data.HISTGEO), SDO.inDefinedTermSet, DISCIPLINE_SET) in graph
    assert (subject, SDO.name, Literal(record["title"][0]["value"])) in graph
    assert (subject, SDO.license, URIRef(record["licence"]["uri"])) in graph
    assert (subject, SDO.url, URIRef(record["url"])) in graph
    assert (subject, SDO.mainEntityOfPage, URIRef(f"{data.BASE_URL}/ressources/{record['id']}")) in graph
    assert (subject, SDO.inLanguage, Literal("fr")) in graph
    assert (subject, SDO.temporalCoverage, Literal("1789/1799")) in graph
    assert (subject, SDO.dateCreated, Literal(record["dates"]["created"]["start"])) in graph
    provider = graph.value(subject, SDO.provider)
    assert (provider, RDF.type, SDO.Organization) in graph
    assert graph.value(provider, SDO.name) == Literal(data.SOURCES[record["source"]["partner"]][1])
    kind = graph.value(subject, SDO.learningResourceType)
    assert kind == URIRef(record["resource_types"][0]["id"])
    place = graph.value(subject, SDO.spatialCoverage)
    assert graph.value(place, SDO.name) == Literal("France")


def test_jsonld_puts_a_programme_topic_in_teaches_and_its_discipline_in_about(
    client: FlaskClient, records: list[dict[str, Any]]
) -> None:
    record = next(r for r in records if r["disciplines"][0]["id"] == data.HISTOIRE_CM2)
    graph, subject = jsonld_graph(client, record["id"], query_string={"format": "jsonld"})
    assert set(graph.objects(subject, SDO.teaches)) == {URIRef(CONCEPT + data.HISTOIRE_CM2)}
    assert set(graph.objects(subject, SDO.about)) == {URIRef(CONCEPT + data.HISTGEO)}


@pytest.mark.parametrize(("fmt", "root"), [
    ("oai_dc", "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"),
    ("lom", "{http://ltsc.ieee.org/xsd/LOM}lom"),
    ("scolomfr", "{http://ltsc.ieee.org/xsd/LOM}lom"),
])
def test_xml_formats_use_the_shared_serialisers(
    client: FlaskClient, records: list[dict[str, Any]], fmt: str, root: str
) -> None:
    record = records[1]
    response = client.get(f"/api/v1/resources/{record['id']}?format={fmt}")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    tree = parse_xml(response.data)
    element = tree.getroot() if hasattr(tree, "getroot") else tree
    assert element.tag == root
    assert record["title"][0]["value"].encode() in response.data


def test_withdrawn_record_is_gone(client: FlaskClient, gone: dict[str, Any]) -> None:
    for url in (f"/api/v1/resources/{gone['id']}", f"/api/v1/resources/{gone['id']}?format=lom"):
        response = client.get(url)
        assert response.status_code == 410
        assert response.content_type == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 410 and body["id"] == gone["id"]
        assert body["deleted_at"].endswith("Z") and body["type"].endswith("#problem-gone")


@pytest.mark.parametrize("record_id", ["does-not-exist", "UPPER", "a" * 300, "x%20y", "..."])
def test_unknown_record_is_404(client: FlaskClient, record_id: str) -> None:
    response = client.get(f"/api/v1/resources/{record_id}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"].endswith("#problem-not-found")


@pytest.mark.parametrize("accept", ["text/csv", "application/xml", "image/png"])
def test_unsupported_accept_is_406(client: FlaskClient, records: list[dict[str, Any]], accept: str) -> None:
    response = client.get(f"/api/v1/resources/{records[0]['id']}", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.content_type == "application/problem+json"
    assert "application/ld+json" in response.get_json()["detail"]


def test_browser_accept_gets_json(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/api/v1/resources/{records[0]['id']}", headers={"Accept": accept})
    assert response.status_code == 200 and response.content_type == "application/json"


def test_unknown_format_is_a_named_400(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    response = client.get(f"/api/v1/resources/{records[0]['id']}?format=marc")
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "format"
