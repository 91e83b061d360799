"""Shared records for the search tests: a few handcrafted ones and a seeded random corpus.

Every record passes ``validate_record``; levels and disciplines are real ScoLOMFR ids taken
from the vocabulary, so hierarchy expansion is exercised for real.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from schemas.record import record_id, validate_record
from schemas.vocabularies import load_vocabulary

# Levels (voc-022)
CP, CE1, CE2, CM1, CM2 = (f"scolomfr-voc-022-num-{n}" for n in ("010", "011", "013", "014", "015"))
SIXIEME, CINQUIEME, QUATRIEME, TROISIEME = (
    f"scolomfr-voc-022-num-{n}" for n in ("018", "020", "021", "023")
)
SECONDE = "scolomfr-voc-022-num-136"
ELEMENTAIRE = "scolomfr-voc-022-num-008"
COLLEGE = "scolomfr-voc-022-num-016"
CYCLE3 = "scolomfr-voc-022-num-620"
# Disciplines (voc-015)
MATHS = "scolomfr-voc-015-num-919"
MATHS_CYCLE3 = "scolomfr-voc-015-num-934"  # a programme topic under mathématiques
HISTGEO = "scolomfr-voc-015-num-980"
PHYSCHIM = "scolomfr-voc-015-num-1831"
SCITECH = "scolomfr-voc-015-num-1833"
SVT = "scolomfr-voc-015-num-1832"
FRANCAIS = "scolomfr-voc-015-num-1333"

URI = "http://data.education.fr/voc/scolomfr/concept/"
TYPES = {
    "http://purl.org/dc/dcmitype/Image": "image",
    "http://purl.org/dc/dcmitype/Text": "texte",
    "http://purl.org/dc/dcmitype/MovingImage": "vidéo",
    "http://purl.org/dc/dcmitype/Dataset": "jeu de données",
}
LICENCES = {
    "lo-2.0": "Licence Ouverte 2.0",
    "cc-by-4.0": "CC BY 4.0",
    "public-domain": "Domaine public",
}
PARTNERS = ("bnf", "ign", "ina", "meteofrance")


@cache
def _labels() -> dict[str, str]:
    vocab = load_vocabulary()
    ids = [CP, CE1, CE2, CM1, CM2, SIXIEME, CINQUIEME, QUATRIEME, TROISIEME, SECONDE,
           MATHS, MATHS_CYCLE3, HISTGEO, PHYSCHIM, SCITECH, SVT, FRANCAIS]
    out = {}
    for concept_id in ids:
        concept = vocab.concept(concept_id)
        assert concept is not None and concept.current, concept_id
        out[concept_id] = concept.label
    return out


def make_record(
    n: str,
    title: str,
    description: str = "",
    *,
    keywords: tuple[str, ...] = (),
    levels: tuple[str, ...] = (),
    disciplines: tuple[str, ...] = (),
    partner: str = "bnf",
    type_id: str = "http://purl.org/dc/dcmitype/Text",
    licence: str | None = "lo-2.0",
    languages: tuple[str, ...] = ("fr",),
    issued: str | None = None,
    datestamp: str = "2024-01-15T00:00:00Z",
    title_lang: str | None = "fr",
) -> dict[str, Any]:
    """A valid shared record; ``n`` makes the identifier (and so the id) unique."""
    labels = _labels()
    source_id = f"{partner}-test"
    data: dict[str, Any] = {
        "id": record_id(source_id, f"oai:test:{n}"),
        "source": {
            "partner": partner,
            "source_id": source_id,
            "identifier": f"oai:test:{n}",
            "datestamp": datestamp,
        },
        "title": [{"value": title, "lang": title_lang}],
        "description": [{"value": description, "lang": "fr"}] if description else [],
        "keywords": [{"value": k, "lang": "fr"} for k in keywords],
        "languages": list(languages),
        "resource_types": [{"id": type_id, "label": TYPES[type_id]}],
        "levels": [
            {"id": lv, "label": labels.get(lv, lv), "provenance": "source"} for lv in levels
        ],
        "disciplines": [
            {"id": d, "label": labels.get(d, d), "provenance": "rule"} for d in disciplines
        ],
        "licence": {"label": LICENCES[licence], "code": licence} if licence else None,
        "dates": {"issued": {"text": issued, "start": issued}} if issued else {},
        "url": f"https://example.org/{partner}/{n}",
    }
    return validate_record(data)


def handcrafted() -> list[dict[str, Any]]:
    """The records the French-text, ranking and escaping tests name."""
    return [
        make_record(
            "revolution", "La Révolution française",
            "Les grandes étapes de 1789 à 1799 : prise de la Bastille, Déclaration des droits "
            "de l'homme et du citoyen, proclamation de la République.",
            keywords=("histoire", "1789"), levels=(QUATRIEME,), disciplines=(HISTGEO,),
            partner="bnf", type_id="http://purl.org/dc/dcmitype/Image", issued="1789",
        ),
        make_record(
            "volcans", "Les volcans d'Auvergne",
            "Carte des volcans de la chaîne des Puys et du massif du Cantal.",
            keywords=("géologie", "Auvergne"), levels=(CM2,), disciplines=(SCITECH,),
            partner="ign", type_id="http://purl.org/dc/dcmitype/Image", licence="cc-by-4.0",
            issued="2015-06",
        ),
        make_record(
            "puys", "La chaîne des Puys",
            "Promenade géologique : chaque volcan de la chaîne est décrit avec ses coulées.",
            levels=(SIXIEME,), disciplines=(SVT,), partner="ign", issued="2012",
        ),
        make_record(
            "solaire", "L'énergie solaire",
            "Comment les panneaux photovoltaïques transforment la lumière du Soleil en "
            "électricité ; activités pour la classe.",
            keywords=("énergie", "développement durable"), levels=(CM1,),
            disciplines=(PHYSCHIM,), partner="meteofrance",
            type_id="http://purl.org/dc/dcmitype/Dataset", issued="2020-03-01",
        ),
        make_record(
            "eolien", "Énergie éolienne et climat",
            "Le vent comme source d'énergie renouvelable.",
            levels=(TROISIEME,), disciplines=(PHYSCHIM,), partner="meteofrance", issued="2021",
        ),
        make_record(
            "fractions", "Les fractions au quotidien",
            "Partager une pizza pour comprendre les fractions.",
            levels=(SIXIEME,), disciplines=(MATHS_CYCLE3,), partner="ina",
            type_id="http://purl.org/dc/dcmitype/MovingImage", issued="2018-09-10",
        ),
        make_record(
            "xss", "<script>alert('x')</script> Le cycle de l'eau & la pluie",
            "Un <b>schéma</b> du cycle de l'eau : évaporation, condensation, précipitations.",
            levels=(CE2,), disciplines=(SCITECH,), partner="meteofrance", issued="2019",
        ),
        make_record(
            "english", "Climate change basics",
            "An introduction to climate change for pupils.",
            languages=("en",), title_lang="en", levels=(SECONDE,), disciplines=(SVT,),
            partner="meteofrance", licence="public-domain", issued="2022",
        ),
    ]


_TOPICS = [
    ("La photosynthèse", SVT), ("Le système solaire", PHYSCHIM), ("Les fractions", MATHS),
    ("La Première Guerre mondiale", HISTGEO), ("Le cycle de l'eau", SCITECH),
    ("La conjugaison du passé simple", FRANCAIS), ("Les fleuves de France", HISTGEO),
    ("Les angles et les triangles", MATHS_CYCLE3), ("La digestion", SVT),
    ("Les châteaux forts", HISTGEO), ("La météo des montagnes", PHYSCHIM),
    ("Les contes de Perrault", FRANCAIS),
]
_ASPECTS = ["fiche élève", "carte", "exercices", "dossier documentaire", "vidéo", "affiche",
            "séquence", "évaluation"]
_WORDS = [
    "élève", "classe", "observer", "comprendre", "document", "source", "carte", "image",
    "archive", "région", "paysage", "histoire", "science", "mesure", "expérience", "village",
    "ville", "rivière", "montagne", "forêt", "climat", "saison", "lecture", "écriture",
    "calcul", "nombre", "figure", "temps", "époque", "roi", "peuple",
]
_LEVELS = [CP, CE1, CE2, CM1, CM2, SIXIEME, CINQUIEME, QUATRIEME, TROISIEME, SECONDE]


def generated(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` varied records; titles and dates repeat on purpose (ties in sorts)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        topic, discipline = rng.choice(_TOPICS)
        title = f"{topic} : {rng.choice(_ASPECTS)}" if rng.random() < 0.8 else topic
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 30))]
        levels = tuple(rng.sample(_LEVELS, rng.choice((0, 1, 1, 2))))
        disciplines = (discipline,) if rng.random() < 0.85 else ()
        year = rng.choice([None, "1850", "1914", "1990", "2005", "2019", "2023-05", "2023-05-02"])
        out.append(make_record(
            f"gen{i}", title, " ".join(words).capitalize() + ".",
            keywords=tuple(rng.sample(["patrimoine", "sciences", "géographie", "lecture",
                                       "calcul", "citoyenneté"], rng.randint(0, 2))),
            levels=levels, disciplines=disciplines, partner=rng.choice(PARTNERS),
            type_id=rng.choice(list(TYPES)), licence=rng.choice([*LICENCES, None]),
            languages=rng.choice([("fr",), ("fr",), ("fr",), ("en",), ("fr", "oc"), ()]),
            issued=year,
            datestamp=f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00Z",
        ))
    return out


def corpus(count: int = 120) -> list[dict[str, Any]]:
    return handcrafted() + generated(count)


def by_n(records: list[dict[str, Any]], n: str) -> dict[str, Any]:
    """The record made with identifier ``oai:test:<n>``."""
    return next(r for r in records if r["source"]["identifier"] == f"oai:test:{n}")
