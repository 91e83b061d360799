"""Query clauses: teacher vocabulary, dates, centuries and named periods (no index needed)."""

from __future__ import annotations

import pytest

from search.expansion import Expander, load_terms, parse_terms
from search.periods import (
    Period,
    centuries,
    century_label,
    century_ordinal,
    display_date,
    load_periods,
    record_interval,
)
from search.spelling import edit_distance
from search.suggest import clean_title
from search.text import parse_user_query

# A small table of our own, so that these tests do not depend on the shared periods.tsv.
PERIODS = [Period(("Moyen Âge", "époque médiévale"), 476, 1492),
           Period(("Révolution française",), 1789, 1799),
           Period(("entre-deux-guerres",), 1919, 1939)]
EXPANDER = Expander(periods=PERIODS, level_labels={("cm2",): "scolomfr-voc-022-num-015"})


def kinds(q: str) -> list[list[tuple[str, object]]]:
    clauses = EXPANDER.expand(parse_user_query(q)).clauses
    return [[(a.kind, a.words or a.ids or (a.start, a.end)) for a in c.alternatives]
            for c in clauses]


def test_teacher_phrases_take_the_longest_match() -> None:
    clauses = EXPANDER.expand(parse_user_query("la grande guerre en images")).clauses
    assert [c.text for c in clauses] == ["grande guerre", "images"]
    first = kinds("grande guerre")[0]
    assert ("phrase", ("Première", "Guerre", "mondiale")) in first
    assert ("dates", (1914, 1918)) in first


def test_abbreviations_expand_and_propose_their_filter() -> None:
    expansion = EXPANDER.expand(parse_user_query("SVT cm2"))
    assert [(p.group, p.id) for p in expansion.proposals] == [
        ("discipline", "scolomfr-voc-015-num-1832"), ("level", "scolomfr-voc-022-num-015")]
    svt = kinds("SVT")[0]
    assert ("discipline", ("scolomfr-voc-015-num-1832",)) in svt
    assert any(kind == "phrase" and "vie" in words for kind, words in svt)  # type: ignore[operator]


def test_types_from_words() -> None:
    assert ("type", ("scolomfr-voc-005-num-011", "scolomfr-voc-005-num-004")) in kinds("carte")[0]
    assert any(k == "type" and "http://purl.org/dc/dcmitype/Sound" in v  # type: ignore[operator]
               for k, v in kinds("audio")[0])


@pytest.mark.parametrize("q,years", [
    ("XIXe siècle", (1800, 1899)), ("19e siècle", (1800, 1899)), ("xviiie s", (1700, 1799)),
    ("1914-1918", (1914, 1918)), ("de 1870 à 1914", (1870, 1914)), ("1789", (1789, 1789)),
    ("Moyen Âge", (476, 1492)), ("époque médiévale", (476, 1492)),
    ("entre-deux-guerres", (1919, 1939)),
])
def test_dates_in_the_query(q: str, years: tuple[int, int]) -> None:
    (clause,) = kinds(q)
    assert ("dates", years) in clause


def test_a_year_names_its_short_periods_and_neighbours() -> None:
    (clause,) = kinds("1789")
    assert ("phrase", ("Révolution", "française")) in clause
    assert ("dates", (1784, 1794)) in clause
    assert kinds("IVe République")[0] == [("words", ("IVe",))]  # an ordinal, not a century


def test_phrases_stay_strict_and_make_the_query_relaxable() -> None:
    expansion = EXPANDER.expand(parse_user_query('pizza "énergie solaire"'))
    assert [c.strict for c in expansion.clauses] == [False, True]
    assert expansion.relaxable
    assert not EXPANDER.expand(parse_user_query('"énergie solaire"')).relaxable
    assert not EXPANDER.expand(parse_user_query("volcans")).relaxable


def test_the_shipped_tables_load() -> None:
    terms = load_terms()
    assert ("svt",) in terms.entries and ("14", "18") in terms.entries
    periods = {label for p in load_periods() for label in p.labels}
    assert {"Moyen Âge", "Renaissance", "Belle Époque"} <= periods


def test_a_bad_row_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        parse_terms([{"term": "x", "kind": "synonyme", "value": "y"}])


def test_record_dates() -> None:
    record = {"dates": {"created": {"text": "16..", "start": "1600", "end": "1699"}}}
    assert record_interval(record) == (1600, 1699) and centuries((1600, 1699)) == ["17"]
    assert display_date(record) == "XVIIe siècle"
    assert display_date({"dates": {"created": {"text": "[vers 1880]", "start": "1880",
                                               "end": "1880"}}}) == "vers 1880"
    assert display_date({"dates": {"created": {"text": "1790", "start": "1790"}}}) == "1790"
    assert display_date({"dates": {}}) is None
    assert centuries((-3000, 2020)) == []  # too wide to count in every century
    assert century_label(19) == "XIXe siècle" and century_label(1) == "Ier siècle"
    assert century_label(0) == "Ier siècle av. J.-C."
    assert century_ordinal("XIXe") == 19 and century_ordinal("6e") == 6
    assert century_ordinal("ive") == 4 and century_ordinal("pizza") is None


def test_edit_distance_and_titles() -> None:
    assert edit_distance("revoluton", "revolution", 2) == 1
    assert edit_distance("chnasons", "chansons", 1) == 1  # a transposition counts once
    assert edit_distance("gallia", "galilaei", 2) == 3
    assert clean_title("[Plan des environs d'Alger, 16..]") == "Plan des environs d'Alger, 16"
    assert clean_title("Les Boers / Jules Leclercq") == "Les Boers"
    assert "[" not in clean_title("[Port-Breton]. Carte de la Nouvelle France")
