"""Filter values the catalogue knows: an unknown one is a 400 with a hint, like an unknown level.

A typo in ``partner=``, ``licence=``, ``type=`` or ``language=`` would otherwise answer 200 with
0 results, indistinguishable from "nothing matches". A value is known when the table that makes
it knows it (the configured partners, licences.tsv, types.tsv, languages.tsv), or when a record
in the index has it (values of an older mapping, still served until the next re-map).
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.cleaning.vocab import language_codes, licence_codes, type_codes
from search import SearchQuery
from web.api.http import invalid
from web.services import services


def _partners() -> frozenset[str]:
    """The founding partners and the partner of every configured source."""
    return frozenset(services().partner_names())


# filter: (its known values, where a client finds them)
KNOWN_FILTERS: dict[str, tuple[Callable[[], frozenset[str]], str]] = {
    "partner": (_partners, "a partner id of /api/v1/sources"),
    "licence": (licence_codes, "a licence code of the licence facet of /api/v1/resources "
                "(lo-2.0, cc-by-4.0, public-domain…)"),
    "type": (type_codes, "a resource type id of the type facet of /api/v1/resources (a DCMI "
             "type URI or a ScoLOMFR concept id)"),
    "language": (language_codes, "an ISO 639-1 language code (fr, en, de…)"),
}


def check_known(group: str, value: str) -> None:
    """Nothing when ``value`` is a known value of the filter ``group``; else a 400 naming it."""
    known, hint = KNOWN_FILTERS[group]
    values = known()
    if value in values:
        return
    probe = SearchQuery(filters={group: [value]}, per_page=1, facets=False, highlight=False)
    if services().index.search(probe).total > 0:
        return
    listed = sorted(values)
    examples = f" ({', '.join(listed)})" if len(listed) <= 12 else ""
    raise invalid(group, f"unknown {group} {value[:100]!r}: use {hint}{examples}")
