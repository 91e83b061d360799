"""Facet groups of the search page, arranged for reading: level as a tree, disciplines nested.

The index returns flat counts per value (levels already expanded along the hierarchy, so a
stage counts every resource of its classes). This module only decides what to show and in
which order: the level tree of the vocabulary (stages → classes, then the cycles), the 17
disciplines with finer programme topics under the selected one, and for the other groups the
most frequent values with the rest behind a "voir plus" disclosure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from web.ui.french import FACET_LABELS, short_label
from web.ui.state import FACETS, SearchState

VISIBLE = 8  # values shown before "voir plus"


@dataclass
class Option:
    facet: str
    id: str
    label: str
    count: int
    selected: bool
    input_id: str
    children: list[Option] = field(default_factory=list)
    hint: str = ""


@dataclass
class Group:
    name: str
    label: str
    options: list[Option]
    more: list[Option] = field(default_factory=list)
    cycles: list[Option] = field(default_factory=list)
    others: list[Option] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.options or self.more or self.cycles or self.others)

    @property
    def more_open(self) -> bool:
        return any(o.selected for o in self.more)

    @property
    def more_id(self) -> str:
        return f"plus-{self.name}"


_NON_ID = re.compile(r"[^a-z0-9]+")


def input_id(facet: str, value: str) -> str:
    """A stable, unique HTML id per (facet, value): the JS restores focus with it after a swap."""
    slug = _NON_ID.sub("-", value.lower()).strip("-")[-40:]
    digest = hashlib.sha1(f"{facet}\x00{value}".encode(), usedforsecurity=False).hexdigest()[:6]
    return f"f-{facet}-{slug}-{digest}"


def _option(facet: str, value: Any, selected: Sequence[str]) -> Option:
    return Option(
        facet=facet,
        id=str(value.id),
        label=short_label(str(value.label)) if facet in ("level", "discipline") else str(value.label),
        count=int(value.count),
        selected=bool(value.selected) or value.id in selected,
        input_id=input_id(facet, str(value.id)),
    )


def _flat(facet: str, values: Iterable[Any], selected: Sequence[str]) -> Group:
    options = [_option(facet, v, selected) for v in values]
    return Group(facet, FACET_LABELS[facet], options[:VISIBLE], options[VISIBLE:])


def _level_group(values: Iterable[Any], selected: Sequence[str], vocab: Any) -> Group:
    by_id = {str(v.id): _option("level", v, selected) for v in values}
    placed: set[str] = set()

    def visible(option: Option) -> bool:
        return option.count > 0 or option.selected

    def build(node: Any, depth: int) -> Option | None:
        cid = str(node.concept.id)
        option = by_id.get(cid)
        children = [c for c in (build(child, depth + 1) for child in node.children) if c is not None]
        if option is None or not (visible(option) or children):
            return None
        placed.add(cid)
        # Below the classes, finer levels (1re S, terminale STMG…) show once their parent is
        # chosen, so the list stays short.
        if depth >= 1 and not (option.selected or any(_any_selected(c) for c in children)):
            children = [c for c in children if c.selected]
        option.children = children
        return option

    tree = list(vocab.level_tree()) if vocab is not None else []
    stages = [n for n in tree if getattr(n.concept, "kind", "") != "cycle"]
    cycles = [n for n in tree if getattr(n.concept, "kind", "") == "cycle"]
    options = [o for o in (build(n, 0) for n in stages) if o is not None]
    cycle_options: list[Option] = []
    for node in cycles:
        cid = str(node.concept.id)
        option = by_id.get(cid)
        if option is None or not visible(option) or cid in placed:
            continue
        placed.add(cid)
        option.hint = ", ".join(short_label(c.concept.label) for c in node.children)
        cycle_options.append(option)
    others = [o for cid, o in by_id.items() if cid not in placed and visible(o)]
    return Group("level", FACET_LABELS["level"], options, cycles=cycle_options, others=others)


def _any_selected(option: Option) -> bool:
    return option.selected or any(_any_selected(c) for c in option.children)


def _discipline_group(values: Iterable[Any], selected: Sequence[str], vocab: Any) -> Group:
    options = [_option("discipline", v, selected) for v in values]
    if vocab is None:
        return Group("discipline", FACET_LABELS["discipline"], options[:VISIBLE], options[VISIBLE:])
    main_ids = {str(c.id) for c in vocab.disciplines()}
    top: list[Option] = []
    children: dict[str, list[Option]] = {}
    for option in options:
        parent = None if option.id in main_ids else vocab.discipline_of(option.id)
        if parent is None or str(parent.id) == option.id:
            top.append(option)
        else:
            children.setdefault(str(parent.id), []).append(option)
    orphans: list[Option] = []
    for parent_id, kids in children.items():
        parent_option = next((o for o in top if o.id == parent_id), None)
        if parent_option is None:
            orphans.extend(kids)
            continue
        # Programme topics ("histoire (CM2)") appear under their discipline once it is chosen.
        if parent_option.selected or any(k.selected for k in kids):
            parent_option.children = [k for k in kids if k.count > 0 or k.selected]
    top_visible = [o for o in top if o.count > 0 or o.selected]
    shown = top_visible[:VISIBLE + 4]  # the 17 disciplines: show most of them at once
    more = top_visible[VISIBLE + 4:] + [o for o in orphans if o.selected]
    return Group("discipline", FACET_LABELS["discipline"], shown, more)


def facet_groups(facets: dict[str, list[Any]], state: SearchState, vocab: Any) -> list[Group]:
    groups = []
    for facet in FACETS:
        values = facets.get(facet) or []
        selected = state.selected(facet)
        if facet == "level":
            group = _level_group(values, selected, vocab)
        elif facet == "discipline":
            group = _discipline_group(values, selected, vocab)
        else:
            group = _flat(facet, [v for v in values if v.count > 0 or v.selected or v.id in selected],
                          selected)
        groups.append(group)
    return groups


def facet_labels(facets: dict[str, list[Any]]) -> dict[tuple[str, str], str]:
    """(facet, id) -> label, for naming the active filters."""
    return {
        (facet, str(v.id)): short_label(str(v.label)) if facet in ("level", "discipline") else str(v.label)
        for facet, values in facets.items()
        for v in values
    }
