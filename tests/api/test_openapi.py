"""The OpenAPI 3.1 document and the HTML documentation rendered from it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api import data
from web.api.openapi import build_spec


def test_served_document_is_the_generated_one(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec == build_spec()
    assert spec["openapi"] == "3.1.0"


def test_every_route_is_documented_with_error_responses(api_app: Flask) -> None:
    spec = build_spec()
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in spec["paths"]}
    routes = {rule.rule for rule in api_app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.not_found", "api.static")}
    assert routes == documented
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, item in spec["paths"].items():
        op = item["get"]
        assert op["summary"] and op["operationId"], path
        for status in ("200", "400", "500"):
            assert status in op["responses"], (path, status)
        for status, response in op["responses"].items():
            if status[0] in "45":
                assert response["content"] == {"application/problem+json": {"schema": problem}}


def test_search_parameters_come_from_the_marshmallow_schema() -> None:
    op = build_spec()["paths"]["/api/v1/resources"]["get"]
    params: dict[str, Any] = {p["name"]: p for p in op["parameters"]}
    assert set(params) == {"q", "level", "discipline", "partner", "type", "licence", "language", "sort",
                           "page", "per_page", "cursor", "period", "date_from", "date_to", "match",
                           "modified_since", "until",
                           "group"}
    assert params["date_from"]["schema"]["type"] == "integer"
    assert params["match"]["schema"]["enum"] == ["auto", "all"]
    assert params["level"]["schema"]["type"] == "array" and params["level"]["explode"] is True
    assert params["per_page"]["schema"]["maximum"] == 100
    assert params["q"]["schema"]["maxLength"] == 500
    assert params["sort"]["schema"]["enum"] == ["relevance", "date", "title", "modified"]
    record = build_spec()["paths"]["/api/v1/resources/{record_id}"]["get"]["responses"]
    assert set(record) >= {"200", "404", "406", "410"}
    assert set(record["200"]["content"]) == {"application/json", "application/ld+json", "application/xml"}


def test_documentation_page_is_self_contained(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert not re.search(r'(src|href)="https?://', html)  # nothing from a CDN
    for path in build_spec()["paths"]:
        assert f"<code>{path}</code>" in html
    assert 'id="problem-invalid-parameter"' in html and 'id="schema-SearchResponse"' in html
    css = re.search(r'href="(/api/v1/static/[^"]+\.css)"', html)
    assert css and client.get(css.group(1)).status_code == 200


def test_problem_type_uris_resolve_to_documented_anchors(client: FlaskClient, gone: dict[str, Any]) -> None:
    html = client.get("/api/v1/docs").get_data(as_text=True)
    requests = [("get", "/api/v1/resources?x=1", {}), ("get", "/api/v1/resources/nope", {}),
                ("get", "/api/v1/nowhere", {}), ("get", f"/api/v1/resources/{gone['id']}", {}),
                ("get", "/api/v1/catalog", {"headers": {"Accept": "image/png"}}),
                ("post", "/api/v1/sources", {})]
    for method, url, kwargs in requests:
        problem = getattr(client, method)(url, **kwargs).get_json()
        base, anchor = problem["type"].split("#", 1)
        assert base == f"{data.BASE_URL}/api/v1/docs"  # the configured base URL, not Host
        assert f'id="{anchor}"' in html, anchor
