"""French text handling shared by both backends: user query parsing, sort keys, highlighting.

Analysis proper (stemming) happens inside each engine; this module only decides what reaches
it. User input never reaches a query parser: it is cut into plain words and quoted phrases here,
and each backend builds term/phrase queries from them.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.cleaning.vocab import fold
from schemas.vocabularies.analysis import FRENCH_ELISIONS as FRENCH_ELISIONS
from schemas.vocabularies.analysis import FRENCH_STOP_WORDS as FRENCH_STOP_WORDS

MAX_QUERY_CHARS = 500
MAX_WORDS = 32
MAX_PHRASES = 5

# The stop words and elisions are shared with the content alignment (one analysis for both).
_STOP = frozenset(FRENCH_STOP_WORDS)
_WORD = re.compile(r"\w+")
# Straight, typographic and guillemet quotes open or close a phrase.
_QUOTES = re.compile(r"[\"«»“”„]")
_ARTICLE = re.compile(r"^(?:les|le|la|l|un|une|des) (?=\S)")


@dataclass(frozen=True)
class ParsedQuery:
    """What the user typed, cut into loose words and quoted phrases (both raw text)."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases


def user_text(s: str | None, limit: int) -> str:
    """What the user typed, cut to ``limit`` characters and composed (NFC) like the records.

    Decomposed input (an "e" followed by a combining accent, as macOS and some PDF copies
    produce) would otherwise be cut into "e" + "lection" before any folding could happen.
    """
    return unicodedata.normalize("NFC", (s or "")[: limit * 2])[:limit]


def parse_user_query(q: str) -> ParsedQuery:
    """Split ``q`` into words and "quoted phrases"; anything typed is accepted.

    Operators and syntax (``:``, ``*``, ``(``, ``AND``) are not interpreted: they are either
    punctuation the tokenizer drops or plain words. An unbalanced quote closes at the end.
    Length is capped so a pasted page cannot become a thousand-clause query.
    """
    text = user_text(q, MAX_QUERY_CHARS)
    parts = _QUOTES.split(text)
    words: list[str] = []
    phrases: list[str] = []
    budget = MAX_WORDS
    for i, part in enumerate(parts):
        tokens = _WORD.findall(part)[:budget]
        if not tokens:
            continue
        budget -= len(tokens)
        if i % 2 == 1 and len(tokens) > 1 and len(phrases) < MAX_PHRASES:
            phrases.append(" ".join(tokens))
        else:
            words.extend(tokens)
        if budget <= 0:
            break
    return ParsedQuery(tuple(words), tuple(phrases))


def fold_key(s: str) -> str:
    """Accent-, case- and punctuation-insensitive key ("L'Énergie" -> "l energie")."""
    return " ".join(_WORD.findall(fold(s).replace("_", " ")))


_QUALIFIER = re.compile(r"\s*\((?:discipline|\d{4}|cycle \d)\)\s*$", re.IGNORECASE)


def strip_qualifiers(label: str) -> str:
    """A vocabulary label as teachers say it: "cycle 3 (2016)" → "cycle 3",
    "sciences de la vie et de la Terre (discipline)" → "sciences de la vie et de la Terre"."""
    previous = None
    while previous != label:
        previous, label = label, _QUALIFIER.sub("", label)
    return label.strip()


def is_stop_word(token: str) -> bool:
    return fold_key(token) in _STOP


def searchable(parsed: ParsedQuery) -> bool:
    """Whether any word or phrase holds more than stop words (else the query means 'browse')."""
    return any(
        not is_stop_word(tok) for part in (*parsed.words, *parsed.phrases) for tok in part.split()
    )


# ---------------------------------------------------------------------------------------------
# Sort keys


def _number_key(m: re.Match[str]) -> str:
    """A run of digits that sorts after letters and in numeric order: "{" + length + digits,
    all written with letters ("9" → "{aj", "13" → "{bbd"), so "13" comes after "9"."""
    digits = m.group(0).lstrip("0") or "0"
    digits = digits[:26]
    return "{" + chr(ord("a") + len(digits) - 1) + "".join(chr(ord("a") + int(d)) for d in digits)


def title_sort_key(title: str) -> str:
    """Title order as a French reader expects, as a plain string that sorts byte by byte.

    Accents, case and punctuation are ignored, a leading article is dropped ("Les volcans"
    under V), and numbers sort after letters and in numeric order ("1-5-13" after "Zola",
    "T. 2" before "T. 10"). The key only holds ``[ a-z{]``.
    """
    key = " ".join(re.sub(r"[^a-z0-9 ]", "", fold_key(title)).split())
    key = _ARTICLE.sub("", key)
    return re.sub(r"\d+", _number_key, key)


def group_key(record: dict[str, Any]) -> str:
    """Records of one source with the same title (a periodical's issues, a series' volumes)."""
    source = record.get("source") or {}
    titles = record.get("title") or []
    title = str(titles[0].get("value", "")) if titles else ""
    return f"{source.get('source_id', '')}\x1f{fold_key(title)[:200]}"


_DATE = re.compile(r"^(-?)(\d{1,4})(?:-(\d{2})(?:-(\d{2}))?)?")


def date_number(value: str | None) -> int:
    """YYYY[-MM[-DD]] (possibly negative) as a positive sortable int; 0 when unknown."""
    if not value:
        return 0
    m = _DATE.match(value.strip())
    if not m:
        return 0
    year = int(m.group(2)) * (-1 if m.group(1) else 1)
    month = int(m.group(3) or 0)
    day = int(m.group(4) or 0)
    if not (0 <= month <= 12 and 0 <= day <= 31):
        month = day = 0
    return (year + 10_000) * 10_000 + month * 100 + day


def record_date_number(record: dict[str, Any]) -> int:
    """Date used by the "date" sort: issued, else created, else the partner's datestamp."""
    dates = record.get("dates") or {}
    for name in ("issued", "created"):
        interval = dates.get(name) or {}
        number = date_number(interval.get("start") or interval.get("end"))
        if number:
            return number
    source = record.get("source") or {}
    return date_number(source.get("datestamp") or source.get("harvested_at"))


def id_hash(record_id: str) -> int:
    """A stable 63-bit number per id: the tie-breaker that makes every sort key unique."""
    return int.from_bytes(hashlib.blake2b(record_id.encode(), digest_size=8).digest()) >> 1


# ---------------------------------------------------------------------------------------------
# Highlighting

SNIPPET_CHARS = 200
MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"


def mark_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` HTML-escaped with each (start, end) character span wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end <= start:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(MARK_OPEN + html.escape(text[start:end]) + MARK_CLOSE)
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def snippet_html(text: str, spans: Sequence[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """The ``size``-character window of ``text`` holding the most matches, highlighted.

    Without matches it is the beginning of the text. Cuts fall on spaces and show "…".
    """
    if not text:
        return ""
    spans = sorted(spans)
    start = 0
    if spans and len(text) > size:
        best, best_count, j = 0, 0, 0
        for i, (first, _) in enumerate(spans):  # sliding window over the sorted matches
            j = max(j, i)
            while j < len(spans) and spans[j][1] <= first + size:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        start = max(0, spans[best][0] - size // 5)
        if start:
            space = text.rfind(" ", 0, start + 1)
            start = space + 1 if space > start - 30 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    inner = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    body = mark_html(text[start:end], inner)
    return ("…" if start else "") + body + ("…" if end < len(text) else "")
