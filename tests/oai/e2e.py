"""End-to-end harvest check with two independent OAI-PMH clients, reusable on any catalogue.

``check_harvest(base_url, store)`` harvests ``base_url`` completely with Sickle and with the
``oaipmh`` package (pyoai), over real HTTP, and compares each harvest with the store: same
identifiers, same datestamps, same deletion flags, no duplicate, none missing. Point it at the
demo catalogue with its store to check a real deployment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from catalogue.store import Store

Harvest = list[tuple[str, str, bool]]  # (identifier, datestamp, deleted) in harvest order


@dataclass(frozen=True)
class HarvestReport:
    client: str
    count: int
    deleted: int
    titled: int  # live records whose oai_dc had at least one dc:title


def store_view(store: Store, namespace: str) -> dict[str, tuple[str, bool]]:
    """{OAI identifier: (datestamp at seconds granularity, deleted)} of every stored record."""
    return {
        f"oai:{namespace}:{s.id}": (s.datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"), s.deleted)
        for s in store.iter_records(include_deleted=True)
    }


def harvest_with_sickle(base_url: str, prefix: str = "oai_dc") -> tuple[Harvest, int]:
    sickle = Sickle(base_url, max_retries=0, timeout=60)
    out: Harvest = []
    titled = 0
    for record in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False):
        header = record.header
        out.append((header.identifier, header.datestamp, bool(header.deleted)))
        if not header.deleted and record.metadata.get("title"):
            titled += 1
    return out, titled


def harvest_with_pyoai(base_url: str, prefix: str = "oai_dc") -> tuple[Harvest, int]:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(base_url, registry)
    client.updateGranularity()  # asks Identify; the repository announces seconds
    out: Harvest = []
    titled = 0
    for header, metadata, _about in client.listRecords(metadataPrefix=prefix):
        stamp = header.datestamp().strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append((header.identifier(), stamp, bool(header.isDeleted())))
        if metadata is not None and metadata.getField("title"):
            titled += 1
    return out, titled


def compare(name: str, harvested: Harvest, expected: dict[str, tuple[str, bool]]) -> None:
    counts = Counter(identifier for identifier, _, _ in harvested)
    duplicates = [i for i, n in counts.items() if n > 1]
    assert not duplicates, f"{name}: duplicates {duplicates[:5]}"
    got = {identifier: (stamp, deleted) for identifier, stamp, deleted in harvested}
    missing = expected.keys() - got.keys()
    extra = got.keys() - expected.keys()
    assert not missing, f"{name}: {len(missing)} missing, e.g. {sorted(missing)[:5]}"
    assert not extra, f"{name}: {len(extra)} unknown, e.g. {sorted(extra)[:5]}"
    wrong = [i for i in expected if got[i] != expected[i]]
    assert not wrong, f"{name}: datestamp or status differs for {wrong[:5]}"


def check_harvest(base_url: str, store: Store,
                  namespace: str = "catalogue.education.fr") -> list[HarvestReport]:
    """Harvest with both clients and compare with ``store`` (which must not change meanwhile)."""
    expected = store_view(store, namespace)
    reports = []
    for name, harvester in (("sickle", harvest_with_sickle), ("oaipmh", harvest_with_pyoai)):
        harvested, titled = harvester(base_url)
        compare(name, harvested, expected)
        deleted = sum(1 for _, _, d in harvested if d)
        reports.append(HarvestReport(name, len(harvested), deleted, titled))
    return reports
