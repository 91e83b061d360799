"""OAI-PMH sets: partners, the ScoLOMFR level tree, disciplines; one rule for membership and setSpecs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from catalogue.listing import Reader, Selection


@dataclass(frozen=True)
class OaiSet:
    """A set and its membership rule: records with ``value`` in ``facet`` (any value when None).

    The rule is the one definition of membership: :func:`selection_for` turns it into the
    listing's SQL, :meth:`SetRegistry.header_specs` evaluates it on a record's facets for the
    header's setSpecs, so what a set returns and what its records' headers say cannot differ.
    """

    spec: str
    name: str
    facet: str | None = None  # "partner", "level", "discipline"; None for nothing to filter
    value: str | None = None  # None: any value of the facet (the root sets)
    uri: str | None = None  # the ScoLOMFR concept, shown in setDescription

    def holds(self, partner: str, facets: dict[str, list[str]]) -> bool:
        """Whether a record (its partner, its facet rows) is in this set."""
        values = [partner] if self.facet == "partner" else facets.get(self.facet or "", [])
        return bool(values) if self.value is None else self.value in values


@dataclass
class SetRegistry:
    """Every set the repository announces, and which sets a facet value puts a record in."""

    sets: list[OaiSet] = field(default_factory=list)
    by_spec: dict[str, OaiSet] = field(default_factory=dict)
    specs_for: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)

    def add(self, oai_set: OaiSet) -> None:
        if oai_set.spec in self.by_spec:
            return
        self.position[oai_set.spec] = len(self.sets)
        self.sets.append(oai_set)
        self.by_spec[oai_set.spec] = oai_set
        if oai_set.facet and oai_set.value is not None:
            self.specs_for.setdefault((oai_set.facet, oai_set.value), []).append(oai_set.spec)

    def header_specs(self, partner: str, facets: dict[str, list[str]]) -> list[str]:
        """The setSpecs of a record: the most specific sets whose rule holds for it (its
        partner, then its level and discipline sets). A root set (``level``, ``discipline``)
        is listed itself when the record is in it through values no finer set holds (a
        programme topic under no discipline), since every root selects any value."""
        specs = [f"partner:{partner}"]
        for facet in ("level", "discipline"):
            found: set[str] = set()
            for value in facets.get(facet, ()):
                found.update(self.specs_for.get((facet, value), ()))
            root = self.by_spec.get(facet)
            if not found and root is not None and root.holds(partner, facets):
                found.add(root.spec)
            specs.extend(sorted(found, key=self.position.__getitem__))
        return specs


@lru_cache(maxsize=4)
def vocabulary_sets(vocab: Any) -> tuple[OaiSet, ...]:
    """Level and discipline sets from the ScoLOMFR vocabulary (computed once per vocabulary)."""
    out: list[OaiSet] = [OaiSet("level", "Niveaux éducatifs", "level")]
    seen: set[str] = set()

    def walk(nodes: Iterable[Any], path: tuple[str, ...]) -> None:
        for node in nodes:
            concept = node.concept
            spec_path = (*path, concept.id)
            seen.add(concept.id)
            out.append(OaiSet("level:" + ":".join(spec_path), concept.label, "level", concept.id,
                              concept.uri))
            walk(node.children, spec_path)

    tree = vocab.level_tree()
    walk([n for n in tree if n.concept.kind != "cycle"], ())
    for node in tree:
        if node.concept.kind == "cycle":
            seen.add(node.concept.id)
            out.append(OaiSet(f"level:{node.concept.id}", node.concept.label, "level", node.concept.id,
                              node.concept.uri))
    for concept in vocab.levels():
        if concept.id not in seen:
            out.append(OaiSet(f"level:{concept.id}", concept.label, "level", concept.id, concept.uri))
    out.append(OaiSet("discipline", "Disciplines", "discipline"))
    for concept in vocab.disciplines():
        out.append(OaiSet(f"discipline:{concept.id}", concept.label, "discipline", concept.id,
                          concept.uri))
    return tuple(out)


@lru_cache(maxsize=8)
def _registry(partners: tuple[tuple[str, str], ...], vocab: Any) -> SetRegistry:
    registry = SetRegistry()
    registry.add(OaiSet("partner", "Partenaires", "partner"))
    for partner, name in partners:
        registry.add(OaiSet(f"partner:{partner}", name, "partner", partner))
    for oai_set in vocabulary_sets(vocab):
        registry.add(oai_set)
    return registry


def set_registry(rd: Reader, vocab: Any, names: dict[str, str]) -> SetRegistry:
    """The sets of the repository: the partners with sources in the store, named as the partner
    directory says (``names``, :mod:`catalogue.partners`); the rest from the vocabulary."""
    return _registry(tuple((pid, names.get(pid, name)) for pid, name in rd.partners()), vocab)


def selection_for(oai_set: OaiSet | None, since: datetime | None, before: datetime | None) -> Selection:
    """The set's rule (:meth:`OaiSet.holds`) as a listing; level and discipline sets hold live
    records only (the store deletes a tombstone's facet rows)."""
    if oai_set is None:
        return Selection(since=since, before=before)
    if oai_set.facet == "partner":
        return Selection(partner=oai_set.value, since=since, before=before)
    return Selection(facet=oai_set.facet, value=oai_set.value, since=since, before=before,
                     include_deleted=False)

