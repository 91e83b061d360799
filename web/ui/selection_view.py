"""Ma sélection: a teacher's ordered, annotated list of resources, held entirely in its URL.

The server stores nothing: ``/selection?ids=a,b,c&notes=…&notes=…&titre=…`` *is* the selection
(``notes`` repeat in the order of ``ids``; trailing empty notes are left out), so a link shared
with a colleague or pupils reopens it for anyone, and the browser keeps its own copy in
localStorage (``web/static/catalogue.js``). Without JavaScript every change is a link or a GET
form whose answer is a redirect to the new canonical URL.

Limits keep a link short enough for every browser, mail client and ENT (about 8,000 characters):
:data:`MAX_ITEMS` resources, notes of :data:`MAX_NOTE` characters, a title of :data:`MAX_TITLE`.
Anything beyond them, or malformed, is a 400 with a French message, never a 500; ids that are
well formed but not (or no longer) in the catalogue are reported on the page and left out of the
exports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from core.ids import is_id
from schemas.cleaning.vocab import rights_licence
from schemas.record import text_of
from schemas.serializers.imscc import WebLink
from schemas.serializers.itemlist import ListEntry
from search.periods import display_date
from web.ui.french import credit_line, licence_display, licence_kind, partner_name

MAX_ITEMS = 50
MAX_NOTE = 280
MAX_TITLE = 120
MAX_QUERY = 8000  # characters of the query string
DEFAULT_TITLE = "Ma sélection"
_RESOURCE_PATH = re.compile(r"/ressources/([^/]+)/?$")


class SelectionError(ValueError):
    """A selection link the catalogue cannot read (French message for the 400 page)."""


@dataclass(frozen=True)
class Selection:
    ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # aligned with ids, same length
    title: str = ""

    def note(self, rid: str) -> str:
        return self.notes[self.ids.index(rid)] if rid in self.ids else ""

    def query(self) -> str:
        """The canonical query string ('' for an empty selection)."""
        if not self.ids:
            return urlencode({"titre": self.title}) if self.title else ""
        notes = list(self.notes)
        while notes and not notes[-1]:
            notes.pop()
        pairs: list[tuple[str, str]] = [("ids", ",".join(self.ids))]
        pairs += [("notes", n) for n in notes]
        if self.title:
            pairs.append(("titre", self.title))
        return urlencode(pairs, safe=",")

    def url(self, path: str = "/selection") -> str:
        query = self.query()
        return path + (f"?{query}" if query else "")

    # -- the changes a teacher makes, each a new selection (and a new URL) ----------------------

    def add(self, rid: str) -> Selection:
        if rid in self.ids:
            return self
        if len(self.ids) >= MAX_ITEMS:
            raise SelectionError(f"Une sélection compte au plus {MAX_ITEMS} ressources.")
        return replace(self, ids=(*self.ids, rid), notes=(*self.notes, ""))

    def remove(self, rid: str) -> Selection:
        kept = [(i, n) for i, n in zip(self.ids, self.notes, strict=True) if i != rid]
        return replace(self, ids=tuple(i for i, _ in kept), notes=tuple(n for _, n in kept))

    def move(self, rid: str, step: int) -> Selection:
        if rid not in self.ids:
            return self
        pairs = list(zip(self.ids, self.notes, strict=True))
        at = self.ids.index(rid)
        to = max(0, min(len(pairs) - 1, at + step))
        pairs.insert(to, pairs.pop(at))
        return replace(self, ids=tuple(i for i, _ in pairs), notes=tuple(n for _, n in pairs))


def _clean(text: str, limit: int, what: str) -> str:
    value = " ".join(text.replace("\r", " ").split())
    if len(value) > limit:
        raise SelectionError(f"{what} dépasse {limit} caractères.")
    return value


def parse_selection(args: Mapping[str, Any]) -> Selection:
    """The selection a query string describes (``args`` is Flask's MultiDict or a plain dict)."""
    getlist = getattr(args, "getlist", None)

    def values(name: str) -> list[str]:
        if getlist is not None:
            return [str(v) for v in getlist(name)]
        raw = args.get(name)
        return [] if raw is None else [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]

    raw_ids = [part.strip() for chunk in values("ids") for part in chunk.split(",") if part.strip()]
    ids = list(dict.fromkeys(raw_ids))
    if len(ids) > MAX_ITEMS:
        raise SelectionError(f"Une sélection compte au plus {MAX_ITEMS} ressources ; "
                             f"ce lien en contient {len(ids)}.")
    bad = [i for i in ids if not is_id(i)]
    if bad:
        raise SelectionError("Ce lien contient un identifiant de ressource mal formé : " + bad[0][:60] + ".")
    notes_in = values("notes")
    if len(notes_in) > len(raw_ids):
        raise SelectionError("Ce lien contient plus de notes que de ressources.")
    # A duplicated id keeps its first note.
    by_id: dict[str, str] = {}
    for n, rid in enumerate(raw_ids):
        note = _clean(notes_in[n], MAX_NOTE, "Une note") if n < len(notes_in) else ""
        by_id.setdefault(rid, note)
    title = _clean((values("titre") or [""])[0], MAX_TITLE, "Le titre de la sélection")
    return Selection(tuple(ids), tuple(by_id[i] for i in ids), title)


def resource_id_from(text: str) -> str | None:
    """The record id in what a teacher pasted: an id, or the address of a resource page."""
    value = text.strip()
    if is_id(value):
        return value
    match = _RESOURCE_PATH.search(urlsplit(value).path) if value else None
    return match.group(1) if match and is_id(match.group(1)) else None


# -- the selection's resources, read from the store ----------------------------------------------


@dataclass
class Entry:
    id: str
    title: str
    partner: str
    url: str
    page: str
    description: str
    credit: str
    licence_label: str | None
    licence_uri: str | None
    licence_kind: str
    note: str


@dataclass
class SelectionPage:
    selection: Selection
    entries: list[Entry]
    missing: list[str] = field(default_factory=list)  # not in the catalogue
    withdrawn: list[str] = field(default_factory=list)  # withdrawn by their partner

    @property
    def title(self) -> str:
        return self.selection.title or DEFAULT_TITLE


def _entry(record: dict[str, Any], partner: str, note: str, base_url: str) -> Entry:
    source = record.get("source") or {}
    licence = rights_licence(record.get("licence"), record.get("rights"))  # as the page says
    title = text_of(record.get("title")) or record["id"]
    authors = [c["name"] for c in record.get("contributors") or [] if c.get("role") in ("author", "creator")]
    page = f"{base_url}/ressources/{record['id']}"
    url = record.get("url") or source.get("landing_url") or page
    return Entry(
        id=record["id"], title=title, partner=partner, url=str(url), page=page,
        description=" ".join(text_of(record.get("description")).split()),
        credit=credit_line(title, authors, partner, licence_display(licence, record.get("rights")),
                           display_date(record), str(url)),
        licence_label=licence_display(licence, record.get("rights")),
        licence_uri=licence.get("uri"), licence_kind=licence_kind(licence.get("code")), note=note,
    )


def build_selection_page(selection: Selection, store: Any, names: dict[str, str],
                         base_url: str) -> SelectionPage:
    stored = store.get_many(list(selection.ids)) if selection.ids else {}
    page = SelectionPage(selection, [])
    for rid, note in zip(selection.ids, selection.notes, strict=True):
        found = stored.get(rid)
        if found is None or found.data is None:
            page.missing.append(rid)
        elif found.deleted:
            page.withdrawn.append(text_of(found.data.get("title")) or rid)
        else:
            page.entries.append(_entry(found.data, partner_name(found.partner, names), note, base_url))
    return page


def web_links(page: SelectionPage) -> list[WebLink]:
    return [WebLink(e.title, e.url, e.description, e.credit, e.note) for e in page.entries]


def list_entries(page: SelectionPage, base_url: str) -> list[ListEntry]:
    return [ListEntry(id=e.id, title=e.title, url=e.url, page=e.page,
                      uri=f"{base_url}/api/v1/resources/{e.id}", partner=e.partner, credit=e.credit,
                      description=e.description, licence_label=e.licence_label or "",
                      licence_uri=e.licence_uri or "", note=e.note)
            for e in page.entries]
