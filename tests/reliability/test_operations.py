"""Operations as docs/operations.md describes them: /healthz, JSON logs with request ids, exit
codes, request limits of the production server, one harvest per source at a time."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from flask import Flask

from catalogue.config import Settings
from catalogue.simulator import Simulator
from tests.reliability.support import Served, catalogue, child_env, store_of
from web.app import create_app


@pytest.fixture
def own_catalogue(demo_catalogue: Settings, tmp_path: Path) -> Settings:
    """A private copy of the demo catalogue, for tests that damage it."""
    data = tmp_path / "var"
    shutil.copytree(demo_catalogue.data_dir, data)
    return dataclasses.replace(demo_catalogue, data_dir=data,
                               database_url=f"sqlite:///{data / 'catalogue.db'}")


def health(app: Flask) -> tuple[int, dict[str, object]]:
    """Status and body, without the disk figures (checked here; asserted in test_degraded_disk)
    and the store's read mode (present when the store answers)."""
    response = app.test_client().get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body.pop("disk")["status"] in ("ok", "low")
    if body["checks"]["store"] == "ok":
        assert body.pop("store_mode") in ("read-only", "read-only snapshot")
    return response.status_code, body


def test_healthz_names_what_is_unreachable(own_catalogue: Settings) -> None:
    app = create_app(own_catalogue)
    assert health(app) == (200, {"status": "ok", "checks": {"store": "ok", "index": "ok"}})
    shutil.rmtree(own_catalogue.data_dir / "index")
    status, body = health(app)  # the running worker
    assert status == 503 and body["checks"] == {"store": "ok", "index": "unreachable"}
    fresh = create_app(own_catalogue)  # a worker started after the loss
    status, body = health(fresh)
    assert status == 503 and body["checks"] == {"store": "ok", "index": "empty"}
    env = child_env({}, CATALOGUE_DATA_DIR=str(own_catalogue.data_dir))
    env.pop("CATALOGUE_DATABASE_URL", None)
    assert catalogue(env, "check", "--repair").returncode == 0
    assert health(app)[0] == 200 and health(fresh)[0] == 200  # no restart needed after repair


def test_healthz_is_503_when_the_store_is_unreachable(own_catalogue: Settings) -> None:
    down = dataclasses.replace(own_catalogue, database_url="postgresql://catalogue:x@127.0.0.1:1/catalogue")
    status, body = health(create_app(down))
    assert status == 503 and body == {"status": "unavailable",
                                      "checks": {"store": "unreachable", "index": "ok"}}
    gone = dataclasses.replace(own_catalogue,
                               database_url=f"sqlite:///{own_catalogue.data_dir / 'catalogue.db' / 'x.db'}")
    status, body = health(create_app(gone))
    assert status == 503 and body["checks"]["store"] == "unreachable"  # type: ignore[index]


@pytest.mark.slow
def test_served_app_logs_json_lines_with_the_request_id_and_enforces_limits(
    own_catalogue: Settings, tmp_path: Path
) -> None:
    env = child_env({}, CATALOGUE_DATA_DIR=str(own_catalogue.data_dir))
    env.pop("CATALOGUE_DATABASE_URL", None)
    with Served(env, tmp_path / "serve.log") as served:
        base = served.base_url
        given = requests.get(f"{base}/api/v1/resources?q=carte", headers={"X-Request-Id": "rel-test-42"},
                             timeout=10)
        assert given.status_code == 200 and given.headers["X-Request-Id"] == "rel-test-42"
        generated = requests.get(f"{base}/partenaires", timeout=10)
        made_up = generated.headers["X-Request-Id"]
        assert len(made_up) == 32
        hostile = requests.get(f"{base}/", headers={"X-Request-Id": "x" * 500}, timeout=10)
        assert hostile.headers["X-Request-Id"] != "x" * 500 and len(hostile.headers["X-Request-Id"]) == 32
        # Limits of the production server: a 100 KB URL, a body over the limit, huge headers.
        long_url = requests.get(f"{base}/?q={'a' * 100_000}", timeout=10)
        assert long_url.status_code == 414
        big_post = requests.post(f"{base}/oai", data={"verb": "Identify", "x": "y" * 200_000}, timeout=10)
        assert big_post.status_code == 413
        big_header = requests.get(f"{base}/", headers={"X-Big": "z" * 20_000}, timeout=10)
        assert big_header.status_code in (400, 431)
        time.sleep(0.5)  # let the workers flush their log lines
        lines = served.log_lines()
    by_id = {line.get("request_id"): line for line in lines if "status" in line}
    assert by_id["rel-test-42"]["path"] == "/api/v1/resources"
    assert by_id["rel-test-42"]["status"] == 200 and by_id["rel-test-42"]["method"] == "GET"
    assert isinstance(by_id["rel-test-42"]["duration_ms"], float)
    assert by_id[made_up]["path"] == "/partenaires"
    assert by_id[hostile.headers["X-Request-Id"]]["path"] == "/"
    assert all(line.get("level") and line.get("time") for line in lines)


@pytest.mark.slow
def test_exit_codes_are_the_documented_ones(cli_env: dict[str, str], simulator: Simulator) -> None:
    ok = catalogue(cli_env, "harvest", "ina-jalons")
    assert ok.returncode == 0, ok.stderr
    simulator.faults.add("/ign/csw", "down", times=None)
    down = catalogue(cli_env, "harvest", "ign-geoplateforme", "ina-jalons")
    assert down.returncode == 3, down.stdout + down.stderr
    assert "ign-geoplateforme: failed" in down.stdout and "ina-jalons: done" in down.stdout
    simulator.faults.clear()
    unknown = catalogue(cli_env, "harvest", "no-such-source")
    assert unknown.returncode == 1 and "unknown source" in unknown.stderr
    usage = catalogue(cli_env, "harvest", "--no-such-option")
    assert usage.returncode == 2
    assert catalogue(cli_env, "check").returncode == 0
    (Path(cli_env["CATALOGUE_DATA_DIR"]) / "dumps" / "dumps.json").unlink()
    problems = catalogue(cli_env, "check")
    assert problems.returncode == 4 and "PROBLEM:" in problems.stdout


@pytest.mark.slow
def test_a_second_harvest_of_a_running_source_fails_that_source_only(
    cli_env: dict[str, str], simulator: Simulator
) -> None:
    # The first harvest is held at its first page until the second one has finished: ordered by
    # an event, not by how fast a loaded machine starts a process (the hold stays under the
    # client's 60 s read timeout).
    release = threading.Event()
    simulator.faults.add("/ina/jalons", "slow", times=1, seconds=50.0, until=release)
    first = subprocess.Popen([sys.executable, "-m", "catalogue", "harvest", "ina-jalons"], env=cli_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = store_of(cli_env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if store.running_run("ina-jalons") is not None:
                break
        except Exception:  # noqa: BLE001  (the store may not exist yet)
            pass
        time.sleep(0.05)
    try:
        second = catalogue(cli_env, "harvest", "ina-jalons", "ign-geoplateforme")
    finally:
        release.set()
    out, err = first.communicate(timeout=120)
    store.close()
    assert second.returncode == 3, second.stdout + second.stderr
    assert "ina-jalons: failed" in second.stdout
    assert "another harvest of this source is running" in second.stdout
    assert "ign-geoplateforme: done" in second.stdout
    assert first.returncode == 0 and "ina-jalons: done" in out, out + err
