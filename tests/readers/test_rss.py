"""RSS 2.0 + Media RSS item and Atom entry readers, including hostile HTML and broken XML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.raw import RawRecord
from schemas.readers import MappingError, ReaderContext
from schemas.readers.rss import read_rss
from schemas.record import record_id, validate_record

DATA = Path(__file__).parent / "data_json"
CTX = ReaderContext(source_id="video-exemple-rss", partner="video-exemple",
                    harvested_at="2025-01-02T03:04:05Z")
CHANNEL = {"title": "Vidéo Exemple — sciences", "link": "https://video.example.fr/",
           "language": "fr-FR"}
NS = ('xmlns:media="http://search.yahoo.com/mrss/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')


def raw(content: bytes, identifier: str = "item-1", extra: dict[str, str] | None = None) -> RawRecord:
    return RawRecord(identifier=identifier, format="rss", content=content,
                     extra=CHANNEL if extra is None else extra)


def item(body: str) -> bytes:
    return f"<item {NS}>{body}</item>".encode()


def mrss_item() -> RawRecord:
    return raw((DATA / "SYNTHETIC_rss2_mrss_item.xml").read_bytes(),
               "tag:video.example.fr,2024:video-4521")


def atom_entry() -> RawRecord:
    return raw((DATA / "SYNTHETIC_atom_entry.xml").read_bytes(),
               "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", extra={})


def assert_harmless(html: str | None, text: str) -> None:
    lowered = (html or "").lower()
    for bad in ("<script", "<img", "<style", "<iframe", "<object", "<svg", "onerror", "onclick",
                "onload", "style=", "alert(", "javascript:", "expression("):
        assert bad not in lowered, bad
    assert "alert(" not in text and "javascript:" not in text.lower()
    assert not re.search(r"<\s*/?\s*[a-z]", text.lower()), text


# --- RSS 2.0 + Media RSS --------------------------------------------------------------------


def test_mrss_item_title_description_url_and_date() -> None:
    mapped = read_rss(mrss_item(), CTX)
    record = validate_record(mapped.record)
    assert record["id"] == record_id("video-exemple-rss", "tag:video.example.fr,2024:video-4521")
    assert record["title"] == [{"value": "Le cycle de l'eau expliqué aux CM1", "lang": "fr"}]
    description = record["description"][0]
    assert "<strong>pleut-il</strong>" in description["html"]
    assert 'href="https://video.example.fr/dossiers/eau"' in description["html"]
    assert description["value"].startswith("Pourquoi pleut-il ? Une animation de 3 minutes sur")
    assert "<p>" not in description["value"]
    assert record["url"] == "https://video.example.fr/videos/cycle-de-l-eau"
    assert record["source"]["landing_url"] == record["url"]
    assert record["dates"]["issued"] == {
        "text": "Tue, 05 Mar 2024 14:30:00 +0100", "start": "2024-03-05", "end": "2024-03-05"}
    assert record["languages"] == ["fr"]  # from the channel's "fr-FR"


def test_mrss_item_media_file_duration_type_and_thumbnail() -> None:
    record = validate_record(read_rss(mrss_item(), CTX).record)
    assert record["links"][0] == {
        "url": "https://cdn.video.example.fr/4521/cycle-eau-720p.mp4", "title": None,
        "media_type": "video/mp4", "kind": "media"}
    assert record["links"][1] == {
        "url": "https://cdn.video.example.fr/4521/sous-titres.vtt", "title": None,
        "media_type": "text/vtt", "kind": "enclosure"}
    assert record["media_type"] == "video/mp4"
    assert record["duration"] == 184.0
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/MovingImage"
    assert record["thumbnail"] == "https://cdn.video.example.fr/4521/vignette.jpg"


def test_mrss_item_keywords_people_licence_and_rating() -> None:
    mapped = read_rss(mrss_item(), CTX)
    record = validate_record(mapped.record)
    values = [k["value"] for k in record["keywords"]]
    assert values == ["Sciences", "CM1", "eau", "évaporation", "météo"]  # "sciences" merged
    assert record["keywords"][1]["thesaurus"] == "https://video.example.fr/niveaux"
    assert mapped.hints["labels"] == values
    assert [(c["role"], c["name"], c["email"]) for c in record["contributors"]] == [
        ("author", "Rédaction Vidéo Exemple", "redaction@video.example.fr"),
        ("author", "Claire Martin", None),
        ("producer", "Studio Exemple", None),
    ]
    assert record["licence"]["code"].startswith("cc-by")
    assert record["access"] == "free"
    assert mapped.hints["media_rating"] == ["urn:simple:nonadult"]


def test_adult_rating_refuses_the_item() -> None:
    body = ("<title>Film</title><link>https://v.example.fr/1</link>"
            '<media:rating scheme="urn:simple">adult</media:rating>')
    with pytest.raises(MappingError, match="adult content"):
        read_rss(raw(item(body)), CTX)
    body = "<title>Film</title><media:group><media:rating>adult</media:rating></media:group>"
    with pytest.raises(MappingError, match="adult"):
        read_rss(raw(item(body)), CTX)


def test_guid_permalink_itunes_duration_and_item_language() -> None:
    body = ('<title>Podcast 12</title><guid>https://radio.example.fr/podcast/12</guid>'
            '<dc:language>en</dc:language>'
            '<enclosure url="https://radio.example.fr/12.mp3" type="audio/mpeg" length="1"/>'
            "<itunes:duration>00:03:04</itunes:duration>"
            '<itunes:image href="https://radio.example.fr/12.jpg"/>'
            "<dc:date>2022-11-03</dc:date>")
    record = validate_record(read_rss(raw(item(body)), CTX).record)
    assert record["url"] == "https://radio.example.fr/podcast/12"
    assert record["duration"] == 184.0
    assert record["languages"] == ["en"]
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/Sound"
    assert record["thumbnail"] == "https://radio.example.fr/12.jpg"
    assert record["dates"]["issued"]["start"] == "2022-11-03"


def test_non_permalink_guid_is_not_a_url_and_bad_date_warns() -> None:
    body = ('<title>Sans lien</title><guid isPermaLink="false">https://x.example.fr/1</guid>'
            "<pubDate>un jour peut-être</pubDate>")
    mapped = read_rss(raw(item(body), extra={}), CTX)
    record = validate_record(mapped.record)
    assert record["url"] is None
    assert record["languages"] == [] and record["title"][0]["lang"] is None
    assert record["dates"] == {"created": None, "issued": None, "modified": None}
    assert mapped.warnings == ["date not understood: un jour peut-être"]


def test_media_group_title_description_and_player_fallbacks() -> None:
    body = ("<media:group><media:title>Titre du média</media:title>"
            '<media:description type="plain">Résumé &lt;court&gt;\n\nDeuxième paragraphe</media:description>'
            '<media:content url="https://v.example.fr/a.webm" type="video/webm" duration="12.5"/>'
            '<media:player url="https://v.example.fr/player/a"/></media:group>')
    mapped = read_rss(raw(item(body)), CTX)
    record = validate_record(mapped.record)
    assert record["title"][0]["value"] == "Titre du média"
    assert record["description"][0] == {
        "value": "Résumé <court>\nDeuxième paragraphe", "lang": "fr", "html": None}
    assert record["duration"] == 12.5 and record["media_type"] == "video/webm"
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/MovingImage"
    assert [link["kind"] for link in record["links"]] == ["media", "player"]


# --- Atom -----------------------------------------------------------------------------------


def test_atom_entry_maps_html_title_xhtml_summary_and_dates() -> None:
    mapped = read_rss(atom_entry(), CTX)
    record = validate_record(mapped.record)
    assert record["title"] == [{"value": "Les fractions au quotidien", "lang": "fr"}]
    description = record["description"][0]
    assert "<b>cinq séances</b>" in description["html"]
    assert "xmlns" not in description["html"]
    assert description["value"] == ("Une séquence de cinq séances pour manipuler les fractions "
                                    "avec des recettes de cuisine.")
    assert record["url"] == "https://ressources.example.fr/fractions-au-quotidien"
    assert record["dates"]["issued"]["start"] == "2023-09-12"
    assert record["dates"]["modified"]["start"] == "2024-01-20"
    assert record["languages"] == ["fr"]  # xml:lang on the entry, no channel language


def test_atom_entry_people_categories_enclosure_and_rights() -> None:
    mapped = read_rss(atom_entry(), CTX)
    record = validate_record(mapped.record)
    assert [(c["role"], c["name"], c["email"]) for c in record["contributors"]] == [
        ("author", "Académie Exemple", "contact@ac-exemple.fr"),
        ("contributor", "Paul Durand", None),
    ]
    assert [k["value"] for k in record["keywords"]] == ["Mathématiques", "cycle-3"]
    assert record["links"] == [{
        "url": "https://ressources.example.fr/fractions-au-quotidien/fiche.pdf",
        "title": "Fiche élève", "media_type": "application/pdf", "kind": "enclosure"}]
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/Text"
    assert record["rights"] == "© Académie Exemple 2023"
    assert record["licence"] is None and record["access"] == "unknown"


def test_atom_text_title_keeps_angle_brackets_as_text() -> None:
    entry = ('<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">a &lt; b</title>'
             '<id>tag:x,2024:1</id><content type="text">2 &lt; 3 &amp; &lt;b&gt;</content></entry>')
    record = validate_record(read_rss(raw(entry.encode(), extra={}), CTX).record)
    assert record["title"][0]["value"] == "a < b"
    assert record["description"][0] == {"value": "2 < 3 & <b>", "lang": None, "html": None}
    assert record["url"] is None  # a tag: id is not a web address


# --- hostile HTML ---------------------------------------------------------------------------

HOSTILE = """
<p onclick="alert(1)">Bonjour <b>élèves</b></p>
<script>alert('xss')</script>
<img src="x" onerror="alert(2)">
<a href="javascript:alert(3)">clic</a>
<a href="https://ok.example.fr/">lien</a>
<iframe src="https://evil.example/"></iframe>
<style>p { background: url(javascript:alert(4)) }</style>
<div style="width: expression(alert(5))">texte</div>
<svg onload="alert(6)"><circle/></svg>
"""


def test_hostile_rss_description_is_harmless() -> None:
    body = ("<title>Page <script>alert(0)</script>piégée</title>"
            "<link>javascript:alert(7)</link>"
            f"<description><![CDATA[{HOSTILE}]]></description>"
            '<media:thumbnail url="javascript:alert(8)"/>'
            '<media:content url="data:text/html;base64,PHNjcmlwdD4=" type="text/html"/>')
    record = validate_record(read_rss(raw(item(body)), CTX).record)
    description = record["description"][0]
    assert_harmless(description["html"], description["value"])
    assert "<b>élèves</b>" in description["html"]
    assert 'href="https://ok.example.fr/"' in description["html"]
    assert "Bonjour élèves" in description["value"] and "texte" in description["value"]
    assert record["title"][0]["value"] == "Page piégée"
    assert record["url"] is None and record["thumbnail"] is None and record["links"] == []


def test_hostile_atom_xhtml_content_is_harmless() -> None:
    entry = ('<entry xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>tag:x,1</id>'
             '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
             '<p onmouseover="alert(1)">Salut</p><script>alert(2)</script>'
             '<a href="javascript:alert(3)">x</a></div></content></entry>')
    record = validate_record(read_rss(raw(entry.encode(), extra={}), CTX).record)
    description = record["description"][0]
    assert_harmless(description["html"], description["value"])
    assert "onmouseover" not in description["html"]
    assert description["value"] == "Salut\nx"


# --- broken input ---------------------------------------------------------------------------


def test_malformed_xml_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="malformed XML"):
        read_rss(raw(b"<item><title>Pas fini</item>"), CTX)


def test_entity_declarations_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE item [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;">]><item><title>&b;</title></item>')
    with pytest.raises(MappingError, match="entities"):
        read_rss(raw(bomb), CTX)


def test_wrong_root_and_missing_title() -> None:
    with pytest.raises(MappingError, match=r"expected an RSS <item> or Atom <entry>, got <channel>"):
        read_rss(raw(b"<channel><title>x</title></channel>"), CTX)
    with pytest.raises(MappingError, match="no title"):
        read_rss(raw(item("<title>   </title><link>https://x.example.fr/</link>")), CTX)


def test_rss1_item_in_its_namespace() -> None:
    rdf_item = ('<item xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                "<title>Ancien flux</title><link>https://old.example.fr/a</link>"
                "<description>Texte &amp; suite</description><dc:date>2004-05-06T07:08:09Z</dc:date>"
                "<dc:creator>Anne</dc:creator></item>")
    record = validate_record(read_rss(raw(rdf_item.encode(), extra={}), CTX).record)
    assert record["title"][0]["value"] == "Ancien flux"
    assert record["description"][0]["value"] == "Texte & suite"
    assert record["dates"]["issued"]["start"] == "2004-05-06"
    assert record["contributors"][0]["name"] == "Anne"


def test_reader_is_registered_for_its_format() -> None:
    from schemas.readers import _READERS

    assert _READERS["rss"] is read_rss
