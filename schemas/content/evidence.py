"""What a record says about its subject: its words by field, its period, whether it is
historical material. Cheap by construction: descriptions are cut, every step is one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schemas.vocabularies.analysis import STOP, stem, words
from schemas.vocabularies.periods import find_periods

from .index import ContentIndex

MAX_DESCRIPTION = 400  # characters of description read: the subject is said at the start
MAX_KEYWORDS = 40
# Field weights: a title or a subject names the topic; a description also tells the context.
WEIGHTS = {"title": 1.0, "keywords": 1.0, "description": 0.6}
OLD_YEAR = 1950  # a document this old is a source for its time, given history-ish words
EARLY_YEAR = 1815  # a document this old is historical material by itself (unless other evidence)
# A witness document (news footage, a press photograph: ``witness.tsv`` or a reader's
# ``witness`` hint) dated up to this year documents its day: its date is its period.
WITNESS_YEAR = 2000
_HISTORY_WORD = re.compile(r"\bhistoir|\bhistorique", re.I)
_YEAR = re.compile(r"^(-?\d{1,4})")
_MAY_DATE = re.compile(r"\d|si[eè]cle|\bs\.", re.I)  # cheap test before the period finder
# A RAMEAU subject is about history when it says so ("France -- Histoire -- 1789-1799") or
# names an event after its years ("France -- 1789-1799 (Révolution)", "Guerre mondiale
# (1914-1918)"); "Mazurkas -- 20e siècle" dates a musical form, it is not history.
_HISTORY_SUBJECT = re.compile(
    r"\bhistoire\b|\d{3,4}\s*-\s*\d{3,4}\s*\([^)\d]+\)|^[^,(]*\(\d{3,4}\s*-\s*\d{3,4}\)|\bguerres?\b",
    re.I,
)  # "Fallières, Armand (1841-1931)" is a person's life: a comma before the years rules it out


@dataclass
class Evidence:
    """What :func:`gather` read; ``agreeing_period`` is the one a theme's period is checked on."""

    stems: dict[str, float] = field(default_factory=dict)  # stem → best field weight
    surface: dict[str, str] = field(default_factory=dict)  # stem → first word that gave it
    tokens: dict[str, list[str]] = field(default_factory=dict)  # field → folded words
    period: tuple[int, int] | None = None
    period_text: str | None = None  # what named the period
    strong_history: bool = False  # Dewey 9xx, RAMEAU period, temporal coverage, named period
    old: bool = False
    early: bool = False
    dewey_history: bool = False
    witness: bool = False  # a document of the day it was made (news footage, press photograph)
    witness_declared: bool = False  # said of the whole collection by its reader (INA Jalons)
    dewey_travel: bool = False  # Dewey 91x: geography and travel (history when the book is old)
    period_weak: bool = False  # the period is a one-word name ("Empire"): it dates, not proves
    date: tuple[int, int] | None = None  # the record's creation or issue date, as years


def agreeing_period(ev: Evidence) -> tuple[int, int] | None:
    """The period a theme's own period may confirm: not a one-word name ("Empire" would
    confirm the Empire themes it was read from), then the record's date."""
    return ev.date if ev.period_weak else ev.period


def _texts(items: Any, limit: int) -> list[str]:
    out = []
    for item in (items or [])[:limit]:
        value = item.get("value") if isinstance(item, dict) else item
        if isinstance(value, str) and value.strip() and "://" not in value:
            out.append(value)
    return out


def _year(value: Any) -> int | None:
    match = _YEAR.match(str(value or ""))
    return int(match.group(1)) if match else None


def _interval(item: Any) -> tuple[int, int] | None:
    if not isinstance(item, dict):
        return None
    start, end = _year(item.get("start")), _year(item.get("end"))
    if start is None and end is None:
        return None
    start = start if start is not None else end
    end = end if end is not None else start
    return (start, end) if start is not None and end is not None and start <= end else None


def gather(record: dict[str, Any], hints: dict[str, list[str]], index: ContentIndex) -> Evidence:
    ev = Evidence()
    description = " ".join(_texts(record.get("description"), 5))[:MAX_DESCRIPTION]
    keywords = _texts(record.get("keywords"), MAX_KEYWORDS)
    keywords += [v for v in (hints.get("labels") or [])[:MAX_KEYWORDS] if v not in keywords]
    keywords += [v for v in (hints.get("tags") or [])[:MAX_KEYWORDS] if v not in keywords]
    fields = {
        "title": " ".join(_texts(record.get("title"), 3)),
        "keywords": " ; ".join(keywords),
        "description": description,
    }
    for name, text in fields.items():
        for given, pattern in index.given_names:
            if given in text:
                text = pattern.sub("", text)
        folded = words(text)
        ev.tokens[name] = folded
        weight = WEIGHTS[name]
        stems, surface = ev.stems, ev.surface
        for word in dict.fromkeys(folded):
            if word in STOP:
                continue
            term = stem(word)
            if stems.get(term, 0.0) < weight:
                stems[term] = weight
            if term not in surface:
                surface[term] = word
    ev.witness_declared = bool(hints.get("witness"))
    ev.witness = ev.witness_declared or _is_witness(index, ev, record)
    _period(record, hints, index, ev, fields, keywords)
    return ev


def _is_witness(index: ContentIndex, ev: Evidence, record: dict[str, Any]) -> bool:
    """Whether the title or the types say the record documents its own day ("photographie de
    presse", "actualités filmées"): the phrases are data, ``schemas/mappings/witness.tsv``."""
    if not index.witness:
        return False
    types = " ; ".join(str(t) for t in record.get("resource_types") or [] if isinstance(t, str))
    return bool(index.witness.find(ev.tokens.get("title", []))
                or (types and index.witness.find(words(types))))


def _period(record: dict[str, Any], hints: dict[str, list[str]], index: ContentIndex,
            ev: Evidence, fields: dict[str, str], keywords: list[str]) -> None:
    """The record's period, from the most explicit statement to the least."""
    dewey = [re.sub(r"\D", "", d.rsplit(":", 1)[-1]) for d in hints.get("dewey") or []]
    ev.dewey_history = any(d.startswith("9") and not d.startswith("91") for d in dewey)  # 91: geography
    ev.dewey_travel = any(d.startswith("91") for d in dewey)
    temporal = _interval((record.get("coverage") or {}).get("temporal"))
    if temporal:
        ev.period, ev.period_text, ev.strong_history = temporal, "couverture temporelle", True
    if ev.period is None:
        for keyword in keywords:
            if (" -- " in keyword or "(" in keyword) and _HISTORY_SUBJECT.search(keyword):
                found = find_periods(keyword)
                if found:
                    ev.period, ev.period_text, ev.strong_history = found[0], keyword, True
                    break
    if ev.period is None and index.periods:
        for name in ("title", "keywords", "description"):
            tokens = ev.tokens.get(name, [])
            for start, end, named in index.periods.find(tokens):
                # "Moyen Âge", "Révolution française" say history; a one-word name ("Empire",
                # "Révolution", "Renaissance") is also a common word: it dates, it does not prove.
                ev.period, ev.period_text = (named.start, named.end), named.label
                ev.strong_history = end - start > 1
                ev.period_weak = not ev.strong_history
                break
            if ev.period is not None:
                break
    if ev.period is None and _MAY_DATE.search(fields["title"]):
        found = find_periods(fields["title"])
        if found:
            ev.period, ev.period_text = found[0], fields["title"][:60]
            # "histoire byzantine du VIIIe siècle": a title that dates its subject and says
            # it is history states history as clearly as a RAMEAU period does.
            ev.strong_history = bool(_HISTORY_WORD.search(fields["title"]))
    dates = record.get("dates") or {}
    for name in ("created", "issued"):
        interval = _interval(dates.get(name))
        if interval:
            ev.date = interval
            ev.old = interval[1] <= OLD_YEAR
            ev.early = interval[1] <= EARLY_YEAR
            if ev.witness and interval[1] <= WITNESS_YEAR:
                # Footage of 1969 or a press photograph of 1915 is a source on its day, even
                # when some words above also looked like a period.
                ev.old = True
                if ev.period is None or not ev.strong_history:
                    ev.period, ev.period_text = interval, f"document du {interval[0]}"
                    ev.period_weak = False
            elif ev.witness:
                ev.witness = False  # recent footage is not yet historical material
            if ev.period is None and ev.old:
                ev.period, ev.period_text = interval, f"date {interval[0]}"
            break


__all__ = ["WEIGHTS", "WITNESS_YEAR", "Evidence", "agreeing_period", "gather"]
