"""Loose dates from the Gallica pages and other partners become intervals."""

import pytest

from schemas.cleaning import parse_loose_date
from schemas.record import IntervalSchema


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1846", "1846", "1846"),
        ("18..", "1800", "1899"),
        ("179.", "1790", "1799"),
        ("18", "1800", "1899"),  # Gallica's century-only date
        ("1846-01", "1846-01", "1846-01"),
        ("1881-1883", "1881", "1883"),
        ("1401-1500", "1401", "1500"),
        ("1700-1799", "1700", "1799"),
        ("1776-1777", "1776", "1777"),
        ("17/01/2011", "2011-01-17", "2011-01-17"),  # Gallica first_indexation_date
        ("1879-07-15", "1879-07-15", "1879-07-15"),
        ("2025-11-26T00:00:00.000000Z", "2025-11-26", "2025-11-26"),
        ("[1855]", "1855", "1855"),
        ("vers 1850", "1850", "1850"),
        ("ca. 1850", "1850", "1850"),
        ("1850?", "1850", "1850"),
        ("1914-18", "1914", "1918"),
        ("XIXe siècle", "1801", "1900"),
        ("entre 1850 et 1860", "1850", "1860"),
        ("  \n\t1821\n ", "1821", "1821"),
    ],
)
def test_intervals(text, start, end):
    interval = parse_loose_date(text)
    assert interval is not None
    assert (interval["start"], interval["end"]) == (start, end)
    assert interval["text"] == text.strip()
    IntervalSchema().load(interval)  # accepted by the shared record


@pytest.mark.parametrize(
    "text", ["s.d.", "[s.d.]", "S. d.", "", None, "n'importe", "2009-13-01", "1899-1881", "31/02/1900"]
)
def test_unparseable_gives_none(text):
    assert parse_loose_date(text) is None
