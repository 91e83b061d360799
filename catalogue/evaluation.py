"""Levels and disciplines measured against a labelled file: coverage and precision.

Curators, partners and developers label a few hundred records by hand (record id or original
identifier, acceptable levels, acceptable disciplines, optionally a kind) and run
``catalogue quality --evaluate LABELS.tsv`` to see how often the catalogue gives a value and how
often that value is right, per field, per origin (provenance) and per kind of record.

Correctness follows issue 14:

- disciplines: a record is right when one of its disciplines, or the "(discipline)" concept
  above it, is acceptable; ``value_precision`` also counts the share of right values;
- levels: a record is right when its levels hit an acceptable concept and add at most
  :data:`MAX_EXTRA_LEVELS` others. The labels list the classes with their cycle, so 5e + cycle 4
  is right for a 5e resource, and "collège" (never acceptable) is one of the two extras allowed.

Coverage is the share of labelled records (found in the store) with at least one value,
precision the share of right ones among those covered. Per origin, only the values of that
origin are looked at, so the figures say what each layer of the alignment is worth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.store import Store
from schemas.record import PROVENANCES
from schemas.vocabularies import Vocabulary
from schemas.vocabularies.text import read_table

FIELDS = ("levels", "disciplines")
MAX_EXTRA_LEVELS = 2
VOCAB_OF = {"levels": "022", "disciplines": "015"}
_RECORD_COLUMNS = ("record", "record_id", "id", "identifier")
_SPLIT = re.compile(r"[\s,;|]+")


class LabelError(ValueError):
    """The labelled file cannot be used; the message names the line and the problem."""


@dataclass(frozen=True)
class Label:
    record: str
    acceptable: dict[str, frozenset[str]]  # field → ids; a field missing here is not labelled
    kind: str | None = None
    reason: str = ""


def read_labels(path: Path, vocab: Vocabulary) -> list[Label]:
    """Read a labelled TSV (``#`` comments, then a header row: ``record``, ``levels``,
    ``disciplines``, optional ``kind`` and ``reason``). Ids may be URIs; every id must be a
    concept of the right vocabulary, so a typo fails loudly instead of lowering the figures."""
    try:
        rows = read_table(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LabelError(f"{path}: {exc}") from None
    if not rows:
        raise LabelError(f"{path}: no labelled records")
    header = set(rows[0])
    column = next((c for c in _RECORD_COLUMNS if c in header), None)
    if column is None or not header & set(FIELDS):
        raise LabelError(f"{path}: the header needs a record column ({', '.join(_RECORD_COLUMNS)}) "
                         f"and at least one of {', '.join(FIELDS)}")
    labels: list[Label] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        record = row[column].strip()
        if not record:
            raise LabelError(f"{path}: labelled record {number} has no {column}")
        if record in seen:
            raise LabelError(f"{path}: {record} is labelled twice")
        seen.add(record)
        acceptable: dict[str, frozenset[str]] = {}
        for name in FIELDS:
            ids = [i for i in _SPLIT.split(row.get(name, "")) if i]
            for raw in ids:
                concept = vocab.concept(raw)
                if concept is None or concept.vocab != VOCAB_OF[name]:
                    raise LabelError(f"{path}: {record}: {raw!r} is not a voc-{VOCAB_OF[name]} "
                                     f"concept ({name})")
            if ids:
                acceptable[name] = frozenset(vocab.local_id(i) for i in ids)
        labels.append(Label(record, acceptable, row.get("kind") or None, row.get("reason", "")))
    return labels


def _level_right(values: set[str], acceptable: frozenset[str]) -> bool:
    return bool(values & acceptable) and len(values - acceptable) <= MAX_EXTRA_LEVELS


def _discipline_hits(values: Iterable[str], acceptable: frozenset[str], vocab: Vocabulary) -> list[bool]:
    hits = []
    for cid in values:
        parent = vocab.discipline_of(cid)
        hits.append(cid in acceptable or (parent is not None and parent.id in acceptable))
    return hits


@dataclass
class _Tally:
    labelled: int = 0
    covered: int = 0
    right: int = 0
    values: int = 0
    right_values: int = 0

    def figures(self, field_name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "labelled": self.labelled, "covered": self.covered, "right": self.right,
            "coverage": round(self.covered / self.labelled, 4) if self.labelled else None,
            "precision": round(self.right / self.covered, 4) if self.covered else None,
            "mean_values": round(self.values / self.covered, 2) if self.covered else None,
        }
        if field_name == "disciplines":
            out["value_precision"] = (round(self.right_values / self.values, 4)
                                      if self.values else None)
        return out


@dataclass
class _Group:
    """Tallies of one group of labelled records (all of them, or one kind)."""

    records: int = 0
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=dict)

    def tally(self, field_name: str, origin: str) -> _Tally:
        return self.tallies.setdefault((field_name, origin), _Tally())

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {"records": self.records, "fields": {}}
        for name in FIELDS:
            overall = self.tally(name, "all").figures(name)
            overall["origins"] = {o: self.tally(name, o).figures(name) for o in PROVENANCES}
            out["fields"][name] = overall
        return out


def _judge(name: str, values: list[dict[str, Any]], acceptable: frozenset[str],
           vocab: Vocabulary) -> tuple[bool, list[bool]]:
    ids = [str(v.get("id")) for v in values]
    if name == "levels":
        right = _level_right(set(ids), acceptable)
        return right, [i in acceptable for i in ids]
    hits = _discipline_hits(ids, acceptable, vocab)
    return any(hits), hits


def _find(store: Store, labels: list[Label], source_id: str | None) -> dict[str, Any]:
    """Stored record data for each label, by record id first, then by original identifier."""
    wanted = {label.record for label in labels}
    by_id: dict[str, Any] = {}
    by_identifier: dict[str, Any] = {}
    for stored in store.iter_records(source_id=source_id):
        if stored.id in wanted:
            by_id[stored.id] = stored.data
        if stored.identifier in wanted:
            by_identifier.setdefault(stored.identifier, stored.data)
    return {r: by_id.get(r, by_identifier.get(r)) for r in wanted if r in by_id or r in by_identifier}


def evaluate(store: Store, labels: list[Label], vocab: Vocabulary,
             source_id: str | None = None) -> dict[str, Any]:
    """Coverage and precision of levels and disciplines over ``labels`` (see the module doc)."""
    found = _find(store, labels, source_id)
    total = _Group()
    kinds: dict[str, _Group] = {}
    errors: list[dict[str, Any]] = []
    missing: list[str] = []
    for label in labels:
        data = found.get(label.record)
        if data is None:
            missing.append(label.record)
            continue
        groups = [total] + ([kinds.setdefault(label.kind, _Group())] if label.kind else [])
        for group in groups:
            group.records += 1
        for name, acceptable in label.acceptable.items():
            values = [v for v in data.get(name) or [] if isinstance(v, dict)]
            subsets = {"all": values}
            for origin in PROVENANCES:
                subsets[origin] = [v for v in values if v.get("provenance") == origin]
            for origin, subset in subsets.items():
                right, hits = _judge(name, subset, acceptable, vocab) if subset else (False, [])
                for group in groups:
                    tally = group.tally(name, origin)
                    tally.labelled += 1
                    if subset:
                        tally.covered += 1
                        tally.right += right
                        tally.values += len(subset)
                        tally.right_values += sum(hits)
                if origin == "all" and subset and not right:
                    errors.append({
                        "record": label.record, "kind": label.kind, "field": name,
                        "values": [{"id": v.get("id"), "label": v.get("label"),
                                    "provenance": v.get("provenance"), "basis": v.get("basis")}
                                   for v in subset],
                        "acceptable": sorted(acceptable), "reason": label.reason,
                    })
    result = total.figures()
    return {
        "labels": len(labels), "matched": total.records, "missing": missing,
        "fields": result["fields"],
        "kinds": {k: g.figures() for k, g in sorted(kinds.items())},
        "errors": errors,
    }


def format_report(result: dict[str, Any], show_errors: bool = False) -> str:
    """The evaluation as a plain-text table, for the terminal."""
    lines = [f"{result['matched']} of {result['labels']} labelled records found in the store"]
    if result["missing"]:
        shown = ", ".join(result["missing"][:5])
        more = f" … (+{len(result['missing']) - 5})" if len(result["missing"]) > 5 else ""
        lines.append(f"not found: {shown}{more}")
    groups = [("all records", {"records": result["matched"], "fields": result["fields"]})]
    groups += [(f"kind {k}", g) for k, g in result["kinds"].items()]
    for title, group in groups:
        lines.append("")
        lines.append(f"{title} ({group['records']} records)")
        lines.append(f"  {'field':12} {'origin':9} {'labelled':>8} {'coverage':>9} "
                     f"{'precision':>9} {'values/rec':>10}")
        for name in FIELDS:
            fig = group["fields"][name]
            rows = [("all", fig)] + [(o, f) for o, f in fig["origins"].items() if f["covered"]]
            for origin, f in rows:
                lines.append(f"  {name:12} {origin:9} {f['labelled']:>8} {_pct(f['coverage']):>9} "
                             f"{_pct(f['precision']):>9} {_num(f['mean_values']):>10}")
    if show_errors and result["errors"]:
        lines.append("")
        lines.append("Wrong values:")
        for err in result["errors"]:
            got = ", ".join(f"{v['label']} [{v['provenance']}]" for v in err["values"])
            lines.append(f"  {err['field']:11} {err['record']}: {got}")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


__all__ = ["FIELDS", "Label", "LabelError", "evaluate", "format_report", "read_labels"]
