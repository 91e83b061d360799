"""The data tables of the content layer (``schemas/mappings/``, formats in its README).

A missing table is an empty one: the layer then relies on the programme index alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas.vocabularies.text import read_table

LEXICON = "discipline_lexicon.tsv"
CUES = "level_cues.tsv"
PERIODS = "periods.tsv"
WITNESS = "witness.tsv"
GIVEN_NAMES = "given_names.tsv"


@dataclass(frozen=True)
class LexiconTerm:
    term: str
    concept: str
    weight: float
    levels: tuple[str, ...]


@dataclass(frozen=True)
class LevelCue:
    pattern: str
    concepts: tuple[str, ...]


@dataclass(frozen=True)
class NamedPeriod:
    label: str  # the first alias, for the basis
    aliases: tuple[str, ...]
    start: int
    end: int


def _rows(path: Path) -> list[dict[str, str]]:
    return read_table(path) if path.is_file() else []


def _weight(text: str) -> float:
    try:
        return min(1.0, max(0.0, float(text)))
    except ValueError:
        return 0.0


def read_lexicon(mappings_dir: Path) -> list[LexiconTerm]:
    return [
        LexiconTerm(row["term"], row["concept"], _weight(row.get("weight", "")),
                    tuple(row.get("levels", "").replace(",", " ").split()))
        for row in _rows(mappings_dir / LEXICON)
        if row.get("term") and row.get("concept")
    ]


def read_cues(mappings_dir: Path) -> list[LevelCue]:
    return [
        LevelCue(row["pattern"], tuple(row["concepts"].replace(",", " ").split()))
        for row in _rows(mappings_dir / CUES)
        if row.get("pattern") and row.get("concepts")
    ]


def read_periods(mappings_dir: Path) -> list[NamedPeriod]:
    out: list[NamedPeriod] = []
    for row in _rows(mappings_dir / PERIODS):
        aliases = tuple(a.strip() for a in row.get("label", "").split("|") if a.strip())
        try:
            start, end = int(row["start"]), int(row["end"])
        except (KeyError, ValueError):
            continue
        if aliases and start <= end:
            out.append(NamedPeriod(aliases[0], aliases, start, end))
    return out


def read_witness(mappings_dir: Path) -> list[str]:
    """Phrases saying a document records its own day (``witness.tsv``)."""
    return [row["phrase"] for row in _rows(mappings_dir / WITNESS) if row.get("phrase")]


def read_given_names(mappings_dir: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(name, titles) of the historical names that are also first names (``given_names.tsv``)."""
    return [
        (row["name"], tuple(t.strip() for t in row.get("titles", "").split("|") if t.strip()))
        for row in _rows(mappings_dir / GIVEN_NAMES) if row.get("name")
    ]


__all__ = [
    "LevelCue", "LexiconTerm", "NamedPeriod", "read_cues", "read_lexicon", "read_periods",
    "read_given_names", "read_witness",
]
