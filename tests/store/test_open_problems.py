"""When a source's problem stays open and what closes it (Store.open_problems)."""

from __future__ import annotations

from typing import Any

from catalogue.store import RunItem, Store


def run(store: Store, mode: str, *items: RunItem, status: str = "done",
        resumed_from: int | None = None, **counts: Any) -> int:
    run_id = store.start_run("s", mode, resumed_from=resumed_from)
    store.add_run_items(run_id, items)
    store.finish_run(run_id, status, dict(counts))
    return run_id


def failed(identifier: str) -> RunItem:
    return RunItem(identifier, f"s:{identifier}", "failed", "map", "no dc:title")


def stored(identifier: str, outcome: str = "added", warning: str | None = None) -> RunItem:
    return RunItem(identifier, f"s:{identifier}", outcome, "map" if warning else None, warning)


def open_ids(store: Store) -> list[str]:
    return [p.identifier for p in store.open_problems("s")[0]]


def setup(store: Store) -> Store:
    store.upsert_source(id="s", partner="p", partner_name="P", name="S", protocol="oai-pmh",
                        url="http://x", config={})
    return store


def test_a_failure_stays_open_across_runs_that_do_not_fix_it(store: Store) -> None:
    setup(store)
    first = run(store, "full", failed("a"), failed("b"), status="done-with-errors")
    run(store, "incremental")
    again = run(store, "incremental", failed("a"), stored("b", "unchanged"))
    problems, total = store.open_problems("s")
    # Longest unseen first: b was last seen in the first run, a in the third.
    assert total == 2 and [p.identifier for p in problems] == ["b", "a"]
    b, a = problems
    assert (a.first_seen_run, a.last_seen_run, a.runs_since) == (first, again, 3)
    assert (b.first_seen_run, b.last_seen_run) == (first, first)  # "unchanged" fixes nothing
    assert a.kind == "failed" and a.stage == "map" and a.message == "no dc:title"


def test_a_clean_store_or_a_deletion_closes_it(store: Store) -> None:
    setup(store)
    run(store, "full", failed("a"), failed("b"), failed("c"), status="done-with-errors")
    run(store, "incremental", stored("a"), stored("b", "updated"),
        RunItem("c", "s:c", "deleted"))
    assert open_ids(store) == []
    run(store, "incremental", failed("a"))  # broken again: a new problem, first seen now
    (again,), _ = store.open_problems("s")
    assert again.identifier == "a" and again.runs_since == 1


def test_warnings_stay_open_until_stored_without_one(store: Store) -> None:
    setup(store)
    run(store, "full", stored("a", warning="title clipped to 500 characters"))
    run(store, "incremental", stored("a", "unchanged"))
    (problem,), _ = store.open_problems("s")
    assert problem.kind == "warning" and "clipped" in (problem.message or "")
    run(store, "incremental", stored("a", "updated"))
    assert open_ids(store) == []


def test_a_never_stored_record_closes_when_a_complete_full_listing_no_longer_has_it(
    store: Store
) -> None:
    setup(store)
    run(store, "full", failed("gone"), status="done-with-errors")
    run(store, "incremental")
    assert open_ids(store) == ["gone"]  # an incremental run says nothing about absence
    run(store, "full", status="done-with-errors", page_errors=1)
    assert open_ids(store) == ["gone"]  # a page error may have hidden it
    interrupted = run(store, "full", failed("gone"), status="interrupted")
    run(store, "full", status="done", resumed_from=interrupted)
    assert open_ids(store) == ["gone"]  # the resumed listing saw it before the interruption
    run(store, "full")
    assert open_ids(store) == []


def test_other_sources_and_the_limit(store: Store) -> None:
    setup(store)
    run(store, "full", *(failed(f"r{n}") for n in range(5)), status="done-with-errors")
    store.upsert_source(id="t", partner="p", partner_name="P", name="T", protocol="oai-pmh",
                        url="http://y", config={})
    other = store.start_run("t", "full")
    store.add_run_items(other, [RunItem("x", "t:x", "failed", "map", "no dc:title")])
    problems, total = store.open_problems("s", limit=2)
    assert total == 5 and [p.identifier for p in problems] == ["r0", "r1"]
    assert [p.identifier for p in store.open_problems("t")[0]] == ["x"]
