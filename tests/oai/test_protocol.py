"""OAI-PMH verbs and error conditions, each response validated against OAI-PMH.xsd."""

from __future__ import annotations

from datetime import datetime

import pytest

from catalogue.store import Store
from schemas.record import record_id
from tests.oai.conftest import Harvester
from tests.oai.support import NS, errors, parse, request_attrs

# These tests only read: they share one SQLite catalogue per module (see ``readonly_app``).


@pytest.fixture
def oai_store(readonly_app) -> tuple[Store, dict[str, datetime]]:
    return readonly_app[1], readonly_app[2]


@pytest.fixture
def client(readonly_app):
    return readonly_app[0].test_client()


@pytest.fixture
def oai(client) -> Harvester:
    return Harvester(client)


def test_identify(oai: Harvester, oai_store: tuple[Store, dict[str, datetime]]) -> None:
    root = oai.get(verb="Identify")
    ident = root.find("o:Identify", NS)
    assert ident is not None
    assert ident.findtext("o:baseURL", namespaces=NS) == "http://localhost:8000/oai"
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    earliest = min(oai_store[1].values())
    assert ident.findtext("o:earliestDatestamp", namespaces=NS) == earliest.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ident.findtext("o:adminEmail", namespaces=NS)
    assert ident.findtext(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier") \
        == "catalogue.education.fr"
    assert request_attrs(root) == {"verb": "Identify"}
    assert root.findtext("o:request", namespaces=NS) == "http://localhost:8000/oai"


def test_list_metadata_formats(oai: Harvester) -> None:
    root = oai.get(verb="ListMetadataFormats")
    formats = {f.findtext("o:metadataPrefix", namespaces=NS): f.findtext("o:metadataNamespace", namespaces=NS)
               for f in root.iterfind(".//o:metadataFormat", NS)}
    assert formats == {"oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
                       "lom": "http://ltsc.ieee.org/xsd/LOM", "scolomfr": "http://ltsc.ieee.org/xsd/LOM"}
    rid = record_id("bnf-gallica", "sixieme")
    root = oai.get(verb="ListMetadataFormats", identifier=f"oai:catalogue.education.fr:{rid}")
    assert len(root.findall(".//o:metadataFormat", NS)) == 3
    assert request_attrs(root) == {"verb": "ListMetadataFormats",
                                   "identifier": f"oai:catalogue.education.fr:{rid}"}
    root = oai.get(verb="ListMetadataFormats", identifier="oai:catalogue.education.fr:nope")
    assert errors(root) == ["idDoesNotExist"]
    # A valid-looking identifier from another repository does not exist here either.
    root = oai.get(verb="ListMetadataFormats", identifier=f"oai:other.org:{rid}")
    assert errors(root) == ["idDoesNotExist"]


@pytest.mark.parametrize("params", [
    {},
    {"verb": "Frobnicate"},
    {"verb": ["Identify", "Identify"]},
    {"verb": ""},
    {"metadataPrefix": "oai_dc"},
])
def test_bad_verb_has_no_request_attributes(oai: Harvester, params: dict) -> None:
    root = oai.get(**params)
    assert errors(root) == ["badVerb"]
    assert request_attrs(root) == {}


@pytest.mark.parametrize("params", [
    {"verb": "Identify", "metadataPrefix": "oai_dc"},  # unknown argument for the verb
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "blue"},  # unknown argument
    {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]},  # repeated
    {"verb": "ListRecords"},  # missing metadataPrefix
    {"verb": "ListIdentifiers", "set": "partner:bnf"},  # missing metadataPrefix
    {"verb": "GetRecord", "metadataPrefix": "oai_dc"},  # missing identifier
    {"verb": "GetRecord", "identifier": "oai:catalogue.education.fr:x"},  # missing metadataPrefix
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-02", "until": "2024-03-01"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01T10:00:01Z",
     "until": "2024-03-01T10:00:00Z"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01",
     "until": "2024-03-02T00:00:00Z"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01T10:00:00"},  # no Z
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-03-01T10:00:00.5Z"},  # finer
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-03-01T25:00:00Z"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "yesterday"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": ""},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a b"},  # not a setSpec
    {"verb": "ListRecords", "metadataPrefix": "oai dc"},  # not a metadataPrefix
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "abc.def"},  # exclusive
    {"verb": "ListIdentifiers", "resumptionToken": "abc.def", "from": "2024-01-01"},  # exclusive
    {"verb": "ListSets", "resumptionToken": "abc.def", "set": "x"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x: with space"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "partner:\x01"},  # not XML-safe
])
def test_bad_argument(oai: Harvester, params: dict) -> None:
    root = oai.get(**params)
    assert set(errors(root)) == {"badArgument"}
    assert request_attrs(root) == {}  # per the spec: no attributes on badVerb / badArgument


def test_cannot_disseminate_format(oai: Harvester) -> None:
    rid = record_id("bnf-gallica", "sixieme")
    for params in ({"verb": "ListRecords", "metadataPrefix": "marc21"},
                   {"verb": "ListIdentifiers", "metadataPrefix": "marc21"},
                   {"verb": "GetRecord", "metadataPrefix": "marc21",
                    "identifier": f"oai:catalogue.education.fr:{rid}"}):
        root = oai.get(**params)
        assert errors(root) == ["cannotDisseminateFormat"]
        assert request_attrs(root) == params  # valid arguments are echoed


def test_get_record_errors(oai: Harvester) -> None:
    root = oai.get(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:catalogue.education.fr:nope")
    assert errors(root) == ["idDoesNotExist"]
    assert request_attrs(root)["identifier"] == "oai:catalogue.education.fr:nope"
    root = oai.get(verb="GetRecord", metadataPrefix="marc21", identifier="oai:catalogue.education.fr:nope")
    assert sorted(errors(root)) == ["cannotDisseminateFormat", "idDoesNotExist"]


def test_no_records_match(oai: Harvester) -> None:
    for params in ({"from": "2030-01-01"}, {"until": "2000-01-01"}, {"set": "partner:nobody"},
                   {"set": "level:scolomfr-voc-022-num-015"},  # CM2 is under its stage, not a root
                   {"set": "discipline:scolomfr-voc-015-num-1834"}):  # technologie: no record
        for verb in ("ListRecords", "ListIdentifiers"):
            root = oai.get(verb=verb, metadataPrefix="oai_dc", **params)
            assert errors(root) == ["noRecordsMatch"], params
            assert request_attrs(root) == {"verb": verb, "metadataPrefix": "oai_dc", **params}


@pytest.mark.parametrize("token", ["abc.def", "not a token", "x" * 5000, "eyJ2IjoxfQ.AAAAAAAAAAAA"])
def test_bad_resumption_token(oai: Harvester, token: str) -> None:
    root = oai.get(verb="ListRecords", resumptionToken=token)
    assert errors(root) == ["badResumptionToken"]


def test_list_sets_has_no_resumption(oai: Harvester) -> None:
    root = oai.get(verb="ListSets", resumptionToken="abc.def")
    assert errors(root) == ["badResumptionToken"]


def test_post_form_encoded(client, oai: Harvester) -> None:
    root = oai.post({"verb": "ListRecords", "metadataPrefix": "scolomfr"}, prefix="scolomfr")
    assert errors(root) == []
    assert len(root.findall(".//o:record", NS)) == 3
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    nxt = oai.post({"verb": "ListRecords", "resumptionToken": token}, prefix="scolomfr")
    assert len(nxt.findall(".//o:record", NS)) == 3
    assert oai.post({"verb": "Identify"}).find("o:Identify", NS) is not None
    # An argument both in the URL and in the body is a repeated argument.
    response = client.post("/oai?metadataPrefix=oai_dc",
                           data={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert errors(parse(response.data)) == ["badArgument"]
    assert client.put("/oai", data={"verb": "Identify"}).status_code == 405


def test_response_validation_covers_the_metadata(client) -> None:
    """OAI-PMH.xsd checks <metadata> strictly: a wrong ScoLOMFR value makes the response invalid."""
    from core.xmlsafe import parse_xml
    from tests.oai.support import response_schema

    data = client.get("/oai?verb=ListRecords&metadataPrefix=scolomfr").data
    assert response_schema("scolomfr").validate(parse_xml(data))
    broken = data.replace(b"concept/educational_level<", b"concept/not_a_purpose<", 1)
    assert broken != data
    assert not response_schema("scolomfr").validate(parse_xml(broken))
    # The plain LOM wrapper refuses ScoLOMFR-only values: the two formats really differ.
    assert not response_schema("lom").validate(parse_xml(data))
