"""Value cleaning shared by every format reader: text, HTML, dates, languages, licences, types.

Readers call these instead of re-inventing them so that the same partner spelling gives the same
record whatever the format it arrived in.
"""

from schemas.cleaning.dates import parse_loose_date
from schemas.cleaning.html import has_markup, html_to_text, render_markdown, sanitize_html, text_paragraphs
from schemas.cleaning.text import clean_text, clip, merge_duplicates, safe_url, text_key
from schemas.cleaning.vocab import (
    licence_key,
    merge_types,
    normalize_language,
    normalize_licence,
    normalize_type,
    normalize_types,
)

__all__ = [
    "clean_text",
    "clip",
    "has_markup",
    "html_to_text",
    "licence_key",
    "merge_duplicates",
    "merge_types",
    "normalize_language",
    "normalize_licence",
    "normalize_type",
    "normalize_types",
    "parse_loose_date",
    "render_markdown",
    "safe_url",
    "sanitize_html",
    "text_key",
    "text_paragraphs",
]
