"""Starting and stopping the servers under test, and the OAI-PMH traversal client.

Servers run as child processes of the benchmark (``catalogue serve`` and :mod:`bench.peer`, both
gunicorn with two workers) on a free loopback port; they are stopped by their own process id.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from bench.instrument import MemorySampler

_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_ERROR = re.compile(rb'<error code="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """A server child process writing its output to ``log``; ``stop()`` ends it by pid."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=self.log)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def first_line(self) -> str:
        """The first stdout line (the peer prints its load figures there); the rest goes to the log."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode("utf-8", "replace")
        self._drain()
        return line

    def _drain(self) -> None:
        import shutil
        import threading

        def pump() -> None:
            assert self.proc.stdout is not None
            shutil.copyfileobj(self.proc.stdout, self.log)

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, path: str, timeout: float = 600) -> float:
        """Seconds from process start until ``path`` answers 200 (polling every 20 ms)."""
        deadline = time.perf_counter() + timeout
        session = requests.Session()
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} (see {self.log.name})")
            try:
                if session.get(self.base_url + path, timeout=30).status_code == 200:
                    session.close()
                    return time.perf_counter() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{self.base_url}{path} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # gunicorn: graceful stop of the workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def start_catalogue(data_dir: Path, log: Path, workers: int = 2,
                     extra_env: dict[str, str] | None = None) -> Served:
    """``catalogue serve`` (gunicorn, ``workers`` processes) over the benchmark's data dir
    (tantivy, unless ``extra_env`` sets ``CATALOGUE_SEARCH_URL``)."""
    port = free_port()
    env = {**os.environ, "CATALOGUE_DATA_DIR": str(data_dir),
           "CATALOGUE_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    env.update(extra_env or {})
    served = Served([sys.executable, "-m", "catalogue", "serve", "--port", str(port),
                     "--workers", str(workers)], env, log, port)
    served._drain()
    return served


def start_peer(store_url: str, log: Path, workers: int = 2,
               batch_size: int = 100) -> tuple[Served, dict[str, Any]]:
    import json

    port = free_port()
    served = Served([sys.executable, "-m", "bench.peer", "--database-url", store_url, "--port",
                     str(port), "--workers", str(workers), "--batch-size", str(batch_size)],
                    dict(os.environ), log, port)
    line = served.first_line()
    if not line:
        raise RuntimeError(f"the oaipmh peer did not start (see {log})")
    return served, json.loads(line)


def traverse(base_url: str, path: str = "/oai", prefix: str = "oai_dc",
             extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A full ListRecords walk with one kept-alive session; counts headers and bytes.

    The client only looks for the token and counts ``<header`` tags (no XML parsing), so that
    it costs as little CPU as possible beside the two server workers.
    """
    session = requests.Session()
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": prefix, **(extra or {})}
    records = deleted = pages = size = 0
    start = time.perf_counter()
    while True:
        response = session.get(base_url + path, params=params, timeout=300)
        response.raise_for_status()
        body = response.content
        pages += 1
        size += len(body)
        failed = _ERROR.search(body)
        if failed:
            if failed.group(1) == b"noRecordsMatch":
                break
            raise RuntimeError(f"OAI error {failed.group(1)!r} on page {pages}")
        records += body.count(b"<header")
        deleted += body.count(b'status="deleted"')
        token = _TOKEN.search(body)
        if not token or not token.group(1).strip():
            break
        params = {"verb": "ListRecords", "resumptionToken": token.group(1).strip().decode()}
    elapsed = time.perf_counter() - start
    session.close()
    return {"records": records, "deleted": deleted, "pages": pages, "bytes": size,
            "seconds": round(elapsed, 3),
            "records_per_s": round(records / elapsed, 1) if elapsed else None,
            "bytes_per_record": round(size / records) if records else None}


def traverse_measured(served: Served, path: str = "/oai") -> dict[str, Any]:
    """``traverse`` while sampling the server processes' memory (RSS and PSS, summed)."""
    with MemorySampler(root=served.pid, interval=0.25, pss=True) as memory:
        result = traverse(served.base_url, path)
    result.update(server_peak_rss_mb=round(memory.peak_rss_mb, 1),
                  server_peak_pss_mb=round(memory.peak_pss_mb, 1),
                  server_peak_anon_mb=round(memory.peak_anon_mb, 1),
                  server_peak_process_rss_mb=round(memory.peak_process_mb, 1))
    return result
