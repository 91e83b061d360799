"""Harvest stage: feed → searchable, through ``Pipeline.harvest`` and ``search.sync.sync``.

The feed runs in its own process (:mod:`bench.feed`); this process runs the pipeline and the
index sync exactly as ``catalogue harvest`` does (one source after the other, then one sync),
with the stages timed by :mod:`bench.instrument`.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from bench.corpus import Corpus
from bench.feed import CONTROL, PREFIX
from bench.instrument import (
    MemorySampler,
    TimedIndex,
    TimedMapper,
    TimedPipeline,
    TimedStore,
    Timer,
    http_factory,
)
from catalogue import tables as t
from catalogue.config import Source
from search.sync import sync


class FeedProcess:
    """``python -m bench.feed`` in a child process; ``base_url`` once it listens."""

    def __init__(self, corpus: Corpus, log_path: Path, page_size: int = 100) -> None:
        self.log = log_path.open("ab")
        cmd = [sys.executable, "-m", "bench.feed", "--records", str(corpus.records),
               "--seed", str(corpus.seed), "--page-size", str(page_size)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the bench feed did not start (see {log_path})")
        self.base_url: str = json.loads(line)["base_url"]

    def publish_generation_2(self) -> str:
        response = requests.post(self.base_url + CONTROL, json={}, timeout=30)
        response.raise_for_status()
        return str(response.json()["datestamp"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def sources_for(corpus: Corpus, base_url: str) -> list[Source]:
    """One OAI-PMH oai_dc source per partner of the corpus, as a sources file would declare."""
    return [
        Source(id=f"bench-{s.partner.id}", name=f"Bench {s.partner.name} (OAI-PMH)",
               partner=s.partner.id, protocol="oai-pmh", url=f"{base_url}{PREFIX}{s.partner.id}",
               partner_name=s.partner.name, options={"metadata_prefix": "oai_dc"})
        for s in corpus.slices
    ]


def partner_labels(corpus: Corpus) -> dict[str, str]:
    return {s.partner.id: s.partner.name for s in corpus.slices}


def run_harvest(store_url: str, data_dir: Path, sources: list[Source], labels: dict[str, str], *,
                full: bool, profile: Path | None = None, workers: int = 0) -> dict[str, Any]:
    """Harvest every source then sync the index; returns timings, counts and memory.

    ``workers`` > 0 maps in worker processes as ``catalogue harvest`` does on 2+ cores; the
    per-stage split is then only partial (the workers' mapping time is not seen here), so the
    split is measured with ``workers=0``."""
    timer = Timer()
    store = TimedStore(store_url, timer)
    store.upgrade()
    progress = _Progress()
    pipeline = TimedPipeline(store, http_factory(timer), mapper=TimedMapper(timer),
                             progress=progress, workers=workers)
    pipeline.timer = timer
    pipeline.register(sources)
    index = TimedIndex(data_dir / "index", timer, partner_labels=labels)
    timer.reset()
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    counts: Counter[str] = Counter()
    statuses = []
    cpu_before, children_before = _cpu_seconds(), _cpu_seconds(resource.RUSAGE_CHILDREN)
    with MemorySampler() as memory:
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        for source in sources:
            result = pipeline.harvest(source, full=full)
            statuses.append(result.status)
            counts.update(result.counts)
        harvest_s = time.perf_counter() - start
        applied = sync(index, store)
        total_s = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
    cpu_main_s = _cpu_seconds() - cpu_before
    # Mapping workers are reaped when each source's pool shuts down, so they are counted here.
    cpu_workers_s = _cpu_seconds(resource.RUSAGE_CHILDREN) - children_before
    cpu_s = cpu_main_s + cpu_workers_s
    index.close()
    with store.engine.connect() as conn:
        live = conn.execute(select(func.count()).select_from(t.records)
                            .where(t.records.c.deleted.is_(False))).scalar_one()
        with_level, with_discipline = (
            conn.execute(select(func.count(func.distinct(t.record_facets.c.record_id)))
                         .where(t.record_facets.c.facet == facet)).scalar_one()
            for facet in ("level", "discipline")
        )
    store.close()

    s = timer.seconds
    sync_s = total_s - harvest_s
    writes = s["writes"]
    # With mapping workers, the main process waits for their results between its own stages:
    # that wait is in the remainder, and only the pages mapped in-process show under "map".
    remainder = "parse" if workers == 0 else "parse_and_mapping_wait"
    stages = {
        "fetch": s["fetch"],
        remainder: harvest_s - s["fetch"] - writes - s["store_write"],
        "map": s["map"],
        "prepare": writes - s["map"] - s["store_read_hashes"] - s["store_read_curations"],
        "store_read": s["store_read_hashes"] + s["store_read_curations"],
        "store_write": s["store_write"],
        "index_read": s["index_read_changes"],
        "index_write": s["index_write"],
        "index_other": sync_s - s["index_read_changes"] - s["index_write"],
    }
    processed = sum(counts[k] for k in ("added", "updated", "unchanged", "deleted", "failed"))
    return {
        "seconds": round(total_s, 3),
        "harvest_seconds": round(harvest_s, 3),
        "sync_seconds": round(sync_s, 3),
        "records_processed": processed,
        "records_per_s": round(processed / total_s, 1) if total_s else None,
        "counts": dict(counts),
        "statuses": statuses,
        "index_changes_applied": applied,
        "live_records": int(live),
        "share_with_level": round(with_level / live, 4) if live else None,
        "share_with_discipline": round(with_discipline / live, 4) if live else None,
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "stages_share": {k: round(v / total_s, 4) for k, v in stages.items()} if total_s else {},
        "pages": timer.calls["store_write"],
        "mapping_workers": workers,
        "peak_rss_mb": round(memory.peak_rss_mb, 1),  # the harvesting process (not its workers)
        # CPU seconds (all threads of this process plus its mapping workers) per wall second:
        # at most 1 + workers; lower when other processes on the machine take the cores.
        "cpu_main_s": round(cpu_main_s, 1),
        "cpu_workers_s": round(cpu_workers_s, 1),
        "cpu_s": round(cpu_s, 1),
        "cpu_per_wall": round(cpu_s / total_s, 3) if total_s else None,
        # Records per CPU-second spent: the cost of a record, whatever the contention.
        "records_per_cpu_s": round(processed / cpu_s, 1) if cpu_s else None,
    }


class _Progress:
    """Logs the running rate every 30 s, so a long run that is stopped still tells its pace."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = self.start
        self.done: dict[str, int] = {}

    def __call__(self, source_id: str, done: int, *_: Any) -> None:
        self.done[source_id] = done
        now = time.perf_counter()
        if now - self.last >= 30:
            self.last = now
            total = sum(self.done.values())
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} bench: {total:,} records harvested in "
                             f"{now - self.start:.0f} s ({total / (now - self.start):.0f}/s, "
                             f"{_cpu_seconds():.0f} CPU s)\n")
            sys.stderr.flush()


def _cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
