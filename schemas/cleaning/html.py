"""Partner HTML and Markdown turned into (safe HTML, plain text) pairs.

The record keeps a description twice: ``value`` (plain text, for search, snippets and exports)
and ``html`` (sanitised, for the page). Partner HTML is hostile: nh3 keeps a short allow-list of
formatting and drops scripts, styles, event handlers and non-web URLs.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

from schemas.cleaning.text import clean_text, strip_invisible

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote",
    "h3", "h4", "h5", "h6", "code", "pre", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# Removed together with everything inside them.
DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg",
                "math", "head", "title", "textarea", "select"}  # fmt: skip
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "tr", "table", "section", "article", "header", "footer", "hr", "dd", "dt", "dl",
}  # fmt: skip
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# Raw HTML inside Markdown is let through the renderer and then sanitised like partner HTML, so
# that a <script> block disappears instead of showing up as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
# Same, with every newline kept as a line break (GeoNetwork abstracts are written that way).
_MARKDOWN_BREAKS = MarkdownIt(
    "commonmark", {"html": True, "linkify": False, "typographer": False, "breaks": True}
)


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment with block boundaries kept as line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            self.skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            # Newlines inside a block are plain spaces in HTML; only blocks make lines.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(fragment: str) -> str:
    """Plain text of (already sanitised) HTML: one line per block, inline whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (clean_text(line) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def text_paragraphs(s: str | None) -> str:
    """Plain text keeping paragraphs (blank-line separated) as lines; wrapped lines are joined.

    Long abstracts (IGN's is 5.7 KB) are unreadable as one line, while re-indented XML (Gallica
    2010) wraps sentences across lines that must be joined.
    """
    if not s:
        return ""
    paragraphs = (clean_text(p) for p in re.split(r"\n[ \t\r\f\v]*\n", s.replace("\r\n", "\n")))
    return "\n".join(p for p in paragraphs if p)


def _clean(fragment: str) -> str:
    return nh3.clean(
        strip_invisible(fragment),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def has_markup(s: str) -> bool:
    """Whether ``s`` contains something that looks like an HTML tag."""
    return bool(_MARKUP.search(s))


def sanitize_html(s: str) -> tuple[str | None, str]:
    """(safe HTML, plain text) of a partner string; safe HTML is None when there was no markup.

    Text without tags may still carry entities (``&amp;``): they are decoded for the plain text.
    """
    if not s or not s.strip():
        return None, ""
    if not has_markup(s):
        return None, text_paragraphs(htmllib.unescape(s))
    safe = _clean(s)
    text = html_to_text(safe)
    if not text:
        return None, ""
    return safe, text


def render_markdown(s: str, breaks: bool = False) -> tuple[str | None, str]:
    """(safe HTML, plain text) of a Markdown string (data.gouv.fr descriptions).

    The rendered HTML goes through the same nh3 allow-list as partner HTML. A single plain
    paragraph gives no HTML (None). ``breaks``: a newline is a line break (not CommonMark's
    soft break), for texts written line by line.
    """
    if not s or not s.strip():
        return None, ""
    renderer = _MARKDOWN_BREAKS if breaks else _MARKDOWN
    safe = _clean(renderer.render(s))
    text = html_to_text(safe)
    if not text:
        return None, ""
    inner = safe
    if inner.startswith("<p>") and inner.endswith("</p>") and inner.count("<p>") == 1:
        inner = inner[3:-4]
    if not has_markup(inner):
        return None, text
    return safe, text
