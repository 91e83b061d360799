"""``/changes``: what changed in the catalogue since a point, for re-users keeping a copy.

The feed is the store's change sequence (the one OAI-PMH and the search index follow): each
record appears once, at its latest change, in change order, with deletions (tombstones are kept
for ever, as OAI-PMH's ``deletedRecord`` is ``persistent``). A position is a change token
(``c`` + seq); since seqs grow in commit order, "after token k" never skips a change committed
later, however long the client waits between two pages. No state is kept on the server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, request

from catalogue import listing
from catalogue.listing import ListedRecord, Selection, change_token, parse_change_token
from core.timestamps import utc_stamp
from web.api import bp
from web.api.http import cached, invalid, json_response, parse_args, store_state
from web.api.resources import _page_url
from web.api.schemas import ChangesQuerySchema, stamp_window
from web.services import services
from web.urls import external_url, public_root

CHANGES_QUERY = ChangesQuerySchema()


def _datestamp(text: str) -> datetime:
    """A ``since`` datestamp (day or second, UTC) as the naive UTC the store keeps."""
    try:
        return stamp_window(text)[0]
    except (ValueError, OverflowError) as exc:
        raise invalid("since", f"{text!r} is not a valid date") from exc


def start_after(since: str | None, top: int) -> int:
    """The seq the listing starts after, for ``since`` (None: the beginning); 400 if unusable.

    A datestamp is resolved once to the seq just before the first change at or after it
    (datestamps follow the change order); the answer's ``next`` is a token from then on.
    """
    if since is None:
        return 0
    seq = parse_change_token(since)
    if seq is not None:
        if seq > top:
            raise invalid("since", f"change token {since!r} is ahead of this catalogue (latest "
                          f"{change_token(top)}): the catalogue was rebuilt; start again from a "
                          "dump or without since")
        return seq
    total, before = listing.summary(services().store, Selection(since=_datestamp(since)))
    return before if total else top


def _action(row: ListedRecord) -> str:
    if row.deleted:
        return "deleted"
    return "created" if row.version <= 1 else "updated"


def _entry(row: ListedRecord) -> dict[str, Any]:
    return {"id": row.id, "action": _action(row), "modified": utc_stamp(row.datestamp),
            "change": change_token(row.seq),
            "_links": {"self": external_url("api.get_resource", record_id=row.id)}}


def _body(since: str | None, after: int, limit: int) -> dict[str, Any]:
    rows = listing.list_page(services().store, Selection(), after_seq=after, limit=limit + 1,
                             with_data=False)
    more = len(rows) > limit
    rows = rows[:limit]
    position = change_token(rows[-1].seq if rows else after)
    return {
        "since": since,
        "changes": [_entry(row) for row in rows],
        "next": position,
        "more": more,
        "links": {"self": request.url,
                  "next": _page_url(since=position) if more else None},
    }


@bp.get("/changes")
def list_changes() -> Response:
    """Created, updated and deleted record ids since a change token or a datestamp."""
    args = parse_args(CHANGES_QUERY)
    top, newest = store_state()
    since = args.get("since")
    after = start_after(since, top)
    key = ["changes", top, after, args["limit"], public_root(), since]
    return cached(key, newest, lambda: json_response(_body(since, after, args["limit"])))
