"""Marshmallow schemas of the API: query parameters (validated) and responses (documented).

The query schemas reject unknown parameters and name the parameter in every error. The response
schemas are what the OpenAPI document publishes; the tests check every answer against them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.ids import ID
from schemas.record import PROVENANCES, RecordSchema

MAX_QUERY_CHARS = 500
MAX_PER_PAGE = 100
MAX_WINDOW = 10_000
# The highest page number at any per_page: page × per_page ≤ MAX_WINDOW always holds, so the
# OpenAPI bounds alone say which requests are valid (and links.next switches to the cursor).
MAX_PAGE = MAX_WINDOW // MAX_PER_PAGE
MAX_FILTER_VALUES = 50
SORTS = ("relevance", "date", "title", "modified")
RECORD_FORMATS = ("json", "jsonld", "oai_dc", "lom", "scolomfr")
CATALOG_FORMATS = ("turtle", "jsonld", "rdfxml")

_SCOLOMFR_URI = re.compile(r"^https?://data\.education\.fr/voc/scolomfr/concept/(scolomfr-voc-\d{3}-num-\d+)$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]*$")


# Months, days and clock fields in their ranges, so that the OpenAPI pattern already says what
# a date looks like; calendar checks (30 February) stay in the validator.
_DATE = r"(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ"
_STAMP = re.compile(rf"^{_DATE}(?:{_TIME})?$")
STAMP_ERROR = "use a UTC datestamp YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"


def stamp_window(text: str) -> tuple[datetime, datetime]:
    """(first instant, first instant after) of a datestamp at OAI-PMH granularity, naive UTC:
    "2026-12-03" covers the day, "2026-12-03T08:00:00Z" the second. ValueError if impossible."""
    if "T" in text:
        start = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        return start, start + timedelta(seconds=1)
    start = datetime.strptime(text, "%Y-%m-%d")
    return start, start + timedelta(days=1)


def _stamp(description: str) -> fields.String:
    def possible(text: str) -> None:
        try:
            stamp_window(text)
        except (ValueError, OverflowError) as exc:
            raise ValidationError(f"{text[:40]!r} is not a valid date") from exc

    return fields.String(validate=[validate.Regexp(_STAMP, error=STAMP_ERROR), possible],
                         metadata={"description": description})


def concept_id(value: str) -> str:
    """The concept id for an id or a full ScoLOMFR concept URI (anything else unchanged)."""
    value = value.strip()
    match = _SCOLOMFR_URI.match(value)
    return match.group(1) if match else value


class _Query(Schema):
    class Meta:
        unknown = RAISE


def _concepts(vocab: str, what: str) -> fields.List:
    pattern = re.compile(rf"^(https?://data\.education\.fr/voc/scolomfr/concept/)?scolomfr-voc-{vocab}-num-\d+$")
    error = (f"not a {what}: use a scolomfr-voc-{vocab} concept id or URI "
             f"(see /api/v1/vocabularies/{what}s)")
    return fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), validate.Regexp(pattern, error=error)]),
        validate=validate.Length(max=MAX_FILTER_VALUES),
        metadata={"description": f"ScoLOMFR {what} (scolomfr-voc-{vocab}) id or URI; repeat to combine "
                  "(OR within a parameter, AND between parameters)."},
    )


def _codes(pattern: re.Pattern[str], description: str, max_length: int = 100) -> fields.List:
    return fields.List(
        fields.String(validate=[validate.Length(min=1, max=max_length),
                                validate.Regexp(pattern, error="invalid value")]),
        validate=validate.Length(max=MAX_FILTER_VALUES),
        metadata={"description": description},
    )


class SearchQuerySchema(_Query):
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_CHARS),
        metadata={"description": "Words to search for (French analysis); \"quoted phrases\" allowed."},
    )
    level = _concepts("022", "level")
    discipline = _concepts("015", "discipline")
    partner = _codes(ID, "Partner id (see /api/v1/sources).")
    type = _codes(_PRINTABLE, "Resource type id: a ScoLOMFR concept id or URI, or a DCMI type URI.",
                  max_length=300)
    licence = _codes(ID, "Licence code (lo-2.0, cc-by-4.0, public-domain…).")
    language = _codes(re.compile(r"^[a-z]{2}$"), "Language (ISO 639-1 code).")
    period = _codes(re.compile(r"^-?\d{1,2}$"), "Century of the resource's dates (facet "
                    "period): 19 for the XIXe siècle (1800-1899), 0 for the Ier siècle av. J.-C.",
                    max_length=3)
    date_from = fields.Integer(
        validate=validate.Range(min=-10_000, max=10_000),
        metadata={"description": "Year: only resources whose dates reach this year or later "
                  "(their interval overlaps date_from..date_to); negative before the common era."},
    )
    date_to = fields.Integer(
        validate=validate.Range(min=-10_000, max=10_000),
        metadata={"description": "Year: only resources whose dates start this year or earlier."},
    )
    match = fields.String(
        load_default="auto", validate=validate.OneOf(("auto", "all")),
        metadata={"description": "auto: every word first, and when no resource has "
                  "them all, the resources with the most words (relaxed: true); all: every word, "
                  "never relaxed."},
    )
    group = fields.Boolean(
        load_default=False,
        metadata={"description": "Show the records of one series or periodical with the same "
                  "title once (group_size says how many); paged by page number only."},
    )
    sort = fields.String(
        load_default="relevance", validate=validate.OneOf(SORTS),
        metadata={"description": "Order: relevance (with q; newest first without), date, title, "
                  "modified (last changed in the catalogue first)."},
    )
    modified_since = _stamp("Only records that changed in the catalogue at or after this UTC "
                            "datestamp (their catalogue.modified; like OAI-PMH from).")
    until = _stamp("Only records that changed in the catalogue at or before this UTC datestamp "
                   "(to the end of its day or second, like OAI-PMH until).")
    page = fields.Integer(
        validate=validate.Range(
            min=1, max=MAX_PAGE, error=f"page is 1 to {MAX_PAGE}; to go further, follow links.next "
            "or pass next_cursor as cursor"),
        metadata={"default": 1,
                  "description": f"Page number, at most {MAX_PAGE} (so that page × per_page ≤ "
                  f"{MAX_WINDOW}); beyond, follow links.next / next_cursor. With a cursor, only "
                  "page=1 (the default) is allowed: the cursor says where the page starts."},
    )
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Results per page (at most {MAX_PER_PAGE})."},
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Opaque position from next_cursor, to walk through every result "
                  "(not with group=true, which is paged by page number). A cursor the API did "
                  "not issue for this query is a 400."},
    )

    @validates_schema
    def _window(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") is not None and data.get("date_to") is not None \
                and data["date_from"] > data["date_to"]:
            raise ValidationError("date_from is after date_to", field_name="date_from")
        if data.get("modified_since") and data.get("until"):
            since, until = data["modified_since"], data["until"]
            if stamp_window(since)[0] >= stamp_window(until)[1]:
                raise ValidationError("modified_since is after until", field_name="modified_since")
        if data.get("cursor") and data.get("group"):
            raise ValidationError("group is paged by page number, not by cursor",
                                  field_name="cursor")
        if data.get("cursor") and data.get("page", 1) != 1:
            raise ValidationError("a cursor gives its own position: leave page out (or 1)",
                                  field_name="page")


class RecordQuerySchema(_Query):
    format = fields.String(
        validate=validate.OneOf(RECORD_FORMATS),
        metadata={"description": "Representation, overriding the Accept header: json (the shared "
                  "record), jsonld (schema.org), oai_dc, lom, scolomfr (XML)."},
    )


class SuggestQuerySchema(_Query):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100),
                      metadata={"description": "What the user has typed so far."})
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20),
                           metadata={"description": "How many suggestions (at most 20)."})


class CatalogQuerySchema(_Query):
    format = fields.String(
        validate=validate.OneOf(CATALOG_FORMATS),
        metadata={"description": "RDF syntax, overriding the Accept header (default Turtle)."},
    )


MAX_CHANGES = 1000
# A change token (``c`` + a change number) or a UTC datestamp at OAI-PMH granularity.
_SINCE = re.compile(rf"^(?:c\d{{1,18}}|{_DATE}(?:{_TIME})?)$")


class ChangesQuerySchema(_Query):
    since = fields.String(
        validate=[validate.Length(min=1, max=40),
                  validate.Regexp(_SINCE, error="use a change token (next, or catalogue.change "
                                  "of a record: c1234) or a UTC datestamp YYYY-MM-DD or "
                                  "YYYY-MM-DDThh:mm:ssZ")],
        metadata={"description": "Where to start: a change token (`next` of the previous answer, "
                  "or `catalogue.change` of a record; changes after it) or a UTC datestamp "
                  "(changes at or after it, like OAI-PMH `from`). Without it, every change from the "
                  "beginning."},
    )
    limit = fields.Integer(
        load_default=100, validate=validate.Range(min=1, max=MAX_CHANGES),
        metadata={"description": f"Changes per answer (at most {MAX_CHANGES})."},
    )


class NoQuerySchema(_Query):
    """Endpoints without parameters (any parameter is refused, so typos do not go unnoticed)."""


# -- responses ---------------------------------------------------------------------------------


def _str(description: str = "", **kwargs: Any) -> fields.String:
    return fields.String(required=True, metadata={"description": description} if description else {},
                         **kwargs)


def _url(description: str = "") -> fields.String:
    return fields.String(required=True, allow_none=True,
                         metadata={"description": description} if description else {})


class TermSchema(Schema):
    id = _str("Concept id (also accepted as a filter value).")
    label = _str("French label.")


class AlignedTermSchema(TermSchema):
    provenance = fields.String(
        required=True, validate=validate.OneOf(PROVENANCES),
        metadata={"description": "Where the value came from: source (declared by the partner), "
                  "rule (the partner's classification, mapped), inferred (from the content), "
                  "default (the partner's general audience, not about this resource), curation."})


class LicenceOutSchema(Schema):
    code = _str("Licence code (the licence filter value).")
    label = _str()
    uri = fields.String(required=True, allow_none=True, metadata={
        "description": "The licence or rights statement IRI (rightsstatements.org, Public Domain "
                       "Mark, Creative Commons…)."})
    provenance = fields.String(required=True, allow_none=True, metadata={
        "description": "Where uri came from: source (the partner's licence), rule (the partner's "
                       "words, as a rights IRI: domaine public, tous droits réservés), default "
                       "(nothing stated: the catalogue's Copyright Not Evaluated)."})


class PartnerSchema(Schema):
    id = _str("Partner id (the partner filter value).")
    label = _str("Partner name.")


class ResultSchema(Schema):
    id = _str("Record id.")
    title = _str("Title, in French when available.")
    description = _str("Start of the description (plain text, may be empty).")
    snippet_html = _str("Description excerpt around the matched words: HTML-escaped text with "
                        "<mark> around matches.")
    title_html = _str("Title, HTML-escaped, matches in <mark>.")
    partner = fields.Nested(PartnerSchema, required=True)
    source_id = _str()
    url = _url("The resource at the partner's site.")
    thumbnail = _url()
    levels = fields.List(fields.Nested(AlignedTermSchema), required=True)
    disciplines = fields.List(fields.Nested(AlignedTermSchema), required=True)
    resource_types = fields.List(fields.Nested(TermSchema), required=True)
    licence = fields.Nested(LicenceOutSchema, required=True, allow_none=True)
    languages = fields.List(fields.String(), required=True)
    date = fields.String(required=True, allow_none=True,
                         metadata={"description": "The resource's date as a card shows it: "
                                   "\"1790\", \"vers 1880\", \"XVIIe siècle\", \"1881–1883\"."})
    modified = fields.String(required=True, allow_none=True, metadata={
        "description": "When the record last changed in the catalogue (its catalogue.modified)."})
    group_size = fields.Integer(required=True, metadata={
        "description": "With group=true: how many matching records share this series title."})
    score = fields.Float(required=True, allow_none=True, metadata={"description": "Relevance score."})
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True, data_key="_links",
                        metadata={"description": "self: this record in the API."})


class FacetValueSchema(Schema):
    id = _str("Pass it back as the parameter of the same name to filter.")
    label = _str()
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


class FacetsSchema(Schema):
    level = fields.List(fields.Nested(FacetValueSchema), required=True)
    discipline = fields.List(fields.Nested(FacetValueSchema), required=True)
    partner = fields.List(fields.Nested(FacetValueSchema), required=True)
    type = fields.List(fields.Nested(FacetValueSchema), required=True)
    licence = fields.List(fields.Nested(FacetValueSchema), required=True)
    language = fields.List(fields.Nested(FacetValueSchema), required=True)
    period = fields.List(fields.Nested(FacetValueSchema), required=True,
                         metadata={"description": "Centuries of the resources' dates, in order."})


class ProposalSchema(Schema):
    group = _str("Filter parameter (level or discipline).")
    id = _str("Value to pass as that parameter.")
    label = _str()


class PageLinksSchema(Schema):
    self = _url()
    next = _url("Next page (absolute URL), null on the last page.")
    prev = _url("Previous page, null on the first page or when walking with a cursor.")


class SearchResponseSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True, allow_none=True,
                          metadata={"description": "Page number; null when walking with a cursor."})
    per_page = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)
    facets = fields.Nested(FacetsSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)
    next_cursor = fields.String(required=True, allow_none=True)
    relaxed = fields.Boolean(required=True, metadata={
        "description": "True when no resource had every word and these are the "
                       "resources with the most of them (pass match=all for the strict results)."})
    strict_total = fields.Integer(required=True, allow_none=True, metadata={
        "description": "When relaxed: how many resources had every word."})
    proposals = fields.List(fields.Nested(ProposalSchema), required=True, metadata={
        "description": "Filters named by the query's words (\"SVT\", \"cm2\"), not applied."})
    did_you_mean = fields.String(required=True, allow_none=True, metadata={
        "description": "When nothing matched: a corrected query that returns results with the "
                       "same filters."})


class RecordLinksSchema(Schema):
    self = _str()
    jsonld = _str()
    oai_dc = _str()
    lom = _str()
    scolomfr = _str()
    html = fields.String(metadata={"description": "The record's page in the catalogue's site."})


class CatalogueInfoSchema(Schema):
    modified = _str("When the record last changed in the catalogue (UTC, seconds): the OAI-PMH "
                    "datestamp. Not the partner's date (source.datestamp) nor the resource's "
                    "(dates.modified).")
    change = _str("The record's position in the change feed: pass it as since to "
                  "/api/v1/changes to get what changed after this version.")


class RecordOutSchema(RecordSchema):
    """The shared record as stored, plus the catalogue's change datestamp and links to its
    other representations."""

    catalogue = fields.Nested(CatalogueInfoSchema, required=True)
    links_ = fields.Nested(RecordLinksSchema, required=True, data_key="_links")


class JsonLdSchema(Schema):
    class Meta:
        unknown = "include"

    context = fields.Raw(required=True, data_key="@context")
    id = fields.String(required=True, data_key="@id")
    type = fields.String(required=True, data_key="@type")
    name = fields.String(required=True)


class TreeNodeSchema(Schema):
    id = _str()
    uri = _str()
    label = _str()
    count = fields.Integer(required=True, metadata={"description": "Live records at this level or below."})
    children = fields.List(fields.Nested(lambda: TreeNodeSchema()), required=True)


class VocabularySchema(Schema):
    id = _str("Parameter the ids filter on (level or discipline).")
    scheme = _str("ScoLOMFR vocabulary URI.")
    label = _str()
    concepts = fields.List(fields.Nested(TreeNodeSchema), required=True)


class RunSchema(Schema):
    status = _str("running, done, done-with-errors, failed or interrupted.")
    mode = _str()
    started_at = _str()
    finished_at = fields.String(required=True, allow_none=True)


class SourceOutSchema(Schema):
    id = _str()
    name = _str()
    protocol = _str()
    url = _str()
    records = fields.Integer(required=True)
    last_harvest = fields.Nested(RunSchema, required=True, allow_none=True)
    last_success_at = fields.String(required=True, allow_none=True)


class PartnerOutSchema(Schema):
    id = _str()
    name = _str()
    records = fields.Integer(required=True)
    sources = fields.List(fields.Nested(SourceOutSchema), required=True)


class SourcesResponseSchema(Schema):
    records = fields.Integer(required=True)
    partners = fields.List(fields.Nested(PartnerOutSchema), required=True)


class SuggestionSchema(Schema):
    text = _str()
    kind = _str("level, discipline, term (a word of the catalogue), period (a named period), "
                "keyword or title.",
                validate=validate.OneOf(("title", "keyword", "level", "discipline", "term",
                                         "period")))
    id = fields.String(required=True, allow_none=True,
                       metadata={"description": "Record id (title) or concept id (level, discipline)."})


class SuggestResponseSchema(Schema):
    q = _str()
    suggestions = fields.List(fields.Nested(SuggestionSchema), required=True)


class DumpSchema(Schema):
    name = _str()
    url = _str()
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    records = fields.Integer(required=True)
    generated_at = _str()
    media_type = _str("Content-Type of the download.")
    content_type = _str("What the file holds once decompressed.")
    sha256 = fields.String(required=True, allow_none=True, metadata={
        "description": "SHA-256 of the file as downloaded (hex); null for dumps written before "
                       "checksums were kept."})
    since = fields.String(required=True, allow_none=True, metadata={
        "description": "For an incremental dump (changes-….jsonl.gz): the change token it starts "
                       "after (the previous generation's change); it holds one line per record "
                       "changed since, as /api/v1/changes lists it, with the record (null when "
                       "deleted). Null for full dumps."})


class DumpGenerationSchema(Schema):
    generated_at = _str()
    records = fields.Integer(required=True)
    change = fields.String(required=True, allow_none=True, metadata={
        "description": "The change token this generation was taken at."})
    files = fields.List(fields.Nested(DumpSchema), required=True)


class DumpsResponseSchema(Schema):
    generated_at = fields.String(required=True, allow_none=True)
    records = fields.Integer(required=True, allow_none=True)
    change = fields.String(required=True, allow_none=True, metadata={
        "description": "The change token the dumps were taken at: after loading them, follow "
                       "/api/v1/changes?since=<this>."})
    files = fields.List(fields.Nested(DumpSchema), required=True)
    archive = fields.List(fields.Nested(DumpGenerationSchema), required=True, metadata={
        "description": "Dated copies of the latest generations (the current one first), each "
                       "file with its SHA-256, at /api/v1/dumps/archive/{name}."})


class ChangeLinksSchema(Schema):
    self = _str("The record in the API (410 Gone once deleted).")


class ChangeSchema(Schema):
    id = _str("Record id.")
    action = _str("created (first version), updated, or deleted (withdrawn: drop your copy). "
                  "Treat created and updated alike: fetch the record and replace your copy.",
                  validate=validate.OneOf(("created", "updated", "deleted")))
    modified = _str("When it changed in the catalogue (the record's catalogue.modified).")
    change = _str("This change's token.")
    links = fields.Nested(ChangeLinksSchema, required=True, data_key="_links")


class ChangesLinksSchema(Schema):
    self = _str()
    next = _url("The next answer when more changes are waiting now, else null.")


class ChangesResponseSchema(Schema):
    since = fields.String(required=True, allow_none=True, metadata={"description": "As asked."})
    changes = fields.List(fields.Nested(ChangeSchema), required=True, metadata={
        "description": "Each record once, at its latest change, in change order."})
    next = _str("Token to pass as since next time (also when no change was listed): keep it "
                "with your copy.")
    more = fields.Boolean(required=True, metadata={
        "description": "True when more changes are waiting: ask again with since=next."})
    links = fields.Nested(ChangesLinksSchema, required=True)


class IndexLinksSchema(Schema):
    resources = _str()
    levels = _str()
    disciplines = _str()
    sources = _str()
    suggest = _str()
    dumps_ = _str(data_key="dumps")  # "dumps" would hide Schema.dumps
    changes = _str()
    catalog = _str()
    openapi = _str()
    docs = _str()


class IndexSchema(Schema):
    title = _str()
    version = _str()
    links = fields.Nested(IndexLinksSchema, required=True)


class InvalidParamSchema(Schema):
    name = _str("The parameter.")
    reason = _str()


class AvailableSchema(Schema):
    """One representation of the resource (406 Not Acceptable)."""

    media_type = fields.String(required=True)
    format = fields.String(metadata={"description": "The ?format= value that selects it, when "
                                     "Accept alone cannot (the XML formats share one media type)."})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = _str("URI of the problem type (documented at /api/v1/docs).")
    title = _str()
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    invalid_params = fields.List(fields.Nested(InvalidParamSchema))
    id = fields.String(metadata={"description": "Record id (410 Gone)."})
    deleted_at = fields.String(metadata={"description": "When the record was withdrawn (410 Gone)."})
    available = fields.List(fields.Nested(AvailableSchema),
                            metadata={"description": "Every representation (406 Not Acceptable)."})
    request_id = fields.String()
