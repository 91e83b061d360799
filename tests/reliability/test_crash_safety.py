"""Crash safety: SIGKILL at random moments, then the next run puts everything right.

The store is the truth and is written one page per transaction with the run's checkpoint, so a
killed harvest loses at most the page in flight; the index and the dumps are derived and are
rebuilt by ``catalogue check --repair``; ``catalogue reindex`` builds beside the live index and
switches at the end, so killing it never takes search down.
"""

from __future__ import annotations

import gzip
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from catalogue.reports import last_reports
from catalogue.simulator import Simulator
from search import open_index
from search.base import SearchQuery
from tests.reliability.support import catalogue, store_of

# Demo source → simulator partner, for the "every record exactly once" check.
PARTNERS = {"bnf-gallica": "bnf", "ign-geoplateforme": "ign", "meteofrance-datagouv": "meteofrance",
            "ina-jalons": "ina"}
PATHS = ("/bnf/oai", "/ign/csw", "/meteofrance/api", "/ina/jalons")


def _published(simulator: Simulator, partner: str) -> set[str]:
    """What the partner lists as live records (data.gouv.fr also lists deleted and private
    datasets, which the udata protocol skips)."""
    entries = simulator.stores[partner].live()
    return {e.identifier for e in entries
            if not (isinstance(e.payload, dict)
                    and (e.payload.get("deleted") or e.payload.get("private") is True))}


def _assert_complete(env: dict[str, str], simulator: Simulator) -> None:
    """Every partner record is stored exactly once, or reported as failed (never both)."""
    store = store_of(env)
    try:
        for source_id, partner in PARTNERS.items():
            ids = [r.identifier for r in store.iter_records(source_id=source_id)]
            assert len(ids) == len(set(ids)), source_id
            failed = {f["identifier"] for f in last_reports(store, source_id)[0]["failures"]}
            assert not failed & set(ids), source_id
            assert set(ids) | failed == _published(simulator, partner), source_id
    finally:
        store.close()


# Where each round's kill lands: (source, after its first stored page?). Sources run in the
# order of the sources file; Gallica has many pages, so "after a page" still finds it running.
TARGETS = [("bnf-gallica", True), ("ign-geoplateforme", False), ("meteofrance-datagouv", False)]


def _wait_for_run(env: dict[str, str], proc: subprocess.Popen[bytes], source_id: str,
                  after_a_page: bool) -> None:
    """Return once ``source_id`` has a running run (with a checkpoint, if ``after_a_page``), or
    once the harvest has ended (the kill then finds nothing to kill and is not counted)."""
    store = store_of(env)
    try:
        for _ in range(6000):  # polls, not a timing assumption: the run normally shows in seconds
            if proc.poll() is not None:
                return
            try:
                run = store.running_run(source_id)
            except Exception:  # noqa: BLE001  (the store may not exist yet)
                run = None
            if run is not None and (run.checkpoint or not after_a_page):
                return
            time.sleep(0.02)
        raise AssertionError(f"no running run of {source_id}")
    finally:
        store.close()


@pytest.mark.slow
def test_harvests_killed_at_random_points_leave_a_store_the_next_run_completes(
    cli_env: dict[str, str], simulator: Simulator
) -> None:
    rng = random.Random(20240917)
    killed = 0
    for round_no in range(3):
        full = round_no % 2 == 0
        args = ["harvest", *(["--full"] if full else [])]
        # Slow pages so the run is long enough for the kill to land anywhere in it: in a
        # page, between two sources, while the index or the dumps are being written.
        for path in PATHS:
            simulator.faults.add(path, "slow", times=None, seconds=0.4)
        if round_no == 1:  # something to do for the incremental run too
            simulator.update_record("bnf", "oai:bnf.fr:gallica/ark:/12148/bpt6k852111", title="Nouveau")
        proc = subprocess.Popen([sys.executable, "-m", "catalogue", *args], env=cli_env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The kill lands at an event of the run, not after a delay a loaded machine would
        # stretch: while a source is running, either before or after its first stored page.
        # The incremental round has few pages: its kill lands while a random source runs.
        source_id, after_a_page = TARGETS[round_no] if full else (rng.choice(TARGETS)[0], False)
        _wait_for_run(cli_env, proc, source_id, after_a_page)
        proc.send_signal(signal.SIGKILL)
        killed += proc.wait() == -signal.SIGKILL  # (a run that had already ended is not counted)
        simulator.faults.clear()

        again = catalogue(cli_env, *args)
        assert again.returncode == 0, again.stdout + again.stderr
        assert not re.search(r": (failed|interrupted)", again.stdout), again.stdout
        checked = catalogue(cli_env, "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("ok:")
        _assert_complete(cli_env, simulator)
    assert killed >= 2
    store = store_of(cli_env)
    try:
        runs = store.runs(limit=200)
        assert all(r.status != "running" for r in runs)
        assert any(r.status == "interrupted" for r in runs)  # at least one kill landed mid-run
    finally:
        store.close()


def _damage(damage: str, data: Path, index_dir: Path, generation: Path) -> None:
    if damage == "index-meta":
        (generation / "meta.json").write_text("garbage")
    elif damage == "index-segments":
        for segment in generation.glob("*.store"):
            segment.write_bytes(segment.read_bytes()[:50])
    elif damage == "pointer":
        (index_dir / "CURRENT").write_text("index-does-not-exist\n")
    elif damage == "no-index":
        shutil.rmtree(index_dir)
    elif damage == "dump-truncated":
        dump = data / "dumps" / "resources.jsonl.gz"
        dump.write_bytes(dump.read_bytes()[:200])
    elif damage == "dump-garbage":
        dump = data / "dumps" / "resources.csv.gz"
        dump.write_bytes(b"\x1f\x8b" + b"\0" * (dump.stat().st_size - 2))
    elif damage == "manifest-garbage":
        (data / "dumps" / "dumps.json").write_text("{")
    elif damage == "dump-missing":
        (data / "dumps" / "resources.jsonl.gz").unlink()


@pytest.mark.slow
def test_check_repair_rebuilds_a_corrupted_index_and_damaged_dumps(cli_env: dict[str, str]) -> None:
    assert catalogue(cli_env, "harvest", "ina-jalons", "ign-geoplateforme").returncode == 0
    data = Path(cli_env["CATALOGUE_DATA_DIR"])
    live = store_of(cli_env).count_records()
    # Each round damages the index one way and the dumps another.
    for damages in (("index-meta", "dump-truncated"), ("index-segments", "manifest-garbage"),
                    ("pointer", "dump-garbage"), ("no-index", "dump-missing")):
        index_dir = data / "index"
        generation = index_dir / (index_dir / "CURRENT").read_text().strip()
        for damage in damages:
            _damage(damage, data, index_dir, generation)
        damage = "+".join(damages)
        broken = catalogue(cli_env, "check")
        assert broken.returncode == 4, (damage, broken.stdout, broken.stderr)
        assert broken.stdout.count("PROBLEM:") >= 2 and "Traceback" not in broken.stderr, damage
        repaired = catalogue(cli_env, "check", "--repair")
        assert repaired.returncode == 0, (damage, repaired.stdout, repaired.stderr)
        assert "REPAIRED: index rebuilt" in repaired.stdout
        assert "REPAIRED: dumps regenerated" in repaired.stdout
        ok = catalogue(cli_env, "check")
        assert ok.returncode == 0 and ok.stdout.startswith(f"ok: {live} live records"), (damage, ok.stdout)
        with gzip.open(data / "dumps" / "resources.jsonl.gz", "rt", encoding="utf-8") as fh:
            assert sum(1 for _ in fh) == live
        index = open_index(None, data)
        try:
            assert index.count() == live and index.search(SearchQuery(q="")).total == live
        finally:
            index.close()


@pytest.mark.slow
def test_reindex_killed_at_random_points_keeps_search_answering(cli_env: dict[str, str]) -> None:
    assert catalogue(cli_env, "harvest").returncode == 0
    data = Path(cli_env["CATALOGUE_DATA_DIR"])
    live = store_of(cli_env).count_records()
    reader = open_index(None, data)
    answers: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                answers.append(reader.search(SearchQuery(q="")).total)
                answers.append(reader.count())
            except BaseException as exc:  # noqa: BLE001  (any failure is what we look for)
                errors.append(exc)
            time.sleep(0.01)

    thread = threading.Thread(target=keep_searching, daemon=True)
    thread.start()
    rng = random.Random(7)
    try:
        for _ in range(3):
            proc = subprocess.Popen([sys.executable, "-m", "catalogue", "reindex"], env=cli_env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.4, 2.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            fresh = open_index(None, data)  # a new process opening the index now
            try:
                assert fresh.count() == live
            finally:
                fresh.close()
        done = catalogue(cli_env, "reindex")
        assert done.returncode == 0 and f"index rebuilt: {live} records" in done.stdout, done.stderr
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(5)
        reader.close()
    assert errors == []
    assert answers and set(answers) == {live}
    checked = catalogue(cli_env, "check")
    assert checked.returncode == 0, checked.stdout
    # Killed rebuilds leave no unbounded pile of half-built generations behind.
    assert len(list((data / "index").glob("index-*"))) <= 3
