"""The shared record as schema.org ``LearningResource`` JSON-LD (LRMI terms).

Levels and disciplines become ``DefinedTerm`` nodes whose ``@id`` is the ScoLOMFR concept URI
and whose ``inDefinedTermSet`` is the vocabulary scheme, so that a consumer can follow them to
the official SKOS. The context is inline (no remote ``https://schema.org`` fetch needed to turn
the document into RDF) and types the URL-valued properties as IRIs.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.provenance import explain, explain_licence, known
from schemas.record import Record, text_of

SCOLOMFR_CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"
SCOLOMFR_SCHEME = "http://data.education.fr/voc/scolomfr/"
LEVEL_SCHEME = SCOLOMFR_SCHEME + "scolomfr-voc-022"
DISCIPLINE_SCHEME = SCOLOMFR_SCHEME + "scolomfr-voc-015"
DCMI_TYPES = "http://purl.org/dc/dcmitype/"
_CONCEPT_ID = re.compile(r"^(scolomfr-voc-(\d{3}))-num-\d+$")

CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "url": {"@type": "@id"},
    "license": {"@type": "@id"},
    "thumbnailUrl": {"@type": "@id"},
    "inDefinedTermSet": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
    "mainEntityOfPage": {"@type": "@id"},
    "targetUrl": {"@type": "@id"},
    # Where a level, a discipline or the licence came from (the record's ``provenance`` code:
    # source, rule, inferred, default, curation); see docs/record.md. Dublin Core's provenance
    # statement.
    "provenance": "http://purl.org/dc/terms/provenance",
}
# LRMI alignment types of the two aligned fields.
ALIGNMENT_TYPES = {"levels": "educationalLevel", "disciplines": "educationalSubject"}
FRAMEWORKS = {"levels": "ScoLOMFR voc-022 (niveau éducatif détaillé)",
              "disciplines": "ScoLOMFR voc-015 (domaine d'enseignement)"}

_CREATOR_ROLES = {"author", "creator"}
_CONTRIBUTOR_ROLES = {"contributor", "editor", "producer"}


def concept_uri(concept_id: str) -> str:
    """A ScoLOMFR concept URI for an id (URIs are returned as they are)."""
    if concept_id.startswith(("http://", "https://")):
        return concept_id
    return SCOLOMFR_CONCEPT + concept_id


def scheme_uri(concept_id: str) -> str | None:
    """The ScoLOMFR vocabulary (``…/scolomfr-voc-022``) an id belongs to, if it is one."""
    match = _CONCEPT_ID.match(concept_id.rsplit("/", 1)[-1])
    return SCOLOMFR_SCHEME + match.group(1) if match else None


def defined_term(concept_id: str, label: str, term_set: str | None = None) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm", "@id": concept_uri(concept_id), "name": label}
    if not concept_id.startswith(("http://", "https://")):
        term["termCode"] = concept_id
    term_set = term_set or scheme_uri(concept_id)
    if term_set:
        term["inDefinedTermSet"] = term_set
    return term


def _resource_type(item: dict[str, Any]) -> dict[str, Any]:
    type_id = str(item["id"])
    scheme = item.get("scheme")
    term_set: str | None
    if isinstance(scheme, str) and _CONCEPT_ID.match(scheme + "-num-0"):
        term_set = SCOLOMFR_SCHEME + scheme
    elif type_id.startswith(DCMI_TYPES):
        term_set = DCMI_TYPES
    else:
        term_set = scheme if isinstance(scheme, str) and scheme.startswith("http") else None
    return defined_term(type_id, str(item["label"]), term_set)


def _interval(value: dict[str, Any] | None) -> str | None:
    """ISO 8601 for an interval ("1881/1883", "1846-01"), else the partner's text."""
    if not value:
        return None
    start, end = value.get("start"), value.get("end")
    if start and end and start != end:
        return f"{start}/{end}"
    return start or end or value.get("text") or None


def _agent(contributor: dict[str, Any]) -> dict[str, Any]:
    kind = "Person" if contributor.get("kind") == "person" else "Organization"
    return {"@type": kind, "name": contributor["name"]}


def _spatial(coverage: dict[str, Any]) -> list[dict[str, Any]]:
    places: list[dict[str, Any]] = [{"@type": "Place", "name": name} for name in coverage.get("places") or []]
    bbox = coverage.get("bbox")
    if bbox:
        # schema.org box: "south west north east" (lower corner, then upper corner, lat lon).
        box = f"{bbox['south']} {bbox['west']} {bbox['north']} {bbox['east']}"
        places.append({"@type": "Place", "geo": {"@type": "GeoShape", "box": box}})
    return places


def _alignments(record: Record, vocab: Any) -> list[dict[str, Any]]:
    """One ``AlignmentObject`` per level and discipline, with its origin (code and French)."""
    out: list[dict[str, Any]] = []
    for field, alignment_type in ALIGNMENT_TYPES.items():
        for entry in record.get(field) or []:
            out.append({
                "@type": "AlignmentObject",
                "alignmentType": alignment_type,
                "educationalFramework": FRAMEWORKS[field],
                "targetUrl": concept_uri(entry["id"]),
                "targetName": entry["label"],
                "provenance": entry.get("provenance"),
                "description": explain(entry, vocab),
            })
    return out


def to_jsonld(
    record: Record,
    *,
    uri: str,
    partner_name: str | None = None,
    discipline_of: Any = None,
    page: str | None = None,
    vocab: Any = None,
) -> dict[str, Any]:
    """One record as a JSON-LD ``LearningResource`` document identified by ``uri``.

    ``discipline_of`` (the vocabulary's method) splits disciplines: "(discipline)" concepts go to
    ``about``, finer programme topics to ``teaches`` with their discipline added to ``about``.
    Without it every discipline concept goes to ``about``. ``page`` is the record's page in the
    catalogue's site (``mainEntityOfPage``). ``vocab`` lets the alignments' French
    descriptions name the programme a value was inferred from.
    """
    doc: dict[str, Any] = {"@context": CONTEXT, "@id": uri, "@type": "LearningResource"}
    doc["name"] = text_of(record.get("title"))
    description = text_of(record.get("description"))
    if description:
        doc["description"] = description
    source = record.get("source") or {}
    doc["identifier"] = record["id"]
    if record.get("url"):
        doc["url"] = record["url"]
    elif source.get("landing_url"):
        doc["url"] = source["landing_url"]
    if page:
        doc["mainEntityOfPage"] = page
    if record.get("thumbnail"):
        doc["thumbnailUrl"] = record["thumbnail"]
    if record.get("languages"):
        doc["inLanguage"] = list(record["languages"])
    keywords = [k["value"] for k in record.get("keywords") or []]
    if keywords:
        doc["keywords"] = keywords
    licence = record.get("licence")
    usage: list[dict[str, Any]] = []
    if licence:
        # An IRI whenever there is one (every rights statement of licences.tsv has one).
        doc["license"] = licence.get("uri") or {"@type": "CreativeWork", "name": licence["label"]}
        if licence.get("provenance"):
            # Where the statement came from, beside it (never on the shared licence IRI itself):
            # a CNE the catalogue added is not the partner's statement.
            usage.append({"@type": "CreativeWork", "name": licence["label"],
                          "text": explain_licence(licence),
                          "provenance": licence["provenance"]})
    if record.get("rights"):
        usage.append({"@type": "CreativeWork", "text": record["rights"]})
    if usage:
        doc["usageInfo"] = usage[0] if len(usage) == 1 else usage
    access = record.get("access")
    if access in ("free", "restricted"):
        doc["isAccessibleForFree"] = access == "free"
    doc["provider"] = {
        "@type": "Organization",
        "identifier": source.get("partner"),
        "name": partner_name or source.get("partner"),
    }
    if record.get("media_type"):
        doc["encodingFormat"] = record["media_type"]

    # Partner defaults are not statements about this resource: they stay out of
    # educationalLevel / about / teaches and appear only as alignments that say so.
    levels = [defined_term(c["id"], c["label"], LEVEL_SCHEME) for c in known(record.get("levels"))]
    if levels:
        doc["educationalLevel"] = levels
    about: dict[str, dict[str, Any]] = {}
    teaches: list[dict[str, Any]] = []
    for concept in known(record.get("disciplines")):
        parent = discipline_of(concept["id"]) if discipline_of is not None else None
        if parent is None or parent.id == concept["id"]:
            about.setdefault(concept["id"], defined_term(concept["id"], concept["label"], DISCIPLINE_SCHEME))
        else:
            teaches.append(defined_term(concept["id"], concept["label"], DISCIPLINE_SCHEME))
            about.setdefault(parent.id, defined_term(parent.id, parent.label, DISCIPLINE_SCHEME))
    if about:
        doc["about"] = list(about.values())
    if teaches:
        doc["teaches"] = teaches
    alignments = _alignments(record, vocab)
    if alignments:
        doc["educationalAlignment"] = alignments
    types = [_resource_type(t) for t in record.get("resource_types") or []]
    if types:
        doc["learningResourceType"] = types

    contributors = record.get("contributors") or []
    for prop, roles in (("creator", _CREATOR_ROLES), ("contributor", _CONTRIBUTOR_ROLES),
                        ("publisher", {"publisher"})):
        agents = [_agent(c) for c in contributors if c.get("role") in roles]
        if agents:
            doc[prop] = agents

    dates = record.get("dates") or {}
    for prop, key in (("dateCreated", "created"), ("datePublished", "issued"),
                      ("dateModified", "modified")):
        value = _interval(dates.get(key))
        if value:
            doc[prop] = value
    coverage = record.get("coverage") or {}
    spatial = _spatial(coverage)
    if spatial:
        doc["spatialCoverage"] = spatial
    temporal = _interval(coverage.get("temporal"))
    if temporal:
        doc["temporalCoverage"] = temporal
    if record.get("duration") is not None:
        doc["timeRequired"] = f"PT{round(record['duration'])}S"  # the record keeps seconds
    return {k: v for k, v in doc.items() if v is not None}


__all__ = ["CONTEXT", "DISCIPLINE_SCHEME", "LEVEL_SCHEME", "concept_uri", "scheme_uri", "to_jsonld"]
