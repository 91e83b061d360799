"""``schemas.serializers.jsonld`` on the record shapes the catalogue data does not exercise."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef

from schemas.record import validate_record
from schemas.serializers.jsonld import to_jsonld
from schemas.vocabularies import load_vocabulary
from tests.api import data

SDO = Namespace("https://schema.org/")
URI = "https://catalogue.example.fr/api/v1/resources/x"


def record(**extra: object) -> dict:
    base = data.make_record(1)
    base.update(extra)
    return validate_record(base)


def graph(doc: dict) -> Graph:
    import json

    return Graph().parse(data=json.dumps(doc), format="json-ld")


def test_licence_without_uri_access_and_bbox() -> None:
    doc = to_jsonld(record(
        licence={"code": "specific", "label": "Conditions spécifiques", "uri": None},
        access="restricted", rights="Usage pédagogique seulement",
        coverage={"places": [], "bbox": {"west": 6.75, "south": 45.78, "east": 7.05, "north": 45.95}},
        duration=754.4,
        contributors=[{"name": "IGN", "role": "publisher", "kind": "organization"},
                      {"name": "Marie Curie", "role": "author", "kind": "person"}],
    ), uri=URI, partner_name="INA")
    assert doc["license"] == {"@type": "CreativeWork", "name": "Conditions spécifiques"}
    assert doc["isAccessibleForFree"] is False
    assert doc["spatialCoverage"] == [{"@type": "Place", "geo": {"@type": "GeoShape",
                                                                 "box": "45.78 6.75 45.95 7.05"}}]
    assert doc["timeRequired"] == "PT754S"
    assert doc["creator"] == [{"@type": "Person", "name": "Marie Curie"}]
    assert doc["publisher"] == [{"@type": "Organization", "name": "IGN"}]
    assert doc["provider"]["name"] == "INA"
    assert "temporalCoverage" not in doc


def test_types_keywords_in_rdf() -> None:
    doc = to_jsonld(record(keywords=[{"value": "volcan", "lang": "fr"}]), uri=URI)
    g = graph(doc)
    subject = URIRef(URI)
    kind = URIRef("http://purl.org/dc/dcmitype/StillImage")
    assert (subject, SDO.learningResourceType, kind) in g
    # ScoLOMFR voc-004 holds the DCMI types under their own URIs.
    voc004 = URIRef("http://data.education.fr/voc/scolomfr/scolomfr-voc-004")
    assert (kind, SDO.inDefinedTermSet, voc004) in g
    other = to_jsonld(record(resource_types=[{"id": str(kind), "label": "image fixe"}]), uri=URI)
    assert other["learningResourceType"][0]["inDefinedTermSet"] == "http://purl.org/dc/dcmitype/"
    assert (subject, SDO.keywords, Literal("volcan")) in g
    assert doc["provider"]["name"] == "ina"  # no partner name given: the id


def test_without_vocabulary_every_discipline_is_about() -> None:
    topic = load_vocabulary().concept(data.HISTOIRE_CM2)
    assert topic is not None
    rec = record(disciplines=[{"id": data.HISTOIRE_CM2, "label": topic.label, "provenance": "source"}])
    plain = to_jsonld(rec, uri=URI)
    assert [t["@id"].rsplit("/", 1)[1] for t in plain["about"]] == [data.HISTOIRE_CM2]
    assert "teaches" not in plain
    split = to_jsonld(rec, uri=URI, discipline_of=load_vocabulary().discipline_of)
    assert [t["termCode"] for t in split["teaches"]] == [data.HISTOIRE_CM2]
    assert [t["termCode"] for t in split["about"]] == [data.HISTGEO]
