"""``/robots.txt`` and ``/sitemap.xml`` over real HTTP: every live resource page once, chunked
into a sitemap index past the per-file limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree

from catalogue.config import Settings
from tests.api import data
from tests.webapp import serving
from web.app import create_app

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def chunked(api_data: tuple[Settings, dict[str, Any]]) -> Iterator[str]:
    """The same catalogue with 10 URLs per sitemap file (the real limit is 50,000)."""
    app = create_app(api_data[0], TESTING=True, SITEMAP_CHUNK=10)
    with serving(app) as origin:
        yield origin
    app.extensions["catalogue"].store.close()


def fetch(url: str) -> etree._Element:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith("application/xml")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    return etree.fromstring(response.content)


def resource_ids(locs: list[str]) -> list[str]:
    prefix = f"{data.BASE_URL}/ressources/"
    return [loc.removeprefix(prefix) for loc in locs if loc.startswith(prefix)]


def test_one_sitemap_lists_every_live_resource_once(api_server: str, records: list[dict[str, Any]],
                                                    gone: dict[str, Any]) -> None:
    root = fetch(f"{api_server}/sitemap.xml")
    assert root.tag == etree.QName(NS["s"], "urlset").text
    locs = root.xpath("//s:url/s:loc/text()", namespaces=NS)
    ids = resource_ids(locs)
    assert sorted(ids) == sorted(r["id"] for r in records)
    assert gone["id"] not in ids
    assert f"{data.BASE_URL}/" in locs  # the search page
    assert all(url.xpath("s:lastmod", namespaces=NS) for url in root.xpath("//s:url", namespaces=NS)
               if url.findtext("s:loc", namespaces=NS).startswith(f"{data.BASE_URL}/ressources/"))
    # Each listed page exists.
    first = ids[0]
    assert requests.get(f"{api_server}/ressources/{first}", timeout=10).status_code == 200


def test_sitemap_index_past_the_limit(chunked: str, records: list[dict[str, Any]]) -> None:
    root = fetch(f"{chunked}/sitemap.xml")
    assert root.tag == etree.QName(NS["s"], "sitemapindex").text
    files = root.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    assert files[0] == f"{data.BASE_URL}/sitemap-pages.xml"
    assert len(files) == 1 + -(-len(records) // 10)
    ids: list[str] = []
    for url in files:
        path = url.removeprefix(data.BASE_URL)
        chunk = fetch(chunked + path)
        locs = chunk.xpath("//s:url/s:loc/text()", namespaces=NS)
        assert 0 < len(locs) <= 10
        ids.extend(resource_ids(locs))
    assert sorted(ids) == sorted(r["id"] for r in records) and len(set(ids)) == len(ids)
    past = -(-len(records) // 10)
    assert requests.get(f"{chunked}/sitemap-resources-{past}.xml", timeout=10).status_code == 404


def test_robots_points_to_the_sitemap(api_server: str) -> None:
    response = requests.get(f"{api_server}/robots.txt", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert f"Sitemap: {data.BASE_URL}/sitemap.xml" in lines
    assert "Disallow: /api/" in lines and "Disallow: /?" in lines
    assert "Disallow: /ressources/" not in lines
