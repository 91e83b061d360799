"""Issue 16, point 7: the smaller holes, each with the behaviour that closes it.

- the first migration is one transaction: a process killed in the middle of the very first
  ``init`` leaves a store the next command finishes;
- a failed page commit counts nothing, and the report names the stage ``store``;
- a store outage is one line per source and exit code 5; ``check`` exits 4, ``report`` 5;
- through gunicorn: a chunked POST to ``/oai`` over the limit is 413; gunicorn's own 400/431
  pages carry the security headers; a damaged index (a real Tantivy panic) answers 503 with a
  problem document, ``/healthz`` 503, and the worker lives on;
- absolute URLs come from the configured base URL, whatever ``Host`` says.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from catalogue.config import Settings, Source
from catalogue.pipeline import Pipeline
from catalogue.store import Store
from tests.pipeline.conftest import fast_http
from tests.reliability.partners import Answer, Partner, oai_dc_record, oai_list, token_of
from tests.reliability.support import Served, catalogue, child_env
from web.app import SECURITY_HEADERS, create_app

KILL_AT_THIRD_CREATE = """
import os, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from catalogue.store import Store

created = 0

@event.listens_for(Engine, "before_cursor_execute")
def _die(conn, cursor, statement, *args):
    global created
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created += 1
        if created == 3:
            os._exit(9)  # as SIGKILL would: no cleanup, no rollback

Store(sys.argv[1]).upgrade()
"""


def test_a_first_init_killed_mid_creation_is_finished_by_the_next_command(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    url = f"sqlite:///{data / 'catalogue.db'}"
    killed = subprocess.run([sys.executable, "-c", KILL_AT_THIRD_CREATE, url],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert Store(url).revision() is None  # nothing of the interrupted creation was committed
    env = child_env({"CATALOGUE_DATA_DIR": str(data)})
    env.pop("CATALOGUE_DATABASE_URL", None)
    proc = catalogue(env, "init")
    assert proc.returncode == 0, proc.stderr
    store = Store(url)
    assert store.revision() == store.head_revision()
    assert store.sources() == [] and store.max_seq() == 0
    store.close()


def test_a_failed_page_commit_counts_nothing_and_is_reported_at_stage_store(tmp_path: Path) -> None:
    """Page 2 holds a record the database refuses (a trigger, standing for a full disk or a
    constraint): page 1 stays, page 2 counts nothing, the report says "store"."""
    def route(path: str) -> Answer:
        token = token_of(path)
        if token is None:
            return Answer(oai_list("".join(oai_dc_record(f"oai:ok:{i}") for i in range(4)), "p2"))
        return Answer(oai_list(oai_dc_record("oai:ok:9") + oai_dc_record("oai:refused:1")))

    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.identifier = 'oai:refused:1' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with Partner(route) as partner:
        source = Source(id="partner", name="Partenaire", partner="bnf", protocol="oai-pmh",
                        url=partner.url("/oai"), partner_name="BnF / Gallica")
        pipeline = Pipeline(store, fast_http)
        pipeline.register([source])
        result = pipeline.harvest(source)
    assert result.status == "failed"
    assert result.counts["added"] == 4  # page 1 only: page 2 never committed
    assert store.count_records("partner") == 4
    run = store.last_run("partner")
    assert run is not None and run.counts["added"] == 4
    failure = store.run_items(run.id, outcomes=("failed",))[-1]
    assert failure.stage == "store" and "database or disk is full" in (failure.message or "")
    from catalogue.reports import last_reports, render_report

    assert "[enregistrement]" in render_report(last_reports(store, "partner"))
    store.close()


def test_a_store_outage_is_one_line_per_source_with_its_exit_code(
    demo_catalogue: Settings, tmp_path: Path
) -> None:
    with socket.socket() as s:  # a port nothing listens on: the database server is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = child_env({"CATALOGUE_DATA_DIR": str(tmp_path / "var"),
                     "CATALOGUE_SOURCES": str(demo_catalogue.sources_path),
                     "CATALOGUE_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/down"})
    harvest = catalogue(env, "harvest")
    assert harvest.returncode == 5, harvest.stdout + harvest.stderr
    assert "Traceback" not in harvest.stderr
    lines = harvest.stdout.splitlines()
    assert len(lines) == 4 and all("the store is unavailable: OperationalError" in ln for ln in lines)
    check = catalogue(env, "check")
    assert check.returncode == 4 and "PROBLEM: the store is unavailable" in check.stdout
    report = catalogue(env, "report")
    assert report.returncode == 5 and "the store is unavailable" in report.stderr
    assert "Traceback" not in check.stderr + report.stderr


def test_absolute_urls_come_from_the_base_url_not_the_host_header(demo_catalogue: Settings) -> None:
    settings = dataclasses.replace(demo_catalogue, base_url="https://catalogue.example.fr")
    app = create_app(settings)
    client = app.test_client()
    for host in ("evil.example", "localhost:8000"):
        body = client.get("/api/v1/resources?per_page=1", headers={"Host": host}).get_json()
        first = body["results"][0]
        assert json.dumps(first["_links"]).count("https://catalogue.example.fr/") >= 1
        assert "evil.example" not in json.dumps(body)
        oai = client.get("/oai?verb=Identify", headers={"Host": host}).get_data(as_text=True)
        assert "<baseURL>https://catalogue.example.fr/oai</baseURL>" in oai and "evil" not in oai
    app.extensions["catalogue"].store.close()


# -- through gunicorn ----------------------------------------------------------------------------


@pytest.fixture
def served_copy(demo_catalogue: Settings, tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    """`catalogue serve` with one worker on a copy of the demo catalogue (to be damaged)."""
    shutil.copytree(demo_catalogue.data_dir, tmp_path / "var")
    env = child_env({"CATALOGUE_DATA_DIR": str(tmp_path / "var"),
                     "CATALOGUE_SOURCES": str(demo_catalogue.sources_path)})
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    with Served(env, tmp_path / "serve.log", workers=1) as served:
        yield served, tmp_path / "var"


def raw_request(port: int, data: bytes) -> tuple[int, dict[str, str]]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
    return status, headers


def chunked_post(port: int, body: bytes) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/oai", body=iter([body[i:i + 8192] for i in range(0, len(body), 8192)]),
                 headers={"Content-Type": "application/x-www-form-urlencoded"},
                 encode_chunked=True)
    return conn.getresponse()


@pytest.mark.slow
def test_served_limits_headers_and_a_damaged_index(served_copy: tuple[Served, Path]) -> None:
    served, data = served_copy
    # A chunked POST: within the limit it is read whole, over it is 413 (not cut and answered).
    small = chunked_post(served.port, b"verb=Identify")
    assert small.status == 200 and b"<Identify>" in small.read()
    big = chunked_post(served.port, b"verb=Identify&pad=" + b"x" * 200 * 1024)
    assert big.status == 413

    # Gunicorn's own refusals carry the same security headers as the app's pages.
    for request in (b"NONSENSE\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"):
        status, headers = raw_request(served.port, request)
        assert status in (400, 431)
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (status, name, headers)

    # Damage the index in place: the middle of the term index files, footers intact. Tantivy
    # then panics while searching (pyo3's PanicException, a BaseException).
    for path in (data / "index").glob("index-*/*.idx"):
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.seek(size // 8)
            fh.write(b"\xff" * (size // 2))
    api = requests.get(f"{served.base_url}/api/v1/resources", params={"q": "carte"}, timeout=30)
    assert api.status_code == 503
    assert api.headers["Content-Type"].startswith("application/problem+json")
    assert api.json()["type"].endswith("#problem-search-unavailable")
    ui = requests.get(f"{served.base_url}/", params={"q": "carte"}, timeout=30)
    assert ui.status_code == 503 and "indisponible" in ui.text
    health = requests.get(f"{served.base_url}/healthz", timeout=30)
    assert health.status_code == 503 and health.json()["checks"]["index"] == "unreachable"
    oai = requests.get(f"{served.base_url}/oai", params={"verb": "Identify"}, timeout=30)
    assert oai.status_code == 200  # the same worker goes on answering
    log = served.log_path.read_text(encoding="utf-8", errors="replace")
    assert log.count("Booting worker") == 1, "the worker did not die"
    assert os.path.exists(data / "catalogue.db")
