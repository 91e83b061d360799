"""One harvest in a process of its own, for memory measurements: ``python -m
tests.reliability.harvest_child DB_URL PROTOCOL URL`` prints the result as JSON."""

from __future__ import annotations

import json
import sys

from sqlalchemy import func, select

from catalogue import tables as t
from catalogue.config import Source
from catalogue.pipeline import Pipeline
from catalogue.store import Store
from tests.pipeline.conftest import fast_http


def main() -> None:
    url, protocol, source_url = sys.argv[1:4]
    store = Store(url)
    store.upgrade()
    source = Source(id="hostile", name="Partenaire hostile", partner="bnf", protocol=protocol,
                    url=source_url, partner_name="BnF / Gallica")
    pipeline = Pipeline(store, fast_http, workers=0)
    pipeline.register([source])
    result = pipeline.harvest(source)
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(t.run_items)).scalar_one()
        messages = [m for (m,) in conn.execute(select(t.run_items.c.message).limit(10))]
    print(json.dumps({"status": result.status, "error": result.error, "counts": result.counts,
                      "run_items": rows, "messages": messages}))


if __name__ == "__main__":
    main()
