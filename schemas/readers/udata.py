"""udata reader: one data.gouv.fr API v1 dataset (JSON object) → the shared record.

Mapping decisions:

- ``description`` is Markdown: rendered to sanitised HTML, plain text kept as ``value``.
- ``tags`` → keywords (thesaurus ``data.gouv.fr``) and ``hints["tags"]``.
- ``license`` is a data.gouv.fr licence id (``lov2``, ``fr-lo``, ``cc-by``, ``odc-odbl``…);
  ``notspecified`` means no licence and unknown access.
- ``organization`` → contributor ``publisher`` (and its page as a link of kind ``publisher``);
  ``owner`` (a user, when there is no organisation) → ``owner``; ``contact_point(s)`` → ``contact``.
- ``created_at`` → ``dates.created``, ``last_modified`` → ``dates.modified``.
- ``spatial.zones`` (GeoZones ids such as ``country:fr`` or ``fr:departement:01``) → readable
  place names; a French ``granularity`` without zones means "France"; ``spatial.geom`` → bbox.
- ``resources`` → links (kind = the udata resource type: ``main``, ``documentation``, ``api``…),
  media type from ``mime`` else guessed from ``format``. Big Météo-France datasets have hundreds
  of resources: only the first :data:`schemas.record.MAX_LIST` are kept, with a warning.
- The record has no field for update frequency, badges or archival: they go to hints
  (``frequency``, ``badges``, ``status``) for the harvest report and curation; ``extras`` are
  ignored (they hold data.gouv.fr's own analysis results, not descriptive metadata).
"""

from __future__ import annotations

from typing import Any

from core.raw import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
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
    json_str,
    load_json_object,
    mime_type,
    record_frame,
)
from schemas.record import MAX_LIST, MAX_TITLE

_ZONE_NAMES = {
    "country:fr": "France",
    "country-group:world": "Monde",
    "country-group:ue": "Union européenne",
    "country-group:europe": "Europe",
    "country-subset:fr:metro": "France métropolitaine",
    "country-subset:fr:drom": "Départements et régions d'outre-mer",
    "country-subset:fr:dromcom": "Outre-mer",
}
_ZONE_LEVELS = {
    "fr:region": "Région",
    "fr:departement": "Département",
    "fr:commune": "Commune",
    "fr:epci": "EPCI",
    "fr:arrondissement": "Arrondissement",
    "fr:canton": "Canton",
    "fr:collectivite": "Collectivité",
    "fr:iris": "IRIS",
}


@reader("udata")
def read_udata(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one dataset object; raises :class:`MappingError` for bad JSON or no title."""
    data = load_json_object(raw.content, "udata")
    warnings: list[str] = []

    title = clean_text(json_str(data.get("title")))
    if not title:
        raise MappingError("no title")

    descriptions = []
    source_text = json_str(data.get("description"))
    if source_text and clean_text(source_text):
        html, plain = render_markdown(source_text)
        if text := clean_lines(plain):
            descriptions.append({"value": text, "lang": None, "html": html})

    keywords = merge_duplicates([
        {"value": clip(tag, 500), "lang": None, "thesaurus": "data.gouv.fr"}
        for value in _list(data.get("tags"))
        if (tag := clean_text(json_str(value)))
    ])[:MAX_LIST]

    licence_id = clean_text(json_str(data.get("license")))
    licence, access = normalize_licence(licence_id) if licence_id else (None, "unknown")
    if licence_id and licence is None and licence_id.lower() != "notspecified":
        warnings.append(f"licence not recognised: {licence_id}")

    page = safe_url(json_str(data.get("page")))
    contributors, publisher_link = _contributors(data)
    links = _links(data, warnings)
    if publisher_link:
        links.append(publisher_link)

    record: dict[str, Any] = {
        **record_frame(raw, ctx, page),
        "title": [{"value": clip(title, MAX_TITLE), "lang": None}],
        "description": descriptions,
        "keywords": keywords,
        "resource_types": normalize_types("dataset", "udata"),
        "contributors": contributors,
        "dates": _dates(data),
        "licence": licence,
        "access": access,
        "url": page,
        "coverage": _coverage(data, warnings),
        "links": links,
    }

    hints: dict[str, list[str]] = {}
    if keywords:
        hints["tags"] = [k["value"] for k in keywords]
    frequency = clean_text(json_str(data.get("frequency")))
    if frequency and frequency not in ("unknown", "punctual"):
        hints["frequency"] = [frequency]
    badges = sorted({kind for badge in _list(data.get("badges")) if isinstance(badge, dict)
                     and (kind := clean_text(json_str(badge.get("kind"))))})
    if badges:
        hints["badges"] = badges
    archived = clean_text(json_str(data.get("archived")))
    if archived:
        hints["status"] = ["archived"]
        warnings.append(f"dataset archived on data.gouv.fr ({archived})")
    return Mapped(record=record, hints=hints, warnings=warnings)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dates(data: dict[str, Any]) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    created = date_interval(json_str(data.get("created_at")))
    modified = date_interval(json_str(data.get("last_modified")))
    if created:
        dates["created"] = created
    if modified:
        dates["modified"] = modified
    return dates


def _person_name(user: dict[str, Any]) -> str | None:
    parts = [clean_text(json_str(user.get(k))) for k in ("first_name", "last_name")]
    name = " ".join(p for p in parts if p)
    return name or clean_text(json_str(user.get("name"))) or clean_text(json_str(user.get("slug")))


def _contributors(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    people: list[dict[str, Any]] = []
    publisher_link = None
    org = data.get("organization")
    if isinstance(org, dict) and (name := clean_text(json_str(org.get("name")))):
        people.append({"name": clip(name, 1000), "role": "publisher", "kind": "organization"})
        if page := safe_url(json_str(org.get("page"))):
            publisher_link = {"url": page, "title": clip(name, MAX_TITLE), "media_type": "text/html",
                              "kind": "publisher"}
    owner = data.get("owner")
    if isinstance(owner, dict) and (name := _person_name(owner)):
        people.append({"name": clip(name, 1000), "role": "owner", "kind": "person"})
    contacts = _list(data.get("contact_points"))
    if isinstance(data.get("contact_point"), dict):
        contacts = [data["contact_point"], *contacts]
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        email = clean_text(json_str(contact.get("email")))
        if email and ("@" not in email or " " in email):
            email = None
        name = clean_text(json_str(contact.get("name"))) or email
        if name:
            people.append({"name": clip(name, 1000), "role": "contact", "kind": None, "email": email})
    unique: list[dict[str, Any]] = []
    for person in people:
        if not any(p["name"] == person["name"] and p["role"] == person["role"] for p in unique):
            unique.append(person)
    return unique, publisher_link


def _media_type(resource: dict[str, Any]) -> str | None:
    if mime := mime_type(clean_text(json_str(resource.get("mime")))):
        return mime
    return format_media_type(clean_text(json_str(resource.get("format"))))


def _links(data: dict[str, Any], warnings: list[str]) -> list[dict[str, Any]]:
    links = []
    resources = [r for r in _list(data.get("resources")) if isinstance(r, dict)]
    for resource in resources:
        url = safe_url(json_str(resource.get("url"))) or safe_url(json_str(resource.get("latest")))
        if not url:
            continue
        title = clean_text(json_str(resource.get("title")))
        links.append({
            "url": url,
            "title": clip(title, MAX_TITLE) if title else None,
            "media_type": _media_type(resource),
            "kind": clean_text(json_str(resource.get("type"))) or "main",
        })
    links = merge_duplicates(links, key="url")
    if len(links) > MAX_LIST - 1:
        warnings.append(f"{len(links)} resources: only the first {MAX_LIST - 1} kept as links")
        links = links[: MAX_LIST - 1]  # one slot stays for the publisher's page
    return links


def _zone_name(zone: str) -> str | None:
    zone = zone.strip()
    if zone in _ZONE_NAMES:
        return _ZONE_NAMES[zone]
    code = zone.split("@", 1)[0]  # "fr:commune:75056@1942-01-01": validity date
    if code in _ZONE_NAMES:
        return _ZONE_NAMES[code]
    for prefix, label in _ZONE_LEVELS.items():
        if code.startswith(prefix + ":"):
            return f"{label} {code[len(prefix) + 1:]}"
    return clean_text(code)


def _coverage(data: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    coverage: dict[str, Any] = {"places": [], "bbox": None, "temporal": None}
    spatial = data.get("spatial")
    if isinstance(spatial, dict):
        places: list[str] = []
        for zone in _list(spatial.get("zones")):
            # v1 gives ids; some exports give {"id", "name"} objects.
            if isinstance(zone, dict):
                name = clean_text(json_str(zone.get("name"))) or _zone_name(json_str(zone.get("id")) or "")
            else:
                name = _zone_name(json_str(zone) or "")
            if name and name not in places:
                places.append(clip(name, 500))
        granularity = json_str(spatial.get("granularity")) or ""
        if not places and granularity.startswith("fr:"):
            places.append("France")
        coverage["places"] = places[:MAX_LIST]
        geom = spatial.get("geom")
        if isinstance(geom, dict):
            pairs = list(geojson_pairs(geom.get("coordinates")))
            coverage["bbox"] = bbox_of(pairs)
            if pairs and coverage["bbox"] is None:
                warnings.append("spatial.geom is not in WGS84 degrees: bbox ignored")
    temporal = data.get("temporal_coverage")
    if isinstance(temporal, dict):
        start = date_interval(json_str(temporal.get("start")))
        end = date_interval(json_str(temporal.get("end")))
        if start or end:
            interval = {
                "text": f"{start['text'] if start else '..'}/{end['text'] if end else '..'}",
                "start": start["start"] if start else None,
                "end": end["end"] if end else None,
            }
            if interval["start"] and interval["end"] and interval["start"] > interval["end"]:
                warnings.append("temporal_coverage ends before it starts: end ignored")
                interval["end"] = None
            coverage["temporal"] = interval
    return coverage
