"""Text helpers shared by the serialisers: XML 1.0 safe text, escaping, language codes, dates.

Partner text may hold characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/FFFF);
one of them in a title must never break an OAI-PMH response, so every string goes through
:func:`xml_text` before it reaches lxml or a string template.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path
from typing import Any

_ILLEGAL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_ILLEGAL = re.compile(f"[{_ILLEGAL_CHARS}]")
# Anything that needs work in element content: markup characters, CR, or an illegal character.
_TEXT_WORK = re.compile(f"[&<>\r{_ILLEGAL_CHARS}]")
_ESCAPE_ATTR = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;",
})
_MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def xml_text(value: Any) -> str:
    """``value`` as a string holding only characters allowed in XML 1.0."""
    text = value if isinstance(value, str) else str(value)
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def is_xml_safe(text: str) -> bool:
    """True when ``text`` holds no character that XML 1.0 forbids."""
    return _ILLEGAL.search(text) is None


def esc(value: Any) -> str:
    """Escaped element content (for the string templates of the fast paths).

    One regex scan decides; most partner text needs no change and is returned as it is.
    """
    text = value if isinstance(value, str) else str(value)
    if not _TEXT_WORK.search(text):
        return text
    text = _ILLEGAL.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def esc_attr(value: Any) -> str:
    """Escaped attribute value, for use between double quotes."""
    return xml_text(value).translate(_ESCAPE_ATTR)


@cache
def _iso639_2() -> dict[str, str]:
    """ISO 639-1 -> ISO 639-2/B code (the first code of ``schemas/mappings/languages.tsv``)."""
    with (_MAPPINGS / "languages.tsv").open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    table: dict[str, str] = {}
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        codes = (row.get("iso639_2") or "").split()
        if row.get("iso639_1") and codes:
            table[row["iso639_1"].strip()] = codes[0]
    return table


def loc_language_uri(code: str | None) -> str | None:
    """The Library of Congress ISO 639-2 URI that ScoLOMFR uses for a language (voc-001)."""
    if not code:
        return None
    b_code = _iso639_2().get(code)
    return f"http://id.loc.gov/vocabulary/iso639-2/{b_code}" if b_code else None


def iso_date(value: str | None) -> str | None:
    """A YYYY[-MM[-DD]] date usable as an XML Schema / LOM date, else None."""
    return value if value and _ISO_DATE.match(value) else None


def record_date(record: dict[str, Any], *kinds: str) -> tuple[str | None, str | None]:
    """(ISO date, partner's text) of the first of ``kinds`` ("created", "issued", …) present."""
    dates = record.get("dates") or {}
    for kind in kinds:
        interval = dates.get(kind)
        if interval:
            return iso_date(interval.get("start")), interval.get("text")
    return None, None


def iso_duration(seconds: float | None) -> str | None:
    """Seconds as an ISO 8601 duration (PT1H2M3S), the form LOM's Duration expects."""
    if seconds is None:
        return None
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def vcard(name: str, kind: str | None = None, email: str | None = None) -> str:
    """A minimal vCard 3.0 for LOM's contribute/entity (N and FN are required by vCard 3.0)."""

    def v(text: str) -> str:
        text = xml_text(text).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
        return " ".join(text.split())

    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{v(name)}"]
    if kind == "organization":
        lines += ["N:;;;;", f"ORG:{v(name)}"]
    else:
        lines.append(f"N:{v(name)};;;;")
    if email and "@" in email:
        lines.append(f"EMAIL;TYPE=INTERNET:{v(email)}")
    lines.append("END:VCARD")
    return "\n".join(lines)
