"""OAI-PMH 2.0 data provider: the six verbs over the store, in oai_dc, LOM and ScoLOMFR.

Design (see ``docs/oai-pmh.md``):

* Records are listed in change order (``seq``, :mod:`catalogue.listing`); a resumption token is
  stateless — the request's arguments plus the last ``seq`` delivered, base64url-encoded with a
  version and a checksum — so it never expires while the data exists, survives restarts and
  works on any worker. A record changed during a harvest comes again later in the same listing.
* Datestamps are the moment a record last changed in the store, shown to the second (UTC);
  ``from`` counts from the start of its second (or day) and ``until`` to its end.
* Sets: ``partner:<id>``, ``level:<stage>[:<class>…]`` along the ScoLOMFR level tree,
  ``level:<cycle>``, ``discipline:<id>``, and the three roots. Membership comes from the
  store's facet rows, which are deleted with the record: tombstones appear in unfiltered and
  partner lists (deletions are persistent), not in level or discipline sets.
* List responses are streamed record by record from one page of rows, so memory per request
  does not grow with the catalogue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import MethodNotAllowed, RequestEntityTooLarge

from catalogue import listing
from catalogue.config import Settings
from catalogue.listing import ListedRecord, Reader, Selection
from catalogue.store import Store
from schemas.serializers import FORMATS
from schemas.serializers._xml import esc, esc_attr, is_xml_safe, xml_text
from web.services import services

log = logging.getLogger("catalogue.oai")

bp = Blueprint("oai", __name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
CONTENT_TYPE = "text/xml; charset=utf-8"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DEFAULT_PAGE_SIZE = 100
DEFAULT_IDENTIFIERS_PAGE_SIZE = 500
TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 2048
_CHUNK = 64 * 1024

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
_TAIL = "</OAI-PMH>"

VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb: (required arguments, optional arguments); resumptionToken is exclusive.
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}),
                        frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}
_LIST_VERBS = {"ListIdentifiers": "LI", "ListRecords": "LR"}
_SPEC_PART = r"[A-Za-z0-9\-_.!~*'()]+"
_SET_SPEC = re.compile(rf"^{_SPEC_PART}(:{_SPEC_PART})*$")
_PREFIX = re.compile(rf"^{_SPEC_PART}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_IDENTIFIER = re.compile(r"^[^\s<>\"{}|\\^`]{1,1000}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class OAIError(Exception):
    """One or more OAI-PMH errors; ``echo`` says whether the request attributes are shown."""

    def __init__(self, errors: Sequence[tuple[str, str]], echo: bool = True) -> None:
        super().__init__("; ".join(f"{code}: {text}" for code, text in errors))
        self.errors = list(errors)
        self.echo = echo


def _bad_argument(message: str) -> OAIError:
    return OAIError([("badArgument", message)], echo=False)


# ---------------------------------------------------------------------------------------------
# Dates


def datestamp(value: datetime) -> str:
    """A store datestamp (naive UTC, microseconds) at OAI's seconds granularity."""
    return value.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class DateArg:
    text: str
    start: datetime  # first instant covered (naive UTC)
    end: datetime  # first instant after the covered second or day
    day: bool


def parse_date(name: str, text: str) -> DateArg:
    """A ``from``/``until`` value at day or second granularity; badArgument otherwise."""
    day = bool(_DAY.match(text))
    try:
        if day or _SECOND.match(text):
            start = datetime.strptime(text, "%Y-%m-%d" if day else "%Y-%m-%dT%H:%M:%SZ")
            step = timedelta(days=1) if day else timedelta(seconds=1)
            end = start + step if start < datetime.max - step else datetime.max
            return DateArg(text, start, end, day)
    except ValueError:
        pass
    raise _bad_argument(f"'{name}' must be a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def date_window(from_text: str | None, until_text: str | None) -> tuple[datetime | None, datetime | None]:
    """(inclusive start, exclusive end) of the request's window on store datestamps."""
    start = parse_date("from", from_text) if from_text is not None else None
    end = parse_date("until", until_text) if until_text is not None else None
    if start is not None and end is not None:
        if start.day != end.day:
            raise _bad_argument("'from' and 'until' must have the same granularity")
        if start.start > end.start:
            raise _bad_argument("'from' is later than 'until'")
    return (start.start if start else None), (end.end if end else None)


# ---------------------------------------------------------------------------------------------
# Sets


@dataclass(frozen=True)
class OaiSet:
    """A set and its membership rule: records with ``value`` in ``facet`` (any value when None).

    The rule is the one definition of membership: :func:`selection_for` turns it into the
    listing's SQL, :meth:`SetRegistry.header_specs` evaluates it on a record's facets for the
    header's setSpecs, so what a set returns and what its records' headers say cannot differ.
    """

    spec: str
    name: str
    facet: str | None = None  # "partner", "level", "discipline"; None for nothing to filter
    value: str | None = None  # None: any value of the facet (the root sets)
    uri: str | None = None  # the ScoLOMFR concept, shown in setDescription

    def holds(self, partner: str, facets: dict[str, list[str]]) -> bool:
        """Whether a record (its partner, its facet rows) is in this set."""
        values = [partner] if self.facet == "partner" else facets.get(self.facet or "", [])
        return bool(values) if self.value is None else self.value in values


@dataclass
class SetRegistry:
    """Every set the repository announces, and which sets a facet value puts a record in."""

    sets: list[OaiSet] = field(default_factory=list)
    by_spec: dict[str, OaiSet] = field(default_factory=dict)
    specs_for: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    def add(self, oai_set: OaiSet) -> None:
        if oai_set.spec in self.by_spec:
            return
        self.position[oai_set.spec] = len(self.sets)
        self.sets.append(oai_set)
        self.by_spec[oai_set.spec] = oai_set
        if oai_set.facet and oai_set.value is not None:
            self.specs_for.setdefault((oai_set.facet, oai_set.value), []).append(oai_set.spec)

    def header_specs(self, partner: str, facets: dict[str, list[str]]) -> list[str]:
        """The setSpecs of a record: the most specific sets whose rule holds for it (its
        partner, then its level and discipline sets). A root set (``level``, ``discipline``)
        is listed itself when the record is in it through values no finer set holds (a
        programme topic under no discipline), since every root selects any value."""
        specs = [f"partner:{partner}"]
        for facet in ("level", "discipline"):
            found: set[str] = set()
            for value in facets.get(facet, ()):
                found.update(self.specs_for.get((facet, value), ()))
            root = self.by_spec.get(facet)
            if not found and root is not None and root.holds(partner, facets):
                found.add(root.spec)
            specs.extend(sorted(found, key=self.position.__getitem__))
        return specs


@lru_cache(maxsize=4)
def vocabulary_sets(vocab: Any) -> tuple[OaiSet, ...]:
    """Level and discipline sets from the ScoLOMFR vocabulary (computed once per vocabulary)."""
    out: list[OaiSet] = [OaiSet("level", "Niveaux éducatifs", "level")]
    seen: set[str] = set()

    def walk(nodes: Iterable[Any], path: tuple[str, ...]) -> None:
        for node in nodes:
            concept = node.concept
            spec_path = (*path, concept.id)
            seen.add(concept.id)
            out.append(OaiSet("level:" + ":".join(spec_path), concept.label, "level", concept.id,
                              concept.uri))
            walk(node.children, spec_path)

    tree = vocab.level_tree()
    walk([n for n in tree if n.concept.kind != "cycle"], ())
    for node in tree:
        if node.concept.kind == "cycle":
            seen.add(node.concept.id)
            out.append(OaiSet(f"level:{node.concept.id}", node.concept.label, "level", node.concept.id,
                              node.concept.uri))
    for concept in vocab.levels():
        if concept.id not in seen:
            out.append(OaiSet(f"level:{concept.id}", concept.label, "level", concept.id, concept.uri))
    out.append(OaiSet("discipline", "Disciplines", "discipline"))
    for concept in vocab.disciplines():
        out.append(OaiSet(f"discipline:{concept.id}", concept.label, "discipline", concept.id,
                          concept.uri))
    return tuple(out)


@lru_cache(maxsize=8)
def _registry(partners: tuple[tuple[str, str], ...], vocab: Any) -> SetRegistry:
    registry = SetRegistry()
    registry.add(OaiSet("partner", "Partenaires", "partner"))
    for partner, name in partners:
        registry.add(OaiSet(f"partner:{partner}", name, "partner", partner))
    for oai_set in vocabulary_sets(vocab):
        registry.add(oai_set)
    return registry


def set_registry(rd: Reader, vocab: Any) -> SetRegistry:
    """The sets of the repository: partners from the sources table, the rest from the vocabulary."""
    return _registry(tuple(rd.partners()), vocab)


def selection_for(oai_set: OaiSet | None, since: datetime | None, before: datetime | None) -> Selection:
    """The set's rule (:meth:`OaiSet.holds`) as a listing; level and discipline sets hold live
    records only (the store deletes a tombstone's facet rows)."""
    if oai_set is None:
        return Selection(since=since, before=before)
    if oai_set.facet == "partner":
        return Selection(partner=oai_set.value, since=since, before=before)
    return Selection(facet=oai_set.facet, value=oai_set.value, since=since, before=before,
                     include_deleted=False)


# ---------------------------------------------------------------------------------------------
# Resumption tokens


@dataclass(frozen=True)
class Token:
    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None
    after_seq: int
    cursor: int
    total: int


def _token_key() -> bytes:
    """``OAI_TOKEN_KEY`` when the app is given one, else the settings' key
    (``CATALOGUE_OAI_TOKEN_KEY``, or the random key kept in the data dir): never a constant."""
    key = current_app.config.get("OAI_TOKEN_KEY")
    if isinstance(key, str) and key:
        return key.encode("utf-8")
    if isinstance(key, bytes) and key:
        return key
    settings: Settings = current_app.config["SETTINGS"]
    return settings.oai_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_token(token: Token, key: bytes) -> str:
    """``base64url(compact JSON) . base64url(HMAC-SHA256[:9])`` — URL-safe, no state."""
    payload: dict[str, Any] = {"v": TOKEN_VERSION, "verb": _LIST_VERBS[token.verb], "p": token.prefix,
                               "k": token.after_seq, "c": token.cursor, "n": token.total}
    if token.set_spec is not None:
        payload["s"] = token.set_spec
    if token.from_ is not None:
        payload["f"] = token.from_
    if token.until is not None:
        payload["u"] = token.until
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(key, raw, hashlib.sha256).digest()[:9]
    return f"{_b64(raw)}.{_b64(mac)}"


def decode_token(text: str, verb: str, key: bytes) -> Token:
    """The token's content, or badResumptionToken if it is malformed, altered or for another verb."""
    bad = OAIError([("badResumptionToken", "the resumption token is invalid")])
    if len(text) > MAX_TOKEN_LENGTH or not _TOKEN.match(text):
        raise bad
    body, mac = text.split(".")
    try:
        raw = _unb64(body)
        expected = hmac.new(key, raw, hashlib.sha256).digest()[:9]
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise bad
        payload = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise bad from exc
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise bad
    if payload.get("verb") != _LIST_VERBS.get(verb):
        raise OAIError([("badResumptionToken", f"the resumption token is not one of {verb}")])
    ints = [payload.get(k) for k in ("k", "c", "n")]
    strings = [payload.get(k) for k in ("s", "f", "u")]
    if (not isinstance(payload.get("p"), str)
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**62 for v in ints)
            or not all(v is None or isinstance(v, str) for v in strings)):
        raise bad
    return Token(verb, payload["p"], payload.get("s"), payload.get("f"), payload.get("u"),
                 payload["k"], payload["c"], payload["n"])


# ---------------------------------------------------------------------------------------------
# Arguments


def _arguments() -> list[tuple[str, str]]:
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        if request.content_length is None and request.environ.get("wsgi.input_terminated"):
            pairs += _chunked_form()
        else:  # with a Content-Length, Flask's MAX_CONTENT_LENGTH answers 413 itself
            pairs += list(request.form.items(multi=True))
    return pairs


def _chunked_form() -> list[tuple[str, str]]:
    """A chunked POST body, read up to the limit: over it is 413, not a body cut short and
    answered as if it were complete."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 64 * 1024)
    stream = request.environ["wsgi.input"]
    body = b""
    while len(body) <= limit:
        chunk = stream.read(min(65536, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge(f"the request body is over {limit} bytes")
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def check_arguments(pairs: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments; badVerb / badArgument as the protocol defines them."""
    verbs = [v for k, v in pairs if k == "verb"]
    if len(verbs) != 1:
        raise OAIError([("badVerb", "the verb argument is missing or repeated")], echo=False)
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError([("badVerb", "illegal OAI-PMH verb")], echo=False)
    required, optional = VERBS[verb]
    args: dict[str, str] = {}
    problems: list[str] = []
    for key, value in pairs:
        if key == "verb":
            continue
        if key not in required and key not in optional:
            problems.append(f"illegal argument '{xml_text(key)[:50]}' for {verb}")
        elif key in args:
            problems.append(f"repeated argument '{key}'")
        elif not value or not is_xml_safe(value):
            problems.append(f"argument '{key}' has an empty or illegal value")
        else:
            args[key] = value
    if "resumptionToken" in args and len(args) > 1:
        problems.append("resumptionToken is an exclusive argument")
    elif "resumptionToken" not in args:
        problems.extend(f"missing argument '{name}'" for name in sorted(required - args.keys()))
    if "metadataPrefix" in args and not _PREFIX.match(args["metadataPrefix"]):
        problems.append("metadataPrefix has an illegal syntax")
    if "set" in args and not _SET_SPEC.match(args["set"]):
        problems.append("set has an illegal setSpec syntax")
    if "identifier" in args and not _IDENTIFIER.match(args["identifier"]):
        problems.append("identifier has an illegal syntax")
    if problems:
        raise OAIError([("badArgument", p) for p in problems], echo=False)
    return verb, args


# ---------------------------------------------------------------------------------------------
# Response writing


@dataclass
class Context:
    settings: Settings
    store: Store
    vocab: Any
    namespace: str
    base_url: str
    rd: Reader = field(init=False)

    def oai_id(self, record_id: str) -> str:
        return f"oai:{self.namespace}:{record_id}"

    def record_id(self, identifier: str) -> str | None:
        prefix = f"oai:{self.namespace}:"
        return identifier[len(prefix):] if identifier.startswith(prefix) else None


def _open(ctx: Context, verb: str | None, args: dict[str, str]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attrs = "" if verb is None else f' verb="{esc_attr(verb)}"' + "".join(
        f' {k}="{esc_attr(v)}"' for k, v in args.items())
    return f"{_HEAD}<responseDate>{now}</responseDate><request{attrs}>{esc(ctx.base_url)}</request>"


def _response(body: Iterable[bytes] | bytes) -> Response:
    return Response(body, status=200, content_type=CONTENT_TYPE)


def _error_response(ctx: Context, exc: OAIError, verb: str | None, args: dict[str, str]) -> Response:
    errors = "".join(f'<error code="{code}">{esc(text)}</error>' for code, text in exc.errors)
    head = _open(ctx, verb if exc.echo else None, args if exc.echo else {})
    return _response((head + errors + _TAIL).encode("utf-8"))


@lru_cache(maxsize=4096)
def _set_specs_xml(specs: tuple[str, ...]) -> str:
    """The setSpec elements of a header (records share few distinct combinations)."""
    return "".join(f"<setSpec>{esc(s)}</setSpec>" for s in specs)


def _header(ctx: Context, row: ListedRecord, specs: Sequence[str]) -> str:
    status = ' status="deleted"' if row.deleted else ""
    sets = _set_specs_xml(tuple(specs))
    return (f"<header{status}><identifier>{esc(ctx.oai_id(row.id))}</identifier>"
            f"<datestamp>{datestamp(row.datestamp)}</datestamp>{sets}</header>")


def _metadata(ctx: Context, row: ListedRecord, prefix: str) -> bytes:
    """The record's metadata in ``prefix``; a record that cannot be serialised is logged and
    shown with its identifier only, so one bad record never breaks a harvest."""
    if prefix == "oai_dc" and row.oai_dc:
        return row.oai_dc.encode()
    fmt = FORMATS[prefix]
    try:
        return fmt.fragment(row.record() or {"id": row.id}, ctx.namespace)
    except Exception:  # keep the response well-formed whatever the stored data holds
        log.exception("cannot serialise record %s as %s", row.id, prefix)
        return fmt.fragment({"id": row.id, "title": [{"value": row.id, "lang": None}]}, ctx.namespace)


def _record_xml(ctx: Context, row: ListedRecord, specs: Sequence[str], prefix: str) -> bytes:
    header = _header(ctx, row, specs)
    if row.deleted:
        return f"<record>{header}</record>".encode()
    return (f"<record>{header}<metadata>".encode() + _metadata(ctx, row, prefix)
            + b"</metadata></record>")


def _buffered(parts: Iterator[bytes]) -> Iterator[bytes]:
    """Join small pieces into chunks of about 64 KiB (fewer writes, same constant memory)."""
    buffer: list[bytes] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= _CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


# ---------------------------------------------------------------------------------------------
# Verbs


def identify(ctx: Context) -> str:
    earliest = ctx.rd.earliest_datestamp()
    config = current_app.config
    name = config.get("OAI_REPOSITORY_NAME", "Catalogue des ressources éducatives ouvertes")
    email = config.get("OAI_ADMIN_EMAIL", f"contact@{ctx.namespace}")
    sample = ctx.oai_id("bnf-gallica-btv1b8449691v-0123456789ab")
    # An empty repository still announces a date no record can precede.
    first = datestamp(earliest) if earliest else "1970-01-01T00:00:00Z"
    return (
        f"<Identify><repositoryName>{esc(name)}</repositoryName><baseURL>{esc(ctx.base_url)}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{esc(email)}</adminEmail>"
        f"<earliestDatestamp>{first}</earliestDatestamp>"
        f"<deletedRecord>persistent</deletedRecord><granularity>{GRANULARITY}</granularity>"
        "<description><oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier "
        "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\">"
        f"<scheme>oai</scheme><repositoryIdentifier>{esc(ctx.namespace)}</repositoryIdentifier>"
        f"<delimiter>:</delimiter><sampleIdentifier>{esc(sample)}</sampleIdentifier>"
        "</oai-identifier></description></Identify>"
    )


def list_metadata_formats(ctx: Context, args: dict[str, str]) -> str:
    if "identifier" in args:
        rid = ctx.record_id(args["identifier"])
        if rid is None or not ctx.rd.exists(rid):
            raise OAIError([("idDoesNotExist", "no record has this identifier")])
    formats = "".join(
        f"<metadataFormat><metadataPrefix>{fmt.prefix}</metadataPrefix><schema>{esc(fmt.schema)}</schema>"
        f"<metadataNamespace>{esc(fmt.namespace)}</metadataNamespace></metadataFormat>"
        for fmt in FORMATS.values()
    )
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def list_sets(ctx: Context, args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        raise OAIError([("badResumptionToken", "ListSets is complete in one response")])
    registry = set_registry(ctx.rd, ctx.vocab)
    parts = ["<ListSets>"]
    for oai_set in registry.sets:
        parts.append(f"<set><setSpec>{esc(oai_set.spec)}</setSpec><setName>{esc(oai_set.name)}</setName>")
        if oai_set.uri:
            parts.append(
                "<setDescription><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
                "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ "
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">"
                f"<dc:identifier>{esc(oai_set.uri)}</dc:identifier>"
                f"<dc:title xml:lang=\"fr\">{esc(oai_set.name)}</dc:title></oai_dc:dc></setDescription>")
        parts.append("</set>")
    parts.append("</ListSets>")
    return "".join(parts)


def _check_prefix(prefix: str) -> None:
    if prefix not in FORMATS:
        known = ", ".join(FORMATS)
        raise OAIError([("cannotDisseminateFormat", f"unknown metadata format; use one of {known}")])


def get_record(ctx: Context, args: dict[str, str]) -> bytes:
    rid = ctx.record_id(args["identifier"])
    row = ctx.rd.get(rid) if rid is not None else None
    errors = []
    if row is None:
        errors.append(("idDoesNotExist", "no record has this identifier"))
    if args["metadataPrefix"] not in FORMATS:
        errors.append(("cannotDisseminateFormat", "unknown metadata format"))
    if errors or row is None:
        raise OAIError(errors)
    registry = set_registry(ctx.rd, ctx.vocab)
    facets = ctx.rd.facets_of([row.id]).get(row.id, {})
    specs = registry.header_specs(row.partner, facets)
    return b"<GetRecord>" + _record_xml(ctx, row, specs, args["metadataPrefix"]) + b"</GetRecord>"


@dataclass
class ListPlan:
    """Everything one list page needs, resolved before the response starts streaming."""

    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None
    rows: list[ListedRecord]
    more: bool
    cursor: int
    total: int
    specs: dict[str, list[str]]


def plan_list(ctx: Context, verb: str, args: dict[str, str]) -> ListPlan:
    token: Token | None = None
    if "resumptionToken" in args:
        token = decode_token(args["resumptionToken"], verb, _token_key())
        prefix, set_spec, from_, until = token.prefix, token.set_spec, token.from_, token.until
        bad_token = OAIError([("badResumptionToken", "the resumption token is invalid")])
        if (prefix not in FORMATS or (set_spec is not None and not _SET_SPEC.match(set_spec))):
            raise bad_token
        try:
            since, before = date_window(from_, until)
        except OAIError as exc:
            raise bad_token from exc
    else:
        prefix, set_spec = args["metadataPrefix"], args.get("set")
        from_, until = args.get("from"), args.get("until")
        since, before = date_window(from_, until)
        _check_prefix(prefix)
    registry = set_registry(ctx.rd, ctx.vocab)
    oai_set = registry.by_spec.get(set_spec) if set_spec is not None else None
    if set_spec is not None and oai_set is None:
        if token is not None:
            raise OAIError([("badResumptionToken", "the set of this resumption token no longer exists")])
        raise OAIError([("noRecordsMatch", "no such set in this repository (see ListSets)")])
    selection = selection_for(oai_set, since, before)
    if token is None:
        total, after_seq = ctx.rd.summary(selection)
        cursor = 0
    else:
        total, after_seq, cursor = token.total, token.after_seq, token.cursor
    size_key = "OAI_PAGE_SIZE" if verb == "ListRecords" else "OAI_IDENTIFIERS_PAGE_SIZE"
    default = DEFAULT_PAGE_SIZE if verb == "ListRecords" else DEFAULT_IDENTIFIERS_PAGE_SIZE
    size = max(1, int(current_app.config.get(size_key, default)))
    rows = ctx.rd.page(selection, after_seq=after_seq, limit=size + 1, with_data=verb == "ListRecords")
    if not rows:
        # With a token this only happens when the records left in the list all left the set or
        # the date window since the previous page: the rest of the list is empty.
        raise OAIError([("noRecordsMatch", "no record matches these arguments")])
    more = len(rows) > size
    rows = rows[:size]
    facets = ctx.rd.facets_of([row.id for row in rows if not row.deleted])
    specs = {row.id: registry.header_specs(row.partner, facets.get(row.id, {})) for row in rows}
    return ListPlan(verb, prefix, set_spec, from_, until, rows, more, cursor, total, specs)


def _resumption(ctx: Context, plan: ListPlan) -> str:
    delivered = plan.cursor + len(plan.rows)
    if not plan.more:
        if plan.cursor == 0:
            return ""  # the complete list fits in one response: no token at all
        return f'<resumptionToken completeListSize="{delivered}" cursor="{plan.cursor}"/>'
    token = Token(plan.verb, plan.prefix, plan.set_spec, plan.from_, plan.until,
                  plan.rows[-1].seq, delivered, plan.total)
    size = max(plan.total, delivered + 1)
    return (f'<resumptionToken completeListSize="{size}" cursor="{plan.cursor}">'
            f"{encode_token(token, _token_key())}</resumptionToken>")


def _context() -> Context:
    settings: Settings = current_app.config["SETTINGS"]
    found = services()
    namespace = settings.oai_namespace or "catalogue.education.fr"
    return Context(settings, found.store, found.vocab, namespace, settings.base_url.rstrip("/") + "/oai")


ALLOW = "GET, HEAD, POST, OPTIONS"


def _with_cors(response: Response) -> Response:
    """Harvesting from a browser (a validator, a notebook) is allowed from any origin: the
    repository is public and takes no credentials."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


bp.after_request(_with_cors)


@bp.app_errorhandler(MethodNotAllowed)
def _method_not_allowed(error: MethodNotAllowed) -> Response | MethodNotAllowed:
    """PUT, DELETE… on ``/oai``: 405 with ``Allow`` and an OAI-PMH error document as the body
    (not Flask's HTML page), so a harvester's XML parser still reads what went wrong. Routing
    fails before any blueprint is known, hence an app-wide handler that leaves other paths
    to their own answer."""
    if request.path != "/oai":
        return error
    problem = OAIError([("badVerb", f"OAI-PMH requests are GET or POST, not {request.method}")],
                       echo=False)
    response = _error_response(_context(), problem, None, {})
    response.status_code = 405
    response.headers["Allow"] = ALLOW
    return _with_cors(response)


@bp.route("/oai", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def oai() -> Response:
    """The OAI-PMH endpoint."""
    ctx = _context()
    verb: str | None = None
    args: dict[str, str] = {}
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers.pop("Content-Type", None)
        response.headers["Allow"] = ALLOW
        return response
    try:
        verb, args = check_arguments(_arguments())
        with listing.reader(ctx.store) as ctx.rd:
            return _dispatch(ctx, verb, args)
    except OAIError as exc:
        return _error_response(ctx, exc, verb, args)


def _dispatch(ctx: Context, verb: str, args: dict[str, str]) -> Response:
    """Answer a checked request; the database is read here, never while streaming."""
    head = _open(ctx, verb, args)
    if verb in _LIST_VERBS:
        plan = plan_list(ctx, verb, args)
        # The token is made now (it needs the app context); the generator only serialises rows.
        return _response(_buffered(_stream_page(ctx, plan, head, _resumption(ctx, plan))))
    if verb == "Identify":
        body = identify(ctx).encode("utf-8")
    elif verb == "ListMetadataFormats":
        body = list_metadata_formats(ctx, args).encode("utf-8")
    elif verb == "ListSets":
        body = list_sets(ctx, args).encode("utf-8")
    else:
        body = get_record(ctx, args)
    return _response(head.encode("utf-8") + body + _TAIL.encode("utf-8"))


def _stream_page(ctx: Context, plan: ListPlan, head: str, tail: str) -> Iterator[bytes]:
    yield (head + f"<{plan.verb}>").encode("utf-8")
    for row in plan.rows:
        if plan.verb == "ListIdentifiers":
            yield _header(ctx, row, plan.specs[row.id]).encode("utf-8")
        else:
            yield _record_xml(ctx, row, plan.specs[row.id], plan.prefix)
    yield (tail + f"</{plan.verb}>" + _TAIL).encode("utf-8")


__all__ = ["OAIError", "Token", "bp", "datestamp", "decode_token", "encode_token", "parse_date"]
