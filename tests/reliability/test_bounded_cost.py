"""Issue 16, point 4: a page within the size cap costs memory and report rows in proportion to
its useful content, not to how many junk entries or empty elements it packs.

Each hostile page is served by a loopback partner and harvested in a child process (a fresh
interpreter, mapping in-process); the harness reads the child's peak memory from
``getrusage(RUSAGE_CHILDREN)`` of a small intermediate process once the child has exited, so
no other child of the test runner counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.partners import Answer, Partner, oai_dc_record, oai_list

PEAK_LIMIT_MB = 500
# Runs the harvest child and prints its peak RSS (kB) after it exited, then its output.
MEASURE = (
    "import resource, subprocess, sys\n"
    "out = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "print(out.returncode)\n"
    "sys.stdout.write(out.stdout[-4000:] + '\\n' + out.stderr[-4000:])\n"
)


def udata(entries: str, count: int) -> Answer:
    return Answer(('{"data": [' + ",".join([entries] * count) + '], "next_page": null}').encode(),
                  content_type="application/json")


def deep_json(levels: int) -> Answer:
    return Answer(('{"data": [' + "[" * levels + "]" * levels + '], "next_page": null}').encode(),
                  content_type="application/json")


def oai_elements(n: int) -> Answer:
    return Answer(oai_list(oai_dc_record("oai:bomb:1", extra="<x/>" * n)))


def oai_many_records(records: int, elements_each: int) -> Answer:
    return Answer(oai_list("".join(oai_dc_record(f"oai:many:{i}", f"Titre {i}",
                                                 extra="<dc:subject>mot</dc:subject>" * elements_each)
                                   for i in range(records))))


# name: (protocol, page, check of the child's result)
CASES: dict[str, tuple[str, Callable[[], Answer], Callable[[dict[str, Any]], None]]] = {}


def case(name: str, protocol: str, page: Callable[[], Answer]) -> Callable[..., Any]:
    def register(check: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        CASES[name] = (protocol, page, check)
        return check
    return register


@case("udata 1 MB of 500,000 junk entries", "udata", lambda: udata("1", 500_000))
def _junk_entries(result: dict[str, Any]) -> None:
    # Nothing could be stored: the run fails (issue 18.3), with its reason as the last row.
    assert result["status"] == "failed" and "aucune notice enregistrée" in result["error"]
    assert result["run_items"] <= 3  # collapsed: one row for 1,000 junk entries, one for the cut
    text = " ".join(result["messages"])
    assert "dataset entry is not a JSON object; skipped (×1000" in text
    assert "page of 500000 entries: only the first 1000 read" in text


@case("udata 4 MB of 1,000,000 empty objects", "udata", lambda: udata("{}", 1_000_000))
def _empty_objects(result: dict[str, Any]) -> None:
    assert result["status"] == "failed" and "objects/arrays (limit 200000)" in result["error"]
    assert result["run_items"] == 1


@case("udata 60 MB of 30,000,000 values", "udata", lambda: udata("0", 30_000_000))
def _values(result: dict[str, Any]) -> None:
    assert result["status"] == "failed" and "values (limit 2000000)" in result["error"]


@case("udata nested 150,000 levels deep", "udata", lambda: deep_json(150_000))
def _deep(result: dict[str, Any]) -> None:
    assert result["status"] == "failed"
    assert "nested too deeply (recursion depth limit reached)" in result["error"]
    assert "unexpected error" not in result["error"]


@case("OAI record of 8,000,000 empty elements (32 MB)", "oai-pmh", lambda: oai_elements(8_000_000))
def _elements(result: dict[str, Any]) -> None:
    assert result["status"] == "failed" and "more than 300000 elements" in result["error"]


@case("OAI record of 250,000 elements", "oai-pmh", lambda: oai_elements(250_000))
def _big_record(result: dict[str, Any]) -> None:
    assert result["status"] == "failed"  # its one record skipped: nothing stored
    assert "record has more than 200000 elements; skipped" in " ".join(result["messages"])


@case("OAI page of 1,000 records within the element limit", "oai-pmh",
      lambda: oai_many_records(1000, 250))
def _many(result: dict[str, Any]) -> None:
    assert result["status"] == "done" and result["counts"]["added"] == 1000


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_peak_memory_and_report_rows_stay_bounded(name: str, tmp_path: Path) -> None:
    protocol, page, check = CASES[name]
    answer = page()
    assert isinstance(answer.body, bytes) and len(answer.body) < 64 * 1024 * 1024  # within the cap
    with Partner(lambda _path: answer, max_requests=10) as partner:
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, sys.executable, "-m", "tests.reliability.harvest_child",
             f"sqlite:///{tmp_path / 'catalogue.db'}", protocol, partner.url("/feed")],
            capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2])
    peak_kb, code, *rest = proc.stdout.split("\n", 2)
    assert code == "0", proc.stdout + proc.stderr
    result = json.loads(rest[0].splitlines()[0])
    peak_mb = int(peak_kb) / 1024
    print(f"peak memory, {name}: {peak_mb:.0f} MB")
    assert peak_mb < PEAK_LIMIT_MB, f"{name}: peak {peak_mb:.0f} MB"
    check(result)
