"""Acceptance checks that need the whole demo catalogue: OAI-PMH harvests with two independent
clients, cursor paging through the API, dumps equal to the store."""

from __future__ import annotations

import gzip
import json

import requests

from tests.demo.conftest import Demo
from tests.oai.e2e import check_harvest, store_view


def test_two_oai_clients_harvest_the_whole_demo_catalogue(demo: Demo) -> None:
    reports = check_harvest(f"{demo.base_url}/oai", demo.store)
    live = demo.store.count_records()
    assert {r.client for r in reports} == {"sickle", "oaipmh"}
    for report in reports:
        assert report.count - report.deleted == live >= 120
        assert report.titled == live


def test_full_list_records_equals_the_store(demo: Demo) -> None:
    expected = store_view(demo.store, demo.settings.oai_namespace)
    seen: list[tuple[str, str]] = []
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    from lxml import etree

    ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
    while True:
        root = etree.fromstring(requests.get(f"{demo.base_url}/oai", params=params, timeout=60).content)
        for header in root.iterfind(".//o:header", ns):
            seen.append((header.findtext("o:identifier", namespaces=ns) or "",
                         header.findtext("o:datestamp", namespaces=ns) or ""))
        token = root.findtext(".//o:resumptionToken", namespaces=ns)
        if not token:
            break
        params = {"verb": "ListRecords", "resumptionToken": token}
    assert len(seen) == len(set(seen)) == len(expected)
    assert {i: d for i, d in seen} == {i: d for i, (d, _) in expected.items()}


def test_cursor_paging_through_the_api_returns_every_record_once(demo: Demo) -> None:
    ids: list[str] = []
    url = f"{demo.base_url}/api/v1/resources"
    params: dict[str, str] = {"per_page": "17", "sort": "title"}
    while True:
        body = requests.get(url, params=params, timeout=60).json()
        ids.extend(r["id"] for r in body["results"])
        if not body.get("next_cursor"):
            break
        params = {"per_page": "17", "sort": "title", "cursor": body["next_cursor"]}
    live = {s.id for s in demo.store.iter_records()}
    assert len(ids) == len(set(ids)) and set(ids) == live


def test_dumps_hold_exactly_the_live_records(demo: Demo) -> None:
    listing = requests.get(f"{demo.base_url}/api/v1/dumps", timeout=30).json()
    assert listing
    jsonl = requests.get(f"{demo.base_url}/api/v1/dumps/resources.jsonl.gz", timeout=30)
    assert jsonl.status_code == 200
    ids = [json.loads(line)["id"] for line in gzip.decompress(jsonl.content).decode().splitlines()]
    assert sorted(ids) == sorted(s.id for s in demo.store.iter_records())
    csv_dump = requests.get(f"{demo.base_url}/api/v1/dumps/resources.csv.gz", timeout=30)
    rows = gzip.decompress(csv_dump.content).decode().splitlines()
    assert len(rows) >= len(ids) + 1  # header + one row per record (descriptions may span lines)


def test_demo_pages_answer_in_french(demo: Demo) -> None:
    home = requests.get(f"{demo.base_url}/?q=carte", timeout=30)
    assert home.status_code == 200 and 'lang="fr"' in home.text and "ressource" in home.text
    coverage = requests.get(f"{demo.base_url}/couverture", timeout=30)
    assert coverage.status_code == 200
    health = requests.get(f"{demo.base_url}/healthz", timeout=30).json()
    assert health["status"] == "ok" and health["checks"] == {"store": "ok", "index": "ok"}
    assert health["store_mode"] == "read-only" and health["disk"]["status"] in ("ok", "low")


def test_every_oai_set_of_the_demo_lists_its_records(demo: Demo) -> None:
    """Issue 19, point 7, on the demo catalogue over HTTP: every header ``set=S`` returns lists
    S or a descendant (``set=discipline`` used to return BnF records with no discipline set)."""
    from tests.oai.test_set_membership import check_every_set

    def fetch(params: dict[str, str]) -> bytes:
        return requests.get(f"{demo.base_url}/oai", params=params, timeout=60).content

    assert check_every_set(fetch) > 20
