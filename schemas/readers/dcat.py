"""DCAT reader: one ``dcat:Dataset`` and its nodes (N-Triples) → the shared record.

The protocol client serialises, for each dataset, the dataset node plus everything it points to
(distributions, publisher, contact point, temporal and spatial nodes) as N-Triples. RDF has no
order, so every list is sorted here: the same graph must always give the same record (and the
same content hash).

Mapping decisions:

- ``dct:description`` may be Markdown (data.gouv.fr, udata exports): rendered, then sanitised.
- ``dcat:keyword`` → keywords and ``hints["tags"]``; ``dcat:theme`` → ``hints["dcat_themes"]``
  only (themes are EU/INSPIRE URIs that alignment interprets).
- ``dct:publisher`` → contributor ``publisher``, ``dct:creator`` → ``creator``,
  ``dcatap:distributor`` (``http://data.europa.eu/930/distributor``) → ``distributor``,
  ``dcat:contactPoint`` → ``contact`` (with the e-mail when given).
- Licence: ``dct:license`` on the dataset first, then on distributions; then ``dct:rights``.
  "License Not Specified" (udata's wording) means *no* licence, not a rights statement.
  ``dct:accessRights`` (EU access-right vocabulary) overrides the access guessed from the licence.
- One link per distribution: ``downloadURL`` (kind ``download``) if present, else ``accessURL``
  (kind ``access``); media type from ``dcat:mediaType``, else guessed from ``dct:format``.
- ``dct:spatial``: a bbox from ``dcat:bbox`` / ``locn:geometry`` (WKT in CRS84 or EPSG:4326, or
  GeoJSON), place names from labels; ``dct:temporal``: ``dcat:``/``schema:`` start and end dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from core.raw import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
    normalize_language,
    normalize_licence,
    normalize_types,
    render_markdown,
    safe_url,
)
from schemas.readers import Mapped, MappingError, ReaderContext, reader
from schemas.readers._common import (
    bbox_of,
    clean_lines,
    date_interval,
    format_media_type,
    geojson_pairs,
    mime_type,
    record_frame,
)
from schemas.record import MAX_LIST, MAX_TEXT, MAX_TITLE

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("http://schema.org/")
SCHEMA_S = Namespace("https://schema.org/")
DCATAP = Namespace("http://data.europa.eu/930/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")

_NOT_SPECIFIED = re.compile(r"^\s*(licen[cs]e\s+not\s+specified|licence\s+non\s+sp[ée]cifi[ée]e|"
                            r"notspecified|non\s+sp[ée]cifi[ée]e?)\s*\.?\s*$", re.I)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_CRS_PREFIX = re.compile(r"^\s*<([^>]*)>\s*")
_NAME_PREDICATES = (FOAF.name, VCARD.fn, VCARD["organization-name"], RDFS.label, SKOS.prefLabel,
                    DCTERMS.title)
_ROLES = ((DCTERMS.publisher, "publisher"), (DCTERMS.creator, "creator"),
          (DCATAP.distributor, "distributor"), (DCAT.contactPoint, "contact"))


@reader("dcat")
def read_dcat(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one dataset subgraph; raises :class:`MappingError` for unreadable RDF or no title."""
    graph = _parse(raw.content)
    dataset = _find_dataset(graph, raw.identifier)
    warnings: list[str] = []

    titles: list[dict[str, Any]] = []
    for lit in _literals(graph, dataset, DCTERMS.title):
        text = clean_text(str(lit))
        if text:
            titles.append({"value": clip(text, MAX_TITLE), "lang": _lang(lit)})
    titles = merge_duplicates(titles)[:20]
    if not titles:
        raise MappingError("no title (dct:title missing or empty)")

    descriptions: list[dict[str, Any]] = []
    for lit in _literals(graph, dataset, DCTERMS.description):
        text = clean_text(str(lit))
        if not text:
            continue
        html, plain = render_markdown(str(lit))
        if value := clean_lines(plain):
            descriptions.append({"value": value, "lang": _lang(lit), "html": html})
    descriptions = descriptions[:20]

    keywords: list[dict[str, Any]] = []
    for lit in _literals(graph, dataset, DCAT.keyword):
        text = clean_text(str(lit))
        if text:
            keywords.append({"value": clip(text, 500), "lang": _lang(lit)})
    keywords = merge_duplicates(keywords)[:MAX_LIST]
    themes = sorted({t for node in graph.objects(dataset, DCAT.theme)
                     if (t := _theme(graph, node))})

    # Only dct:language: the languages of the metadata literals say nothing of the data's.
    languages = _languages(graph, dataset)
    landing = _first_url(graph.objects(dataset, DCAT.landingPage))
    if landing is None and isinstance(dataset, URIRef):
        landing = safe_url(str(dataset))

    distributions = sorted(
        (d for d in graph.objects(dataset, DCAT.distribution) if isinstance(d, URIRef | BNode)),
        key=str,
    )
    licence, access, rights = _licence(graph, dataset, distributions, warnings)
    links = merge_duplicates(
        [link for d in distributions if (link := _distribution_link(graph, d))], key="url"
    )
    if len(links) > MAX_LIST:
        warnings.append(f"{len(links)} distributions: only the first {MAX_LIST} kept as links")
        links = links[:MAX_LIST]

    record: dict[str, Any] = {
        **record_frame(raw, ctx, landing),
        "title": titles,
        "description": descriptions,
        "keywords": keywords,
        "languages": languages,
        "resource_types": normalize_types("dataset"),
        "contributors": _contributors(graph, dataset),
        "dates": _dates(graph, dataset),
        "licence": licence,
        "access": access,
        "rights": rights,
        "url": landing,
        "coverage": _coverage(graph, dataset, warnings),
        "links": links,
    }
    hints: dict[str, list[str]] = {}
    if keywords:
        hints["tags"] = [k["value"] for k in keywords]
    if themes:
        hints["dcat_themes"] = themes
    return Mapped(record=record, hints=hints, warnings=warnings)


def _parse(content: bytes) -> Graph:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(f"N-Triples is not UTF-8: byte {exc.start}") from None
    graph = Graph()
    try:
        graph.parse(data=text, format="nt")
    except Exception as exc:  # rdflib raises several unrelated exception types
        raise MappingError(f"malformed N-Triples: {exc}") from None
    if len(graph) == 0:
        raise MappingError("empty N-Triples graph: no dcat:Dataset")
    return graph


def _find_dataset(graph: Graph, identifier: str) -> URIRef | BNode:
    datasets = sorted(
        (s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef | BNode)),
        key=str,
    )
    if not datasets:
        raise MappingError("no dcat:Dataset in the graph")
    if len(datasets) == 1:
        return datasets[0]
    wanted = identifier.strip()
    for node in datasets:
        ids = {str(o).strip() for o in graph.objects(node, DCTERMS.identifier)}
        if str(node) == wanted or wanted in ids:
            return node
    raise MappingError(
        f"{len(datasets)} dcat:Dataset nodes and none has identifier {wanted!r}"
    )


def _literals(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    """Literal values of ``predicate``, sorted for a stable order."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    return sorted(values, key=lambda lit: (lit.language or "", str(lit)))


def _lang(lit: Literal) -> str | None:
    return normalize_language(lit.language) if lit.language else None


def _name(graph: Graph, node: Node) -> str | None:
    """A human name for an agent, place or licence node (literal values are their own name)."""
    if isinstance(node, Literal):
        return clean_text(str(node))
    for predicate in _NAME_PREDICATES:
        lits = _literals(graph, node, predicate)
        french = [lit for lit in lits if lit.language in ("fr", "fr-FR", "fr-fr")]
        for lit in french + lits:
            text = clean_text(str(lit))
            if text:
                return text
    return None


def _first_url(values: Iterable[Node]) -> str | None:
    """First http(s) URL among IRIs and literals (udata sometimes writes URLs as literals)."""
    for value in sorted(values, key=lambda v: (not isinstance(v, URIRef), str(v))):
        if isinstance(value, URIRef | Literal) and (url := safe_url(str(value).strip())):
            return url
    return None


def _theme(graph: Graph, node: Node) -> str | None:
    if isinstance(node, URIRef):
        return str(node)
    return _name(graph, node)


def _languages(graph: Graph, dataset: Node) -> list[str]:
    found: list[str] = []
    for value in graph.objects(dataset, DCTERMS.language):
        if isinstance(value, URIRef):
            text = str(value).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        elif isinstance(value, Literal):
            text = str(value)
        else:
            text = _name(graph, value) or ""
        code = normalize_language(text) if text else None
        if code and code not in found:
            found.append(code)
    return sorted(found)


def _contributors(graph: Graph, dataset: Node) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for predicate, role in _ROLES:
        for node in sorted(graph.objects(dataset, predicate), key=str):
            name = _name(graph, node)
            email = _email(graph, node)
            if not name and email:
                name = email
            if not name or (name, role) in seen:
                continue
            seen.add((name, role))
            people.append({
                "name": clip(name, 1000),
                "role": role,
                "kind": _kind(graph, node),
                "email": email,
            })
    return people[:MAX_LIST]


def _kind(graph: Graph, node: Node) -> str | None:
    types = set(graph.objects(node, RDF.type))
    if types & {FOAF.Person, VCARD.Individual}:
        return "person"
    if types & {FOAF.Organization, VCARD.Organization, FOAF.Agent} and FOAF.Person not in types:
        return "organization"
    return None


def _email(graph: Graph, node: Node) -> str | None:
    for predicate in (VCARD.hasEmail, FOAF.mbox, VCARD.email):
        for value in sorted(graph.objects(node, predicate), key=str):
            text = str(value).strip()
            if text.lower().startswith("mailto:"):
                text = text[7:]
            text = clean_text(text) or ""
            if "@" in text and " " not in text and len(text) < 300:
                return text
    return None


def _dates(graph: Graph, dataset: Node) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    for predicate, name in ((DCTERMS.created, "created"), (DCTERMS.issued, "issued"),
                            (DCTERMS.modified, "modified")):
        for lit in _literals(graph, dataset, predicate):
            interval = date_interval(str(lit))
            if interval:
                dates[name] = interval
                break
    return dates


def _licence(
    graph: Graph, dataset: Node, distributions: Sequence[Node], warnings: list[str]
) -> tuple[dict[str, Any] | None, str, str | None]:
    """Licence, access and rights text, looking at the dataset before its distributions."""
    holders = [dataset, *distributions]
    unrecognised: list[str] = []
    licence: dict[str, Any] | None = None
    access = "unknown"
    for holder in holders:
        for value in sorted(graph.objects(holder, DCTERMS.license), key=str):
            label = _name(graph, value)
            uri = str(value) if isinstance(value, URIRef) else None
            if label and _NOT_SPECIFIED.match(label):
                continue
            if uri and uri.rstrip("/").endswith("notspecified"):
                continue
            found, found_access = normalize_licence(label, uri)
            if found:
                licence, access = found, found_access
                break
            unrecognised.append(label or uri or "")
        if licence:
            break

    rights: str | None = None
    for holder in holders:
        for value in sorted(graph.objects(holder, DCTERMS.rights), key=str):
            text = _name(graph, value)
            if not text or _NOT_SPECIFIED.match(text):
                continue
            if licence is None:
                found, found_access = normalize_licence(text, None)
                if found:
                    licence, access = found, found_access
                    continue
            rights = rights or clip(text, MAX_TEXT)
    if licence is None and unrecognised:
        warnings.append(f"licence not recognised: {unrecognised[0]}")
        if rights is None:
            rights = clip(unrecognised[0], MAX_TEXT) or None

    for value in graph.objects(dataset, DCTERMS.accessRights):
        tail = str(value).rstrip("/").rsplit("/", 1)[-1].upper()
        if tail == "PUBLIC":
            access = "free"
        elif tail in ("RESTRICTED", "NON_PUBLIC", "NON-PUBLIC"):
            access = "restricted"
    return licence, access, rights


def _media_type(graph: Graph, dist: Node) -> str | None:
    for value in sorted(graph.objects(dist, DCAT.mediaType), key=str):
        text = str(value).strip()
        if "/media-types/" in text:
            text = text.split("/media-types/", 1)[1]
        if mime := mime_type(text):
            return mime
    for value in sorted(graph.objects(dist, DCTERMS.format), key=str):
        if isinstance(value, URIRef):  # EU file-type authority: .../file-type/CSV
            found = format_media_type(str(value).rstrip("/").rsplit("/", 1)[-1])
        else:
            found = format_media_type(_name(graph, value))
        if found:
            return found
    return None


def _distribution_link(graph: Graph, dist: Node) -> dict[str, Any] | None:
    url = _first_url(graph.objects(dist, DCAT.downloadURL))
    kind = "download"
    if url is None:
        url = _first_url(graph.objects(dist, DCAT.accessURL))
        kind = "access"
    if url is None:
        return None
    title = None
    for predicate in (DCTERMS.title, DCTERMS.description):
        lits = _literals(graph, dist, predicate)
        if lits:
            title = clean_text(str(lits[0]))
            if title:
                break
    return {
        "url": url,
        "title": clip(title, MAX_TITLE) if title else None,
        "media_type": _media_type(graph, dist),
        "kind": kind,
    }


def _coverage(graph: Graph, dataset: Node, warnings: list[str]) -> dict[str, Any]:
    places: list[str] = []
    bbox: dict[str, float] | None = None
    for node in sorted(graph.objects(dataset, DCTERMS.spatial), key=str):
        if bbox is None:
            bbox = _bbox(graph, node, warnings)
        name = _name(graph, node)
        if name is None:
            for geo_name in _literals(graph, node, LOCN.geographicName):
                name = clean_text(str(geo_name))
                if name:
                    break
        if name and name not in places:
            places.append(clip(name, 500))
    temporal = None
    for node in sorted(graph.objects(dataset, DCTERMS.temporal), key=str):
        temporal = _period(graph, node)
        if temporal:
            break
    return {"places": places[:MAX_LIST], "bbox": bbox, "temporal": temporal}


def _period(graph: Graph, node: Node) -> dict[str, Any] | None:
    def first(*predicates: URIRef) -> dict[str, Any] | None:
        for predicate in predicates:
            for lit in _literals(graph, node, predicate):
                found = date_interval(str(lit))
                if found:
                    return found
        return None

    start = first(DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)
    end = first(DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)
    if start is None and end is None:
        return None
    start_text = start["text"] if start else ".."
    end_text = end["text"] if end else ".."
    interval = {
        "text": f"{start_text}/{end_text}",
        "start": start["start"] if start else None,
        "end": end["end"] if end else None,
    }
    if interval["start"] and interval["end"] and interval["start"] > interval["end"]:
        interval["end"] = None  # a reversed period is a partner typo; keep the start only
    return interval


def _bbox(graph: Graph, node: Node, warnings: list[str]) -> dict[str, float] | None:
    for predicate in (DCAT.bbox, LOCN.geometry, GSP.asWKT):
        for value in sorted(graph.objects(node, predicate), key=str):
            if not isinstance(value, Literal):
                continue
            box = geometry_bbox(str(value), str(value.datatype or ""))
            if box:
                return box
            warnings.append(f"spatial geometry not understood: {str(value)[:80]}")
    return None


def geometry_bbox(text: str, datatype: str) -> dict[str, float] | None:
    """Bounding box of a WKT or GeoJSON geometry in WGS84 degrees, or None."""
    text = text.strip()
    pairs: list[tuple[float, float]]
    if text.startswith("{") or "geo+json" in datatype.lower() or "geojson" in datatype.lower():
        try:
            geometry = json.loads(text)
        except ValueError:
            return None
        pairs = list(geojson_pairs(geometry.get("coordinates") if isinstance(geometry, dict)
                                    else None))
    else:
        swap = False
        match = _CRS_PREFIX.match(text)
        if match:
            crs = match.group(1)
            if crs.endswith(("EPSG/0/4326", "EPSG:4326")):
                swap = True  # EPSG:4326 is latitude first
            elif not crs.endswith(("CRS84", "OGC/1.3/CRS84")):
                return None
            text = text[match.end():]
        numbers = [float(n) for n in _NUMBER.findall(text)]
        if len(numbers) < 2 or len(numbers) % 2:
            return None
        pairs = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]
        if swap:
            pairs = [(y, x) for x, y in pairs]
    return bbox_of(pairs)


