"""One base URL: every absolute URL the site publishes starts with the same root.

``CATALOGUE_BASE_URL`` when set (whatever ``Host`` or ``X-Forwarded-*`` the request carries);
else the request's own origin, with ``X-Forwarded-Proto/Host/Prefix`` honoured only when
``CATALOGUE_TRUST_PROXY`` is set.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from lxml import etree, html

from catalogue.settings import Settings
from tests.webapp import running_app

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example",
             "X-Forwarded-Prefix": "/catalogue"}


def published_urls(app: Flask, record_id: str, origin: str, headers: dict[str, str]) -> dict[str, list[str]]:
    """Every kind of absolute URL the app builds, as a client at ``origin`` sees them."""
    client = app.test_client()

    def get(path: str) -> Any:
        response = client.get(path, base_url=origin, headers=headers)
        assert response.status_code < 500, (path, response.status_code)
        return response

    found: dict[str, list[str]] = {}
    search = get("/api/v1/resources?per_page=2").get_json()
    found["search links"] = [search["links"]["self"], search["results"][0]["_links"]["self"]]
    record = get(f"/api/v1/resources/{record_id}").get_json()
    found["record _links"] = list(record["_links"].values())
    jsonld = json.loads(get(f"/api/v1/resources/{record_id}?format=jsonld").data)
    found["JSON-LD @id"] = [jsonld["@id"]]
    dumps = get("/api/v1/dumps").get_json()
    found["dumps manifest"] = [f["url"] for f in dumps["files"]]
    assert found["dumps manifest"]
    problem = get("/api/v1/resources?per_page=nope").get_json()
    found["problem type"] = [problem["type"]]
    found["API index"] = list(get("/api/v1/").get_json()["links"].values())
    identify = etree.fromstring(get("/oai?verb=Identify").data)
    found["OAI baseURL"] = [identify.findtext(".//o:baseURL", namespaces=OAI),
                            identify.findtext("o:request", namespaces=OAI)]
    catalog = get("/api/v1/catalog?format=turtle").data.decode()
    found["DCAT downloadURL"] = re.findall(r"dcat:downloadURL <([^>]+)>", catalog)
    assert found["DCAT downloadURL"]
    page = html.fromstring(get(f"/ressources/{record_id}").data)
    found["page canonical"] = page.xpath("//link[@rel='canonical']/@href")
    assert found["page canonical"]
    sitemap = etree.fromstring(get("/sitemap.xml").data)
    found["sitemap"] = sitemap.xpath("//s:loc/text()", namespaces=SITEMAP)
    found["robots"] = re.findall(r"Sitemap: (\S+)", get("/robots.txt").data.decode())
    return found


def assert_all_under(found: dict[str, list[str]], root: str) -> None:
    wrong = {kind: [u for u in urls if not u.startswith(root + "/")] for kind, urls in found.items()}
    assert {kind: urls for kind, urls in wrong.items() if urls} == {}
    assert all(urls for urls in found.values())


@pytest.fixture(scope="module")
def base(api_data: tuple[Settings, dict[str, Any]]) -> Settings:
    return api_data[0]


@pytest.fixture(scope="module")
def record_id(records: list[dict[str, Any]]) -> str:
    return str(records[0]["id"])


def test_configured_base_url_wins_over_host_and_forwarded_headers(base: Settings, record_id: str) -> None:
    settings = replace(base, base_url="http://example.test:8731", trust_proxy=1)
    with running_app(settings) as app:
        found = published_urls(app, record_id, "http://attacker.example", FORWARDED)
    assert_all_under(found, "http://example.test:8731")
    assert found["OAI baseURL"] == ["http://example.test:8731/oai"] * 2


def test_without_a_base_url_the_request_origin_is_used(base: Settings, record_id: str) -> None:
    settings = replace(base, base_url=None)
    with running_app(settings) as app:
        found = published_urls(app, record_id, "http://served.test:5555", {})
    assert_all_under(found, "http://served.test:5555")


def test_forwarded_headers_are_ignored_unless_trusted(base: Settings, record_id: str) -> None:
    with running_app(replace(base, base_url=None, trust_proxy=0)) as app:
        ignored = published_urls(app, record_id, "http://served.test:5555", FORWARDED)
    assert_all_under(ignored, "http://served.test:5555")
    with running_app(replace(base, base_url=None, trust_proxy=1)) as app:
        trusted = published_urls(app, record_id, "http://served.test:5555", FORWARDED)
    assert_all_under(trusted, "https://proxy.example/catalogue")
    assert trusted["OAI baseURL"] == ["https://proxy.example/catalogue/oai"] * 2


def test_cached_answers_are_not_shared_between_origins(base: Settings, record_id: str) -> None:
    """An ETag-validated answer built for one origin is never served to another."""
    with running_app(replace(base, base_url=None)) as app:
        client = app.test_client()
        first = client.get(f"/api/v1/resources/{record_id}", base_url="http://one.test").get_json()
        second = client.get(f"/api/v1/resources/{record_id}", base_url="http://two.test").get_json()
    assert first["_links"]["self"].startswith("http://one.test/")
    assert second["_links"]["self"].startswith("http://two.test/")
