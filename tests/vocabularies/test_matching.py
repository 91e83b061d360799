"""The label matcher: teacher words → current ScoLOMFR concepts, never an obsolete one."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.vocabularies import Concept, Vocabulary, build_vocabulary, normalize_label

C = "scolomfr-voc-022-num-"
D = "scolomfr-voc-015-num-"

LEVELS = [
    ("CM2", C + "015", "CM2"),
    ("cm2", C + "015", "CM2"),
    ("6ème", C + "018", "6e"),
    ("6e", C + "018", "6e"),
    ("sixième", C + "018", "6e"),
    ("6ᵉ", C + "018", "6e"),
    ("5e", C + "020", "5e"),
    ("seconde", C + "136", "2de générale et technologique"),
    ("2nde", C + "136", "2de générale et technologique"),
    ("2de", C + "136", "2de générale et technologique"),
    ("Terminale", C + "088", "terminale générale et technologique"),
    ("Tle", C + "088", "terminale générale et technologique"),
    ("1ère", C + "123", "1re générale et technologique"),
    ("1re", C + "123", "1re générale et technologique"),
    ("première", C + "123", "1re générale et technologique"),
    ("cycle 3", C + "620", "cycle 3 (2016)"),
    ("Cycle 4", C + "621", "cycle 4 (2016)"),
    ("maternelle", C + "002", "école maternelle"),
    ("GS", C + "007", "grande section"),
    ("MS", C + "006", "moyenne section"),
    ("PS", C + "005", "petite section"),
    ("collège", C + "016", "collège"),
    ("College", C + "016", "collège"),
    ("lycée", C + "142", "lycée général et technologique"),
    ("primaire", C + "008", "école élémentaire"),
    ("élémentaire", C + "008", "école élémentaire"),
    ("CP", C + "010", "CP"),
    ("cours préparatoire", C + "010", "CP"),
    ("terminale S", C + "042", "terminale S"),
    ("CAP", C + "223", "voie CAP"),
    ("BTS", C + "195", "section BTS"),
    ("bac pro", C + "165", "lycée professionnel"),
]


def assert_current_concept(found: Concept | None, text: str, vocab: str, concept_id: str, label: str) -> None:
    """``text`` matched the current concept ``concept_id`` of vocabulary ``vocab``, labelled ``label``."""
    assert found is not None, text
    assert (found.id, found.label) == (concept_id, label)
    assert found.vocab == vocab
    assert found.current


@pytest.mark.parametrize(("text", "concept_id", "label"), LEVELS)
def test_level_words_match_current_voc022_concepts(
    vocab: Vocabulary, text: str, concept_id: str, label: str
) -> None:
    assert_current_concept(vocab.match_level(text), text, "022", concept_id, label)


DISCIPLINES = [
    ("mathématiques", D + "919"),
    ("maths", D + "919"),
    ("Mathematiques", D + "919"),
    ("Histoire-géographie", D + "980"),
    ("histoire géographie", D + "980"),
    ("SVT", D + "1832"),
    ("sciences de la vie et de la Terre", D + "1832"),
    ("physique-chimie", D + "1831"),
    ("Physique Chimie", D + "1831"),
    ("EPS", D + "1032"),
    ("anglais", D + "1430"),
    ("langues vivantes", D + "1430"),
    ("français", D + "1333"),
    ("technologie", D + "1834"),
    ("arts plastiques", D + "1179"),
    ("éducation musicale", D + "1200"),
    ("musique", D + "1200"),
    ("EMC", D + "1548"),
    ("histoire des arts", D + "1228"),
    # A programme topic names its discipline: the matcher returns the discipline.
    ("mathématiques (cycle 4)", D + "919"),
    ("histoire (CM1)", D + "980"),
]


@pytest.mark.parametrize(("text", "discipline_id"), DISCIPLINES)
def test_discipline_words_match_a_current_discipline(
    vocab: Vocabulary, text: str, discipline_id: str
) -> None:
    found = vocab.match_discipline(text)
    assert found is not None, text
    assert found.vocab == "015" and found.current
    assert found.id == discipline_id
    discipline = vocab.discipline_of(found.id)
    assert discipline is not None
    assert discipline.id in {d.id for d in vocab.disciplines()}


def test_svt_is_the_svt_discipline(vocab: Vocabulary) -> None:
    found = vocab.match_discipline("SVT")
    assert found is not None
    assert found.label == "sciences de la vie et de la Terre (discipline)"


LYCEE_FALLBACKS = [
    ("philosophie", D + "059", "philosophie"),
    ("SES", D + "070", "sciences économiques et sociales"),
    ("NSI", D + "660", "informatique et sciences du numérique (enseignement de spécialité)"),
    ("enseignement scientifique", D + "066", "sciences"),
    ("latin", D + "1848", "langues et cultures de l'Antiquité (latin) (lycée 2015)"),
]


@pytest.mark.parametrize(("text", "concept_id", "label"), LYCEE_FALLBACKS)
def test_lycee_subjects_fall_back_to_the_documented_current_concept(
    vocab: Vocabulary, text: str, concept_id: str, label: str
) -> None:
    assert_current_concept(vocab.match_discipline(text), text, "015", concept_id, label)
    readme = (Path(__file__).parents[2] / "schemas" / "mappings" / "README.md").read_text()
    assert concept_id in readme


@pytest.mark.parametrize(
    "text",
    ["bonjour", "Histoire de France", "Première Guerre mondiale", "", "   ", "x" * 10_000, "6"],
)
def test_unknown_or_partial_text_matches_nothing(vocab: Vocabulary, text: str) -> None:
    assert vocab.match_level(text) is None
    assert vocab.match_discipline(text) is None


def test_label_shared_by_obsolete_and_current_concept_gives_the_current_one(
    vocab: Vocabulary,
) -> None:
    # "cycle 3" is the prefLabel of the obsolete 2008 cycle and an altLabel of the 2016 cycle.
    old = vocab.concept(C + "012")
    assert old is not None and old.label == "cycle 3" and not old.current
    assert old.status == "Obsolète"
    found = vocab.match_level("cycle 3")
    assert found is not None and found.current and found.id == C + "620"
    # "mathématiques" exists only as two Ancien concepts; the current discipline wins.
    olds = [c for c in vocab.all_concepts("015") if c.label == "mathématiques"]
    assert len(olds) == 2 and not any(c.current for c in olds)
    maths = vocab.match_discipline("mathématiques")
    assert maths is not None and maths.current and maths.id == D + "919"
    # A deprecated concept and its current twin share a prefLabel: lookup returns the current one.
    label = "qualités physiques des matériaux (arts plastiques cycle 3)"
    twins = [c for c in vocab.all_concepts("015") if c.label == label]
    assert {(c.id, c.current) for c in twins} == {(D + "1135", True), (D + "1139", False)}
    assert [c.id for c in vocab.lookup(label, "015")] == [D + "1135"]


@pytest.fixture(scope="module")
def bare_vocab(vocab: Vocabulary, tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    """The same SKOS data with no mapping files: shows what the SKOS labels alone give."""
    empty = tmp_path_factory.mktemp("no-mappings")
    return build_vocabulary(
        cache_dir=tmp_path_factory.getbasetemp() / "scolomfr-cache", mappings_dir=empty
    )


def test_current_beats_obsolete_without_any_synonym_data(bare_vocab: Vocabulary) -> None:
    level = bare_vocab.match_level("cycle 3")
    assert level is not None and level.id == C + "620"
    # "mathématiques" is the prefLabel of two Ancien concepts only; the current concepts whose
    # label is "mathématiques" plus a version qualifier come back instead.
    found = bare_vocab.lookup("mathématiques", "015")
    assert D + "919" in {c.id for c in found}
    assert all(c.current for c in found)
    assert not {D + "054", D + "170"} & {c.id for c in found}


def test_labels_shared_by_several_current_concepts_are_not_guessed(
    bare_vocab: Vocabulary, vocab: Vocabulary
) -> None:
    # SKOS gives "2de" to 2de générale et technologique and to 2de professionnelle.
    assert {c.id for c in bare_vocab.lookup("2de", "022")} == {C + "027", C + "136"}
    assert bare_vocab.match_level("2de") is None
    # The synonyms file settles it.
    settled = vocab.match_level("2de")
    assert settled is not None and settled.id == C + "136"


def test_matching_is_on_whole_labels_only(vocab: Vocabulary) -> None:
    assert vocab.match_level("CM2 et CM1") is None
    assert vocab.match_discipline("cours de mathématiques") is None
    assert vocab.match_level("classe de CM2") is not None  # a real altLabel


def test_resource_types_match_by_id_and_label(vocab: Vocabulary) -> None:
    exercise = vocab.match_resource_type("exercice")
    assert exercise is not None and exercise.vocab == "010"
    assert vocab.resource_type(exercise.uri) == exercise
    assert vocab.resource_type(C + "015") is None
    assert vocab.match_resource_type("bonjour") is None


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Sixième", "sixieme"),
        ("6ème", "6e"),
        ("6ieme", "6e"),
        ("1ère", "1e"),
        ("1re", "1e"),
        ("2nde", "2e"),
        ("Histoire-Géo", "histoire geo"),
        ("  sciences   de la vie  ", "sciences de la vie"),
        ("cœur", "coeur"),
        ("L'écrit", "l ecrit"),
        ("", ""),
    ],
)
def test_normalize_label(raw: str, normalised: str) -> None:
    assert normalize_label(raw) == normalised
