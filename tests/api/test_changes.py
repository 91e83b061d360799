"""The changes feed: a re-user following only ``/api/v1/changes`` (and GET of records) over real
HTTP keeps an exact copy of the catalogue, across pages, creations, updates and deletions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from catalogue.config import Settings
from catalogue.listing import parse_change_token
from catalogue.store import Store
from tests.api import data
from tests.webapp import running_app
from web.api.schemas import ChangesResponseSchema, RecordOutSchema

PAGE = 2  # small pages, so that every sync crosses several of them


@pytest.fixture
def served(tmp_path: Path, store_url: str) -> Iterator[tuple[str, Store]]:
    """Five records in a store the test changes (SQLite, and PostgreSQL when configured),
    served on 127.0.0.1: (API base URL, store).

    The app's base URL is where it listens, so the links it gives can be followed."""
    apps: list[Any] = []
    server = make_server("127.0.0.1", 0, lambda env, start: apps[0](env, start), threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    settings = Settings(data_dir=tmp_path, database_url=store_url,
                        search_url=None, sources_path=tmp_path / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=origin)
    store = Store(settings.database_url)
    store.upgrade()
    data.fill(store, [data.make_record(n) for n in range(5)])
    with running_app(settings) as app:
        apps.append(app)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"{origin}/api/v1", store
        finally:
            server.shutdown()
            thread.join(timeout=10)
    store.close()


class Mirror:
    """What a re-user's program does: follow the feed, fetch what changed, drop what went."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.records: dict[str, dict[str, Any]] = {}
        self.position: str | None = None
        self.pages = 0

    def sync(self, between_pages: Callable[[int], None] | None = None) -> None:
        url: str | None = f"{self.base}/changes"
        params: dict[str, Any] | None = {"limit": PAGE, **({"since": self.position} if self.position else {})}
        while url:
            answer = requests.get(url, params=params, timeout=30)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert not ChangesResponseSchema().validate(body)
            for change in body["changes"]:
                if change["action"] == "deleted":
                    gone = requests.get(change["_links"]["self"], timeout=30)
                    assert gone.status_code == 410
                    self.records.pop(change["id"], None)
                    continue
                got = requests.get(change["_links"]["self"], timeout=30)
                assert got.status_code == 200, got.text
                record = got.json()
                assert not RecordOutSchema().validate(record)
                self.records[change["id"]] = record
            self.position = body["next"]
            self.pages += 1
            if between_pages is not None:
                between_pages(self.pages)
            url, params = body["links"]["next"], None
            assert (url is not None) == body["more"]


def live(store: Store) -> dict[str, dict[str, Any]]:
    return {s.id: dict(s.data or {}) for s in store.iter_records()}


def assert_same(mirror: Mirror, store: Store) -> None:
    expected = live(store)
    assert mirror.records.keys() == expected.keys()
    for rid, record in mirror.records.items():
        stored = store.get(rid)
        assert stored is not None
        body = {k: v for k, v in record.items() if k not in ("_links", "catalogue")}
        assert body == expected[rid]
        assert record["catalogue"]["modified"] == stored.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert parse_change_token(record["catalogue"]["change"]) == stored.seq


def _retitle(store: Store, rid: str, title: str) -> None:
    stored = store.get(rid)
    assert stored is not None and stored.data is not None
    record = {**stored.data, "title": [{"value": title, "lang": "fr"}]}
    assert store.update_record(rid, record, {})


def test_a_mirror_following_the_feed_ends_with_the_live_records(served: tuple[str, Store]) -> None:
    base, store = served
    mirror = Mirror(base)
    mirror.sync()
    assert_same(mirror, store)
    assert mirror.pages >= 3  # five records in pages of two

    ids = sorted(live(store))
    new = [data.make_record(n) for n in range(20, 25)]
    data.fill(store, new)  # created (three partners, three runs)
    _retitle(store, ids[0], "Titre corrigé par le partenaire")
    _retitle(store, new[0]["id"], "Une nouvelle devenue autre")  # created then updated
    data.delete(store, store.get(ids[1]).data)  # type: ignore[union-attr, arg-type]
    data.delete(store, new[1])  # created then deleted before the mirror saw it
    mirror.sync()
    assert_same(mirror, store)
    assert ids[1] not in mirror.records and new[1]["id"] not in mirror.records

    # A record revived by its partner comes back.
    data.fill(store, [data.make_record(int(new[1]["source"]["identifier"][-3:]))])
    mirror.sync()
    assert_same(mirror, store)
    assert new[1]["id"] in mirror.records


def test_changes_during_the_walk_are_not_lost(served: tuple[str, Store]) -> None:
    """A record changed after the page that listed it comes again later in the same walk."""
    base, store = served
    mirror = Mirror(base)
    ids = [s.id for s in store.iter_records()]  # change order: the first page lists ids[0:2]

    def meanwhile(page: int) -> None:
        if page == 1:
            _retitle(store, ids[0], "Modifiée pendant la synchronisation")
            data.delete(store, store.get(ids[1]).data)  # type: ignore[union-attr, arg-type]

    mirror.sync(between_pages=meanwhile)
    assert_same(mirror, store)
    assert mirror.records[ids[0]]["title"][0]["value"] == "Modifiée pendant la synchronisation"


def test_nothing_new_keeps_the_position(served: tuple[str, Store]) -> None:
    base, store = served
    first = requests.get(f"{base}/changes", timeout=30).json()
    assert [c["action"] for c in first["changes"]] == ["created"] * 5
    again = requests.get(f"{base}/changes", params={"since": first["next"]}, timeout=30).json()
    assert again["changes"] == [] and again["next"] == first["next"] and not again["more"]
    _retitle(store, first["changes"][2]["id"], "Encore")
    after = requests.get(f"{base}/changes", params={"since": first["next"]}, timeout=30).json()
    assert [(c["id"], c["action"]) for c in after["changes"]] == [(first["changes"][2]["id"], "updated")]


def test_since_a_datestamp(served: tuple[str, Store]) -> None:
    base, store = served
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    everything = requests.get(f"{base}/changes", params={"since": today}, timeout=30).json()
    assert len(everything["changes"]) == 5
    future = requests.get(f"{base}/changes", params={"since": "2999-01-01T00:00:00Z"}, timeout=30).json()
    assert future["changes"] == [] and future["next"] == everything["next"]
    # From the next second on: only what changed since (datestamps have seconds granularity).
    stored = store.get(everything["changes"][-1]["id"])
    assert stored is not None
    _retitle(store, everything["changes"][0]["id"], "Plus tard")
    moved = store.get(everything["changes"][0]["id"])
    assert moved is not None
    since = moved.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = requests.get(f"{base}/changes", params={"since": since}, timeout=30).json()
    assert everything["changes"][0]["id"] in [c["id"] for c in later["changes"]]
    assert all(c["modified"] >= since for c in later["changes"])


@pytest.mark.parametrize("params", [
    {"since": "yesterday"}, {"since": "c"}, {"since": "c-1"}, {"since": "c99999999"},
    {"since": "2025-13-45"}, {"since": "2025-02-30T00:00:00Z"}, {"since": "2025-01-01T10:00:00"},
    {"since": "c1x"}, {"since": "c" + "9" * 30}, {"limit": "0"}, {"limit": "1001"},
    {"limit": "lots"}, {"cursor": "c1"}, {"since": ["c1", "c2"]},
])
def test_bad_positions_are_400_problems(served: tuple[str, Store], params: dict[str, Any]) -> None:
    base, _ = served
    answer = requests.get(f"{base}/changes", params=params, timeout=30)
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    body = answer.json()
    assert body["invalid_params"][0]["name"] in params


def test_the_dumps_say_where_to_follow_from(tmp_path: Path) -> None:
    """A dump's manifest names the change it was taken at; its JSON lines carry catalogue."""
    import gzip
    import json

    from catalogue.dumps import JSONL_NAME, write_dumps

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    store.upgrade()
    data.fill(store, [data.make_record(n) for n in range(3)])
    manifest = write_dumps(store, tmp_path / "dumps")
    assert parse_change_token(manifest["change"]) == store.max_seq()
    with gzip.open(tmp_path / "dumps" / JSONL_NAME, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    for line in lines:
        stored = store.get(line["id"])
        assert stored is not None
        assert line["catalogue"] == {"modified": stored.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     "change": f"c{stored.seq}"}
    store.close()


@pytest.fixture
def dated(tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """Six records changed on known instants (one a day from 2026-01-01 10:00:00.5), indexed;
    yields (test client, ids in change order)."""
    from datetime import timedelta

    from sqlalchemy import update

    from catalogue import tables as t
    from search import open_index
    from search.sync import sync

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalogue.db'}",
                        search_url=None, sources_path=tmp_path / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=data.BASE_URL)
    store = Store(settings.database_url)
    store.upgrade()
    data.fill(store, [data.make_record(n) for n in range(6)])
    ids = [s.id for s in store.iter_records()]
    with store.engine.begin() as conn:
        for day, rid in enumerate(ids):
            when = datetime(2026, 1, 1, 10, 0, 0, 500000) + timedelta(days=day)
            conn.execute(update(t.records).where(t.records.c.id == rid).values(datestamp=when))
    with open_index(None, tmp_path) as index:
        sync(index, store)
    with running_app(settings) as app:
        yield app.test_client(), ids
    store.close()


def test_resources_modified_since_and_until(dated: tuple[Any, list[str]]) -> None:
    client, ids = dated

    def found(**params: str) -> list[str]:
        body = client.get("/api/v1/resources", query_string={"per_page": "50", **params}).get_json()
        assert body is not None and "results" in body, body
        return sorted(r["id"] for r in body["results"])

    assert found() == sorted(ids)
    assert found(modified_since="2026-01-03") == sorted(ids[2:])
    # Seconds: from the start of the second (the stored instant has microseconds).
    assert found(modified_since="2026-01-03T10:00:00Z") == sorted(ids[2:])
    assert found(modified_since="2026-01-03T10:00:01Z") == sorted(ids[3:])
    # until: to the end of its day or second.
    assert found(until="2026-01-02") == sorted(ids[:2])
    assert found(until="2026-01-02T10:00:00Z") == sorted(ids[:2])
    assert found(until="2026-01-02T09:59:59Z") == sorted(ids[:1])
    assert found(modified_since="2026-01-02", until="2026-01-04") == sorted(ids[1:4])
    assert found(modified_since="2026-01-02", until="2026-01-04", q="dossier") == sorted(ids[1:4])
    body = client.get("/api/v1/resources", query_string={"modified_since": "2026-01-05"}).get_json()
    assert {r["id"]: r["modified"] for r in body["results"]} == {
        ids[4]: "2026-01-05T10:00:00Z", ids[5]: "2026-01-06T10:00:00Z"}


def test_resources_sort_modified_walks_newest_first(dated: tuple[Any, list[str]]) -> None:
    client, ids = dated
    seen: list[str] = []
    params: dict[str, str] = {"sort": "modified", "per_page": "4"}
    body = client.get("/api/v1/resources", query_string=params).get_json()
    seen += [r["id"] for r in body["results"]]
    assert body["next_cursor"]
    body = client.get("/api/v1/resources", query_string={**params, "cursor": body["next_cursor"]}).get_json()
    seen += [r["id"] for r in body["results"]]
    assert seen == list(reversed(ids))
    stamps = [r["modified"] for r in client.get(
        "/api/v1/resources", query_string={"sort": "modified", "per_page": "10"}).get_json()["results"]]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("params", [
    {"modified_since": "yesterday"}, {"modified_since": "2026-02-30"}, {"until": "2026-01-01T10:00"},
    {"modified_since": "2026-01-05", "until": "2026-01-04"}, {"sort": "changed"},
    {"until": "0000-01-01"},
])
def test_bad_modified_windows_are_400(dated: tuple[Any, list[str]], params: dict[str, str]) -> None:
    client, _ = dated
    response = client.get("/api/v1/resources", query_string=params)
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert response.get_json()["invalid_params"][0]["name"] in params


def test_a_dump_then_the_feed_gives_the_live_records(served: tuple[str, Store], tmp_path: Path) -> None:
    """The other way in: load the JSON Lines dump, then follow /changes from the dump's change."""
    import gzip
    import json

    from catalogue.dumps import JSONL_NAME, write_dumps

    base, store = served
    manifest = write_dumps(store, tmp_path / "dumps")
    with gzip.open(tmp_path / "dumps" / JSONL_NAME, "rt", encoding="utf-8") as fh:
        copy = {line["id"]: line for line in map(json.loads, fh)}
    ids = sorted(copy)
    data.fill(store, [data.make_record(30)])
    _retitle(store, ids[0], "Après le dump")
    data.delete(store, store.get(ids[1]).data)  # type: ignore[union-attr, arg-type]
    mirror = Mirror(base)
    mirror.records = copy
    mirror.position = manifest["change"]
    mirror.sync()
    assert_same(mirror, store)
    assert mirror.pages == 2  # only the three changes, in pages of two
