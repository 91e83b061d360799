"""The compiled model: current flags, trees, expansions, replacements, examples."""

from __future__ import annotations

import io
import re

import pytest

from core.xmlsafe import parse_xml
from schemas.vocabularies import (
    SKOS_DIR,
    Vocabulary,
    format_trees,
    print_trees,
)

from .conftest import DATA

C = "scolomfr-voc-022-num-"
D = "scolomfr-voc-015-num-"
BASE = "http://data.education.fr/voc/scolomfr/concept/"

THE_17 = {
    D + n
    for n in (
        "1032", "1109", "1179", "1200", "1228", "1333", "1430", "1548", "1831",
        "1832", "1833", "1834", "908", "909", "919", "968", "980",
    )
}  # fmt: skip


def test_shipped_files_and_notice() -> None:
    names = {p.name for p in SKOS_DIR.iterdir()}
    for needed in ("22.rdf", "12.rdf", "15.rdf", "10.rdf", "05.rdf", "04.rdf", "28.rdf"):
        assert needed in names
    assert "conceptsDeprecies.xml" in names
    notice = (SKOS_DIR / "NOTICE.md").read_text()
    for fact in ("CC BY-SA 3.0 FR", "MENESR-DNE", "Réseau Canopé", "jdpro/scolomfr-recette",
                 "e8c491e", "3.2.0"):  # fmt: skip
        assert fact in notice


def test_the_17_current_disciplines(vocab: Vocabulary) -> None:
    disciplines = vocab.disciplines()
    assert {d.id for d in disciplines} == THE_17
    for d in disciplines:
        assert d.current and d.kind == "discipline" and d.vocab == "015"
        assert d.label.endswith("(discipline)")
        assert vocab.discipline_of(d.id) == d


def test_current_flags_follow_status_and_the_2015_collection(vocab: Vocabulary) -> None:
    levels = vocab.all_concepts("022")
    assert sum(c.current for c in levels) == 110
    assert {c.status for c in levels if not c.current} == {"Obsolète"}
    topics = vocab.all_concepts("015")
    assert sum(c.current for c in topics) == 3448
    assert {c.status for c in topics if not c.current} == {"Ancien", "Déprécié"}
    assert all(c.current and c.vocab == "022" for c in vocab.levels())
    assert len(vocab.levels()) == 110


def test_kinds(vocab: Vocabulary) -> None:
    kinds = {cid: vocab.concept(C + cid).kind for cid in ("015", "016", "620", "239", "012")}  # type: ignore[union-attr]
    assert kinds == {"015": "class", "016": "stage", "620": "cycle", "239": "other", "012": "cycle"}
    assert vocab.concept(D + "3081").kind == "topic"  # type: ignore[union-attr]
    assert vocab.concept(D + "919").kind == "discipline"  # type: ignore[union-attr]
    assert vocab.concept("scolomfr-voc-010-num-001").kind == ""  # type: ignore[union-attr]


def _children(vocab: Vocabulary, concept_id: str) -> list[str]:
    for node in vocab.level_tree():
        if node.concept.id == concept_id:
            return [child.concept.label for child in node.children]
    raise AssertionError(f"{concept_id} is not a root of the level tree")


def test_level_tree_shape(vocab: Vocabulary) -> None:
    assert _children(vocab, C + "002") == [
        "toute petite section", "petite section", "moyenne section", "grande section",
    ]  # fmt: skip
    assert _children(vocab, C + "008") == ["CP", "CE1", "CE2", "CM1", "CM2"]
    assert _children(vocab, C + "016") == ["6e", "5e", "4e", "3e"]
    assert _children(vocab, C + "142") == [
        "2de générale et technologique",
        "1re générale et technologique",
        "terminale générale et technologique",
    ]
    assert _children(vocab, C + "617") == [
        "toute petite section", "petite section", "moyenne section", "grande section",
    ]  # fmt: skip
    assert _children(vocab, C + "619") == ["CP", "CE1", "CE2"]
    assert _children(vocab, C + "620") == ["CM1", "CM2", "6e"]
    assert _children(vocab, C + "621") == ["5e", "4e", "3e"]
    vocational = _children(vocab, C + "165")
    assert "voie CAP" in vocational and "2de professionnelle" in vocational
    assert _children(vocab, C + "195") == ["BTS - 1re année", "BTS - 2e année"]
    roots = [n.concept for n in vocab.level_tree()]
    assert all(c.current for c in roots)
    assert [c.kind for c in roots] == sorted((c.kind for c in roots), key=lambda k: k == "cycle")


def test_level_expansion(vocab: Vocabulary) -> None:
    assert vocab.level_expansion(C + "015") == [C + "015", C + "008", C + "620"]  # CM2
    assert vocab.level_expansion(C + "018") == [C + "018", C + "016", C + "620"]  # 6e
    terminale_s = vocab.level_expansion(BASE + C + "042")
    assert terminale_s[0] == C + "042"
    assert {C + "201", C + "088", C + "142", C + "085"} <= set(terminale_s)
    # An obsolete cycle resolves through its replacement; a cycle sits under the stages of its
    # classes, never under the grouping concepts ("cycles de la scolarité obligatoire").
    assert vocab.level_expansion(C + "012") == [C + "620", C + "008", C + "016"]
    assert vocab.level_expansion(D + "919") == []
    assert vocab.level_expansion("nonsense") == []


def test_level_members(vocab: Vocabulary) -> None:
    college = vocab.level_members(C + "016")
    assert college[0] == C + "016"
    assert {C + "018", C + "020", C + "021", C + "023", C + "608"} <= set(college)
    assert vocab.level_members(C + "620") == [C + "620", C + "014", C + "015", C + "018"]
    assert vocab.level_members(C + "015") == [C + "015"]
    # A stage holds its classes and the cycles taught in it (cycle 2 and cycle 3 for élémentaire).
    assert set(vocab.level_members(C + "008")) == {
        C + n for n in ("008", "010", "011", "013", "014", "015", "619", "620")}
    assert {C + "620", C + "621"} <= set(college)


def test_expansion_and_members_are_inverse(vocab: Vocabulary) -> None:
    for level in vocab.levels():
        for target in vocab.level_expansion(level.id):
            assert level.id in vocab.level_members(target), (level.id, target)
            found = vocab.concept(target)
            assert found is not None and found.current


def test_concept_accepts_ids_uris_and_stray_spaces(vocab: Vocabulary) -> None:
    cm2 = vocab.concept(C + "015")
    assert cm2 is not None
    assert cm2.uri == BASE + C + "015" and cm2.label == "CM2" and cm2.vocab == "022"
    for form in (BASE + C + "015", f" {C}015 ", "scolomfr-voc-022- num-015", "SCOLOMFR-VOC-022-NUM-015",
                 "https://data.education.fr/voc/scolomfr/concept/scolomfr-voc-022-num-015"):  # fmt: skip
        assert vocab.concept(form) == cm2, form
    assert vocab.concept("scolomfr-voc-022-num-99999") is None
    assert vocab.concept(C + "626") is None  # a collection, not a concept
    assert vocab.is_collection(BASE + C + "626")


def test_deprecated_ids_are_replaced(vocab: Vocabulary) -> None:
    old = vocab.concept(D + "938")
    assert old is not None and not old.current and old.status == "Déprécié"
    assert old.replaced_by == D + "1828"
    resolved = vocab.resolve(BASE + D + "938")
    assert resolved is not None and resolved.id == D + "1828" and resolved.current
    # conceptsDeprecies.xml names this concept num-3700 in TERME/ID: accepted as an alias.
    alias = vocab.resolve(D + "3700")
    assert alias is not None and alias.id == D + "1828"
    resolved = vocab.resolve(D + "1139")
    assert resolved is not None and resolved.id == D + "1135"
    # Ancien 2008 concepts split over several replacements resolve to the common discipline.
    resolved = vocab.resolve(D + "054")
    assert resolved is not None and resolved.id == D + "919"
    # Obsolete 2008 cycles have no official replacement: the catalogue's table decides.
    resolved = vocab.resolve(C + "012")
    assert resolved is not None and resolved.id == C + "620"
    current = vocab.resolve(C + "015")
    assert current is not None and current.id == C + "015"
    assert vocab.resolve("bonjour") is None


def test_discipline_of(vocab: Vocabulary) -> None:
    found = vocab.discipline_of(D + "3081")  # a 3e history topic
    assert found is not None and found.id == D + "980"
    found = vocab.discipline_of(D + "1843")  # mathématiques (lycée 2015), via discipline_parents.tsv
    assert found is not None and found.id == D + "919"
    found = vocab.discipline_of(D + "1622")  # anglais (LVER): several broader paths
    assert found is not None and found.id == D + "1430"
    assert vocab.discipline_of(D + "059") is None  # philosophie: no discipline
    assert vocab.discipline_of(C + "015") is None


def test_mapping_files_point_at_current_concepts(vocab: Vocabulary) -> None:
    assert vocab.mapping_problems() == []


def test_format_and_print_trees(vocab: Vocabulary) -> None:
    text = format_trees(vocab)
    assert "- collège  [scolomfr-voc-022-num-016]" in text
    assert "    - 6e  [scolomfr-voc-022-num-018]" in text
    assert "- cycle 3 (2016)  [scolomfr-voc-022-num-620]" in text
    assert "Disciplines (scolomfr-voc-015, 17 current)" in text
    for d in vocab.disciplines():
        assert f"{d.label}  [{d.id}]" in text
    assert "cycle d'adaptation" not in text  # obsolete concepts are not shown
    out = io.StringIO()
    print_trees(vocab, out)
    assert out.getvalue() == text


_ID = re.compile(r"scolomfr-voc-(\d{3})-num-\d+")
SHIPPED = {"001", "004", "005", "010", "012", "015", "022", "028"}


@pytest.mark.parametrize(
    "name", ["ExempleManuelReferenceScoLOMFRv3-1.xml", "ExempleManuelReferenceScoLOMFRv3-2.xml"]
)
def test_official_example_ids_resolve_to_current_concepts(vocab: Vocabulary, name: str) -> None:
    root = parse_xml((DATA / name).read_bytes())
    values = {" ".join(str(t).split()) for t in root.itertext() if _ID.search(str(t))}
    ids = {m.group(0) for v in values for m in _ID.finditer(v) if m.group(1) in SHIPPED}
    assert {C + "016", C + "023", D + "980", D + "1007", D + "3081"} <= ids
    for concept_id in ids:
        if vocab.is_collection(concept_id):
            continue
        resolved = vocab.resolve(concept_id)
        assert resolved is not None and resolved.current, concept_id
        assert resolved.id == concept_id  # the examples use current concepts only
