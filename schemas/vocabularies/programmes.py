"""The school programmes inside voc-015, compiled once with the vocabulary cache.

Each current voc-015 theme ("la Révolution française et l'Empire (histoire 4e)") becomes an entry
with what the content alignment needs and the SKOS labels only hold implicitly:

- ``discipline``: the "(discipline)" concept above it (None for transversal skills);
- ``levels``: the voc-022 classes or cycles its qualifier names ("(histoire 4e)" → 4e,
  "(français CM1-CM2)" → CM1 + CM2, "(mathématiques cycle 3)" → cycle 3), else those of its
  nearest qualified ancestor;
- ``terms``: the stems of its label under the search analysis; ``context``: the stems of its
  ancestors' labels, weaker evidence of what the theme is about;
- ``period``: the years its label names ("XIe-XVe s."), else those of its nearest ancestor that
  names one (the Révolution theme of 4e inherits "le XVIIIe s.");
- ``weak``: method and skill themes ("compétences travaillées", "s'exprimer oralement…"), which
  say how a resource is used more than what it is about.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from .analysis import STOP, stem, words
from .periods import find_periods
from .text import normalize_label

_QUALIFIER = re.compile(r"\s*\(([^()]*)\)\s*$")
_LEVEL_TAIL = re.compile(
    r"(?:^|\s)(cycle \d|cm1-cm2|ce1-ce2|cm1|cm2|ce1|ce2|cp|[3-6]e|lycée(?: 2015)?)$", re.I
)
_STRUCTURAL = {"discipline", "lver", "enseignement de spécialité", "enseignement professionnel"}
_SKILL_START = re.compile(r"^(?:compétences?|s'|se |l'|)(\w+?(?:er|ir))\b")
_NOT_VERBS = frozenset({
    "fer", "hiver", "mer", "cahier", "atelier", "danger", "quartier", "avenir", "loisir", "plaisir",
    "désir", "air", "univers", "métier", "clavier", "papier", "rocher",
})
_LYCEE_STAGE = "lycée général et technologique"
# Words that only write a period ("XVIIIe s.", "années 1950", "depuis 1945"): the period itself
# is matched on dates, so these must not count as shared words too ("vie" is a word, not VI).
_ROMAN_WORD = re.compile(r"^[ivxl]+(?:e|er|eme)?$")
_PERIOD_WORDS = frozenset({
    "s", "siecle", "siecles", "annee", "annees", "debut", "fin", "depuis", "apres", "avant", "av", "j",
    "c",
})


def terms(text: str) -> list[str]:
    """Stems of a label's content words: stop words and period notation left out."""
    return [
        stem(w) for w in words(text)
        if w not in STOP and w not in _PERIOD_WORDS and not w.isdigit()
        and (w == "vie" or not _ROMAN_WORD.match(w))
    ]


def _level_ids(concepts: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Folded voc-022 labels of current classes, cycles and stages → ids ("cycle 3" → 620)."""
    out: dict[str, str] = {}
    for cid, c in concepts.items():
        if c["vocab"] != "022" or not c.get("current") or c.get("kind") not in ("class", "cycle", "stage"):
            continue
        label = re.sub(r"\s*\(2016\)$", "", c["label"])
        out.setdefault(normalize_label(label), cid)
    return out


def qualifier_levels(qualifier: str, level_ids: dict[str, str]) -> list[str]:
    """The voc-022 ids a qualifier's level part names, or [] ("histoire 4e" → [4e])."""
    match = _LEVEL_TAIL.search(qualifier.strip())
    if not match:
        return []
    tail = match.group(1).lower()
    if tail.startswith("lycée"):
        names = [_LYCEE_STAGE]
    elif "-" in tail and not tail.startswith("cycle"):
        names = tail.split("-")
    else:
        names = [tail]
    return [level_ids[n] for n in (normalize_label(x) for x in names) if n in level_ids]


def _own_text(label: str) -> tuple[str, str]:
    """(label without its programme qualifier, the qualifier or '')."""
    match = _QUALIFIER.search(label)
    if not match:
        return label, ""
    qualifier = match.group(1).strip()
    if _LEVEL_TAIL.search(qualifier) or qualifier.lower() in _STRUCTURAL:
        return label[: match.start()].strip(), qualifier
    return label, ""


def _is_skill(text: str) -> bool:
    match = _SKILL_START.match(text.strip().lower())
    if match is None:
        return False
    return text.lower().startswith("compétence") or match.group(1) not in _NOT_VERBS


def compile_programmes(concepts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per current voc-015 theme (not the "(discipline)" concepts themselves)."""
    level_ids = _level_ids(concepts)
    own: dict[str, tuple[str, str]] = {
        cid: _own_text(c["label"]) for cid, c in concepts.items() if c["vocab"] == "015"
    }

    def ancestors(cid: str) -> list[str]:
        order: list[str] = []
        queue = deque(concepts[cid]["broader"])
        while queue:
            node = queue.popleft()
            if node in order or node not in concepts or node == cid:
                continue
            order.append(node)
            queue.extend(concepts[node]["broader"])
        return order

    out: list[dict[str, Any]] = []
    for cid, c in concepts.items():
        if c["vocab"] != "015" or not c.get("current") or c.get("kind") != "topic":
            continue
        text, qualifier = own[cid]
        chain = ancestors(cid)
        discipline = next((a for a in chain if concepts[a].get("kind") == "discipline"), None)
        levels = qualifier_levels(qualifier, level_ids)
        periods = find_periods(text, single_years=True)
        own_period = bool(periods)
        context: dict[str, None] = {}
        for node in chain:
            if node not in own:
                continue
            node_text, node_qualifier = own[node]
            if not levels and node_qualifier:
                levels = qualifier_levels(node_qualifier, level_ids)
            if not periods:
                periods = find_periods(node_text, single_years=True)
            if concepts[node].get("kind") != "discipline":
                context.update(dict.fromkeys(terms(node_text)))
        discipline_terms = set(terms(own[discipline][0])) if discipline else set()
        label_terms = list(dict.fromkeys(terms(text)))
        if not label_terms or set(label_terms) <= discipline_terms:
            continue  # a structure node ("histoire (3e)"): its words only name the discipline
        span = (min(p[0] for p in periods), max(p[1] for p in periods)) if periods else None
        out.append({
            "id": cid,
            "discipline": discipline,
            "levels": levels,
            "terms": label_terms,
            "context": [t for t in context if t not in label_terms and t not in discipline_terms],
            "period": list(span) if span else None,
            "own_period": own_period,
            "weak": _is_skill(text),
        })
    return out


__all__ = ["compile_programmes", "qualifier_levels"]
