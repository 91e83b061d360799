"""Query parsing, sort keys and HTML-safe highlighting helpers."""

from __future__ import annotations

import pytest

from search.text import (
    MAX_PHRASES,
    MAX_QUERY_CHARS,
    MAX_WORDS,
    ParsedQuery,
    date_number,
    fold_key,
    mark_html,
    parse_user_query,
    record_date_number,
    searchable,
    snippet_html,
    title_sort_key,
)


def test_words_and_phrases() -> None:
    assert parse_user_query('volcans "chaîne des Puys" auvergne') == ParsedQuery(
        ("volcans", "auvergne"), ("chaîne des Puys",))
    assert parse_user_query("«cycle de l’eau»") == ParsedQuery((), ("cycle de l eau",))
    # an unbalanced quote runs to the end; a one-word phrase is just a word
    assert parse_user_query('énergie "solaire') == ParsedQuery(("énergie", "solaire"), ())
    assert parse_user_query("title:(a* OR b)") == ParsedQuery(("title", "a", "OR", "b"), ())
    assert parse_user_query("") == ParsedQuery()


def test_limits() -> None:
    assert sum(len(p.split()) for p in parse_user_query("mot " * 1000).words) == MAX_WORDS
    long = parse_user_query("a" * (MAX_QUERY_CHARS * 3))
    assert len(long.words[0]) == MAX_QUERY_CHARS
    many = parse_user_query(' '.join(f'"a{i} b{i}"' for i in range(20)))
    assert len(many.phrases) == MAX_PHRASES


def test_searchable_ignores_stop_words_only() -> None:
    assert not searchable(parse_user_query("le la les d' l’"))
    assert not searchable(parse_user_query("*** ((("))
    assert searchable(parse_user_query("l'énergie"))
    assert searchable(parse_user_query("son"))  # "son" (sound) is a noun teachers search


def test_fold_key() -> None:
    assert fold_key("L'Énergie  SOLAIRE !") == "l energie solaire"
    assert fold_key("Œuvres") == "oeuvres"


@pytest.mark.parametrize("title,key", [
    ("Les volcans d'Auvergne", "volcans d auvergne"),
    ("L'énergie solaire", "energie solaire"),
    ("La Révolution française", "revolution francaise"),
    ("Le", "le"),
    ("Œuvre 1", "oeuvre {ab"),
    ("Ελληνικά et français", "et francais"),
])
def test_title_sort_key(title: str, key: str) -> None:
    assert title_sort_key(title) == key


def test_title_order_is_french() -> None:
    titles = ["1-5-13, Saint-Cloud", "20-10-15, explosion", "Zola", "Les volcans",
              "Oeuvres T. 10", "Œuvres T. 2", "économie", "Écoles", "L'Amérique"]
    ordered = sorted(titles, key=title_sort_key)
    assert ordered == ["L'Amérique", "Écoles", "économie", "Œuvres T. 2", "Oeuvres T. 10",
                       "Les volcans", "Zola", "1-5-13, Saint-Cloud", "20-10-15, explosion"]


def test_date_numbers_sort_like_dates() -> None:
    ordered = ["-0500", "0800", "1789", "1789-07", "1789-07-14", "2023-05-02"]
    numbers = [date_number(d) for d in ordered]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert date_number(None) == date_number("") == date_number("vers 1850") == 0
    assert date_number("2024-05-01T10:00:00Z") == date_number("2024-05-01")


def test_record_date_falls_back_to_the_datestamp() -> None:
    record = {"dates": {"created": {"text": "1850", "start": "1850"}},
              "source": {"datestamp": "2024-01-01T00:00:00Z"}}
    assert record_date_number(record) == date_number("1850")
    record["dates"]["issued"] = {"text": "1851", "start": "1851"}
    assert record_date_number(record) == date_number("1851")
    assert record_date_number({"dates": {}, "source": {"datestamp": "2024-01-01T00:00:00Z"}}) == (
        date_number("2024-01-01"))


def test_mark_html_escapes_everything_but_marks() -> None:
    text = "<b>x</b> & 'y'"
    assert mark_html(text, [(3, 4)]) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &#x27;y&#x27;"
    assert mark_html(text, [(0, 20), (3, 4)]) == "<mark>&lt;b&gt;x&lt;/b&gt; &amp; &#x27;y&#x27;</mark>"


def test_snippet_window_follows_the_matches() -> None:
    text = ("début " * 60) + "le volcan et encore un volcan " + ("fin " * 60)
    start = text.index("volcan")
    html = snippet_html(text, [(start, start + 6)])
    assert html.startswith("…") and html.endswith("…") and "<mark>volcan</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 202
    assert snippet_html("court", []) == "court"
    assert snippet_html("mot " * 100, []).endswith("…")
    assert snippet_html("", []) == ""
