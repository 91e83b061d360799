"""A few dozen valid shared records for the API tests, written through the real store and index.

Levels and disciplines are real ScoLOMFR 3.2.0 concepts (labels from the shipped vocabulary);
partners, types and licences vary so that every facet has several values.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalogue.config import Settings
from catalogue.store import RawEntry, Store, Write
from schemas.record import record_id, validate_record
from schemas.vocabularies import load_vocabulary

BASE_URL = "https://catalogue.example.fr"
CM1, CM2, SIXIEME, CINQUIEME, TROISIEME, SECONDE = (
    "scolomfr-voc-022-num-014", "scolomfr-voc-022-num-015", "scolomfr-voc-022-num-018",
    "scolomfr-voc-022-num-020", "scolomfr-voc-022-num-023", "scolomfr-voc-022-num-136",
)
CYCLE3 = "scolomfr-voc-022-num-620"
HISTGEO, MATHS, SVT, FRANCAIS = (
    "scolomfr-voc-015-num-980", "scolomfr-voc-015-num-919", "scolomfr-voc-015-num-1832",
    "scolomfr-voc-015-num-1333",
)
HISTOIRE_CM2 = "scolomfr-voc-015-num-986"  # a programme topic below histoire et géographie
LEVELS = [CM1, CM2, SIXIEME, CINQUIEME, TROISIEME, SECONDE]
DISCIPLINES = [HISTGEO, MATHS, SVT, FRANCAIS, HISTOIRE_CM2]
SOURCES = {  # partner -> (source id, partner name, source name, protocol)
    "bnf": ("bnf-gallica", "BnF / Gallica", "Gallica", "oai-pmh"),
    "ina": ("ina-jalons", "INA", "Jalons", "jalons"),
    "ign": ("ign-geoportail", "IGN", "Géoportail", "csw"),
}
TYPES = [("http://purl.org/dc/dcmitype/Text", "texte"),
         ("http://purl.org/dc/dcmitype/StillImage", "image fixe"),
         ("http://purl.org/dc/dcmitype/MovingImage", "image en mouvement")]
LICENCES = [
    {"code": "lo-2.0", "label": "Licence Ouverte 2.0",
     "uri": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"},
    {"code": "cc-by-sa-4.0", "label": "CC BY-SA 4.0", "uri": "https://creativecommons.org/licenses/by-sa/4.0/"},
    {"code": "public-domain", "label": "Domaine public", "uri": None},
]
SUBJECTS = ["volcans", "Révolution française", "fractions", "cycle de l'eau", "fables",
            "cartes anciennes", "Première Guerre mondiale", "géométrie", "photosynthèse",
            "poésie", "climat", "littoral", "Moyen Âge"]
RECORD_COUNT = 39


def _label(concept_id: str) -> str:
    concept = load_vocabulary().concept(concept_id)
    assert concept is not None and concept.current, concept_id
    return str(concept.label)


def make_record(n: int, partner: str | None = None, title: str | None = None) -> dict[str, Any]:
    """Record number ``n`` (deterministic); ``title`` overrides the generated one."""
    partner = partner or list(SOURCES)[n % len(SOURCES)]
    source_id = SOURCES[partner][0]
    identifier = f"{partner}/notice-{n:03d}"
    subject = SUBJECTS[n % len(SUBJECTS)]
    levels = [LEVELS[n % len(LEVELS)]] + ([LEVELS[(n + 2) % len(LEVELS)]] if n % 3 == 0 else [])
    disciplines = [DISCIPLINES[n % len(DISCIPLINES)]]
    type_id, type_label = TYPES[n % len(TYPES)]
    data: dict[str, Any] = {
        "id": record_id(source_id, identifier),
        "source": {"partner": partner, "source_id": source_id, "identifier": identifier,
                   "landing_url": f"https://{partner}.example.org/notice/{n}",
                   "harvested_at": "2025-01-15T08:30:00Z"},
        "title": [{"value": title or f"{subject.capitalize()} : dossier n° {n}", "lang": "fr"}],
        "description": [{"value": f"Ressource sur {subject} pour la classe, avec documents et "
                                  f"activités. Notice {n}.", "lang": "fr"}],
        "keywords": [{"value": subject, "lang": "fr"}],
        "languages": ["en"] if n % 10 == 9 else ["fr"],
        "resource_types": [{"id": type_id, "label": type_label, "scheme": "scolomfr-voc-004"}],
        "levels": [{"id": c, "label": _label(c), "provenance": "source"} for c in levels],
        "disciplines": [{"id": c, "label": _label(c), "provenance": "source"} for c in disciplines],
        "licence": LICENCES[n % len(LICENCES)],
        "access": "free",
        "url": f"https://{partner}.example.org/ressource/{n}",
        "dates": {"created": {"text": f"{1800 + n}", "start": f"{1800 + n}", "end": f"{1800 + n}"}},
        "coverage": {"places": ["France"], "temporal": {"text": "1789-1799", "start": "1789",
                                                        "end": "1799"}},
    }
    if n % 4 == 0:
        data["thumbnail"] = f"https://images.example.org/{n}.png"
    if n % 5 == 0:
        data["contributors"] = [{"name": "Jean Dupont", "role": "author", "kind": "person"}]
    return validate_record(data)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write(store: Store, partner: str, run: int, records: list[dict[str, Any]],
           deleted: Sequence[str] = ()) -> None:
    writes = [Write(r["id"], r["source"]["identifier"],
                    raw=RawEntry(r["id"], r["source"]["identifier"], "test", r["id"].encode(),
                                 _digest(r["id"] + r["title"][0]["value"]), None),
                    record=r)
              for r in records]
    writes += [Write(rid, rid, deleted=True) for rid in deleted]
    store.write_page(source_id=SOURCES[partner][0], partner=partner, run_id=run, writes=writes,
                     checkpoint={}, counts=Counter())


def add_sources(store: Store) -> None:
    for partner, (source_id, partner_name, name, protocol) in SOURCES.items():
        store.upsert_source(id=source_id, partner=partner, partner_name=partner_name, name=name,
                            protocol=protocol, url=f"https://{partner}.example.org/feed", config={})


def fill(store: Store, records: list[dict[str, Any]], status: str = "done") -> None:
    """Write ``records`` (grouped by partner) as one finished full run per source."""
    add_sources(store)
    by_partner: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_partner.setdefault(record["source"]["partner"], []).append(record)
    for partner, items in by_partner.items():
        run = store.start_run(SOURCES[partner][0], "full")
        _write(store, partner, run, items)
        store.finish_run(run, status, {"added": len(items)})


def delete(store: Store, record: dict[str, Any]) -> None:
    partner = record["source"]["partner"]
    run = store.start_run(SOURCES[partner][0], "incremental")
    _write(store, partner, run, [], deleted=[record["id"]])
    store.finish_run(run, "done", {"deleted": 1})


def build(data_dir: Path) -> tuple[Settings, dict[str, Any]]:
    """A store with RECORD_COUNT live records and one deleted, its index and its dumps."""
    from catalogue.dumps import write_dumps
    from search import open_index
    from search.sync import sync

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'catalogue.db'}",
                        search_url=None, sources_path=data_dir / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=BASE_URL)
    store = Store(settings.database_url)
    store.upgrade()
    records = [make_record(n) for n in range(RECORD_COUNT)]
    gone = make_record(900, partner="ina", title="Archive retirée par le partenaire")
    fill(store, [*records, gone])
    delete(store, gone)
    with open_index(None, data_dir) as index:
        sync(index, store)
    write_dumps(store, settings.dumps_dir)
    store.close()
    return settings, {"records": records, "gone": gone}
