"""The shared record: the one contract between harvesters, store, search and every output.

A record is a plain JSON-able ``dict`` validated by :class:`RecordSchema`; plain dicts keep the
store, the index and the serialisers free of object mapping. ``docs/record.md`` documents each
field with its LOM / ScoLOMFR path, schema.org property and oai_dc element.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from core.ids import ID

Record = dict[str, Any]

PROVENANCES = ("source", "rule", "inferred", "default", "curation")
# Where a licence's rights IRI came from (see schemas/mappings/licences.tsv): the partner named
# it (source), said it in words mapped by the table (rule), or said nothing (default: CNE).
LICENCE_PROVENANCES = ("source", "rule", "default")
ACCESS_CONDITIONS = ("free", "restricted", "unknown")
CONTRIBUTOR_ROLES = (
    "author",
    "publisher",
    "contributor",
    "editor",
    "creator",
    "producer",
    "distributor",
    "rights_holder",
    "contact",
    "owner",
    "provider",
    "other",
)
_ISO_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_LANG = re.compile(r"^[a-z]{2}$")
_CONCEPT_ID = re.compile(r"^scolomfr-voc-\d{3}-num-\d+$")
MAX_TEXT = 20_000
MAX_TITLE = 2_000
MAX_LIST = 500


def _http_url(value: str | None) -> None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValidationError("must be an http(s) URL")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LangStringSchema(_Strict):
    """A string in one language (``lang`` is ISO 639-1, or null when the partner did not say)."""

    value = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    lang = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(_LANG))


class DescriptionSchema(LangStringSchema):
    """A description: ``value`` is plain text; ``html`` is the sanitised rich version, if any."""

    html = fields.String(load_default=None, allow_none=True)


class KeywordSchema(_Strict):
    value = fields.String(required=True, validate=validate.Length(min=1, max=500))
    lang = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(_LANG))
    # Name or URI of the thesaurus the keyword comes from (RAMEAU, GEMET, INSPIRE, tags…).
    thesaurus = fields.String(load_default=None, allow_none=True)
    uri = fields.String(load_default=None, allow_none=True)


class SourceInfoSchema(_Strict):
    partner = fields.String(required=True, validate=validate.Regexp(ID))
    source_id = fields.String(required=True, validate=validate.Regexp(ID))
    identifier = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    landing_url = fields.String(load_default=None, allow_none=True, validate=_http_url)
    format = fields.String(load_default=None, allow_none=True)
    # Datestamp announced by the partner for this record (ISO 8601 UTC), if any.
    datestamp = fields.String(load_default=None, allow_none=True)
    # When the catalogue last fetched it (ISO 8601 UTC).
    harvested_at = fields.String(load_default=None, allow_none=True)


class AlignedConceptSchema(_Strict):
    """A level (voc-022) or discipline (voc-015) with where the value came from."""

    id = fields.String(
        required=True,
        validate=validate.Regexp(_CONCEPT_ID, error="not a ScoLOMFR concept id (scolomfr-voc-NNN-num-N)"),
    )
    label = fields.String(required=True)
    provenance = fields.String(required=True, validate=validate.OneOf(PROVENANCES))
    # What triggered it: "scolomfr:<uri>", "keyword:CM2", "dewey:944", "source-default", "curation:<who>".
    basis = fields.String(load_default=None, allow_none=True)


class ConceptRefSchema(_Strict):
    """A resource type: a ScoLOMFR concept id or a DCMI type URI, with a French label."""

    id = fields.String(required=True)
    label = fields.String(required=True)
    scheme = fields.String(load_default=None, allow_none=True)


class ContributorSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    role = fields.String(required=True, validate=validate.OneOf(CONTRIBUTOR_ROLES))
    kind = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(("person", "organization"))
    )
    email = fields.String(load_default=None, allow_none=True)


class IntervalSchema(_Strict):
    """A date kept as an interval so that "18..", "1846-01" or "1881-1883" survive.

    ``text`` is what the partner wrote; ``start``/``end`` are ISO dates (YYYY[-MM[-DD]]) bounding it.
    """

    text = fields.String(required=True)
    start = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(_ISO_DATE))
    end = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(_ISO_DATE))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and start.lstrip("-") > end.lstrip("-") and not start.startswith("-"):
            raise ValidationError("start is after end", field_name="start")


class DatesSchema(_Strict):
    created = fields.Nested(IntervalSchema, load_default=None, allow_none=True)
    issued = fields.Nested(IntervalSchema, load_default=None, allow_none=True)
    modified = fields.Nested(IntervalSchema, load_default=None, allow_none=True)


class LicenceSchema(_Strict):
    uri = fields.String(load_default=None, allow_none=True)
    label = fields.String(required=True)
    # Short stable code used in facets: "lo-2.0", "cc-by-4.0", "public-domain", "specific"…
    code = fields.String(required=True, validate=validate.Regexp(ID))
    # Where ``uri`` came from; None in records mapped before it was kept.
    provenance = fields.String(load_default=None, allow_none=True,
                               validate=validate.OneOf(LICENCE_PROVENANCES))


class BBoxSchema(_Strict):
    west = fields.Float(required=True, validate=validate.Range(-180, 180))
    south = fields.Float(required=True, validate=validate.Range(-90, 90))
    east = fields.Float(required=True, validate=validate.Range(-180, 180))
    north = fields.Float(required=True, validate=validate.Range(-90, 90))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["south"] > data["north"]:
            raise ValidationError("south is greater than north", field_name="south")


class CoverageSchema(_Strict):
    places = fields.List(fields.String(), load_default=list)
    bbox = fields.Nested(BBoxSchema, load_default=None, allow_none=True)
    temporal = fields.Nested(IntervalSchema, load_default=None, allow_none=True)


class LinkSchema(_Strict):
    url = fields.String(required=True, validate=_http_url)
    title = fields.String(load_default=None, allow_none=True)
    media_type = fields.String(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True)


def _list(schema: type[Schema], maximum: int = MAX_LIST) -> fields.Nested:
    # Nested(many=True) loads a list in one schema pass (List(Nested) pays one per item).
    return fields.Nested(
        schema, many=True, load_default=list, validate=validate.Length(max=maximum)
    )


class RecordSchema(_Strict):
    """The shared record. Loading validates; an invalid record raises with field names."""

    id = fields.String(required=True, validate=[validate.Regexp(ID), validate.Length(max=200)])
    source = fields.Nested(SourceInfoSchema, required=True)
    title = fields.Nested(
        LangStringSchema, many=True, required=True, validate=validate.Length(min=1, max=20)
    )
    description = _list(DescriptionSchema, 20)
    keywords = _list(KeywordSchema)
    languages = fields.List(
        fields.String(validate=validate.Regexp(_LANG)), load_default=list
    )
    resource_types = _list(ConceptRefSchema)
    levels = _list(AlignedConceptSchema)
    disciplines = _list(AlignedConceptSchema)
    contributors = _list(ContributorSchema)
    dates = fields.Nested(DatesSchema, load_default=dict)
    licence = fields.Nested(LicenceSchema, load_default=None, allow_none=True)
    access = fields.String(load_default="unknown", validate=validate.OneOf(ACCESS_CONDITIONS))
    rights = fields.String(load_default=None, allow_none=True)
    url = fields.String(load_default=None, allow_none=True, validate=_http_url)
    thumbnail = fields.String(load_default=None, allow_none=True, validate=_http_url)
    media_type = fields.String(load_default=None, allow_none=True)
    duration = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    coverage = fields.Nested(CoverageSchema, load_default=dict)
    links = _list(LinkSchema)


RECORD_SCHEMA = RecordSchema()
_LENIENT = RecordSchema(unknown=EXCLUDE)


def validate_record(data: Record) -> Record:
    """Validate and normalise ``data``; raises :class:`RecordError` naming the failing fields."""
    try:
        loaded: Record = RECORD_SCHEMA.load(data)
    except ValidationError as exc:
        raise RecordError(format_errors(exc.messages)) from exc
    return loaded


class RecordError(ValueError):
    """A record that does not satisfy the shared schema; the message names each field."""


def format_errors(messages: Any, prefix: str = "") -> str:
    """Flatten marshmallow's nested error dict to ``field.path: reason; …``."""
    parts: list[str] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            parts.append(format_errors(value, path))
    elif isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        if texts:
            parts.append(f"{prefix or 'record'}: {' '.join(texts)}")
        for m in messages:
            if not isinstance(m, str):
                parts.append(format_errors(m, prefix))
    else:
        parts.append(f"{prefix or 'record'}: {messages}")
    return "; ".join(p for p in parts if p)


def _slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-")


def record_id(source_id: str, identifier: str) -> str:
    """Stable, URL-safe id: the same source and original identifier give the same id forever.

    A readable tail helps people; the hash makes it unique even when two identifiers slug alike.
    """
    digest = hashlib.sha256(f"{source_id}\x00{identifier.strip()}".encode()).hexdigest()[:12]
    tail = _slug(identifier.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1], 40)
    base = _slug(source_id, 40)
    return f"{base}-{tail}-{digest}" if tail else f"{base}-{digest}"


def content_hash(record: Record) -> str:
    """Hash of what the record says, ignoring when it was fetched (so re-harvests compare equal)."""
    data = dict(record)
    source = dict(data.get("source") or {})
    source.pop("harvested_at", None)
    data["source"] = source
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def text_of(values: list[dict[str, Any]] | None, lang: str = "fr") -> str:
    """The value in ``lang`` if present, else the first one; '' when empty."""
    if not values:
        return ""
    for item in values:
        if item.get("lang") == lang:
            return str(item["value"])
    return str(values[0]["value"])


__all__ = [
    "RECORD_SCHEMA",
    "Record",
    "RecordError",
    "RecordSchema",
    "content_hash",
    "format_errors",
    "record_id",
    "text_of",
    "validate_record",
]
