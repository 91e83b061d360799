"""The shared record flattened into what both engines index (one function, two backends)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas.record import text_of
from search.base import FACET_GROUPS
from search.facets import Taxonomy, join_label
from search.periods import centuries, record_interval
from search.text import (
    fold_key,
    group_key,
    id_hash,
    is_stop_word,
    record_date_number,
    title_sort_key,
)

TITLE_SORT_CHARS = 48
# Words of titles and keywords offered as completions and "did you mean" candidates.
MAX_SUGGEST_WORDS = 60
SUGGEST_DESCRIPTION_CHARS = 300  # the start of a description also gives words
_SUGGEST_WORD = re.compile(r"[^\W\d_]+")
# The document's text fields and their weights, the same in both backends so that they rank alike.
TEXT_FIELDS = {"title": 3.0, "keywords": 2.0, "description": 1.0, "extra": 0.5}
# A word found in the title exactly as typed (folded, not stemmed) scores again with this
# boost, so "France" ranks "… en France" above "Saint-Franc" (same stem, "franc").
EXACT_TITLE_BOOST = 3.0
# The field each facet group is counted on: types and licences on their "id\x1flabel" values,
# so that the counts come with the labels.
FACET_FIELDS = {g: g for g in FACET_GROUPS} | {"type": "type_facet", "licence": "licence_facet"}
# How many values of one facet group are counted.
AGG_SIZE = 1_000


def facet_terms(group: str) -> dict[str, Any]:
    """The terms aggregation counting a facet group (the same JSON for tantivy and Elasticsearch)."""
    return {"terms": {"field": FACET_FIELDS[group], "size": AGG_SIZE}}


@dataclass
class SearchDocument:
    id: str
    title: list[str]  # every title value (all languages)
    keywords: list[str]
    description: list[str]
    # Contributors, places, level/discipline/type labels: found, but weighted low.
    extra: list[str]
    facets: dict[str, list[str]]  # group -> raw values (levels and disciplines expanded)
    # Display values of types and licences: "id\x1flabel" (labels come from the records).
    facet_labels: dict[str, list[str]]
    keyword_suggest: list[str]  # "folded\x1foriginal"
    date: int  # sortable date number, 0 when unknown (see text.date_number)
    title_key: str  # folded title, article dropped, cut to TITLE_SORT_CHARS
    tiebreak: int  # 63-bit hash of the id
    record: dict[str, Any] = field(repr=False, default_factory=dict)
    # Years of what the record is about or when it was made (None: no usable date).
    interval: tuple[int, int] | None = None
    word_suggest: list[str] = field(default_factory=list)  # "folded\x1fas written, lowercased"
    group: str = ""  # see text.group_key
    # When the record last changed in the catalogue (epoch seconds, UTC; 0 when unknown): the
    # store's datestamp, from the record's ``catalogue`` block (see catalogue.store.with_catalogue).
    modified: int = 0


def modified_seconds(record: dict[str, Any]) -> int:
    """``catalogue.modified`` of a record as epoch seconds (0 when absent or unreadable)."""
    text = (record.get("catalogue") or {}).get("modified")
    if not isinstance(text, str):
        return 0
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return 0
    return max(0, int(moment.timestamp()))


def _values(items: list[dict[str, Any]] | None, key: str = "value") -> list[str]:
    return [str(item[key]) for item in items or [] if item.get(key)]


def suggest_words(texts: list[str]) -> list[str]:
    """Distinct words of titles and keywords (3+ letters, no digits, no brackets), as
    "folded\x1fword" so that completions keep the accents ("revo" → "révolution")."""
    out: dict[str, None] = {}
    for text in texts:
        for word in _SUGGEST_WORD.findall(text):
            if len(word) < 3 or len(word) > 40 or is_stop_word(word):
                continue
            shown = word if word.isupper() and len(word) <= 5 else word.lower()
            out[join_label(fold_key(word), shown)] = None
            if len(out) >= MAX_SUGGEST_WORDS:
                return list(out)
    return list(out)


def sort_fields(record: dict[str, Any]) -> tuple[int, str, int]:
    """(date number, title sort key, id hash): what the date and title orders compare."""
    title_key = title_sort_key(text_of(record.get("title")))[:TITLE_SORT_CHARS]
    return record_date_number(record), title_key, id_hash(str(record["id"]))


def to_document(record: dict[str, Any], taxonomy: Taxonomy) -> SearchDocument:
    """Flatten ``record``; raises KeyError/TypeError on a record without id, source or title."""
    record_id = str(record["id"])
    titles = _values(record["title"])
    if not titles:
        raise ValueError("record has no title")
    keywords = list(dict.fromkeys(_values(record.get("keywords"))))
    levels = taxonomy.level_values(_values(record.get("levels"), "id"))
    disciplines = taxonomy.discipline_values(_values(record.get("disciplines"), "id"))
    types = {str(t["id"]): str(t.get("label") or t["id"]) for t in record.get("resource_types") or []}
    licence = record.get("licence") or {}
    licences = {str(licence["code"]): str(licence.get("label") or licence["code"])} if licence.get(
        "code") else {}
    facets = {
        "level": levels,
        "discipline": disciplines,
        "partner": [str(record["source"]["partner"])],
        "type": list(types),
        "licence": list(licences),
        "language": list(dict.fromkeys(str(x) for x in record.get("languages") or [])),
    }
    coverage = record.get("coverage") or {}
    extra = [
        *_values(record.get("contributors"), "name"),
        *[str(p) for p in coverage.get("places") or []],
        *_values(record.get("levels"), "label"),
        *_values(record.get("disciplines"), "label"),
        *types.values(),
    ]
    suggest: dict[str, None] = {}
    for keyword in keywords:
        key = fold_key(keyword)[:200]
        if key:
            suggest[join_label(key, keyword[:200])] = None
    descriptions = _values(record.get("description"))
    date, title_key, tiebreak = sort_fields(record)
    interval = record_interval(record)
    facets["period"] = centuries(interval)
    return SearchDocument(
        id=record_id,
        title=titles,
        keywords=keywords,
        description=descriptions,
        extra=list(dict.fromkeys(extra)),
        facets=facets,
        facet_labels={
            "type": [join_label(k, v) for k, v in types.items()],
            "licence": [join_label(k, v) for k, v in licences.items()],
        },
        keyword_suggest=list(suggest),
        date=date,
        title_key=title_key,
        tiebreak=tiebreak,
        record=record,
        interval=interval,
        word_suggest=suggest_words([*titles, *keywords,
                                    *(d[:SUGGEST_DESCRIPTION_CHARS] for d in descriptions)]),
        group=group_key(record),
        modified=modified_seconds(record),
    )
