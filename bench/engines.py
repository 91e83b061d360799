"""Tantivy and an Elasticsearch/OpenSearch node side by side on the benchmark's store.

``python -m bench --search-url URL`` adds the ``engines`` stage: both indexes are rebuilt from
the same store (build rate, memory), and the ``search`` and ``http`` stages run their query mix
on both. The node's memory is read from ``/proc`` when it runs on this machine (its pid comes
from ``GET _nodes/_local/process``), else from its JVM heap statistics.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

from bench.instrument import MemorySampler, rss_mb
from catalogue.store import Store
from search.base import SearchIndex
from search.sync import rebuild


def engine_alias(records: int) -> str:
    return f"bench-{records}"


def open_engine(url: str, records: int, partner_labels: dict[str, str]) -> SearchIndex:
    from search.elastic import ElasticIndex

    return ElasticIndex(url, alias=engine_alias(records), partner_labels=partner_labels)


def node_pid(url: str) -> int | None:
    """The node's process id when it runs on this machine (loopback URL), else None."""
    if "127.0.0.1" not in url and "localhost" not in url:
        return None
    nodes = requests.get(url.rstrip("/") + "/_nodes/_local/process", timeout=30).json()["nodes"]
    for node in nodes.values():
        return int(node["process"]["id"])
    return None


def node_memory(url: str) -> dict[str, float]:
    """RSS of the node process (MB, when local) and its JVM heap in use / configured (MB)."""
    stats = requests.get(url.rstrip("/") + "/_nodes/_local/stats/jvm", timeout=30).json()["nodes"]
    jvm = next(iter(stats.values()))["jvm"]["mem"]
    found = {"heap_used_mb": round(jvm["heap_used_in_bytes"] / 2**20, 1),
             "heap_max_mb": round(jvm["heap_max_in_bytes"] / 2**20, 1)}
    pid = node_pid(url)
    if pid is not None:
        found["rss_mb"] = round(rss_mb(pid), 1)
    return found


def build(index: SearchIndex, store_url: str, pid: int | None = None) -> dict[str, Any]:
    """Rebuild ``index`` from the store, timed; peak RSS of ``pid`` (None: this process)."""
    store = Store(store_url)
    try:
        with MemorySampler(pid) as memory:
            start = time.perf_counter()
            count = rebuild(index, store)
            seconds = time.perf_counter() - start
    finally:
        store.close()
    return {"records": count, "seconds": round(seconds, 2),
            "records_per_s": round(count / seconds, 1) if seconds else None,
            "peak_rss_mb": round(memory.peak_rss_mb, 1)}


def build_both(url: str, store_url: str, data_dir: Path, records: int,
               partner_labels: dict[str, str]) -> dict[str, Any]:
    from search.tantivy_index import TantivyIndex

    tantivy = TantivyIndex(data_dir / "index", partner_labels=partner_labels)
    try:
        tantivy_build = build(tantivy, store_url)
    finally:
        tantivy.close()
    size = sum(p.stat().st_size for p in (data_dir / "index").rglob("*") if p.is_file())
    tantivy_build["index_mb"] = round(size / 2**20, 1)
    engine = open_engine(url, records, partner_labels)
    try:
        engine_build = build(engine, store_url, node_pid(url))
    finally:
        engine.close()
    engine_build.update(node_memory(url))
    stats = requests.get(f"{url.rstrip('/')}/{engine_alias(records)}/_stats/store",
                         timeout=30).json()
    engine_build["index_mb"] = round(stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20, 1)
    engine_build["server"] = requests.get(url, timeout=30).json()["version"].get(
        "distribution", "elasticsearch")
    return {"tantivy": tantivy_build, "engine": engine_build}


def table(results: dict[str, Any]) -> list[str]:
    """Markdown rows comparing the two engines (empty without an ``engines`` result)."""
    engines = results.get("engines")
    if not engines:
        return []
    name = str(engines["engine"].get("build", {}).get("server", "engine"))

    def cell(side: str, *path: str) -> str:
        value: Any = engines.get(side, {})
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return "–" if value is None else f"{value:,}" if isinstance(value, int) else f"{value}"

    rows = [
        ("Index build (rebuild from the store)", "records/s", ("build", "records_per_s")),
        ("Index size on disk", "MB", ("build", "index_mb")),
        ("Peak memory while building (tantivy: bench process; node: its RSS)", "MB",
         ("build", "peak_rss_mb")),
        ("Node JVM heap in use / configured after the build", "MB", ("build", "heap_used_mb")),
        ("Search in-process p50", "ms", ("search_ms", "p50")),
        ("Search in-process p95", "ms", ("search_ms", "p95")),
        ("Search over HTTP (catalogue serve) p50", "ms", ("search_http_ms", "p50")),
        ("Search over HTTP (catalogue serve) p95", "ms", ("search_http_ms", "p95")),
        ("API under load (8 clients)", "req/s", ("api_requests_per_s",)),
        ("API under load p95", "ms", ("api_ms", "p95")),
    ]
    lines = ["", f"Tantivy and {name} on the same store, same run:", "",
             f"| figure | unit | tantivy | {name} |", "|---|---|---:|---:|"]
    for label, unit, path in rows:
        engine_cell = cell("engine", *path)
        if path == ("build", "heap_used_mb"):
            engine_cell += f" / {cell('engine', 'build', 'heap_max_mb')}"
        lines.append(f"| {label} | {unit} | {cell('tantivy', *path)} | {engine_cell} |")
    return lines
