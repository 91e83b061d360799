"""Property: every facet count equals the total of the search that selecting it would give.

For a value of a group that already has selections, the count is disjunctive: the total of
(the other groups' filters + that group = [value]).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.base import FACET_GROUPS, SearchIndex, SearchQuery
from tests.search.records import CM2, COLLEGE, CYCLE3, ELEMENTAIRE, MATHS, PHYSCHIM, SVT, TYPES

VALUES = {
    "level": [CM2, CYCLE3, COLLEGE, ELEMENTAIRE, "scolomfr-voc-022-num-011"],
    "discipline": [MATHS, PHYSCHIM, SVT],
    "partner": ["bnf", "ign", "ina", "meteofrance"],
    "type": list(TYPES),
    "licence": ["lo-2.0", "cc-by-4.0", "public-domain"],
    "language": ["fr", "en", "oc"],
    "period": ["20", "21", "19"],
}
WORDS = ["", "", "carte", "élève", "volcans", "histoire", "la photosynthèse", "ville climat"]

filters_strategy = st.dictionaries(
    st.sampled_from(FACET_GROUPS),
    st.sets(st.integers(0, 4), min_size=1, max_size=2),
    max_size=3,
).map(lambda d: {g: sorted({VALUES[g][i % len(VALUES[g])] for i in idx}) for g, idx in d.items()})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.sampled_from(WORDS), filters=filters_strategy)
def test_facet_count_is_the_total_of_selecting_it(
    loaded: SearchIndex, q: str, filters: dict[str, list[str]]
) -> None:
    # Every word (match="all"): whether partial matches are shown depends on the filters, so a
    # relaxed answer's counts are those of its own partial matches, not of another request.
    result = loaded.search(SearchQuery(q=q, filters=filters, per_page=1, match="all"))
    for group in FACET_GROUPS:
        others: dict[str, Any] = {g: v for g, v in filters.items() if g != group}
        for value in result.facets[group]:
            alone = loaded.search(SearchQuery(
                q=q, filters={**others, group: [value.id]}, per_page=1, facets=False,
                match="all"))
            assert value.count == alone.total, (group, value)
            assert value.selected == (value.id in filters.get(group, []))
    for group in ("partner", "licence"):  # one value per record: selected counts add up
        if group in filters:
            counts = {f.id: f.count for f in result.facets[group]}
            assert result.total == sum(counts[v] for v in filters[group])
