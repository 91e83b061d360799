"""The oai_dc, LOM and ScoLOMFR serialisers: schema-valid, ScoLOMFR-shaped, hostile-text safe."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from core.xmlsafe import parse_xml
from schemas.record import validate_record
from schemas.serializers import FORMATS, lom, oai_dc, scolomfr, serialize
from tests.oai.support import CM2, HISTGEO, HISTGEO_C4, TROISIEME, make_record, sample_records, schema

LOM_NS = {"lom": "http://ltsc.ieee.org/xsd/LOM", "lomfr": "http://www.lom-fr.fr/xsd/LOMFR",
          "scolomfr": "http://www.lom-fr.fr/xsd/SCOLOMFR"}
DC = {"dc": "http://purl.org/dc/elements/1.1/"}
SCHEMAS = {"oai_dc": "oai-pmh/oai_dc.xsd", "lom": "lom/lomStrict.xsd",
           "scolomfr": "scolomfr-3.2.1/scolomfr.xsd"}


def rich_record() -> dict:
    return make_record(
        "ark:/12148/btv1b8449691v", "Verdun, 1916", levels=(CM2, TROISIEME),
        disciplines=(HISTGEO, HISTGEO_C4),
        description=[{"value": "Une carte & des <notes>", "lang": "fr"}, {"value": "A map", "lang": "en"}],
        keywords=[{"value": "Première Guerre mondiale", "lang": "fr"}], languages=["fr", "de"],
        resource_types=[
            {"id": "http://purl.org/dc/dcmitype/StillImage", "label": "image fixe",
             "scheme": "scolomfr-voc-004"},
            {"id": "scolomfr-voc-005-num-008", "label": "carte", "scheme": "scolomfr-voc-005"},
            {"id": "http://data.education.fr/voc/scolomfr/concept/exercise", "label": "exercice",
             "scheme": "scolomfr-voc-010"}],
        contributors=[{"name": "Service géographique de l'armée", "role": "creator", "kind": "organization"},
                      {"name": "BnF; Gallica", "role": "publisher", "kind": "organization"},
                      {"name": "Dupont, Jean", "role": "contributor", "kind": "person",
                       "email": "j@example.org"}],
        dates={"created": {"text": "1916", "start": "1916", "end": "1916"},
               "issued": {"text": "vers 1920", "start": "1920"}},
        licence={"uri": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
                 "label": "Licence Ouverte 2.0", "code": "lo-2.0"},
        access="free", url="https://gallica.bnf.fr/ark:/12148/btv1b8449691v", media_type="image/jpeg",
        thumbnail="https://gallica.bnf.fr/ark:/12148/btv1b8449691v/thumbnail", duration=3725.0,
        coverage={"places": ["Verdun (Meuse)"],
                  "temporal": {"text": "1914-1918", "start": "1914", "end": "1918"}},
        links=[{"url": "https://gallica.bnf.fr/ark:/12148/btv1b8449691v.pdf", "title": "PDF"}],
    )


@pytest.mark.parametrize("prefix", list(FORMATS))
def test_every_sample_is_schema_valid(prefix: str) -> None:
    validator = schema(SCHEMAS[prefix])
    for record in [rich_record(), *sample_records()]:
        element = FORMATS[prefix].element(record)
        assert validator.validate(element), (record["id"], validator.error_log)
        document = FORMATS[prefix].to_xml_bytes(record)
        assert document.startswith(b"<?xml")
        assert validator.validate(parse_xml(document))
        assert not FORMATS[prefix].fragment(record).startswith(b"<?xml")


def test_the_schemas_reject_wrong_vocabulary() -> None:
    """Validation is not a formality: the XSDs check vocabulary values."""
    element = scolomfr.to_scolomfr(rich_record())
    purpose = element.find(".//lom:classification/lom:purpose/lom:value", LOM_NS)
    purpose.text = "http://data.education.fr/voc/scolomfr/concept/not-a-purpose"
    assert not schema(SCHEMAS["scolomfr"]).validate(element)
    plain = lom.to_lom(rich_record())
    assert schema(SCHEMAS["lom"]).validate(plain)
    plain.find(".//lom:classification/lom:purpose/lom:source", LOM_NS).text = "SCOLOMFRv3.2"
    assert not schema(SCHEMAS["lom"]).validate(plain)


def test_scolomfr_classifications_follow_the_official_examples() -> None:
    element = scolomfr.to_scolomfr(rich_record())
    classifications = element.findall("lom:classification", LOM_NS)
    assert len(classifications) == 2
    levels, disciplines = classifications
    assert levels.findtext("lom:purpose/lom:source", namespaces=LOM_NS) == "SCOLOMFRv3.2"
    assert levels.findtext("lom:purpose/lom:value", namespaces=LOM_NS) == \
        "http://data.education.fr/voc/scolomfr/concept/educational_level"
    assert levels.findtext("lom:purpose/lom:label", namespaces=LOM_NS) == "niveau éducatif détaillé"
    assert disciplines.findtext("lom:purpose/lom:value", namespaces=LOM_NS) == \
        "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-028-num-003"
    paths = levels.findall("lom:taxonPath", LOM_NS)
    assert [p.findtext("lom:source/lom:string", namespaces=LOM_NS) for p in paths] == \
        ["SCOLOMFRv3.2 ; scolomfr-voc-022 ; Niveau éducatif détaillé"] * 2
    assert [(p.findtext("lom:taxon/lom:id", namespaces=LOM_NS),
             p.findtext("lom:taxon/lom:entry/lom:string", namespaces=LOM_NS)) for p in paths] == [
        (f"http://data.education.fr/voc/scolomfr/concept/{CM2}", "CM2"),
        (f"http://data.education.fr/voc/scolomfr/concept/{TROISIEME}", "3e")]
    source = disciplines.findtext("lom:taxonPath/lom:source/lom:string", namespaces=LOM_NS)
    assert source == "SCOLOMFRv3.2 ; scolomfr-voc-015 ; Domaine d'enseignement"
    assert element.findtext("lom:general/lomfr:documentType/lomfr:value", namespaces=LOM_NS) == \
        "http://purl.org/dc/dcmitype/StillImage"
    assert element.findtext("lom:general/scolomfr:generalResourceType/scolomfr:value", namespaces=LOM_NS) == \
        "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-005-num-008"
    assert element.findtext("lom:educational/lom:learningResourceType/lom:value", namespaces=LOM_NS) == \
        "http://data.education.fr/voc/scolomfr/concept/exercise"
    assert element.find("lom:general/lom:title/lom:string", LOM_NS).get("language") == \
        "http://id.loc.gov/vocabulary/iso639-2/fre"
    assert [e.text for e in element.findall("lom:general/lom:language", LOM_NS)] == [
        "http://id.loc.gov/vocabulary/iso639-2/fre", "http://id.loc.gov/vocabulary/iso639-2/ger"]
    assert element.findtext("lom:technical/lom:duration/lom:duration", namespaces=LOM_NS) == "PT1H2M5S"
    entity = element.findall("lom:lifeCycle/lom:contribute/lom:entity", LOM_NS)[1].text
    assert "ORG:BnF\\; Gallica" in entity and entity.startswith("BEGIN:VCARD")


def test_lom_uses_lom_vocabulary_and_iso_codes() -> None:
    element = lom.to_lom(rich_record(), catalog="demo.example")
    purpose = element.findtext("lom:classification/lom:purpose/lom:value", namespaces=LOM_NS)
    assert purpose == "educational level"
    assert element.findtext("lom:classification/lom:purpose/lom:source", namespaces=LOM_NS) == "LOMv1.0"
    assert element.findtext("lom:classification/lom:taxonPath/lom:taxon/lom:id", namespaces=LOM_NS) == \
        f"http://data.education.fr/voc/scolomfr/concept/{CM2}"
    assert element.find("lom:general/lom:title/lom:string", LOM_NS).get("language") == "fr"
    catalog = element.findtext("lom:metaMetadata/lom:identifier/lom:catalog", namespaces=LOM_NS)
    assert catalog == "demo.example"
    roles = [e.text for e in element.findall("lom:lifeCycle/lom:contribute/lom:role/lom:value", LOM_NS)]
    assert roles == ["author", "publisher", "unknown"]
    assert element.find(".//lomfr:documentType", LOM_NS) is None  # no profile extension in plain LOM


def test_oai_dc_content_and_both_forms_agree() -> None:
    record = rich_record()
    element = oai_dc.to_oai_dc(record)
    assert etree.tostring(element) == etree.tostring(parse_xml(oai_dc.fragment(record)))
    values = lambda name: [e.text for e in element.findall(f"dc:{name}", DC)]  # noqa: E731
    assert values("title") == ["Verdun, 1916"]
    assert values("creator") == ["Service géographique de l'armée"]
    assert values("publisher") == ["BnF; Gallica"]
    assert values("contributor") == ["Dupont, Jean"]
    assert "CM2" in values("subject") and "histoire et géographie (discipline)" in values("subject")
    assert values("type")[0] == "StillImage"
    assert values("description")[0] == "Une carte & des <notes>"
    assert values("date") == ["1916", "1920"]
    assert values("language") == ["fr", "de"]
    assert serialize("oai_dc", record) == oai_dc.to_xml_bytes(record)
    with pytest.raises(KeyError):
        serialize("marc21", record)


TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, description=TEXT, keyword=TEXT, name=TEXT)
def test_any_text_gives_valid_documents(title: str, description: str, keyword: str, name: str) -> None:
    record = validate_record({
        "id": "x-1", "source": {"partner": "bnf", "source_id": "bnf-gallica", "identifier": keyword},
        "title": [{"value": title, "lang": "fr"}], "description": [{"value": description, "lang": None}],
        "keywords": [{"value": keyword}], "contributors": [{"name": name, "role": "author"}],
        "rights": name,
    })
    for prefix, fmt in FORMATS.items():
        document = fmt.to_xml_bytes(copy.deepcopy(record))
        root = parse_xml(document)  # well-formed whatever the text holds
        assert schema(SCHEMAS[prefix]).validate(root), schema(SCHEMAS[prefix]).error_log
