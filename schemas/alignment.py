"""Levels (voc-022) and disciplines (voc-015) for a mapped record, each value with provenance.

Partners rarely state levels or disciplines. This module gathers what can be said and tags
every value with its origin, so that the quality report and the curators can tell them apart.
There are five layers, from the most to the least direct:

a. ``source``: explicit ScoLOMFR ids that a LOM/ScoLOMFR reader found. Deprecated ids are
   replaced, spaces inside ids are removed, and collections (taxon-path roots) are skipped.
   Coarse voc-012 contexts ("enseignement secondaire") become voc-022 stages (provenance
   ``rule``), but only when no level was found at all.
   A fine voc-015 topic also brings its "(discipline)" ancestor (provenance ``rule``, basis
   ``discipline-of:<id>``), so the discipline facet sees it.
b. ``rule`` with basis ``keyword:<text>``: subjects, keywords and tags whose *whole* text names a
   level or discipline (see :meth:`Vocabulary.lookup`). A text with no whole match is split on
   RAMEAU-style separators (" -- ", ";", "|", " / "), and each part is tried whole in turn.
   "Mathématiques -- Problèmes et exercices" therefore gives mathématiques, while
   "Histoire de France" gives nothing: there is no substring or fuzzy matching.
c. ``rule`` with basis ``<scheme>:<value>``: partner classifications mapped by the TSV files in
   ``schemas/mappings/``: Dewey (the longest prefix wins), Canal-U setSpecs (the most specific
   wins), INSPIRE themes, ISO 19115 topic categories, GEMET, DCAT themes and data.gouv.fr tags.
   Text values (themes, tags) that no rule covers go through the label matcher as in b.
c'. ``inferred``: the content layer (:mod:`schemas.content`): title, description,
   subjects/keywords, temporal coverage and dates matched against the school programmes of
   voc-015 (compiled with the vocabulary), the discipline lexicon, the level cues and the
   named periods of ``schemas/mappings/``. It fills a field only when a and b–c left it empty,
   and abstains on weak evidence. Bases: ``programme:…``, ``lexicon:…``, ``cue:…``.
d. ``default``: the per-source defaults from the sources file (labels or ids), only for a
   field (levels, disciplines) that the layers above left empty.
e. ``curation``: manual add/remove decisions. They come last and always win.

There is one entry per concept id, and it keeps the strongest provenance
(curation > source > rule > inferred > default). Levels are stored as asserted; the hierarchy expansion
for search is :meth:`Vocabulary.level_expansion`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from schemas.vocabularies import (
    DISCIPLINE_VOCAB,
    LEVEL_VOCAB,
    MAPPINGS_DIR,
    Concept,
    Vocabulary,
    load_vocabulary,
    normalize_label,
)
from schemas.vocabularies.text import read_table

Aligned = dict[str, Any]
PRIORITY = {"curation": 0, "source": 1, "rule": 2, "inferred": 3, "default": 4}
LAYER_ORDER = ("source", "rule", "inferred", "default", "curation")
MAX_VALUES = 500  # per hint key: hostile or broken feeds can send thousands
MAX_BASIS = 200
_SPLIT = re.compile(r"\s*(?:--|;|\||\s/\s)\s*")
_FIELD_OF_VOCAB = {LEVEL_VOCAB: "levels", DISCIPLINE_VOCAB: "disciplines"}

# hint key → (rule file, match mode, basis prefix, fall back to the label matcher?)
RULE_SETS: dict[str, tuple[str, str, str, bool]] = {
    "dewey": ("dewey.tsv", "dewey", "dewey", False),
    "canalu": ("canalu.tsv", "setspec", "canalu", False),
    "inspire_themes": ("inspire_themes.tsv", "exact", "inspire", True),
    "iso_topic": ("iso_topics.tsv", "exact", "iso", False),
    "gemet": ("gemet.tsv", "exact", "gemet", True),
    "dcat_themes": ("dcat_themes.tsv", "exact", "dcat", True),
    "tags": ("datagouv_tags.tsv", "exact", "tag", True),
}


class RuleTable:
    """One mapping file: keys (aliases separated by "|") → concept ids (space separated)."""

    def __init__(self, path: Path, mode: str) -> None:
        self.mode = mode
        self.rules: dict[str, tuple[str, ...]] = {}
        for row in read_table(path):
            targets = tuple(row["concepts"].replace(",", " ").split())
            for alias in row["key"].split("|"):
                key = self.key(alias)
                if key and targets:
                    self.rules[key] = tuple(dict.fromkeys(self.rules.get(key, ()) + targets))

    def key(self, value: str) -> str:
        """The lookup form of a key or a hint value in this table's mode."""
        text = value.strip()
        if self.mode == "dewey":
            return re.sub(r"[\s.]", "", text.rsplit(":", 1)[-1])
        if self.mode == "setspec":
            return re.sub(r"\s", "", text).lower()
        if self.mode == "exact" and "://" in text:
            text = re.split(r"[/#]", text.rstrip("/#"))[-1]
        return normalize_label(text)

    def match(self, value: str) -> tuple[str, ...]:
        key = self.key(value)
        if not key:
            return ()
        if self.mode == "dewey":
            if not key.isdigit():
                return ()
            for end in range(len(key), 0, -1):
                if key[:end] in self.rules:
                    return self.rules[key[:end]]
            return ()
        if self.mode == "setspec":
            parts = key.split(":")
            for end in range(len(parts), 0, -1):
                found = self.rules.get(":".join(parts[:end]))
                if found:
                    return found
            return ()
        return self.rules.get(key, ())


@functools.cache
def rule_table(name: str, mode: str, mappings_dir: Path = MAPPINGS_DIR) -> RuleTable:
    return RuleTable(mappings_dir / name, mode)


class _Collector:
    """Accumulates aligned values with the priority rule and the unmatched terms."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.values: dict[str, dict[str, Aligned]] = {"levels": {}, "disciplines": {}}
        self.unmatched: dict[str, str] = {}  # "<kind>:<text>" -> the text, normalised
        # Texts that gave a value through some path: a Dewey class, theme or keyword that one
        # table matched is not "unmatched" because another path (the label matcher, a second
        # hint key holding the same text) found nothing for it.
        self.matched: set[str] = set()

    def add(
        self, concept: Concept, provenance: str, basis: str | None, field: str | None = None
    ) -> bool:
        field = field or _FIELD_OF_VOCAB.get(concept.vocab)
        if field is None or _FIELD_OF_VOCAB.get(concept.vocab) != field or not concept.current:
            return False
        entry = {"id": concept.id, "label": concept.label, "provenance": provenance, "basis": basis}
        if basis and ":" in basis:
            self.matched.add(normalize_label(basis.split(";", 1)[0].split(":", 1)[1]))
        current = self.values[field].get(concept.id)
        if current is None or PRIORITY[provenance] < PRIORITY[current["provenance"]]:
            self.values[field][concept.id] = entry
        return True

    def miss(self, kind: str, value: str) -> None:
        self.unmatched[f"{kind}:{_short(value)}"] = normalize_label(_short(value))

    def result(self) -> tuple[list[Aligned], list[Aligned], list[str]]:
        def ordered(field: str) -> list[Aligned]:
            entries = list(self.values[field].values())
            return sorted(entries, key=lambda e: LAYER_ORDER.index(e["provenance"]))

        missed = [term for term, text in self.unmatched.items() if text not in self.matched]
        return ordered("levels"), ordered("disciplines"), missed


def _short(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_BASIS else flat[: MAX_BASIS - 1] + "…"


def _values(items: Iterable[Any] | None) -> list[str]:
    """Non-empty strings, stripped, first :data:`MAX_VALUES` only, duplicates dropped."""
    out: dict[str, None] = {}
    for item in list(items or [])[: MAX_VALUES * 2]:
        if isinstance(item, str) and item.strip():
            out.setdefault(item.strip(), None)
    return list(out)[:MAX_VALUES]


def _match_whole(vocab: Vocabulary, text: str) -> list[Concept]:
    return [c for c in (vocab.match_level(text), vocab.match_discipline(text)) if c is not None]


def match_text(vocab: Vocabulary, text: str) -> list[Concept]:
    """Levels and disciplines named by ``text`` as a whole, else by its RAMEAU-style parts."""
    found = _match_whole(vocab, text)
    if found or not _SPLIT.search(text):
        return found
    hits: dict[str, Concept] = {}
    for part in _SPLIT.split(text):
        if part.strip():
            for concept in _match_whole(vocab, part):
                hits.setdefault(concept.id, concept)
    return list(hits.values())


def _explicit(col: _Collector, values: list[str]) -> list[Concept]:
    """Layer a. Returns the coarse voc-012 concepts found, which are used only as a fallback."""
    vocab = col.vocab
    coarse: list[Concept] = []
    for raw in values:
        if vocab.is_collection(raw):
            continue  # taxon-path roots such as "Niveau éducatif détaillé (2015-)"
        concept = vocab.resolve(raw)
        if concept is None:
            col.miss("scolomfr", raw)
            continue
        if concept.vocab == "012":
            coarse.append(concept)
            continue
        original = vocab.concept(raw)
        if not col.add(concept, "source", f"scolomfr:{original.uri if original else _short(raw)}"):
            col.miss("scolomfr", raw)
            continue
        if concept.vocab == DISCIPLINE_VOCAB:
            discipline = vocab.discipline_of(concept.id)
            if discipline is not None and discipline.id != concept.id:
                col.add(discipline, "rule", f"discipline-of:{concept.id}")
    return coarse


def _coarse_levels(col: _Collector, coarse: list[Concept]) -> None:
    """voc-012 contexts ("enseignement secondaire") → voc-022 stages, when nothing finer was said."""
    if col.values["levels"]:
        return
    table = rule_table("scolomfr_012.tsv", "exact")
    for concept in coarse:
        added = False
        for target in table.match(concept.id):
            stage = col.vocab.resolve(target)
            if stage is not None and col.add(stage, "rule", f"voc-012:{concept.id}"):
                added = True
        if not added:
            col.miss("scolomfr", concept.id)


def _keywords(col: _Collector, values: list[str], kind: str = "keyword") -> None:
    seen: set[str] = set()
    for text in values:
        key = normalize_label(text)
        if not key or key in seen:
            continue
        seen.add(key)
        found = match_text(col.vocab, text)
        for concept in found:
            col.add(concept, "rule", f"keyword:{_short(text)}")
        if not found:
            col.miss(kind, text)


def _rules(col: _Collector, hint: str, values: list[str]) -> None:
    filename, mode, prefix, fallback = RULE_SETS[hint]
    table = rule_table(filename, mode)
    for value in values:
        added = False
        for target in table.match(value):
            concept = col.vocab.resolve(target)
            if concept is not None and col.add(concept, "rule", f"{prefix}:{_short(value)}"):
                added = True
        if not added and fallback and "://" not in value:
            for concept in match_text(col.vocab, value):
                added = col.add(concept, "rule", f"keyword:{_short(value)}") or added
        if not added:
            col.miss(prefix, value)


def _content(
    col: _Collector, record: dict[str, Any], hints: dict[str, list[str]], mappings_dir: Path | None
) -> None:
    """Layer c': what the record is about, for the fields the layers above left empty."""
    from schemas.content import infer

    # A keyword that names a vocational field or an option ("électricité", "information") is
    # kept, but says no school discipline: the content may still find physique-chimie or EMI.
    known = {d for cid in col.values["disciplines"] if (d := col.vocab.school_discipline(cid))}
    if col.values["levels"] and known:
        return
    found = infer(record, hints, col.vocab, known, bool(col.values["levels"]), mappings_dir)
    for field, pairs in (("levels", found.levels), ("disciplines", found.disciplines)):
        for cid, basis in pairs:
            concept = col.vocab.resolve(cid)
            if concept is not None:
                col.add(concept, "inferred", _short(basis), field)


def _defaults(col: _Collector, defaults: dict[str, list[str]]) -> None:
    """Source defaults fill a field only when the record itself gave nothing for it: a default
    is the partner's general audience, less precise than anything said about the resource."""
    matchers = (("levels", col.vocab.match_level), ("disciplines", col.vocab.match_discipline))
    for field, matcher in matchers:
        if col.values[field]:
            continue
        for value in _values(defaults.get(field)):
            concept = col.vocab.resolve(value) if "scolomfr-voc" in value else matcher(value)
            if concept is None or not col.add(concept, "default", "source-default", field):
                col.miss("default", value)


def _curations(col: _Collector, curations: list[dict[str, Any]]) -> None:
    for item in curations:
        field = {"level": "levels", "discipline": "disciplines"}.get(str(item.get("field")))
        raw = str(item.get("concept") or "")
        action = item.get("action")
        concept = col.vocab.resolve(raw)
        if field is None or action not in ("add", "remove"):
            col.miss("curation", f"{item.get('field')}/{action}/{raw}")
            continue
        if action == "remove":
            ids = {col.vocab.local_id(raw)} | ({concept.id} if concept else set())
            for cid in ids:
                col.values[field].pop(cid, None)
            continue
        who = item.get("author") or item.get("by") or item.get("who")
        basis = f"curation:{who}" if who else "curation"
        if concept is None or not col.add(concept, "curation", basis, field):
            col.miss("curation", raw)


def _split_keywords(record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Record keywords as (free labels, INSPIRE themes, GEMET terms) by their thesaurus."""
    labels: list[str] = []
    inspire: list[str] = []
    gemet: list[str] = []
    for keyword in record.get("keywords") or []:
        if not isinstance(keyword, dict) or not isinstance(keyword.get("value"), str):
            continue
        thesaurus = normalize_label(str(keyword.get("thesaurus") or ""))
        target = inspire if "inspire" in thesaurus else gemet if "gemet" in thesaurus else labels
        target.append(keyword["value"])
    return labels, inspire, gemet


def align(
    record: dict[str, Any],
    hints: dict[str, list[str]],
    defaults: dict[str, list[str]] | None = None,
    curations: list[dict[str, Any]] | None = None,
    vocab: Vocabulary | None = None,
    mappings_dir: Path | None = None,
) -> tuple[list[Aligned], list[Aligned], list[str]]:
    """Return ``(levels, disciplines, unmatched_terms)`` for a mapped record.

    ``hints`` keys: scolomfr_levels, scolomfr_disciplines, scolomfr_contexts (voc-012, used only
    when no finer level is found), dewey, gemet, inspire_themes, iso_topic, canalu, tags,
    dcat_themes, labels. Other keys are ignored. The record's own
    ``keywords`` are used too: INSPIRE/GEMET thesaurus keywords go through those rules, and
    the others count as labels. ``unmatched_terms`` lists ``"<kind>:<text>"`` for every value
    that matched nothing, for the quality report. ``mappings_dir`` holds the content layer's
    tables (tests pass their own; default ``schemas/mappings/``).
    """
    vocab = vocab or load_vocabulary()
    col = _Collector(vocab)
    hints = hints or {}
    kw_labels, kw_inspire, kw_gemet = _split_keywords(record or {})

    explicit = [
        *hints.get("scolomfr_levels", []),
        *hints.get("scolomfr_disciplines", []),
        *hints.get("scolomfr_contexts", []),
    ]
    coarse = _explicit(col, _values(explicit))
    # Record keywords that a reader did not already pass as a hint count as labels.
    seen = {normalize_label(v) for key in ("labels", *RULE_SETS) for v in _values(hints.get(key))}
    kw_labels = [k for k in kw_labels if normalize_label(k) not in seen]
    _keywords(col, _values([*hints.get("labels", []), *kw_labels]))
    extra = {"inspire_themes": kw_inspire, "gemet": kw_gemet}
    for hint in RULE_SETS:
        _rules(col, hint, _values([*hints.get(hint, []), *extra.get(hint, [])]))
    _coarse_levels(col, coarse)
    _content(col, record or {}, hints, mappings_dir)
    if defaults:
        _defaults(col, defaults)
    if curations:
        _curations(col, curations)
    return col.result()


__all__ = ["PRIORITY", "RULE_SETS", "Aligned", "RuleTable", "align", "match_text", "rule_table"]
