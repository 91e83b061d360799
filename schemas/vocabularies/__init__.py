"""ScoLOMFR 3.2.0 vocabularies: levels (voc-022), disciplines (voc-015), resource types and more.

Typical use::

    from schemas.vocabularies import load_vocabulary
    vocab = load_vocabulary()
    vocab.match_level("6ème").label          # "6e"
    vocab.match_discipline("SVT").label      # "sciences de la vie et de la Terre (discipline)"
    vocab.level_expansion("scolomfr-voc-022-num-015")  # CM2 + école élémentaire + cycle 3 (2016)

The SKOS files in ``skos/`` are parsed once with rdflib and compiled to a JSON cache in
``$CATALOGUE_CACHE_DIR`` (else ``$CATALOGUE_DATA_DIR/cache``, else ``./var/cache``), keyed by
a hash of the files. Later starts read the JSON only.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TextIO

from .compile import SKOS_DIR, default_cache_dir, load_compiled
from .model import (
    DISCIPLINE_VOCAB,
    LEVEL_VOCAB,
    MAPPINGS_DIR,
    RESOURCE_TYPE_VOCABS,
    Concept,
    TreeNode,
    Vocabulary,
)
from .text import normalize_label


def build_vocabulary(
    skos_dir: Path | None = None,
    cache_dir: Path | None = None,
    mappings_dir: Path | None = None,
) -> Vocabulary:
    """Build a fresh :class:`Vocabulary` (uncached in memory). Tests inject their own dirs."""
    data = load_compiled(skos_dir or SKOS_DIR, cache_dir or default_cache_dir())
    return Vocabulary(data, mappings_dir or MAPPINGS_DIR)


@functools.cache
def load_vocabulary() -> Vocabulary:
    """The process-wide vocabulary (shipped SKOS files, default cache dir)."""
    return build_vocabulary()


def format_trees(vocab: Vocabulary) -> str:
    """The level tree and the disciplines as indented text, with ids (``catalogue vocabularies``)."""
    lines = ["Levels (scolomfr-voc-022, current concepts)"]

    def walk(nodes: tuple[TreeNode, ...] | list[TreeNode], depth: int) -> None:
        for node in nodes:
            lines.append(f"{'  ' * depth}- {node.concept.label}  [{node.concept.id}]")
            walk(node.children, depth + 1)

    stages = [n for n in vocab.level_tree() if n.concept.kind != "cycle"]
    cycles = [n for n in vocab.level_tree() if n.concept.kind == "cycle"]
    walk(stages, 1)
    lines.append("")
    lines.append("Cycles (scolomfr-voc-022, related classes)")
    walk(cycles, 1)
    disciplines = vocab.disciplines()
    lines.append("")
    lines.append(f"Disciplines (scolomfr-voc-015, {len(disciplines)} current)")
    lines.extend(f"  - {c.label}  [{c.id}]" for c in disciplines)
    return "\n".join(lines) + "\n"


def print_trees(vocab: Vocabulary, out: TextIO) -> None:
    """Write :func:`format_trees` to ``out``."""
    out.write(format_trees(vocab))


__all__ = [
    "DISCIPLINE_VOCAB",
    "LEVEL_VOCAB",
    "MAPPINGS_DIR",
    "RESOURCE_TYPE_VOCABS",
    "SKOS_DIR",
    "Concept",
    "TreeNode",
    "Vocabulary",
    "build_vocabulary",
    "format_trees",
    "load_vocabulary",
    "normalize_label",
    "print_trees",
]
