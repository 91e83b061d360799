"""What stock HTTP clients send, over real HTTP: media-type parameters in Accept, OPTIONS,
Last-Modified beside every ETag, CORS and a non-HTML 405 on /oai."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from lxml import etree

from schemas.serializers import FORMATS

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture(scope="module")
def record_url(api_server: str, records: list[dict[str, Any]]) -> str:
    return f"{api_server}/api/v1/resources/{records[0]['id']}"


@pytest.mark.parametrize(("accept", "media"), [
    ("application/json; charset=utf-8", "application/json"),
    ("application/json;charset=UTF-8", "application/json"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ("application/ld+json; profile=\"https://schema.org\"; q=0.9, application/json; q=0.5",
     "application/ld+json"),
    ("text/html;q=0.9, application/json; charset=utf-8; q=0.8", "application/json"),
])
def test_record_accept_with_parameters(record_url: str, accept: str, media: str) -> None:
    response = requests.get(record_url, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("accept", "media"), [
    ("text/turtle; charset=utf-8", "text/turtle"),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ("application/rdf+xml; charset=utf-8", "application/rdf+xml"),
])
def test_catalog_accept_with_parameters(api_server: str, accept: str, media: str) -> None:
    response = requests.get(f"{api_server}/api/v1/catalog", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].split(";")[0] == media


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/resources", "/api/v1/sources",
                                  "/api/v1/vocabularies/levels", "/api/v1/dumps",
                                  "/api/v1/openapi.json", "/api/v1/suggest?q=vol"])
def test_json_endpoints_take_json_with_charset(api_server: str, path: str) -> None:
    response = requests.get(api_server + path, headers={"Accept": "application/json; charset=utf-8"},
                            timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")


def test_406_lists_every_format(record_url: str, api_server: str) -> None:
    response = requests.get(record_url, headers={"Accept": "text/csv"}, timeout=10)
    assert response.status_code == 406
    problem = response.json()
    assert response.headers["Content-Type"] == "application/problem+json"
    listed = {(a["media_type"], a.get("format")) for a in problem["available"]}
    assert {("application/json", None), ("application/ld+json", None)} <= listed
    assert {("application/xml", prefix) for prefix in FORMATS} <= listed
    for prefix in FORMATS:
        assert f"?format={prefix}" in problem["detail"]
        assert requests.get(record_url, params={"format": prefix}, timeout=10).status_code == 200
    catalog = requests.get(f"{api_server}/api/v1/catalog", headers={"Accept": "text/csv"}, timeout=10)
    assert catalog.status_code == 406
    assert {a["media_type"] for a in catalog.json()["available"]} == {
        "text/turtle", "application/ld+json", "application/rdf+xml"}


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/resources", "/api/v1/resources/anything",
                                  "/api/v1/sources", "/api/v1/catalog", "/api/v1/openapi.json",
                                  "/api/v1/dumps/resources.csv.gz", "/api/v1/docs"])
def test_options_is_204_with_the_real_allow(api_server: str, path: str) -> None:
    response = requests.options(api_server + path, timeout=10)
    assert response.status_code == 204
    assert response.content == b""
    assert "text/html" not in response.headers.get("Content-Type", "")
    assert [m.strip() for m in response.headers["Allow"].split(",")] == ["GET", "HEAD", "OPTIONS"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        refused = requests.request(method, api_server + path, timeout=10)
        assert refused.status_code == 405
        assert refused.headers["Allow"] == response.headers["Allow"]
    assert requests.options(f"{api_server}/api/v1/nowhere", timeout=10).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/sources", "/api/v1/dumps", "/api/v1/openapi.json",
                                  "/api/v1/", "/api/v1/resources", "/api/v1/catalog",
                                  "/api/v1/vocabularies/disciplines", "/api/v1/docs"])
def test_last_modified_wherever_an_etag_is_sent(api_server: str, path: str) -> None:
    response = requests.get(api_server + path, timeout=10)
    assert response.status_code == 200 and response.headers["ETag"]
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    again = requests.get(api_server + path, headers={"If-Modified-Since": response.headers["Last-Modified"]},
                         timeout=10)
    assert again.status_code == 304  # (Werkzeug drops Last-Modified from a 304, as RFC 9110 allows)
    assert modified.tzinfo is not None


def test_sources_last_modified_follows_the_last_harvest(api_server: str) -> None:
    response = requests.get(f"{api_server}/api/v1/sources", timeout=10)
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    runs = [s["last_harvest"] for p in response.json()["partners"] for s in p["sources"]
            if s["last_harvest"]]
    assert runs, "the test catalogue has harvest runs"
    latest = max(datetime.fromisoformat((r["finished_at"] or r["started_at"]).replace("Z", "+00:00"))
                 for r in runs)
    assert modified >= latest


def test_oai_cors_and_methods(api_server: str) -> None:
    got = requests.get(f"{api_server}/oai", params={"verb": "Identify"},
                       headers={"Origin": "https://validator.example"}, timeout=10)
    assert got.status_code == 200 and got.headers["Access-Control-Allow-Origin"] == "*"
    posted = requests.post(f"{api_server}/oai", data={"verb": "Identify"}, timeout=10)
    assert posted.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(f"{api_server}/oai", headers={
        "Origin": "https://validator.example", "Access-Control-Request-Method": "POST"}, timeout=10)
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(method, f"{api_server}/oai", data={"verb": "Identify"}, timeout=10)
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        root = etree.fromstring(response.content)
        assert [e.get("code") for e in root.iter(f"{OAI}error")] == ["badVerb"]
