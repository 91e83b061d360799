"""What one source may cost in one run: pages, records and wall-clock time.

A partner that hands out a new resumption token on every page, a ``next`` link that never ends,
or a server trickling bytes must not keep a harvest command busy forever: every later source of
the same command would never run. The budget is checked by the pipeline after every page (any
protocol) and, for time, by the HTTP client while a page is read. A source over budget fails
alone, with one report line naming the limit and how to raise it; the pages stored before stay.

Defaults come from the settings (``CATALOGUE_HARVEST_MAX_PAGES``, ``..._MAX_RECORDS``,
``..._MAX_SECONDS``); a source overrides them with ``max_pages``, ``max_records`` and
``max_seconds`` in the sources file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harvesters.base import HarvestFailed

DEFAULT_MAX_PAGES = 10_000
DEFAULT_MAX_RECORDS = 2_000_000
DEFAULT_MAX_SECONDS = 6 * 3600.0


class BudgetReached(HarvestFailed):
    """The source used up one of its budgets in this run."""


@dataclass(frozen=True)
class Limits:
    """The budgets of one run of one source."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_records: int = DEFAULT_MAX_RECORDS
    max_seconds: float = DEFAULT_MAX_SECONDS

    def for_source(self, options: Mapping[str, Any]) -> Limits:
        """These limits with the source's own ``max_pages`` / ``max_records`` / ``max_seconds``."""

        def number(name: str, default: float) -> float:
            raw = options.get(name, default)
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValueError(f"option {name!r} must be a number, got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"option {name!r} must be > 0, got {raw!r}")
            return value

        return Limits(int(number("max_pages", self.max_pages)),
                      int(number("max_records", self.max_records)),
                      number("max_seconds", self.max_seconds))


@dataclass
class Budget:
    """The running account of one run against its :class:`Limits`."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    pages: int = 0
    records: int = 0
    started: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def deadline(self) -> float:
        """The ``clock()`` time the run must end by (given to the HTTP client)."""
        return self.started + self.limits.max_seconds

    def spend(self, records: int, url: str | None = None) -> None:
        """Count one page of ``records``; raise :class:`BudgetReached` (the page is then not
        stored) once a limit is passed."""
        self.pages += 1
        self.records += records
        if self.pages > self.limits.max_pages:
            raise BudgetReached(
                f"stopped: page budget reached (more than max_pages={self.limits.max_pages} "
                "pages in one run)", url=url)
        if self.records > self.limits.max_records:
            raise BudgetReached(
                f"stopped: record budget reached (more than max_records="
                f"{self.limits.max_records} records in one run)", url=url)
        if self.clock() >= self.deadline:
            raise BudgetReached(
                f"stopped: time budget reached (max_seconds={self.limits.max_seconds:g})", url=url)
