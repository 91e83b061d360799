"""Entry points by class and by subject: the home page's "Je cherche pour…" and "En…", and the
``/niveaux/<classe>`` and ``/disciplines/<discipline>`` landing pages.

Why: a teacher starts from "my CM2" or "history", not from a query. Counts come from the
index's facets (the same numbers as the search page's), so a link gives what it promises. A
landing page lists the programme themes best covered for its class or subject: the alignment's
content layer writes ``programme:<voc-015 id>`` in the ``basis`` of each inferred value, and
the page counts, over the class's (or subject's) resources, the records whose inferred value
for that class (or subject) names each theme.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from schemas.provenance import parse_basis
from schemas.record import text_of
from search.base import SearchQuery
from web.ui.french import short_label
from web.ui.state import SearchState

# Records read to count themes on a landing page (the page says so when there are more).
SCAN_LIMIT = 1000
SCAN_PAGE = 100
THEMES_SHOWN = 8
RESOURCES_PER_THEME = 4
LATEST = 6


def latest(store: Any) -> list[tuple[str, str]]:
    """(url, title) of the records last added or updated in the store."""
    return [(f"/ressources/{r.id}", _title(r.data or {})) for r in store.latest(LATEST)]


def slug(label: str) -> str:
    """"CM2" → "cm2", "histoire et géographie" → "histoire-et-geographie"."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass
class Entry:
    id: str
    label: str
    count: int
    url: str  # the landing page
    search_url: str
    children: list[Entry] = field(default_factory=list)


@dataclass
class Theme:
    id: str
    label: str
    count: int
    resources: list[tuple[str, str]]  # (url, title)


@dataclass
class Landing:
    kind: str  # "niveau" | "discipline"
    concept_id: str
    label: str
    total: int
    search_url: str
    scanned: int
    themes: list[Theme]


def _counts(index: Any, filters: dict[str, list[str]] | None = None) -> tuple[int, dict[str, dict[str, int]]]:
    result = index.search(SearchQuery(filters=filters or {}, per_page=1, highlight=False))
    return int(result.total), {group: {str(v.id): int(v.count) for v in values}
                               for group, values in result.facets.items()}


def level_groups(vocab: Any) -> list[tuple[Any, list[Any]]]:
    """(group concept, classes): the cycles with their classes, then each stage whose classes
    belong to no cycle (lycée), in the vocabulary's order."""
    tree = list(vocab.level_tree()) if vocab is not None else []
    groups: list[tuple[Any, list[Any]]] = []
    in_cycles: set[str] = set()
    for node in tree:
        if node.concept.kind == "cycle":
            classes = [child.concept for child in node.children]
            in_cycles.update(c.id for c in classes)
            groups.append((node.concept, classes))
    for node in tree:
        if node.concept.kind == "stage":
            classes = [child.concept for child in node.children
                       if child.concept.kind == "class" and child.concept.id not in in_cycles]
            if classes:
                groups.append((node.concept, classes))
    return groups


def _level_entry(concept: Any, counts: dict[str, int]) -> Entry:
    label = short_label(concept.label)
    return Entry(concept.id, label, counts.get(concept.id, 0), f"/niveaux/{slug(label)}",
                 SearchState(filters={"level": (concept.id,)}).url())


def home_entries(index: Any, vocab: Any) -> tuple[list[Entry], list[Entry]]:
    """("Je cherche pour…" groups with their classes, "En…" disciplines), those with resources."""
    _, facets = _counts(index)
    levels = facets.get("level", {})
    groups = []
    for group, classes in level_groups(vocab):
        entry = _level_entry(group, levels)
        entry.children = [_level_entry(c, levels) for c in classes if levels.get(c.id, 0) > 0]
        if entry.count > 0:
            groups.append(entry)
    disciplines = facets.get("discipline", {})
    subjects = []
    for concept in (vocab.disciplines() if vocab is not None else []):
        label = short_label(concept.label)
        if disciplines.get(concept.id, 0) > 0:
            subjects.append(Entry(concept.id, label, disciplines[concept.id],
                                  f"/disciplines/{slug(label)}",
                                  SearchState(filters={"discipline": (concept.id,)}).url()))
    subjects.sort(key=lambda e: (-e.count, e.label))
    return groups, subjects


def find_level(vocab: Any, name: str) -> Any | None:
    """The class, cycle or stage whose label slugs to ``name``."""
    for group, classes in level_groups(vocab):
        for concept in (group, *classes):
            if slug(short_label(concept.label)) == name:
                return concept
    return None


def find_discipline(vocab: Any, name: str) -> Any | None:
    for concept in vocab.disciplines() if vocab is not None else []:
        if slug(short_label(concept.label)) == name:
            return concept
    return None


def heading(page: Landing) -> str:
    """"Ressources pour le CM2", "pour la 6e", "pour l'école maternelle", "en histoire"."""
    label = page.label
    if page.kind == "discipline":
        return f"Ressources en {label}"
    if re.match(r"[aeiouyéèh]", label, re.I) and not label.isupper():
        return f"Ressources pour l'{label}"
    feminine = label[:1].isdigit() or label.lower().startswith(("terminale", "petite", "moyenne", "grande"))
    return f"Ressources pour {'la' if feminine else 'le'} {label}"


def _title(record: dict[str, Any]) -> str:
    return text_of(record.get("title")) or str(record.get("id", ""))


def _themes_of(record: dict[str, Any], kind: str, wanted: set[str], vocab: Any) -> set[str]:
    """Programme themes the alignment inferred the record's values from. For a class: those of
    its inferred levels in ``wanted``. For a subject: those of any inferred value (level or
    discipline) whose theme belongs to a discipline in ``wanted``."""
    found = set()
    fields = ("levels",) if kind == "niveau" else ("levels", "disciplines")
    for field_name in fields:
        for entry in record.get(field_name) or []:
            if entry.get("provenance") != "inferred":
                continue
            basis_kind, theme, _ = parse_basis(entry.get("basis"))
            if basis_kind != "programme" or not theme:
                continue
            if kind == "niveau":
                keep = str(entry.get("id") or "") in wanted
            else:
                parent = vocab.discipline_of(theme) if vocab is not None else None
                keep = parent is not None and parent.id in wanted
            if keep:
                found.add(theme)
    return found


def landing(index: Any, vocab: Any, kind: str, concept: Any) -> Landing:
    """A class's or subject's page: its total and best-covered themes, each with a few
    resources (read in title order, so the examples are stable)."""
    facet = "level" if kind == "niveau" else "discipline"
    wanted = {concept.id}
    if kind == "niveau":
        wanted |= {c.id for g, classes in level_groups(vocab) if g.id == concept.id for c in classes}
    counts: Counter[str] = Counter()
    examples: dict[str, list[tuple[str, str]]] = {}
    scanned = 0
    total = 0
    cursor: str | None = None
    while scanned < SCAN_LIMIT:
        result = index.search(SearchQuery(filters={facet: [concept.id]}, sort="title",
                                          per_page=SCAN_PAGE, cursor=cursor, facets=False,
                                          highlight=False))
        total = int(result.total)
        for hit in result.hits:
            record = hit.record or {}
            scanned += 1
            link = (f"/ressources/{hit.id}", _title(record))
            for theme in _themes_of(record, kind, wanted, vocab):
                counts[theme] += 1
                shown = examples.setdefault(theme, [])
                if len(shown) < RESOURCES_PER_THEME:
                    shown.append(link)
        cursor = result.next_cursor
        if not cursor or not result.hits:
            break
    themes = []
    for theme_id, n in counts.most_common():
        found = vocab.concept(theme_id) if vocab is not None else None
        if found is None:
            continue
        themes.append(Theme(theme_id, short_label(found.label), n, examples[theme_id]))
        if len(themes) == THEMES_SHOWN:
            break
    return Landing(kind, concept.id, short_label(concept.label), total,
                   SearchState(filters={facet: (concept.id,)}).url(), scanned, themes)
