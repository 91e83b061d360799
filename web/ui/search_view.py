"""The search page: one index query for the results and facets, a few more only when nothing matched."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from schemas.cleaning.vocab import rights_licence
from search.base import InvalidQuery, SearchQuery, SearchResult
from search.periods import display_date
from web.ui.facets import Group, facet_groups, facet_labels
from web.ui.french import (
    FACET_LABELS,
    aligned_label,
    licence_display,
    licence_kind,
    partner_name,
    results_count,
    short_label,
)
from web.ui.state import MAX_PAGE, PER_PAGE, SearchState
from web.ui.thumbnails import thumbnail_path

log = logging.getLogger("catalogue.web.ui")
MAX_RELAX = 6  # filters for which "remove it" gets a count on the empty page


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
    date: str | None = None
    group_size: int = 1
    group_label: str = ""  # "13 numéros de cette revue"
    group_url: str = ""  # the whole series, ungrouped


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
    relaxed: bool = False  # partial matches: the French notice and the link back
    strict_total: int = 0
    strict_url: str = ""
    proposals: list[Relaxation] = field(default_factory=list)  # filters the words name
    dates_remove_url: str = ""

    @property
    def relaxed_notice(self) -> str:
        if self.strict_total:
            return (f"Seulement {results_count(self.strict_total)} avec tous les mots ; "
                    "voici aussi celles qui en contiennent le plus")
        return "Aucune ressource ne contient tous les mots ; voici celles qui en contiennent le plus"

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


def to_query(state: SearchState, *, facets: bool = True, highlight: bool = True,
             per_page: int = PER_PAGE, group: bool | None = None) -> SearchQuery:
    return SearchQuery(
        q=state.q, filters=state.api_filters(), sort=state.sort, page=state.page, per_page=per_page,
        facets=facets, highlight=highlight, date_from=state.date_from, date_to=state.date_to,
        match="all" if state.strict else "auto", group=state.group if group is None else group,
    )


def run_query(index: Any, state: SearchState, *, facets: bool = True, highlight: bool = True,
              per_page: int = PER_PAGE) -> SearchResult:
    result: SearchResult = index.search(to_query(state, facets=facets, highlight=highlight,
                                                 per_page=per_page))
    return result


def _count(index: Any, state: SearchState) -> int:
    try:
        query = to_query(state.at_page(1), facets=False, highlight=False, per_page=1, group=False)
        return int(index.search(query).total)
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


def _result_item(hit: Any, partners: dict[str, str], state: SearchState | None = None) -> ResultItem:
    record = hit.record or {}
    licence = rights_licence(record.get("licence"), record.get("rights"))  # as the page says
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
        thumbnail=thumbnail_path(hit.id) if record.get("thumbnail") else None,
        licence_label=licence_display(licence, record.get("rights")),
        licence_kind=licence_kind(licence.get("code")),
        date=display_date(record),
        group_size=int(getattr(hit, "group_size", 1) or 1),
        group_label=_group_label(record, int(getattr(hit, "group_size", 1) or 1)),
        group_url=(SearchState(q=f'"{title_text}"', sort="date", group=False,
                               filters={"partner": (str(source.get("partner", "")),)}).url()
                   if state is not None else ""),
    )


def _group_label(record: dict[str, Any], size: int) -> str:
    """"13 numéros de cette revue" for a periodical, "4 volumes de cette série" otherwise."""
    if size < 2:
        return ""
    types = " ".join(str(t.get("label", "")) for t in record.get("resource_types") or [])
    if "périodique" in types or "revue" in types or "journal" in types:
        return f"{size} numéros de cette revue"
    return f"{size} notices de même titre"


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
    """"Essayez : révolution" — a correction from the index's own words, filters kept; when it
    finds something only without the filters, it says so ("sans les filtres")."""
    better = index.did_you_mean(to_query(state, facets=False, highlight=False))
    alternative = state.with_query(better) if better else None
    label = better or ""
    if alternative is None and state.has_filters:
        better = index.did_you_mean(to_query(state.cleared(), facets=False, highlight=False))
        if better:
            alternative = state.cleared().with_query(better)
            label = f"{better} (sans les filtres)"
    if alternative is None:
        return []
    count = _count(index, alternative)
    return [Relaxation(label, alternative.url(), count)] if count else []


def _proposals(index: Any, state: SearchState, result: SearchResult) -> list[Relaxation]:
    """Filters the query's words name ("SVT" → the SVT discipline), with their counts."""
    out = []
    for proposal in result.proposals:
        if proposal.id in state.selected(proposal.group):
            continue
        narrowed = state.with_filter(proposal.group, proposal.id)
        count = _count(index, narrowed)
        if count:
            out.append(Relaxation(f"{FACET_LABELS[proposal.group]} : {proposal.label}",
                                  narrowed.url(), count))
    return out


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
    if state.date_from is not None or state.date_to is not None:
        span = (f"{state.date_from if state.date_from is not None else '…'}"
                f"–{state.date_to if state.date_to is not None else '…'}")
        active.append(ActiveFilter("dates", "Dates", span, span, state.without_dates().url()))
    lines = result.groups if result.groups is not None else result.total
    last = min(MAX_PAGE, max(1, math.ceil(lines / PER_PAGE)))
    page = SearchPage(
        state=state,
        total=result.total,
        results=[_result_item(hit, partners, state) for hit in result.hits],
        groups=facet_groups(result.facets, state, vocab),
        active=active,
        pages=_pages(state, last),
        previous_url=state.at_page(state.page - 1).url() if 1 < state.page <= last + 1 else None,
        next_url=state.at_page(state.page + 1).url() if state.page < last else None,
        last_page=last,
        clear_url=state.cleared().url(),
        relaxed=result.relaxed,
        strict_total=result.strict_total or 0,
        strict_url=state.strictly().url(),
        proposals=_proposals(index, state, result),
        dates_remove_url=state.without_dates().url(),
    )
    if result.total == 0 and not state.is_empty:
        page.relaxations = _relaxations(index, state, active)
        if state.q:
            page.spellings = _spellings(index, state)
    return page


@dataclass
class Example:
    text: str
    url: str


def search_examples(index: Any) -> list[Example]:
    """The search box's examples, taken from the catalogue so that each one finds something."""
    try:
        key = (id(index), index.last_seq)
        found = _EXAMPLES.get(key)
        if found is None:
            found = _EXAMPLES[key] = index.examples(3)
    except Exception:  # noqa: BLE001 - an example is a nicety; the page must still show
        log.exception("search examples unavailable")
        return []
    return [Example(text, SearchState(q=text).url()) for text in found]


# (index, position in the store's changes) -> examples: recomputed when the catalogue changes.
_EXAMPLES: dict[tuple[int, int], list[str]] = {}
