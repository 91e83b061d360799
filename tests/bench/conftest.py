"""Registers the ``bench`` marker (pytest runs with --strict-markers)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "bench: runs the benchmark code path at a tiny size")
