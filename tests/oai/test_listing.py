"""catalogue.listing: keyset pages in change order, selections, summaries."""

from __future__ import annotations

from datetime import datetime, timedelta

from catalogue import listing
from catalogue.listing import Selection
from catalogue.store import Store
from tests.oai.support import BASE_TIME, CM2, CYCLE3, HISTGEO, make_record, write


def test_pages_follow_change_order_and_selections(oai_store: tuple[Store, dict[str, datetime]]) -> None:
    store, stamps = oai_store
    everything = list(listing.iter_selection(store, Selection(), batch=4))
    assert [r.seq for r in everything] == sorted(r.seq for r in everything)
    assert {r.id for r in everything} == set(stamps)
    assert sum(r.deleted for r in everything) == 2
    assert listing.count(store, Selection()) == len(stamps)
    assert listing.count(store, Selection(include_deleted=False)) == len(stamps) - 2

    cm2 = Selection(facet="level", value=CM2)
    assert {r.record()["title"][0]["value"] for r in listing.iter_selection(store, cm2)} == {  # type: ignore[index]
        "La Révolution française", "Le premier pas sur la Lune"}
    assert listing.count(store, Selection(facet="level", value=CYCLE3)) == 4
    assert listing.count(store, Selection(facet="discipline")) == 5
    assert listing.count(store, Selection(partner="ina")) == 3

    headers_only = listing.list_page(store, Selection(), limit=3, with_data=False)
    assert len(headers_only) == 3 and all(r.data is None for r in headers_only)


def test_summary_skips_to_the_first_record_of_the_window(
        oai_store: tuple[Store, dict[str, datetime]]) -> None:
    store, stamps = oai_store
    since = BASE_TIME + timedelta(minutes=5)
    window = Selection(since=since)
    total, after = listing.summary(store, window)
    page = listing.list_page(store, window, after_seq=after, limit=100)
    assert total == len(page) == sum(1 for s in stamps.values() if s >= since)
    assert page[0].seq == after + 1
    # A change after the summary is still found after the first page's keyset.
    record = make_record("late", "Arrivé tard", levels=(CM2,), disciplines=(HISTGEO,))
    write(store, [record])
    rest = listing.list_page(store, window, after_seq=page[-1].seq, limit=100)
    assert [r.id for r in rest] == [record["id"]]
    with listing.reader(store) as rd:
        assert rd.facets_of([record["id"]])[record["id"]]["discipline"] == [HISTGEO]
        assert rd.get(record["id"]) is not None and rd.exists(record["id"]) and not rd.exists("nope")
        assert ("bnf", "BnF / Gallica") in rd.partners()
        assert rd.earliest_datestamp() == min(stamps.values())
