"""Every protocol, over real HTTP from the simulator, through the pipeline into the store —
and the protocol faults partners inflict, checked on the store and the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue.config import Source
from catalogue.pipeline import HarvestResult, Pipeline
from catalogue.reports import last_reports
from catalogue.simulator import Simulator, source_specs
from catalogue.store import Store
from harvesters.http import HttpClient

PARTNERS = {"bnf": "bnf", "ign": "ign", "meteofrance": "meteofrance", "vanves": "meteofrance",
            "ina": "ina"}

# (source, original identifier, title) that must be in the store after one harvest.
EXPECTED = {
    "sim-bnf-oai": ("oai:bnf.fr:gallica/ark:/12148/bpt6k852111", "Voyages en Égypte et en Nubie"),
    "sim-ign-csw": ("fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44",
                    "Plan local d'urbanisme de la commune de Cartigny"),
    "sim-meteofrance-udata": ("6569b3d7d193b4daf2b43edc",
                              "Données climatologiques de base - mensuelles"),
    "sim-meteofrance-dcat": ("2", "Dataset 2"),
    "sim-meteofrance-dcat-ttl": ("2", "Dataset 2"),
    "sim-vanves-dcat": ("https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/",
                        "Bureaux de vote - Vanves"),
    "sim-ina-jalons": ("InaEdu90001", "Le débarquement allié en Normandie"),
    "sim-ina-rss": ("http://fresques.ina.fr/jalons/fiche-media/InaEdu90001/"
                    "le-debarquement-allie-en-normandie.html", "Le débarquement allié en Normandie"),
    "sim-ina-atom": ("http://fresques.ina.fr/jalons/fiche-media/InaEdu90001/"
                     "le-debarquement-allie-en-normandie.html", "Le débarquement allié en Normandie"),
}
COUNTS = {"sim-bnf-oai": 104, "sim-ign-csw": 7, "sim-meteofrance-udata": 9, "sim-meteofrance-dcat": 4,
          "sim-meteofrance-dcat-ttl": 4, "sim-vanves-dcat": 2, "sim-ina-jalons": 8, "sim-ina-rss": 8,
          "sim-ina-atom": 8}


class Catalogue:
    def __init__(self, simulator: Simulator, store: Store, **http: Any) -> None:
        self.store = store
        self.sources = {
            spec.id: Source(id=spec.id, name=spec.id, partner=PARTNERS[spec.id.split("-")[1]],
                            protocol=spec.protocol, url=spec.url, partner_name=spec.id,
                            options=spec.options)
            for spec in source_specs(simulator.url(""))
        }
        options = {"politeness_delay": 0, "max_retries": 3, "backoff_base": 0.01,
                   "read_timeout": 5, "sleep": lambda _s: None, **http}
        self.pipeline = Pipeline(store, lambda srcs: HttpClient(
            allowed_urls=[s.url for s in srcs], **options))
        self.pipeline.register(self.sources.values())

    def harvest(self, source_id: str, **kwargs: Any) -> HarvestResult:
        return self.pipeline.harvest(self.sources[source_id], **kwargs)

    def identifiers(self, source_id: str) -> list[str]:
        return [r.identifier for r in self.store.iter_records(source_id=source_id)]


@pytest.fixture
def cat(simulator: Simulator, store: Store) -> Iterator[Catalogue]:
    yield Catalogue(simulator, store)


@pytest.mark.parametrize("source_id", sorted(EXPECTED))
def test_each_protocol_lands_in_the_store(cat: Catalogue, source_id: str) -> None:
    result = cat.harvest(source_id)
    assert result.status in ("done", "done-with-errors"), result.error
    identifier, title = EXPECTED[source_id]
    titles = {r.identifier: r.data["title"][0]["value"]
              for r in cat.store.iter_records(source_id=source_id) if r.data}
    assert titles[identifier].startswith(title)
    ids = cat.identifiers(source_id)
    assert len(ids) == len(set(ids)) == COUNTS[source_id]
    assert cat.store.run_counts([result.run_id or 0])["added"] == COUNTS[source_id]


def test_timeout_then_success(simulator: Simulator, store: Store) -> None:
    cat = Catalogue(simulator, store, read_timeout=0.5)
    simulator.faults.add("/ina/jalons", "slow", times=1, after=1, seconds=2)
    result = cat.harvest("sim-ina-jalons")
    assert result.status == "done" and len(cat.identifiers("sim-ina-jalons")) == 8


def test_truncated_page_is_fetched_again(cat: Catalogue, simulator: Simulator) -> None:
    simulator.faults.add("/bnf/oai", "truncated", times=1, after=1)
    result = cat.harvest("sim-bnf-oai")
    assert result.status == "done" and len(set(cat.identifiers("sim-bnf-oai"))) == 104


def test_truncated_for_good_fails_the_source_and_keeps_the_store(cat: Catalogue,
                                                                  simulator: Simulator) -> None:
    assert cat.harvest("sim-ign-csw").status == "done"
    simulator.faults.add("/ign/csw", "truncated", times=None)
    result = cat.harvest("sim-ign-csw", full=True)
    assert result.status == "failed"
    assert len(cat.identifiers("sim-ign-csw")) == 7  # nothing stored before is lost
    report = last_reports(cat.store, "sim-ign-csw")[0]
    assert report["failures"] and report["failures"][0]["stage"] in ("fetch", "parse")


def test_rejected_csw_filter_is_a_warning_not_a_failed_run(
    cat: Catalogue, simulator: Simulator, store_url: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    from tests.pipeline.test_open_problems import partner_page

    assert cat.harvest("sim-ign-csw").status == "done"
    source = cat.sources["sim-ign-csw"]
    cat.sources["sim-ign-csw"] = replace(source, options={**source.options,
                                                          "modified_queryable": "Modified"})
    simulator.update_record("ign", "IGNF_RPG", title="Registre parcellaire graphique 2026")
    result = cat.harvest("sim-ign-csw")  # incremental: the server rejects the bare Modified
    assert result.status == "done" and result.counts["updated"] == 1
    assert result.counts["unchanged"] == 6 and result.counts["failed"] == 0
    report = last_reports(cat.store, "sim-ign-csw")[0]
    assert report["mode"] == "incremental" and report["failures"] == []
    assert [w["stage"] for w in report["warnings"]] == ["fetch"]
    assert "Invalid Filter syntax" in report["warnings"][0]["message"]
    page = partner_page(store_url, tmp_path, "ign")
    remarks = page[page.index("Remarques sur le dernier moissonnage"):]
    assert "Votre serveur CSW a refusé le filtre de date" in remarks
    assert "Invalid Filter syntax" in remarks
    assert "vérifiez que le serveur répond" not in page


def test_csw_next_record_loop_ends_with_a_reported_issue(cat: Catalogue, simulator: Simulator) -> None:
    simulator.faults.add("/ign/csw", "loop-next", times=None, after=1)
    result = cat.harvest("sim-ign-csw")
    ids = cat.identifiers("sim-ign-csw")
    assert len(ids) == len(set(ids)) >= 2
    report = last_reports(cat.store, "sim-ign-csw")[0]
    assert report["status"] == "done-with-errors" and result.status == "done-with-errors"
    assert any("nextRecord" in (f["message"] or "") or "loop" in (f["message"] or "").lower()
               for f in report["failures"])


def test_hydra_next_loop_ends_with_a_reported_issue(cat: Catalogue, simulator: Simulator) -> None:
    simulator.faults.add("/meteofrance/catalog.jsonld", "loop-next", times=None)
    result = cat.harvest("sim-meteofrance-dcat")
    ids = cat.identifiers("sim-meteofrance-dcat")
    assert len(ids) == len(set(ids)) >= 1
    report = last_reports(cat.store, "sim-meteofrance-dcat")[0]
    assert result.status == "done-with-errors"
    assert any("already" in (f["message"] or "") or "loop" in (f["message"] or "").lower()
               for f in report["failures"])
    # A run that ended on a loop is not a complete listing: no deletion by absence.
    assert cat.harvest("sim-meteofrance-dcat", full=True).counts["deleted"] == 0
