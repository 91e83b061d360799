"""Timing the real harvest code path, stage by stage, without patching it.

Why subclasses: the figures must come from ``catalogue.pipeline.Pipeline``, ``Store``,
``HttpClient``, ``TantivyIndex`` and ``search.sync.sync`` as they run in production. Each
timed class overrides one public or documented method, calls ``super()`` and adds the elapsed
time to a shared :class:`Timer`; nothing else changes. What the subclasses cannot see (the
harvester's page parsing, run bookkeeping) is what remains of the wall time.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from catalogue.config import Source
from catalogue.pipeline import Mapper, Pipeline
from catalogue.store import Store
from core.raw import RawRecord
from harvesters.base import Page
from harvesters.http import HttpClient, Response
from schemas.record import Record
from search.tantivy_index import TantivyIndex


class Timer:
    """Accumulated seconds and call counts per stage name (thread-safe enough: one writer)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            self.calls[name] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


class TimedStore(Store):
    timer: Timer

    def __init__(self, url: str, timer: Timer) -> None:
        super().__init__(url)
        self.timer = timer

    def raw_hashes(self, record_ids: Sequence[str]) -> dict[str, str]:
        with self.timer.time("store_read_hashes"):
            return super().raw_hashes(record_ids)

    def curations(self, record_ids: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        with self.timer.time("store_read_curations"):
            return super().curations(record_ids)

    def write_page(self, **kwargs: Any) -> Any:
        with self.timer.time("store_write"):
            return super().write_page(**kwargs)

    def changes_since(self, seq: int, limit: int = 1000) -> list[Any]:
        with self.timer.time("index_read_changes"):
            return super().changes_since(seq, limit)


class TimedMapper(Mapper):
    def __init__(self, timer: Timer) -> None:
        super().__init__()
        self.timer = timer

    def map(self, raw: RawRecord, source: Source, harvested_at: str,
            curations: list[dict[str, Any]]) -> tuple[Record, dict[str, list[str]], dict[str, Any]]:
        with self.timer.time("map"):
            return super().map(raw, source, harvested_at, curations)


class TimedPipeline(Pipeline):
    timer: Timer

    def _prepare(self, source: Source, page: Page, pool: Any) -> Any:
        with self.timer.time("writes"):
            return super()._prepare(source, page, pool)


class TimedHttp(HttpClient):
    timer: Timer | None = None

    def get(self, url: str, params: Any = None, **kwargs: Any) -> Response:
        assert self.timer is not None
        with self.timer.time("fetch"):
            return super().get(url, params, **kwargs)


class TimedIndex(TantivyIndex):
    """The tantivy backend with its write sessions timed (``sync`` calls these)."""

    timer: Timer

    def __init__(self, path: Path | str, timer: Timer, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.timer = timer

    def index(self, records: Any) -> int:
        with self.timer.time("index_write"):
            return super().index(records)

    def delete(self, ids: Any) -> None:
        with self.timer.time("index_write"):
            super().delete(ids)

    def set_last_seq(self, seq: int) -> None:
        with self.timer.time("index_write"):
            super().set_last_seq(seq)


def http_factory(timer: Timer) -> Any:
    """HTTP clients as ``catalogue harvest`` makes them, minus the politeness delay (loopback)."""

    def factory(sources: list[Source]) -> Any:
        client = TimedHttp(allowed_urls=[s.url for s in sources], politeness_delay=0,
                           max_retries=3, backoff_base=0.2, read_timeout=120)
        client.timer = timer
        return client

    return factory


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def smaps_mb(pid: int) -> dict[str, float]:
    """``Pss`` (shared pages divided between their users) and ``Anonymous`` (heap, not file
    pages such as the mmapped index) of a process, in MB."""
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                key = line.split(":", 1)[0]
                if key in ("Pss", "Anonymous"):
                    found[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc, no psutil)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[1] == str(pid):
            found.append(int(entry))
    return found


def max_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class MemorySampler:
    """Samples the memory of a set of processes in a thread; keeps the peaks.

    ``root`` None samples this process; otherwise ``root`` and its children (gunicorn master and
    workers), whose RSS is summed (``peak_rss_mb``, counts shared pages once per process) and
    whose PSS is summed (``peak_pss_mb``, shared pages split: the memory really used), and
    whose anonymous memory is summed (``peak_anon_mb``: RSS minus file pages, which the kernel
    can drop, e.g. the tantivy index mapped by each worker).
    """

    def __init__(self, root: int | None = None, interval: float = 0.2, pss: bool = False) -> None:
        self.root = root
        self.interval = interval
        self.pss = pss
        self.peak_rss_mb = 0.0
        self.peak_pss_mb = 0.0
        self.peak_anon_mb = 0.0
        self.peak_process_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def _pids(self) -> list[int | str]:
        if self.root is None:
            return ["self"]
        return [self.root, *children(self.root)]

    def sample(self) -> None:
        pids = self._pids()
        sizes = [rss_mb(p) for p in pids]
        self.peak_rss_mb = max(self.peak_rss_mb, sum(sizes))
        self.peak_process_mb = max([self.peak_process_mb, *sizes])
        if self.pss:
            maps = [smaps_mb(os.getpid() if p == "self" else int(p)) for p in pids]
            self.peak_pss_mb = max(self.peak_pss_mb, sum(m.get("Pss", 0.0) for m in maps))
            self.peak_anon_mb = max(self.peak_anon_mb, sum(m.get("Anonymous", 0.0) for m in maps))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
