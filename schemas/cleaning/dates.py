"""Loose partner dates ("18..", "179.", "1881-1883", "15/07/1879", "vers 1850") as intervals.

Library catalogues write uncertain dates the way cataloguers think about them; an interval
(start, end) keeps the uncertainty and still lets the catalogue sort and filter by period.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from schemas.cleaning.text import clean_text
from schemas.vocabularies.text import roman_to_int

_NO_DATE = re.compile(r"^(s\.?\s*d\.?|sans date|n\.?\s*d\.?|no date|inconnue?|unknown|\?+)$", re.I)
# Qualifiers that say "about": the interval stays the stated one.
_QUALIFIER = re.compile(
    r"^(vers|ca\.?|circa|c\.|env\.?|environ|approx\.?|about|around|probablement|entre)\s*", re.I
)
_CENTURY = re.compile(
    r"^([ivxlc]+|\d{1,2})\s*(e|eme|ème|è|er|th|st|nd|rd)?\s*(s\.|siecle|siècle|century)$", re.I
)
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}")
_RANGE_SEPARATORS = (r"\s*/\s*", r"\s*[–—]\s*", r"\s+-\s+", r"\s*-\s*", r"\s+(?:à|to|et|and)\s+")


def _day(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _single(s: str) -> tuple[str, str] | None:
    """Bounds of one date expression, or None."""
    s = s.strip().strip("[]()").strip().rstrip("?").strip()
    s = _QUALIFIER.sub("", s).strip().strip("[]").rstrip("?").strip()
    if not s:
        return None
    if m := _ISO_DATETIME.match(s):
        d = _day(int(m[1]), int(m[2]), int(m[3]))
        return (d, d) if d else None
    if re.fullmatch(r"\d{4}", s):
        return s, s
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
        d = _day(int(m[1]), int(m[2]), int(m[3]))
        return (d, d) if d else None
    if m := re.fullmatch(r"(\d{4})[-/](\d{2})", s):
        if 1 <= int(m[2]) <= 12:
            return f"{m[1]}-{m[2]}", f"{m[1]}-{m[2]}"
        return None
    if m := re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", s):
        d = _day(int(m[1]), int(m[2]), int(m[3]))
        return (d, d) if d else None
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", s):  # French dd/mm/yyyy
        d = _day(int(m[3]), int(m[2]), int(m[1]))
        return (d, d) if d else None
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", s):
        month = int(m[1])
        return (f"{m[2]}-{month:02d}",) * 2 if 1 <= month <= 12 else None
    if m := re.fullmatch(r"(\d{3})[.\-_?xX]", s):  # decade: "179."
        return f"{m[1]}0", f"{m[1]}9"
    if m := re.fullmatch(r"(\d{2})(?:\.\.|[-_?xX]{2})?", s):  # century: "18..", Gallica "18"
        return f"{m[1]}00", f"{m[1]}99"
    if m := _CENTURY.fullmatch(s):
        n = int(m[1]) if m[1].isdigit() else roman_to_int(m[1])
        if n and 1 <= n <= 21:
            return f"{(n - 1) * 100 + 1:04d}", f"{n * 100:04d}"
    return None


def parse_loose_date(s: str | None) -> dict[str, Any] | None:
    """Interval ``{"text", "start", "end"}`` (ISO YYYY[-MM[-DD]]) for a partner date, or None.

    None for empty, "s.d." and anything not understood: the caller keeps the text elsewhere.
    A range whose end is before its start is refused rather than guessed.
    """
    text = clean_text(s)
    if not text or _NO_DATE.match(text.strip("[]() ")):
        return None
    bounds = _single(text)
    if bounds is None:
        inner = text.strip("[]() ")
        m = re.fullmatch(r"(\d{2})(\d{2})\s*[-/–]\s*(\d{2})", inner)  # "1914-18"
        if m and m[3] >= m[2]:
            bounds = f"{m[1]}{m[2]}", f"{m[1]}{m[3]}"
        for separator in _RANGE_SEPARATORS:
            if bounds:
                break
            parts = re.split(separator, inner)
            if len(parts) != 2 or any(re.fullmatch(r"\d{1,2}", p.strip()) for p in parts):
                continue
            first, second = _single(parts[0]), _single(parts[1])
            if first and second:
                bounds = first[0], second[1]
                break
    if bounds is None:
        return None
    start, end = bounds
    if start > end:
        return None
    return {"text": text, "start": start, "end": end}
