"""Periods named in running text, as historians write them: "XIe-XVe s.", "le XVIIIe s.",
"aux XVIe et XVIIe s.", "IV-Xe siècles", "1914-1945", "de 1815 à 1870", "depuis 1945".

Used for programme labels (compiled once) and for a record's subjects and title. Whole partner
date fields ("18..", "179.", "1881-1883") go through :func:`schemas.cleaning.dates.parse_loose_date`
instead. A period is a pair of years ``(start, end)``, negative before the common era.
"""

from __future__ import annotations

import re
import unicodedata

from .text import _COMBINING, roman_to_int

NOW = 2025  # the end of open periods ("depuis 1945", "1945-")
_NUMBER = r"(?:[ivxl]+|\d{1,2})"
_SUFFIX = r"(?:e|er|eme|ieme)"
_CENTURY_WORD = r"(?:s\.|siecles?\b)"
# On accent-folded lower-case text, punctuation kept: "xie-xve s.", "iv-xe siecles",
# "xvie et xviie s.", "du xie au xve siecle", "ve s. av. j.-c.".
_CENTURY_RANGE = re.compile(
    rf"\b({_NUMBER})(?:{_SUFFIX}?\s*[-–]|{_SUFFIX}\s+(?:et|au|a))\s*({_NUMBER}){_SUFFIX}\s*{_CENTURY_WORD}"
    r"(\s*av\b)?"
)
_CENTURY = re.compile(rf"\b({_NUMBER}){_SUFFIX}\s*{_CENTURY_WORD}(\s*av\b)?")
_WORD_CENTURY = re.compile(r"\b([a-z][a-z -]*?)i?eme\s+siecle\b")
_WORDS = {
    "premier": 1, "deux": 2, "trois": 3, "quatr": 4, "cinqu": 5, "six": 6, "sept": 7, "huit": 8,
    "neuv": 9, "dix": 10, "onz": 11, "douz": 12, "treiz": 13, "quatorz": 14, "quinz": 15,
    "seiz": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "vingt et un": 21,
}
_YEAR = r"(1\d{3}|20\d{2}|[1-9]\d{2})"
_YEAR_RANGE = re.compile(
    rf"(?<![\d/.])(?:de\s+|des\s+annees\s+)?{_YEAR}\s*(?:-|–|\sa\s|\saux\s+annees\s)\s*{_YEAR}(?![\d/])"
)
_OPEN = re.compile(rf"\b(?:depuis|apres)\s+{_YEAR}\b|(?<![\d/])\b{_YEAR}\s*-(?=\s*(?:$|[)\],;:]|\s))")
_DECADES = re.compile(rf"\bannees\s+{_YEAR}\b")
_SINGLE_YEAR = re.compile(r"(?<![\d/.-])(1\d{3}|20[0-2]\d)(?![\d/-])")


def _light(text: str) -> str:
    """Lower case without accents, punctuation kept (the dots and dashes carry meaning here)."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def roman(text: str) -> int | None:
    """A Roman numeral's value ("xviii" → 18), or the number itself for digits."""
    return int(text) if text.isdigit() else roman_to_int(text)


def century(n: int, before_era: bool = False) -> tuple[int, int]:
    """The years of the n-th century (the 18th is 1701–1800; the 5th BC is -500 to -401)."""
    if before_era:
        return -n * 100, -(n - 1) * 100 - 1
    return (n - 1) * 100 + 1, n * 100


def _valid(start: int, end: int) -> bool:
    return -5000 <= start <= end <= NOW


def find_periods(text: str, single_years: bool = False) -> list[tuple[int, int]]:
    """Every period named in ``text``, in order of appearance, without repeats.

    Lone years ("l'année 1789") count only with ``single_years``: in a label they name the
    subject, in a record's description they are as often a publication date.
    """
    folded = _light(text[:2000])
    found: list[tuple[int, int, int]] = []  # (position, start, end)
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], start: int, end: int) -> None:
        if _valid(start, end) and not any(a <= match.start() < b for a, b in taken):
            found.append((match.start(), start, end))
            taken.append((match.start(), match.end()))

    for m in _CENTURY_RANGE.finditer(folded):
        first, last = roman(m[1]), roman(m[2])
        if first and last and 0 < first <= last <= 21:
            bc = bool(m[3])
            add(m, century(first, bc)[0] if not bc else century(last, bc)[0],
                century(last, bc)[1] if not bc else century(first, bc)[1])
    for m in _CENTURY.finditer(folded):
        n = roman(m[1])
        if n and 0 < n <= 21:
            add(m, *century(n, bool(m[2])))
    for m in _WORD_CENTURY.finditer(folded):
        n = _WORDS.get(m[1].strip().rsplit(" ", 2)[-1]) or _WORDS.get(m[1].strip())
        if n:
            add(m, *century(n))
    for m in _YEAR_RANGE.finditer(folded):
        start, end = int(m[1]), int(m[2])
        if end >= start and end - start < 1000:
            add(m, start, end)
    for m in _OPEN.finditer(folded):
        add(m, int(m[1] or m[2]), NOW)
    for m in _DECADES.finditer(folded):
        year = int(m[1])
        add(m, year, year + 9)
    if single_years:
        for m in _SINGLE_YEAR.finditer(folded):
            add(m, int(m[1]), int(m[1]))
    out: list[tuple[int, int]] = []
    for _, start, end in sorted(found):
        if (start, end) not in out:
            out.append((start, end))
    return out


def span(periods: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The smallest interval holding every period, or None."""
    if not periods:
        return None
    return min(p[0] for p in periods), max(p[1] for p in periods)


__all__ = ["NOW", "century", "find_periods", "roman", "span"]
