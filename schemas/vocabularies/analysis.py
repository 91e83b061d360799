"""The French word analysis shared by the alignment and by search: one place, one behaviour.

Search indexes text as folded words → French stop words → the Snowball French stemmer (Tantivy;
Elasticsearch uses the same stop words and elisions). The content alignment must cut a record's
words the same way, or a programme term indexed as "revolu" would never meet a title's
"Révolutions". So the stop words and elisions live here (``search`` imports them) and stems come
from Tantivy's own French stemmer, one word at a time and memoised: the same words recur on
every record, and a per-word call costs a few microseconds only the first time.
"""

from __future__ import annotations

import functools
import re

import tantivy
from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

from .text import fold_text

# Folded French function words. Folding happens before this filter in both engines, so the
# list is written without accents. Left out on purpose because teachers search for them as
# nouns: "son" (sound), "or" (gold), "vers" (verse), "est" (east), "ete" (summer), "pas" (step).
_STOP_TEXT = """
    a au aux avec c ce ceci cela ces cet cette chez d dans de des du elle elles en entre et eux
    il ils j je jusqu l la le les leur leurs lorsqu lui m ma mais me mes moi mon n ne ni nos
    notre nous on ou par pour presqu puisqu qu quand que quelqu qui quoi quoiqu s sa sans se ses
    soi sur t ta te tes toi ton tu un une vos votre vous y
"""
FRENCH_STOP_WORDS: tuple[str, ...] = tuple(_STOP_TEXT.split())
# Elided forms ("l'énergie", "qu'il", "jusqu'à"); each is also a stop word above, so a simple
# tokenizer that splits on the apostrophe drops them. Elasticsearch strips them explicitly.
FRENCH_ELISIONS: tuple[str, ...] = (
    "l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu", "presqu",
    "quelqu",
)
STOP = frozenset(FRENCH_STOP_WORDS)
MAX_WORD = 40  # Tantivy's remove_long(40): longer tokens are not indexed
_DIGITS = re.compile(r"^\d+$")


@functools.cache
def _stemmer() -> tantivy.TextAnalyzer:
    return TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.stemmer("french")).build()


_STEMS: dict[str, str] = {}
MAX_MEMO = 200_000  # distinct words remembered; past this the memo starts again


def stem(word: str) -> str:
    """The search stem of one folded word ("revolutions" → "revolu"); numbers stay as they are."""
    found = _STEMS.get(word)
    if found is not None:
        return found
    if _DIGITS.match(word):
        found = word
    else:
        out = _stemmer().analyze(word)
        found = out[0] if out else word
    if len(_STEMS) >= MAX_MEMO:
        _STEMS.clear()
    _STEMS[word] = found
    return found


def words(text: str) -> list[str]:
    """Folded words (no accents, lower case, ordinals unified), as search tokenizes them."""
    return [w for w in fold_text(text).split() if len(w) < MAX_WORD]


def terms(text: str) -> list[str]:
    """Stems of the words of ``text`` that are not stop words, in order."""
    return [stem(w) for w in words(text) if w not in STOP]


__all__ = ["FRENCH_ELISIONS", "FRENCH_STOP_WORDS", "STOP", "stem", "terms", "words"]
