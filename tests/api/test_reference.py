"""Vocabulary trees with counts, partners and sources, suggestions."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from schemas.vocabularies import load_vocabulary
from tests.api import data


def walk(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for node in nodes:
        out.setdefault(node["id"], node)
        out.update({k: v for k, v in walk(node["children"]).items() if k not in out})
    return out


def with_level(records: list[dict[str, Any]], *ids: str) -> int:
    return sum(1 for r in records if set(ids) & {c["id"] for c in r["levels"]})


def test_level_tree_counts_classes_and_stages(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    body = client.get("/api/v1/vocabularies/levels").get_json()
    assert body["id"] == "level"
    assert body["scheme"] == "http://data.education.fr/voc/scolomfr/scolomfr-voc-022"
    nodes = walk(body["concepts"])
    assert nodes[data.CM2]["count"] == with_level(records, data.CM2) > 0
    assert nodes[data.CM2]["label"] == "CM2"
    assert nodes[data.CM2]["uri"] == f"http://data.education.fr/voc/scolomfr/concept/{data.CM2}"
    elementaire = load_vocabulary().match_level("école élémentaire")
    assert elementaire is not None
    top = {n["id"]: n for n in body["concepts"]}
    assert top[elementaire.id]["count"] == with_level(records, data.CM1, data.CM2)
    assert data.CM2 in {c["id"] for c in top[elementaire.id]["children"]}
    cycle3 = top[data.CYCLE3]
    assert {c["id"] for c in cycle3["children"]} >= {data.CM1, data.CM2, data.SIXIEME}
    assert cycle3["count"] == with_level(records, data.CM1, data.CM2, data.SIXIEME)
    # Every id in the tree filters the search to its count.
    search = client.get(f"/api/v1/resources?level={data.CYCLE3}&per_page=1").get_json()
    assert search["total"] == cycle3["count"]


def test_discipline_tree_lists_topics_under_their_discipline(
    client: FlaskClient, records: list[dict[str, Any]]
) -> None:
    body = client.get("/api/v1/vocabularies/disciplines").get_json()
    top = {n["id"]: n for n in body["concepts"]}
    assert len(top) == len(load_vocabulary().disciplines()) == 17
    histgeo = top[data.HISTGEO]
    topics = {c["id"]: c for c in histgeo["children"]}
    topic_count = sum(1 for r in records if r["disciplines"][0]["id"] == data.HISTOIRE_CM2)
    assert topics[data.HISTOIRE_CM2]["count"] == topic_count > 0
    assert histgeo["count"] == topic_count + sum(
        1 for r in records if r["disciplines"][0]["id"] == data.HISTGEO)
    assert top[data.MATHS]["children"] == []
    unused = [n for n in body["concepts"] if n["count"] == 0]
    assert unused  # the tree lists every discipline, used or not


def test_sources_give_counts_and_last_harvest(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    body = client.get("/api/v1/sources").get_json()
    assert body["records"] == len(records)
    partners = {p["id"]: p for p in body["partners"]}
    assert set(partners) == set(data.SOURCES)
    for partner_id, partner in partners.items():
        expected = sum(1 for r in records if r["source"]["partner"] == partner_id)
        assert partner["name"] == data.SOURCES[partner_id][1] and partner["records"] == expected
        (source,) = partner["sources"]
        assert source["id"] == data.SOURCES[partner_id][0] and source["records"] == expected
        assert source["protocol"] == data.SOURCES[partner_id][3]
        assert source["last_harvest"]["status"] == "done"
        assert source["last_harvest"]["finished_at"].endswith("Z")
        assert source["last_success_at"] == source["last_harvest"]["finished_at"]


def test_suggest(client: FlaskClient) -> None:
    body = client.get("/api/v1/suggest?q=volc&limit=5").get_json()
    assert body["q"] == "volc"
    assert 0 < len(body["suggestions"]) <= 5
    assert any(s["text"].lower().startswith("volcan") for s in body["suggestions"])
    levels = client.get("/api/v1/suggest?q=CM").get_json()["suggestions"]
    cm2 = [s for s in levels if s["kind"] == "level" and s["id"] == data.CM2]
    assert cm2 and cm2[0]["text"] == "CM2"


def test_suggest_needs_q(client: FlaskClient) -> None:
    for url in ("/api/v1/suggest", "/api/v1/suggest?q=", "/api/v1/suggest?q=vol&limit=50"):
        response = client.get(url)
        assert response.status_code == 400
        names = [p["name"] for p in response.get_json()["invalid_params"]]
        assert names == (["limit"] if "limit" in url else ["q"])


def test_parameters_are_refused_where_none_exist(client: FlaskClient) -> None:
    for url in ("/api/v1/sources?x=1", "/api/v1/vocabularies/levels?depth=2", "/api/v1/dumps?all"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.get_json()["invalid_params"][0]["name"] in {"x", "depth", "all"}
