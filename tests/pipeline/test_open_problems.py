"""Open problems per source (issue 18): a record that failed stays listed — in `catalogue report`
and on the partner page — until a later run stores it cleanly, whatever the runs in between.

The scenario of the issue, over the simulated Gallica OAI-PMH repository: 3 records lose their
title, a full run fails them, a quiet incremental run does not touch them (their datestamps are
older than its window), and they are still listed; the partner fixes them, they close.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.config import DEMO_SOURCES, Settings, load_sources
from catalogue.pipeline import Pipeline
from catalogue.reports import last_reports, render_report
from catalogue.simulator import Simulator
from catalogue.store import Store
from tests.pipeline.conftest import fast_http
from tests.webapp import running_app

SOURCE = "bnf-gallica"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[Simulator]:
    simulator = Simulator(clock=clock)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def partner_page(store_url: str, tmp_path: Path, partner: str = "bnf") -> str:
    settings = Settings(data_dir=tmp_path / "web", database_url=store_url, search_url=None,
                        sources_path=tmp_path / "sources.toml", oai_namespace="example.fr",
                        base_url="http://localhost")
    with running_app(settings) as app:
        response = app.test_client().get(f"/partenaires/{partner}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def open_section(page: str) -> str:
    """The partner page's "Problèmes ouverts" part, up to the next heading."""
    start = page.index("<h3>Problèmes ouverts</h3>")
    return page[start:page.index("<h3>", start + 5)]


def cli_report(store_url: str, tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(
        __import__("catalogue.cli", fromlist=["main"]).main, ["report", SOURCE, *args],
        env={"CATALOGUE_DATABASE_URL": store_url, "CATALOGUE_DATA_DIR": str(tmp_path / "cli")})
    assert result.exit_code == 0, result.output
    return result.output


def test_failed_records_stay_open_after_a_quiet_run_and_close_when_fixed(
    sim: Simulator, clock: Clock, store: Store, store_url: str, tmp_path: Path
) -> None:
    source = next(s for s in load_sources(DEMO_SOURCES, {"simulator": sim.url("")})
                  if s.id == SOURCE)
    pipeline = Pipeline(store, fast_http)
    pipeline.register([source])
    broken = sim.identifiers("bnf")[:3]
    clock.now = datetime.now(UTC) - timedelta(days=3)  # the partner broke them days ago
    for identifier in broken:
        sim.update_record("bnf", identifier, title="")
    clock.now = datetime.now(UTC)

    full = pipeline.harvest(source, full=True)
    assert full.status == "done-with-errors" and full.counts["failed"] == 3
    quiet = pipeline.harvest(source)
    assert quiet.status == "done" and quiet.counts["failed"] == 0
    assert quiet.counts["added"] + quiet.counts["updated"] == 0  # the 3 were not listed again

    report = last_reports(store, SOURCE)[0]
    assert report["run_id"] == quiet.run_id and report["failures"] == []  # the last run is clean
    assert report["open_problems_total"] == 3
    problems = report["open_problems"]
    assert sorted(p["identifier"] for p in problems) == sorted(broken)
    for p in problems:
        assert p["kind"] == "failed" and p["stage"] in ("map", "validate")
        assert "title" in p["message"]
        assert p["first_seen_run"] == p["last_seen_run"] == full.run_id
        assert p["runs_since"] == 2

    text = cli_report(store_url, tmp_path)
    assert "Problèmes ouverts" in text and "aucune erreur" in text  # last run clean, still open
    opened = text[text.index("Problèmes ouverts"):]
    assert all(identifier in opened for identifier in broken)
    assert f"depuis le moissonnage #{full.run_id}" in opened and "2 moissonnage(s) depuis" in opened
    data = json.loads(cli_report(store_url, tmp_path, "--json", "--history", "5"))
    assert data[0]["open_problems_total"] == 3
    assert [(h["run_id"], h["mode"], h["counts"]["failed"]) for h in data[0]["history"]] == [
        (quiet.run_id, "incremental", 0), (full.run_id, "full", 3)]
    history = cli_report(store_url, tmp_path, "--history", "1")
    assert "Derniers moissonnages :" in history
    assert f"#{quiet.run_id} " in history.split("Derniers moissonnages :")[1]
    assert f"#{full.run_id} " not in history.split("Derniers moissonnages :")[1]
    assert render_report([report], "en").count("since run #") == 3

    section = open_section(partner_page(store_url, tmp_path))
    assert all(identifier in section for identifier in broken)
    assert "3\u00a0notices restent" in section

    for n, identifier in enumerate(broken):  # the partner fixes them: today's datestamp
        sim.update_record("bnf", identifier, title=f"Titre rétabli {n}")
    fixed = pipeline.harvest(source)
    assert fixed.status == "done" and fixed.counts["added"] == 3
    after = last_reports(store, SOURCE)[0]
    assert after["open_problems"] == [] and after["open_problems_total"] == 0
    assert "aucun problème ouvert" in cli_report(store_url, tmp_path)
    assert "Aucun problème ouvert" in open_section(partner_page(store_url, tmp_path))
