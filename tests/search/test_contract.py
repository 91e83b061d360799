"""The behaviour every search backend must have (tantivy always; Elasticsearch when configured)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

from schemas.record import text_of
from search.base import InvalidQuery, SearchIndex, SearchQuery, SearchResult
from search.text import record_date_number, title_sort_key
from tests.search.records import (
    CE2,
    CINQUIEME,
    CM1,
    CM2,
    COLLEGE,
    CYCLE3,
    ELEMENTAIRE,
    MATHS,
    QUATRIEME,
    SIXIEME,
    TROISIEME,
    URI,
    by_n,
    generated,
    make_record,
)


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def walk(index: SearchIndex, query: SearchQuery) -> list[str]:
    """Every id the query reaches by following next_cursor from the first page."""
    seen: list[str] = []
    result = index.search(query)
    seen += ids(result)
    pages = 1
    while result.next_cursor:
        result = index.search(replace(query, cursor=result.next_cursor, facets=False))
        seen += ids(result)
        pages += 1
        assert pages < 500, "cursor does not advance"
    return seen


def matching(records: list[dict[str, Any]], group: str, value: str) -> set[str]:
    """Ids of the records whose own (unexpanded) values contain ``value``."""
    out = set()
    for r in records:
        values = {
            "partner": [r["source"]["partner"]],
            "type": [t["id"] for t in r["resource_types"]],
            "licence": [r["licence"]["code"]] if r["licence"] else [],
            "language": r["languages"],
            "level": [lv["id"] for lv in r["levels"]],
            "discipline": [d["id"] for d in r["disciplines"]],
        }[group]
        if value in values:
            out.add(r["id"])
    return out


def facet(result: SearchResult, group: str) -> dict[str, int]:
    return {f.id: f.count for f in result.facets[group]}


# -- French full text ---------------------------------------------------------------------------


def test_accents_and_case_do_not_matter(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    revolution = by_n(records, "revolution")["id"]
    assert ids(loaded.search(SearchQuery(q="revolution francaise"))) == [revolution]
    assert ids(loaded.search(SearchQuery(q="RÉVOLUTION Française"))) == [revolution]


def test_plural_and_singular_match(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    volcans, puys = by_n(records, "volcans")["id"], by_n(records, "puys")["id"]
    assert set(ids(loaded.search(SearchQuery(q="volcans")))) == {volcans, puys}
    assert set(ids(loaded.search(SearchQuery(q="volcan")))) == {volcans, puys}


def test_elisions_are_ignored(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    solaire, eolien = by_n(records, "solaire")["id"], by_n(records, "eolien")["id"]
    for q in ("l'énergie", "L’énergie", "energie", "d'énergie"):
        assert set(ids(loaded.search(SearchQuery(q=q)))) == {solaire, eolien}, q


def test_every_word_is_required(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    solaire = by_n(records, "solaire")["id"]
    assert ids(loaded.search(SearchQuery(q="énergie solaire"))) == [solaire]
    strict = loaded.search(SearchQuery(q="énergie pizza", match="all"))
    assert strict.total == 0 and not strict.relaxed


def test_no_record_with_every_word_gives_the_best_partial_matches(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    result = loaded.search(SearchQuery(q="énergie pizza"))
    assert result.relaxed and result.strict_total == 0 and result.total > 0
    every = {r["id"] for r in records
             if any(w in (text_of(r.get("title")) + text_of(r.get("description"))).lower()
                    for w in ("énergie", "pizza"))}
    assert set(ids(result)) <= every
    # A record holding a word in its title comes before one holding it only elsewhere.
    first = result.hits[0].record
    assert "nergie" in text_of(first.get("title")).lower() or "pizza" in text_of(
        first.get("title")).lower()
    # Each page of the partial matches continues with its own cursor.
    assert walk(loaded, SearchQuery(q="énergie pizza", per_page=2))[:len(result.hits)] == ids(
        result)


def test_a_quoted_phrase_stays_required_in_partial_matches(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    result = loaded.search(SearchQuery(q='pizza "énergie solaire"'))
    solaire = by_n(records, "solaire")["id"]
    assert result.relaxed and ids(result) == [solaire]
    assert loaded.search(SearchQuery(q='"énergie pizza" solaire')).total == 0


def test_teacher_vocabulary_expands_the_query(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    maths = {r["id"] for r in records if any(d["id"] == MATHS for d in r["disciplines"])}
    result = loaded.search(SearchQuery(q="maths", per_page=100, facets=False))
    assert maths and maths <= set(ids(result))
    assert [(p.group, p.id) for p in result.proposals] == [("discipline", MATHS)]
    assert "(discipline)" not in result.proposals[0].label
    videos = {r["id"] for r in records
              if any(t["id"].endswith("MovingImage") for t in r["resource_types"])}
    assert videos and videos <= set(ids(loaded.search(SearchQuery(q="vidéo", per_page=100))))


def test_dates_years_ranges_and_centuries(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    def years(r: dict[str, Any]) -> tuple[int, int] | None:
        created = (r.get("dates") or {}).get("issued") or {}
        start = created.get("start")
        return (int(start[:4]), int(start[:4])) if start else None

    dated = {r["id"]: years(r) for r in records if years(r)}
    assert dated
    year = next(iter(dated.values()))[0]
    found = set(ids(loaded.search(SearchQuery(q=str(year), per_page=100, facets=False))))
    assert {i for i, y in dated.items() if y == (year, year)} <= found
    century = year // 100 + 1
    result = loaded.search(SearchQuery(q=f"{century}e siècle", per_page=100))
    assert {i for i, y in dated.items() if y[0] // 100 + 1 == century} <= set(ids(result))
    assert {f.id for f in result.facets["period"]} == {str(century)}


def test_date_filters_and_period_facet(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    result = loaded.search(SearchQuery(date_from=2020, date_to=2021, per_page=100))
    expected = {r["id"] for r in records
                if (r.get("dates") or {}).get("issued")
                and 2020 <= int(r["dates"]["issued"]["start"][:4]) <= 2021}
    assert set(ids(result)) == expected
    period = loaded.search(SearchQuery(filters={"period": ["21"]}, per_page=100))
    counts = {f.id: f.count for f in loaded.search(SearchQuery()).facets["period"]}
    assert period.total == counts.get("21", 0)
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(date_from=2000, date_to=1990))
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(filters={"period": ["XIX"]}))


def test_words_may_match_in_different_fields(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    # "volcans" in the title, "cantal" only in the description
    assert ids(loaded.search(SearchQuery(q="volcans cantal"))) == [by_n(records, "volcans")["id"]]


def test_quoted_phrase_keeps_word_order(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    volcans = by_n(records, "volcans")["id"]
    assert ids(loaded.search(SearchQuery(q='"volcans d\'Auvergne"'))) == [volcans]
    assert ids(loaded.search(SearchQuery(q="«volcans d'auvergne»"))) == [volcans]
    assert loaded.search(SearchQuery(q='"auvergne volcans"')).total == 0
    # a phrase plus a loose word: both required
    assert loaded.search(SearchQuery(q='"volcans d\'auvergne" pizza', match="all")).total == 0


def test_title_match_ranks_above_description_match(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    result = loaded.search(SearchQuery(q="volcan"))
    assert ids(result) == [by_n(records, "volcans")["id"], by_n(records, "puys")["id"]]
    assert result.hits[0].score is not None and result.hits[1].score is not None
    assert result.hits[0].score > result.hits[1].score


def test_keyword_match_is_found(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    assert by_n(records, "volcans")["id"] in ids(loaded.search(SearchQuery(q="géologie")))


@pytest.mark.parametrize("q", [
    '"unbalanced quote', "title:volcan", "*", "volc*", "(((", ")", "a AND OR NOT", "\\",
    "[1 TO 5]", "volcan~2", "+volcan -pizza", "x" * 5000, " ".join(["mot"] * 400),
    "\x00\x01", "🙂", "'", "l'", "-", "&&||!", "<script>alert(1)</script>", "NOT", '""', "\u202e",
])
def test_any_input_is_safe(loaded: SearchIndex, q: str) -> None:
    result = loaded.search(SearchQuery(q=q))
    assert result.total >= 0
    assert all(isinstance(h.title_html, str) for h in result.hits)


def test_operators_are_plain_words(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    volcans = by_n(records, "volcans")["id"]
    assert volcans in ids(loaded.search(SearchQuery(q="auvergne:volcans*")))
    assert volcans in ids(loaded.search(SearchQuery(q="+volcans (auvergne")))


def test_query_without_words_browses_everything(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    for q in ("", "   ", "le la les", "***"):
        assert loaded.search(SearchQuery(q=q)).total == len(records), q


# -- facets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("group,value", [
    ("partner", "ign"),
    ("type", "http://purl.org/dc/dcmitype/Image"),
    ("licence", "cc-by-4.0"),
    ("language", "en"),
    ("level", CM2),
    ("discipline", MATHS),
])
def test_each_filter_and_its_facet_count(
    loaded: SearchIndex, records: list[dict[str, Any]], group: str, value: str
) -> None:
    everything = loaded.search(SearchQuery(per_page=1))
    result = loaded.search(SearchQuery(filters={group: [value]}, per_page=100))
    assert result.total == facet(everything, group)[value] > 0
    assert result.total == len(result.hits)
    if group not in ("level", "discipline"):  # those two expand; see the hierarchy tests
        assert set(ids(result)) == matching(records, group, value)
    chosen = [f for f in result.facets[group] if f.selected]
    assert [(f.id, f.count) for f in chosen] == [(value, result.total)]


def test_multi_select_is_or_and_keeps_other_values(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    everything = loaded.search(SearchQuery())
    result = loaded.search(SearchQuery(filters={"partner": ["ign", "ina"]}))
    assert result.total == len(matching(records, "partner", "ign") |
                               matching(records, "partner", "ina"))
    # the partner facet ignores its own selection: every partner keeps its full count
    assert facet(result, "partner") == facet(everything, "partner")
    assert {f.id for f in result.facets["partner"] if f.selected} == {"ign", "ina"}


def test_counts_follow_the_other_filters(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(q="carte", filters={"level": [CM2], "partner": ["bnf"]}))
    for partner, count in facet(result, "partner").items():
        alone = loaded.search(SearchQuery(q="carte", filters={"level": [CM2],
                                                              "partner": [partner]}, facets=False))
        assert count == alone.total, partner
    for value, count in facet(result, "licence").items():
        alone = loaded.search(SearchQuery(q="carte", filters={
            "level": [CM2], "partner": ["bnf"], "licence": [value]}, facets=False))
        assert count == alone.total, value


def test_selected_value_without_results_still_listed(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(q="volcans", filters={"partner": ["ina"]}))
    assert result.total == 0
    assert [(f.id, f.count, f.selected) for f in result.facets["partner"] if f.selected] == [
        ("ina", 0, True)]


def test_level_hierarchy(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    cycle3 = loaded.search(SearchQuery(filters={"level": [CYCLE3]}, per_page=100))
    expected = {r["id"] for r in records
                if {lv["id"] for lv in r["levels"]} & {CM1, CM2, SIXIEME, CYCLE3}}
    assert set(ids(cycle3)) == expected
    assert {by_n(records, n)["id"] for n in ("volcans", "solaire", "fractions")} <= expected
    college = loaded.search(SearchQuery(filters={"level": [COLLEGE]}, per_page=100))
    assert set(ids(college)) == {
        r["id"] for r in records
        if {lv["id"] for lv in r["levels"]} & {SIXIEME, CINQUIEME, QUATRIEME, TROISIEME}}
    # a CM2 resource is counted under CM2, école élémentaire and cycle 3
    volcans = loaded.search(SearchQuery(q="volcans d'auvergne"))
    assert {CM2, ELEMENTAIRE, CYCLE3} <= set(facet(volcans, "level"))
    everything = loaded.search(SearchQuery())
    levels = facet(everything, "level")
    assert levels[ELEMENTAIRE] >= max(levels[CM1], levels[CM2], levels[CE2])
    assert levels[CYCLE3] == cycle3.total


def test_level_uri_equals_id(loaded: SearchIndex) -> None:
    by_id = loaded.search(SearchQuery(filters={"level": [CM2]}))
    by_uri = loaded.search(SearchQuery(filters={"level": [URI + CM2]}))
    assert by_id.total == by_uri.total > 0
    assert [f.id for f in by_uri.facets["level"] if f.selected] == [CM2]


def test_discipline_topics_count_under_their_discipline(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    result = loaded.search(SearchQuery(filters={"discipline": [MATHS]}, per_page=100))
    assert by_n(records, "fractions")["id"] in ids(result)  # tagged "mathématiques (cycle 3)"


def test_facet_labels_are_french(loaded: SearchIndex) -> None:
    facets = loaded.search(SearchQuery()).facets
    labels = {g: {f.id: f.label for f in values} for g, values in facets.items()}
    assert labels["level"][CM2] == "CM2"
    assert labels["discipline"][MATHS] == "mathématiques (discipline)"
    assert labels["language"]["fr"] == "français"
    assert labels["partner"]["bnf"] == "BnF / Gallica"
    assert labels["licence"]["cc-by-4.0"] == "CC BY 4.0"
    assert labels["type"]["http://purl.org/dc/dcmitype/Dataset"] == "jeu de données"


def test_facets_can_be_skipped(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(q="volcan", facets=False))
    assert result.facets == {} and result.total == 2


def test_unknown_filter_or_sort_is_refused(loaded: SearchIndex) -> None:
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(filters={"colour": ["red"]}))
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(sort="random"))


# -- sorting and paging ---------------------------------------------------------------------------


def test_sort_by_date_newest_first(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(sort="date", per_page=100))
    dates = [record_date_number(h.record) for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    assert all(h.score is None for h in result.hits)


def test_sort_by_title(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(sort="title", per_page=100))
    keys = [title_sort_key(text_of(h.record["title"]))[:48] for h in result.hits]
    assert keys == sorted(keys)
    assert keys[0] < keys[-1]


def test_browsing_is_newest_first(loaded: SearchIndex) -> None:
    assert ids(loaded.search(SearchQuery(per_page=30))) == ids(
        loaded.search(SearchQuery(sort="date", per_page=30)))


def test_pages_do_not_overlap(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    seen: list[str] = []
    for page in range(1, 100):
        result = loaded.search(SearchQuery(sort="title", page=page, per_page=25, facets=False))
        if not result.hits:
            break
        seen += ids(result)
    assert sorted(seen) == sorted(r["id"] for r in records)


def test_per_page_is_capped_and_deep_pages_need_the_cursor(loaded: SearchIndex) -> None:
    assert len(loaded.search(SearchQuery(per_page=1000)).hits) == 100
    assert len(loaded.search(SearchQuery(per_page=0)).hits) == 1
    loaded.search(SearchQuery(page=100, per_page=100))  # the last allowed page
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(page=101, per_page=100))


@pytest.mark.parametrize("query", [
    SearchQuery(per_page=7),
    SearchQuery(sort="date", per_page=9),
    SearchQuery(sort="title", per_page=11),
    SearchQuery(q="carte", per_page=5),
    SearchQuery(q="carte", sort="title", per_page=4),
    SearchQuery(filters={"level": [CYCLE3], "language": ["fr", "en"]}, sort="date", per_page=3),
])
def test_cursor_walk_returns_each_record_once(loaded: SearchIndex, query: SearchQuery) -> None:
    pages = [loaded.search(replace(query, per_page=100, page=p, facets=False)) for p in (1, 2)]
    expected = set(ids(pages[0]) + ids(pages[1]))
    seen = walk(loaded, query)
    assert len(seen) == len(set(seen)) == pages[0].total > query.per_page
    assert set(seen) == expected


def test_cursor_walk_over_the_whole_corpus(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    seen = walk(loaded, SearchQuery(sort="date", per_page=10))
    assert sorted(seen) == sorted(r["id"] for r in records)


def test_cursor_continues_from_a_numbered_page(loaded: SearchIndex) -> None:
    first = loaded.search(SearchQuery(sort="title", page=1, per_page=10))
    second = loaded.search(SearchQuery(sort="title", page=2, per_page=10))
    assert first.next_cursor
    by_cursor = loaded.search(SearchQuery(sort="title", per_page=10, cursor=first.next_cursor))
    assert ids(by_cursor) == ids(second)


def test_cursor_is_url_safe_and_bound_to_its_query(loaded: SearchIndex) -> None:
    cursor = loaded.search(SearchQuery(per_page=5)).next_cursor
    assert cursor and all(c.isalnum() or c in "-_" for c in cursor)
    with pytest.raises(InvalidQuery):
        loaded.search(SearchQuery(q="carte", per_page=5, cursor=cursor))
    for bad in ("garbage", "!!!", "eyJmIjoxfQ", "x" * 5000):
        with pytest.raises(InvalidQuery):
            loaded.search(SearchQuery(per_page=5, cursor=bad))


def test_last_page_has_no_cursor(loaded: SearchIndex) -> None:
    result = loaded.search(SearchQuery(q="volcan", per_page=2))
    assert len(result.hits) == 2 and result.next_cursor is None


# -- highlighting -----------------------------------------------------------------------------------


def test_highlight_marks_matches_and_escapes_html(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    result = loaded.search(SearchQuery(q="eau pluie"))
    hit = next(h for h in result.hits if h.id == by_n(records, "xss")["id"])
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<mark>pluie</mark>" in hit.title_html
    assert "&amp;" in hit.title_html
    assert "<b>" not in hit.snippet_html and "&lt;b&gt;" in hit.snippet_html
    assert "<mark>eau</mark>" in hit.snippet_html
    stripped = hit.title_html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_highlight_follows_stemming(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    hit = loaded.search(SearchQuery(q="revolutions")).hits[0]
    assert hit.title_html == "La <mark>Révolution</mark> française"


def test_highlight_can_be_switched_off(loaded: SearchIndex) -> None:
    hit = loaded.search(SearchQuery(q="volcans", highlight=False)).hits[0]
    assert "<mark>" not in hit.title_html + hit.snippet_html
    assert hit.title_html == "Les volcans d&#x27;Auvergne"


def test_snippet_is_short(loaded: SearchIndex) -> None:
    for hit in loaded.search(SearchQuery(per_page=50)).hits:
        plain = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert len(plain) <= 260


# -- suggestions, get, count ----------------------------------------------------------------------


def test_suggest_levels(loaded: SearchIndex) -> None:
    found = loaded.suggest("cm")
    levels = [(s.text, s.id) for s in found if s.kind == "level"]
    assert levels[:2] == [("CM1", CM1), ("CM2", CM2)]
    assert [s.text for s in loaded.suggest("CM")][:2] == ["CM1", "CM2"]


def test_suggest_titles_keywords_and_disciplines(
    loaded: SearchIndex, records: list[dict[str, Any]]
) -> None:
    titles = [(s.text, s.id) for s in loaded.suggest("volc") if s.kind == "title"]
    assert ("Les volcans d'Auvergne", by_n(records, "volcans")["id"]) in titles
    assert "L'énergie solaire" in [s.text for s in loaded.suggest("ENERG")]
    assert "patrimoine" in [s.text for s in loaded.suggest("patri")
                            if s.kind in ("keyword", "term")]
    # Vocabulary labels without their "(discipline)" / "(2016)" qualifiers.
    assert ("mathématiques", "discipline") in [(s.text, s.kind) for s in loaded.suggest("mathé")]
    assert all("(" not in s.text for s in loaded.suggest("cycle") if s.kind == "level")
    assert len(loaded.suggest("l", limit=3)) <= 3
    assert loaded.suggest("") == [] and loaded.suggest("   ") == []
    assert loaded.suggest("zzzzqqq") == []


def test_get_and_count(loaded: SearchIndex, records: list[dict[str, Any]]) -> None:
    record = by_n(records, "revolution")
    assert loaded.get(record["id"]) == record
    assert loaded.get("no-such-record") is None
    assert loaded.count() == len(records)


# -- writing ------------------------------------------------------------------------------------------


def test_delete_removes_from_results(fresh: SearchIndex) -> None:
    a = make_record("a", "Les volcans d'Auvergne")
    b = make_record("b", "Volcans du monde")
    assert fresh.index([a, b]) == 2
    fresh.delete([a["id"], "not-indexed"])
    assert ids(fresh.search(SearchQuery(q="volcans"))) == [b["id"]]
    assert fresh.get(a["id"]) is None and fresh.count() == 1


def test_update_replaces_the_record(fresh: SearchIndex) -> None:
    record = make_record("a", "Les volcans d'Auvergne")
    fresh.index([record])
    changed = {**record, "title": [{"value": "Les glaciers des Alpes", "lang": "fr"}]}
    fresh.index([changed])
    assert fresh.count() == 1
    assert fresh.search(SearchQuery(q="volcans")).total == 0
    assert ids(fresh.search(SearchQuery(q="glacier"))) == [record["id"]]
    assert fresh.get(record["id"]) == changed


def test_bad_record_is_skipped_not_fatal(fresh: SearchIndex) -> None:
    good = make_record("a", "Les volcans d'Auvergne")
    assert fresh.index([{"id": "broken"}, good, {"title": []}]) == 1
    assert fresh.count() == 1


def test_last_seq_is_kept(fresh: SearchIndex) -> None:
    assert fresh.last_seq == 0
    fresh.set_last_seq(42)
    assert fresh.last_seq == 42


def test_rebuild_while_searching(fresh: SearchIndex) -> None:
    first = generated(150, seed=1)
    fresh.index(first)
    stop = threading.Event()
    counts = {"ok": 0, "failed": 0}
    errors: list[BaseException] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                result = fresh.search(SearchQuery(q="carte", filters={"partner": ["ign"]}))
                assert result.total >= 0
                counts["ok"] += 1
            except Exception as exc:  # counted, then reported by the assertion below
                counts["failed"] += 1
                errors.append(exc)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        for seed in (2, 3):
            second = generated(200, seed=seed)
            assert fresh.rebuild(second, last_seq=seed) == 200
    finally:
        stop.set()
        thread.join()
    assert counts["failed"] == 0, errors[:3]
    assert counts["ok"] > 0
    assert fresh.count() == 200 and fresh.last_seq == 3
    latest = generated(200, seed=3)
    assert all(fresh.get(r["id"]) == r for r in latest[:20])


# -- catalogue change datestamp -----------------------------------------------------------------


def test_modified_window_and_order(fresh: SearchIndex) -> None:
    """The records' catalogue.modified filters (since inclusive, before exclusive, seconds) and
    orders (newest first, every record once along the cursor)."""
    from datetime import UTC, datetime

    def stamp(day: int) -> str:
        return f"2026-01-{day:02d}T10:00:00Z"

    def seconds(day: int, second: int = 0) -> int:
        return int(datetime(2026, 1, day, 10, 0, second, tzinfo=UTC).timestamp())

    dated = [{**make_record(f"m{n}", f"Carte ancienne numéro {n}"),
              "catalogue": {"modified": stamp(1 + n % 7), "change": f"c{n}"}} for n in range(14)]
    fresh.index(dated)
    by_day = {r["id"]: 1 + n % 7 for n, r in enumerate(dated)}

    def found(**window: int) -> set[str]:
        return set(walk(fresh, SearchQuery(per_page=5, facets=False, **window)))  # type: ignore[arg-type]

    assert found(modified_since=seconds(3)) == {i for i, d in by_day.items() if d >= 3}
    assert found(modified_since=seconds(3, 1)) == {i for i, d in by_day.items() if d >= 4}
    assert found(modified_before=seconds(3)) == {i for i, d in by_day.items() if d < 3}
    assert found(modified_before=seconds(3, 1)) == {i for i, d in by_day.items() if d <= 3}
    assert found(modified_since=seconds(2), modified_before=seconds(5)) == {
        i for i, d in by_day.items() if 2 <= d < 5}
    assert fresh.search(SearchQuery(q="carte", modified_since=seconds(7), facets=False)).total == 2
    order = walk(fresh, SearchQuery(sort="modified", per_page=3, facets=False))
    assert sorted(order) == sorted(by_day) and len(order) == len(set(order))
    assert [by_day[i] for i in order] == sorted(by_day.values(), reverse=True)
    with pytest.raises(InvalidQuery):
        fresh.search(SearchQuery(modified_since=seconds(5), modified_before=seconds(5)))
