"""The content layer's data tables: discipline lexicon, level cues and named periods.

They are reviewable data, so these tests check what a reviewer could get wrong: a target that
is not a current concept, a weight out of range, an ambiguous cue ("5e", "seconde") that would
put levels on a "5e République" or a "Seconde Guerre mondiale" record, a period backwards.
"""

from __future__ import annotations

import re

import pytest

from schemas.vocabularies import MAPPINGS_DIR, Vocabulary, normalize_label
from schemas.vocabularies.text import read_table

D = "scolomfr-voc-015-num-"
L = "scolomfr-voc-022-num-"
LEXICON = read_table(MAPPINGS_DIR / "discipline_lexicon.tsv")
CUES = read_table(MAPPINGS_DIR / "level_cues.tsv")
PERIODS = read_table(MAPPINGS_DIR / "periods.tsv")


def _discipline_concepts(vocab: Vocabulary) -> set[str]:
    """The 17 "(discipline)" concepts and the lycée fallbacks of discipline_synonyms.tsv."""
    ids = {c.id for c in vocab.all_concepts("015") if c.current and c.label.endswith("(discipline)")}
    synonyms = read_table(MAPPINGS_DIR / "discipline_synonyms.tsv")
    return ids | {row["concept"] for row in synonyms}


def test_lexicon_targets_are_current_disciplines_and_levels(vocab: Vocabulary) -> None:
    allowed = _discipline_concepts(vocab)
    assert len([i for i in allowed if vocab.concept(i).label.endswith("(discipline)")]) == 17  # type: ignore[union-attr]
    for row in LEXICON:
        assert normalize_label(row["term"]), row
        assert row["concept"] in allowed, row
        assert 0 <= float(row["weight"]) <= 1, row
        for level in row["levels"].split():
            concept = vocab.concept(level)
            assert concept is not None and concept.current and concept.vocab == "022", row


def test_lexicon_blockers_hide_a_term_of_their_discipline() -> None:
    """A weight-0 row is a blocker: a longer phrase ("sciences et lettres") that wins as the
    longest match and hides the term inside it. One that hides nothing is a reviewer's typo."""
    from schemas.content.index import lexicon_words

    positive = {(tuple(lexicon_words(r["term"])), r["concept"]) for r in LEXICON if float(r["weight"]) > 0}
    blockers = [r for r in LEXICON if float(r["weight"]) == 0]
    assert blockers
    for row in blockers:
        phrase = tuple(lexicon_words(row["term"]))
        inside = [
            words for words, concept in positive
            if concept == row["concept"] and len(words) < len(phrase)
            and any(phrase[i : i + len(words)] == words for i in range(len(phrase)))
        ]
        assert inside, row


def test_lexicon_covers_every_discipline_with_breadth(vocab: Vocabulary) -> None:
    per: dict[str, int] = {}
    for row in LEXICON:
        per[row["concept"]] = per.get(row["concept"], 0) + 1
    seventeen = [c.id for c in vocab.all_concepts("015")
                 if c.current and c.label.endswith("(discipline)")]  # fmt: skip
    assert all(per.get(cid, 0) >= 3 for cid in seventeen), {c: per.get(c, 0) for c in seventeen}
    assert len(LEXICON) >= 300
    keys = [(normalize_label(r["term"]), r["concept"]) for r in LEXICON]
    assert len(keys) == len(set(keys)), "a term is listed once per discipline"


@pytest.mark.parametrize(("term", "discipline", "level"), [
    ("théorème de Pythagore", "919", "021"),
    ("dérivée", "919", "123"),
    ("fractions", "919", "620"),
    ("second degré", "919", "123"),
    ("suites numériques", "919", "123"),
    ("théorème de Thalès", "919", "023"),
    ("proportionnalité", "919", "621"),
    ("circuit électrique", "1831", None),
    ("réaction chimique", "1831", None),
    ("dissection", "1832", None),
    ("écosystème", "1832", None),
    ("comptine en allemand", "1430", None),
    ("English", "1430", None),
    ("court-métrage", "1333", None),
    ("fable", "1333", None),
    ("Révolution française", "980", "021"),
])  # fmt: skip
def test_lexicon_has_the_notions_teachers_use(term: str, discipline: str, level: str | None) -> None:
    rows = [r for r in LEXICON if normalize_label(r["term"]) == normalize_label(term)]
    row = next(r for r in rows if r["concept"] == D + discipline)
    assert float(row["weight"]) >= 0.6
    if level:
        assert L + level in row["levels"].split()


@pytest.mark.parametrize("term", ["révolution", "énergie", "carte", "tension", "résistance"])
def test_ambiguous_words_are_weak(term: str) -> None:
    rows = [r for r in LEXICON if normalize_label(r["term"]) == normalize_label(term)]
    assert rows and all(float(r["weight"]) <= 0.4 for r in rows)


def test_cue_targets_are_current_levels(vocab: Vocabulary) -> None:
    keys = [normalize_label(r["pattern"]) for r in CUES]
    assert all(keys) and len(keys) == len(set(keys)), "one row per normalised pattern"
    for row in CUES:
        assert row["concepts"].split(), row
        for target in row["concepts"].split():
            concept = vocab.concept(target)
            assert concept is not None and concept.current and concept.vocab == "022", row


def _cues_in(text: str) -> set[str]:
    """The cue rows whose pattern is a whole run of words of ``text`` (the contract's match)."""
    padded = f" {normalize_label(text)} "
    return {r["pattern"] for r in CUES if f" {normalize_label(r['pattern'])} " in padded}


@pytest.mark.parametrize(("text", "level"), [
    ("Programme de chimie de la classe de troisième", "023"),
    ("Séquence réalisée en classe de 5e", "020"),
    ("Activités pour le cycle 3", "620"),
    ("Albums en grande section", "007"),
    ("Lecture CP-CE1", "010"),
    ("Fiches pour le lycée professionnel", "165"),
    ("Révisions BTS", "195"),
    ("Exercices de maths 4ème", "021"),
    ("Cours de SVT terminale S", "042"),
    ("Fonctions : exercices de seconde", "136"),
    ("Élèves de 6ème", "018"),
])  # fmt: skip
def test_cues_find_levels_in_level_context(text: str, level: str) -> None:
    targets = {t for r in CUES if r["pattern"] in _cues_in(text) for t in r["concepts"].split()}
    assert L + level in targets, (text, _cues_in(text))


@pytest.mark.parametrize("text", [
    "La Seconde Guerre mondiale",
    "La Première Guerre mondiale et ses combattants",
    "1ère Guerre mondiale : les poilus",
    "Les débuts de la 5e République",
    "L'Europe au 3e siècle",
    "Mémoires, 2e édition revue",
    "Une question de première importance",
    "La troisième République",
    "Le CE et la politique agricole commune",
    "Langue maternelle et bilinguisme",
    "Le Collège de France au XIXe siècle",
    "Le cap Horn",
    "Mesures en cm et en mm",
    "Ms. latin 1234",
    "Les grandes découvertes, en première ligne",
])  # fmt: skip
def test_cues_do_not_fire_outside_level_context(text: str) -> None:
    assert _cues_in(text) == set(), text


def test_periods_are_well_formed() -> None:
    seen: set[str] = set()
    for row in PERIODS:
        start, end = int(row["start"]), int(row["end"])
        assert start <= end, row
        for alias in row["label"].split("|"):
            key = normalize_label(alias)
            assert key and key not in seen, alias
            seen.add(key)
    assert not any(re.fullmatch(r"[xvil]+e siecle", k) for k in seen), "centuries are parsed"


@pytest.mark.parametrize(("name", "start", "end"), [
    ("Antiquité", -3000, 476),
    ("Moyen Âge", 476, 1492),
    ("Renaissance", 1450, 1610),
    ("Révolution française", 1789, 1799),
    ("Empire", 1804, 1815),
    ("Belle Époque", 1871, 1914),
    ("entre-deux-guerres", 1918, 1939),
    ("Grande Guerre", 1914, 1918),
    ("14-18", 1914, 1918),
    ("39-45", 1939, 1945),
    ("Guerre froide", 1947, 1991),
    ("Préhistoire", -3000000, -3000),
])  # fmt: skip
def test_periods_name_the_school_periods(name: str, start: int, end: int) -> None:
    rows = [r for r in PERIODS
            if normalize_label(name) in {normalize_label(a) for a in r["label"].split("|")}]  # fmt: skip
    assert len(rows) == 1 and (int(rows[0]["start"]), int(rows[0]["end"])) == (start, end)
