"""Where a level or discipline came from, said in French for teachers, curators and partners.

Every aligned value carries a ``provenance`` and a ``basis`` (see :mod:`schemas.alignment`). This
module turns them into words: the short name of each origin (for counts on partner pages and in
``catalogue quality``) and one explanation per value (resource pages, ``catalogue curate --list``,
JSON-LD ``educationalAlignment`` descriptions, LOM classification descriptions). One function
for all of them, so a default can never be worded as a partner's statement in one place and
not in another.
"""

from __future__ import annotations

import re
from typing import Any

# Strongest first, as in schemas.alignment.PRIORITY.
ORIGINS = ("curation", "source", "rule", "inferred", "default")
# Short names, for counts ("12 notices : niveau par défaut").
ORIGIN_LABELS = {
    "source": "déclaré par le partenaire",
    "rule": "classification du partenaire",
    "inferred": "d'après le contenu",
    "default": "par défaut",
    "curation": "corrigé",
}
DEFAULT_TEXT = "indiqué par défaut pour ce partenaire"
SOURCE_TEXT = "déclaré par le partenaire"
CURATION_TEXT = "corrigé par l'équipe éditoriale"
# Partner classification schemes named in a "rule" basis "<scheme>:<value>".
_SCHEMES = {
    "dewey": "d'après la classification Dewey du partenaire",
    "canalu": "d'après la classification Canal-U du partenaire",
    "inspire": "d'après le thème INSPIRE du partenaire",
    "gemet": "d'après le mot-clé GEMET du partenaire",
    "iso": "d'après la catégorie ISO 19115 du partenaire",
    "dcat": "d'après le thème DCAT du partenaire",
    "tag": "d'après le mot-clé du partenaire",
}
_LEVEL_WORD = re.compile(
    r"^(?:cycle|\d|CP|CE\d|CM\d|\d+(?:e|re|de)|2de|1re|terminale|seconde|première|"
    r"(?:CP|CE\d|CM\d|\d+e|1re|2de)[-–](?:CP|CE\d|CM\d|\d+e|1re|2de|terminale))$",
    re.IGNORECASE,
)
_QUALIFIED = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")
_VOWEL = re.compile(r"^[aeiouyhàâäéèêëîïôöûüœ]", re.IGNORECASE)


def _of(word: str) -> str:
    """French "de" with elision: "d'histoire", "de mathématiques"."""
    return f"d'{word}" if _VOWEL.match(word) else f"de {word}"


def _quote(text: str) -> str:
    return f"« {' '.join(text.split())} »"


def parse_basis(basis: str | None) -> tuple[str, str, dict[str, str]]:
    """``"programme:X;words=a,b;score=0.8"`` → ``("programme", "X", {"words": "a,b", …})``."""
    parts = [p for p in (basis or "").split(";") if p.strip()]
    if not parts:
        return "", "", {}
    kind, _, value = parts[0].partition(":")
    options: dict[str, str] = {}
    for part in parts[1:]:
        key, _, text = part.partition("=")
        options[key.strip()] = text.strip()
    return kind.strip(), value.strip(), options


def _concept_label(vocab: Any, concept_id: str) -> str | None:
    concept = vocab.concept(concept_id) if vocab is not None and concept_id else None
    return str(concept.label) if concept is not None else None


def _programme(vocab: Any, concept_id: str) -> str:
    """"d'après le programme d'histoire de 4e : « la Révolution française et l'Empire »"."""
    label = _concept_label(vocab, concept_id)
    if not label:
        return "d'après un programme scolaire"
    match = _QUALIFIED.match(label)
    if not match:
        parent = vocab.discipline_of(concept_id)
        if parent is None or parent.id == concept_id:
            return f"d'après le programme {_quote(label)}"
        subject = re.sub(r"\s*\(discipline\)$", "", str(parent.label))
        return f"d'après le programme {_of(subject)} : {_quote(label)}"
    words = match["qualifier"].split()
    level: list[str] = []
    while words and _LEVEL_WORD.match(words[-1]):
        level.insert(0, words.pop())
    subject = " ".join(words)
    text = f"d'après le programme {_of(subject)}" if subject else "d'après le programme"
    if level:
        grade = " ".join(level)
        text += f" du {grade}" if grade.lower().startswith("cycle") else f" {_of(grade)}"
    return f"{text} : {_quote(match['name'])}"


def _evidence(options: dict[str, str]) -> str:
    """" — mots : révolution, 1789 — période : 1789-1815" from a basis' optional parts."""
    out = ""
    words = [w.strip() for w in options.get("words", "").split(",") if w.strip()]
    if words:
        out += " — mots : " + ", ".join(words)
    period = options.get("period", "")
    if period:
        start, _, end = period.partition("/")
        out += " — période : " + (start if start == end or not end else f"{start}-{end}")
    return out


def _rule(vocab: Any, kind: str, value: str) -> str:
    if kind in _SCHEMES:
        return f"{_SCHEMES[kind]} ({value})" if value else _SCHEMES[kind]
    if kind == "keyword":
        return f"d'après les mots-clés du partenaire : {_quote(value)}"
    if kind == "voc-012":
        label = _concept_label(vocab, value) or value
        return f"d'après le contexte d'enseignement déclaré par le partenaire ({label})"
    return "d'après la classification du partenaire"


def explain(entry: dict[str, Any], vocab: Any = None) -> str:
    """Why a level or discipline is there, in French, from its provenance and basis.

    ``vocab`` (a :class:`~schemas.vocabularies.Vocabulary`) names the programme concepts and
    ScoLOMFR ids that a basis cites; without it the explanation stays general.
    """
    provenance = str(entry.get("provenance") or "")
    kind, value, options = parse_basis(entry.get("basis"))
    if provenance == "default":
        return DEFAULT_TEXT
    if provenance == "curation":
        return CURATION_TEXT
    if kind == "discipline-of":
        label = _concept_label(vocab, value)
        topic = f" {_quote(label)}" if label else ""
        where = "déclaré par le partenaire" if provenance in ("source", "rule") else "trouvé dans le contenu"
        return f"discipline du thème{topic} {where}"
    if provenance == "source":
        return SOURCE_TEXT
    if provenance == "rule":
        return _rule(vocab, kind, value)
    if provenance == "inferred":
        if kind == "programme":
            return _programme(vocab, value) + _evidence(options)
        if kind == "lexicon":
            return f"d'après le contenu : le terme {_quote(value)}" + _evidence(options)
        if kind == "cue":
            return f"d'après le texte de la notice : {_quote(value)}"
        return "d'après le contenu de la ressource" + _evidence(options)
    return "origine non précisée"


def origin_label(provenance: str | None) -> str:
    return ORIGIN_LABELS.get(str(provenance or ""), "origine non précisée")


def is_default(entry: dict[str, Any]) -> bool:
    return entry.get("provenance") == "default"


def known(entries: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The values that say something about the resource itself (every origin but ``default``)."""
    return [e for e in entries or [] if not is_default(e)]


LICENCE_DEFAULT_TEXT = ("aucune licence indiquée par le partenaire : droits non évalués "
                        "(« Copyright Not Evaluated »), mention ajoutée par le catalogue")


def explain_licence(licence: dict[str, Any] | None) -> str:
    """Where a record's rights statement came from, in French (resource page, JSON-LD, LOM):
    a CNE added by the catalogue must never read as the partner's statement."""
    if not licence:
        return ""
    provenance = licence.get("provenance")
    if provenance == "default":
        return LICENCE_DEFAULT_TEXT
    if provenance == "rule":
        return (f"d'après la mention du partenaire « {licence.get('label')} », exprimée par le "
                "catalogue en déclaration de droits normalisée")
    if provenance == "source":
        return "licence indiquée par le partenaire"
    return ""


__all__ = ["DEFAULT_TEXT", "LICENCE_DEFAULT_TEXT", "ORIGINS", "ORIGIN_LABELS", "explain",
           "explain_licence", "is_default", "known", "origin_label", "parse_basis"]
