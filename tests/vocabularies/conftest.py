"""One compiled vocabulary per test session, cached in the session's temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.vocabularies import Vocabulary, build_vocabulary

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    return build_vocabulary(cache_dir=tmp_path_factory.getbasetemp() / "scolomfr-cache")
