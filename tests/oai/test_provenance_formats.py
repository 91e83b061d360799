"""A partner default never reads as a partner statement, in any output format.

Each format carries the origin of every level and discipline its own way (docs/record.md):
oai_dc leaves defaults out of ``dc:subject``; LOM and ScoLOMFR put each origin in its own
classification, the non-source ones with a ``description`` saying where the values come from;
JSON-LD keeps defaults out of ``educationalLevel`` / ``about`` / ``teaches`` and lists every value
as an ``educationalAlignment`` with its provenance.
"""

from __future__ import annotations

import json

import pytest
import rdflib
from lxml import etree

from schemas.provenance import DEFAULT_TEXT
from schemas.record import PROVENANCES
from schemas.serializers import FORMATS, lom, oai_dc, scolomfr
from schemas.serializers.jsonld import concept_uri, to_jsonld
from schemas.vocabularies import load_vocabulary
from tests.oai.support import (
    COLLEGE,
    HISTGEO,
    PROGRAMME_REVOLUTION,
    SVT,
    TROISIEME,
    make_record,
    mixed_record,
    schema,
)

LOM_NS = {"lom": "http://ltsc.ieee.org/xsd/LOM"}
DC = {"dc": "http://purl.org/dc/elements/1.1/"}
XSDS = {"oai_dc": "oai-pmh/oai_dc.xsd", "lom": "lom/lomStrict.xsd",
        "scolomfr": "scolomfr-3.2.1/scolomfr.xsd"}
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SDO = rdflib.Namespace("https://schema.org/")


def _defaults(record: dict) -> set[str]:
    return {e["id"] for e in record["levels"] + record["disciplines"] if e["provenance"] == "default"}


def _classifications(element: etree._Element) -> list[tuple[str | None, set[str]]]:
    """(description, taxon concept ids) of each classification."""
    out = []
    for classification in element.findall("lom:classification", LOM_NS):
        description = classification.findtext("lom:description/lom:string", namespaces=LOM_NS)
        ids = {t.text.rsplit("/", 1)[-1] for t in classification.findall(".//lom:taxon/lom:id", LOM_NS)}
        out.append((description, ids))
    return out


@pytest.mark.parametrize("prefix", list(FORMATS))
def test_mixed_origins_stay_schema_valid(prefix: str) -> None:
    element = FORMATS[prefix].element(mixed_record())
    validator = schema(XSDS[prefix])
    assert validator.validate(element), validator.error_log


def test_oai_dc_subjects_leave_defaults_out() -> None:
    record = mixed_record()
    subjects = [e.text for e in oai_dc.to_oai_dc(record).findall("dc:subject", DC)]
    assert "collège" not in subjects
    assert "sciences de la vie et de la Terre (discipline)" not in subjects
    for entry in record["levels"] + record["disciplines"]:
        if entry["provenance"] != "default":
            assert entry["label"] in subjects, entry


@pytest.mark.parametrize("builder", [lom.to_lom, scolomfr.to_scolomfr])
def test_lom_puts_each_origin_in_its_own_described_classification(builder) -> None:  # type: ignore[no-untyped-def]
    record = mixed_record()
    found = _classifications(builder(record))
    # levels: source, rule, inferred, default, curation; disciplines: source, rule, inferred, default
    assert len(found) == 9
    defaults = _defaults(record)
    for description, ids in found:
        if ids & defaults:
            assert ids <= defaults, "a default shares a classification with another origin"
            assert description is not None and "par défaut" in description
        if description is None:  # the partner's own classification
            assert not ids & defaults
    undescribed = set().union(*(ids for d, ids in found if d is None))
    assert undescribed == {e["id"] for e in record["levels"] + record["disciplines"]
                           if e["provenance"] == "source"}
    inferred = next(d for d, ids in found if PROGRAMME_REVOLUTION in ids)
    assert inferred is not None and "contenu" in inferred


def test_jsonld_statements_leave_defaults_out_and_alignments_say_where_from() -> None:
    vocab = load_vocabulary()
    record = mixed_record()
    doc = to_jsonld(record, uri="https://catalogue.example.fr/api/v1/resources/x",
                    discipline_of=vocab.discipline_of, vocab=vocab)
    stated = {t["termCode"] for key in ("educationalLevel", "about", "teaches") for t in doc.get(key, [])}
    assert COLLEGE not in stated and SVT not in stated
    assert TROISIEME in stated and HISTGEO in stated and PROGRAMME_REVOLUTION in stated
    alignments = {(a["alignmentType"], a["targetUrl"]): a for a in doc["educationalAlignment"]}
    assert len(alignments) == len(record["levels"]) + len(record["disciplines"])
    college = alignments[("educationalLevel", concept_uri(COLLEGE))]
    assert college["provenance"] == "default" and college["description"] == DEFAULT_TEXT
    svt = alignments[("educationalSubject", concept_uri(SVT))]
    assert svt["provenance"] == "default" and svt["description"] == DEFAULT_TEXT
    quatrieme = alignments[("educationalLevel", concept_uri("scolomfr-voc-022-num-021"))]
    assert quatrieme["description"] == ("d'après le programme d'histoire de 4e : « la Révolution "
                                        "française et l'Empire » — mots : révolution, 1789 — "
                                        "période : 1789-1815")
    dewey = alignments[("educationalSubject", concept_uri(HISTGEO))]
    assert dewey["description"] == "d'après la classification Dewey du partenaire (944)"

    # As RDF (the context is inline): the default is only reachable through an alignment that
    # carries dcterms:provenance "default", never as schema:educationalLevel / schema:about.
    graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    college_uri = rdflib.URIRef(concept_uri(COLLEGE))
    assert (None, SDO.educationalLevel, college_uri) not in graph
    assert (None, SDO.about, rdflib.URIRef(concept_uri(SVT))) not in graph
    nodes = list(graph.subjects(SDO.targetUrl, college_uri))
    assert len(nodes) == 1
    assert graph.value(nodes[0], DCT.provenance) == rdflib.Literal("default")


@pytest.mark.parametrize("provenance", PROVENANCES)
def test_a_value_is_a_statement_in_every_format_unless_it_is_a_default(provenance: str) -> None:
    record = make_record("ark:/12148/one", "Une notice")
    record["levels"] = [{"id": TROISIEME, "label": "3e", "provenance": provenance,
                         "basis": "source-default" if provenance == "default" else None}]
    stated = provenance != "default"
    subjects = [e.text for e in oai_dc.to_oai_dc(record).findall("dc:subject", DC)]
    assert ("3e" in subjects) is stated
    doc = to_jsonld(record, uri="https://catalogue.example.fr/r")
    assert ("educationalLevel" in doc) is stated
    assert doc["educationalAlignment"][0]["provenance"] == provenance
    for builder in (lom.to_lom, scolomfr.to_scolomfr):
        [(description, ids)] = _classifications(builder(record))
        assert ids == {TROISIEME}
        assert (description is None) is (provenance == "source")
        assert (description is not None and "par défaut" in description) is (not stated)
