"""ISO 19139 reader on real CSW answers: IGN Géoplateforme, Géo-IDE, GeoBretagne."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from core.raw import RawRecord
from core.xmlsafe import parse_xml
from schemas.readers import Mapped, MappingError, ReaderContext
from schemas.readers.iso19139 import read_iso19139
from schemas.record import record_id, validate_record

DATA = Path(__file__).parent / "data"
CTX = ReaderContext(source_id="ign-geoplateforme", partner="ign", harvested_at="2025-01-02T03:04:05Z")
GMD = "{http://www.isotc211.org/2005/gmd}"
DCMI = "http://purl.org/dc/dcmitype/"
IGN = "Institut national de l'information géographique et forestière (IGN-F)"


def csw_records(name: str) -> list[RawRecord]:
    """One RawRecord per gmd:MD_Metadata of a CSW answer, as the CSW harvester yields them."""
    root = parse_xml((DATA / name).read_bytes())
    elements = [root] if root.tag == f"{GMD}MD_Metadata" else root.iter(f"{GMD}MD_Metadata")
    return [
        RawRecord(
            identifier=(md.findtext(f"{GMD}fileIdentifier/*") or "").strip(),
            format="iso19139",
            content=etree.tostring(md),
        )
        for md in elements
    ]


def read_one(name: str) -> Mapped:
    (raw,) = csw_records(name)
    return read_iso19139(raw, CTX)


@pytest.fixture(scope="module")
def rpg() -> Mapped:
    return read_one("geoplateforme_csw_getrecords_iso19139_IGNF_RPG.xml")


def test_ign_rpg_identity_title_and_abstract(rpg):
    record = validate_record({**rpg.record, "levels": [], "disciplines": []})
    assert record["id"] == record_id("ign-geoplateforme", "IGNF_RPG")
    assert record["title"] == [
        {"value": "RPG", "lang": "fr"},
        {"value": "Registre Parcellaire Graphique", "lang": "fr"},
    ]
    description = record["description"][0]
    text = description["value"]
    assert text.startswith("Le Registre Parcellaire Graphique (RPG) est le système d’information")
    assert text.endswith("Couverture : France entière")
    assert len(text) > 5000  # the 5.7 KB abstract is kept whole, one line per line
    assert "- RPG Ilots - Ilots anonymes" in text.splitlines()
    # Markdown formatting survives sanitised
    html = description["html"]
    assert "<strong>Caractéristiques principales de chacune des bases de données</strong>" in html
    assert "<li>RPG Parcelles – Parcelles agricoles constatées</li>" in description["html"]
    assert record["languages"] == ["fr"]
    assert record["resource_types"][0]["id"] == DCMI + "Dataset"  # hierarchyLevel series


def test_ign_rpg_bbox_places_and_dates(rpg):
    coverage = rpg.record["coverage"]
    assert coverage["bbox"] == {"west": -5.15, "east": 9.57, "south": 41.32, "north": 51.1}
    assert coverage["places"][:4] == [
        "France métropolitaine", "Guadeloupe", "Saint-Martin", "Saint-Barthélemy",
    ]  # fmt: skip
    assert "Dates de publication" not in coverage["places"]  # a temporal extent's description
    assert coverage["temporal"]["start"] == "2007-01-01"
    assert rpg.record["dates"]["issued"]["start"] == "2007-01-01"
    assert rpg.record["dates"]["modified"]["start"] == "2025-01-01"


def test_ign_rpg_keywords_and_hints(rpg):
    keywords = {k["value"]: k for k in rpg.record["keywords"]}
    assert keywords["Occupation des terres"]["thesaurus"] == "GEMET - INSPIRE themes, version 1.0"
    assert keywords["Land cover"]["uri"] == "http://inspire.ec.europa.eu/theme/lc"
    assert keywords["National"]["thesaurus"] == "INSPIRE Spatial Scope"
    assert keywords["LPIS"]["thesaurus"] == "IACS Data"
    assert keywords["agriculture"]["thesaurus"] is None
    assert [k for k in keywords if k == "occupation du sol"] == ["occupation du sol"]  # kept once
    assert rpg.hints["inspire_themes"][:4] == [
        "Occupation des terres", "Parcelles cadastrales", "Usage des sols",
        "Installations agricoles et aquacoles",
    ]  # fmt: skip
    assert "http://inspire.ec.europa.eu/theme/lc" in rpg.hints["inspire_themes"]
    assert rpg.hints["iso_topic"] == ["farming"]
    assert "agriculture" in rpg.hints["labels"]


def test_ign_rpg_licence_contacts_links(rpg):
    record = rpg.record
    assert record["licence"] == {
        "uri": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "label": "Licence Ouverte 2.0", "code": "lo-2.0", "provenance": "source",
    }  # fmt: skip
    assert record["access"] == "free"
    assert "Licence Ouverte / Open License (compatible ODC-BY, CC-BY 2.0)" in record["rights"]
    assert record["contributors"] == [
        {"name": IGN, "role": "contact", "kind": "organization", "email": "contact.geoservices@ign.fr"},
        {"name": IGN, "role": "distributor", "kind": "organization", "email": "contact.geoservices@ign.fr"},
    ]
    assert (
        record["thumbnail"] == "https://data.geopf.fr/annexes/ressources/metadata/thumbnail/vignette-rpg.jpg"
    )
    # 80 online resources, 14 distinct URLs (service capabilities repeat per layer)
    assert len(record["links"]) == 14
    assert len({link["url"] for link in record["links"]}) == 14
    assert record["links"][0] == {"url": "https://data.geopf.fr/telechargement/resource/RPG",
                                  "title": "RPG", "media_type": None, "kind": "download"}  # fmt: skip
    kinds = {link["kind"] for link in record["links"]}
    assert kinds == {"download", "link", "service"}
    assert any(link["media_type"] == "application/pdf" for link in record["links"])
    assert record["url"] == "https://data.geopf.fr/telechargement/resource/RPG"


def test_geoide_single_record():
    mapped = read_one("COMPARABLE_geoide_csw_getrecordbyid_iso19139.xml")
    record = validate_record(mapped.record)
    assert record["title"][0]["value"] == "Plan local d'urbanisme de la commune de Combles"
    assert record["licence"]["code"] == "lo-1.0"  # "Licence Ouverte 1.0 http://www.data.gouv.fr/…"
    assert record["contributors"][0]["name"].startswith("DDTM 80")
    assert record["contributors"][0]["email"] == "ddtm-sap-bsig@somme.gouv.fr"
    # Géo-IDE wrote west and east the wrong way round
    assert record["coverage"]["bbox"] == {"west": 1.31279111, "east": 3.28133559,
                                          "south": 49.38547516, "north": 50.48188019}  # fmt: skip
    assert "bounding box: west and east longitudes were swapped" in mapped.warnings
    assert record["dates"]["created"]["start"] == "2003-06-02"
    assert record["dates"]["issued"]["start"] == "2017-10-07"
    thesauri = {k["thesaurus"] for k in record["keywords"]}
    assert {"Arborescence thématique de la COVADIS", "GEMET - INSPIRE themes, version 1.0"} <= thesauri
    assert mapped.hints["inspire_themes"] == ["Usage des sols"]
    assert mapped.hints["iso_topic"] == ["planningCadastre"]


@pytest.mark.parametrize(
    "name",
    ["COMPARABLE_geoide_geonetwork_csw_getrecords_iso19139_page1.xml",
     "COMPARABLE_geoide_geonetwork_csw_getrecords_iso19139_page3.xml"],
)  # fmt: skip
def test_geoide_pages(name):
    raws = csw_records(name)
    assert len(raws) == 2
    for raw in raws:
        record = validate_record(read_iso19139(raw, CTX).record)
        assert record["source"]["identifier"] == raw.identifier
        assert record["licence"]["code"] in ("lo-1.0", "lo-2.0")
        assert record["coverage"]["bbox"]["west"] < record["coverage"]["bbox"]["east"]


def test_geobretagne_bare_md_metadata():
    mapped = read_one("COMPARABLE_geobretagne_md_metadata_cadastre.xml")
    record = validate_record(mapped.record)
    assert record["title"] == [{"value": "Cadastre 2018 en Bretagne", "lang": "fr"}]
    assert record["coverage"]["places"] == ["Bretagne"]
    assert record["coverage"]["bbox"]["west"] == pytest.approx(-5.23515625)
    # "Usage libre sous réserve des mentions obligatoires" is no recognised licence
    assert record["licence"] is None and record["access"] == "unknown"
    assert record["rights"].startswith("Usage libre sous réserve des mentions obligatoires")
    assert any("licence not recognised" in w for w in mapped.warnings)
    assert mapped.hints["gemet"] == ["cadastre", "bâtiment"]
    assert mapped.hints["inspire_themes"] == ["Parcelles cadastrales"]
    # format authorities of MD_Format (AUTODESK, AFNOR…) are not contributors
    names = {c["name"] for c in record["contributors"]}
    assert names == {"DGFIP Bretagne", "DIRECTION GENERALE DES FINANCES PUBLIQUES"}
    assert record["dates"]["modified"]["start"] == "2018-09-01"
    assert record["url"] == "http://www.cadastre.gouv.fr"


def wrap(identification: str, extra: str = "") -> bytes:
    return (
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
        'xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gmx="http://www.isotc211.org/2005/gmx" '
        'xmlns:srv="http://www.isotc211.org/2005/srv" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:gml="http://www.opengis.net/gml">'
        "<gmd:fileIdentifier><gco:CharacterString>t1</gco:CharacterString></gmd:fileIdentifier>"
        f"{extra}<gmd:identificationInfo>{identification}</gmd:identificationInfo></gmd:MD_Metadata>"
    ).encode()


def test_service_with_hostile_abstract_and_temporal_extent():
    ident = """<srv:SV_ServiceIdentification>
      <gmd:citation><gmd:CI_Citation><gmd:title>
        <gco:CharacterString>Flux WMS</gco:CharacterString>
      </gmd:title></gmd:CI_Citation></gmd:citation>
      <gmd:abstract><gco:CharacterString>**Carte** [piège](javascript:alert(1))
&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;</gco:CharacterString></gmd:abstract>
      <srv:extent><gmd:EX_Extent><gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>
        <gml:TimePeriod><gml:beginPosition>1950-01-01</gml:beginPosition><gml:endPosition>2020-12-31</gml:endPosition></gml:TimePeriod>
      </gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement></gmd:EX_Extent></srv:extent>
    </srv:SV_ServiceIdentification>"""
    record = validate_record(read_iso19139(RawRecord("t1", "iso19139", wrap(ident)), CTX).record)
    assert record["resource_types"][0]["id"] == DCMI + "Service"
    html = record["description"][0]["html"]
    for needle in ("<script", "alert(2)", "onerror", 'href="javascript', "<img"):
        assert needle not in html.lower(), needle
    assert "<strong>Carte</strong>" in html
    assert "alert(2)" not in record["description"][0]["value"]
    assert record["coverage"]["temporal"] == {"text": "1950-01-01 / 2020-12-31", "start": "1950-01-01",
                                              "end": "2020-12-31"}  # fmt: skip


def test_missing_title_or_identification():
    ident = (
        "<gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation/></gmd:citation>"
        "</gmd:MD_DataIdentification>"
    )
    with pytest.raises(MappingError, match="no citation title"):
        read_iso19139(RawRecord("t1", "iso19139", wrap(ident)), CTX)
    with pytest.raises(MappingError, match="identificationInfo"):
        read_iso19139(RawRecord("t1", "iso19139", wrap("")), CTX)
    with pytest.raises(MappingError, match="no MD_Metadata"):
        read_iso19139(RawRecord("t1", "iso19139", b"<ows:ExceptionReport xmlns:ows='x'/>"), CTX)
