"""JSON-LD without the network: every remote ``@context`` resolved by our own loader.

rdflib, left alone, fetches remote contexts with its own urllib client (outside the allow-list,
no size cap, no timeout), including contexts nested in term definitions (scoped contexts) and
``@import``. Here, before rdflib sees a document, every context reference it holds is replaced
by the context itself:

- from a configured host, fetched by the harvest's :class:`~harvesters.http.HttpClient`
  (allow-list, size cap, deadline), once per harvest;
- or from the bundled copies in ``harvesters/contexts/`` (``index.tsv``: URL → file);
- anything else refuses the page, saying which context and why.

References inside fetched contexts are followed the same way, up to :data:`MAX_DEPTH` levels
and :data:`MAX_CONTEXTS` distinct documents. And rdflib's own URL opener is replaced by one that
refuses (:func:`disable_rdflib_network`), so a reference this module missed fails instead of
leaving the allow-list.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
MAX_DEPTH = 16
MAX_CONTEXTS = 32
# How deep a JSON-LD document's own nesting is walked looking for ``@context`` keys.
MAX_DOCUMENT_DEPTH = 64


class ContextRefused(ValueError):
    """A remote context that may not or could not be loaded (the page is refused)."""


@cache
def bundled() -> dict[str, Path]:
    """Context URL → bundled file."""
    table: dict[str, Path] = {}
    for line in (CONTEXTS_DIR / "index.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        url, name = line.split("\t")[:2]
        table[url.strip()] = CONTEXTS_DIR / name.strip()
    return table


@cache
def _bundled_context(path: Path) -> Any:
    document = json.loads(path.read_text(encoding="utf-8"))
    return document.get("@context", {}) if isinstance(document, dict) else {}


class ContextLoader:
    """Inlines remote contexts for one harvest; ``http`` is its allow-listed client."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self._cache: dict[str, Any] = {}

    def inline_document(self, node: Any, base: str, depth: int = 0) -> Any:
        """``node`` with the value of every ``@context`` key (at any depth) inlined."""
        if depth > MAX_DOCUMENT_DEPTH:
            raise ContextRefused(f"JSON-LD nested more than {MAX_DOCUMENT_DEPTH} levels deep")
        if isinstance(node, list):
            return [self.inline_document(item, base, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        return {key: self.inline_context(value, base) if key == "@context"
                else self.inline_document(value, base, depth + 1)
                for key, value in node.items()}

    def inline_context(self, value: Any, base: str, depth: int = 0) -> Any:
        """A context value (IRI, list, or object) with no remote reference left in it."""
        if depth > MAX_DEPTH:
            raise ContextRefused(f"JSON-LD contexts refer to each other more than {MAX_DEPTH} "
                                 "levels deep")
        if isinstance(value, str):
            url = urljoin(base, value)
            return self.inline_context(self.load(url), url, depth + 1)
        if isinstance(value, list):
            return [self.inline_context(item, base, depth + 1) for item in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        imported = value.get("@import")
        if imported is not None:
            if not isinstance(imported, str):
                raise ContextRefused("@import must name one context")
            resolved = self.inline_context(imported, base, depth + 1)
            if isinstance(resolved, dict):
                out.update(resolved)  # the importing context's own terms win
        for key, term in value.items():
            if key == "@import":
                continue
            if isinstance(term, dict) and "@context" in term:  # a scoped context
                term = {**term, "@context": self.inline_context(term["@context"], base, depth + 1)}
            out[key] = term
        return out

    def load(self, url: str) -> Any:
        """The ``@context`` of the remote document at ``url`` (bundled, or a configured host)."""
        url = urldefrag(url)[0]
        if url in self._cache:
            return self._cache[url]
        if len(self._cache) >= MAX_CONTEXTS:
            raise ContextRefused(f"more than {MAX_CONTEXTS} remote contexts in one harvest")
        path = bundled().get(url)
        if path is not None:
            context = _bundled_context(path)
        elif self.http.is_allowed(url):
            response = self.http.get(url)
            try:
                document = json.loads(response.content)
            except (ValueError, RecursionError) as exc:
                raise ContextRefused(f"remote @context {url} is not JSON: {exc}") from exc
            if not isinstance(document, dict) or "@context" not in document:
                raise ContextRefused(f"remote @context {url} has no @context")
            context = document["@context"]
        else:
            raise ContextRefused(
                f"remote @context {url} is neither on a configured host nor bundled with the "
                "catalogue: not fetched")
        self._cache[url] = context
        return context


def _refuse_network(request: Any, *_: Any, **__: Any) -> Any:
    url = getattr(request, "full_url", request)
    raise ContextRefused(f"rdflib tried to fetch {url}: network access is off")


def disable_rdflib_network() -> None:
    """Make rdflib's URL opener refuse: partner data is fetched by our client only."""
    import rdflib.parser

    rdflib.parser._urlopen = _refuse_network  # type: ignore[assignment]
