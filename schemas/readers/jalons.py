"""INA Jalons reader: one resource of the Jalons API (oEmbed-like JSON object) → the shared record.

Rights decision: INA's Jalons videos are published for teaching and are free to watch online
(no account, no payment), but INA keeps all rights: they are not under an open licence and may
not be copied or redistributed. So ``licence`` is None (no licence grants reuse),
``rights`` is « © INA — tous droits réservés » and ``access`` is ``free`` — ``access`` says whether
a teacher can *consult* the resource, not whether it may be reused.

Other decisions:

- The ``html`` field is INA's iframe embed: it is never kept as HTML. Its ``src`` (when http(s))
  becomes a link of kind ``player``; the page (``url``) is the record's ``url``.
- ``date`` is the broadcast date of the footage → ``dates.created`` (LOM lifecycle date).
- ``locale`` (``fra``) → language; ``type`` (``video``) → resource type (default video, Jalons
  only publishes video); ``duration`` (float seconds) → ``duration``.
- INA is the publisher (organisation) of every record.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from harvesters.base import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
    normalize_language,
    normalize_types,
    safe_url,
)
from schemas.readers import Mapped, MappingError, ReaderContext, reader
from schemas.readers.dcat import clean_lines, date_interval, datestamp_iso
from schemas.readers.rss import sanitize_partner_html
from schemas.record import MAX_LIST, MAX_TITLE, record_id

INA_NAME = "INA (Institut national de l'audiovisuel)"
INA_RIGHTS = "© INA — tous droits réservés"
_THUMBNAIL_KEYS = ("thumbnail", "thumbnail_url", "image", "imagette", "vignette", "poster")
_KEYWORD_KEYS = ("keywords", "tags", "themes", "subjects", "mots_cles")


class _IframeSrc(HTMLParser):
    """Collects the ``src`` of ``<iframe>`` elements; nothing else of the embed is kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.sources.extend(value for name, value in attrs if name == "src" and value)


@reader("jalons")
def read_jalons(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map one Jalons resource; raises :class:`MappingError` for bad JSON or no title."""
    data = _load(raw.content)
    warnings: list[str] = []
    lang = normalize_language(_str(data.get("locale")) or "") if data.get("locale") else None

    _, title_text = sanitize_partner_html(_str(data.get("title")) or "")
    title = clean_text(title_text)
    if not title:
        raise MappingError("no title")

    descriptions = []
    html, text = sanitize_partner_html(_str(data.get("description")) or "")
    if value := clean_lines(text):
        descriptions.append({"value": value, "lang": lang, "html": html})

    url = safe_url(_str(data.get("url")))
    links = []
    for src in _iframe_sources(_str(data.get("html"))):
        if player := safe_url(src):
            links.append({"url": player, "title": None, "media_type": "text/html",
                          "kind": "player"})
    links = merge_duplicates(links, key="url")[:MAX_LIST]

    thumbnail = None
    for key in _THUMBNAIL_KEYS:
        value_any = data.get(key)
        candidate = value_any.get("url") if isinstance(value_any, dict) else value_any
        if thumbnail := safe_url(_str(candidate)):
            break

    duration = _duration(data.get("duration"))
    if data.get("duration") not in (None, "") and duration is None:
        warnings.append(f"duration not understood: {str(data.get('duration'))[:40]}")

    kind = clean_text(_str(data.get("type"))) or "video"
    resource_types = normalize_types(kind, "mrss") or normalize_types("video", "mrss")

    dates: dict[str, Any] = {}
    created = date_interval(_str(data.get("date")))
    if created:
        dates["created"] = created
    elif data.get("date"):
        warnings.append(f"date not understood: {str(data.get('date'))[:40]}")

    keywords = _keywords(data, lang)
    record: dict[str, Any] = {
        "id": record_id(ctx.source_id, raw.identifier),
        "source": {
            "partner": ctx.partner,
            "source_id": ctx.source_id,
            "identifier": raw.identifier,
            "landing_url": safe_url(raw.landing_url) or url,
            "format": raw.format,
            "datestamp": datestamp_iso(raw),
            "harvested_at": ctx.harvested_at,
        },
        "title": [{"value": clip(title, MAX_TITLE), "lang": lang}],
        "description": descriptions,
        "keywords": keywords,
        "languages": [lang] if lang else [],
        "resource_types": resource_types,
        "contributors": [{"name": INA_NAME, "role": "publisher", "kind": "organization"}],
        "dates": dates,
        "licence": None,
        "access": "free",
        "rights": INA_RIGHTS,
        "url": url,
        "thumbnail": thumbnail,
        "duration": duration,
        "links": links,
    }
    hints: dict[str, list[str]] = {}
    if keywords:
        hints["labels"] = [k["value"] for k in keywords]
    return Mapped(record=record, hints=hints, warnings=warnings)


def _load(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except UnicodeDecodeError as exc:
        raise MappingError(f"Jalons JSON is not UTF-8: byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise MappingError(
            f"malformed Jalons JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise MappingError(f"Jalons JSON must be an object, got {type(data).__name__}")
    return data


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _iframe_sources(embed: str | None) -> list[str]:
    if not embed:
        return []
    parser = _IframeSrc()
    parser.feed(embed)
    parser.close()
    return parser.sources


def _duration(value: Any) -> float | None:
    """Seconds from a number, ``"113.8"`` or ``"00:01:53"``; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    text = (_str(value) or "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    return None


def _keywords(data: dict[str, Any], lang: str | None) -> list[dict[str, Any]]:
    """Keywords if the resource carries any (the search API does not; ``/resource`` may)."""
    found = []
    for key in _KEYWORD_KEYS:
        values = data.get(key)
        if isinstance(values, str):
            values = values.split(",")
        if not isinstance(values, list):
            continue
        for item in values:
            label = item.get("label") or item.get("name") if isinstance(item, dict) else item
            if text := clean_text(_str(label)):
                found.append({"value": clip(text, 500), "lang": lang})
    return merge_duplicates(found)[:MAX_LIST]
