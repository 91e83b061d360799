"""Shared helpers for the OAI-PMH tests: a populated store, XSD validation, response parsing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import update

from catalogue import tables as t
from catalogue.pipeline import Mapper
from catalogue.store import RawEntry, Store, Write
from core.xmlsafe import parse_xml
from schemas.record import record_id, validate_record

XSD = Path(__file__).resolve().parent / "xsd"
OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI, "dc": "http://purl.org/dc/elements/1.1/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "lom": "http://ltsc.ieee.org/xsd/LOM"}
NAMESPACE = "catalogue.education.fr"

CM2 = "scolomfr-voc-022-num-015"
CM1 = "scolomfr-voc-022-num-014"
SIXIEME = "scolomfr-voc-022-num-018"
TROISIEME = "scolomfr-voc-022-num-023"
ELEMENTAIRE = "scolomfr-voc-022-num-008"
COLLEGE = "scolomfr-voc-022-num-016"
CYCLE3 = "scolomfr-voc-022-num-620"
CYCLE4 = "scolomfr-voc-022-num-621"
PREMIERE_ES = "scolomfr-voc-022-num-122"
HISTGEO = "scolomfr-voc-015-num-980"
MATHS = "scolomfr-voc-015-num-919"
HISTGEO_C4 = "scolomfr-voc-015-num-1007"  # "histoire et géographie (cycle 4)", below histoire-géo

LABELS = {CM2: "CM2", CM1: "CM1", SIXIEME: "6e", TROISIEME: "3e", PREMIERE_ES: "1re ES",
          HISTGEO: "histoire et géographie (discipline)", MATHS: "mathématiques (discipline)",
          HISTGEO_C4: "histoire et géographie (cycle 4)"}


@cache
def schema(name: str) -> etree.XMLSchema:
    """An XSD from the local copy (no network: the copies import each other by relative path)."""
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def response_schema(prefix: str | None) -> etree.XMLSchema:
    """OAI-PMH.xsd together with the payload schema of ``prefix`` (lom and scolomfr share a
    namespace, so each needs its own schema set)."""
    return schema(f"response-{prefix if prefix in ('lom', 'scolomfr') else 'oai_dc'}.xsd")


def parse(data: bytes, prefix: str | None = None) -> etree._Element:
    """Parse a response with the safe parser and validate it against OAI-PMH.xsd (+ payload XSD)."""
    root = parse_xml(data)
    validator = response_schema(prefix)
    assert validator.validate(root), f"{validator.error_log}\n{data[:3000]!r}"
    return root


def errors(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall("o:error", NS)]


def request_attrs(root: etree._Element) -> dict[str, str]:
    el = root.find("o:request", NS)
    assert el is not None
    return dict(el.attrib)


def make_record(identifier: str, title: str, *, partner: str = "bnf", source: str = "bnf-gallica",
                levels: tuple[str, ...] = (), disciplines: tuple[str, ...] = (), **extra: Any) -> dict:
    return validate_record({
        "id": record_id(source, identifier),
        "source": {"partner": partner, "source_id": source, "identifier": identifier},
        "title": [{"value": title, "lang": "fr"}],
        "levels": [{"id": c, "label": LABELS[c], "provenance": "rule"} for c in levels],
        "disciplines": [{"id": c, "label": LABELS[c], "provenance": "rule"} for c in disciplines],
        **extra,
    })


SOURCES = {"bnf-gallica": ("bnf", "BnF / Gallica"), "ina-jalons": ("ina", "INA")}


def add_sources(store: Store) -> None:
    for sid, (partner, name) in SOURCES.items():
        store.upsert_source(id=sid, partner=partner, partner_name=name, name=sid, protocol="oai-pmh",
                            url="http://127.0.0.1/oai", config={})


def write(store: Store, records: list[dict], deleted: tuple[str, ...] = ()) -> None:
    """Store records through ``Store.write_page`` with the facets the pipeline would compute."""
    mapper = _mapper()
    by_source: dict[str, list[Write]] = {}
    for record in records:
        sid = record["source"]["source_id"]
        raw = RawEntry(record["id"], record["source"]["identifier"], "test", record["id"].encode(),
                       record["id"], None)
        by_source.setdefault(sid, []).append(Write(record["id"], record["source"]["identifier"], raw=raw,
                                                   record=record, facets=mapper.facets(record)))
    for rid in deleted:
        sid = next(s for s in SOURCES if rid.startswith(s))
        by_source.setdefault(sid, []).append(Write(rid, rid, deleted=True))
    for sid, writes in by_source.items():
        run = store.start_run(sid, "full")
        store.write_page(source_id=sid, partner=SOURCES[sid][0], run_id=run, writes=writes)
        store.finish_run(run, "done", {})


@cache
def _mapper() -> Mapper:
    return Mapper()


def set_datestamp(store: Store, rid: str, when: datetime) -> None:
    """Give a record a known datestamp (the store sets 'now'; tests need fixed instants)."""
    with store.engine.begin() as conn:
        conn.execute(update(t.records).where(t.records.c.id == rid).values(datestamp=when))


BASE_TIME = datetime(2024, 3, 1, 10, 0, 0, 250000)


def sample_records() -> list[dict]:
    """A small catalogue covering every set kind, two partners and hostile text."""
    return [
        make_record("cm2-histoire", "La Révolution française", levels=(CM2,), disciplines=(HISTGEO,),
                    description=[{"value": "Résumé & <détails>", "lang": "fr"}],
                    url="https://gallica.bnf.fr/ark:/12148/a"),
        make_record("cm1-maths", "Fractions", levels=(CM1,), disciplines=(MATHS,)),
        make_record("sixieme", "Les débuts du judaïsme", levels=(SIXIEME,), disciplines=(HISTGEO,)),
        make_record("troisieme", "Verdun 1916", levels=(TROISIEME,), disciplines=(HISTGEO_C4,)),
        make_record("lycee", "Économie", levels=(PREMIERE_ES,)),
        make_record("control", "Titre avec \x01 contrôle\x0b et \ufffe fin"),
        make_record("nolevel", "Carte de France", keywords=[{"value": "carte", "lang": "fr"}]),
        make_record("ina-1", "Journal télévisé 1969", partner="ina", source="ina-jalons", levels=(TROISIEME,),
                    disciplines=(HISTGEO,)),
        make_record("ina-2", "Le premier pas sur la Lune", partner="ina", source="ina-jalons", levels=(CM2,)),
        make_record("to-delete", "Document retiré", levels=(CM2,), disciplines=(HISTGEO,)),
        make_record("ina-gone", "Émission retirée", partner="ina", source="ina-jalons"),
    ]


def populate(store: Store) -> dict[str, datetime]:
    """Write the sample catalogue, delete two records, give every record a known datestamp.

    Datestamps are one minute apart from ``BASE_TIME`` (with microseconds) in change order.
    """
    add_sources(store)
    records = sample_records()
    write(store, records)
    write(store, [], deleted=(record_id("bnf-gallica", "to-delete"), record_id("ina-jalons", "ina-gone")))
    stamps: dict[str, datetime] = {}
    for i, stored in enumerate(store.iter_records(include_deleted=True)):
        when = BASE_TIME + timedelta(minutes=i)
        set_datestamp(store, stored.id, when)
        stamps[stored.id] = when
    return stamps


def oai_id(rid: str) -> str:
    return f"oai:{NAMESPACE}:{rid}"


def headers(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(f"{{{OAI}}}header")


PROGRAMME_REVOLUTION = "scolomfr-voc-015-num-3075"  # "la Révolution française et l'Empire (histoire 4e)"
QUATRIEME = "scolomfr-voc-022-num-021"
SVT = "scolomfr-voc-015-num-1832"
FRANCAIS = "scolomfr-voc-015-num-1333"
INFERRED_BASIS = f"programme:{PROGRAMME_REVOLUTION};words=révolution,1789;period=1789/1815;score=0.83"


def mixed_record() -> dict:
    """A record whose levels and disciplines come from every origin, defaults included (the
    bases the content layer writes for ``inferred``)."""
    def entry(cid: str, label: str, provenance: str, basis: str | None) -> dict[str, Any]:
        return {"id": cid, "label": label, "provenance": provenance, "basis": basis}

    record = make_record("ark:/12148/bpt6k-mixed", "Discours sur la Révolution, 1789")
    record["levels"] = [
        entry(CM2, "CM2", "source", f"scolomfr:http://data.education.fr/voc/scolomfr/concept/{CM2}"),
        entry(TROISIEME, "3e", "rule", "keyword:3e"),
        entry(QUATRIEME, "4e", "inferred", INFERRED_BASIS),
        entry(CYCLE4, "cycle 4 (2016)", "inferred", INFERRED_BASIS),
        entry(COLLEGE, "collège", "default", "source-default"),
        entry(SIXIEME, "6e", "curation", "curation:anne"),
    ]
    record["disciplines"] = [
        entry(FRANCAIS, "français (discipline)", "source", None),
        entry(HISTGEO, "histoire et géographie (discipline)", "rule", "dewey:944"),
        entry(PROGRAMME_REVOLUTION, "la Révolution française et l'Empire (histoire 4e)", "inferred",
              INFERRED_BASIS),
        entry(MATHS, "mathématiques (discipline)", "inferred", "lexicon:dérivée;score=0.9"),
        entry(SVT, "sciences de la vie et de la Terre (discipline)", "default", "source-default"),
    ]
    return validate_record(record)
