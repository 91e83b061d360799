"""GetRecord, ListIdentifiers and ListRecords: one page planned from the store, then streamed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from catalogue.listing import ListedRecord
from schemas.serializers import FORMATS
from web.oai.arguments import SET_SPEC
from web.oai.dates import date_window
from web.oai.errors import OAIError
from web.oai.rendering import TAIL, Context, header_xml, record_xml
from web.oai.sets import selection_for, set_registry
from web.oai.tokens import Token, decode_token, encode_token


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
    registry = set_registry(ctx.rd, ctx.vocab, ctx.partner_names)
    facets = ctx.rd.facets_of([row.id]).get(row.id, {})
    specs = registry.header_specs(row.partner, facets)
    return b"<GetRecord>" + record_xml(ctx, row, specs, args["metadataPrefix"]) + b"</GetRecord>"


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
        token = decode_token(args["resumptionToken"], verb, ctx.settings.oai_key)
        prefix, set_spec, from_, until = token.prefix, token.set_spec, token.from_, token.until
        bad_token = OAIError([("badResumptionToken", "the resumption token is invalid")])
        if (prefix not in FORMATS or (set_spec is not None and not SET_SPEC.match(set_spec))):
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
    registry = set_registry(ctx.rd, ctx.vocab, ctx.partner_names)
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
    settings = ctx.settings
    size = settings.oai_page_size if verb == "ListRecords" else settings.oai_identifiers_page_size
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


def resumption(ctx: Context, plan: ListPlan) -> str:
    delivered = plan.cursor + len(plan.rows)
    if not plan.more:
        if plan.cursor == 0:
            return ""  # the complete list fits in one response: no token at all
        return f'<resumptionToken completeListSize="{delivered}" cursor="{plan.cursor}"/>'
    token = Token(plan.verb, plan.prefix, plan.set_spec, plan.from_, plan.until,
                  plan.rows[-1].seq, delivered, plan.total)
    size = max(plan.total, delivered + 1)
    return (f'<resumptionToken completeListSize="{size}" cursor="{plan.cursor}">'
            f"{encode_token(token, ctx.settings.oai_key)}</resumptionToken>")



def stream_page(ctx: Context, plan: ListPlan, head: str, tail: str) -> Iterator[bytes]:
    yield (head + f"<{plan.verb}>").encode("utf-8")
    for row in plan.rows:
        if plan.verb == "ListIdentifiers":
            yield header_xml(ctx, row, plan.specs[row.id]).encode("utf-8")
        else:
            yield record_xml(ctx, row, plan.specs[row.id], plan.prefix)
    yield (tail + f"</{plan.verb}>" + TAIL).encode("utf-8")

