"""Helpers shared by the format readers, so that the same partner data gives the same record
whatever format it arrived in. Readers import these from here, never from one another; the XML
navigation helpers are in :mod:`schemas.readers._xml`.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from core.raw import RawRecord
from schemas.cleaning import (
    clean_text,
    clip,
    has_markup,
    normalize_language,
    parse_loose_date,
    safe_url,
    sanitize_html,
)
from schemas.cleaning.vocab import fold
from schemas.readers import MappingError, ReaderContext
from schemas.record import MAX_LIST, MAX_TEXT, record_id

# --- the record's frame ------------------------------------------------------------------------


def datestamp_iso(raw: RawRecord) -> str | None:
    """The protocol datestamp as ISO 8601 UTC."""
    if raw.datestamp is None:
        return None
    stamp = raw.datestamp
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _datestamp(raw: RawRecord, header: str | None) -> str | None:
    """The record's datestamp (ISO 8601 UTC): the harvester's, else the header's."""
    stamped = datestamp_iso(raw)
    if stamped or not header:
        return stamped
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(header, fmt).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    return None


def record_frame(
    raw: RawRecord, ctx: ReaderContext, landing: str | None, header_datestamp: str | None = None
) -> dict[str, Any]:
    """The record's ``id`` and ``source`` block, which every reader builds the same way.

    ``landing``: the page the reader found, used when the harvester gave none;
    ``header_datestamp``: the OAI header's, used when the harvester gave none.
    """
    return {
        "id": record_id(ctx.source_id, raw.identifier),
        "source": {
            "partner": ctx.partner,
            "source_id": ctx.source_id,
            "identifier": raw.identifier,
            "landing_url": safe_url(raw.landing_url) or landing,
            "format": raw.format,
            "datestamp": _datestamp(raw, header_datestamp),
            "harvested_at": ctx.harvested_at,
        },
    }


# --- texts -----------------------------------------------------------------------------------


def clean_lines(text: str | None) -> str | None:
    """Description text: each line cleaned, blank lines dropped, capped to the record's limit.

    The cleaning functions return one line per paragraph; keeping them keeps long texts readable.
    """
    lines = (clean_text(line) for line in (text or "").split("\n"))
    value = "\n".join(line for line in lines if line)
    return clip(value, MAX_TEXT) if value else None


def description_entry(
    text: str, lang: str | None, converted: tuple[str | None, str] | None = None
) -> dict[str, Any] | None:
    """A description item from partner text that may be HTML (or already ``converted``)."""
    html, plain = converted or sanitize_html(text)
    if not plain:
        return None
    plain = clip(plain, MAX_TEXT)
    if html is not None and len(html) > MAX_TEXT * 3:
        html = None  # the plain text is still there; an oversized HTML body is not worth keeping
    return {"value": plain, "lang": lang, "html": html}


def sanitize_partner_html(value: str) -> tuple[str | None, str]:
    """:func:`sanitize_html`, with source line breaks inside markup treated as spaces.

    In HTML a newline in a paragraph is just a space; feeds wrap their CDATA at 80 columns and
    the plain text must not break lines there. Text without markup keeps its paragraphs.
    """
    if has_markup(value) and "<pre" not in value.lower():
        value = re.sub(r"\s+", " ", value)
    return sanitize_html(value)


# --- lists -----------------------------------------------------------------------------------


def unique_contributors(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contributors without repeats of the same name in the same role, capped."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for person in people:
        key = (fold(person["name"]), person["role"])
        if key not in seen:
            seen.add(key)
            unique.append(person)
    return unique[:MAX_LIST]


def unique_links(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Links without repeated URLs (exact comparison: URL paths are case-sensitive), capped."""
    seen: set[str] = set()
    out = []
    for link in links:
        if link["url"] not in seen:
            seen.add(link["url"])
            out.append(link)
    return out[:MAX_LIST]


def languages_of(
    texts: Iterable[str | None], warnings: list[str], silent: tuple[str, ...] = ()
) -> list[str]:
    """Language codes, each once, in order; texts not understood are reported unless ``silent``."""
    languages: list[str] = []
    for text in texts:
        code = normalize_language(text)
        if code and code not in languages:
            languages.append(code)
        elif text and not code and text.lower() not in silent:
            warnings.append(f"language not recognised: {text!r}")
    return languages


def coverage_from_texts(texts: Iterable[str]) -> dict[str, Any]:
    """Coverage from free statements: the first date is the period, anything else a place."""
    coverage: dict[str, Any] = {"places": [], "bbox": None, "temporal": None}
    for text in texts:
        interval = parse_loose_date(text)
        if interval and coverage["temporal"] is None:
            coverage["temporal"] = interval
        elif not interval and text not in coverage["places"]:
            coverage["places"].append(clip(text, 500))
    return coverage


# --- dates and durations ---------------------------------------------------------------------


def date_interval(text: str | None) -> dict[str, Any] | None:
    """A date interval from partner text; full timestamps fall back to their date part."""
    text = clean_text(text)
    if not text:
        return None
    found = parse_loose_date(text)
    if found is None and re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        found = parse_loose_date(text[:10])
        if found is not None:
            found = {**found, "text": text}
    return found


def duration_seconds(text: str | None) -> float | None:
    """Seconds from ``"113.8"``, ``"1:53"`` or ``"00:01:53"``; None if not a duration."""
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    return None


# --- JSON records ----------------------------------------------------------------------------


def load_json_object(content: bytes, what: str) -> dict[str, Any]:
    """The JSON object of a raw record; ``what`` names the format in the messages ("udata")."""
    try:
        data = json.loads(content)
    except UnicodeDecodeError as exc:
        raise MappingError(f"{what} JSON is not UTF-8: byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise MappingError(
            f"malformed {what} JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise MappingError(f"{what} JSON must be an object, got {type(data).__name__}")
    return data


def json_str(value: Any) -> str | None:
    """Strings pass; numbers become text; anything else (dict, list, bool) is ignored."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# --- media types and geometry ----------------------------------------------------------------


_FORMATS = {
    "csv": "text/csv", "tsv": "text/tab-separated-values", "txt": "text/plain",
    "json": "application/json", "geojson": "application/geo+json",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "xml": "application/xml", "rdf": "application/rdf+xml", "ttl": "text/turtle",
    "html": "text/html", "pdf": "application/pdf", "zip": "application/zip",
    "gz": "application/gzip", "7z": "application/x-7z-compressed",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "kml": "application/vnd.google-earth.kml+xml", "kmz": "application/vnd.google-earth.kmz",
    "parquet": "application/vnd.apache.parquet", "shp": "application/x-shapefile",
    "netcdf": "application/netcdf", "nc": "application/netcdf", "grib": "application/x-grib",
    "grib2": "application/x-grib",
}  # fmt: skip


def mime_type(value: str | None) -> str | None:
    """``value`` lower-cased when it has the shape of a MIME type (``type/subtype``), else None."""
    value = (value or "").strip().lower()
    return value if re.fullmatch(r"[\w.+-]+/[\w.+-]+", value) else None


def format_media_type(fmt: str | None) -> str | None:
    """MIME type for a format name ("CSV", "csv.gz", "text/csv"); None when unknown.

    A fixed table first: the system MIME database differs between machines and the same
    record must come out the same everywhere.
    """
    text = (fmt or "").strip().lower().lstrip(".")
    if not text:
        return None
    if mime_type(text):
        return text
    if text in _FORMATS:
        return _FORMATS[text]
    if text.endswith((".gz", ".gzip")):
        return "application/gzip"
    guessed, encoding = mimetypes.guess_type(f"file.{text}", strict=True)
    return "application/gzip" if encoding == "gzip" else guessed


def geojson_pairs(coords: Any) -> Iterator[tuple[float, float]]:
    """Every (lon, lat) position in GeoJSON ``coordinates``, whatever the nesting."""
    if isinstance(coords, list):
        if len(coords) >= 2 and all(isinstance(c, int | float) for c in coords[:2]):
            yield float(coords[0]), float(coords[1])
        else:
            for item in coords:
                yield from geojson_pairs(item)


def bbox_of(pairs: list[tuple[float, float]]) -> dict[str, float] | None:
    """The box around (lon, lat) pairs, or None when empty or outside WGS84 degrees."""
    if not pairs:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    box = {"west": min(xs), "south": min(ys), "east": max(xs), "north": max(ys)}
    if not (-180 <= box["west"] <= 180 and -180 <= box["east"] <= 180
            and -90 <= box["south"] <= 90 and -90 <= box["north"] <= 90):
        return None
    return box
