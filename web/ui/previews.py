"""Previews on a resource page, behind a click (rules in ``previews.tsv``).

Why behind a click: an embedded player or viewer is a request to the partner, with the
teacher's address and the page in it; nothing of the kind may happen before the teacher asks.
The page carries a plain link to the partner (what works without JavaScript); the script turns
it into a "Voir un aperçu" button that only then inserts the ``<iframe>`` (INA's player) or the
image (Gallica's first page as a IIIF image, fetched by the catalogue itself through
``/apercus/<id>``, so even after the click the browser talks to no one else). The CSP's
``frame-src`` lists exactly the origins of the ``frame`` rules.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RULES_FILE = Path(__file__).with_name("previews.tsv")
VIEWERS = ("frame", "iiif")


@dataclass(frozen=True)
class Rule:
    name: str
    field: str
    pattern: re.Pattern[str]
    viewer: str
    embed: str
    partner: str


@dataclass(frozen=True)
class Preview:
    """What the page needs: the viewer kind, what it loads, the no-JavaScript link."""

    viewer: str  # "frame" or "iiif"
    src: str  # the iframe's address, or the catalogue's /apercus/<id>
    link: str  # the partner's page or player, for a browser without JavaScript
    partner: str
    host: str  # who serves what is shown (said on the page)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    lines = [line for line in RULES_FILE.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    found = []
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["viewer"] not in VIEWERS:
            raise ValueError(f"{RULES_FILE}: {row['name']}: unknown viewer {row['viewer']!r}")
        found.append(Rule(row["name"], row["field"], re.compile(row["pattern"]), row["viewer"],
                          row["embed"], row["partner"]))
    return tuple(found)


def frame_origins() -> list[str]:
    """Origins an ``<iframe>`` of a preview may load (the CSP's frame-src), sorted."""
    origins = set()
    for rule in rules():
        if rule.viewer == "frame":
            parts = urlsplit(rule.embed)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _addresses(record: dict[str, Any], field: str) -> list[str]:
    if field == "url":
        return [str(record.get("url") or "")]
    if field.startswith("link:"):
        kind = field.split(":", 1)[1]
        return [str(link.get("url") or "") for link in record.get("links") or []
                if link.get("kind") == kind]
    return []


def _match(record: dict[str, Any]) -> tuple[Rule, str] | None:
    for rule in rules():
        for address in _addresses(record, rule.field):
            if m := rule.pattern.fullmatch(address):
                return rule, rule.embed.format(**m.groupdict())
    return None


def preview_for(record: dict[str, Any]) -> Preview | None:
    """The preview a record's page offers, if a rule matches its addresses."""
    found = _match(record)
    if found is None:
        return None
    rule, embed = found
    host = urlsplit(embed).hostname or ""
    if rule.viewer == "frame":
        return Preview("frame", embed, embed, rule.partner, host)
    link = str(record.get("url") or embed)
    return Preview("iiif", f"/apercus/{record['id']}", link, rule.partner, host)


def iiif_image(record: dict[str, Any]) -> str | None:
    """The IIIF image address the catalogue fetches for ``/apercus/<id>``, if any."""
    found = _match(record)
    return found[1] if found and found[0].viewer == "iiif" else None
