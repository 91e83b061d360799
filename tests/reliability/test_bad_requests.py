"""Bad requests against the UI, the JSON API and OAI-PMH: never a 5xx, never a stack trace, never
unbounded work.

Hypothesis builds raw query strings (the bytes after ``?``): known and unknown parameter names,
repeated parameters, huge values, invalid UTF-8 percent-encodings, truncated escapes, control
characters. The app runs in production mode (not TESTING), as under gunicorn.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from core.xmlsafe import parse_xml
from tests.oai.support import response_schema

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
# Pages that read few or no parameters but cost more to render: fewer examples.
LIGHT = settings(FUZZ, max_examples=25)

NAMES = ["q", "page", "per_page", "sort", "level", "discipline", "partner", "type", "licence",
         "language", "cursor", "format", "limit", "verb", "metadataPrefix", "identifier", "from",
         "until", "set", "resumptionToken"]
GARBAGE = ["%ff", "%fe%ff", "%c3(", "%", "%z", "%00", "%0a%0d", "%e2%80%ae", "+", "&", "=", ";",
           "%25", "%2e%2e%2f", "%ed%a0%80", "%f4%90%80%80", "%c0%af", "[]", "%5B%5D", "\\"]
VALUES = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "-1", "0", "1e9", "1000000000", "NaN", "null", "true", "oai_dc", "lom",
                     "scolomfr", "ListRecords", "GetRecord", "ListIdentifiers", "ListSets",
                     "Identify", "ListMetadataFormats", "partner:bnf", "level", "2024-01-01",
                     "2024-13-45T99:99:99Z", "0000-00-00", "9999-12-31", "relevance", "date",
                     "jsonld", "x" * 5000, "é" * 3000]),
)


@st.composite
def raw_queries(draw: st.DrawFn) -> bytes:
    """A query string as a hostile client would write it (not necessarily decodable)."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.sampled_from(NAMES) | st.text(max_size=12))
        value = draw(VALUES)
        piece = f"{quote(name, safe='')}={quote(value, safe='')}"
        if draw(st.booleans()):
            junk = draw(st.lists(st.sampled_from(GARBAGE), min_size=1, max_size=3))
            at = draw(st.integers(0, len(piece)))
            piece = piece[:at] + "".join(junk) + piece[at:]
        parts.append(piece)
    repeat = draw(st.booleans())
    if parts and repeat:
        parts.append(draw(st.sampled_from(parts)))  # a repeated parameter
    return "&".join(parts).encode("ascii", "backslashreplace")


def assert_sane(response: TestResponse) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data()[:500])
    body = response.get_data()
    assert b"Traceback" not in body and b'File "/' not in body and b"sqlalchemy" not in body.lower()


@pytest.fixture(scope="module")
def client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture(scope="module")
def a_record(demo_app: Flask) -> str:
    store = demo_app.extensions["catalogue"].store
    return next(store.iter_records()).id


@FUZZ
@given(query=raw_queries())
def test_search_page_survives_any_query_string(client: FlaskClient, query: bytes) -> None:
    response = client.get("/", query_string=query.decode("ascii"),
                          headers={"X-Fragment": "region"} if len(query) % 2 else {})
    assert_sane(response)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("path", ["/couverture", "/partenaires", "/partenaires/bnf", "/ressources/RECORD"])
@LIGHT
@given(query=raw_queries())
def test_other_ui_pages_survive_any_query_string(client: FlaskClient, a_record: str, path: str,
                                                 query: bytes) -> None:
    response = client.get(path.replace("RECORD", a_record), query_string=query.decode("ascii"))
    assert_sane(response)
    assert response.status_code == 200


@FUZZ
@given(tail=st.text(min_size=1, max_size=300))
def test_ui_and_api_record_paths_survive_any_identifier(client: FlaskClient, tail: str) -> None:
    encoded = quote(tail, safe="")
    for path in (f"/ressources/{encoded}", f"/partenaires/{encoded}", f"/api/v1/resources/{encoded}"):
        response = client.get(path)
        assert_sane(response)
        assert response.status_code in (200, 404, 308), (path, response.status_code)


@pytest.mark.parametrize("path", ["/api/v1/resources", "/api/v1/suggest", "/api/v1/resources/RECORD",
                                  "/api/v1/sources", "/api/v1/catalog", "/api/v1/dumps",
                                  "/api/v1/vocabularies/levels"])
@FUZZ
@given(query=raw_queries())
def test_api_answers_any_query_string_with_json_or_a_problem(client: FlaskClient, a_record: str,
                                                              path: str, query: bytes) -> None:
    response = client.get(path.replace("RECORD", a_record), query_string=query.decode("ascii"))
    assert_sane(response)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json", response.mimetype
        assert response.get_json()["status"] == response.status_code


def _oai_check(response: TestResponse, query: bytes) -> None:
    assert_sane(response)
    if response.status_code != 200:
        assert response.status_code in (400, 405, 413), response.status_code
        return
    pairs = parse_qsl(query.decode("utf-8", "replace"))
    prefix = next((v for k, v in pairs if k == "metadataPrefix"), None)
    root = parse_xml(response.get_data())
    validator = response_schema(prefix if prefix in ("lom", "scolomfr") else None)
    assert validator.validate(root), (validator.error_log, response.get_data()[:1000])


@st.composite
def oai_queries(draw: st.DrawFn) -> bytes:
    """Mostly well-formed OAI-PMH requests with odd values, plus pure noise."""
    verb = draw(st.sampled_from(["ListRecords", "ListIdentifiers", "GetRecord", "Identify", "ListSets",
                                 "ListMetadataFormats", "", "listrecords", "Nope"]))
    parts = [f"verb={quote(verb)}"]
    for name in draw(st.lists(st.sampled_from(["metadataPrefix", "identifier", "from", "until", "set",
                                               "resumptionToken", "extra"]), max_size=4)):
        parts.append(f"{name}={quote(draw(VALUES), safe='')}")
    noise = draw(raw_queries())
    return ("&".join(parts) + ("&" + noise.decode() if noise and draw(st.booleans()) else "")).encode()


@FUZZ
@given(query=oai_queries())
def test_oai_answers_any_request_with_valid_oai_pmh(client: FlaskClient, query: bytes) -> None:
    _oai_check(client.get("/oai", query_string=query.decode("ascii")), query)


@FUZZ
@given(query=oai_queries())
def test_oai_post_answers_like_get(client: FlaskClient, query: bytes) -> None:
    response = client.post("/oai", data=query, content_type="application/x-www-form-urlencoded")
    _oai_check(response, query)


@FUZZ
@given(query=raw_queries())
def test_oai_survives_raw_noise(client: FlaskClient, query: bytes) -> None:
    _oai_check(client.get("/oai", query_string=query.decode("ascii")), query)


# -- unbounded work is refused or capped ---------------------------------------------------------

BIG = "mot " * 25_000  # 100 KB


@pytest.mark.parametrize("query, statuses", [
    ({"per_page": "1000000000"}, {400}),
    ({"per_page": str(10**30)}, {400}),
    ({"page": "100000000"}, {400}),
    ({"q": BIG}, {400}),
    ({"cursor": "A" * 100_000}, {400}),
    ({"partner": ["bnf"] * 5_000}, {400}),
    ({"level": ["scolomfr-voc-022-num-015"] * 5_000}, {400}),
])
def test_api_refuses_oversized_requests(client: FlaskClient, query: dict[str, object],
                                        statuses: set[int]) -> None:
    response = client.get("/api/v1/resources", query_string=query)
    assert response.status_code in statuses
    assert response.mimetype == "application/problem+json"
    assert len(response.get_data()) < 20_000  # the refusal does not echo the whole value


def test_suggest_refuses_oversized_prefix(client: FlaskClient) -> None:
    response = client.get("/api/v1/suggest", query_string={"q": BIG})
    assert response.status_code == 400 and len(response.get_data()) < 20_000


@pytest.mark.parametrize("query", [
    {"q": BIG}, {"page": str(10**30)}, {"partner": ["bnf"] * 5_000},
    {"level": [f"x{i}" for i in range(5_000)]}, {"q": "é" * 50_000, "sort": "title"},
])
def test_ui_caps_oversized_requests(client: FlaskClient, query: dict[str, object]) -> None:
    response = client.get("/", query_string=query)
    assert response.status_code in (200, 400)
    body = response.get_data(as_text=True)
    assert "mot " * 200 not in body and "é" * 600 not in body  # the echoed words are capped
    assert len(body) < 500_000


@pytest.mark.parametrize("query", [
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:" + "a" * 100_000},
    {"verb": "ListRecords", "resumptionToken": "A" * 100_000},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "partner:" + "b" * 100_000},
    {"verb": "ListRecords", "metadataPrefix": "x" * 100_000},
])
def test_oai_refuses_oversized_arguments_with_an_oai_error(client: FlaskClient,
                                                          query: dict[str, str]) -> None:
    response = client.get("/oai", query_string=query)
    assert response.status_code == 200
    root = parse_xml(response.get_data())
    assert root.find("{http://www.openarchives.org/OAI/2.0/}error") is not None
    # At most an echo of the arguments (OAI-PMH echoes them in <request>): no amplification.
    assert len(response.get_data()) < sum(len(v) for v in query.values()) + 20_000


# -- request bodies -------------------------------------------------------------------------------

WRITE: dict[str, Callable[[FlaskClient], Callable[..., TestResponse]]] = {
    "POST": lambda c: c.post, "PUT": lambda c: c.put, "PATCH": lambda c: c.patch,
    "DELETE": lambda c: c.delete,
}


def test_an_oai_post_body_over_the_limit_is_413(client: FlaskClient) -> None:
    body = "verb=Identify&" + "x=" + "y" * 200_000
    response = client.post("/oai", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert_sane(response)


@pytest.mark.parametrize("method, path", [
    (method, path) for method in WRITE
    for path in ("/", "/api/v1/resources", "/oai", "/healthz", "/ressources/x")
    if (method, path) != ("POST", "/oai")  # the one route that reads a body: see above
])
def test_large_bodies_are_refused_everywhere(client: FlaskClient, path: str, method: str) -> None:
    response = WRITE[method](client)(path, data=b"x" * 200_000, content_type="application/octet-stream")
    assert response.status_code in (405, 413, 404), (method, path, response.status_code)
    assert_sane(response)
