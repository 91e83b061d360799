"""Two independent harvesters (Sickle, pyoai) harvest the catalogue over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from catalogue.store import Store
from tests.oai.conftest import make_app
from tests.oai.e2e import check_harvest, harvest_with_pyoai, harvest_with_sickle
from tests.oai.support import make_record, write
from tests.webapp import serving


@pytest.fixture
def served(oai_store: tuple[Store, dict[str, datetime]], store_url: str, tmp_path: Path) -> Iterator[str]:
    """The app on 127.0.0.1 (ephemeral port) in a thread; yields the OAI base URL."""
    app = make_app(store_url, tmp_path, oai_page_size=7, oai_identifiers_page_size=9)
    with serving(app) as origin:
        yield f"{origin}/oai"
    app.extensions["catalogue"].store.close()


def test_two_clients_harvest_everything(served: str, oai_store: tuple[Store, dict[str, datetime]]) -> None:
    store, _ = oai_store
    # More records than one page so both clients follow several resumption tokens.
    write(store, [make_record(f"bulk-{i:03d}", f"Document n°{i} <&>", levels=("scolomfr-voc-022-num-015",))
                  for i in range(40)])
    reports = check_harvest(served, store)
    live = store.count_records()
    total = store.count_records(include_deleted=True)
    for report in reports:
        assert report.count == total and report.deleted == total - live
        assert report.titled == live  # every live record's oai_dc was parsed with its title


def test_comparison_detects_a_missing_record(served: str,
                                             oai_store: tuple[Store, dict[str, datetime]]) -> None:
    """The end-to-end check is not vacuous: a record the server never lists is reported."""
    store, _ = oai_store
    harvested, _ = harvest_with_sickle(served)
    assert len(harvested) == store.count_records(include_deleted=True)
    pyoai, _ = harvest_with_pyoai(served)
    assert pyoai == harvested  # both clients see the same list in the same order
    write(store, [make_record("late", "Arrivé après la moisson")])
    from tests.oai.e2e import compare, store_view

    with pytest.raises(AssertionError, match="1 missing"):
        compare("sickle", harvested, store_view(store, "catalogue.education.fr"))
