"""HttpClient over real HTTP against the simulator: retries, backoff, limits, allow-list."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from catalogue.simulator import Simulator
from harvesters.base import HarvestFailed
from harvesters.http import (
    DEFAULT_USER_AGENT,
    HttpClient,
    HttpStatusError,
    ResponseTooLarge,
    UrlNotAllowed,
    origin,
    parse_retry_after,
)
from tests.conftest_simulator import SleepRecorder, make_client

JALONS = "/ina/jalons/api/search"


def test_get_returns_body_status_headers_and_counts(simulator: Simulator, http_client: HttpClient):
    response = http_client.get(simulator.url(JALONS), params={"limit": 2})
    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.json()["return"]["limit"] == 2
    assert response.url.endswith("/ina/jalons/api/search?limit=2")
    assert http_client.request_count == 1
    assert http_client.requests_by_host[f"127.0.0.1:{simulator.port}"] == 1


def test_user_agent_is_descriptive(simulator: Simulator, http_client: HttpClient):
    http_client.get(simulator.url(JALONS))
    agent = simulator.requests[-1].headers["User-Agent"]
    assert agent == DEFAULT_USER_AGENT
    assert agent.startswith("catalogue-harvester/0.1 (+http")


def test_gzip_bodies_are_decoded(simulator: Simulator, http_client: HttpClient):
    response = http_client.get(simulator.url("/bnf/oai"), params={"verb": "Identify"})
    assert response.headers["Content-Encoding"] == "gzip"  # the simulator did compress
    assert response.content.startswith(b"<?xml")
    assert "Entrepôt OAI-PMH".encode() in response.content


def test_gzip_without_content_encoding_is_decoded(simulator: Simulator, http_client: HttpClient):
    document = b'{"return": {"total": 0, "offset": 0, "limit": 10, "resources": []}}'
    simulator.faults.add(JALONS, "malformed", body=gzip.compress(document),
                         content_type="application/json")
    response = http_client.get(simulator.url(JALONS))
    assert "Content-Encoding" not in response.headers
    assert response.content == document


def test_503_then_success_backs_off_exponentially(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add(JALONS, "status", times=2, status=503)
    response = http_client.get(simulator.url(JALONS))
    assert response.status == 200
    assert response.attempts == 3
    assert sleeps.calls == [1.0, 2.0]
    assert http_client.request_count == 3
    assert len(simulator.requests) == 3


def test_429_retry_after_seconds_is_honoured(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add(JALONS, "429", retry_after=7)
    assert http_client.get(simulator.url(JALONS)).status == 200
    assert sleeps.calls == [7.0]


def test_429_retry_after_http_date_is_honoured(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add(JALONS, "429", retry_after=30, http_date=True)
    assert http_client.get(simulator.url(JALONS)).status == 200
    assert len(sleeps.calls) == 1
    assert 25 <= sleeps.calls[0] <= 31


def test_retry_after_is_capped(simulator: Simulator, sleeps: SleepRecorder):
    client = make_client(simulator, sleeps, retry_after_cap=60)
    simulator.faults.add(JALONS, "status", status=503, retry_after=3600)
    assert client.get(simulator.url(JALONS)).status == 200
    assert sleeps.calls == [60]


def test_parse_retry_after_forms():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_timeout_then_success(simulator: Simulator, sleeps: SleepRecorder):
    client = make_client(simulator, sleeps, read_timeout=0.5)
    simulator.faults.add(JALONS, "slow", seconds=3)
    response = client.get(simulator.url(JALONS))
    assert response.status == 200
    assert response.attempts == 2
    assert sleeps.calls == [1.0]


def test_truncated_body_is_retried(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add("/bnf/oai", "truncated", fraction=0.3)
    response = http_client.get(simulator.url("/bnf/oai"),
                               params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert response.attempts == 2
    assert response.content.rstrip().endswith(b"</OAI-PMH>")


def test_retries_exhausted_raises_with_url_status_and_attempts(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add(JALONS, "status", times=None, status=502)
    with pytest.raises(HttpStatusError) as caught:
        http_client.get(simulator.url(JALONS), params={"query": "x"})
    message = str(caught.value)
    assert simulator.url(JALONS) in message
    assert "HTTP 502" in message
    assert "4 attempt(s)" in message
    assert caught.value.status == 502
    assert caught.value.attempts == 4
    assert caught.value.url is not None and caught.value.url.endswith("query=x")
    assert sleeps.calls == [1.0, 2.0, 4.0]


def test_client_errors_are_not_retried(simulator: Simulator, http_client: HttpClient):
    with pytest.raises(HttpStatusError) as caught:
        http_client.get(simulator.url("/no/such/path"))
    assert caught.value.status == 404
    assert http_client.request_count == 1


def test_accepted_status_is_returned(simulator: Simulator, http_client: HttpClient):
    response = http_client.get(simulator.url("/no/such/path"), accept_status=(404,))
    assert response.status == 404


def test_server_down_fails_after_retries(
    simulator: Simulator, http_client: HttpClient, sleeps: SleepRecorder
):
    simulator.faults.add("/", "down")
    with pytest.raises(HarvestFailed) as caught:
        http_client.get(simulator.url(JALONS))
    assert "connection error" in str(caught.value)
    assert "4 attempt(s)" in str(caught.value)
    assert len(sleeps.calls) == 3


def test_down_as_502(simulator: Simulator, http_client: HttpClient):
    simulator.faults.add("/", "down", mode="502")
    with pytest.raises(HttpStatusError) as caught:
        http_client.get(simulator.url(JALONS))
    assert caught.value.status == 502


def test_response_size_limit(simulator: Simulator, sleeps: SleepRecorder):
    client = make_client(simulator, sleeps, max_bytes=10_000)
    with pytest.raises(ResponseTooLarge):
        client.get(simulator.url("/bnf/oai"),
                   params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert sleeps.calls == []  # not retried


def test_allow_list_refuses_unconfigured_host(simulator: Simulator, http_client: HttpClient):
    with pytest.raises(UrlNotAllowed):
        http_client.get("http://example.org/oai")
    with pytest.raises(UrlNotAllowed):
        http_client.get(f"https://127.0.0.1:{simulator.port}/bnf/oai")  # other scheme
    with pytest.raises(UrlNotAllowed):
        http_client.get("file:///etc/passwd")
    assert http_client.request_count == 0
    assert simulator.requests == []


def test_redirect_to_unconfigured_host_is_refused(simulator: Simulator, sleeps: SleepRecorder):
    with Simulator() as other:
        client = make_client(simulator, sleeps)
        simulator.faults.add(JALONS, "status", status=302,
                             headers={"Location": other.url(JALONS)})
        with pytest.raises(UrlNotAllowed):
            client.get(simulator.url(JALONS))
        assert other.requests == []


def test_redirect_within_allowed_origin_is_followed(simulator: Simulator, http_client: HttpClient):
    simulator.faults.add(JALONS, "status", status=301, headers={"Location": "/ina/rss"})
    response = http_client.get(simulator.url(JALONS))
    assert response.url == simulator.url("/ina/rss")
    assert b"<rss" in response.content


def test_politeness_delay_per_host(simulator: Simulator, sleeps: SleepRecorder):
    now = [100.0]
    client = make_client(simulator, sleeps, politeness_delay=0.5, clock=lambda: now[0])
    client.get(simulator.url(JALONS))
    assert sleeps.calls == []
    now[0] += 0.2
    client.get(simulator.url(JALONS))
    assert sleeps.calls == [pytest.approx(0.3)]


def test_origin_normalises_default_ports():
    assert origin("https://Example.org/x") == ("https", "example.org", 443)
    assert origin("http://example.org:8080/") == ("http", "example.org", 8080)
    with pytest.raises(ValueError):
        origin("ftp://example.org/")
    client = HttpClient(allowed_urls=["https://www.data.gouv.fr/api/1/"])
    assert client.is_allowed("https://www.data.gouv.fr:443/api/1/datasets/?page=2")
    assert not client.is_allowed("https://data.gouv.fr/api/1/")
