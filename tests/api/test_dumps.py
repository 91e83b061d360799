"""Bulk dumps: exactly the live records, written atomically, listed and served by the API."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue import dumps
from catalogue.dumps import CSV_COLUMNS, CSV_NAME, JSONL_NAME, MANIFEST_NAME, read_manifest, write_dumps
from catalogue.store import Store
from tests.api import data


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def live(store: Store) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in store.iter_live_records()}


def test_dump_after_changes_holds_exactly_the_live_records(store: Store, tmp_path: Path) -> None:
    records = [data.make_record(n) for n in range(8)]
    data.fill(store, records)
    out = tmp_path / "dumps"
    first = write_dumps(store, out)
    assert first["records"] == 8
    # Changes: one updated, one withdrawn, one added.
    data.fill(store, [data.make_record(2, title="Titre revu"), data.make_record(20)])
    data.delete(store, records[5])
    manifest = write_dumps(store, out)
    expected = live(store)
    assert len(expected) == 8 and records[5]["id"] not in expected
    dumped = jsonl_records(out / JSONL_NAME)
    assert [r["id"] for r in dumped] == sorted(expected)  # each once, in id order
    stamps = {s.id: (s.datestamp, s.seq) for s in store.iter_records()}
    for line in dumped:  # the catalogue's change datestamp, apart from the shared record
        moment, seq = stamps[line["id"]]
        assert line["catalogue"] == {"modified": moment.isoformat(timespec="seconds") + "Z",
                                         "change": f"c{seq}"}
    assert {r["id"]: r for r in dumped} == expected
    assert {r["id"]: r for r in dumped}[records[2]["id"]]["title"][0]["value"] == "Titre revu"
    rows = csv_rows(out / CSV_NAME)
    assert [row["id"] for row in rows] == sorted(expected)
    assert manifest["records"] == 8 and manifest["seq"] == store.max_seq()
    assert [f["name"] for f in manifest["files"]] == [JSONL_NAME, CSV_NAME]
    for entry in manifest["files"]:
        assert entry["size"] == (out / entry["name"]).stat().st_size and entry["records"] == 8
    assert read_manifest(out) == manifest
    assert sorted(p.name for p in out.iterdir()) == sorted([JSONL_NAME, CSV_NAME, MANIFEST_NAME,
                                                            dumps.ARCHIVE_DIR])


def test_csv_columns_are_flat_and_formulas_are_defused(store: Store, tmp_path: Path) -> None:
    record = data.make_record(3, title="=HYPERLINK(\"http://evil.example\")")
    data.fill(store, [record])
    write_dumps(store, tmp_path)
    (row,) = csv_rows(tmp_path / CSV_NAME)
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["id"] == record["id"] and row["partner"] == "bnf" and row["source_id"] == "bnf-gallica"
    assert row["level_ids"] == " | ".join(c["id"] for c in record["levels"])
    assert row["levels"] == " | ".join(c["label"] for c in record["levels"])
    assert row["discipline_ids"] == record["disciplines"][0]["id"]
    assert row["type_ids"] == record["resource_types"][0]["id"]
    assert row["licence"] == record["licence"]["code"] and row["languages"] == "fr"
    assert row["created"] == "1803" and row["url"] == record["url"]
    assert row["catalogue_modified"].endswith("Z") and row["catalogue_change"].startswith("c")


def test_unchanged_store_keeps_the_dumps_and_force_rewrites(store: Store, tmp_path: Path) -> None:
    data.fill(store, [data.make_record(n) for n in range(3)])
    first = write_dumps(store, tmp_path)
    stamp = (tmp_path / JSONL_NAME).stat().st_mtime_ns
    assert write_dumps(store, tmp_path) == first
    assert (tmp_path / JSONL_NAME).stat().st_mtime_ns == stamp
    (tmp_path / CSV_NAME).unlink()
    write_dumps(store, tmp_path)
    assert (tmp_path / CSV_NAME).is_file()
    assert write_dumps(store, tmp_path, force=True)["records"] == 3


def test_a_failed_write_leaves_the_previous_dumps_whole(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dumps"
    data.fill(store, [data.make_record(n) for n in range(4)])
    write_dumps(store, out)
    before = {name: (out / name).read_bytes() for name in (JSONL_NAME, CSV_NAME, MANIFEST_NAME)}
    data.fill(store, [data.make_record(10)])
    calls = {"n": 0}
    real = dumps.csv_row

    def failing(record: dict[str, Any], datestamp: str, change: str = "") -> list[str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(record, datestamp, change)

    monkeypatch.setattr(dumps, "csv_row", failing)
    with pytest.raises(OSError):
        write_dumps(store, out)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*before, dumps.ARCHIVE_DIR])  # no temp file
    assert not [p for p in (out / dumps.ARCHIVE_DIR).iterdir() if p.name.startswith(".")]
    assert len(jsonl_records(out / JSONL_NAME)) == 4


def test_api_lists_and_serves_the_dumps(client: FlaskClient, records: list[dict[str, Any]]) -> None:
    listing = client.get("/api/v1/dumps").get_json()
    assert listing["records"] == len(records)
    assert [f["name"] for f in listing["files"]] == [JSONL_NAME, CSV_NAME]
    for entry in listing["files"]:
        response = client.get(entry["url"].replace("http://localhost", ""))
        assert response.status_code == 200 and response.mimetype == "application/gzip"
        assert len(response.data) == entry["size"] and entry["generated_at"].endswith("Z")
        assert f"filename={entry['name']}" in response.headers["Content-Disposition"]
        again = client.get(entry["url"], headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        partial = client.get(entry["url"], headers={"Range": "bytes=0-9"})
        assert partial.status_code == 206 and partial.data == response.data[:10]
    body = client.get(f"/api/v1/dumps/{JSONL_NAME}").data
    lines = gzip.decompress(body).decode().splitlines()
    assert {json.loads(line)["id"] for line in lines} == {r["id"] for r in records}
    table = list(csv.DictReader(io.StringIO(gzip.decompress(client.get(f"/api/v1/dumps/{CSV_NAME}").data)
                                            .decode(), newline="")))
    assert len(table) == len(records)
    # Each file's SHA-256 is that of the bytes served; the dated copies are listed and served.
    for entry in listing["files"]:
        served = client.get(entry["url"]).data
        assert entry["sha256"] == hashlib.sha256(served).hexdigest()
    (generation,) = listing["archive"]
    assert generation["change"] == listing["change"] and generation["records"] == len(records)
    for entry, current in zip(generation["files"], listing["files"], strict=True):
        assert entry["url"].endswith(f"/api/v1/dumps/archive/{entry['name']}")
        served = client.get(entry["url"])
        assert served.status_code == 200 and served.mimetype == current["media_type"]
        assert hashlib.sha256(served.data).hexdigest() == entry["sha256"] == current["sha256"]
    for bad in ("resources-20000101T000000Z.jsonl.gz", "..%2Fdumps.json", "dumps.json",
                "resources.jsonl.gz"):
        response = client.get(f"/api/v1/dumps/archive/{bad}")
        assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_dated_dumps_keep_the_last_n_with_checksums(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    moments = iter(datetime(2026, 12, day, 8, 0, 0) for day in range(1, 10))

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # noqa: ANN401 - datetime's own signature
            return next(moments).replace(tzinfo=tz)

    monkeypatch.setattr(dumps, "datetime", Clock)
    out = tmp_path / "dumps"
    generations = []
    for n in range(5):
        data.fill(store, [data.make_record(n)])
        generations.append(write_dumps(store, out, keep=3))
    manifest = read_manifest(out)
    assert manifest == generations[-1]
    archive = manifest["archive"]
    assert [g["generated_at"] for g in archive] == [
        "2026-12-05T08:00:00Z", "2026-12-04T08:00:00Z", "2026-12-03T08:00:00Z"]
    assert [g["records"] for g in archive] == [5, 4, 3]
    names = {f["name"] for g in archive for f in g["files"]}
    assert names == {p.name for p in (out / dumps.ARCHIVE_DIR).iterdir()}  # older ones deleted
    assert "resources-20261205T080000Z.jsonl.gz" in names
    for generation in archive:
        for entry in generation["files"]:
            path = out / dumps.ARCHIVE_DIR / entry["name"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
            assert path.stat().st_size == entry["size"]
        with gzip.open(out / dumps.ARCHIVE_DIR / generation["files"][0]["name"], "rt") as fh:
            assert sum(1 for _ in fh) == generation["records"]
        assert [f["name"].split("-")[0] for f in generation["files"]] == [
            "resources", "resources", "changes"]
    # The current files are the newest generation.
    for current, dated in zip(manifest["files"], archive[0]["files"][:2], strict=True):
        assert current["sha256"] == dated["sha256"]
        assert hashlib.sha256((out / current["name"]).read_bytes()).hexdigest() == current["sha256"]


def test_dumps_not_generated_yet_are_404_problems(small: tuple[Flask, Store, Any]) -> None:
    client = small[0].test_client()
    assert client.get("/api/v1/dumps").get_json() == {"generated_at": None, "records": None,
                                                    "change": None, "files": [], "archive": []}
    for name in (JSONL_NAME, CSV_NAME):
        response = client.get(f"/api/v1/dumps/{name}")
        assert response.status_code == 404 and response.content_type == "application/problem+json"
        assert "not been generated" in response.get_json()["detail"]


def test_previous_full_dump_plus_increment_is_the_new_full_dump(store: Store, tmp_path: Path) -> None:
    """The incremental dump of a generation holds exactly what changed since the previous one:
    applied to the previous full dump, it gives the new full dump."""
    records = [data.make_record(n) for n in range(6)]
    data.fill(store, records)
    out = tmp_path / "dumps"
    first = write_dumps(store, out, force=True)
    assert [f["name"].split("-")[0] for f in first["archive"][0]["files"]] == ["resources", "resources"]
    old = {r["id"]: r for r in jsonl_records(out / JSONL_NAME)}
    data.fill(store, [data.make_record(1, title="Titre revu"), data.make_record(40)])
    data.delete(store, records[3])
    second = write_dumps(store, out, force=True)
    increment = second["archive"][0]["files"][2]
    assert increment["since"] == first["change"] and increment["records"] == 3
    path = out / dumps.ARCHIVE_DIR / increment["name"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == increment["sha256"]
    lines = jsonl_records(path)
    assert sorted((line["id"], line["action"]) for line in lines) == sorted([
        (records[1]["id"], "updated"), (data.make_record(40)["id"], "created"),
        (records[3]["id"], "deleted")])
    for line in lines:
        if line["action"] == "deleted":
            assert line["record"] is None
            old.pop(line["id"])
        else:
            assert line["record"]["catalogue"]["change"] == line["change"]
            old[line["id"]] = line["record"]
    assert old == {r["id"]: r for r in jsonl_records(out / JSONL_NAME)}
