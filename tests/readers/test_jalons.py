"""INA Jalons reader on the real search answer, plus hostile and odd resources."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.raw import RawRecord
from schemas.readers import MappingError, ReaderContext
from schemas.readers.jalons import INA_RIGHTS, read_jalons
from schemas.record import record_id, validate_record

DATA = Path(__file__).parent / "data_json"
CTX = ReaderContext(source_id="ina-jalons", partner="ina", harvested_at="2025-01-02T03:04:05Z")
PAGE = ("http://fresques.ina.fr/jalons/fiche-media/InaEdu00015/"
        "l-election-du-premier-president-de-la-ive-republique.html")


def resource() -> dict[str, Any]:
    envelope = json.loads((DATA / "jalons_api_search_president_limit1.json").read_text("utf-8"))
    item: dict[str, Any] = envelope["return"]["resources"][0]
    return item


def raw(data: dict[str, Any] | bytes, identifier: str = "InaEdu00015") -> RawRecord:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return RawRecord(identifier=identifier, format="jalons", content=content)


def test_real_resource_title_description_and_language() -> None:
    record = validate_record(read_jalons(raw(resource()), CTX).record)
    assert record["id"] == record_id("ina-jalons", "InaEdu00015")
    assert record["title"] == [
        {"value": "L'élection du premier président de la IVe République", "lang": "fr"}]
    description = record["description"][0]
    assert description["html"].startswith("<p>Selon la nouvelle Constitution, le président")
    assert description["html"].endswith("socialistes.</p>")
    assert description["value"].startswith("Selon la nouvelle Constitution")
    assert "<p>" not in description["value"]
    assert description["lang"] == "fr"
    assert record["languages"] == ["fr"]  # "locale": "fra"


def test_real_resource_media_fields_and_links() -> None:
    record = validate_record(read_jalons(raw(resource()), CTX).record)
    assert record["duration"] == 113.8
    assert record["url"] == PAGE
    assert record["source"]["landing_url"] == PAGE
    assert record["thumbnail"] == "http://fresques.ina.fr/jalons/media/imagette/80x60/InaEdu00015"
    assert record["links"] == [{
        "url": "http://fresques.ina.fr/jalons/export/player/InaEdu00015",
        "title": None, "media_type": "text/html", "kind": "player"}]
    assert record["dates"]["created"] == {"text": "1947-01-23", "start": "1947-01-23",
                                          "end": "1947-01-23"}
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/MovingImage"
    assert "<iframe" not in json.dumps(record)  # the embed is never kept as HTML


def test_real_resource_rights_publisher_and_access() -> None:
    record = validate_record(read_jalons(raw(resource()), CTX).record)
    assert record["licence"] is None
    assert record["rights"] == INA_RIGHTS == "© INA — tous droits réservés"
    assert record["access"] == "free"
    assert record["contributors"] == [{
        "name": "INA (Institut national de l'audiovisuel)", "role": "publisher",
        "kind": "organization", "email": None}]


def test_hostile_description_title_and_embed_are_harmless() -> None:
    data = resource()
    data["title"] = '  <b>Titre</b> <script>alert("t")</script> '
    data["description"] = (
        '<p onclick="alert(1)">Texte <em>utile</em></p><script>alert(2)</script>'
        '<img src=x onerror="alert(3)"><a href="javascript:alert(4)">x</a>'
        '<a href="https://www.ina.fr/">INA</a><style>*{display:none}</style>'
        '<iframe src="https://evil.example/"></iframe>'
    )
    data["html"] = '<iframe src="javascript:alert(5)"></iframe><script>alert(6)</script>'
    data["thumbnail"] = "javascript:alert(7)"
    data["url"] = "data:text/html,<b>x</b>"
    record = validate_record(read_jalons(raw(data), CTX).record)
    html = record["description"][0]["html"]
    text = record["description"][0]["value"]
    for bad in ("<script", "<img", "<style", "<iframe", "onclick", "onerror", "alert(",
                "javascript:", "display:none"):
        assert bad not in html.lower() and bad not in text.lower(), bad
    assert "<em>utile</em>" in html and 'href="https://www.ina.fr/"' in html
    assert not re.search(r"<\s*/?\s*[a-z]", text)
    assert record["title"][0]["value"] == "Titre"
    assert record["links"] == [] and record["thumbnail"] is None and record["url"] is None
    assert "alert" not in json.dumps(record)


def test_duration_strings_and_bad_values() -> None:
    data = resource()
    data["duration"] = "00:01:53"
    assert read_jalons(raw(data), CTX).record["duration"] == 113.0
    data["duration"] = -4
    mapped = read_jalons(raw(data), CTX)
    assert mapped.record["duration"] is None
    assert any("duration" in w for w in mapped.warnings)
    validate_record(mapped.record)


def test_unknown_date_and_locale_are_dropped_with_warning() -> None:
    data = resource()
    data["date"] = "un beau jour"
    data["locale"] = "klingon"
    data.pop("type")
    mapped = read_jalons(raw(data), CTX)
    record = validate_record(mapped.record)
    assert record["dates"]["created"] is None
    assert record["languages"] == [] and record["title"][0]["lang"] is None
    assert record["resource_types"][0]["id"] == "http://purl.org/dc/dcmitype/MovingImage"
    assert mapped.warnings == ["date not understood: un beau jour"]


def test_keywords_when_the_resource_has_them() -> None:
    data = resource()
    data["keywords"] = ["Quatrième République", " Vincent  Auriol ", {"label": "élection"}]
    mapped = read_jalons(raw(data), CTX)
    record = validate_record(mapped.record)
    assert [k["value"] for k in record["keywords"]] == [
        "Quatrième République", "Vincent Auriol", "élection"]
    assert mapped.hints["labels"] == [k["value"] for k in record["keywords"]]


def test_missing_title_malformed_json_and_non_object() -> None:
    data = resource()
    data["title"] = "   "
    with pytest.raises(MappingError, match="no title"):
        read_jalons(raw(data), CTX)
    with pytest.raises(MappingError, match=r"malformed Jalons JSON: .* line 1 column \d+"):
        read_jalons(raw(b'{"id": "InaEdu1", '), CTX)
    with pytest.raises(MappingError, match="must be an object, got str"):
        read_jalons(raw(b'"InaEdu1"'), CTX)


def test_reader_is_registered_for_its_format() -> None:
    from schemas.readers import _READERS

    assert _READERS["jalons"] is read_jalons
