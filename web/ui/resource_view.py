"""The resource page: every field of a stored record, in the words a teacher uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from schemas.cleaning.html import sanitize_html
from schemas.cleaning.vocab import rights_licence
from schemas.provenance import explain, explain_licence
from schemas.record import text_of
from search.facets import LANGUAGE_LABELS
from search.periods import display_date
from web.ui.french import (
    ACCESS,
    DATE_KINDS,
    ROLES,
    bbox_fr,
    credit_line,
    duration_fr,
    format_label,
    image_url,
    interval_fr,
    licence_display,
    licence_explanation,
    licence_kind,
    short_label,
)
from web.ui.previews import Preview, preview_for
from web.ui.thumbnails import thumbnail_path

# The record formats the API serves for one resource (the API's ?format= values).
DOWNLOADS = (
    ("JSON (notice du catalogue)", None, "application/json"),
    ("JSON-LD (schema.org)", "jsonld", "application/ld+json"),
    ("Dublin Core (oai_dc)", "oai_dc", "application/xml"),
    ("LOM", "lom", "application/xml"),
    ("ScoLOMFR", "scolomfr", "application/xml"),
)


@dataclass
class Term:
    label: str
    url: str | None = None
    # Levels and disciplines: where the value came from (provenance code, French explanation).
    provenance: str | None = None
    origin: str | None = None


@dataclass
class Download:
    label: str
    url: str
    media_type: str


@dataclass
class ResourcePage:
    id: str
    title: str
    other_titles: list[tuple[str, str | None]]
    description_html: Markup | None
    description_paragraphs: list[str]
    summary: str
    keywords: list[str]
    levels: list[Term]
    disciplines: list[Term]
    types: list[Term]
    languages: list[str]
    contributors: list[tuple[str, str]]
    dates: list[tuple[str, str]]
    places: list[str]
    bbox: str
    temporal: str
    duration: str
    licence_label: str | None
    licence_uri: str | None
    licence_kind: str
    licence_text: str
    licence_origin: str
    access: str
    rights: str | None
    credit: str
    partner: str
    partner_id: str
    partner_url: str
    resource_url: str | None
    thumbnail: str | None
    preview: Preview | None
    media_type: str | None
    links: list[dict[str, Any]]
    identifier: str
    datestamp: str | None
    harvested_at: str | None
    downloads: list[Download] = field(default_factory=list)


def _search_link(facet: str, value: str) -> str:
    return "/?" + urlencode({facet: value})


def _safe_description(record: dict[str, Any]) -> tuple[Markup | None, list[str]]:
    """The harvest-time sanitised HTML, sanitised once more here (defence in depth), else text."""
    items = record.get("description") or []
    chosen = next((d for d in items if d.get("lang") == "fr"), items[0] if items else None)
    if not chosen:
        return None, []
    if chosen.get("html"):
        safe, _ = sanitize_html(str(chosen["html"]))
        if safe:
            return Markup(safe), []  # noqa: S704 - nh3 allow-list output, see schemas.cleaning.html
    return None, [p for p in str(chosen.get("value", "")).split("\n") if p.strip()]


def _aligned(record: dict[str, Any], field_name: str, facet: str, vocab: Any) -> list[Term]:
    return [Term(short_label(c["label"]), _search_link(facet, c["id"]), c.get("provenance"),
                 explain(c, vocab))
            for c in record.get(field_name) or []]


def _types(record: dict[str, Any]) -> list[Term]:
    """One entry per label: a partner type and its DCMI equivalent often say the same word."""
    seen: set[str] = set()
    terms = []
    for t in record.get("resource_types") or []:
        label = str(t.get("label") or "")
        if label and label.lower() not in seen:
            seen.add(label.lower())
            terms.append(Term(label, _search_link("type", t["id"])))
    return terms


def _links(record: dict[str, Any], partner: str) -> list[dict[str, Any]]:
    """Links with what a teacher reads: a player is a button named after it (over https), a
    file its format ("PDF"), never a bare address when the partner gave a title or a kind."""
    out = []
    for link in record.get("links") or []:
        url = str(link.get("url") or "")
        if link.get("kind") == "player":
            out.append({"url": image_url(url) or url, "title": f"Ouvrir le lecteur chez {partner}",
                        "format": "", "button": True})
            continue
        out.append({"url": url, "title": link.get("title") or url,
                    "format": format_label(link.get("media_type")), "button": False})
    return out


def build_resource_page(record: dict[str, Any], partner: str, vocab: Any = None) -> ResourcePage:
    """``vocab`` lets the origin of an inferred value name its programme."""
    source = record.get("source") or {}
    # The same rights statement as the JSON (records mapped before every record had one get it
    # here the way the mapper would give it): badge, text and credit line say one thing.
    licence = rights_licence(record.get("licence"), record.get("rights"))
    title = text_of(record.get("title")) or record["id"]
    authors = [c["name"] for c in record.get("contributors") or [] if c.get("role") in ("author", "creator")]
    description_html, paragraphs = _safe_description(record)
    summary = text_of(record.get("description"))
    dates = [
        (label, interval_fr((record.get("dates") or {}).get(key)))
        for key, label in DATE_KINDS.items()
        if (record.get("dates") or {}).get(key)
    ]
    coverage = record.get("coverage") or {}
    rid = record["id"]
    downloads = [
        Download(label, f"/api/v1/resources/{rid}" + (f"?format={fmt}" if fmt else ""), media)
        for label, fmt, media in DOWNLOADS
    ]
    return ResourcePage(
        id=rid,
        title=title,
        other_titles=[(t["value"], t.get("lang")) for t in record.get("title") or [] if t["value"] != title],
        description_html=description_html,
        description_paragraphs=paragraphs,
        summary=summary[:300],
        keywords=list(dict.fromkeys(k["value"] for k in record.get("keywords") or [])),
        levels=_aligned(record, "levels", "level", vocab),
        disciplines=_aligned(record, "disciplines", "discipline", vocab),
        types=_types(record),
        languages=[LANGUAGE_LABELS.get(code, code) for code in record.get("languages") or []],
        contributors=[(c["name"], ROLES.get(c.get("role", ""), "autre rôle"))
                      for c in record.get("contributors") or []],
        dates=dates,
        places=list(coverage.get("places") or []),
        bbox=bbox_fr(coverage.get("bbox")),
        temporal=interval_fr(coverage.get("temporal")),
        duration=duration_fr(record.get("duration")),
        licence_label=licence_display(licence, record.get("rights")),
        licence_uri=licence.get("uri"),
        licence_kind=licence_kind(licence.get("code")),
        licence_text=licence_explanation(licence.get("code")),
        licence_origin=explain_licence(licence),
        access=ACCESS.get(record.get("access") or "unknown", ACCESS["unknown"]),
        rights=record.get("rights"),
        credit=credit_line(title, authors, partner, licence_display(licence, record.get("rights")),
                           display_date(record),
                           record.get("url") or source.get("landing_url")),
        partner=partner,
        partner_id=str(source.get("partner", "")),
        partner_url=_search_link("partner", str(source.get("partner", ""))),
        resource_url=record.get("url") or source.get("landing_url"),
        thumbnail=thumbnail_path(record["id"]) if record.get("thumbnail") else None,
        preview=preview_for(record),
        media_type=format_label(record.get("media_type")) or None,
        links=_links(record, partner),
        identifier=str(source.get("identifier", "")),
        datestamp=source.get("datestamp"),
        harvested_at=source.get("harvested_at"),
        downloads=downloads,
    )
