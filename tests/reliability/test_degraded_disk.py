"""Issue 16, point 6: with the data dir on a full disk, then read-only, searches keep working
and harvests fail clearly.

The demo catalogue is copied onto a small tmpfs mounted for the test; ``catalogue serve``
(gunicorn, 2 workers) is started on it once the tmpfs is filled to the last byte, and once it
is remounted read-only (tests run as root: ``chmod`` would not stop root, a read-only mount
does). The UI, the API and OAI-PMH answer searches; ``/healthz`` reports the store, the index
(a real query) and the disk; ``harvest`` fails with one line per source and exit code 5,
``report`` and ``check`` answer without a traceback.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from catalogue.config import Settings
from tests.reliability.support import Served, catalogue, child_env

EXIT_STORE_UNAVAILABLE = 5


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def tmpfs(tmp_path: Path, demo_catalogue: Settings) -> Iterator[Path]:
    """A 48 MB tmpfs holding a copy of the demo catalogue's data dir (unmounted afterwards)."""
    point = tmp_path / "mnt"
    point.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=48m", "tmpfs", str(point))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {mounted.stderr}")
    try:
        shutil.copytree(demo_catalogue.data_dir, point / "var")
        yield point
    finally:
        _mount("-o", "remount,rw", str(point))
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(point: Path) -> None:
    """Write until the filesystem has not one byte left."""
    block = b"\0" * (1024 * 1024)
    with (point / "filler").open("wb") as fh:
        while True:
            try:
                fh.write(block)
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    for size in (65536, 4096, 1):  # the last partial blocks
        try:
            with (point / "filler").open("ab") as fh:
                while True:
                    fh.write(b"\0" * size)
                    fh.flush()
        except OSError:
            continue
    assert shutil.disk_usage(point).free < 64 * 1024


def env_for(point: Path, demo_catalogue: Settings) -> dict[str, str]:
    env = child_env({"CATALOGUE_DATA_DIR": str(point / "var"),
                     "CATALOGUE_SOURCES": str(demo_catalogue.sources_path),
                     "CATALOGUE_HARVEST_RETRIES": "0", "CATALOGUE_HARVEST_DELAY": "0"})
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    return env


def searches_work(base: str) -> dict[str, object]:
    health = requests.get(f"{base}/healthz", timeout=30)
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["checks"] == {"store": "ok", "index": "ok"}
    page = requests.get(f"{base}/", params={"q": "carte"}, timeout=30)
    assert page.status_code == 200
    found = re.search(r"<title>[^<]*carte[^<0-9]*([0-9]+)\s*ressource", page.text)
    assert found and int(found.group(1)) > 0, page.text[:600]
    api = requests.get(f"{base}/api/v1/resources", params={"q": "carte"}, timeout=30)
    assert api.status_code == 200 and api.json()["total"] > 0
    oai = requests.get(f"{base}/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"},
                       timeout=30)
    assert oai.status_code == 200 and b"<record>" in oai.content
    partner = requests.get(f"{base}/partenaires/bnf", timeout=30)
    assert partner.status_code == 200
    return dict(body)


def harvests_fail_clearly(env: dict[str, str]) -> None:
    proc = catalogue(env, "harvest", timeout=180)
    assert proc.returncode == EXIT_STORE_UNAVAILABLE, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "the store is unavailable" in line]
    assert len(lines) == 4, proc.stdout  # one per demo source
    report = catalogue(env, "report", "--json")
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    check = catalogue(env, "check")
    assert check.returncode in (0, 4) and "Traceback" not in check.stderr, check.stderr


@pytest.mark.slow
def test_a_full_disk_still_answers_searches_and_harvests_fail_clearly(
    tmpfs: Path, demo_catalogue: Settings, tmp_path: Path
) -> None:
    fill(tmpfs)
    env = env_for(tmpfs, demo_catalogue)
    with Served(env, tmp_path / "serve-full.log") as served:
        health = searches_work(served.base_url)
        disk = health["disk"]
        assert isinstance(disk, dict) and disk["status"] == "low"
    harvests_fail_clearly(env)


@pytest.mark.slow
def test_a_read_only_data_dir_still_answers_searches_and_harvests_fail_clearly(
    tmpfs: Path, demo_catalogue: Settings, tmp_path: Path
) -> None:
    remount = _mount("-o", "remount,ro", str(tmpfs))
    assert remount.returncode == 0, remount.stderr
    with pytest.raises(OSError):  # root cannot write either: the mount is read-only
        (tmpfs / "var" / "probe").write_text("x")
    env = env_for(tmpfs, demo_catalogue)
    with Served(env, tmp_path / "serve-ro.log") as served:
        health = searches_work(served.base_url)
        assert health["store_mode"] in ("read-only", "read-only snapshot")
    harvests_fail_clearly(env)
