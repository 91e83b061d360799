"""Harvesting a real CSW server: pycsw 2.6 (PyPI) on loopback, over a SQLite repository loaded
with the recorded ISO 19139 records (``catalogue/simulator/recordings/ign``, copies of
``../shared/fixtures/ign`` — see PROVENANCE.md there; the 7 records the simulator serves).

pycsw runs in its own interpreter (``.venv-pycsw``, made by ``make install``; see
``pycsw-requirements.txt`` for why). Covered: a full run, an incremental run whose
``apiso:Modified`` filter pycsw accepts (it lists nothing when nothing changed), a changed record,
a record deleted at the server (gone after ``deletion_grace`` full runs, named in the report), and
the fallback when the filter is rejected (the bare ``Modified``).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from catalogue.config import Source
from catalogue.pipeline import HarvestResult, Pipeline
from catalogue.reports import last_reports
from catalogue.simulator.data import IGN_RECORDINGS, recording
from catalogue.store import Store
from core.xmlsafe import parse_xml
from harvesters.http import HttpClient

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("pycsw_server.py")
GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
NS = {"gmd": GMD, "gco": GCO}
CHANGED = "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44"
DELETED = "955c3e47-411e-4969-b61b-3556d1b9f879"


def pycsw_python() -> Path:
    path = Path(os.environ.get("CATALOGUE_PYCSW_PYTHON", ROOT / ".venv-pycsw" / "bin" / "python"))
    if not path.exists():
        message = f"pycsw's interpreter {path} is missing: run `make install`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def recorded_records() -> dict[str, bytes]:
    """Each recorded MD_Metadata once, by fileIdentifier, as a standalone document."""
    out: dict[str, bytes] = {}
    for name in IGN_RECORDINGS:
        for md in parse_xml(recording(name)).iter(f"{{{GMD}}}MD_Metadata"):
            identifier = (md.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS)
                          or "").strip()
            out.setdefault(identifier, etree.tostring(md, xml_declaration=True, encoding="UTF-8"))
    return out


def edited(document: bytes, title: str, stamp: datetime) -> bytes:
    md = parse_xml(document)
    md.find(".//gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:title/"
            "gco:CharacterString", NS).text = title  # type: ignore[union-attr]
    date_stamp = md.find("gmd:dateStamp", NS)
    assert date_stamp is not None
    for child in list(date_stamp):
        date_stamp.remove(child)
    etree.SubElement(date_stamp, f"{{{GCO}}}DateTime").text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(md, xml_declaration=True, encoding="UTF-8")


@dataclass
class PycswServer:
    python: Path
    db: Path
    work: Path
    url: str

    def admin(self, *args: str) -> None:
        subprocess.run([str(self.python), str(LAUNCHER), *args], check=True,
                       capture_output=True, timeout=120)

    def put(self, identifier: str, document: bytes) -> None:
        folder = self.work / f"put-{identifier}"
        folder.mkdir(exist_ok=True)
        (folder / "record.xml").write_bytes(document)
        self.admin("load", str(self.db), str(folder))

    def delete(self, identifier: str) -> None:
        self.admin("delete", str(self.db), identifier)


@pytest.fixture
def pycsw(tmp_path: Path) -> Iterator[PycswServer]:
    python = pycsw_python()
    records = tmp_path / "records"
    records.mkdir()
    for n, document in enumerate(recorded_records().values()):
        (records / f"{n}.xml").write_bytes(document)
    db = tmp_path / "pycsw.db"
    subprocess.run([str(python), str(LAUNCHER), "load", str(db), str(records)], check=True,
                   capture_output=True, timeout=120)
    port_file = tmp_path / "port"
    log = tmp_path / "pycsw.log"  # a file, not a pipe: pycsw logs a traceback per bad filter
    with log.open("wb") as errors:
        process = subprocess.Popen([str(python), str(LAUNCHER), "serve", str(db), str(port_file)],
                                   stdout=subprocess.DEVNULL, stderr=errors)
    try:
        for _ in range(600):  # the server writes its port once it listens
            if port_file.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        if not port_file.exists():
            process.kill()
            process.wait(timeout=10)
            raise RuntimeError(f"pycsw did not start: {log.read_text(errors='replace')[-2000:]}")
        url = f"http://127.0.0.1:{port_file.read_text()}/csw"
        yield PycswServer(python, db, tmp_path, url)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Harvests:
    def __init__(self, store: Store, source: Source) -> None:
        self.store = store
        self.source = source
        self.pipeline = Pipeline(store, lambda srcs: HttpClient(
            allowed_urls=[s.url for s in srcs], politeness_delay=0, max_retries=1,
            backoff_base=0.01, read_timeout=30, sleep=lambda _s: None))
        self.pipeline.register([source])

    def run(self, **kwargs: Any) -> HarvestResult:
        return self.pipeline.harvest(self.source, **kwargs)

    def titles(self) -> dict[str, str]:
        return {r.identifier: r.data["title"][0]["value"]
                for r in self.store.iter_records(source_id=self.source.id) if r.data}


def make_source(url: str, **options: Any) -> Source:
    return Source(id="pycsw-ign", name="pycsw", partner="ign", protocol="csw", url=url,
                  partner_name="IGN (pycsw)", options={"page_size": 3, **options})


def test_full_incremental_change_and_deletion_against_pycsw(pycsw: PycswServer, store: Store) -> None:
    cat = Harvests(store, make_source(pycsw.url))
    full = cat.run(full=True)
    assert full.status == "done", full.error
    assert full.counts["added"] == 7 and full.counts["failed"] == 0
    assert set(cat.titles()) == set(recorded_records())
    assert cat.titles()[CHANGED] == "Plan local d'urbanisme de la commune de Cartigny"

    # Nothing changed: pycsw accepts apiso:Modified and lists nothing (a full listing would
    # have brought 7 unchanged records).
    quiet = cat.run()
    assert quiet.status == "done", quiet.error
    assert sum(quiet.counts[k] for k in ("added", "updated", "unchanged", "failed")) == 0
    assert last_reports(store, "pycsw-ign")[0]["warnings"] == []

    pycsw.put(CHANGED, edited(recorded_records()[CHANGED], "PLU de Cartigny, révision 2026",
                              datetime.now(UTC)))
    changed = cat.run()
    assert changed.status == "done", changed.error
    assert changed.counts["updated"] == 1 and changed.counts["unchanged"] == 0
    assert cat.titles()[CHANGED] == "PLU de Cartigny, révision 2026"

    pycsw.delete(DELETED)
    assert cat.run().counts["deleted"] == 0  # CSW has no tombstones: only full runs tell
    first = cat.run(full=True)
    assert first.status == "done" and first.counts["unchanged"] == 6
    assert first.counts["deleted"] == 0 and DELETED in cat.titles()  # one miss: grace is 2
    second = cat.run(full=True)
    assert second.counts["deleted"] == 1 and DELETED not in cat.titles()
    assert len(cat.titles()) == 6
    deleted = store.run_items(second.run_id, outcomes=("deleted",))  # type: ignore[arg-type]
    assert [(i.identifier, i.message) for i in deleted] == [
        (DELETED, "absent from 2 consecutive full harvests")]
    named = last_reports(store, "pycsw-ign")[0]["deletions"]
    assert [(d["identifier"], d["reason"], d["full_runs"]) for d in named] == [(DELETED, "absent", 2)]


def test_filter_rejected_by_pycsw_falls_back_to_a_full_listing(pycsw: PycswServer,
                                                               store: Store) -> None:
    cat = Harvests(store, make_source(pycsw.url))
    assert cat.run(full=True).status == "done"
    cat.source = replace(cat.source, options={**cat.source.options, "modified_queryable": "Modified"})
    result = cat.run()  # what the catalogue sent before: pycsw answers "Invalid Filter syntax"
    assert result.status == "done", result.error
    assert result.counts["unchanged"] == 7 and result.counts["failed"] == 0
    report = last_reports(store, "pycsw-ign")[0]
    assert report["failures"] == []
    assert len(report["warnings"]) == 1
    assert "Invalid Filter syntax" in report["warnings"][0]["message"]
