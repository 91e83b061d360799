"""The French explanation of every origin, and unmatched terms that really matched nothing."""

from __future__ import annotations

import pytest

from schemas.alignment import align
from schemas.provenance import DEFAULT_TEXT, explain, parse_basis
from schemas.vocabularies import Vocabulary

D = "scolomfr-voc-015-num-"
HG = D + "980"
REVOLUTION = D + "3075"  # la Révolution française et l'Empire (histoire 4e)


@pytest.mark.parametrize(
    ("provenance", "basis", "expected"),
    [
        ("inferred", f"programme:{REVOLUTION};words=révolution,1789;score=0.83",
         "d'après le programme d'histoire de 4e : « la Révolution française et l'Empire » "
         "— mots : révolution, 1789"),
        ("inferred", f"programme:{REVOLUTION};period=1789/1815",
         "d'après le programme d'histoire de 4e : « la Révolution française et l'Empire » "
         "— période : 1789-1815"),
        ("inferred", f"programme:{REVOLUTION};period=1792/1792",
         "d'après le programme d'histoire de 4e : « la Révolution française et l'Empire » "
         "— période : 1792"),
        ("inferred", "lexicon:dérivée;score=0.9", "d'après le contenu : le terme « dérivée »"),
        ("inferred", "cue:en classe de 5e", "d'après le texte de la notice : « en classe de 5e »"),
        ("rule", "dewey:944", "d'après la classification Dewey du partenaire (944)"),
        ("rule", "keyword:CM2", "d'après les mots-clés du partenaire : « CM2 »"),
        ("rule", "iso:farming", "d'après la catégorie ISO 19115 du partenaire (farming)"),
        ("rule", "voc-012:scolomfr-voc-012-num-003",
         "d'après le contexte d'enseignement déclaré par le partenaire (enseignement secondaire)"),
        ("rule", f"discipline-of:{REVOLUTION}",
         "discipline du thème « la Révolution française et l'Empire (histoire 4e) » déclaré par le "
         "partenaire"),
        ("source", "scolomfr:http://data.education.fr/voc/scolomfr/concept/x", "déclaré par le partenaire"),
        ("default", "source-default", DEFAULT_TEXT),
        ("curation", "curation:anne", "corrigé par l'équipe éditoriale"),
    ],
)  # fmt: skip
def test_explanations(vocab: Vocabulary, provenance: str, basis: str, expected: str) -> None:
    assert explain({"provenance": provenance, "basis": basis}, vocab) == expected


def test_programme_qualifiers_name_discipline_and_class_or_cycle(vocab: Vocabulary) -> None:
    cycle = next(c for c in vocab.all_concepts("015")
                 if c.current and c.label.endswith("(mathématiques cycle 3)"))
    name = cycle.label.rsplit(" (", 1)[0]
    assert explain({"provenance": "inferred", "basis": f"programme:{cycle.id}"}, vocab) == \
        f"d'après le programme de mathématiques du cycle 3 : « {name} »"
    assert parse_basis(f"programme:{cycle.id};words=a,b;score=0.5") == (
        "programme", cycle.id, {"words": "a,b", "score": "0.5"})


def test_a_default_is_never_worded_as_a_statement(vocab: Vocabulary) -> None:
    for basis in ("source-default", "dewey:944", f"programme:{REVOLUTION}", None):
        assert explain({"provenance": "default", "basis": basis}, vocab) == DEFAULT_TEXT
    for provenance in ("source", "rule", "inferred", "curation"):
        assert "défaut" not in explain({"provenance": provenance, "basis": "dewey:944"}, vocab)


def test_explanations_without_vocabulary_stay_general() -> None:
    assert explain({"provenance": "inferred", "basis": f"programme:{REVOLUTION}"}) == \
        "d'après un programme scolaire"
    assert explain({"provenance": "rule", "basis": "mystery:x"}) == \
        "d'après la classification du partenaire"


def test_a_text_that_gave_a_value_is_not_unmatched(vocab: Vocabulary) -> None:
    # The same text reaches the alignment twice: as an INSPIRE theme (the table maps it) and as a
    # free label (the label matcher knows nothing of it). It gave a value: not "unmatched".
    record = {"keywords": [{"value": "Usage des sols", "thesaurus": "GEMET - INSPIRE themes"}]}
    _, disciplines, unmatched = align(record, {"labels": ["Usage des sols", "Plouguerneau"]}, vocab=vocab)
    assert [d["basis"] for d in disciplines] == ["inspire:Usage des sols"]
    assert unmatched == ["keyword:Plouguerneau"]
    # A Dewey class the table maps, also sent as a keyword, is not listed either.
    _, disciplines, unmatched = align({}, {"dewey": ["944"], "labels": ["944"]}, vocab=vocab)
    assert disciplines[0]["basis"] == "dewey:944" and unmatched == []
