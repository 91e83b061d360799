"""Curation operations as the editorial team writes them (a CSV file or command-line values),
turned into concept ids of the vocabulary. No store access: the CLI applies them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, NamedTuple

from schemas.vocabularies.model import DISCIPLINE_VOCAB, LEVEL_VOCAB

FIELDS = {"level": LEVEL_VOCAB, "discipline": DISCIPLINE_VOCAB}
ACTIONS = ("add", "remove")


class CurationError(ValueError):
    """A value that is not a level or discipline of the vocabulary, or a malformed CSV row."""


class Operation(NamedTuple):
    record_id: str
    field: str  # level | discipline
    action: str  # add | remove
    concept: str  # concept id


def concept_id(vocab: Any, field_name: str, value: str) -> str:
    """The concept id of a level or discipline given by label, synonym or id."""
    found = vocab.resolve(value) or (
        vocab.match_level(value) if field_name == "level" else vocab.match_discipline(value))
    if found is None or found.vocab != FIELDS[field_name]:
        raise CurationError(f"{value!r} is not a known {field_name}")
    return str(found.id)


def field_of(vocab: Any, value: str) -> str:
    """Whether a value to remove is a level or a discipline."""
    found = vocab.resolve(value)
    if found is not None:
        return "level" if found.vocab == LEVEL_VOCAB else "discipline"
    return "level" if vocab.match_level(value) else "discipline"


def read_csv(path: Path, vocab: Any) -> list[Operation]:
    """Rows ``record_id, field, action, value``; an error names the file and line."""
    operations: list[Operation] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                missing = [k for k in ("record_id", "field", "action", "value") if not row.get(k)]
                if missing:
                    raise CurationError(f"missing {', '.join(missing)}")
                field_name, action = row["field"].strip(), row["action"].strip()
                if field_name not in FIELDS or action not in ACTIONS:
                    raise CurationError("field must be level|discipline and action add|remove")
                operations.append(Operation(row["record_id"].strip(), field_name, action,
                                            concept_id(vocab, field_name, row["value"].strip())))
            except CurationError as exc:
                raise CurationError(f"{path}:{line_no}: {exc}") from exc
    return operations


def from_values(vocab: Any, record_id: str, levels: tuple[str, ...],
                disciplines: tuple[str, ...], removals: tuple[str, ...]) -> list[Operation]:
    """The operations of ``curate RECORD --level … --discipline … --remove …``."""
    operations = [Operation(record_id, "level", "add", concept_id(vocab, "level", v))
                  for v in levels]
    operations += [Operation(record_id, "discipline", "add", concept_id(vocab, "discipline", v))
                   for v in disciplines]
    for value in removals:
        field_name = field_of(vocab, value)
        operations.append(Operation(record_id, field_name, "remove",
                                    concept_id(vocab, field_name, value)))
    return operations
