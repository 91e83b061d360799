"""oai_dc reader on real Gallica answers (2010 OAI-PMH page, today's services/OAIRecord)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from core.raw import RawRecord
from core.xmlsafe import parse_xml
from schemas.readers import Mapped, MappingError, ReaderContext
from schemas.readers.oai_dc import read_oai_dc, split_role
from schemas.record import record_id, validate_record

DATA = Path(__file__).parent / "data"
CTX = ReaderContext(source_id="bnf-gallica", partner="bnf", harvested_at="2025-01-02T03:04:05Z")
OAI = "{http://www.openarchives.org/OAI/2.0/}"
DCMI = "http://purl.org/dc/dcmitype/"


def page_records(name: str) -> list[RawRecord]:
    """Split an OAI-PMH page into one RawRecord per <record>, as the harvester does."""
    root = parse_xml((DATA / name).read_bytes())
    raws = []
    for element in root.iter(f"{OAI}record"):
        header = element.find(f"{OAI}header")
        assert header is not None
        identifier = (header.findtext(f"{OAI}identifier") or "").strip()
        stamp = (header.findtext(f"{OAI}datestamp") or "").strip()
        raws.append(
            RawRecord(
                identifier=identifier,
                format="oai_dc",
                content=etree.tostring(element),
                datestamp=datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC),
                deleted=header.get("status") == "deleted",
                extra={"sets": [(s.text or "").strip() for s in header.findall(f"{OAI}setSpec")]},
            )
        )
    return raws


@pytest.fixture(scope="module")
def gallica_2010() -> dict[str, Mapped]:
    return {
        raw.identifier.split("ark:/12148/", 1)[-1]: read_oai_dc(raw, CTX)
        for raw in page_records("gallica_oaipmh_2010_ListRecords.xml")
    }


def read_bytes(content: bytes, identifier: str = "a") -> Mapped:
    """Map ``content`` as the oai_dc record ``identifier``."""
    return read_oai_dc(RawRecord(identifier=identifier, format="oai_dc", content=content), CTX)


def services(name: str, identifier: str = "oai:bnf.fr:gallica/ark:/12148/x") -> Mapped:
    return read_bytes((DATA / name).read_bytes(), identifier)


def test_the_2010_page_gives_100_valid_records(gallica_2010):
    assert len(gallica_2010) == 100
    for mapped in gallica_2010.values():
        record = validate_record({**mapped.record, "levels": [], "disciplines": []})
        assert record["title"]
        assert re.match(r"^https?://gallica2?\.bnf\.fr/ark:/12148/", record["url"]), record["url"]
        assert record["licence"]["code"] == "public-domain" and record["access"] == "free"
    assert len({m.record["id"] for m in gallica_2010.values()}) == 100


def test_padding_is_stripped_everywhere(gallica_2010):
    mapped = gallica_2010["bpt6k852111"]
    record = mapped.record
    assert record["source"]["identifier"] == "oai:bnf.fr:gallica/ark:/12148/bpt6k852111"
    assert record["id"] == record_id("bnf-gallica", "oai:bnf.fr:gallica/ark:/12148/bpt6k852111")
    assert record["title"][0]["value"] == (
        "Voyages en Égypte et en Nubie... suivis d'un voyage sur la côte de la mer Rouge et à "
        "l'oasis de Jupiter Ammon. [Volume 2] / par G. Belzoni ; traduits de l'anglais et "
        "accompagnés de notes par G.B. Depping..."
    )
    assert record["contributors"] == [
        {"name": "Belzoni, Giovanni Battista (1778-1823)", "role": "author", "kind": None, "email": None},
        {"name": "Depping, Georges Bernard (1784-1853)", "role": "contributor", "kind": None, "email": None},
        {"name": "Librairie française et étrangère (Paris)", "role": "publisher",
         "kind": "organization", "email": None},
    ]  # fmt: skip
    assert record["links"] == [{
        "url": "http://catalogue.bnf.fr/ark:/12148/cb345801779/description",
        "title": "Notice du catalogue", "media_type": None, "kind": "relation",
    }]  # fmt: skip
    assert record["media_type"] == "application/pdf"
    assert record["source"]["datestamp"] == "2009-01-08T00:00:00Z"
    assert mapped.hints["dewey"] == ["91"]  # setSpec gallica:9:91


@pytest.mark.parametrize(
    ("ark", "text", "start", "end"),
    [
        ("bpt6k69505g", "18..", "1800", "1899"),
        ("bpt6k519419", "179.", "1790", "1799"),
        ("btv1b7000183h", "18", "1800", "1899"),
        ("bpt6k54365167", "1846-01", "1846-01", "1846-01"),
        ("bpt6k200717j", "1881-1883", "1881", "1883"),
        ("btv1b65002314", "1700-1799", "1700", "1799"),
        ("bpt6k852111", "1821", "1821", "1821"),
    ],
)
def test_gallica_dates_become_intervals(gallica_2010, ark, text, start, end):
    assert gallica_2010[ark].record["dates"]["created"] == {"text": text, "start": start, "end": end}


@pytest.mark.parametrize(
    ("ark", "language"),
    [("bpt6k852111", "fr"), ("bpt6k109340z", "la"), ("bpt6k122849g", "fr"),  # frm
     ("bpt6k82961s", "es"), ("bpt6k51298b", "it"), ("bpt6k519419", "oc")],  # pro
)  # fmt: skip
def test_gallica_languages(gallica_2010, ark, language):
    assert gallica_2010[ark].record["languages"] == [language]


def test_every_2010_language_is_recognised(gallica_2010):
    codes = {code for m in gallica_2010.values() for code in m.record["languages"]}
    assert codes == {"fr", "la", "es", "it", "oc"}
    assert not [w for m in gallica_2010.values() for w in m.warnings if "language" in w]


def test_unknown_publisher_is_dropped_and_series_typed(gallica_2010):
    record = gallica_2010["bpt6k54365167"].record
    assert record["title"][0]["value"] == "Société lyrique des Templiers. Publication trimestrielle..."
    assert [c["name"] for c in record["contributors"]] == ["Société lyrique des Templiers"]
    assert [t["id"] for t in record["resource_types"]] == [DCMI + "Text", "scolomfr-voc-005-num-031"]


def test_map_with_coverage_and_bnf_roles(gallica_2010):
    record = gallica_2010["btv1b67000041"].record
    assert record["coverage"]["places"] == ["Amérique"]
    assert [t["label"] for t in record["resource_types"]] == ["image fixe", "carte"]
    assert record["contributors"][0]["role"] == "creator"
    assert record["media_type"] == "image/jpeg"


def test_subjects_become_keywords_and_labels(gallica_2010):
    mapped = gallica_2010["bpt6k116574j"]
    assert mapped.record["keywords"] == [
        {"value": "Afrikaners", "lang": "fr", "thesaurus": None, "uri": None},
        {"value": "Afrique du Sud -- Descriptions et voyages", "lang": "fr", "thesaurus": None,
         "uri": None},
    ]  # fmt: skip
    assert mapped.hints["labels"] == ["Afrikaners", "Afrique du Sud -- Descriptions et voyages"]


def test_services_record_with_extras():
    mapped = services("gallica_services_oairecord_bpt6k5603637g.xml")
    record = validate_record(mapped.record)
    assert record["title"][0]["value"] == (
        "La Nouvelle France : journal de la colonie libre de Port-Breton, Océanie"
    )
    assert record["url"] == "https://gallica.bnf.fr/ark:/12148/bpt6k5603637g"
    assert record["thumbnail"] == "https://gallica.bnf.fr/ark:/12148/bpt6k5603637g.thumbnail"
    assert record["dates"]["created"]["start"] == "1879-07-15"
    assert record["dates"]["issued"] == {"text": "17/01/2011", "start": "2011-01-17", "end": "2011-01-17"}
    assert record["rights"] == "domaine public ; public domain"
    assert record["source"]["datestamp"] == "2024-04-26T00:00:00Z"  # from the header
    # the empty <dc:description/> is skipped; « Appartient à l’ensemble documentaire » goes to hints
    assert [d["value"] for d in record["description"]] == [
        "15 juillet 1879", "1879/07/15 (N1)-1879/08/14.",
    ]  # fmt: skip
    assert mapped.hints["gallica_sets"] == ["BIPFPIG00", "BIPFPIG13", "BIPFPIG29", "PACA1"]
    assert mapped.hints["dewey"] == ["07", "0"]  # setSpec gallica:theme:0:07, <sdewey>, <dewey>
    assert [t["label"] for t in record["resource_types"]] == ["texte", "périodique"]
    assert [link["url"] for link in record["links"]] == [
        "http://catalogue.bnf.fr/ark:/12148/cb328261098",
        "http://gallica.bnf.fr/ark:/12148/cb328261098/date",
    ]


def test_services_restricted_map():
    mapped = services("gallica_services_oairecord_btv1b10870266z_restricted_map.xml")
    record = validate_record(mapped.record)
    # Gallica's "conditions spécifiques": in copyright (InC), the table's reading of its words.
    assert record["licence"] == {"uri": "http://rightsstatements.org/vocab/InC/1.0/",
                                 "label": "Conditions spécifiques d'utilisation",
                                 "code": "specific", "provenance": "rule"}  # fmt: skip
    assert record["access"] == "restricted"
    assert record["rights"] == (
        "conditions spécifiques d'utilisation - Société de Géographie ; restricted use"
    )
    assert record["contributors"] == [
        {"name": "Auxais, Maur d'", "role": "creator", "kind": None, "email": None}
    ]
    # still image + map; DCMI "image" is dropped since "image fixe" says more
    assert [t["id"] for t in record["resource_types"]] == [
        DCMI + "StillImage", "scolomfr-voc-005-num-011",
    ]  # fmt: skip
    assert record["coverage"]["places"] == ["Papouasie-Nouvelle-Guinée"]
    assert record["dates"]["issued"]["start"] == "2023-03-05"


def test_services_subjects_with_and_without_lang_are_kept_once():
    for name in ("gallica_services_oairecord_bpt6k5785971m.xml",
                 "gallica_services_oairecord_bpt6k1914256x.xml"):  # fmt: skip
        mapped = services(name)
        validate_record(mapped.record)
        values = [k["value"].casefold() for k in mapped.record["keywords"]]
        assert len(values) == len(set(values))
        assert all(k["lang"] == "fr" for k in mapped.record["keywords"])
    mapped = services("gallica_services_oairecord_bpt6k5785971m.xml")
    assert mapped.record["contributors"][0] == {
        "name": "Valamont, P. de", "role": "author", "kind": None, "email": None,
    }  # fmt: skip
    assert mapped.hints["dewey"] == ["84", "8"]


def test_mixed_rights_fail_closed():
    """The synthetic file has a second XML declaration: unreadable; once repaired, the
    « in copyright » statement wins over « domaine public »."""
    data = (DATA / "SYNTHETIC_gallica_oairecord_mixed_rights.xml").read_bytes()
    with pytest.raises(MappingError, match="unreadable XML"):
        read_bytes(data, "x")
    record = read_bytes(data[data.index(b"<results") :], "x").record
    assert record["licence"]["code"] == "all-rights-reserved"
    assert record["access"] != "free"


def test_deleted_and_missing_metadata():
    raws = page_records("SYNTHETIC_sickle_oaipmh_listrecords_deleted_resumptiontoken.xml")
    with pytest.raises(MappingError, match="deleted"):
        read_oai_dc(raws[0], CTX)
    record = validate_record(read_oai_dc(raws[1], CTX).record)
    assert record["title"][0]["value"] == "Sample Title"
    assert record["contributors"] == [
        {"name": "John Doe", "role": "author", "kind": None, "email": None},
        {"name": "Sample Publisher", "role": "publisher", "kind": "organization", "email": None},
    ]
    assert record["languages"] == ["en"] and record["description"][0]["lang"] == "en"
    empty = b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>a</identifier></header></record>'
    with pytest.raises(MappingError, match="no metadata"):
        read_bytes(empty)


DC_OPEN = (
    b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/">'
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(DC_OPEN + b"<dc:title>  \n </dc:title><dc:creator>X</dc:creator></oai_dc:dc>",
                     "no dc:title", id="no-title"),
        pytest.param(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
                     + DC_OPEN + b"<dc:title>&e;</dc:title></oai_dc:dc>",
                     "unreadable XML", id="entities-refused"),
    ],
)
def test_unmappable_dc_is_a_mapping_error(content: bytes, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        read_bytes(content)


HOSTILE_DC = """<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Titre \u202eesrever\u202c normal</dc:title>
  <dc:description>&lt;p style="color:red" onclick="x()"&gt;Lisez &lt;b&gt;ceci&lt;/b&gt;&lt;/p&gt;
    &lt;script&gt;alert('xss')&lt;/script&gt;&lt;style&gt;p{display:none}&lt;/style&gt;
    &lt;img src=x onerror="alert(1)"&gt;
    &lt;a href="javascript:alert(2)"&gt;piège&lt;/a&gt; &lt;a href="https://ok.example/"&gt;lien&lt;/a&gt;</dc:description>
  <dc:identifier>javascript:alert(3)</dc:identifier>
  <dc:identifier>https://ok.example/ressource</dc:identifier>
  <dc:relation>voir javascript:alert(4) et https://ok.example/relation</dc:relation>
  <dc:rights>CC BY-SA 4.0</dc:rights>
</oai_dc:dc>"""


def test_hostile_description_comes_out_harmless():
    record = validate_record(read_bytes(HOSTILE_DC.encode(), "h1").record)
    assert record["title"][0]["value"] == "Titre esrever normal"
    description = record["description"][0]
    html, text = description["html"], description["value"]
    for needle in ("script", "alert", "onclick", "onerror", "style", "javascript", "display"):
        assert needle not in html.lower(), needle
    assert "<b>ceci</b>" in html
    assert 'href="https://ok.example/"' in html
    assert text == "Lisez ceci\npiège lien"
    assert record["url"] == "https://ok.example/ressource"
    assert [link["url"] for link in record["links"]] == ["https://ok.example/relation"]
    assert record["licence"]["code"] == "cc-by-sa-4.0"


def test_split_role():
    assert split_role("Auxais, Maur d'. Cartographe") == ("Auxais, Maur d'", "creator")
    assert split_role("Las Cases, Emmanuel de (1854-1934). Auteur du texte") == (
        "Las Cases, Emmanuel de (1854-1934)", "author",
    )  # fmt: skip
    assert split_role("France. Cour d'appel (Paris)") == ("France. Cour d'appel (Paris)", None)
