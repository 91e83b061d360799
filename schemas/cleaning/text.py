"""Plain-text hygiene shared by every reader: partner strings arrive padded, wrapped and dirty."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 and C1 controls and DEL. Whitespace controls (tab, newline…) are turned into spaces first.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides and isolates: they can make a title display as something else.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Zero-width no-break space (BOM) pasted at the start of values.
_BOM = "\ufeff"
_SPACES = re.compile(r"\s+")


def clean_text(s: str | None) -> str | None:
    """Collapse whitespace, drop control and bidi-override characters, NFC; '' becomes None.

    Partners re-indent XML (the 2010 Gallica page pads values with tabs and newlines) and
    paste text from word processors; one canonical form keeps dedup and search honest.
    """
    if s is None:
        return None
    text = unicodedata.normalize("NFC", str(s))
    text = _SPACES.sub(" ", text)  # tabs, newlines, NBSP… become one space before removal
    text = _CONTROL.sub("", text)
    text = _BIDI.sub("", text).replace(_BOM, "")
    text = _SPACES.sub(" ", text).strip()
    return text or None


def strip_invisible(s: str) -> str:
    """``s`` without bidi overrides, BOMs and control characters other than tab/newline/CR.

    For markup, whose whitespace must survive (``<pre>``) but where an RLO would still reorder
    what the page shows.
    """
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\t\n\r" else "",
                        _BIDI.sub("", s).replace(_BOM, ""))


def clip(s: str, limit: int) -> str:
    """Cut ``s`` to ``limit`` characters at a word boundary, marking the cut with an ellipsis.

    The shared record caps text lengths; a partner's 50 KB description must not reject the record.
    """
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe_url(s: str | None) -> str | None:
    """``s`` if it is an absolute http(s) URL (surrounding whitespace removed), else None.

    Everything a reader puts in ``url``, ``thumbnail`` or ``links`` ends up in an ``href``:
    ``javascript:``, ``data:`` and relative URLs must never get through.
    """
    if not s:
        return None
    url = _CONTROL.sub("", _BIDI.sub("", str(s).strip()))
    url = re.sub(r"\s+", "%20", url)
    match = re.match(r"^(https?)://([^/?#\s]+)", url, re.IGNORECASE)
    if not match:
        return None
    host = match.group(2).rsplit("@", 1)[-1]
    if not host or host.startswith(":") or any(c in host for c in "<>\"'\\"):
        return None
    if any(c in url for c in '<>"`\\'):
        return None
    return match.group(1).lower() + url[len(match.group(1)) :]


def text_key(s: str) -> str:
    """Comparison key: case-, accent-spacing- and punctuation-spacing-insensitive."""
    folded = unicodedata.normalize("NFKC", s).casefold()
    return _SPACES.sub(" ", folded).strip(" .;,")


def merge_duplicates(values: list[dict[str, Any]], key: str = "value") -> list[dict[str, Any]]:
    """Drop repeats of the same text, keeping one per text and preferring an item with a ``lang``.

    Gallica repeats subjects with and without ``xml:lang``; the facet must count them once.
    Order follows the first occurrence.
    """
    kept: dict[str, dict[str, Any]] = {}
    for item in values:
        raw = item.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        k = text_key(raw)
        current = kept.get(k)
        if current is None:
            kept[k] = item
        elif not current.get("lang") and item.get("lang"):
            kept[k] = item  # dict keeps the original insertion position
    return list(kept.values())
