"""Helpers shared by the reliability tests: CLI subprocesses, store snapshots, free ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from catalogue import tables as t
from catalogue.store import Store


def catalogue(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``catalogue ARGS`` as an operator would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "catalogue", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def store_of(env: dict[str, str]) -> Store:
    return Store(f"sqlite:///{Path(env['CATALOGUE_DATA_DIR']) / 'catalogue.db'}")


def snapshot(store: Store, source_id: str | None = None) -> dict[str, tuple[str | None, bool]]:
    """record id → (content hash, deleted): equal snapshots mean nothing was lost or changed."""
    return {r.id: (r.content_hash, r.deleted)
            for r in store.iter_records(source_id=source_id, include_deleted=True)}


def everything_stored(store: Store) -> str:
    """Every byte of partner-derived text the store holds: records, raw bytes, run reports."""
    parts: list[str] = []
    with store.engine.connect() as conn:
        parts += [row[0] or "" for row in conn.execute(select(t.records.c.data))]
        parts += [zlib.decompress(row[0]).decode("utf-8", "replace")
                  for row in conn.execute(select(t.raw_records.c.content))]
        parts += [f"{row[0]} {row[1]}" for row in conn.execute(
            select(t.run_items.c.message, t.run_items.c.url))]
        parts += [f"{row[0]} {row[1]}" for row in conn.execute(
            select(t.harvest_runs.c.error, t.harvest_runs.c.checkpoint))]
    return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def report(env: dict[str, str], source_id: str) -> dict[str, Any]:
    proc = catalogue(env, "report", source_id, "--json")
    assert proc.returncode == 0, proc.stderr
    reports: list[dict[str, Any]] = json.loads(proc.stdout)
    return reports[0]


def child_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, **env, **extra}
