"""The search mix: at least 200 queries of five kinds, deterministic, built from the corpus words.

Kinds (each with facets computed and a 20-result page with snippets):

- ``text``: one to three topic words ("volcans", "révolution française", "théorème pythagore");
- ``text_1f``: words and one filter (level, discipline, type, licence, partner or language);
- ``text_3f``: words and three filters from three groups;
- ``browse``: no words, zero to two filters (facet navigation);
- ``broad``: one very common word ("ressource", "élève", "histoire"), matching most records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench import words as w
from bench.corpus import PARTNERS

LEVEL_IDS = (
    "scolomfr-voc-022-num-620",  # cycle 3
    "scolomfr-voc-022-num-621",  # cycle 4
    "scolomfr-voc-022-num-619",  # cycle 2
    "scolomfr-voc-022-num-015",  # CM2
    "scolomfr-voc-022-num-018",  # 6e
    "scolomfr-voc-022-num-023",  # 3e
    "scolomfr-voc-022-num-136",  # 2de
    "scolomfr-voc-022-num-142",  # lycée
    "scolomfr-voc-022-num-016",  # collège
    "scolomfr-voc-022-num-008",  # école élémentaire
)
DISCIPLINE_IDS = (
    "scolomfr-voc-015-num-919",  # mathématiques
    "scolomfr-voc-015-num-980",  # histoire et géographie
    "scolomfr-voc-015-num-1832",  # SVT
    "scolomfr-voc-015-num-1831",  # physique-chimie
    "scolomfr-voc-015-num-1333",  # français
    "scolomfr-voc-015-num-1430",  # langues vivantes
    "scolomfr-voc-015-num-1834",  # technologie
)
TYPE_IDS = (
    "http://purl.org/dc/dcmitype/Text",
    "http://purl.org/dc/dcmitype/MovingImage",
    "http://purl.org/dc/dcmitype/StillImage",
    "http://purl.org/dc/dcmitype/Sound",
)
LICENCE_CODES = ("lo-2.0", "cc-by-4.0", "cc-by-sa-4.0", "public-domain")
LANGUAGE_CODES = ("fr", "en")
GROUPS: dict[str, tuple[str, ...]] = {
    "level": LEVEL_IDS,
    "discipline": DISCIPLINE_IDS,
    "type": TYPE_IDS,
    "licence": LICENCE_CODES,
    "partner": tuple(p.id for p in PARTNERS),
    "language": LANGUAGE_CODES,
}
BROAD = ("ressource", "élève", "document", "histoire", "classe", "activité", "carte", "eau",
         "étude", "France")
MIX = {"text": 70, "text_1f": 50, "text_3f": 40, "browse": 30, "broad": 30}


@dataclass(frozen=True)
class Query:
    kind: str
    q: str
    filters: dict[str, list[str]] = field(default_factory=dict)

    def params(self) -> list[tuple[str, str]]:
        """Query-string arguments for ``/api/v1/resources``."""
        items = [("q", self.q)] if self.q else []
        items += [(group, value) for group, values in self.filters.items() for value in values]
        return items

    def url(self, base: str) -> str:
        query = urlencode(self.params())
        return f"{base}/api/v1/resources" + (f"?{query}" if query else "")

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "q": self.q, "filters": self.filters}


def _words(rng: random.Random) -> str:
    d = rng.choice(w.DISCIPLINES)
    if rng.random() < 0.5:
        topic = rng.choice(d.topics)
        stop = {"le", "la", "les", "l", "de", "des", "du", "d", "à", "et", "en"}
        parts = [p for p in topic.replace("'", " ").split() if p.lower() not in stop]
        return " ".join(parts[: rng.randint(1, 3)])
    picks = rng.sample(d.keywords, rng.randint(1, 2))
    return " ".join(picks)


def _filters(rng: random.Random, count: int) -> dict[str, list[str]]:
    groups = rng.sample(sorted(GROUPS), count)
    return {g: [rng.choice(GROUPS[g])] for g in groups}


def build_queries(seed: int = 7) -> list[Query]:
    """The 220-query mix in a fixed shuffled order."""
    rng = random.Random(seed)
    queries: list[Query] = []
    for _ in range(MIX["text"]):
        queries.append(Query("text", _words(rng)))
    for _ in range(MIX["text_1f"]):
        queries.append(Query("text_1f", _words(rng), _filters(rng, 1)))
    for _ in range(MIX["text_3f"]):
        queries.append(Query("text_3f", _words(rng), _filters(rng, 3)))
    for _ in range(MIX["browse"]):
        queries.append(Query("browse", "", _filters(rng, rng.randint(0, 2))))
    for _ in range(MIX["broad"]):
        queries.append(Query("broad", rng.choice(BROAD)))
    rng.shuffle(queries)
    return queries
