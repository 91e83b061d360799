"""Label normalisation and the small TSV format of ``schemas/mappings/``.

Matching is on whole labels: both sides go through :func:`normalize_label`, so "6ème", "6e" and
"6ᵉ" meet, and so do "Physique-Chimie" and "physique chimie". Nothing here does substring or
fuzzy matching. Keeping it strict is what stops "Histoire de France" from becoming a discipline.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# "6e", "6eme", "6ieme", "1er", "1ere", "1re", "2nd", "2nde", "2de", "2d" all become "<n>e".
_ORDINAL = re.compile(r"^(\d+)(?:e|eme|ieme|em|er|ere|re|nd|nde|de|d)$")
_TOKEN = re.compile(r"[a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
MAX_LABEL = 500


# Combining marks left by NFKD (Latin, Greek and Cyrillic diacritics and their supplements).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


_ORDINALS = re.compile(r"\b(\d+)(?:e|eme|ieme|em|er|ere|re|nd|nde|de|d)\b")
_NON_TOKEN = re.compile(r"[^a-z0-9]+")
_DIGIT = re.compile(r"\d")
_LIGATURE_PAIRS = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss"))


def fold_text(text: str) -> str:
    """:func:`normalize_label` without the length cut or the memo: for running text.

    Written for speed (descriptions are long): the Unicode steps run only on non-ASCII text and
    the ordinal rewrite only on text with digits; the result is the same as the label form.
    """
    if not text.isascii():
        for ligature, plain in _LIGATURE_PAIRS:
            if ligature in text:
                text = text.replace(ligature, plain)
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    plain = _NON_TOKEN.sub(" ", text.lower())
    if _DIGIT.search(plain):
        plain = _ORDINALS.sub(r"\1e", plain)
    return plain.strip()


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, and one spelling per ordinal.

    ``"Sixième"`` → ``"sixieme"``, ``"1ère"`` → ``"1e"``, ``"2nde"`` → ``"2e"``,
    ``"Histoire-Géo"`` → ``"histoire geo"``. Text longer than :data:`MAX_LABEL` is cut first,
    because a label is never that long and hostile input can be.
    """
    folded = unicodedata.normalize("NFKD", text[:MAX_LABEL].translate(_LIGATURES))
    plain = _COMBINING.sub("", folded).lower()
    return " ".join(_ORDINAL.sub(r"\1e", token) for token in _TOKEN.findall(plain))


def read_table(path: Path) -> list[dict[str, str]]:
    """Read a mapping TSV: '#' comment lines, a header row, then tab-separated rows.

    Blank cells become ''. A row with the wrong number of cells raises, because a silently
    shifted column would map a term to the wrong concept.
    """
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if header is None:
            header = cells
            continue
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        if len(cells) > len(header):
            raise ValueError(f"{path.name}:{number}: {len(cells)} cells, header has {len(header)}")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


__all__ = ["MAX_LABEL", "fold_text", "normalize_label", "read_table"]


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_to_int(text: str) -> int | None:
    """A Roman numeral's value ("XVIII" → 18, any case), or None: one reader for the dates of
    records, the periods of programme labels and the centuries of search queries."""
    total, previous = 0, 0
    for ch in reversed(text.lower()):
        value = _ROMAN.get(ch)
        if value is None:
            return None
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None
