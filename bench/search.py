"""Search latency in-process (``SearchIndex.search``) and over HTTP (``/api/v1/resources``).

Every query asks what the UI and the API ask: the six facet groups, the total, and a 20-hit page
with highlighted titles and snippets. Latencies are wall-clock per query, after a warm-up pass
that is not counted (the first queries pay for opening segments and the OS page cache).
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import defaultdict
from typing import Any

import requests

from bench.queries import Query
from search import FACET_GROUPS, SearchIndex, SearchQuery


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest-rank on the sorted sample) and the mean, in milliseconds."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        k = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[k]

    return {"p50": round(rank(50) * 1000, 2), "p95": round(rank(95) * 1000, 2),
            "p99": round(rank(99) * 1000, 2), "mean": round(statistics.fmean(ordered) * 1000, 2),
            "max": round(ordered[-1] * 1000, 2)}


def _summary(queries: list[Query], seconds: list[float], totals: list[int]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for query, elapsed in zip(queries, seconds, strict=True):
        by_kind[query.kind].append(elapsed)
    return {
        "queries": len(queries),
        "ms": percentiles(seconds),
        "by_kind_ms": {kind: percentiles(values) for kind, values in sorted(by_kind.items())},
        "zero_result_share": round(sum(1 for n in totals if n == 0) / len(totals), 3),
        "median_total": int(statistics.median(totals)),
    }


def in_process(index: SearchIndex, queries: list[Query], warmup: int = 20) -> dict[str, Any]:
    def run(query: Query) -> int:
        result = index.search(SearchQuery(q=query.q, filters=query.filters, per_page=20,
                                          facets=True, highlight=True))
        if set(result.facets) != set(FACET_GROUPS):
            raise AssertionError(f"facet groups missing for {query}")
        return result.total

    for query in queries[:warmup]:
        run(query)
    seconds: list[float] = []
    totals: list[int] = []
    for query in queries:
        start = time.perf_counter()
        totals.append(run(query))
        seconds.append(time.perf_counter() - start)
    return _summary(queries, seconds, totals)


def over_http(base_url: str, queries: list[Query], warmup: int = 20) -> dict[str, Any]:
    """One client, one kept-alive connection, one query at a time: latency, not throughput."""
    session = requests.Session()

    def run(query: Query) -> int:
        response = session.get(query.url(base_url), timeout=60)
        response.raise_for_status()
        body = response.json()
        if set(body["facets"]) != set(FACET_GROUPS):
            raise AssertionError(f"facet groups missing for {query}")
        return int(body["total"])

    for query in queries[:warmup]:
        run(query)
    seconds: list[float] = []
    totals: list[int] = []
    for query in queries:
        start = time.perf_counter()
        totals.append(run(query))
        seconds.append(time.perf_counter() - start)
    session.close()
    return _summary(queries, seconds, totals)


def load(base_url: str, queries: list[Query], *, clients: int, seconds: float,
         max_requests: int) -> dict[str, Any]:
    """Concurrent clients (threads, one kept-alive session each) for a bounded time and count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = 0
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal errors, issued
        session = requests.Session()
        k = offset
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < deadline:
            with lock:
                if issued >= max_requests:
                    break
                issued += 1
            query = queries[k % len(queries)]
            k += 1
            start = time.perf_counter()
            try:
                response = session.get(query.url(base_url), timeout=60)
                ok = response.status_code == 200 and b'"facets"' in response.content
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - start)
            if not ok:
                failed += 1
        session.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(i * 37,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "ms": percentiles(latencies),
    }
