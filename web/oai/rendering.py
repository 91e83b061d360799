"""OAI-PMH XML: the envelope, headers, records, and the three verbs that are pure rendering."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import Response

from catalogue.listing import ListedRecord, Reader
from catalogue.settings import Settings
from catalogue.store import Store
from core.timestamps import utc_stamp
from schemas.serializers import FORMATS
from schemas.serializers._xml import esc, esc_attr
from web.oai.dates import GRANULARITY
from web.oai.errors import OAIError
from web.oai.sets import set_registry

log = logging.getLogger("catalogue.oai")

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
CONTENT_TYPE = "text/xml; charset=utf-8"
_CHUNK = 64 * 1024

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
)
TAIL = "</OAI-PMH>"


@dataclass
class Context:
    settings: Settings
    store: Store
    vocab: Any
    namespace: str
    base_url: str
    partner_names: dict[str, str] = field(default_factory=dict)  # catalogue.partners
    rd: Reader = field(init=False)

    def oai_id(self, record_id: str) -> str:
        return f"oai:{self.namespace}:{record_id}"

    def record_id(self, identifier: str) -> str | None:
        prefix = f"oai:{self.namespace}:"
        return identifier[len(prefix):] if identifier.startswith(prefix) else None


def open_response(ctx: Context, verb: str | None, args: dict[str, str]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attrs = "" if verb is None else f' verb="{esc_attr(verb)}"' + "".join(
        f' {k}="{esc_attr(v)}"' for k, v in args.items())
    return f"{HEAD}<responseDate>{now}</responseDate><request{attrs}>{esc(ctx.base_url)}</request>"


def xml_response(body: Iterable[bytes] | bytes) -> Response:
    return Response(body, status=200, content_type=CONTENT_TYPE)


def error_response(ctx: Context, exc: OAIError, verb: str | None, args: dict[str, str]) -> Response:
    errors = "".join(f'<error code="{code}">{esc(text)}</error>' for code, text in exc.errors)
    head = open_response(ctx, verb if exc.echo else None, args if exc.echo else {})
    return xml_response((head + errors + TAIL).encode("utf-8"))


@lru_cache(maxsize=4096)
def _set_specs_xml(specs: tuple[str, ...]) -> str:
    """The setSpec elements of a header (records share few distinct combinations)."""
    return "".join(f"<setSpec>{esc(s)}</setSpec>" for s in specs)


def header_xml(ctx: Context, row: ListedRecord, specs: Sequence[str]) -> str:
    status = ' status="deleted"' if row.deleted else ""
    sets = _set_specs_xml(tuple(specs))
    return (f"<header{status}><identifier>{esc(ctx.oai_id(row.id))}</identifier>"
            f"<datestamp>{utc_stamp(row.datestamp)}</datestamp>{sets}</header>")


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


def record_xml(ctx: Context, row: ListedRecord, specs: Sequence[str], prefix: str) -> bytes:
    header = header_xml(ctx, row, specs)
    if row.deleted:
        return f"<record>{header}</record>".encode()
    return (f"<record>{header}<metadata>".encode() + _metadata(ctx, row, prefix)
            + b"</metadata></record>")


def buffered(parts: Iterator[bytes]) -> Iterator[bytes]:
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



def identify(ctx: Context) -> str:
    earliest = ctx.rd.earliest_datestamp()
    name, email = ctx.settings.repository_name, ctx.settings.admin_email
    sample = ctx.oai_id("bnf-gallica-btv1b8449691v-0123456789ab")
    # An empty repository still announces a date no record can precede.
    first = utc_stamp(earliest) if earliest else "1970-01-01T00:00:00Z"
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
    registry = set_registry(ctx.rd, ctx.vocab, ctx.partner_names)
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

