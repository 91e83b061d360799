"""Issue 16, point 5: the partner page and ``catalogue report`` read the first N items of a run
and a count, whatever the size of the run. (The 2,000,000-item figure is a benchmark:
``python -m bench.report_bench``, in docs/benchmarks.md.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.report_bench import build
from catalogue.config import Settings
from catalogue.reports import run_report
from catalogue.store import Store
from web.app import create_app
from web.ui.partners_view import MAX_FAILURES

ITEMS = 40_000  # one failure and one warning every 200 items: 200 of each


def test_partner_page_and_report_read_n_items_and_correct_totals(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'catalogue.db'}")
    store.upgrade()
    run_id = build(store, ITEMS)
    run = store.run(run_id)
    assert run is not None
    report = run_report(store, run, max_items=25)
    assert report["failures_total"] == ITEMS // 200 and len(report["failures"]) == 25
    assert report["warnings_total"] == ITEMS // 200 and len(report["warnings"]) == 25
    assert report["failures"][0]["message"] == "dataset entry 0 is not an object"  # oldest first

    settings = Settings(data_dir=tmp_path, database_url=store.url, search_url=None,
                        sources_path=tmp_path / "none.toml", oai_namespace="test.example",
                        base_url="http://localhost:8000")
    app = create_app(settings)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.extensions["catalogue"].store.engine
    event.listen(engine, "before_cursor_execute", record)
    page = app.test_client().get("/partenaires/bnf")
    event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    last_run, still_open = html.split("<h3>Problèmes ouverts</h3>")
    left = ITEMS // 200 - MAX_FAILURES
    assert len(re.findall(r"dataset entry \d+ is not an object", last_run)) == MAX_FAILURES
    assert re.search(rf"… et {left} autres", last_run), "the total beyond the listed items is shown"
    # Every open problem of the source: its 200 failures and 200 warnings, the first 100 listed.
    assert f"{ITEMS // 100}\u00a0notices restent" in still_open
    assert len(re.findall(r"dataset entry \d+ is not an object|title clipped", still_open)) \
        == MAX_FAILURES
    assert re.search(rf"… et {ITEMS // 100 - MAX_FAILURES} autres", still_open)
    on_items = [s for s in statements if "run_items" in s]
    assert on_items, "the page reads the run's items"
    for statement in on_items:  # every read of run items is a count or has a LIMIT
        assert "count(" in statement.lower() or "LIMIT" in statement, statement
    app.extensions["catalogue"].store.close()
    store.close()
