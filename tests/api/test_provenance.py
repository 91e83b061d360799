"""Through the API, OAI-PMH and the dumps, a partner default never reads as a partner statement:
every level and discipline keeps its origin, and the formats that cannot carry one per value
(oai_dc) leave defaults out."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree

from catalogue.config import Settings
from catalogue.dumps import CSV_NAME, JSONL_NAME, write_dumps
from catalogue.store import Store
from core.xmlsafe import parse_xml
from schemas.provenance import DEFAULT_TEXT
from tests.api import data
from tests.oai.support import COLLEGE, SVT, mixed_record
from tests.webapp import running_app

DC = {"dc": "http://purl.org/dc/elements/1.1/", "lom": "http://ltsc.ieee.org/xsd/LOM",
      "oai": "http://www.openarchives.org/OAI/2.0/"}
DEFAULT_LABELS = {"collège", "sciences de la vie et de la Terre (discipline)"}


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[tuple[Flask, Store, dict[str, Any]]]:
    from search import open_index
    from search.sync import sync

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalogue.db'}",
                        search_url=None, sources_path=tmp_path / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=data.BASE_URL)
    store = Store(settings.database_url)
    store.upgrade()
    record = mixed_record()
    data.fill(store, [record, data.make_record(1)])
    index = open_index(None, tmp_path)
    sync(index, store)
    index.close()
    with running_app(settings) as app:
        yield app, store, record
    store.close()


def test_json_search_and_record_keep_every_origin(mixed: tuple[Flask, Store, dict[str, Any]]) -> None:
    app, _, record = mixed
    client = app.test_client()
    stored = client.get(f"/api/v1/resources/{record['id']}").get_json()
    assert [(e["id"], e["provenance"], e["basis"]) for e in stored["levels"]] == [
        (e["id"], e["provenance"], e["basis"]) for e in record["levels"]]
    found = client.get("/api/v1/resources", query_string={"q": "Révolution"}).get_json()
    [hit] = [r for r in found["results"] if r["id"] == record["id"]]
    origins = {e["id"]: e["provenance"] for e in hit["levels"] + hit["disciplines"]}
    assert origins[COLLEGE] == "default" and origins[SVT] == "default"
    assert set(origins.values()) == {"source", "rule", "inferred", "default", "curation"}


def test_jsonld_and_xml_formats_of_the_api(mixed: tuple[Flask, Store, dict[str, Any]]) -> None:
    app, _, record = mixed
    client = app.test_client()
    doc = client.get(f"/api/v1/resources/{record['id']}?format=jsonld").get_json()
    assert COLLEGE not in {t["termCode"] for t in doc["educationalLevel"]}
    defaults = [a for a in doc["educationalAlignment"] if a["provenance"] == "default"]
    assert {a["targetName"] for a in defaults} == DEFAULT_LABELS
    assert all(a["description"] == DEFAULT_TEXT for a in defaults)
    inferred = [a for a in doc["educationalAlignment"] if a["provenance"] == "inferred"]
    assert any(a["description"].startswith("d'après le programme d'histoire de 4e") for a in inferred)

    dc = parse_xml(client.get(f"/api/v1/resources/{record['id']}?format=oai_dc").data)
    assert not DEFAULT_LABELS & {e.text for e in dc.findall("dc:subject", DC)}
    lom = parse_xml(client.get(f"/api/v1/resources/{record['id']}?format=scolomfr").data)
    for classification in lom.findall("lom:classification", DC):
        ids = {t.text.rsplit("/", 1)[-1] for t in classification.findall(".//lom:taxon/lom:id", DC)}
        description = classification.findtext("lom:description/lom:string", namespaces=DC) or ""
        assert (COLLEGE in ids or SVT in ids) == ("par défaut" in description)


def test_oai_pmh_serves_the_stored_fragment_without_defaults(
        mixed: tuple[Flask, Store, dict[str, Any]]) -> None:
    app, _, record = mixed
    answer = app.test_client().get("/oai", query_string={
        "verb": "GetRecord", "metadataPrefix": "oai_dc",
        "identifier": f"oai:catalogue.example.fr:{record['id']}"})
    root = etree.fromstring(answer.data)
    subjects = {e.text for e in root.iterfind(".//dc:subject", DC)}
    assert "4e" in subjects and "histoire et géographie (discipline)" in subjects
    assert not DEFAULT_LABELS & subjects


def test_dumps_carry_an_origin_per_value(mixed: tuple[Flask, Store, dict[str, Any]],
                                         tmp_path: Path) -> None:
    _, store, record = mixed
    write_dumps(store, tmp_path / "dumps")
    with gzip.open(tmp_path / "dumps" / CSV_NAME, "rt", encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == record["id"])
    for field, key in (("level", "levels"), ("discipline", "disciplines")):
        ids = row[f"{field}_ids"].split(" | ")
        origins = row[f"{field}_origins"].split(" | ")
        assert dict(zip(ids, origins, strict=True)) == {e["id"]: e["provenance"] for e in record[key]}
    with gzip.open(tmp_path / "dumps" / JSONL_NAME, "rt", encoding="utf-8") as fh:
        assert any('"provenance":"default"' in line and record["id"] in line for line in fh)
