"""The partner simulator itself: protocol behaviour, HTTP control API, CLI, isolation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from catalogue.simulator import Simulator, source_specs
from core.xmlsafe import parse_xml
from harvesters.base import harvester_for
from harvesters.http import HttpClient

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ROOT = Path(__file__).resolve().parents[2]


def oai(sim: Simulator, **params: str) -> bytes:
    response = requests.get(sim.url("/bnf/oai"), params=params, timeout=5)
    assert response.status_code == 200
    return response.content


def oai_error(sim: Simulator, **params: str) -> str | None:
    error = parse_xml(oai(sim, **params)).find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_oai_pages_keep_the_recorded_padding(simulator):
    page = oai(simulator, verb="ListRecords", metadataPrefix="oai_dc")
    assert b"<identifier>\n\t\t\t\toai:bnf.fr:gallica/ark:/12148/btv1b7711393v</identifier>" in page
    root = parse_xml(page)
    token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    assert token is not None and token.text == "\n\t\t2!2!30!!!!oai_dc"
    assert token.get("completeListSize") == "104" and token.get("cursor") == "0"


def test_oai_last_page_has_an_empty_token_with_attributes(simulator):
    root = parse_xml(oai(simulator, verb="ListRecords", resumptionToken="2!2!90!!!!oai_dc"))
    token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    assert token is not None and not (token.text or "").strip()
    assert token.get("cursor") == "90"
    assert len(root.findall(f"{OAI}ListRecords/{OAI}record")) == 14


def test_oai_protocol_errors(simulator):
    assert oai_error(simulator, verb="Nope") == "badVerb"
    assert oai_error(simulator, verb="ListRecords") == "badArgument"
    assert oai_error(simulator, verb="ListRecords", metadataPrefix="oai_dc",
                     **{"from": "2020-01-01T00:00:00Z"}) == "badArgument"
    assert oai_error(simulator, verb="ListRecords", resumptionToken="2!2!30!!!!oai_dc",
                     metadataPrefix="oai_dc") == "badArgument"
    assert oai_error(simulator, verb="ListRecords", resumptionToken=" 2!2!30!!!!oai_dc") == \
        "badResumptionToken"
    assert oai_error(simulator, verb="ListRecords", metadataPrefix="lom") == \
        "cannotDisseminateFormat"
    assert oai_error(simulator, verb="ListRecords", metadataPrefix="oai_dc", set="nope") == \
        "noRecordsMatch"
    assert oai_error(simulator, verb="GetRecord", metadataPrefix="oai_dc",
                     identifier="oai:bnf.fr:nope") == "idDoesNotExist"


def test_oai_other_verbs(simulator):
    identify = parse_xml(oai(simulator, verb="Identify"))
    assert (identify.findtext(f"{OAI}Identify/{OAI}granularity") or "").strip() == "YYYY-MM-DD"
    record = parse_xml(oai(simulator, verb="GetRecord", metadataPrefix="oai_dc",
                           identifier="oai:bnf.fr:gallica/ark:/12148/bpt6k852111"))
    assert record.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata") is not None
    headers = parse_xml(oai(simulator, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert len(headers.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 30
    sets = parse_xml(oai(simulator, verb="ListSets"))
    specs = {s.text for s in sets.iter(f"{OAI}setSpec")}
    assert {"gallica", "gallica:8", "gallica:8:84", "gallica:typedoc:monographies"} <= specs


def test_csw_past_the_end_is_geonetworks_exception_report(simulator):
    response = requests.get(simulator.url("/ign/csw"), timeout=5, params={
        "service": "CSW", "request": "GetRecords", "startPosition": 199, "maxRecords": 2})
    assert response.status_code == 400
    assert b'locator="startPosition"' in response.content
    assert b"Start position (199) can't be greater than number of matching records (7 " \
        in response.content


def test_http_control_api(simulator):
    base = simulator.base_url
    created = requests.post(f"{base}/_sim/faults", timeout=5, json={
        "path": "/ina/rss", "kind": "status", "times": 1, "params": {"status": 503}})
    assert created.status_code == 201
    assert requests.get(f"{base}/ina/rss", timeout=5).status_code == 503
    assert requests.get(f"{base}/ina/rss", timeout=5).status_code == 200
    log = requests.get(f"{base}/_sim/requests", timeout=5).json()
    assert [(e["method"], e["path"]) for e in log] == [("GET", "/ina/rss")] * 2
    mutated = requests.post(f"{base}/_sim/records", timeout=5, json={
        "action": "delete", "partner": "ina", "identifier": "InaEdu90001"})
    assert mutated.status_code == 200
    assert "InaEdu90001" not in simulator.identifiers("ina")
    bad = requests.post(f"{base}/_sim/records", timeout=5, json={
        "action": "delete", "partner": "nobody", "identifier": "x"})
    assert bad.status_code == 400
    requests.post(f"{base}/_sim/faults", timeout=5,
                  json={"path": "/", "kind": "status", "times": None})
    assert requests.post(f"{base}/_sim/reset", timeout=5, json={"data": True}).status_code == 200
    assert simulator.requests == [] and simulator.faults.list() == []
    assert "InaEdu90001" in simulator.identifiers("ina")
    assert requests.get(f"{base}/ina/rss", timeout=5).status_code == 200


def test_state_is_per_instance(simulator):
    with Simulator() as other:
        simulator.delete_record("bnf", "oai:bnf.fr:gallica/ark:/12148/bpt6k852111")
        simulator.faults.add("/", "down")
        assert "oai:bnf.fr:gallica/ark:/12148/bpt6k852111" in other.identifiers("bnf")
        assert requests.get(other.url("/ina/rss"), timeout=5).status_code == 200
        assert other.requests and not simulator.requests


def test_add_record_is_listed(simulator, sim_source, harvest):
    simulator.add_record("ina", "InaEdu90100", title="Nouvelle vidéo")
    ids = [r.identifier for p in harvest(sim_source("sim-ina-jalons")) for r in p.records]
    assert ids[-1] == "InaEdu90100"
    simulator.add_record("bnf", "oai:bnf.fr:gallica/ark:/12148/new1", title="Nouveau document")
    got = [r for p in harvest(sim_source("sim-bnf-oai")) for r in p.records]
    assert got[-1].identifier == "oai:bnf.fr:gallica/ark:/12148/new1"
    assert b"Nouveau document" in got[-1].content


def test_module_entry_point_serves_and_accepts_faults_over_http():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogue.simulator", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("catalogue partner simulator on http://127.0.0.1:")
        base = banner.split(" on ", 1)[1].strip()
        requests.post(f"{base}/_sim/faults", timeout=5,
                      json={"path": "/ign/csw", "kind": "status", "params": {"status": 503}})
        sleeps: list[float] = []
        client = HttpClient(allowed_urls=[base], politeness_delay=0, sleep=sleeps.append)
        spec = next(s for s in source_specs(base) if s.id == "sim-ign-csw")
        ids = [r.identifier for p in harvester_for(spec, client).pages() for r in p.records]
        assert len(ids) == 7 and sleeps == [1.0]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("source_id", [s.id for s in source_specs("http://127.0.0.1:1")])
def test_every_endpoint_harvests_cleanly(simulator, http_client, source_id):
    spec = next(s for s in source_specs(simulator.base_url) if s.id == source_id)
    pages = list(harvester_for(spec, http_client).pages())
    ids = [r.identifier for p in pages for r in p.records]
    assert ids and len(ids) == len(set(ids))
    assert all(not p.issues for p in pages)


def test_stopped_simulator_stops_answering_kept_alive_connections():
    sim = Simulator()
    base = sim.start()
    session = requests.Session()
    assert session.get(f"{base}/ina/rss", timeout=5).status_code == 200
    sim.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(f"{base}/ina/rss", timeout=5)
