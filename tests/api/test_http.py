"""HTTP behaviour of the whole API: CORS, ETag / Last-Modified / 304, problem+json for every error."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.store import Store
from search.sync import sync
from tests.api import data

ENDPOINTS = ["/api/v1/", "/api/v1/resources", "/api/v1/vocabularies/levels",
             "/api/v1/vocabularies/disciplines", "/api/v1/sources", "/api/v1/suggest?q=vol",
             "/api/v1/dumps", "/api/v1/catalog", "/api/v1/openapi.json", "/api/v1/docs"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_cors_and_validators_on_every_endpoint(client: FlaskClient, url: str) -> None:
    response = client.get(url, headers={"Origin": "https://editeur.example.com"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    etag = response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_on_errors_and_preflight(client: FlaskClient) -> None:
    error = client.get("/api/v1/resources?nope=1", headers={"Origin": "https://x.example"})
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/resources", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match, X-Requested-With"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0


def test_last_modified_gives_304_and_a_changed_query_does_not(client: FlaskClient) -> None:
    first = client.get("/api/v1/resources?partner=bnf")
    modified = first.headers["Last-Modified"]
    assert client.get("/api/v1/resources?partner=bnf",
                      headers={"If-Modified-Since": modified}).status_code == 304
    other = client.get("/api/v1/resources?partner=ign", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]


def test_validators_change_when_the_store_changes(small: tuple[Flask, Store, Any]) -> None:
    app, store, index = small
    client = app.test_client()
    first = client.get("/api/v1/resources")
    record = client.get(f"/api/v1/resources/{data.make_record(1)['id']}")
    assert first.get_json()["total"] == 5
    data.fill(store, [data.make_record(1, title="Un titre corrigé"), data.make_record(7)])
    sync(index, store)
    after = client.get("/api/v1/resources", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["total"] == 6
    assert after.headers["ETag"] != first.headers["ETag"]
    changed = client.get(f"/api/v1/resources/{data.make_record(1)['id']}",
                         headers={"If-None-Match": record.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["title"][0]["value"] == "Un titre corrigé"
    unchanged = client.get(f"/api/v1/resources/{data.make_record(0)['id']}")
    assert client.get(f"/api/v1/resources/{data.make_record(0)['id']}",
                      headers={"If-None-Match": unchanged.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/resources", "/api/v1/", "/api/v1/dumps/resources.csv.gz"])
def test_writes_are_405_problems(client: FlaskClient, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["type"].endswith("#problem-method-not-allowed")


@pytest.mark.parametrize("url", ["/api/v1/nothing", "/api/v1/resources/a/b", "/api/v1/dumps/secret.txt",
                                 "/api/v1/dumps/../catalogue.db", "/api/v1/vocabularies"])
def test_unknown_paths_are_404_problems(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["instance"].startswith("/api/v1/")


def test_an_unexpected_failure_is_a_generic_500_without_trace(
    small: tuple[Flask, Store, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app, _, _ = small
    client = app.test_client()
    services = app.extensions["catalogue"]

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret internal detail /var/lib/db")

    monkeypatch.setattr(services.index, "search", broken)
    response = client.get("/api/v1/resources", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("#problem-server-error") and body["request_id"] == "req-42"
    text = response.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert "secret internal detail" in caplog.text  # logged for the operators


def test_request_id_and_problem_fields(client: FlaskClient) -> None:
    response = client.get("/api/v1/resources?per_page=0", headers={"X-Request-Id": "abc-1"})
    body = response.get_json()
    assert response.headers["X-Request-Id"] == "abc-1" and body["request_id"] == "abc-1"
    assert set(body) >= {"type", "title", "status", "detail", "instance", "invalid_params"}
    assert body["invalid_params"] == [{"name": "per_page", "reason": body["invalid_params"][0]["reason"]}]
