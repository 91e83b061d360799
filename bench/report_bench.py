"""How long a harvest report and a partner page take after a huge run (issue 16, point 5).

``python -m bench.report_bench --items 2000000`` builds a throw-away SQLite store holding one
run of N items (most "unchanged", 0.5 % failures with a message, 0.5 % stored with a warning,
as a hostile partner's run would leave), then times ``run_report`` (what ``catalogue report``
and the partner page read) and ``GET /partenaires/<id>`` through the app. Measures, never
asserts; the figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from catalogue import tables as t
from catalogue.config import Settings
from catalogue.reports import run_report
from catalogue.store import Store

BATCH = 50_000


def build(store: Store, items: int) -> int:
    store.upsert_source(id="hostile", partner="bnf", partner_name="BnF / Gallica", name="Hostile",
                        protocol="udata", url="http://127.0.0.1:9/", config={})
    run_id = store.start_run("hostile", "full")
    with store.engine.begin() as conn:
        for start in range(0, items, BATCH):
            rows = []
            for i in range(start, min(items, start + BATCH)):
                kind = i % 200
                outcome, stage, message = "unchanged", None, None
                if kind == 0:
                    outcome, stage, message = "failed", "parse", f"dataset entry {i} is not an object"
                elif kind == 1:
                    outcome, stage, message = "added", "map", "title clipped"
                rows.append({"run_id": run_id, "identifier": f"id-{i}", "record_id": f"r{i}",
                             "outcome": outcome, "stage": stage, "message": message, "url": None})
            conn.execute(insert(t.run_items), rows)
    store.finish_run(run_id, "done-with-errors", {"unchanged": items})
    return run_id


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        store = Store(f"sqlite:///{data / 'catalogue.db'}")
        store.upgrade()
        started = time.perf_counter()
        run_id = build(store, args.items)
        built = time.perf_counter() - started
        run = store.run(run_id)
        assert run is not None
        timings: dict[str, list[float]] = {"run_report": [], "partner_page": []}
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = run_report(store, run, max_items=100)
            timings["run_report"].append(time.perf_counter() - started)
        from web.app import create_app

        settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'catalogue.db'}",
                            search_url=None, sources_path=data / "none.toml",
                            oai_namespace="bench.example", base_url="http://localhost:8000")
        client = create_app(settings).test_client()
        for _ in range(args.repeat):
            started = time.perf_counter()
            page = client.get("/partenaires/bnf")
            timings["partner_page"].append(time.perf_counter() - started)
        print(json.dumps({
            "items": args.items, "build_seconds": round(built, 1),
            "failures_total": report["failures_total"], "failures_listed": len(report["failures"]),
            "partner_page_status": page.status_code,
            **{f"{name}_seconds_best": round(min(v), 3) for name, v in timings.items()},
            **{f"{name}_seconds_worst": round(max(v), 3) for name, v in timings.items()},
        }, indent=2))


if __name__ == "__main__":
    main()
