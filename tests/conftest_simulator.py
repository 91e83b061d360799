"""Pytest plugin: a partner simulator per test and HTTP clients wired to it.

Load it with ``pytest_plugins = ["tests.conftest_simulator"]`` (or ``-p tests.conftest_simulator``).

Fixtures:

- ``simulator``: a started :class:`~catalogue.simulator.Simulator` (function scope: faults,
  mutations and the request log never leak between tests).
- ``sleeps``: a :class:`SleepRecorder` the HTTP client uses instead of ``time.sleep``, so tests
  assert *how long the client chose to wait* without waiting.
- ``http_client``: an :class:`~harvesters.http.HttpClient` allowed to reach the simulator only,
  with no politeness delay, short timeouts and the recording sleep.
- ``sim_source``: ``sim_source("sim-bnf-oai", page_size=…)`` → the SourceSpec of a simulator
  endpoint (ids from :data:`catalogue.simulator.SOURCE_OPTIONS`), options overridden.
- ``harvest``: run a harvester to the end and return its pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from catalogue.simulator import Simulator, source_specs
from harvesters.base import Page, SourceSpec, harvester_for
from harvesters.http import HttpClient


class SleepRecorder:
    """Stands in for ``time.sleep``: remembers each requested delay, returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    @property
    def total(self) -> float:
        return sum(self.calls)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    sim = Simulator()
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_client(sim: Simulator, sleeps: SleepRecorder, **overrides: Any) -> HttpClient:
    settings: dict[str, Any] = {
        "allowed_urls": [sim.base_url],
        "politeness_delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_retries": 3,
        "backoff_base": 1.0,
        "sleep": sleeps,
    }
    settings.update(overrides)
    return HttpClient(**settings)


@pytest.fixture
def http_client(simulator: Simulator, sleeps: SleepRecorder) -> Iterator[HttpClient]:
    client = make_client(simulator, sleeps)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def sim_source(simulator: Simulator) -> Callable[..., SourceSpec]:
    specs = {spec.id: spec for spec in source_specs(simulator.base_url)}

    def make(source_id: str, **options: Any) -> SourceSpec:
        spec = specs[source_id]
        return replace(spec, options={**spec.options, **options})

    return make


@pytest.fixture
def harvest(http_client: HttpClient) -> Callable[..., list[Page]]:
    def run(
        spec: SourceSpec,
        since: datetime | None = None,
        checkpoint: dict[str, Any] | None = None,
        http: HttpClient | None = None,
    ) -> list[Page]:
        harvester = harvester_for(spec, http or http_client)
        return list(harvester.pages(since=since, checkpoint=checkpoint))

    return run
