"""Partner HTML and Markdown come out harmless, with a readable plain-text twin."""

from schemas.cleaning import render_markdown, sanitize_html

HOSTILE = (
    '<p onclick="steal()" style="position:fixed">Bonjour <b>classe</b>'
    "<script>alert('xss')</script><style>body{display:none}</style>"
    ' <img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">piège</a> '
    '<a href="https://gallica.bnf.fr/" onmouseover="x()" style="color:red">Gallica</a></p>'
    "<iframe src='https://evil.example'>cadre</iframe>"
    "<ul><li>un</li><li>deux</li></ul>"
)


def _assert_harmless(html: str) -> None:
    lowered = html.lower()
    for needle in ("<script", "alert", "onerror", "onclick", "onmouseover", "javascript:",
                   "style=", "<style", "<iframe", "<img", "display:none"):  # fmt: skip
        assert needle not in lowered, needle


def test_sanitize_html_drops_scripts_styles_handlers_and_bad_links():
    html, text = sanitize_html(HOSTILE)
    assert html is not None
    _assert_harmless(html)
    assert '<a href="https://gallica.bnf.fr/" rel="noopener noreferrer nofollow">Gallica</a>' in html
    assert "<b>classe</b>" in html
    assert "<li>un</li>" in html


def test_sanitize_html_plain_text_has_blocks_as_lines_and_no_code():
    _, text = sanitize_html(HOSTILE)
    assert text.splitlines() == ["Bonjour classe piège Gallica", "- un", "- deux"]
    assert "alert" not in text and "display" not in text and "cadre" not in text


def test_sanitize_html_without_markup_gives_no_html():
    html, text = sanitize_html("Tom &amp; Jerry,\n  second   line\n\nnew paragraph")
    assert html is None
    assert text == "Tom & Jerry, second line\nnew paragraph"


def test_sanitize_html_empty_and_markup_only():
    assert sanitize_html("") == (None, "")
    assert sanitize_html("<script>alert(1)</script>") == (None, "")


def test_sanitize_html_keeps_mailto_and_breaks():
    html, text = sanitize_html('Écrire à <a href="mailto:a@b.fr">nous</a><br>merci')
    assert html is not None and 'href="mailto:a@b.fr"' in html and "<br>" in html
    assert text == "Écrire à nous\nmerci"


def test_render_markdown_formats_and_sanitises():
    source = (
        "### Données quotidiennes\n\nUn *texte* avec [lien](https://meteo.data.gouv.fr) "
        "et [piège](javascript:alert(1)).\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror=alert(1)><span style="color:red">rouge</span>\n\n- a\n- b'
    )
    html, text = render_markdown(source)
    assert html is not None
    # The refused link stays as inert text ("[piège](javascript:…)"), never as an href.
    _assert_harmless(html.replace("[piège](javascript:alert(1))", ""))
    assert 'href="javascript' not in html
    assert "<h3>Données quotidiennes</h3>" in html
    assert "<em>texte</em>" in html
    assert 'href="https://meteo.data.gouv.fr"' in html
    assert "<li>a</li>" in html
    assert text.splitlines()[0] == "Données quotidiennes"
    assert "- a" in text.splitlines() and "rouge" in text
    assert "<script" not in text


def test_render_markdown_single_plain_paragraph_gives_no_html():
    assert render_markdown("Juste du texte.") == (None, "Juste du texte.")
    assert render_markdown("  ") == (None, "")
