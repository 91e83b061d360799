"""INA Jalons reader: one resource of the Jalons API (oEmbed-like JSON object) → the shared record.

Rights decision: INA's Jalons videos are published for teaching and are free to watch online
(no account, no payment), but INA keeps all rights: they are not under an open licence and may
not be copied or redistributed. So the reader gives no ``licence`` (no licence grants reuse),
``rights`` is « © INA — tous droits réservés » and ``access`` is ``free`` — ``access`` says whether
a teacher can *consult* the resource, not whether it may be reused. The mapper then reads the
rights text into the rights statement ``all-rights-reserved`` (rightsstatements.org InC,
provenance ``rule``; ``schemas.cleaning.vocab.rights_licence``).

Other decisions:

- The ``html`` field is INA's iframe embed: it is never kept as HTML. Its ``src`` (when http(s))
  becomes a link of kind ``player``; the page (``url``) is the record's ``url``.
- ``date`` is the broadcast date of the footage → ``dates.created`` (LOM lifecycle date).
  Jalons publishes dated news footage, so every record carries the hint ``witness``: the
  content layer then reads its date as the period it documents (a 1969 report is a source on
  1969), as it does for press photographs (``schemas/mappings/witness.tsv``).
- ``locale`` (``fra``) → language; ``type`` (``video``) → resource type (default video, Jalons
  only publishes video); ``duration`` (float seconds) → ``duration``.
- INA is the publisher (organisation) of every record.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from core.raw import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    merge_duplicates,
    normalize_language,
    normalize_types,
    safe_url,
)
from schemas.readers import Mapped, MappingError, ReaderContext, reader
from schemas.readers._common import (
    clean_lines,
    date_interval,
    duration_seconds,
    json_str,
    load_json_object,
    record_frame,
    sanitize_partner_html,
)
from schemas.record import MAX_LIST, MAX_TITLE

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
    data = load_json_object(raw.content, "Jalons")
    warnings: list[str] = []
    lang = normalize_language(json_str(data.get("locale")) or "") if data.get("locale") else None

    _, title_text = sanitize_partner_html(json_str(data.get("title")) or "")
    title = clean_text(title_text)
    if not title:
        raise MappingError("no title")

    descriptions = []
    html, text = sanitize_partner_html(json_str(data.get("description")) or "")
    if value := clean_lines(text):
        descriptions.append({"value": value, "lang": lang, "html": html})

    url = safe_url(json_str(data.get("url")))
    links = []
    for src in _iframe_sources(json_str(data.get("html"))):
        if player := safe_url(src):
            links.append({"url": player, "title": None, "media_type": "text/html",
                          "kind": "player"})
    links = merge_duplicates(links, key="url")[:MAX_LIST]

    thumbnail = None
    for key in _THUMBNAIL_KEYS:
        value_any = data.get(key)
        candidate = value_any.get("url") if isinstance(value_any, dict) else value_any
        if thumbnail := safe_url(json_str(candidate)):
            break

    duration = _duration(data.get("duration"))
    if data.get("duration") not in (None, "") and duration is None:
        warnings.append(f"duration not understood: {str(data.get('duration'))[:40]}")

    kind = clean_text(json_str(data.get("type"))) or "video"
    resource_types = normalize_types(kind, "mrss") or normalize_types("video", "mrss")

    dates: dict[str, Any] = {}
    created = date_interval(json_str(data.get("date")))
    if created:
        dates["created"] = created
    elif data.get("date"):
        warnings.append(f"date not understood: {str(data.get('date'))[:40]}")

    keywords = _keywords(data, lang)
    record: dict[str, Any] = {
        **record_frame(raw, ctx, url),
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
    hints: dict[str, list[str]] = {"witness": ["jalons"]}
    if keywords:
        hints["labels"] = [k["value"] for k in keywords]
    return Mapped(record=record, hints=hints, warnings=warnings)


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
    return duration_seconds(json_str(value))


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
            if text := clean_text(json_str(label)):
                found.append({"value": clip(text, 500), "lang": lang})
    return merge_duplicates(found)[:MAX_LIST]
