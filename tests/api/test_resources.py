"""``GET /api/v1/resources``: results, filters, facets that round-trip, paging and cursors."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from schemas.vocabularies import load_vocabulary
from tests.api import data

URI = "http://data.education.fr/voc/scolomfr/concept/"
FACETS = ("level", "discipline", "partner", "type", "licence", "language", "period")


def get(client: FlaskClient, url: str, **kwargs: Any) -> dict[str, Any]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def relative(url: str | None) -> str:
    assert url is not None
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == data.BASE_URL  # absolute, from the settings
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_browse_lists_every_live_record_with_the_documented_fields(
    client: FlaskClient, records: list[dict[str, Any]], gone: dict[str, Any]
) -> None:
    body = get(client, "/api/v1/resources?per_page=100")
    assert body["total"] == len(records) == data.RECORD_COUNT
    by_id = {r["id"]: r for r in records}
    assert {r["id"] for r in body["results"]} == set(by_id)
    assert gone["id"] not in {r["id"] for r in body["results"]}
    first = body["results"][0]
    source = by_id[first["id"]]
    assert first["title"] == source["title"][0]["value"]
    assert first["partner"] == {"id": source["source"]["partner"],
                                "label": data.SOURCES[source["source"]["partner"]][1]}
    assert first["levels"] == [{"id": c["id"], "label": c["label"], "provenance": c["provenance"]}
                               for c in source["levels"]]
    assert first["disciplines"] == [{"id": c["id"], "label": c["label"], "provenance": c["provenance"]}
                                    for c in source["disciplines"]]
    assert first["url"] == source["url"]
    assert first["licence"]["code"] == source["licence"]["code"]
    assert first["languages"] == source["languages"]
    assert first["resource_types"][0]["id"] == source["resource_types"][0]["id"]
    assert first["_links"]["self"] == f"{data.BASE_URL}/api/v1/resources/{first['id']}"
    assert body["links"]["next"] is None and body["links"]["prev"] is None


def test_text_search_highlights_and_french_title(client: FlaskClient) -> None:
    body = get(client, "/api/v1/resources?q=volcans")
    assert body["total"] == 3  # records 0, 13 and 26 are about volcans
    for result in body["results"]:
        assert "<mark>" in result["title_html"] or "<mark>" in result["snippet_html"]
        assert result["title"].startswith("Volcans")
        assert isinstance(result["score"], float)


def test_level_filter_accepts_ids_and_uris_and_follows_the_hierarchy(
    client: FlaskClient, records: list[dict[str, Any]]
) -> None:
    by_id = get(client, f"/api/v1/resources?level={data.CM2}&per_page=100")
    by_uri = get(client, f"/api/v1/resources?level={URI}{data.CM2}&per_page=100")
    expected = {r["id"] for r in records if data.CM2 in {c["id"] for c in r["levels"]}}
    assert expected and {r["id"] for r in by_id["results"]} == expected
    assert by_uri["results"] == by_id["results"]
    # A stage finds the records of its classes: école élémentaire = CM1 + CM2 here.
    elementaire = load_vocabulary().match_level("école élémentaire")
    assert elementaire is not None
    stage = get(client, f"/api/v1/resources?level={elementaire.id}&per_page=100")
    classes = {data.CM1, data.CM2}
    assert {r["id"] for r in stage["results"]} == {
        r["id"] for r in records if classes & {c["id"] for c in r["levels"]}}


def test_filters_combine_and_repeat(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    body = get(client, f"/api/v1/resources?partner=bnf&partner=ign&discipline={data.MATHS}&per_page=100")
    expected = {r["id"] for r in records if r["source"]["partner"] in ("bnf", "ign")
                and data.MATHS in {c["id"] for c in r["disciplines"]}}
    assert expected and {r["id"] for r in body["results"]} == expected


@pytest.mark.parametrize("group", FACETS)
def test_every_facet_value_round_trips(client: FlaskClient, group: str) -> None:
    """Passing a facet value's id back as the parameter of that name selects exactly its count."""
    facets = get(client, "/api/v1/resources?per_page=1")["facets"]
    assert set(facets) == set(FACETS)
    assert facets[group], group
    for value in facets[group]:
        assert set(value) == {"id", "label", "count", "selected"} and value["label"]
        filtered = get(client, "/api/v1/resources", query_string={group: value["id"], "per_page": 1})
        assert filtered["total"] == value["count"], (group, value)
        chosen = [v for v in filtered["facets"][group] if v["selected"]]
        assert [v["id"] for v in chosen] == [value["id"]]


def test_discipline_facet_counts_topics_under_their_discipline(
    client: FlaskClient, records: list[dict[str, Any]]
) -> None:
    facets = {v["id"]: v["count"] for v in get(client, "/api/v1/resources")["facets"]["discipline"]}
    direct = sum(1 for r in records if r["disciplines"][0]["id"] in (data.HISTGEO, data.HISTOIRE_CM2))
    assert facets[data.HISTGEO] == direct
    assert facets[data.HISTOIRE_CM2] == sum(
        1 for r in records if r["disciplines"][0]["id"] == data.HISTOIRE_CM2)


@pytest.mark.parametrize("query", ["", "q=dossier", "sort=title", "sort=date", "partner=ina"])
def test_cursor_walk_returns_every_record_once(
    client: FlaskClient, records: list[dict[str, Any]], query: str
) -> None:
    first = get(client, f"/api/v1/resources?per_page=7&{query}")
    seen = [r["id"] for r in first["results"]]
    cursor = first["next_cursor"]
    pages = 1
    while cursor:
        body = get(client, "/api/v1/resources", query_string={
            **{k: v for k, v in parse_qs(query).items()}, "per_page": 7, "cursor": cursor})
        assert body["page"] is None and body["links"]["prev"] is None
        seen += [r["id"] for r in body["results"]]
        if body["next_cursor"]:
            assert parse_qs(urlsplit(body["links"]["next"]).query)["cursor"] == [body["next_cursor"]]
        cursor = body["next_cursor"]
        pages += 1
        assert pages < 50
    assert len(seen) == len(set(seen)) == first["total"]
    if not query:
        assert set(seen) == {r["id"] for r in records}


def test_page_links_walk_forward_and_back(client: FlaskClient) -> None:
    first = get(client, "/api/v1/resources?per_page=10&partner=bnf")
    assert first["total"] == 13 and first["page"] == 1 and first["links"]["prev"] is None
    second = get(client, relative(first["links"]["next"]))
    assert second["page"] == 2 and len(second["results"]) == 3
    assert second["links"]["next"] is None
    back = get(client, relative(second["links"]["prev"]))
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 13


def test_title_sort_is_alphabetical(client: FlaskClient) -> None:
    titles = [r["title"] for r in get(client, "/api/v1/resources?sort=title&per_page=100")["results"]]
    folded = ["".join(c for c in unicodedata.normalize("NFKD", t.casefold()) if not unicodedata.combining(c))
              for t in titles]
    # Letters folded; numbers in numeric order ("n° 5" before "n° 18").
    natural = [[int(p) if p.isdigit() else p for p in re.split(r"(\d+)", t)] for t in folded]
    assert len(titles) == data.RECORD_COUNT and natural == sorted(natural)


def test_search_forgives(client: FlaskClient) -> None:
    """Partial matches with the link back, proposals, dates on results, date filters, periods."""
    partial = get(client, "/api/v1/resources", query_string={"q": "climat zzzyx"})
    assert partial["relaxed"] is True and partial["strict_total"] == 0 and partial["total"] > 0
    strict = get(client, "/api/v1/resources", query_string={"q": "climat zzzyx", "match": "all"})
    assert strict["total"] == 0 and strict["relaxed"] is False
    svt = get(client, "/api/v1/resources", query_string={"q": "SVT"})
    first = svt["proposals"][0]
    assert (first["group"], first["id"]) == ("discipline", data.SVT) and "(" not in first["label"]
    # The records are about 1789-1799 (temporal coverage, which dates them for search) and
    # were made in 1800 + n (the date their card shows).
    dated = get(client, "/api/v1/resources",
                query_string={"date_from": 1790, "date_to": 1795, "per_page": 100})
    assert dated["total"] == data.RECORD_COUNT
    assert all(1800 <= int(r["date"]) < 1900 for r in dated["results"])
    assert get(client, "/api/v1/resources", query_string={"date_from": 1900})["total"] == 0
    assert get(client, "/api/v1/resources", query_string={"date_to": 1788})["total"] == 0
    period = dated["facets"]["period"]
    assert [p["id"] for p in period] == ["18"] and period[0]["label"] == "XVIIIe siècle"
    assert get(client, "/api/v1/resources", query_string={"period": "18"})["total"] == \
        data.RECORD_COUNT
    assert get(client, "/api/v1/resources", query_string={"period": "19"})["total"] == 0
    problem(client, "/api/v1/resources?date_from=1900&date_to=1800")
    problem(client, "/api/v1/resources?period=XIX")
    problem(client, "/api/v1/resources?date_from=mil")


def test_grouped_results(client: FlaskClient) -> None:
    grouped = get(client, "/api/v1/resources", query_string={"q": "climat", "group": "true",
                                                           "per_page": 100})
    plain = get(client, "/api/v1/resources", query_string={"q": "climat", "per_page": 100})
    assert sum(r["group_size"] for r in grouped["results"]) == plain["total"]
    assert len({r["title"] for r in grouped["results"]}) == len(grouped["results"])


def problem(client: FlaskClient, url: str, status: int = 400) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["type"].startswith(data.BASE_URL + "/")
    return body


@pytest.mark.parametrize(("url", "name"), [
    ("/api/v1/resources?colour=blue", "colour"),
    ("/api/v1/resources?level=CM2", "level"),
    ("/api/v1/resources?level=scolomfr-voc-015-num-919", "level"),
    ("/api/v1/resources?level=scolomfr-voc-022-num-99999", "level"),
    ("/api/v1/resources?discipline=maths", "discipline"),
    ("/api/v1/resources?language=fra", "language"),
    ("/api/v1/resources?partner=BnF!", "partner"),
    ("/api/v1/resources?sort=popularity", "sort"),
    ("/api/v1/resources?page=0", "page"),
    ("/api/v1/resources?page=abc", "page"),
    ("/api/v1/resources?page=1&page=2", "page"),
    ("/api/v1/resources?per_page=101", "per_page"),
    ("/api/v1/resources?q=" + "a" * 501, "q"),
    ("/api/v1/resources?cursor=not-a-cursor", "cursor"),
    ("/api/v1/resources?cursor=abc&page=2", "page"),
])
def test_bad_parameters_are_named(client: FlaskClient, url: str, name: str) -> None:
    body = problem(client, url)
    assert name in [p["name"] for p in body["invalid_params"]], body
    assert name in body["detail"]


def test_deep_paging_points_to_the_cursor(client: FlaskClient) -> None:
    body = problem(client, "/api/v1/resources?page=101&per_page=100")
    assert body["invalid_params"][0]["name"] == "page"
    assert "cursor" in body["detail"]
    assert get(client, "/api/v1/resources?page=100&per_page=100")["results"] == []


def test_cursor_from_another_query_is_refused(client: FlaskClient) -> None:
    cursor = get(client, "/api/v1/resources?per_page=5")["next_cursor"]
    assert cursor
    body = problem(client, f"/api/v1/resources?per_page=5&partner=ina&cursor={cursor}")
    assert body["invalid_params"][0]["name"] == "cursor"


@pytest.mark.parametrize(("name", "value", "hint"), [
    ("partner", "nasa", "/api/v1/sources"),
    ("licence", "wtfpl", "licence facet"),
    ("type", "http://purl.org/dc/dcmitype/Spaceship", "type facet"),
    ("language", "zz", "ISO 639-1"),
])
def test_unknown_filter_values_are_400_with_a_hint(client: FlaskClient, name: str, value: str,
                                                   hint: str) -> None:
    """Like an unknown level: a typo is told, not answered with 0 results."""
    body = problem(client, f"/api/v1/resources?{name}={value}")
    assert [p["name"] for p in body["invalid_params"]] == [name]
    assert f"unknown {name}" in body["detail"] and hint in body["detail"]


@pytest.mark.parametrize(("name", "value"), [
    ("partner", "meteofrance"),  # a founding partner (known) with no record here
    ("licence", "cc-by-nc-4.0"),  # in the licence table, no record has it
    ("type", "http://purl.org/dc/dcmitype/Software"),
    ("language", "de"),
])
def test_known_filter_values_without_records_are_200_with_0(client: FlaskClient, name: str,
                                                            value: str) -> None:
    body = get(client, f"/api/v1/resources?{name}={value}")
    assert body["total"] == 0
    selected = [f for f in body["facets"][name] if f["selected"]]
    assert [f["id"] for f in selected] == [value]


def test_every_facet_value_is_a_known_filter(client: FlaskClient) -> None:
    """Each value the facets offer can be passed back (also values of older mappings)."""
    facets = get(client, "/api/v1/resources?per_page=1")["facets"]
    for name in ("partner", "licence", "type", "language"):
        assert facets[name], name
        for value in facets[name]:
            body = get(client, "/api/v1/resources", query_string={name: value["id"], "per_page": 1})
            assert body["total"] == value["count"], (name, value)


def test_page_1_with_a_cursor_and_the_page_bound(client: FlaskClient) -> None:
    first = get(client, "/api/v1/resources?per_page=5")
    cursor = first["next_cursor"]
    plain = get(client, f"/api/v1/resources?per_page=5&cursor={cursor}")
    with_page = get(client, f"/api/v1/resources?per_page=5&cursor={cursor}&page=1")
    assert [r["id"] for r in with_page["results"]] == [r["id"] for r in plain["results"]]
    assert {r["id"] for r in plain["results"]}.isdisjoint(r["id"] for r in first["results"])
    # page × per_page ≤ 10,000 for every page the schema allows, at any per_page.
    assert get(client, "/api/v1/resources?page=100&per_page=100")["page"] == 100
    problem(client, "/api/v1/resources?page=101&per_page=1")


def test_openapi_page_bound_matches_the_window(client: FlaskClient) -> None:
    spec = get(client, "/api/v1/openapi.json")
    params = {p["name"]: p for p in spec["paths"]["/api/v1/resources"]["get"]["parameters"]}
    assert params["page"]["schema"]["maximum"] * params["per_page"]["schema"]["maximum"] <= 10_000
