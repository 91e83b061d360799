"""Dates in queries and records: years, ranges, centuries and named periods as year intervals.

A record is indexed with one interval of years (what it is about when the partner says so,
else when it was made, else when it was published) and with the centuries that interval
covers (the period facet). A query word that names a date (``1789``, ``1914-1918``,
``XIXe siècle``, ``Moyen Âge``) matches records whose interval overlaps it, as well as the text.
Named periods are data: ``schemas/mappings/periods.tsv`` (``label start end note``, aliases
separated by ``|``), shared with the alignment layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from schemas.vocabularies.text import read_table, roman_to_int
from search.text import fold_key

PERIODS_TSV = Path(__file__).resolve().parent.parent / "schemas" / "mappings" / "periods.tsv"
# A year typed alone is taken as a date when it lies in this range (a 4-digit number).
MIN_YEAR, MAX_YEAR = 1000, 2100
# Intervals longer than this are not split into centuries for the period facet (a record
# "from -3000 to 2020" would otherwise count in every century).
MAX_FACET_CENTURIES = 6
_ORDINAL = re.compile(r"^(?:(?P<arabic>\d{1,2})|(?P<roman>[ivxlc]{1,6}))(?:e|eme|er|ere|s)$")
_CENTURY_WORDS = frozenset({"siecle", "siecles", "s"})
_DATE = re.compile(r"^(-?)(\d{1,4})")


@dataclass(frozen=True)
class Period:
    """A named period: every alias (folded key → as written) and its years."""

    labels: tuple[str, ...]
    start: int
    end: int


def to_roman(n: int) -> str:
    out = []
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def century_ordinal(token: str) -> int | None:
    """19 for "XIXe", "xix", "19e", "19ème" (folded), else None."""
    m = _ORDINAL.match(fold_key(token))
    if not m:
        return None
    n = int(m["arabic"]) if m["arabic"] else roman_to_int(m["roman"])
    return n if n and 1 <= n <= 21 else None


def century_years(n: int) -> tuple[int, int]:
    """The XIXe siècle as catalogues write it: 1800–1899 ("18.." is the 19th century)."""
    return (n - 1) * 100, (n - 1) * 100 + 99


def century_label(n: int) -> str:
    if n <= 0:
        before = 1 - n
        return f"{to_roman(before)}{'er' if before == 1 else 'e'} siècle av. J.-C."
    return f"{to_roman(n)}{'er' if n == 1 else 'e'} siècle"


def year_of(token: str) -> int | None:
    return int(token) if token.isdigit() and len(token) == 4 and MIN_YEAR <= int(token) <= MAX_YEAR \
        else None


def parse_periods(rows: Iterable[dict[str, str]]) -> list[Period]:
    """Rows of periods.tsv; bad rows are skipped (the table is reviewed, not trusted blindly)."""
    out = []
    for row in rows:
        try:
            start, end = int(row["start"]), int(row["end"])
        except (KeyError, ValueError):
            continue
        labels = tuple(label.strip() for label in row.get("label", "").split("|") if label.strip())
        if labels and start <= end:
            out.append(Period(labels, start, end))
    return out


@cache
def load_periods(path: Path = PERIODS_TSV) -> tuple[Period, ...]:
    """The shared named periods; none when the table is absent (dates and centuries still work)."""
    if not path.exists():
        return ()
    return tuple(parse_periods(read_table(path)))


def _year(value: str | None) -> int | None:
    m = _DATE.match((value or "").strip())
    if not m:
        return None
    return int(m.group(2)) * (-1 if m.group(1) else 1)


def record_interval(record: dict[str, Any]) -> tuple[int, int] | None:
    """(start year, end year) of what the record is about or when it was made; None if unknown."""
    coverage = (record.get("coverage") or {}).get("temporal") or {}
    dates = record.get("dates") or {}
    for interval in (coverage, dates.get("created") or {}, dates.get("issued") or {}):
        start, end = _year(interval.get("start")), _year(interval.get("end"))
        if start is None and end is None:
            continue
        start = start if start is not None else end
        end = end if end is not None else start
        assert start is not None and end is not None
        return (start, end) if start <= end else (end, start)
    return None


def century_of(year: int) -> int:
    """1789 → 18, 1800 → 19 (the "18.." convention), -50 → 0 (Ier siècle av. J.-C.)."""
    return year // 100 + 1


def centuries(interval: tuple[int, int] | None) -> list[str]:
    """Period facet values of an interval: century numbers as strings ("19", "0" for -99..-1)."""
    if interval is None:
        return []
    first, last = century_of(interval[0]), century_of(interval[1])
    if last - first + 1 > MAX_FACET_CENTURIES:
        return []
    return [str(n) for n in range(first, last + 1)]


def period_label(value: str) -> str:
    """Facet label of a century value ("19" → "XIXe siècle")."""
    try:
        return century_label(int(value))
    except ValueError:
        return value


def display_date(record: dict[str, Any]) -> str | None:
    """The date a result card shows: "1790", "vers 1880", "XVIIe siècle" for "16..", "1881-1883"."""
    dates = record.get("dates") or {}
    interval = dates.get("created") or dates.get("issued") or {}
    start, end = _year(interval.get("start")), _year(interval.get("end"))
    if start is None:
        return None
    text = str(interval.get("text") or "")
    if end is None or end == start:
        approximate = re.search(r"\b(?:vers|ca\.?|circa|env\.?)\b|\?|\[", text, re.IGNORECASE)
        return f"vers {start}" if approximate else str(start)
    if start % 100 == 0 and end == start + 99:
        return century_label(century_of(start))
    if start % 10 == 0 and end == start + 9:
        return f"années {start}"
    return f"{start}–{end}"
