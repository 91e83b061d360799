"""Every demo record's rights are an IRI, saying where it came from, the same in every format
and on the resource page (issue 19, acceptance 2)."""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

import pytest
import requests
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import SDO

from schemas.cleaning.vocab import normalize_licence
from schemas.provenance import LICENCE_DEFAULT_TEXT
from tests.demo.conftest import Demo

LOM = {"lom": "http://ltsc.ieee.org/xsd/LOM"}
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"


@pytest.fixture(scope="module")
def live(demo: Demo) -> list[dict[str, Any]]:
    return [dict(s.data or {}) for s in demo.store.iter_records()]


def test_every_record_has_a_rights_iri_with_its_origin(live: list[dict[str, Any]]) -> None:
    assert len(live) >= 120
    for record in live:
        licence = record["licence"]
        assert licence is not None, record["id"]
        # The one documented exception (licences.tsv): data.gouv.fr's other-* licences.
        assert licence["uri"] or licence["code"].startswith("other-"), record["id"]
        assert licence["provenance"] in ("source", "rule", "default"), record["id"]
        if licence["provenance"] == "default":
            # Never a default where the partner did state something the table reads.
            assert licence["uri"] == CNE
            assert normalize_licence(record.get("rights"))[0] is None, record["id"]
    origins = {r["licence"]["provenance"] for r in live}
    assert "rule" in origins  # public domain / tous droits réservés said in words


def test_every_record_jsonld_license_is_an_iri(demo: Demo, live: list[dict[str, Any]]) -> None:
    session = requests.Session()
    for record in live:
        url = f"{demo.base_url}/api/v1/resources/{record['id']}?format=jsonld"
        answer = session.get(url, timeout=30)
        assert answer.status_code == 200
        graph = Graph().parse(data=answer.text, format="json-ld")
        subject = URIRef(answer.json()["@id"])
        licences = list(graph.objects(subject, SDO.license))
        assert len(licences) == 1 and isinstance(licences[0], URIRef), (record["id"], licences)
        assert str(licences[0]) == record["licence"]["uri"]


def test_lom_and_csv_carry_the_statement(demo: Demo, live: list[dict[str, Any]]) -> None:
    defaults = [r for r in live if r["licence"]["provenance"] == "default"]
    stated = [r for r in live if r["licence"]["provenance"] != "default"]
    for record in (defaults[:3] + stated[:3]):
        xml = requests.get(f"{demo.base_url}/api/v1/resources/{record['id']}?format=lom", timeout=30)
        root = etree.fromstring(xml.content)
        description = " ".join(root.xpath("//lom:rights/lom:description//lom:string/text()",
                                          namespaces=LOM))
        assert record["licence"]["uri"] in description
        copyright_ = root.xpath("//lom:rights/lom:copyrightAndOtherRestrictions", namespaces=LOM)
        if record["licence"]["provenance"] == "default":
            assert LICENCE_DEFAULT_TEXT in description and not copyright_
        else:
            assert copyright_
    dump = requests.get(f"{demo.base_url}/api/v1/dumps/resources.csv.gz", timeout=30)
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(dump.content).decode())))
    by_id = {r["id"]: r for r in live}
    for row in rows:
        licence = by_id[row["id"]]["licence"]
        assert (row["licence_uri"], row["licence_origin"]) == (licence["uri"] or "", licence["provenance"])


def test_the_page_says_what_the_json_says(demo: Demo, live: list[dict[str, Any]]) -> None:
    """Badge, link and credit line agree with the record's statement (no « Tous droits réservés »
    beside « licence non précisée »)."""
    picked: dict[str, dict[str, Any]] = {}
    for record in live:
        key = f"{record['source']['partner']}:{record['licence']['provenance']}"
        picked.setdefault(key, record)
    assert any(k.startswith("ina:") for k in picked)
    for record in picked.values():
        licence = record["licence"]
        page = requests.get(f"{demo.base_url}/ressources/{record['id']}", timeout=30)
        assert page.status_code == 200
        html = etree.HTML(page.content)
        badge = " ".join(html.xpath("//section[contains(@class,'licence')]//p[contains(@class,'badge')]"
                                    "//text()")).strip()
        assert badge == licence["label"], record["id"]
        links = html.xpath("//section[contains(@class,'licence')]"
                           "//a[@rel='license noopener noreferrer']/@href")
        assert links == [licence["uri"]]
        credit = " ".join(html.xpath("//input[@id='mention']/@value"))
        # Inside the credit sentence "Domaine public" / "Tous droits réservés" are lower-cased.
        assert licence["label"].lower() in credit.lower()
        if licence["label"] != "Licence non précisée":
            assert "licence non précisée" not in credit.lower()
        if licence["provenance"] == "default":
            assert "mention ajoutée par le catalogue" in page.text
