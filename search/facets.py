"""Facet vocabulary: filter values, hierarchy expansion, French labels, concept suggestions.

Levels are indexed with their broader stages and related cycles (``level_expansion``) and
disciplines with their "(discipline)" parent, each as a separate raw value, so that plain term
filters and terms aggregations follow the hierarchy in both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from search.base import FACET_GROUPS, FacetValue, FilterProposal, InvalidQuery
from search.expansion import Expander, Proposal
from search.periods import period_label
from search.text import fold_key, strip_qualifiers

MAX_FILTER_VALUES = 50
# Separates an id from its label in the stored facet values of types and licences, whose labels
# come from the records themselves.
LABEL_SEP = "\x1f"
_CONCEPT_ID = re.compile(r"scolomfr-voc-\d{3}-num-\d+$")
_CENTURY = re.compile(r"^-?\d{1,2}$")

LANGUAGE_LABELS = {
    "fr": "français", "en": "anglais", "de": "allemand", "es": "espagnol", "it": "italien",
    "pt": "portugais", "nl": "néerlandais", "la": "latin", "el": "grec", "oc": "occitan",
    "br": "breton", "co": "corse", "eu": "basque", "ca": "catalan", "ar": "arabe",
    "zh": "chinois", "ja": "japonais", "ru": "russe", "pl": "polonais", "he": "hébreu",
    "ht": "créole haïtien", "wa": "wallon", "lb": "luxembourgeois", "rm": "romanche",
    "sv": "suédois", "da": "danois", "no": "norvégien", "fi": "finnois", "cs": "tchèque",
    "hu": "hongrois", "ro": "roumain", "tr": "turc", "vi": "vietnamien", "ko": "coréen",
    "hi": "hindi", "fa": "persan", "uk": "ukrainien", "ga": "irlandais", "cy": "gallois",
}


def join_label(value_id: str, label: str) -> str:
    return f"{value_id}{LABEL_SEP}{label}"


def split_label(value: str) -> tuple[str, str | None]:
    value_id, sep, label = value.partition(LABEL_SEP)
    return value_id, (label if sep else None)


class Taxonomy:
    """Vocabulary-backed knowledge both backends need; one per index, vocabulary loaded lazily."""

    def __init__(
        self, partner_labels: Mapping[str, str] | None = None, vocabulary: Any | None = None
    ) -> None:
        self._vocabulary = vocabulary
        self._partner_labels = dict(partner_labels) if partner_labels is not None else None
        self._levels: dict[str, tuple[str, ...]] = {}
        self._disciplines: dict[str, tuple[str, ...]] = {}

    @property
    def vocabulary(self) -> Any:
        if self._vocabulary is None:
            from schemas.vocabularies import load_vocabulary

            self._vocabulary = load_vocabulary()
        return self._vocabulary

    @cached_property
    def partner_labels(self) -> dict[str, str]:
        if self._partner_labels is not None:
            return self._partner_labels
        from catalogue.config import founding_partners

        return dict(founding_partners())

    # -- index time ---------------------------------------------------------------------------

    def concept_id(self, value: str) -> str:
        """A concept id for an id or a URI ("…/concept/scolomfr-voc-022-num-015" -> the id)."""
        value = value.strip()
        concept = self.vocabulary.concept(value)
        if concept is not None:
            return str(concept.id)
        tail = value.rstrip("/").rsplit("/", 1)[-1]
        return tail if _CONCEPT_ID.match(tail) else value

    def level_values(self, ids: Iterable[str]) -> list[str]:
        """Each level with its broader stages and related cycles, in first-seen order."""
        out: dict[str, None] = {}
        for level_id in ids:
            if level_id not in self._levels:
                expansion = [level_id, *(self.vocabulary.level_expansion(level_id) or ())]
                self._levels[level_id] = tuple(dict.fromkeys(str(x) for x in expansion))
            out.update(dict.fromkeys(self._levels[level_id]))
        return list(out)

    def discipline_values(self, ids: Iterable[str]) -> list[str]:
        """Each discipline concept with its "(discipline)" parent, so the 17 disciplines count."""
        out: dict[str, None] = {}
        for concept_id in ids:
            if concept_id not in self._disciplines:
                parent = self.vocabulary.discipline_of(concept_id)
                values = [concept_id] + ([str(parent.id)] if parent is not None else [])
                self._disciplines[concept_id] = tuple(dict.fromkeys(values))
            out.update(dict.fromkeys(self._disciplines[concept_id]))
        return list(out)

    # -- query time ---------------------------------------------------------------------------

    def normalise_filters(self, filters: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
        """Known groups only, ids for concept URIs, no blanks or repeats, at most 50 per group."""
        out: dict[str, tuple[str, ...]] = {}
        for group, values in (filters or {}).items():
            if group not in FACET_GROUPS:
                raise InvalidQuery(f"unknown filter {group!r}; use one of {', '.join(FACET_GROUPS)}")
            if isinstance(values, str):
                values = [values]
            clean: dict[str, None] = {}
            for value in values:
                value = str(value).strip()[:500]
                if not value:
                    continue
                if group in ("level", "discipline"):
                    value = self.concept_id(value)
                elif group == "period" and not _CENTURY.match(value):
                    raise InvalidQuery(f"period values are century numbers (19 for the XIXe "
                                       f"siècle, 0 for the Ier siècle av. J.-C.), not {value!r}")
                clean[value] = None
            if len(clean) > MAX_FILTER_VALUES:
                raise InvalidQuery(f"too many values for {group} (at most {MAX_FILTER_VALUES})")
            if clean:
                out[group] = tuple(clean)
        return out

    def label(self, group: str, value_id: str, stored: str | None = None) -> str:
        """French label of a facet value."""
        if group in ("level", "discipline"):
            concept = self.vocabulary.concept(value_id)
            if concept is not None and concept.label:
                return str(concept.label)
        elif group == "language":
            return LANGUAGE_LABELS.get(value_id, value_id)
        elif group == "partner":
            return self.partner_labels.get(value_id, value_id)
        elif group == "period":
            return period_label(value_id)
        return stored or value_id

    def facet_values(
        self, group: str, buckets: Mapping[str, int], selected: Sequence[str]
    ) -> list[FacetValue]:
        """FacetValues by count then label; selected values always appear (count 0 if none)."""
        counts: dict[str, int] = {}
        labels: dict[str, str | None] = {}
        for key, count in buckets.items():
            value_id, stored = split_label(key)
            counts[value_id] = counts.get(value_id, 0) + int(count)
            labels.setdefault(value_id, stored)
        for value_id in selected:
            counts.setdefault(value_id, 0)
        chosen = set(selected)
        values = [
            FacetValue(v, self.label(group, v, labels.get(v)), n, v in chosen)
            for v, n in counts.items()
        ]
        if group == "period":  # centuries read in time order
            values.sort(key=lambda f: int(f.id) if _CENTURY.match(f.id) else 0)
        else:
            values.sort(key=lambda f: (-f.count, fold_key(f.label), f.id))
        return values

    @cached_property
    def expander(self) -> Expander:
        """Query expansion with the teacher vocabulary, the periods and the level labels."""
        levels: dict[tuple[str, ...], str] = {}
        for kind, concept_id, _label, folded in self._concepts:
            if kind == "level":
                levels.setdefault(tuple(folded.split()), concept_id)
        return Expander(level_labels=levels)

    def proposals(self, found: Iterable[Proposal]) -> list[FilterProposal]:
        """Labelled filter proposals (labels without the "(discipline)" qualifier)."""
        return [FilterProposal(p.group, p.id, strip_qualifiers(self.label(p.group, p.id)))
                for p in found]

    @cached_property
    def _concepts(self) -> list[tuple[str, str, str, str]]:
        """(kind, id, label, folded label) of the current levels and the disciplines."""
        out = []
        for kind, concepts in (("level", self.vocabulary.levels()),
                               ("discipline", self.vocabulary.disciplines())):
            for concept in concepts:
                if getattr(concept, "current", True) and concept.label:
                    label = str(concept.label)
                    out.append((kind, str(concept.id), label, fold_key(strip_qualifiers(label))))
        return out

    def concept_candidates(self, prefix: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """(kind, id, label) whose label, or a word of it, starts with ``prefix``."""
        key = fold_key(prefix)
        if not key:
            return []
        found = []
        for kind, concept_id, label, folded in self._concepts:
            if folded.startswith(key):
                found.append((0, len(label), label, kind, concept_id))
            elif f" {key}" in f" {folded}":
                found.append((1, len(label), label, kind, concept_id))
        found.sort()
        return [(kind, cid, label) for _, _, label, kind, cid in found[:limit]]
