"""Hostile XML through the real harvest path: simulator → HTTP client → protocol → pipeline.

Each attack is served by the partner simulator (the ``malformed`` fault's canned body, or the
``oversized`` fault's streamed body) to the OAI-PMH and the CSW source of a catalogue that
already holds their records. The page is refused with a precise line in the harvest report, no
file or network resource is read, and nothing stored before is lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from catalogue.reports import last_reports
from catalogue.simulator import Simulator
from core.xmlsafe import UnsafeXMLError, parse_xml
from tests.pipeline.conftest import Env
from tests.reliability import hostile as h
from tests.reliability.support import everything_stored, snapshot, store_of

SOURCES = {"bnf-gallica": ("/bnf/oai", "oai"), "ign-geoplateforme": ("/ign/csw", "csw")}

# name → (document builder, words the refusal must contain)
ATTACKS: dict[str, tuple[Callable[[Simulator, str], bytes], str]] = {
    "xxe-file": (lambda sim, kind: h.xxe_file(kind), "entities"),
    "xxe-http-loopback": (lambda sim, kind: h.xxe_http(sim.url("/_leak/entity"), kind), "entities"),
    "xxe-parameter-entity-and-external-dtd": (
        lambda sim, kind: h.xxe_parameter_entity(sim.url("/_leak"), kind), "entities"),
    "xxe-utf16": (lambda sim, kind: h.xxe_utf16(kind), "entities"),
    "billion-laughs": (lambda sim, kind: h.billion_laughs(kind), "entities"),
    "billion-laughs-after-70kb": (lambda sim, kind: h.billion_laughs(kind, pad=70_000), "entit"),
    "quadratic-blowup": (lambda sim, kind: h.quadratic_blowup(kind), "entities"),
    "quadratic-blowup-after-70kb": (lambda sim, kind: h.quadratic_blowup(kind, pad=70_000), "entit"),
    "deep-nesting-10000": (lambda sim, kind: h.deep_nesting(10_000, kind), "depth"),
    "invalid-utf8": (lambda sim, kind: h.invalid_utf8(kind), "encoding"),
    "control-characters": (lambda sim, kind: h.control_characters(kind), "char"),
}


@pytest.mark.parametrize("source_id", list(SOURCES))
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_page_is_refused_with_a_precise_report_and_nothing_is_lost(
    harvested: Env, source_id: str, attack: str
) -> None:
    sim, store = harvested.simulator, harvested.store
    path, kind = SOURCES[source_id]
    build, reason = ATTACKS[attack]
    before = snapshot(store)
    sim.faults.clear()
    sim.clear_requests()
    sim.faults.add(path, "malformed", times=None, body=build(sim, kind),
                   content_type="text/xml; charset=utf-8")
    try:
        result = harvested.harvest(source_id, full=True)
    finally:
        sim.faults.clear()

    assert result.status == "failed"
    report = last_reports(store, source_id)[0]
    assert report["status"] == "failed"
    failure = report["failures"][-1]
    assert failure["stage"] == "parse"
    assert failure["url"] and failure["url"].startswith(sim.url(path))
    assert reason in failure["message"].lower(), failure["message"]
    # No entity was resolved: neither the file nor the loopback URL was read.
    assert not [r for r in sim.requests if r.path.startswith("/_leak")]
    assert "root:" not in everything_stored(store)
    # Nothing stored before is lost or changed.
    assert snapshot(store) == before


def test_body_is_sent_as_bytes_exactly(module_simulator: Simulator) -> None:
    """The canned bodies above travel byte for byte, so the invalid UTF-8 and the UTF-16
    document really reach the parser as built."""
    import requests

    body = h.invalid_utf8("oai")
    module_simulator.faults.add("/bnf/oai", "malformed", times=1, body=body)
    got = requests.get(module_simulator.url("/bnf/oai"), headers={"Accept-Encoding": "identity"},
                       timeout=5).content
    assert got == body


@pytest.mark.parametrize("source_id", list(SOURCES))
def test_a_hostile_page_served_once_is_fetched_again_and_the_run_completes(
    harvested: Env, source_id: str
) -> None:
    sim, store = harvested.simulator, harvested.store
    path, kind = SOURCES[source_id]
    before = snapshot(store, source_id)
    sim.faults.add(path, "malformed", times=1, body=h.xxe_file(kind))
    result = harvested.harvest(source_id, full=True)
    assert result.status == "done" and result.counts["unchanged"] == len(before)
    assert snapshot(store, source_id) == before


def test_the_safe_parser_refuses_every_attack_directly() -> None:
    """The same documents straight into ``parse_xml`` (and with recover=True, which readers
    never use but must not open a hole either)."""
    sim = Simulator()  # not started: only its url() is used to build the documents
    sim.base_url = "http://127.0.0.1:9"
    for name, (build, _reason) in ATTACKS.items():
        for kind in ("oai", "csw"):
            for recover in (False, True):
                data = build(sim, kind)
                try:
                    root = parse_xml(data, recover=recover)
                except UnsafeXMLError:
                    continue
                # recover=True may salvage a tree from broken bytes, never an expanded entity.
                assert recover and name in ("invalid-utf8", "control-characters", "deep-nesting-10000"), name
                assert b"root:" not in __import__("lxml.etree").etree.tostring(root)


# -- a 200 MB page -----------------------------------------------------------------------------


def _harvest_rss(env: dict[str, str]) -> tuple[int, int]:
    """(exit code, peak RSS in bytes) of `catalogue harvest bnf-gallica --full`."""
    proc = subprocess.Popen([sys.executable, "-m", "catalogue", "harvest", "bnf-gallica", "--full"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss * 1024


@pytest.mark.slow
def test_a_200_mb_page_is_cut_off_at_the_size_limit_with_bounded_memory(
    cli_env: dict[str, str], simulator: Simulator
) -> None:
    """Baseline: the same run refused for a small malformed page. Then 200 MB streamed without
    Content-Length, announced with it, and gzip-compressed (a bomb): each is refused by the HTTP
    client's size cap while the harvest process grows by far less than the body."""
    env = {**cli_env, "CATALOGUE_HARVEST_RETRIES": "0"}
    simulator.faults.add("/bnf/oai", "malformed", times=None)
    code, baseline = _harvest_rss(env)
    assert code == 3
    cases: list[dict[str, Any]] = [{"announce": False}, {"announce": True}, {"gzip": True}]
    for params in cases:
        simulator.faults.clear()
        simulator.faults.add("/bnf/oai", "oversized", times=None, size=200 * 1024 * 1024, **params)
        code, peak = _harvest_rss(env)
        assert code == 3, params
        assert peak - baseline < 100 * 1024 * 1024, (params, peak, baseline)
        store = store_of(env)
        report = last_reports(store, "bnf-gallica")[0]
        store.close()
        failure = report["failures"][-1]
        assert failure["stage"] == "fetch" and failure["url"].startswith(simulator.url("/bnf/oai"))
        assert any(words in failure["message"] for words in ("limit", "exceeds", "expands past")), failure
        assert str(64 * 1024 * 1024) in failure["message"], failure  # the HTTP client's max_bytes
