"""Rules every page follows (CSP-compatible markup, landmarks), and the pure helpers behind them."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from tests.ui.catalogue_data import L
from tests.ui.helpers import parse, text
from web.ui import french as fr
from web.ui.partners_view import heat
from web.ui.state import MAX_PAGE, SearchState, parse_state

PAGES = ["/", f"/?q=carte&level={L['6e']}", "/?q=zzzzzz", "/couverture", "/partenaires", "/partenaires/bnf",
         "/partenaires/meteofrance", "/ressources/{xss}", "/ressources/{fables}", "/ressources/inconnue",
         "/ressources/{deleted}", "/selection", "/selection?ids={fables},{xss}&notes=s%C3%A9ance+2",
         "/selection/imprimer?ids={fables}", "/confidentialite", "/api"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_keep_the_strict_csp_and_use_no_inline_code(client, rid, path):
    path = path.format(xss=rid["xss"], fables=rid["ark:/12148/fables"], deleted=rid["deleted"])
    response = client.get(path)
    assert response.status_code in (200, 404, 410)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    doc = parse(response.data)
    assert doc.get("lang") == "fr"
    for el in doc.iter():
        assert "style" not in el.attrib, el.tag
        assert not [a for a in el.attrib if a.lower().startswith("on")], el.tag
        if el.tag == "script":
            assert el.get("src") == "/static/catalogue.js" or el.get("type") == "application/ld+json"
        if el.tag == "style":
            pytest.fail("inline <style>")
        if el.tag == "a" and el.get("href"):
            assert not el.get("href").lower().startswith("javascript:")
    # Landmarks, one h1, a skip link to main.
    assert len(doc.findall(".//main")) == 1 and doc.findall(".//header") and doc.findall(".//footer")
    assert len(doc.findall(".//h1")) == 1
    assert doc.cssselect("a.skip-link")[0].get("href") == "#" + doc.find(".//main").get("id")
    # Every form field has a label.
    labels = {lab.get("for") for lab in doc.iter("label")}
    for field in doc.cssselect("input, select"):
        if field.get("type") != "hidden":
            assert field.get("id") in labels, field.get("name")


def test_static_assets_are_served(client):
    assert client.get("/static/catalogue.css").status_code == 200
    js = client.get("/static/catalogue.js")
    assert js.status_code == 200 and b"X-Fragment" in js.data
    assert client.get("/static/icons/logo.svg").status_code == 200


def test_state_round_trips_through_the_url():
    state = parse_state({"q": "  cycle   de l'eau ", "level": [L["CM1"], L["CM1"], ""], "sort": "date",
                         "page": "3"})
    assert state.q == "cycle de l'eau"
    assert state.filters == {"level": (L["CM1"],)}
    assert state.url() == f"/?q=cycle+de+l%27eau&level={L['CM1']}&sort=date&page=3"
    assert parse_state(MultiDict(parse_qsl(urlsplit(state.url()).query))) == state
    assert state.without_filter("level", L["CM1"]).url() == "/?q=cycle+de+l%27eau&sort=date"
    assert state.with_filter("level", L["CM2"]).page == 1
    assert parse_state({"page": "999999"}).page == MAX_PAGE
    assert parse_state({"page": "-2"}).page == 1
    assert SearchState().url() == "/"


@pytest.mark.parametrize(("code", "expected"), [
    ("lo-2.0", "mention de la source"),
    ("cc-by-4.0", "en citant l'auteur"),
    ("cc-by-sa-4.0", "sous la même licence"),
    ("cc-by-nd-4.0", "sans la modifier"),
    ("cc-by-nc-sa-3.0", "pas d'usage commercial"),
    ("public-domain", "sans condition"),
    ("specific", "vérifiez ses conditions"),
    ("all-rights-reserved", "Droits réservés"),
    (None, "Licence non précisée"),
])
def test_licence_explanations(code, expected):
    assert expected in fr.licence_explanation(code)


def test_french_formatting():
    assert fr.plural(0, "ressource") == "0\u00a0ressource"
    assert fr.plural(1234, "ressource") == "1\u202f234\u00a0ressources"
    assert fr.results_count(0) == "Aucune ressource"
    assert fr.duration_fr(3725) == "1\u00a0h 02\u00a0min 05\u00a0s"
    assert fr.duration_fr(45) == "45\u00a0s"
    assert fr.iso_date_fr("1846-01") == "janvier 1846"
    assert fr.iso_date_fr("-0052") == "52 av. J.-C."
    assert fr.interval_fr({"text": "18..", "start": "1800", "end": "1899"}) == "18.. (entre 1800 et 1899)"
    assert fr.short_label("cycle 3 (2016)") == "cycle 3"
    assert fr.credit_line("Titre", [], "IGN", None) == "« Titre ». Source : IGN — licence non précisée"
    assert fr.problem_fr("validate", "source.landing_url: must be an http(s) URL") == (
        "Le champ « lien vers la page de la ressource » doit être une adresse web complète "
        "(http:// ou https://).")


def test_heat_scale_is_monotonic_and_bounded():
    values = [heat(n, 40) for n in range(0, 41)]
    assert values[0] == 0 and values[1] == 1 and values[-1] == 5
    assert values == sorted(values)
    assert heat(3, 1) == 5 and heat(1, 1) == 5


def test_an_empty_catalogue_still_renders_every_page(tmp_path):
    """A fresh install (no harvest yet): pages explain that there is nothing, without errors."""
    from catalogue.config import Settings
    from catalogue.store import Store
    from web.app import create_app

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}", search_url=None,
                        sources_path=tmp_path / "s.toml", oai_namespace="x", base_url="http://x")
    Store(settings.database_url).upgrade()
    app = create_app(settings, TESTING=True)
    client = app.test_client()
    home = parse(client.get("/").data)
    assert text(home.get_element_by_id("resultats-titre")) == "Aucune ressource"
    coverage = client.get("/couverture")
    assert coverage.status_code == 200
    assert "aucune ressource classée" in text(parse(coverage.data).find(".//main"))
    partners = parse(client.get("/partenaires").data)
    assert "Aucun partenaire" in text(partners.find(".//main"))
    founding = client.get("/partenaires/ign")  # a founding partner not harvested yet
    assert founding.status_code == 200
    assert "Aucune source de ce partenaire" in text(parse(founding.data).find(".//main"))
    app.extensions["catalogue"].index.close()
