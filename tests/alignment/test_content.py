"""The content layer: levels and disciplines from what a record is about (provenance inferred).

Tables are small ones of the tests' own (``data/content/``) so that the engine's behaviour, not
the shipped data, is under test; the last tests run on the shipped tables and the labelled
cases of ``data/content_cases.tsv``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.alignment import align
from schemas.record import AlignedConceptSchema
from schemas.vocabularies import Vocabulary
from schemas.vocabularies.analysis import terms
from schemas.vocabularies.periods import find_periods
from schemas.vocabularies.text import fold_text, normalize_label, read_table

from .conftest import DATA

TABLES = DATA / "content"
L = "scolomfr-voc-022-num-"
D = "scolomfr-voc-015-num-"
HG, MATHS, PC, FR, EPS = D + "980", D + "919", D + "1831", D + "1333", D + "1032"
C4E, C5E, CM1, CYCLE3, CYCLE4 = L + "021", L + "020", L + "014", L + "620", L + "621"
REVOLUTION_4E = D + "3075"  # la Révolution française et l'Empire (histoire 4e)
BASIS = re.compile(
    r"^(?:programme:scolomfr-voc-015-num-\d+(?:;words=[^;]+)?(?:;period=-?\d+/-?\d+)?;score=[01]\.\d\d"
    r"|lexicon:[^;]+;score=[01]\.\d\d|cue:.+)$"
)


def record(title: str, description: str = "", keywords: tuple[str, ...] = (),
           date: str | None = None, temporal: tuple[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": [{"value": title}],
                           "description": [{"value": description}] if description else [],
                           "keywords": [{"value": k} for k in keywords]}
    if date:
        out["dates"] = {"created": {"text": date, "start": date, "end": date}}
    if temporal:
        out["coverage"] = {"temporal": {"text": "-".join(temporal), "start": temporal[0],
                                        "end": temporal[1]}}
    return out


def run(vocab: Vocabulary, rec: dict[str, Any], hints: dict[str, list[str]] | None = None,
        defaults: dict[str, list[str]] | None = None, tables: Path | None = TABLES,
        ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:  # fmt: skip
    levels, disciplines, _ = align(rec, hints or {}, defaults, None, vocab, mappings_dir=tables)
    schema = AlignedConceptSchema()
    for entry in levels + disciplines:
        assert schema.validate(entry) == {}, entry
        if entry["provenance"] == "inferred":
            assert BASIS.match(entry["basis"]), entry["basis"]
    return {e["id"]: e for e in levels}, {e["id"]: e for e in disciplines}


# -- shared analysis ---------------------------------------------------------------------------


def test_terms_are_the_search_engines_own_tokens() -> None:
    from search.tantivy_index import french_analyser

    text = "L'énergie des Révolutions françaises : châteaux forts, équations et dérivées (6ème)"
    assert terms(text) == french_analyser().analyze(text.replace("6ème", "6e"))


@given(st.text(alphabet="aàâeéèêëiîïoôœuùûüçAÉÈÇŒ 0123456789-'’.,;:ᵉ", max_size=80))
def test_running_text_folds_like_labels(text: str) -> None:
    assert fold_text(text) == normalize_label(text)


@pytest.mark.parametrize(("text", "periods"), [
    ("le XVIIIe s. : expansions, Lumières et révolutions", [(1701, 1800)]),
    ("chrétientés et islam, des mondes en contact VIe-XIIIe s.", [(501, 1300)]),
    ("transformations de l'Europe aux XVIe et XVIIe s.", [(1501, 1700)]),
    ("les grands mouvements de populations IV-Xe siècles", [(301, 1000)]),
    ("l'Europe, un théâtre majeur des guerres totales 1914-1945", [(1914, 1945)]),
    ("une difficile conquête : voter de 1815 à 1870", [(1815, 1870)]),
    ("le monde depuis 1945", [(1945, 2025)]),
    ("Louis IX, le « roi chrétien » au XIIIe siècle", [(1201, 1300)]),
    ("la Grèce du Ve s. av. J.-C.", [(-500, -401)]),
    ("France -- 1789-1799 (Révolution)", [(1789, 1799)]),
    ("exercices 5 et 6e s'entraîner", []),
    ("publié le 1879/07/15", []),
])  # fmt: skip
def test_periods_written_as_historians_write_them(text: str, periods: list[tuple[int, int]]) -> None:
    assert find_periods(text) == periods


# -- the programme index -----------------------------------------------------------------------


def test_programme_index_has_discipline_levels_terms_and_inherited_period(vocab: Vocabulary) -> None:
    index = {p["id"]: p for p in vocab.programmes}
    revolution = index[REVOLUTION_4E]
    assert revolution["discipline"] == HG and revolution["levels"] == [C4E]
    assert revolution["terms"] == terms("la Révolution française et l'Empire")
    assert revolution["period"] == [1701, 1800] and not revolution["own_period"]  # from "le XVIIIe s."
    by_label = {vocab.concept(i).label: p for i, p in index.items()}  # type: ignore[union-attr]
    two = [p for label, p in by_label.items() if label.endswith("(français CM1-CM2)")]
    assert two and all(set(p["levels"]) == {CM1, L + "015"} for p in two)
    cycle = [p for label, p in by_label.items() if label.endswith("(mathématiques cycle 3)")]
    assert cycle and all(p["levels"] == [CYCLE3] and p["discipline"] == MATHS for p in cycle)
    assert "histoire (3e)" not in by_label  # a structure node: its words only name the discipline
    dated = [p for p in index.values() if p["own_period"]]
    assert len(dated) >= 15 and all("siecl" not in p["terms"] for p in dated)
    assert sum(1 for p in index.values() if p["discipline"]) > 2000


# -- evidence and decisions --------------------------------------------------------------------


def test_lexicon_term_gives_discipline_and_levels(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Exercices sur le théorème de Pythagore"))
    assert disciplines[MATHS]["provenance"] == "inferred"
    assert disciplines[MATHS]["basis"].startswith("lexicon:théorème de Pythagore;score=")
    assert C4E in levels and len(levels) <= 3


def test_programme_theme_gives_discipline_and_its_class(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("La Révolution française et l'Empire", "Un dossier."))
    assert set(disciplines) == {HG}
    assert levels[C4E]["basis"].startswith(f"programme:{REVOLUTION_4E};words=revolution,francaise,empire")


def test_one_shared_word_gives_nothing(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("La révolution des astres"))
    assert levels == {} and disciplines == {}
    levels, disciplines = run(vocab, record("Le patrimoine de la France"))
    assert FR not in disciplines  # "France" and "français" share a stem, not a meaning


def test_cue_names_the_class(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Séquence sur les fractions en classe de 5e"))
    assert levels == {C5E: levels[C5E]} and levels[C5E]["basis"] == "cue:en classe de 5e"
    assert set(disciplines) == {MATHS}


def test_history_by_period_for_historical_material(vocab: Vocabulary) -> None:
    pamphlet = record("Grand et véritable détail de ce qui s'est passé hier aux Tuileries",
                      "Collection : Les archives de la Révolution française", date="1792")
    levels, disciplines = run(vocab, pamphlet, {"dewey": ["944"]})
    assert disciplines[HG]["provenance"] == "rule"  # the partner's Dewey class is kept
    assert C4E in levels and ";period=1789/1799;" in levels[C4E]["basis"]  # named in its text
    # Without Dewey, the named period of the description is enough evidence.
    levels, disciplines = run(vocab, pamphlet)
    assert C4E in levels and HG in disciplines


def test_no_history_for_a_chemistry_manual_or_a_tennis_photograph(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Traité élémentaire de chimie", date="1910"),
                              {"dewey": ["540"]})
    assert HG not in disciplines and not any("period=" in e["basis"] for e in levels.values())
    levels, disciplines = run(vocab, record("Championnat du monde de tennis : photographie de presse",
                                            keywords=("Fallières, Armand (1841-1931)",), date="1912"))
    assert HG not in disciplines and not levels
    levels, disciplines = run(vocab, record("Portrait du général, Empire", date="1912"))
    assert HG not in disciplines  # a one-word period name dates, it does not prove history


def test_early_print_is_a_source_on_its_time_beside_the_partner_class(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Supplément à l'Encyclopédie, ou Dictionnaire raisonné",
                                            date="1776"), {"labels": ["Sciences -- Encyclopédies"]})
    assert HG in disciplines and disciplines[HG]["provenance"] == "inferred"
    assert any(e["provenance"] == "rule" for e in disciplines.values())  # the partner's class stays
    assert C4E in levels and "period=1776/1776" in levels[C4E]["basis"]


def test_temporal_coverage_links_history_themes(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Archives d'un village", temporal=("1789", "1799")))
    assert HG in disciplines and C4E in levels


def test_content_never_contradicts_partner_classifications(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Le théorème de Pythagore"), {"dewey": ["944"]})
    assert set(disciplines) == {HG} and disciplines[HG]["provenance"] == "rule"
    levels, _ = run(vocab, record("Le théorème de Pythagore"), {"labels": ["CM2"]})
    assert set(levels) == {L + "015"} and levels[L + "015"]["provenance"] == "rule"


def test_default_only_for_a_field_the_content_left_empty(vocab: Vocabulary) -> None:
    defaults = {"levels": ["collège", "lycée"], "disciplines": ["histoire-géographie"]}
    levels, disciplines = run(vocab, record("Initiation au tennis"), defaults=defaults)
    assert {e["provenance"] for e in disciplines.values()} == {"inferred"} and EPS in disciplines
    assert levels and {e["provenance"] for e in levels.values()} == {"default"}
    levels, disciplines = run(vocab, record("Exercices sur le théorème de Pythagore"), defaults=defaults)
    assert all(e["provenance"] == "inferred" for e in [*levels.values(), *disciplines.values()])


def test_defaults_come_last(vocab: Vocabulary) -> None:
    levels, _, _ = align(record("La Révolution française et l'Empire"), {},
                         {"levels": ["lycée"], "disciplines": []}, None, vocab, mappings_dir=TABLES)
    order = [e["provenance"] for e in levels]
    assert order == sorted(order, key=["source", "rule", "inferred", "default", "curation"].index)


def test_abstains_without_evidence(vocab: Vocabulary) -> None:
    for title in ("Sans titre", "Photographie", "Document numérisé", "Vue générale"):
        levels, disciplines = run(vocab, record(title))
        assert levels == {} and disciplines == {}, title


# -- labelled cases on the shipped tables ------------------------------------------------------


def _hit(found: set[str], acceptable: set[str]) -> bool:
    return bool(found & acceptable) and len(found - acceptable) <= 2


def test_labelled_cases(vocab: Vocabulary) -> None:
    """Our own labelled titles and notices (one reason each in the file), on the shipped tables.

    Levels count as right when they hit an acceptable class or cycle and add at most two
    others, as in the issue's evaluation."""
    rows = read_table(DATA / "content_cases.tsv")
    assert len(rows) >= 40
    figures: dict[str, list[int]] = {"levels": [0, 0, 0], "disciplines": [0, 0, 0]}  # n, found, right
    for row in rows:
        rec = record(row["title"], row["description"], tuple(k for k in row["keywords"].split(";") if k),
                     row["date"] or None)
        levels, disciplines = run(vocab, rec, tables=None)
        for field, found, wanted in (("levels", set(levels), set(row["levels"].split())),
                                     ("disciplines", set(disciplines), set(row["disciplines"].split()))):
            counts = figures[field]
            if not wanted:
                assert not found or field == "levels", (row["title"], field, found)
                continue
            counts[0] += 1
            if found:
                counts[1] += 1
                counts[2] += _hit(found, wanted)
    n, found, right = figures["disciplines"]
    assert found / n >= 0.85 and right / found >= 0.9, figures
    n, found, right = figures["levels"]
    assert found / n >= 0.7 and right / found >= 0.8, figures


# -- sources on their own time, blockers, given names, dated themes ------------------------------


def test_press_photograph_is_a_source_on_its_day_unless_its_words_say_sport(vocab: Vocabulary) -> None:
    explosion = record("Explosion d'une usine à Paris : photographie de presse", date="1915")
    levels, disciplines = run(vocab, explosion)
    assert HG in disciplines and disciplines[HG]["provenance"] == "inferred"
    assert levels and all(";period=1915/1915;" in e["basis"] for e in levels.values())
    # The same phrase on a tennis match: its words say sport, the date does not make it history.
    levels, disciplines = run(vocab, record("Match de tennis : photographie de presse", date="1913"))
    assert HG not in disciplines and EPS in disciplines and not levels
    # Recent news photographs are not yet historical material.
    levels, disciplines = run(vocab, record("Explosion d'une usine : photographie de presse", date="2019"))
    assert HG not in disciplines and not levels


def test_news_footage_collection_is_history_whatever_its_subject(vocab: Vocabulary) -> None:
    footage = record("Les premiers pas de l'homme sur la Lune", date="1969-07-21")
    assert run(vocab, footage) == ({}, {})  # a date alone says nothing
    levels, disciplines = run(vocab, footage, {"witness": ["jalons"]})
    assert HG in disciplines and levels
    assert all("period=1969/1969" in e["basis"] for e in levels.values())
    # A witness reader hint on recent footage gives nothing by period.
    levels, disciplines = run(vocab, record("Les premiers pas", date="2021-05-01"), {"witness": ["jalons"]})
    assert not levels and HG not in disciplines


def test_jalons_reader_says_its_footage_is_a_witness() -> None:
    import json

    from core.raw import RawRecord
    from schemas.readers import ReaderContext, read

    item = {"id": "InaEdu00015", "title": " L'élection du président ", "date": "1947-01-23",
            "url": "http://fresques.ina.fr/jalons/fiche-media/InaEdu00015/x.html", "type": "video"}
    raw = RawRecord(identifier="InaEdu00015", format="jalons", content=json.dumps(item).encode())
    mapped = read(raw, ReaderContext("ina-jalons", "ina", "2026-12-03T00:00:00Z"))
    assert mapped.hints.get("witness") == ["jalons"]


def test_blocker_hides_the_shorter_term_inside_it(vocab: Vocabulary) -> None:
    _, disciplines = run(vocab, record("Académie des sciences et lettres de Montpellier"))
    assert FR not in disciplines
    _, disciplines = run(vocab, record("Match au Stade français : tennis"))
    assert FR not in disciplines and EPS in disciplines
    _, disciplines = run(vocab, record("Cours de français"))
    assert FR in disciplines  # the term itself still counts


def test_a_historical_name_used_as_a_first_name_is_no_evidence(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Esquisse de décor / Napoléon Sacchetti"))
    assert HG not in disciplines and not levels
    for title in ("Napoléon Bonaparte au pont d'Arcole", "Napoléon et Joséphine", "Napoléon III"):
        _, disciplines = run(vocab, record(title))
        assert HG in disciplines, title


def test_dated_history_theme_is_added_beside_the_partner_class(vocab: Vocabulary) -> None:
    # An old record whose history words match a theme that holds its date: the partner's
    # class stays, history is added, and the level comes from the theme.
    levels, disciplines = run(vocab, record("Journal de la colonie libre de Port-Breton", date="1879"),
                              {"dewey": ["070"]})
    assert HG in disciplines and disciplines[HG]["provenance"] == "inferred"
    assert any(e["provenance"] == "rule" for e in disciplines.values())
    assert C4E in levels
    # The same words in a recent record: no history from them beside the partner's class.
    levels, disciplines = run(vocab, record("Journal de la colonie de vacances", date="2015"),
                              {"dewey": ["070"]})
    assert HG not in disciplines


def test_old_travel_account_is_history_material(vocab: Vocabulary) -> None:
    levels, disciplines = run(vocab, record("Les Boers", date="1899"), {"dewey": ["916"]})
    assert C4E in levels and ";period=1899/1899;" in levels[C4E]["basis"]
    assert disciplines[HG]["provenance"] == "rule"
    levels, _ = run(vocab, record("Guide de l'Afrique du Sud", date="2012"), {"dewey": ["916"]})
    assert not levels  # today's geography has no history period


def test_theme_label_naming_a_period_gets_its_years(vocab: Vocabulary) -> None:
    from schemas.content.index import ContentIndex

    index = ContentIndex(vocab, TABLES)
    by_label = {p.label: p for p in index.programmes}
    third = by_label["la Troisième République (histoire 4e)"]
    assert third.period == (1870, 1940)  # not its parent's XIXe s. (1801-1900)
    # A one-word name that is also a common word does not date a theme that had no period.
    assert index._named_period("le temps de l'Empire") == ((1804, 1815), False)


def test_a_keyword_naming_a_vocational_field_leaves_the_discipline_to_the_content(
        vocab: Vocabulary) -> None:
    # "électricité" is a voc-015 concept of the vocational fields, under no school discipline:
    # it is kept as the keyword's value, and the content still says physique-chimie.
    rec = record("Les circuits électriques en série et en dérivation", keywords=("électricité",))
    _, disciplines = run(vocab, rec, tables=None)
    assert disciplines[D + "280"]["provenance"] == "rule"
    assert disciplines[PC]["provenance"] == "inferred"
    assert vocab.school_discipline(D + "280") is None
    assert vocab.school_discipline(D + "070") == D + "070"  # SES, a lycée fallback
    assert vocab.school_discipline(REVOLUTION_4E) == HG
    # A school discipline from the keywords: the content adds none.
    _, disciplines = run(vocab, record("Les circuits électriques", keywords=("mathématiques",)), tables=None)
    assert set(disciplines) == {MATHS}
