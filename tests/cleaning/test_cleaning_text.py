"""clean_text, safe_url, clip and merge_duplicates on values seen in partner feeds."""

from schemas.cleaning import clean_text, clip, merge_duplicates, safe_url


def test_clean_text_joins_the_2010_gallica_padding():
    raw = "Voyages en Égypte et en Nubie... suivis d'un voyage sur\n\t\t\t\t\tla côte de la mer Rouge"
    assert clean_text(raw) == (
        "Voyages en Égypte et en Nubie... suivis d'un voyage sur la côte de la mer Rouge"
    )


def test_clean_text_removes_controls_and_bidi_overrides():
    assert clean_text("a\x00b\x1b[31m c\u202eevil\u202c \u2066x\u2069\x85") == "ab[31m cevil x"


def test_clean_text_normalises_to_nfc():
    decomposed = "E\u0301cole"  # É as E + combining acute
    assert clean_text(decomposed) == "\u00c9cole"


def test_clean_text_empty_becomes_none():
    assert clean_text(None) is None
    assert clean_text(" \n\t ") is None
    assert clean_text("\u202e") is None


def test_clean_text_keeps_typographic_apostrophe():
    assert clean_text("Appartient à l’ensemble documentaire") == ("Appartient à l’ensemble documentaire")


def test_safe_url_accepts_only_http_and_https():
    assert safe_url("\n\t\thttp://gallica.bnf.fr/ark:/12148/bpt6k852111 ") == (
        "http://gallica.bnf.fr/ark:/12148/bpt6k852111"
    )
    assert safe_url("HTTPS://example.org/x") == "https://example.org/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.org", "//x.org", "/rel",
                "https://", "http://x.org/\"onmouseover=", None, ""):  # fmt: skip
        assert safe_url(bad) is None, bad


def test_safe_url_encodes_inner_spaces():
    assert safe_url("https://x.org/a b") == "https://x.org/a%20b"


def test_clip_cuts_at_a_word_and_marks_the_cut():
    text = "mot " * 100
    clipped = clip(text, 50)
    assert len(clipped) <= 50
    assert clipped.endswith("mot…")
    assert clip("court", 50) == "court"


def test_merge_duplicates_prefers_the_value_with_a_language():
    values = [
        {"value": "France -- Colonies -- Histoire"},
        {"value": "france -- colonies --  histoire", "lang": "fr"},
        {"value": "Port-Breton", "lang": "fr"},
        {"value": "Port-Breton"},
    ]
    merged = merge_duplicates(values)
    assert merged == [
        {"value": "france -- colonies --  histoire", "lang": "fr"},
        {"value": "Port-Breton", "lang": "fr"},
    ]


def test_merge_duplicates_uses_the_given_key_and_skips_empty():
    merged = merge_duplicates([{"name": "A"}, {"name": "a"}, {"name": ""}, {"name": "B"}], key="name")
    assert [m["name"] for m in merged] == ["A", "B"]
