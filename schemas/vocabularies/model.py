"""The ScoLOMFR model that the rest of the catalogue uses: concepts, trees, expansions, matching.

A :class:`Vocabulary` is built from the compiled JSON (see :mod:`.compile`) and from the small
TSV files in ``schemas/mappings/``. These files hold the catalogue's own decisions: teacher
synonyms, parents for lycée concepts that SKOS leaves without a discipline, and replacements
for obsolete concepts that the official list leaves without one. Keeping the decisions as data
lets people review and change them without touching code.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compile import DISCIPLINE_COLLECTION, ROOT_COLLECTIONS
from .text import normalize_label, read_table

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
LEVEL_VOCAB = "022"
DISCIPLINE_VOCAB = "015"
RESOURCE_TYPE_VOCABS = ("010", "005", "004")
_MAX_HOPS = 16
_WS = re.compile(r"\s+")
_NUM = re.compile(r"(\d+)$")
# Trailing qualifiers that ScoLOMFR adds to tell versions apart; "mathématiques (discipline)"
# is also reachable as "mathématiques", and "cycle 3 (2016)" as "cycle 3".
_QUALIFIER = re.compile(
    r"^(?P<base>.+?)\s*\((?:discipline|2016|lycée 2015|enseignement de spécialité|LVER)\)\s*$"
)

# Match tiers, best first. A lower tier is used only when every better tier found nothing.
TIER_SYNONYM, TIER_PREF, TIER_DERIVED, TIER_ALT, TIER_OLD = range(5)


@dataclass(frozen=True)
class Concept:
    """One ScoLOMFR concept; ids everywhere are the last segment of the concept URI."""

    id: str
    uri: str
    vocab: str
    label: str
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]
    narrower: tuple[str, ...]
    related: tuple[str, ...]
    current: bool
    status: str
    replaced_by: str | None
    kind: str
    # Every official replacement (the deprecation list, then dcterms:isReplacedBy); ``replaced_by``
    # is the one chosen among them.
    replacements: tuple[str, ...] = ()
    order: str = ""


@dataclass(frozen=True)
class TreeNode:
    concept: Concept
    children: tuple[TreeNode, ...] = field(default_factory=tuple)


def _num(concept_id: str) -> int:
    match = _NUM.search(concept_id)
    return int(match.group(1)) if match else 0


def _sort_key(concept: Concept) -> tuple[str, int, str]:
    return (concept.order, _num(concept.id), concept.id)


class Vocabulary:
    """All shipped ScoLOMFR concepts, with the lookups the catalogue needs."""

    def __init__(self, data: dict[str, Any], mappings_dir: Path | None = None) -> None:
        self.key: str = str(data.get("key", ""))
        self._concepts: dict[str, Concept] = {}
        self._extra_labels: dict[str, tuple[str, ...]] = {}
        for raw in data["concepts"]:
            concept = Concept(
                id=raw["id"],
                uri=raw["uri"],
                vocab=raw["vocab"],
                label=raw["label"],
                alt_labels=tuple(raw["alt"]),
                broader=tuple(raw["broader"]),
                narrower=tuple(raw["narrower"]),
                related=tuple(raw["related"]),
                current=bool(raw["current"]),
                status=raw["status"],
                replaced_by=raw["replaced_by"],
                kind=raw["kind"],
                replacements=tuple(raw.get("replacements", ())),
                order=raw.get("order", ""),
            )
            self._concepts[concept.id] = concept
            self._extra_labels[concept.id] = tuple(raw.get("extra", ()))
        # The programme index compiled with the cache (see :mod:`.programmes`).
        self.programmes: list[dict[str, Any]] = list(data.get("programmes", []))
        self._by_uri = {c.uri: c.id for c in self._concepts.values()}
        self._by_lower = {cid.lower(): cid for cid in self._concepts}
        self._collections: dict[str, dict[str, Any]] = dict(data.get("collections", {}))
        self._collection_by_uri = {v["uri"]: k for k, v in self._collections.items()}
        self._deprecated: dict[str, str] = dict(data.get("deprecated", {}))
        mappings = mappings_dir or MAPPINGS_DIR
        self._own_replacements = self._read_pairs(mappings / "replacements.tsv", "concept", "replacement")
        self._parents = self._read_pairs(mappings / "discipline_parents.tsv", "concept", "discipline")
        self._synonyms = {
            LEVEL_VOCAB: self._read_pairs(mappings / "level_synonyms.tsv", "synonym", "concept"),
            DISCIPLINE_VOCAB: self._read_pairs(
                mappings / "discipline_synonyms.tsv", "synonym", "concept"
            ),
        }
        # Lycée fallbacks (philosophie, SES…): school disciplines without a "(discipline)" parent.
        self._fallback_disciplines = frozenset(self._synonyms[DISCIPLINE_VOCAB].values())
        self._indexes: dict[str, dict[str, list[set[str]]]] = {}
        self._members: dict[str, list[str]] | None = None
        self._tree: list[TreeNode] | None = None

    @staticmethod
    def _read_pairs(path: Path, key: str, value: str) -> dict[str, str]:
        if not path.is_file():
            return {}
        return {row[key]: row[value] for row in read_table(path) if row.get(key) and row.get(value)}

    # -- identity ---------------------------------------------------------------------------

    def local_id(self, id_or_uri: str) -> str:
        """The id part of an id or URI: spaces removed, the URI's last segment."""
        text = _WS.sub("", id_or_uri or "")
        if text in self._by_uri:
            return self._by_uri[text]
        if text in self._collection_by_uri:
            return self._collection_by_uri[text]
        return re.split(r"[/#]", text.rstrip("/#"))[-1]

    def concept(self, id_or_uri: str) -> Concept | None:
        """The concept for an id or URI, tolerating spaces inside it and letter case."""
        local = self.local_id(id_or_uri)
        found = self._concepts.get(local) or self._concepts.get(self._by_lower.get(local.lower(), ""))
        return found

    def is_collection(self, id_or_uri: str) -> bool:
        """True for SKOS collections (taxon paths in LOM records often start with one)."""
        return self.local_id(id_or_uri) in self._collections

    def resolve(self, id_or_uri: str) -> Concept | None:
        """A current concept for an id: itself, or where its replacements lead.

        The official replacements come first (the deprecation list, then dcterms:isReplacedBy).
        After that the catalogue's own table ``schemas/mappings/replacements.tsv`` is used, for
        example the obsolete 2008 cycles. Returns None when no current concept is reached.
        """
        local = self.local_id(id_or_uri)
        concept = self.concept(local)
        if concept is None and local in self._deprecated:
            concept = self.concept(self._deprecated[local])
        seen: set[str] = set()
        while concept is not None and concept.id not in seen and len(seen) < _MAX_HOPS:
            if concept.current:
                return concept
            seen.add(concept.id)
            nxt = concept.replaced_by or self._own_replacements.get(concept.id)
            concept = self.concept(nxt) if nxt else None
        return None

    def all_concepts(self, vocab: str | None = None) -> list[Concept]:
        return [c for c in self._concepts.values() if vocab is None or c.vocab == vocab]

    def _current(self, ids: Iterable[str]) -> list[Concept]:
        out = [self._concepts[i] for i in ids if i in self._concepts]
        return [c for c in out if c.current]

    # -- levels -----------------------------------------------------------------------------

    def levels(self) -> list[Concept]:
        """Current voc-022 concepts: the tree order first (stages, classes, cycles), then the rest."""
        ordered: list[Concept] = []
        seen: set[str] = set()

        def walk(nodes: Iterable[TreeNode]) -> None:
            for node in nodes:
                if node.concept.id not in seen:
                    seen.add(node.concept.id)
                    ordered.append(node.concept)
                walk(node.children)

        walk(self.level_tree())
        rest = [c for c in self.all_concepts(LEVEL_VOCAB) if c.current and c.id not in seen]
        return ordered + sorted(rest, key=_sort_key)

    def level_tree(self) -> list[TreeNode]:
        """Stages with their classes (skos:narrower), then the cycles with their related classes."""
        if self._tree is not None:
            return self._tree
        root = ROOT_COLLECTIONS[LEVEL_VOCAB]
        stage_rank = {cid: i for i, cid in enumerate(self._collections.get(root, {}).get("members", []))}
        stages = sorted(
            (c for c in self.all_concepts(LEVEL_VOCAB) if c.current and c.kind == "stage"),
            key=lambda c: (c.id not in stage_rank, *_sort_key(c)),
        )

        def build(concept: Concept, path: frozenset[str]) -> TreeNode:
            children = sorted(
                (c for c in self._current(concept.narrower) if c.id not in path), key=_sort_key
            )
            return TreeNode(concept, tuple(build(c, path | {c.id}) for c in children))

        tree = [build(stage, frozenset({stage.id})) for stage in stages]
        position: dict[str, int] = {}

        def number(nodes: Iterable[TreeNode]) -> None:
            for node in nodes:
                position.setdefault(node.concept.id, len(position))
                number(node.children)

        number(tree)
        cycles = sorted(
            (c for c in self.all_concepts(LEVEL_VOCAB) if c.current and c.kind == "cycle"),
            key=_sort_key,
        )
        for cycle in cycles:
            classes = [c for c in self._current(cycle.related) if c.kind == "class"]
            if classes:
                classes.sort(key=lambda c: position.get(c.id, 1 << 30))
                tree.append(TreeNode(cycle, tuple(TreeNode(c) for c in classes)))
        self._tree = tree
        return tree

    def _ancestors(self, concept: Concept) -> list[Concept]:
        """Current broader concepts, nearest first (breadth-first, no repeats)."""
        out: list[Concept] = []
        seen = {concept.id}
        queue = deque(concept.broader)
        while queue:
            cid = queue.popleft()
            if cid in seen:
                continue
            seen.add(cid)
            parent = self._concepts.get(cid)
            if parent is None:
                continue
            if parent.current:
                out.append(parent)
            queue.extend(parent.broader)
        return out

    def level_expansion(self, id_or_uri: str) -> list[str]:
        """The level, its broader stages and the cycles it (or a broader level) is related to.

        Used at indexing time so that a CM2 resource is found under "école élémentaire" and
        "cycle 3 (2016)". Stored records keep only the asserted levels.
        """
        concept = self.resolve(id_or_uri)
        if concept is None or concept.vocab != LEVEL_VOCAB:
            return []
        ancestors = self._ancestors(concept)
        if concept.kind == "cycle":
            # A cycle's broader concepts are groupings ("cycles de la scolarité obligatoire"),
            # not levels a teacher picks; a cycle belongs under the stages of its classes
            # (cycle 4 → collège; cycle 3 → élémentaire and collège).
            out = [concept.id]
            for member in self._current(concept.related):
                if member.kind != "class":
                    continue
                for stage in self._ancestors(member):
                    if stage.id not in out and stage.kind == "stage":
                        out.append(stage.id)
            return out
        out = [concept.id] + [a.id for a in ancestors]
        for node in [concept, *ancestors]:
            for other in self._current(node.related):
                if other.kind == "cycle" and other.id not in out:
                    out.append(other.id)
        return out

    def level_members(self, id_or_uri: str) -> list[str]:
        """The inverse of :meth:`level_expansion`: a stage or cycle → itself and its classes."""
        concept = self.resolve(id_or_uri)
        if concept is None or concept.vocab != LEVEL_VOCAB:
            return []
        if self._members is None:
            members: dict[str, list[str]] = {}
            for level in self.levels():
                for target in self.level_expansion(level.id):
                    members.setdefault(target, []).append(level.id)
            self._members = members
        found = self._members.get(concept.id, [])
        return [concept.id] + [m for m in found if m != concept.id]

    # -- disciplines ------------------------------------------------------------------------

    def disciplines(self) -> list[Concept]:
        """The current "(discipline)" concepts of "enseignements par disciplines" (17 in 3.2.0)."""
        members = self._collections.get(DISCIPLINE_COLLECTION, {}).get("members", [])
        found = [c for c in self._current(members) if c.kind == "discipline"]
        return sorted(found, key=lambda c: normalize_label(c.label))

    def school_discipline(self, id_or_uri: str) -> str | None:
        """The school discipline a voc-015 concept stands for: its "(discipline)" ancestor, or
        itself when it is a lycée fallback of ``discipline_synonyms.tsv`` (philosophie, SES).
        None for the other voc-015 concepts: vocational fields and options ("électricité",
        "information", "bâtiment") that a keyword may name without saying the discipline."""
        found = self.discipline_of(id_or_uri)
        if found is not None:
            return found.id
        concept = self.resolve(id_or_uri)
        if concept is not None and concept.id in self._fallback_disciplines:
            return concept.id
        return None

    def discipline_of(self, id_or_uri: str) -> Concept | None:
        """The current "(discipline)" concept above a voc-015 concept (itself if it is one).

        Follows skos:broader. The lycée concepts of 3.2.0 have no broader discipline, so for
        them ``schemas/mappings/discipline_parents.tsv`` gives it ("mathématiques (lycée 2015)"
        → "mathématiques (discipline)"). Returns None when neither gives one (philosophie).
        """
        concept = self.resolve(id_or_uri)
        if concept is None or concept.vocab != DISCIPLINE_VOCAB:
            return None
        for node in [concept, *self._ancestors(concept)]:
            if node.kind == "discipline" and node.current:
                return node
            parent = self._parents.get(node.id)
            if parent:
                target = self.resolve(parent)
                if target is not None and target.kind == "discipline":
                    return target
        return None

    # -- resource types ---------------------------------------------------------------------

    def resource_type(self, id_or_uri: str) -> Concept | None:
        """A voc-010 / voc-005 / voc-004 concept (current, following replacements)."""
        concept = self.resolve(id_or_uri)
        return concept if concept is not None and concept.vocab in RESOURCE_TYPE_VOCABS else None

    def match_resource_type(self, text: str) -> Concept | None:
        """A resource type by label (voc-010 first, then 005, then 004); None if unclear."""
        for vocab in RESOURCE_TYPE_VOCABS:
            found = self.lookup(text, vocab)
            if len(found) == 1:
                return found[0]
        return None

    # -- label matching ---------------------------------------------------------------------

    def _index(self, vocab: str) -> dict[str, list[set[str]]]:
        index = self._indexes.get(vocab)
        if index is not None:
            return index
        index = {}

        def put(label: str, tier: int, cid: str) -> None:
            key = normalize_label(label)
            if key:
                index.setdefault(key, [set() for _ in range(TIER_OLD + 1)])[tier].add(cid)

        for synonym, target in self._synonyms.get(vocab, {}).items():
            put(synonym, TIER_SYNONYM, target)
        for concept in self.all_concepts(vocab):
            if not concept.current:
                for label in (concept.label, *concept.alt_labels):
                    put(label, TIER_OLD, concept.id)
                continue
            put(concept.label, TIER_PREF, concept.id)
            for label in (concept.label, *concept.alt_labels):
                match = _QUALIFIER.match(label)
                if match:
                    put(match.group("base"), TIER_DERIVED, concept.id)
            for label in (*concept.alt_labels, *self._extra_labels.get(concept.id, ())):
                put(label, TIER_ALT, concept.id)
        self._indexes[vocab] = index
        return index

    def lookup(self, text: str, vocab: str) -> list[Concept]:
        """Current concepts of ``vocab`` whose label equals ``text`` after normalisation.

        Only the best tier that finds anything is used: teacher synonyms (data), then prefLabel,
        then prefLabel without its version qualifier, then altLabels, and last the labels of
        obsolete concepts, followed to their replacement. So a current concept always beats an
        obsolete one that shares its label. More than one result means the label is ambiguous.
        """
        tiers = self._index(vocab).get(normalize_label(text or ""))
        if not tiers:
            return []
        for ids in tiers:
            found: dict[str, Concept] = {}
            for cid in sorted(ids, key=lambda i: (_num(i), i)):
                concept = self.resolve(cid)
                if concept is not None and concept.vocab == vocab:
                    found[concept.id] = concept
            if found:
                return list(found.values())
        return []

    def match_level(self, text: str) -> Concept | None:
        """The current voc-022 concept named by ``text`` ("CM2", "6ème", "Tle", "cycle 3"…)."""
        found = self.lookup(text, LEVEL_VOCAB)
        return found[0] if len(found) == 1 else None

    def match_discipline(self, text: str) -> Concept | None:
        """The current "(discipline)" concept named by ``text`` ("maths", "SVT", "anglais"…).

        If the matched concept has no discipline (philosophie, SES…), the matched current
        voc-015 concept itself is returned. Several matches are accepted only when they all
        lead to the same discipline.
        """
        results = {
            (self.discipline_of(c.id) or c).id: (self.discipline_of(c.id) or c)
            for c in self.lookup(text, DISCIPLINE_VOCAB)
        }
        return next(iter(results.values())) if len(results) == 1 else None

    # -- data checks ------------------------------------------------------------------------

    def mapping_problems(self) -> list[str]:
        """Targets in the mapping files that are unknown or not current (tests keep this empty)."""
        problems = []
        for vocab, table in self._synonyms.items():
            for synonym, target in table.items():
                concept = self.concept(target)
                if concept is None or not concept.current or concept.vocab != vocab:
                    problems.append(f"synonym {synonym!r} → {target}")
        for source, target in self._parents.items():
            parent = self.concept(target)
            if self.concept(source) is None or parent is None or parent.kind != "discipline":
                problems.append(f"discipline parent {source} → {target}")
        for source, target in self._own_replacements.items():
            if self.concept(source) is None or self.resolve(target) is None:
                problems.append(f"replacement {source} → {target}")
        return problems


__all__ = [
    "DISCIPLINE_VOCAB",
    "LEVEL_VOCAB",
    "MAPPINGS_DIR",
    "RESOURCE_TYPE_VOCABS",
    "Concept",
    "TreeNode",
    "Vocabulary",
]
