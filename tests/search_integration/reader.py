"""A reader process, as a web worker is one: search the index in a loop, report as JSON.

Run by the tests with ``python -m tests.search_integration.reader DATA_DIR [options]``. It opens
the tantivy index read-only through ``search.open_index`` (and, with ``--store-url``, reads one
record from the store each round, as a resource page does), prints ``ready`` once the first
round succeeded, then loops until ``--stop-file`` exists or ``--max-seconds`` ran out, and
prints one JSON report on its last line:

``{"rounds", "failures", "errors", "rows": [[time, generation, browse_total, word_total], …]}``

A round fails when anything raises, or when ``--expect`` is given and a browse total differs.
Times are ``time.time()`` so the test can tell which rounds ran while its writer ran.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from search import SearchQuery, open_index

MAX_ERRORS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--word", default="données", help="a word query run every round")
    parser.add_argument("--expect", type=int, default=None, help="total every browse must return")
    parser.add_argument("--stop-file", type=Path, required=True)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--pause", type=float, default=0.005,
                        help="seconds between rounds (a worker between requests; leaves the writer CPU)")
    parser.add_argument("--store-url", default=None)
    parser.add_argument("--record-id", default=None)
    args = parser.parse_args(argv)

    index = open_index(None, args.data_dir)
    store: Any = None
    if args.store_url:
        from catalogue.store import Store

        store = Store(args.store_url)
    pointer = args.data_dir / "index" / "CURRENT"
    rows: list[list[Any]] = []
    errors: list[str] = []
    failures = 0
    ready = False
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        if ready and args.stop_file.exists():
            break
        try:
            generation = pointer.read_text(encoding="utf-8").strip()
            browse = index.search(SearchQuery(per_page=20))  # facets and 20 hits, like the UI
            word = index.search(SearchQuery(q=args.word, per_page=10, facets=False))
            if len(browse.hits) != min(20, browse.total) or not all(h.record for h in browse.hits):
                raise AssertionError(f"browse returned {len(browse.hits)} hits of {browse.total}")
            if args.expect is not None and browse.total != args.expect:
                raise AssertionError(f"browse total {browse.total}, expected {args.expect}")
            if store is not None and args.record_id:
                stored = store.get(args.record_id)
                if stored is None or stored.data is None:
                    raise AssertionError(f"record {args.record_id} missing from the store")
            rows.append([time.time(), generation, browse.total, word.total])
        except Exception as exc:  # every failure is counted and reported, never fatal
            failures += 1
            if len(errors) < MAX_ERRORS:
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)
            continue
        if not ready:
            ready = True
            print("ready", flush=True)
        time.sleep(args.pause)
    index.close()
    if store is not None:
        store.close()
    print(json.dumps({"rounds": len(rows), "failures": failures, "errors": errors, "rows": rows}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
