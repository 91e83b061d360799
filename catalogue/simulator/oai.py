"""``/bnf/oai``: an OAI-PMH 2.0 repository over the recorded Gallica records.

Behaves like the BnF repository of the recording: day granularity (finer ``from``/``until`` is a
``badArgument``), transient deletions (``status="deleted"`` headers), sets from the records'
setSpecs (hierarchical: ``gallica`` contains ``gallica:8:84``), stateless resumption tokens in
Gallica's ``a!b!c`` style, padded with a newline and tabs exactly as the recording shows. The last
page carries an empty ``<resumptionToken completeListSize=… cursor=…/>``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from catalogue.simulator.data import Entry, recording
from catalogue.simulator.wire import SimRequest, SimResponse, xml_response

if TYPE_CHECKING:
    from catalogue.simulator.server import Simulator

PATH = "/bnf/oai"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEADER = re.compile(r"<header(?:\s[^>]*)?>.*?</header>", re.S)
_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"\n'
    '\t\t\t\t xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
    '\t\t\t\t xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
    'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n\n'
)
_LIST_ARGS = {"verb", "metadataPrefix", "from", "until", "set", "resumptionToken"}
FORMATS = ("oai_dc",)


def _envelope(sim: Simulator, attrs: dict[str, str], inner: str) -> SimResponse:
    now = sim.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    attr_text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    body = (
        f"{_HEAD}\t<responseDate>{now}</responseDate>\n"
        f"\t<request{attr_text}>\n\t{escape(sim.url(PATH))}</request>\n"
        f"{inner}</OAI-PMH>\n"
    )
    return xml_response(body)


def _error(sim: Simulator, code: str, message: str,
           attrs: dict[str, str] | None = None) -> SimResponse:
    # The spec: for badVerb/badArgument the request element carries no attributes.
    shown = {} if code in ("badVerb", "badArgument") else (attrs or {})
    return _envelope(sim, shown, f'\t<error code="{code}">{escape(message)}</error>\n')


def _in_set(entry: Entry, spec: str) -> bool:
    return any(s == spec or s.startswith(spec + ":") for s in entry.sets)


def _header_text(entry: Entry) -> str:
    if entry.deleted:
        sets = "".join(f"\t\t\t\t<setSpec>{escape(s)}</setSpec>\n" for s in entry.sets)
        return (
            '<header status="deleted">\n'
            f"\t\t\t\t<identifier>{escape(entry.identifier)}</identifier>\n"
            f"\t\t\t\t<datestamp>{entry.datestamp.strftime('%Y-%m-%d')}</datestamp>\n"
            f"{sets}\t\t\t</header>"
        )
    match = _HEADER.search(str(entry.payload))
    return match.group(0) if match else ""


def _record_text(entry: Entry) -> str:
    if entry.deleted:
        return f"<record>\n\t\t\t{_header_text(entry)}\n\t\t</record>"
    return str(entry.payload)


def encode_token(offset: int, frm: str, until: str, spec: str, prefix: str) -> str:
    return f"2!2!{offset}!{frm}!{until}!{spec}!{prefix}"


def decode_token(token: str) -> tuple[int, str, str, str, str] | None:
    parts = token.split("!")  # strict: a padded token (unstripped by the client) is rejected
    if len(parts) != 7 or parts[:2] != ["2", "2"] or not parts[2].isdigit():
        return None
    return int(parts[2]), parts[3], parts[4], parts[5], parts[6]


def handle(sim: Simulator, req: SimRequest) -> SimResponse:
    repeated = [k for k, v in req.multi.items() if len(v) > 1]
    if repeated:
        return _error(sim, "badArgument", f"repeated argument: {', '.join(repeated)}")
    verb = req.params.get("verb", "")
    if verb == "Identify":
        return xml_response(recording("bnf/gallica_oaipmh_2010_Identify.xml"))
    if verb in ("ListRecords", "ListIdentifiers"):
        return _list(sim, req, verb)
    if verb == "GetRecord":
        return _get_record(sim, req)
    if verb == "ListMetadataFormats":
        inner = (
            "\t<ListMetadataFormats>\n\t\t<metadataFormat>\n"
            "\t\t\t<metadataPrefix>oai_dc</metadataPrefix>\n"
            "\t\t\t<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>\n"
            "\t\t\t<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/"
            "</metadataNamespace>\n\t\t</metadataFormat>\n\t</ListMetadataFormats>\n"
        )
        return _envelope(sim, {"verb": verb}, inner)
    if verb == "ListSets":
        specs: set[str] = set()
        for entry in sim.stores["bnf"].all():
            for spec in entry.sets:
                parts = spec.split(":")
                specs.update(":".join(parts[:i]) for i in range(1, len(parts) + 1))
        sets = "".join(
            f"\t\t<set>\n\t\t\t<setSpec>{escape(s)}</setSpec>\n\t\t\t<setName>{escape(s)}"
            "</setName>\n\t\t</set>\n" for s in sorted(specs)
        )
        return _envelope(sim, {"verb": verb}, f"\t<ListSets>\n{sets}\t</ListSets>\n")
    return _error(sim, "badVerb", f"Illegal OAI verb: {verb!r}")


def _parse_day(value: str) -> date | None:
    if not _DAY.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _list(sim: Simulator, req: SimRequest, verb: str) -> SimResponse:
    params = req.params
    unknown = set(params) - _LIST_ARGS
    if unknown:
        return _error(sim, "badArgument", f"illegal argument(s): {', '.join(sorted(unknown))}")
    names = ("verb", "metadataPrefix", "from", "until", "set", "resumptionToken")
    attrs: dict[str, str] = {k: params[k] for k in names if k in params}
    token = params.get("resumptionToken")
    if token is not None:
        if set(params) != {"verb", "resumptionToken"}:
            return _error(sim, "badArgument", "resumptionToken is an exclusive argument")
        state = decode_token(token)
        if state is None:
            return _error(sim, "badResumptionToken", "The value of the resumptionToken argument "
                          "is invalid or expired.", attrs)
        offset, frm, until, spec, prefix = state
    else:
        offset = 0
        prefix = params.get("metadataPrefix", "")
        frm, until, spec = params.get("from", ""), params.get("until", ""), params.get("set", "")
        if not prefix:
            return _error(sim, "badArgument", "missing required argument: metadataPrefix")
        if prefix not in FORMATS:
            return _error(sim, "cannotDisseminateFormat",
                          f"metadataPrefix {prefix!r} is not supported", attrs)
    from_day = _parse_day(frm) if frm else None
    until_day = _parse_day(until) if until else None
    if (frm and from_day is None) or (until and until_day is None):
        return _error(sim, "badArgument",
                      "from/until must use the repository granularity YYYY-MM-DD")
    if from_day and until_day and from_day > until_day:
        return _error(sim, "badArgument", "from is after until")
    entries = [
        e for e in sim.stores["bnf"].all()
        if (from_day is None or e.datestamp.date() >= from_day)
        and (until_day is None or e.datestamp.date() <= until_day)
        and (not spec or _in_set(e, spec))
    ]
    if not entries:
        return _error(sim, "noRecordsMatch", "The combination of the values of the from, "
                      "until, set and metadataPrefix arguments results in an empty list.", attrs)
    if offset >= len(entries):
        return _error(sim, "badResumptionToken", "The value of the resumptionToken argument "
                      "is invalid or expired.", attrs)
    page = entries[offset: offset + sim.oai_page_size]
    next_offset = offset + len(page)
    items = [_record_text(e) if verb == "ListRecords" else _header_text(e) for e in page]
    inner = "".join(f"\t\t{item}\n" for item in items)
    total = len(entries)
    if next_offset < total:
        expires = (sim.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        new_token = encode_token(next_offset, frm, until, spec, prefix)
        inner += (
            f'\t\t<resumptionToken expirationDate="{expires}"\n'
            f'\t\t\t\t\t\t\t\t\t\t completeListSize="{total}" cursor="{offset}">\n'
            f"\t\t{escape(new_token)}</resumptionToken>\n"
        )
    elif token is not None:
        inner += f'\t\t<resumptionToken completeListSize="{total}" cursor="{offset}"/>\n'
    return _envelope(sim, attrs, f"\t<{verb}>\n{inner}\t</{verb}>\n")


def _get_record(sim: Simulator, req: SimRequest) -> SimResponse:
    params = req.params
    names = ("verb", "identifier", "metadataPrefix")
    attrs: dict[str, str] = {k: params[k] for k in names if k in params}
    identifier = params.get("identifier", "")
    prefix = params.get("metadataPrefix", "")
    if not identifier or not prefix:
        return _error(sim, "badArgument", "GetRecord needs identifier and metadataPrefix")
    if prefix not in FORMATS:
        return _error(sim, "cannotDisseminateFormat", f"{prefix!r} is not supported", attrs)
    entry = sim.stores["bnf"].entries.get(identifier)
    if entry is None:
        return _error(sim, "idDoesNotExist", f"{identifier} is unknown", attrs)
    return _envelope(sim, attrs, f"\t<GetRecord>\n\t\t{_record_text(entry)}\n\t</GetRecord>\n")


def expired_token_response() -> SimResponse:
    """The real badResumptionToken answer (sent with HTTP 200) of the recording."""
    return xml_response(recording("errors/REAL_oaipmh_badResumptionToken_sciencehistory.xml"))
