"""The public web surface is read-only: only the CLI changes data.

Walks every route Flask knows (``app.url_map``), so a route added later is covered without
editing this test, and sends it every write method.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue import tables as t
from catalogue.store import Store
from core.xmlsafe import parse_xml

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Routes that declare a write method, and why that is not a write.
DECLARED_WRITES = {
    "oai.oai": {"POST"},  # OAI-PMH allows POST for the same (read) requests as GET
    "api.not_found": set(WRITE_METHODS),  # catch-all answering 404/405 as problem+json
}
SAMPLES: dict[str, str | dict[str, str]] = {
    "filename": {"static": "catalogue.css", "api.static": "api-docs.css"},
    "path": "no-such-thing", "partner_id": "bnf",
}


def fingerprint(store: Store) -> dict[str, Any]:
    """Everything a write could change, in a few numbers."""
    with store.engine.connect() as conn:
        counts: dict[str, Any] = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.records, t.raw_records, t.harvest_runs, t.run_items, t.curations,
                          t.sources, t.record_facets)
        }
        counts["seq"] = conn.execute(select(t.counters.c.value).where(t.counters.c.name == "seq")).scalar()
    counts["max_seq"] = store.max_seq()
    return counts


def concrete_urls(app: Flask, record_id: str) -> list[tuple[str, str]]:
    """(endpoint, URL) for every rule, with its variables filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for name in rule.arguments:
            found = SAMPLES.get(name, record_id)
            sample = found[rule.endpoint] if isinstance(found, dict) else str(found)
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", sample, url)
        urls.append((rule.endpoint, url))
    return urls


def test_no_route_declares_a_write_method_but_the_known_ones(demo_app: Flask) -> None:
    for rule in demo_app.url_map.iter_rules():
        declared = set(rule.methods or ()) & set(WRITE_METHODS)
        assert declared <= DECLARED_WRITES.get(rule.endpoint, set()), (rule.rule, declared)


@pytest.mark.parametrize("method", [*WRITE_METHODS, "TRACE"])
def test_every_route_refuses_every_write_method_and_nothing_changes(demo_app: Flask, method: str) -> None:
    store = demo_app.extensions["catalogue"].store
    record_id = next(store.iter_records()).id
    before = fingerprint(store)
    client = demo_app.test_client()
    urls = concrete_urls(demo_app, record_id)
    assert len(urls) >= 20
    for endpoint, url in urls:
        for body in (None, b'{"title": "piratage"}', b"verb=Identify"):
            response = client.open(url, method=method, data=body,
                                   content_type="application/json" if body and body[:1] == b"{"
                                   else "application/x-www-form-urlencoded")
            if endpoint == "oai.oai" and method == "POST":
                assert response.status_code == 200  # an OAI-PMH read (or an OAI error)
                parse_xml(response.get_data())
            elif endpoint == "api.not_found" and "no-such-thing" in url and method != "TRACE":
                assert response.status_code == 404, (method, url)  # no such resource to write
            else:
                assert response.status_code == 405, (method, url, response.status_code)
                assert method not in response.headers.get("Allow", "")
            assert response.status_code < 500
    assert fingerprint(store) == before


def test_oai_post_is_a_read(demo_app: Flask) -> None:
    store = demo_app.extensions["catalogue"].store
    before = fingerprint(store)
    client = demo_app.test_client()
    got = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")
    posted = client.post("/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert posted.status_code == got.status_code == 200
    ids = [e.text for e in parse_xml(posted.get_data()).iter("{http://www.openarchives.org/OAI/2.0/}identifier")]
    assert ids and ids == [e.text for e in parse_xml(got.get_data()).iter(
        "{http://www.openarchives.org/OAI/2.0/}identifier")]
    assert fingerprint(store) == before
