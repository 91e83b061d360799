"""Profiles of the web paths (OAI-PMH ListRecords, API search, cold start), in-process.

Why in-process: a sampling profiler attached to gunicorn workers (py-spy) is not in the
virtualenv; the same Flask app driven by its test client under cProfile shows where a worker
spends its time, minus the socket and gunicorn's own share (measured separately by the HTTP
stages). Used by ``python -m bench --profile DIR`` and ``python -m bench.webprofile``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.queries import Query, build_queries

_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")

COLD_START = r"""
import json, sys, time
t0 = time.perf_counter()
from catalogue.config import Settings
from catalogue.store import Store
t1 = time.perf_counter()
settings = Settings.from_env()
store = Store(settings.database_url); store.upgrade()
t2 = time.perf_counter()
from web.app import create_app
t3 = time.perf_counter()
app = create_app(settings)
t4 = time.perf_counter()
client = app.test_client()
r = client.get("/api/v1/resources?q=eau")
assert r.status_code == 200, r.status_code
t5 = time.perf_counter()
r = client.get("/api/v1/resources?q=volcan")
t6 = time.perf_counter()
print(json.dumps({"import_store_s": t1 - t0, "store_upgrade_s": t2 - t1, "import_web_s": t3 - t2,
                  "create_app_s": t4 - t3, "first_search_s": t5 - t4, "second_search_s": t6 - t5}))
"""


def cold_start_split(data_dir: Path) -> dict[str, float]:
    """Where ``catalogue serve``'s start goes, step by step, in a fresh interpreter."""
    env = {**os.environ, "CATALOGUE_DATA_DIR": str(data_dir)}
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD_START], env=env, capture_output=True,
                         check=True, text=True)
    figures: dict[str, float] = {k: round(v, 3) for k, v in json.loads(out.stdout).items()}
    figures["interpreter_total_s"] = round(time.perf_counter() - start, 3)
    return figures


def profile_web(data_dir: Path, out_dir: Path, queries: list[Query] | None = None,
                oai_pages: int = 200) -> dict[str, Any]:
    """cProfile of ``oai_pages`` ListRecords pages and of the query mix through the API."""
    os.environ["CATALOGUE_DATA_DIR"] = str(data_dir)
    from catalogue.config import Settings
    from web.app import create_app

    app = create_app(Settings.from_env())
    client = app.test_client()
    client.get("/api/v1/resources?q=eau")  # open the store and the index outside the profile

    profiler = cProfile.Profile()
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    records = 0
    start = time.perf_counter()
    profiler.enable()
    for _ in range(oai_pages):
        body = client.get("/oai", query_string=params).data
        records += body.count(b"<header")
        token = _TOKEN.search(body)
        if not token:
            break
        params = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}
    profiler.disable()
    oai_s = time.perf_counter() - start
    profiler.dump_stats(str(out_dir / "web_oai.pstats"))

    profiler = cProfile.Profile()
    queries = queries or build_queries()
    start = time.perf_counter()
    profiler.enable()
    for query in queries:
        response = client.get("/api/v1/resources", query_string=query.params())
        assert response.status_code == 200
    profiler.disable()
    api_s = time.perf_counter() - start
    profiler.dump_stats(str(out_dir / "web_api.pstats"))
    return {"oai_records": records, "oai_profiled_s": round(oai_s, 2),
            "api_queries": len(queries), "api_profiled_s": round(api_s, 2),
            "cold_start": cold_start_split(data_dir)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.webprofile")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--oai-pages", type=int, default=200)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result = profile_web(args.data_dir.resolve(), args.out, oai_pages=args.oai_pages)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
