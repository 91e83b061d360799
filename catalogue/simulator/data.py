"""The simulator's partner data: recorded documents loaded into mutable, per-instance stores.

Every store keeps its entries in recorded order. Payloads stay as close to the recording as
possible (the Gallica records are the verbatim text slices of the 2010 ListRecords page, padding
included); a record is re-serialised only when a test mutates it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from core.xmlsafe import parse_xml

RECORDINGS = Path(__file__).resolve().parent / "recordings"

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
DC_NS = "http://purl.org/dc/elements/1.1/"
GMD_NS = "http://www.isotc211.org/2005/gmd"
GCO_NS = "http://www.isotc211.org/2005/gco"
GMD = {"gmd": GMD_NS, "gco": GCO_NS}
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"

PARTNERS = ("bnf", "ign", "meteofrance", "meteofrance-dcat", "ina")


@cache
def recording(relative: str) -> bytes:
    """Bytes of a recorded file (cached: recordings never change at run time)."""
    return (RECORDINGS / relative).read_bytes()


def parse_date(value: str) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text) if "T" in text else datetime.fromisoformat(text[:10])
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass
class Entry:
    identifier: str
    datestamp: datetime
    payload: Any
    deleted: bool = False
    sets: list[str] = field(default_factory=list)


class Store:
    """Entries of one partner, in listing order; subclasses know how to edit their payloads."""

    partner = ""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            self.entries.setdefault(entry.identifier, entry)  # de-duplicate, first one wins

    def all(self) -> list[Entry]:
        return list(self.entries.values())

    def live(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.deleted]

    def get(self, identifier: str) -> Entry:
        try:
            return self.entries[identifier]
        except KeyError:
            known = ", ".join(list(self.entries)[:5])
            raise KeyError(f"{self.partner}: no record {identifier!r} (e.g. {known})") from None

    def update(self, identifier: str, now: datetime, fields: dict[str, Any]) -> None:
        entry = self.get(identifier)
        entry.payload = self.edit(entry, now, fields)
        entry.datestamp = now
        entry.deleted = False

    def delete(self, identifier: str, now: datetime) -> None:
        entry = self.get(identifier)
        entry.deleted = True
        entry.datestamp = now

    def add(self, identifier: str, now: datetime, fields: dict[str, Any]) -> None:
        if identifier in self.entries:
            raise KeyError(f"{self.partner}: record {identifier!r} already exists")
        template = next(iter(self.entries.values()))
        entry = Entry(identifier, now, self.clone(template, identifier, now),
                      sets=list(template.sets))
        entry.payload = self.edit(entry, now, fields)
        self.entries[identifier] = entry

    # Subclasses ------------------------------------------------------------------------------

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> Any:
        raise NotImplementedError

    def clone(self, template: Entry, identifier: str, now: datetime) -> Any:
        raise NotImplementedError


# -- BnF / Gallica (OAI-PMH) --------------------------------------------------------------------

_RECORD_TEXT = re.compile(r"<record>.*?</record>", re.S)
GALLICA_SERVICE_RECORDS = (
    "bnf/gallica_services_oairecord_bpt6k5785971m.xml",
    "bnf/gallica_services_oairecord_bpt6k5603637g.xml",
    "bnf/gallica_services_oairecord_btv1b10870266z_restricted_map.xml",
    "bnf/gallica_services_oairecord_bpt6k1914256x.xml",
)


def _parse_record_text(text: str) -> etree._Element:
    wrapped = f'<wrap xmlns="{OAI_NS}">{text}</wrap>'.encode()
    return parse_xml(wrapped)[0]


def _header_facts(text: str) -> tuple[str, datetime, list[str]]:
    record = _parse_record_text(text)
    ns = {"oai": OAI_NS}
    identifier = (record.findtext("oai:header/oai:identifier", namespaces=ns) or "").strip()
    stamp = (record.findtext("oai:header/oai:datestamp", namespaces=ns) or "").strip()
    sets = [(s.text or "").strip() for s in record.findall("oai:header/oai:setSpec", ns)]
    return identifier, parse_date(stamp), sets


class BnfStore(Store):
    partner = "bnf"

    @classmethod
    def load(cls) -> BnfStore:
        texts = [m.group(0) for m in _RECORD_TEXT.finditer(
            recording("bnf/gallica_oaipmh_2010_ListRecords.xml").decode("utf-8"))]
        for name in GALLICA_SERVICE_RECORDS:
            match = _RECORD_TEXT.search(recording(name).decode("utf-8"))
            if match:
                texts.append(match.group(0))
        entries = []
        for text in texts:
            identifier, stamp, sets = _header_facts(text)
            entries.append(Entry(identifier, stamp, text, sets=sets))
        return cls(entries)

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> str:
        record = _parse_record_text(entry.payload)
        ns = {"oai": OAI_NS, "dc": DC_NS}
        header = record.find("oai:header", ns)
        assert header is not None
        header_id = header.find("oai:identifier", ns)
        if header_id is not None:
            header_id.text = entry.identifier
        stamp = header.find("oai:datestamp", ns)
        if stamp is not None:
            stamp.text = now.strftime("%Y-%m-%d")
        dc = record.find("oai:metadata/*", ns)
        for name, value in fields.items():
            if dc is None:
                break
            element = dc.find(f"dc:{name}", ns)
            if element is None:
                element = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
            element.text = str(value)
        return etree.tostring(record, encoding="unicode")

    def clone(self, template: Entry, identifier: str, now: datetime) -> str:
        return str(template.payload)


# -- IGN (CSW, ISO 19139) -----------------------------------------------------------------------

IGN_RECORDINGS = (
    "ign/geoplateforme_csw_getrecords_iso19139_IGNF_RPG.xml",
    "ign/COMPARABLE_geoide_geonetwork_csw_getrecords_iso19139_page1.xml",
    "ign/COMPARABLE_geoide_geonetwork_csw_getrecords_iso19139_page3.xml",
    "ign/COMPARABLE_geoide_csw_getrecordbyid_iso19139.xml",
    "ign/COMPARABLE_geobretagne_md_metadata_cadastre.xml",
)


def _md_facts(md: etree._Element) -> tuple[str, datetime]:
    identifier = (md.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=GMD) or "").strip()
    stamp = (md.findtext("gmd:dateStamp/gco:DateTime", namespaces=GMD)
             or md.findtext("gmd:dateStamp/gco:Date", namespaces=GMD) or "1970-01-01")
    return identifier, parse_date(stamp)


class IgnStore(Store):
    partner = "ign"

    @classmethod
    def load(cls) -> IgnStore:
        entries = []
        for name in IGN_RECORDINGS:
            root = parse_xml(recording(name))
            for md in root.iter(f"{{{GMD_NS}}}MD_Metadata"):
                identifier, stamp = _md_facts(md)
                entries.append(Entry(identifier, stamp, etree.tostring(md, encoding="unicode")))
        return cls(entries)

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> str:
        md = parse_xml(str(entry.payload).encode("utf-8"))
        file_id = md.find("gmd:fileIdentifier/gco:CharacterString", GMD)
        if file_id is not None:
            file_id.text = entry.identifier
        stamp = md.find("gmd:dateStamp", GMD)
        if stamp is not None:
            for child in list(stamp):
                stamp.remove(child)
            etree.SubElement(stamp, f"{{{GCO_NS}}}DateTime").text = now.strftime(
                "%Y-%m-%dT%H:%M:%S")
        citation = ".//gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation"
        paths = {
            "title": f"{citation}/gmd:title/gco:CharacterString",
            "abstract": ".//gmd:identificationInfo/*/gmd:abstract/gco:CharacterString",
        }
        for name, value in fields.items():
            element = md.find(paths.get(name, f".//gmd:{name}/gco:CharacterString"), GMD)
            if element is not None:
                element.text = str(value)
        return etree.tostring(md, encoding="unicode")

    def clone(self, template: Entry, identifier: str, now: datetime) -> str:
        return str(template.payload)


# -- Météo-France on data.gouv.fr (udata API v1) --------------------------------------------------

MF_REAL = "meteofrance/meteofrance_dataset_6569b51ae64326786e4e8e1a_api1_from_partial.json"
MF_SYNTHETIC = "meteofrance/SYNTHETIC_meteofrance_datasets_from_pipeline_config.json"
MF_ORG_ID = "534fff8ba3a7292c64a77ed4"
MF_ORG_SLUG = "meteo-france"


class UdataStore(Store):
    partner = "meteofrance"

    @classmethod
    def load(cls) -> UdataStore:
        datasets = [json.loads(recording(MF_REAL))] + json.loads(recording(MF_SYNTHETIC))
        return cls([Entry(d["id"], parse_date(d["last_modified"]), d) for d in datasets])

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(entry.payload)
        data.update(fields)
        data["id"] = entry.identifier
        stamp = now.isoformat()
        data["last_modified"] = data["last_update"] = stamp
        if isinstance(data.get("internal"), dict):
            data["internal"]["last_modified_internal"] = stamp
        return dict(data)

    def clone(self, template: Entry, identifier: str, now: datetime) -> dict[str, Any]:
        data = copy.deepcopy(template.payload)
        data.update(id=identifier, created_at=now.isoformat(), resources=[], deleted=None,
                    private=False, archived=None, slug=identifier,
                    page=f"https://www.data.gouv.fr/fr/datasets/{identifier}/")
        return dict(data)


# -- Météo-France DCAT catalogue (JSON-LD, hydra) -------------------------------------------------

DCAT_PAGES = (
    "meteofrance/SYNTHETIC_udata_dcat_hydra_paged_collection_page1.jsonld",
    "meteofrance/SYNTHETIC_udata_dcat_hydra_paged_collection_page2.jsonld",
)
_OWNED = (f"{DCAT}distribution", f"{DCT}temporal", f"{DCT}spatial")


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type", [])
    return [value] if isinstance(value, str) else list(value)


class DcatStore(Store):
    """Datasets as groups of JSON-LD nodes; ``shared`` holds catalogue-wide nodes."""

    partner = "meteofrance-dcat"

    def __init__(self, entries: list[Entry], shared: list[dict[str, Any]], catalog: dict[str, Any]):
        super().__init__(entries)
        self.shared = shared
        self.catalog = catalog

    @classmethod
    def load(cls) -> DcatStore:
        nodes: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for name in DCAT_PAGES:
            for node in json.loads(recording(name)):
                if node["@id"] not in nodes:
                    order.append(node["@id"])
                nodes.setdefault(node["@id"], node)
        catalog = next(n for n in nodes.values() if f"{DCAT}Catalog" in _types(n))
        datasets = [nodes[i] for i in order if f"{DCAT}Dataset" in _types(nodes[i])]
        owned: set[str] = set()
        entries = []
        for ds in datasets:
            group = [ds]
            for predicate in _OWNED:
                for ref in ds.get(predicate, []):
                    if isinstance(ref, dict) and ref.get("@id") in nodes:
                        group.append(nodes[ref["@id"]])
                        owned.add(ref["@id"])
            identifier = ds[f"{DCT}identifier"][0]["@value"]
            stamp = parse_date(ds[f"{DCT}modified"][0]["@value"])
            entries.append(Entry(identifier, stamp, group))
        skip = owned | {ds["@id"] for ds in datasets} | {catalog["@id"]}
        shared = [nodes[i] for i in order if i not in skip
                  and not any("hydra" in t for t in _types(nodes[i]))]
        return cls(entries, shared, catalog)

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> list[dict[str, Any]]:
        group = copy.deepcopy(entry.payload)
        ds = group[0]
        for name, value in fields.items():
            ds[f"{DCT}{name}"] = [{"@value": str(value)}]
        ds[f"{DCT}identifier"] = [{"@value": entry.identifier}]
        ds[f"{DCT}modified"] = [{"@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                                 "@value": now.strftime("%Y-%m-%dT%H:%M:%S")}]
        return list(group)

    def clone(self, template: Entry, identifier: str, now: datetime) -> list[dict[str, Any]]:
        ds = copy.deepcopy(template.payload[0])
        ds["@id"] = f"http://data.test.org/datasets/{identifier}"
        ds.pop(f"{DCAT}distribution", None)
        ds.pop(f"{DCT}temporal", None)
        return [ds]


# -- INA (Jalons JSON, RSS, Atom) -----------------------------------------------------------------

INA_REAL = "ina/jalons_api_search_president_limit1.json"
INA_SYNTHETIC = "ina/SYNTHETIC_jalons_resources.json"


class InaStore(Store):
    partner = "ina"

    @classmethod
    def load(cls) -> InaStore:
        real = json.loads(recording(INA_REAL))["return"]["resources"]
        synthetic = json.loads(recording(INA_SYNTHETIC))
        updated = synthetic["feed_updated"]
        entries = []
        for resource in real + synthetic["resources"]:
            identifier = resource["id"].strip()
            entries.append(Entry(identifier, parse_date(updated[identifier]), resource))
        return cls(entries)

    def edit(self, entry: Entry, now: datetime, fields: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(entry.payload)
        data.update(fields)
        data["id"] = entry.identifier
        return dict(data)

    def clone(self, template: Entry, identifier: str, now: datetime) -> dict[str, Any]:
        data = copy.deepcopy(template.payload)
        data["id"] = identifier
        data["url"] = f"http://fresques.ina.fr/jalons/fiche-media/{identifier}/"
        return dict(data)


def load_stores() -> dict[str, Store]:
    return {
        "bnf": BnfStore.load(),
        "ign": IgnStore.load(),
        "meteofrance": UdataStore.load(),
        "meteofrance-dcat": DcatStore.load(),
        "ina": InaStore.load(),
    }
