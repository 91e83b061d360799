"""The search page: one index query for the results and facets, a few more only when nothing matched."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from search.base import InvalidQuery, SearchQuery, SearchResult
from search.text import fold_key, is_stop_word, parse_user_query
from web.ui.facets import Group, facet_groups, facet_labels
from web.ui.french import (
    FACET_LABELS,
    aligned_label,
    image_url,
    licence_display,
    licence_kind,
    partner_name,
    results_count,
    short_label,
)
from web.ui.state import MAX_PAGE, PER_PAGE, SearchState

MAX_RELAX = 6  # filters for which "remove it" gets a count on the empty page
MAX_SPELL_WORDS = 4


@dataclass
class ActiveFilter:
    facet: str
    facet_label: str
    id: str
    label: str
    remove_url: str


@dataclass
class ResultItem:
    id: str
    url: str
    title_html: str
    title_text: str
    snippet_html: str
    partner: str
    levels: list[str]
    disciplines: list[str]
    types: list[str]
    thumbnail: str | None
    licence_label: str | None
    licence_kind: str


@dataclass
class Relaxation:
    label: str
    url: str
    count: int


@dataclass
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


@dataclass
class SearchPage:
    state: SearchState
    total: int
    results: list[ResultItem]
    groups: list[Group]
    active: list[ActiveFilter]
    pages: list[PageLink]
    previous_url: str | None
    next_url: str | None
    last_page: int
    relaxations: list[Relaxation] = field(default_factory=list)
    spellings: list[Relaxation] = field(default_factory=list)
    clear_url: str = "/"

    @property
    def title(self) -> str:
        """Page title naming the words, the filters and the count (history entries, tabs, SR)."""
        parts = []
        if self.state.q:
            parts.append(f"« {self.state.q} »")
        labels = [a.label for a in self.active]
        if labels:
            parts.append(", ".join(labels[:3]) + ("…" if len(labels) > 3 else ""))
        parts.append(results_count(self.total))
        if self.state.page > 1:
            parts.append(f"page {self.state.page}")
        return " – ".join(parts)


def run_query(index: Any, state: SearchState, *, facets: bool = True, highlight: bool = True,
              per_page: int = PER_PAGE) -> SearchResult:
    result: SearchResult = index.search(SearchQuery(
        q=state.q, filters=state.api_filters(), sort=state.sort, page=state.page, per_page=per_page,
        facets=facets, highlight=highlight,
    ))
    return result


def _count(index: Any, state: SearchState) -> int:
    try:
        return int(run_query(index, state.at_page(1), facets=False, highlight=False, per_page=1).total)
    except InvalidQuery:
        return 0


def _label_for(facet: str, value: str, labels: dict[tuple[str, str], str], vocab: Any,
               partners: dict[str, str]) -> str:
    if (facet, value) in labels:
        return labels[(facet, value)]
    if facet in ("level", "discipline") and vocab is not None:
        concept = vocab.concept(value)
        if concept is not None:
            return short_label(concept.label)
    if facet == "partner":
        return partner_name(value, partners)
    return value


def _result_item(hit: Any, partners: dict[str, str]) -> ResultItem:
    record = hit.record or {}
    licence = record.get("licence") or {}
    source = record.get("source") or {}
    title_values = record.get("title") or []
    title_text = next((t["value"] for t in title_values if t.get("lang") == "fr"),
                      title_values[0]["value"] if title_values else hit.id)
    return ResultItem(
        id=hit.id,
        url=f"/ressources/{hit.id}",
        title_html=hit.title_html or str(escape(title_text)),
        title_text=title_text,
        snippet_html=hit.snippet_html or "",
        partner=partner_name(str(source.get("partner", "")), partners),
        levels=[aligned_label(c) for c in record.get("levels") or []],
        disciplines=[aligned_label(c) for c in record.get("disciplines") or []],
        types=[t["label"] for t in record.get("resource_types") or []],
        thumbnail=image_url(record.get("thumbnail")),
        licence_label=licence_display(licence, record.get("rights")),
        licence_kind=licence_kind(licence.get("code")),
    )


def _pages(state: SearchState, last: int) -> list[PageLink]:
    if last <= 1:
        return []
    wanted = {1, last, *range(max(1, state.page - 2), min(last, state.page + 2) + 1)}
    links: list[PageLink] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, state.at_page(number).url(), number == state.page))
        previous = number
    return links


def _spellings(index: Any, state: SearchState) -> list[Relaxation]:
    """"Essayez : volcan" from the index's own completions of each word of the query."""
    words = [w for w in parse_user_query(state.q).words if len(w) >= 3 and not is_stop_word(w)]
    replacements: dict[str, str] = {}
    for word in words[:MAX_SPELL_WORDS]:
        folded = fold_key(word)
        for cut in range(0, min(4, len(word) - 2)):
            prefix = word[: len(word) - cut]
            found = None
            for suggestion in index.suggest(prefix, 5):
                for token in str(suggestion.text).split():
                    token = token.strip(".,;:!?«»()\"'")
                    key = fold_key(token)
                    if key.startswith(fold_key(prefix)) and key != folded and len(key) >= 3 \
                            and " " not in key:
                        found = token.lower() if not token.isupper() else token
                        break
                if found:
                    break
            if found:
                replacements[word] = found
                break
    if not replacements:
        return []
    text = state.q
    for word, better in replacements.items():
        text = text.replace(word, better, 1)
    alternative = state.with_query(text)
    count = _count(index, alternative)
    if not count and state.has_filters:  # the better spelling may only match without the filters
        alternative = state.cleared().with_query(text)
        count = _count(index, alternative)
    return [Relaxation(text, alternative.url(), count)] if count else []


def _relaxations(index: Any, state: SearchState, active: list[ActiveFilter]) -> list[Relaxation]:
    out = []
    for item in active[:MAX_RELAX]:
        relaxed = state.without_filter(item.facet, item.id)
        out.append(Relaxation(f"{item.facet_label} : {item.label}", relaxed.url(), _count(index, relaxed)))
    if state.q and state.has_filters:
        relaxed = state.without_query()
        out.append(Relaxation(f"les mots « {state.q} »", relaxed.url(), _count(index, relaxed)))
    return out


def build_search_page(index: Any, state: SearchState, vocab: Any, partners: dict[str, str]) -> SearchPage:
    """Everything the search template shows; raises InvalidQuery for a request the index refuses."""
    result = run_query(index, state)
    labels = facet_labels(result.facets)
    active = [
        ActiveFilter(facet, FACET_LABELS[facet], value,
                     _label_for(facet, value, labels, vocab, partners),
                     state.without_filter(facet, value).url())
        for facet in FACET_LABELS
        for value in state.selected(facet)
    ]
    last = min(MAX_PAGE, max(1, math.ceil(result.total / PER_PAGE)))
    page = SearchPage(
        state=state,
        total=result.total,
        results=[_result_item(hit, partners) for hit in result.hits],
        groups=facet_groups(result.facets, state, vocab),
        active=active,
        pages=_pages(state, last),
        previous_url=state.at_page(state.page - 1).url() if 1 < state.page <= last + 1 else None,
        next_url=state.at_page(state.page + 1).url() if state.page < last else None,
        last_page=last,
        clear_url=state.cleared().url(),
    )
    if result.total == 0 and not state.is_empty:
        page.relaxations = _relaxations(index, state, active)
        if state.q:
            page.spellings = _spellings(index, state)
    return page
