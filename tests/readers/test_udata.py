"""udata reader on real data.gouv.fr API v1 datasets (data.gouv.fr's own, Météo-France's)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.raw import RawRecord
from schemas.readers import MappingError, ReaderContext
from schemas.readers.udata import read_udata
from schemas.record import MAX_LIST, record_id, validate_record

DATA = Path(__file__).parent / "data_json"
CTX = ReaderContext(source_id="meteofrance-udata", partner="meteofrance",
                    harvested_at="2025-01-02T03:04:05Z")
METEO_ID = "6569b51ae64326786e4e8e1a"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def raw(data: dict[str, Any] | bytes, identifier: str | None = None) -> RawRecord:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    ident = identifier or (data.get("id") if isinstance(data, dict) else None) or "x"
    return RawRecord(identifier=str(ident), format="udata", content=content)


def catalogue() -> dict[str, Any]:
    return load("COMPARABLE_datagouvfr_api1_dataset_catalogue-des-donnees.json")


def meteofrance() -> dict[str, Any]:
    """The real Météo-France dataset, plus the keys the README paste cut off (marked here).

    The title is the dataset's real title; the tags, spatial and temporal values are test
    additions shaped like data.gouv.fr's (the paste stops after ``resources``).
    """
    data = load("PARTIAL_meteofrance_dataset_6569b51ae64326786e4e8e1a_api1.json")
    data.update({
        "title": "Données climatologiques de base - quotidiennes",  # real title
        "tags": ["climatologie", "meteo", "Météo", "donnees-quotidiennes"],  # test addition
        "spatial": {"zones": ["country:fr"], "granularity": "fr:departement",
                    "geom": None},  # test addition
        "temporal_coverage": {"start": "1852-01-01", "end": "2024-04-13"},  # test addition
    })
    return data


def assert_harmless(html: str | None, text: str) -> None:
    lowered = (html or "").lower()
    for bad in ("<script", "<img", "<style", "<iframe", "onerror", "onclick", "style=",
                "alert(document", "alert(1)", "alert(3)"):
        assert bad not in lowered, bad
    hrefs = re.findall(r"""href\s*=\s*["']?([^"' >]*)""", lowered)
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
    assert not re.search(r"<\s*/?\s*[a-z]", text.lower()), text
    # Scripts and styles lose their content; a refused Markdown link stays inert text.
    assert "alert(document" not in text and "color: red" not in text


# --- data.gouv.fr's own catalogue dataset ---------------------------------------------------


def test_catalogue_dataset_title_markdown_description_and_licence() -> None:
    mapped = read_udata(raw(catalogue()), CTX)
    record = validate_record(mapped.record)
    assert record["id"] == record_id("meteofrance-udata", "5d13a8b6634f41070a43dff3")
    assert record["title"] == [{"value": "Catalogue des données de data.gouv.fr", "lang": None}]
    description = record["description"][0]
    assert "<strong>La liste des jeux de données publiés sur data.gouv.fr</strong>" in description["html"]
    assert "<li>" in description["html"]
    assert "**" not in description["value"]
    assert description["value"].startswith("La plateforme data.gouv.fr est le portail unique")
    assert "La liste des jeux de données publiés sur data.gouv.fr" in description["value"]
    assert record["licence"]["code"] == "lo-2.0"
    assert record["access"] == "free"
    assert mapped.warnings == []


def test_catalogue_dataset_resources_become_links() -> None:
    record = validate_record(read_udata(raw(catalogue()), CTX).record)
    resources = [link for link in record["links"] if link["kind"] != "publisher"]
    assert len(resources) == 8
    first = resources[0]
    assert first == {
        "url": "https://static.data.gouv.fr/resources/catalogue-des-donnees-de-data-gouv-fr/"
               "20250407-054928/export-dataset-20250407-054928.csv",
        "title": "export-dataset-20250407-054928.csv",
        "media_type": "text/csv",
        "kind": "main",
    }
    assert resources[-1]["kind"] == "documentation"
    publisher = [link for link in record["links"] if link["kind"] == "publisher"]
    assert publisher == [{"url": "https://www.data.gouv.fr/fr/organizations/data-gouv-fr/",
                          "title": "data.gouv.fr", "media_type": "text/html", "kind": "publisher"}]


def test_catalogue_dataset_dates_publisher_url_and_hints() -> None:
    mapped = read_udata(raw(catalogue()), CTX)
    record = validate_record(mapped.record)
    assert record["dates"]["created"]["start"] == "2019-06-26"
    assert record["dates"]["modified"]["start"] == "2025-04-07"
    assert "issued" not in record["dates"] or record["dates"]["issued"] is None
    assert record["contributors"] == [
        {"name": "data.gouv.fr", "role": "publisher", "kind": "organization", "email": None}]
    page = "https://www.data.gouv.fr/fr/datasets/catalogue-des-donnees-de-data-gouv-fr/"
    assert record["url"] == page and record["source"]["landing_url"] == page
    assert record["keywords"] == []  # "tags": []
    assert record["coverage"] == {"places": [], "bbox": None, "temporal": None}  # "spatial": null
    assert mapped.hints == {"frequency": ["weekly"]}
    assert {t["id"] for t in record["resource_types"]} >= {"http://purl.org/dc/dcmitype/Dataset"}


# --- Météo-France ---------------------------------------------------------------------------


def test_partial_meteofrance_paste_has_no_title_and_is_refused() -> None:
    data = load("PARTIAL_meteofrance_dataset_6569b51ae64326786e4e8e1a_api1.json")
    with pytest.raises(MappingError, match="no title"):
        read_udata(raw(data), CTX)


def test_meteofrance_dataset_full_mapping() -> None:
    mapped = read_udata(raw(meteofrance()), CTX)
    record = validate_record(mapped.record)
    assert record["id"] == record_id("meteofrance-udata", METEO_ID)
    html = record["description"][0]["html"]
    text = record["description"][0]["value"]
    assert "<h3>Présentation</h3>" in html and "<h3>Informations techniques</h3>" in html
    assert html.count("<li>") == 4
    assert "###" not in text
    assert text.split("\n")[0] == "Présentation"
    assert "Données climatologiques de toutes les stations de métropole" in text
    assert record["licence"]["code"] == "lo-2.0"
    assert [c["name"] for c in record["contributors"] if c["role"] == "publisher"] == ["Météo-France"]
    link = record["links"][0]
    assert link["url"] == ("https://object.files.data.gouv.fr/meteofrance/data/synchro_ftp/"
                           "BASE/QUOT/Q_01_1852-1949_RR-T-Vent.csv.gz")
    assert link["title"] == "QUOT_departement_01_periode_1852-1949_RR-T-Vent"
    assert link["media_type"] == "application/gzip"  # "mime": None, "format": "csv.gz"
    assert record["dates"]["created"]["start"] == "2023-12-01"
    assert record["dates"]["modified"]["start"] == "2024-04-14"
    assert mapped.hints["frequency"] == ["daily"]


def test_meteofrance_tags_spatial_and_temporal() -> None:
    mapped = read_udata(raw(meteofrance()), CTX)
    record = validate_record(mapped.record)
    # "meteo" and "Météo" stay two tags (accents differ); exact repeats would be merged.
    assert [k["value"] for k in record["keywords"]] == [
        "climatologie", "meteo", "Météo", "donnees-quotidiennes"]
    assert all(k["thesaurus"] == "data.gouv.fr" for k in record["keywords"])
    assert mapped.hints["tags"] == [k["value"] for k in record["keywords"]]
    assert record["coverage"]["places"] == ["France"]
    assert record["coverage"]["temporal"] == {
        "text": "1852-01-01/2024-04-13", "start": "1852-01-01", "end": "2024-04-13"}


def test_zones_geometry_and_granularity() -> None:
    data = meteofrance()
    data["spatial"] = {
        "zones": ["fr:departement:29@1860-07-01", "fr:region:53", "country-group:ue"],
        "granularity": "fr:commune",
        "geom": {"type": "MultiPolygon",
                 "coordinates": [[[[-5.14, 47.7], [-3.38, 47.7], [-3.38, 48.75], [-5.14, 48.75]]]]},
    }
    record = validate_record(read_udata(raw(data), CTX).record)
    assert record["coverage"]["places"] == ["Département 29", "Région 53", "Union européenne"]
    assert record["coverage"]["bbox"] == {"west": -5.14, "south": 47.7, "east": -3.38, "north": 48.75}

    data["spatial"] = {"zones": [], "granularity": "fr:departement", "geom": None}
    assert read_udata(raw(data), CTX).record["coverage"]["places"] == ["France"]
    data["spatial"] = {"zones": [], "granularity": "other", "geom": None}
    assert read_udata(raw(data), CTX).record["coverage"]["places"] == []


def test_projected_geometry_is_not_a_bbox() -> None:
    data = meteofrance()
    data["spatial"] = {"geom": {"type": "Point", "coordinates": [652000, 6862000]}}
    mapped = read_udata(raw(data), CTX)
    assert validate_record(mapped.record)["coverage"]["bbox"] is None
    assert any("WGS84" in w for w in mapped.warnings)


# --- licences, people, badges ---------------------------------------------------------------


@pytest.mark.parametrize(("license_id", "code", "access"), [
    ("lov2", "lo-2.0", "free"),
    ("fr-lo", "lo-1.0", "free"),
    ("odc-odbl", "odc-odbl", "free"),
])
def test_data_gouv_licence_ids(license_id: str, code: str, access: str) -> None:
    data = meteofrance()
    data["license"] = license_id
    record = validate_record(read_udata(raw(data), CTX).record)
    assert record["licence"]["code"].startswith(code)
    assert record["access"] == access


def test_notspecified_and_unknown_licences() -> None:
    data = meteofrance()
    data["license"] = "notspecified"
    mapped = read_udata(raw(data), CTX)
    assert mapped.record["licence"] is None and mapped.record["access"] == "unknown"
    assert mapped.warnings == []
    data["license"] = "licence-maison-v3"
    mapped = read_udata(raw(data), CTX)
    assert mapped.record["licence"] is None
    assert mapped.warnings == ["licence not recognised: licence-maison-v3"]


def test_owner_contacts_badges_and_archived() -> None:
    data = meteofrance()
    data["organization"] = None
    data["owner"] = {"first_name": " Jeanne ", "last_name": "Dupont", "slug": "jeanne-dupont"}
    data["contact_points"] = [{"name": "Service climatologie", "email": "clim@example.fr"},
                              {"name": "Sans courriel", "email": "pas un courriel"}]
    data["badges"] = [{"kind": "hvd"}, {"kind": "spd"}]
    data["archived"] = "2024-06-01T00:00:00+00:00"
    mapped = read_udata(raw(data), CTX)
    record = validate_record(mapped.record)
    assert [(c["role"], c["name"], c["email"]) for c in record["contributors"]] == [
        ("owner", "Jeanne Dupont", None),
        ("contact", "Service climatologie", "clim@example.fr"),
        ("contact", "Sans courriel", None),
    ]
    assert mapped.hints["badges"] == ["hvd", "spd"]
    assert mapped.hints["status"] == ["archived"]
    assert any("archived" in w for w in mapped.warnings)
    assert not any(link["kind"] == "publisher" for link in record["links"])


def test_hundreds_of_resources_are_capped_with_a_warning() -> None:
    data = meteofrance()
    template = data["resources"][0]
    data["resources"] = []
    for i in range(700):
        resource = copy.deepcopy(template)
        resource["url"] = f"https://object.files.data.gouv.fr/meteofrance/Q_{i:03d}.csv.gz"
        data["resources"].append(resource)
    mapped = read_udata(raw(data), CTX)
    record = validate_record(mapped.record)
    assert len(record["links"]) == MAX_LIST
    assert record["links"][-1]["kind"] == "publisher"
    assert any("700 resources" in w for w in mapped.warnings)


# --- hostile input --------------------------------------------------------------------------


def test_hostile_markdown_and_urls_come_out_harmless() -> None:
    data = meteofrance()
    data["title"] = "\u202eQuotidiennes\x00 <b>météo</b>  "
    data["description"] = (
        "### Données\n\n"
        "Texte **utile**.\n\n"
        "<script>alert(document.cookie)</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[piège](javascript:alert(2)) [données](https://meteo.example.fr/)\n\n"
        '<p style="color: red" onclick="alert(3)">Rouge</p>\n\n'
        "<style>body { color: red }</style>\n"
    )
    data["resources"][0]["url"] = "javascript:alert(4)"
    data["resources"][0]["latest"] = "https://www.data.gouv.fr/fr/datasets/r/c1265c02"
    data["page"] = "data:text/html,<script>alert(5)</script>"
    record = validate_record(read_udata(raw(data), CTX).record)
    assert record["title"][0]["value"] == "Quotidiennes <b>météo</b>"  # plain text, never HTML
    description = record["description"][0]
    assert_harmless(description["html"], description["value"])
    assert "<strong>utile</strong>" in description["html"]
    assert 'href="https://meteo.example.fr/"' in description["html"]
    assert "Rouge" in description["value"]
    assert record["url"] is None and record["source"]["landing_url"] is None
    assert record["links"][0]["url"] == "https://www.data.gouv.fr/fr/datasets/r/c1265c02"


# --- malformed input ------------------------------------------------------------------------


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(MappingError, match=r"malformed udata JSON: .* line 1 column \d+"):
        read_udata(raw(b'{"title": "x",}', "x"), CTX)


def test_json_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(MappingError, match="must be an object, got list"):
        read_udata(raw(b"[1, 2]", "x"), CTX)


def test_odd_types_do_not_crash() -> None:
    data = {"title": "Jeu", "tags": "pas-une-liste", "resources": [None, 3, {"url": 7}],
            "organization": "texte", "spatial": [], "temporal_coverage": "2020",
            "license": 12, "created_at": {"$date": 1}}
    record = validate_record(read_udata(raw(data, "x"), CTX).record)
    assert record["title"][0]["value"] == "Jeu"
    assert record["keywords"] == [] and record["links"] == []
    assert record["contributors"] == []


def test_reader_is_registered_for_its_format() -> None:
    from schemas.readers import _READERS

    assert _READERS["udata"] is read_udata
