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
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):  # a first request may be slow
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def report(env: dict[str, str], source_id: str) -> dict[str, Any]:
    proc = catalogue(env, "report", source_id, "--json")
    assert proc.returncode == 0, proc.stderr
    reports: list[dict[str, Any]] = json.loads(proc.stdout)
    return reports[0]


def child_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, **env, **extra}


class Served:
    """`catalogue serve` (gunicorn) in a subprocess on a free loopback port, logs to a file."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "catalogue", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> Served:
        try:
            wait_for_http(f"{self.base_url}/healthz")
        except AssertionError:
            self.__exit__()
            raise AssertionError(self.log_path.read_text(errors="replace")) from None
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (gunicorn's own plain lines are skipped)."""
        lines = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines
