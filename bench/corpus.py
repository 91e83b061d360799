"""A deterministic, realistic corpus of partner records, generated on the fly.

Why on the fly: a million records must not need a million records in memory, and two runs with
the same seed must see byte-identical feeds. Record ``i`` is a pure function of
``(seed, i, version)``; a page is generated when it is asked for.

Generations model a partner's life between two harvests:

- generation 1: every record at version 1, with a datestamp spread over 2012–2024;
- generation 2: 1 % of the records changed (``i % 100 == 37``: version 2, new text, a
  datestamp at the moment generation 2 was published) and 0.1 % deleted (``i % 1000 == 503``:
  an OAI ``status="deleted"`` header with the same new datestamp). An OAI ``from`` after 2024
  therefore lists exactly the changes, as a real repository would.

Records are split between partners in contiguous ranges (one OAI source per partner).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import TypeVar
from xml.sax.saxutils import escape

from bench import words as w

SEED = 20_250_101
GEN1_START = datetime(2012, 1, 1, tzinfo=UTC)
GEN1_END = datetime(2024, 12, 31, tzinfo=UTC)
_GEN1_SPAN = int((GEN1_END - GEN1_START).total_seconds())
CHANGED_MOD, CHANGED_REM = 100, 37
DELETED_MOD, DELETED_REM = 1000, 503
T = TypeVar("T")


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    domain: str
    share: int  # weight of the corpus this partner holds


PARTNERS: tuple[Partner, ...] = (
    Partner("bnf", "BnF / Gallica", "gallica.bnf.fr", 32),
    Partner("ina", "INA", "fresques.ina.fr", 18),
    Partner("canope", "Réseau Canopé", "www.reseau-canope.fr", 16),
    Partner("lumni", "Lumni", "www.lumni.fr", 14),
    Partner("ign", "IGN", "geoservices.ign.fr", 11),
    Partner("meteofrance", "Météo-France", "meteofrance.com", 9),
)


@dataclass(frozen=True)
class Slice:
    """The records ``[start, stop)`` of the corpus, published by one partner."""

    partner: Partner
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start


def _cum(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


# Zipf-like weights: a few very common words, a long tail, as in real descriptions.
_GENERAL_CUM = _cum([1.0 / (r + 1) ** 0.8 for r in range(len(w.GENERAL))])
_TYPE_CUM = _cum([float(x) for _, x in w.TYPES])
_LICENCE_CUM = _cum([float(x) for _, x in w.LICENCES])
_LANGUAGE_CUM = _cum([float(x) for _, x in w.LANGUAGES])
_STAGE_CUM = _cum([float(x) for x in w.STAGE_WEIGHTS])
_DISCIPLINE_CUM = _cum([1.0 / (r + 1) ** 0.6 for r in range(len(w.DISCIPLINES))])


def _pick(rng: random.Random, items: Sequence[T], cum: list[float]) -> T:
    return items[bisect_right(cum, rng.random() * cum[-1])]


class Corpus:
    """Records ``0 … records-1`` for ``seed``; see the module docstring for generations."""

    def __init__(self, records: int, seed: int = SEED) -> None:
        if records < len(PARTNERS):
            raise ValueError(f"at least {len(PARTNERS)} records (one per partner)")
        self.records = records
        self.seed = seed
        total = sum(p.share for p in PARTNERS)
        bounds = [0]
        running = 0
        for partner in PARTNERS:
            running += partner.share
            bounds.append(records * running // total)
        self.slices = [Slice(p, bounds[k], bounds[k + 1]) for k, p in enumerate(PARTNERS)]

    def slice_of(self, partner_id: str) -> Slice:
        for s in self.slices:
            if s.partner.id == partner_id:
                return s
        raise KeyError(partner_id)

    # -- life cycle ---------------------------------------------------------------------------

    @staticmethod
    def changed(i: int) -> bool:
        return i % CHANGED_MOD == CHANGED_REM

    @staticmethod
    def deleted(i: int) -> bool:
        return i % DELETED_MOD == DELETED_REM

    def expected_changes(self, start: int = 0, stop: int | None = None) -> tuple[int, int]:
        """(changed, deleted) counts in generation 2 over ``[start, stop)``."""
        stop = self.records if stop is None else stop

        def count(mod: int, rem: int) -> int:
            def upto(n: int) -> int:  # how many k < n with k % mod == rem
                return n // mod + (1 if n % mod > rem else 0)

            return upto(stop) - upto(start)

        return count(CHANGED_MOD, CHANGED_REM), count(DELETED_MOD, DELETED_REM)

    def gen1_datestamp(self, i: int) -> datetime:
        offset = (i * 2_654_435_761 + self.seed) % _GEN1_SPAN
        return GEN1_START + timedelta(seconds=offset)

    # -- content ------------------------------------------------------------------------------

    def identifier(self, i: int, partner: Partner) -> str:
        return f"oai:{partner.domain}:bench-{i:08d}"

    def metadata(self, i: int, partner: Partner, version: int = 1) -> dict[str, list[str]]:
        """The Dublin Core elements of record ``i`` (element name → values), as text."""
        rng = random.Random(self.seed * 1_000_003 + i * 4 + version)
        discipline_count = 1 + (rng.random() < 0.35) + (rng.random() < 0.12)
        disciplines: list[w.Discipline] = []
        while len(disciplines) < discipline_count:
            d = _pick(rng, w.DISCIPLINES, _DISCIPLINE_CUM)
            if d not in disciplines:
                disciplines.append(d)
        main = disciplines[0]
        stage = _pick(rng, w.LEVEL_STAGES, _STAGE_CUM)
        levels = rng.sample(stage, min(len(stage), 1 + int(rng.random() ** 1.7 * 4)))

        topic = rng.choice(main.topics)
        form = rng.random()
        if form < 0.4:
            title = topic[0].upper() + topic[1:]
        elif form < 0.75:
            title = f"{topic[0].upper()}{topic[1:]} : {rng.choice(w.ANGLES)}"
        else:
            title = f"{rng.choice(w.FORMATS)} — {topic}"
        if version > 1:
            title += " (édition revue)"
        titles = [title]

        keywords: list[str] = []
        pool = [k for d in disciplines for k in d.keywords]
        for k in rng.sample(pool, min(len(pool), rng.randint(3, 10))):
            keywords.append(k)
        subjects = keywords + levels + [rng.choice(d.labels) for d in disciplines]

        description = self._description(rng, main, topic, 50 + int(350 * rng.random() ** 1.5))
        if rng.random() < 0.2:  # partners often send escaped HTML
            cut = description.find(". ") + 1 or len(description)
            description = f"<p>{description[:cut]}</p><p><em>{description[cut:].strip()}</em></p>"

        creators = [
            f"{rng.choice(w.LAST_NAMES)}, {rng.choice(w.FIRST_NAMES)}{rng.choice(w.ROLES)}"
            for _ in range(rng.randint(1, 3))
        ]
        kind = _pick(rng, w.TYPES, _TYPE_CUM)[0]
        year = 1850 + int(rng.random() ** 0.3 * 174)
        date = str(year)
        if rng.random() >= 0.6:
            date += f"-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        meta: dict[str, list[str]] = {
            "title": titles,
            "creator": creators,
            "subject": subjects,
            "description": [description],
            "publisher": [partner.name],
            "date": [date],
            "type": [kind],
            "format": [w.MEDIA[kind]],
            "identifier": [f"https://{partner.domain}/ressources/{i:08d}"],
            "language": [_pick(rng, w.LANGUAGES, _LANGUAGE_CUM)[0]],
            "rights": [_pick(rng, w.LICENCES, _LICENCE_CUM)[0]],
        }
        coverage = []
        if rng.random() < 0.3:
            coverage.append(rng.choice(w.PLACES))
        if rng.random() < 0.1:
            coverage.append(rng.choice(w.PERIODS))
        if coverage:
            meta["coverage"] = coverage
        if rng.random() < 0.1:
            meta["relation"] = [f"Notice du catalogue : https://{partner.domain}/notice/{i:08d}"]
        if rng.random() < 0.05:
            meta["title"].append(f"{topic} (English edition)")
        return meta

    def _description(self, rng: random.Random, main: w.Discipline, topic: str, n_words: int) -> str:
        sentences: list[str] = []
        count = 0
        first = f"Cette ressource {rng.choice(w.VERBS)} {topic} pour les élèves."
        sentences.append(first)
        count += len(first.split())
        while count < n_words:
            length = rng.randint(8, 18)
            picks = rng.choices(w.GENERAL, cum_weights=_GENERAL_CUM, k=length)
            for k in range(0, length, 3):  # one word in three from the discipline
                picks[k] = rng.choice(main.keywords)
            adjective = rng.choice(w.ADJECTIVES)
            verb = rng.choice(w.VERBS)
            start = rng.choice(w.CONNECTORS) + ", le " if rng.random() < 0.3 else "Le "
            body = " ".join(picks[:length // 2])
            tail = " ".join(picks[length // 2:])
            sentence = f"{start}{body} {adjective} {verb} {tail}."
            sentences.append(sentence)
            count += length + 3
        return " ".join(sentences)

    # -- XML ----------------------------------------------------------------------------------

    def status(self, i: int, generation: int) -> str:
        """live, changed or deleted (in generation 2)."""
        if generation >= 2:
            if self.deleted(i):
                return "deleted"
            if self.changed(i):
                return "changed"
        return "live"

    def datestamp(self, i: int, generation: int, gen2_time: datetime) -> datetime:
        if generation >= 2 and (self.deleted(i) or self.changed(i)):
            return gen2_time
        return self.gen1_datestamp(i)

    def record_xml(self, i: int, partner: Partner, generation: int, gen2_time: datetime) -> str:
        """One OAI-PMH ``<record>`` (header and oai_dc metadata) of record ``i``."""
        status = self.status(i, generation)
        stamp = self.datestamp(i, generation, gen2_time).strftime("%Y-%m-%dT%H:%M:%SZ")
        header = (
            f"<identifier>{self.identifier(i, partner)}</identifier>"
            f"<datestamp>{stamp}</datestamp><setSpec>{partner.id}</setSpec>"
        )
        if status == "deleted":
            return f'<record><header status="deleted">{header}</header></record>'
        meta = self.metadata(i, partner, 2 if status == "changed" else 1)
        parts = []
        for name, values in meta.items():
            for value in values:
                lang = ' xml:lang="fr"' if name in ("title", "description") and "English" not in value else ""
                parts.append(f"<dc:{name}{lang}>{escape(value)}</dc:{name}>")
        return (
            f"<record><header>{header}</header><metadata>"
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"{''.join(parts)}</oai_dc:dc></metadata></record>"
        )
