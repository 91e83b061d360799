"""A teacher's selection as a list: schema.org JSON-LD ``ItemList`` and CSV.

Both take the same :class:`ListEntry` rows, in the selection's order. The CSV is for a
spreadsheet opened by a French teacher: UTF-8 with a byte-order mark and ``;`` between fields,
which is what LibreOffice and Excel in French read without an import dialog.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SCHEMA_ORG = "https://schema.org"
CSV_COLUMNS = ("position", "titre", "partenaire", "adresse", "mention de la source", "licence",
               "note", "page du catalogue", "identifiant")


@dataclass(frozen=True)
class ListEntry:
    id: str
    title: str
    url: str  # the resource at its partner (or the catalogue page when the partner gives none)
    page: str  # the catalogue's page of the resource
    uri: str  # the resource in the API (its JSON-LD @id)
    partner: str
    credit: str
    description: str = ""
    licence_label: str = ""
    licence_uri: str = ""
    note: str = ""


def to_itemlist(name: str, entries: Sequence[ListEntry], url: str) -> dict[str, Any]:
    """The ``ItemList``; ``url`` is the selection's share link. Notes are the list items' descriptions."""
    items = []
    for position, e in enumerate(entries, start=1):
        thing: dict[str, Any] = {
            "@id": e.uri,
            "@type": "LearningResource",
            "name": e.title,
            "url": e.url,
            "mainEntityOfPage": e.page,
            "provider": {"@type": "Organization", "name": e.partner},
            "creditText": e.credit,
        }
        if e.description:
            thing["description"] = e.description
        if e.licence_uri:
            thing["license"] = e.licence_uri
        elif e.licence_label:
            thing["license"] = e.licence_label
        item: dict[str, Any] = {"@type": "ListItem", "position": position, "item": thing}
        if e.note:
            item["description"] = e.note
        items.append(item)
    return {
        "@context": SCHEMA_ORG,
        "@type": "ItemList",
        "name": name,
        "url": url,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(items),
        "itemListElement": items,
    }


def _cell(value: str) -> str:
    """A spreadsheet must not read a cell as a formula (CSV injection): such cells get a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(entries: Sequence[ListEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for position, e in enumerate(entries, start=1):
        writer.writerow([str(position)] + [_cell(v) for v in (
            e.title, e.partner, e.url, e.credit, e.licence_label, e.note, e.page, e.id)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
