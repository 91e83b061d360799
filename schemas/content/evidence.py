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
    stems: dict[str, float] = field(default_factory=dict)  # stem → best field weight
    surface: dict[str, str] = field(default_factory=dict)  # stem → first word that gave it
    tokens: dict[str, list[str]] = field(default_factory=dict)  # field → folded words
    period: tuple[int, int] | None = None
    period_text: str | None = None  # what named the period
    strong_history: bool = False  # Dewey 9xx, RAMEAU period, temporal coverage, named period
    old: bool = False
    early: bool = False
    dewey_history: bool = False


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
    _period(record, hints, index, ev, fields, keywords)
    return ev


def _period(record: dict[str, Any], hints: dict[str, list[str]], index: ContentIndex,
            ev: Evidence, fields: dict[str, str], keywords: list[str]) -> None:
    """The record's period, from the most explicit statement to the least."""
    dewey = [re.sub(r"\D", "", d.rsplit(":", 1)[-1]) for d in hints.get("dewey") or []]
    ev.dewey_history = any(d.startswith("9") and not d.startswith("91") for d in dewey)  # 91: geography
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
                break
            if ev.period is not None:
                break
    if ev.period is None and _MAY_DATE.search(fields["title"]):
        found = find_periods(fields["title"])
        if found:
            ev.period, ev.period_text = found[0], fields["title"][:60]
    dates = record.get("dates") or {}
    for name in ("created", "issued"):
        interval = _interval(dates.get(name))
        if interval:
            ev.old = interval[1] <= OLD_YEAR
            ev.early = interval[1] <= EARLY_YEAR
            if ev.period is None and ev.old:
                ev.period, ev.period_text = interval, f"date {interval[0]}"
            break


__all__ = ["WEIGHTS", "Evidence", "gather"]
