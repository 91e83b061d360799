"""Entry points: the home page's "Je cherche pour…" / "En…" / latest, and the class and subject
landing pages with their best-covered programme themes (counted from the alignment's basis)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from tests.ui.catalogue_data import INFERRED_BASIS, D, L
from tests.ui.helpers import parse, text
from web.ui.entry_view import slug


def _count(node) -> int:
    return int(re.sub(r"\D", "", text(node.cssselect(".entries__count")[0])))


def _total(client: FlaskClient, url: str) -> int:
    doc = parse(client.get(url).data)
    return int(text(doc.get_element_by_id("resultats-titre")).split()[0])


def test_home_offers_classes_and_subjects_with_the_search_counts(client: FlaskClient):
    doc = parse(client.get("/").data)
    entries = doc.get_element_by_id("entrees")
    assert [text(h) for h in entries.cssselect("h2")] == [
        "Je cherche pour…", "En…", "Récemment ajoutées ou mises à jour"]
    groups = {" ".join(text(a).split()[:2]): a for a in entries.cssselect("a.entries__main")}
    assert "cycle 3" in groups and groups["cycle 3"].get("href") == "/niveaux/cycle-3"
    cm2 = next(a for a in entries.cssselect(".entries__classes a") if text(a).startswith("CM2 "))
    assert cm2.get("href") == "/niveaux/cm2"
    # The number shown is what the landing page's search link gives, and the search's own count.
    landing = parse(client.get("/niveaux/cm2").data)
    search = landing.xpath("//main//a[contains(@class,'button--primary')]")[0].get("href")
    assert parse_qs(urlsplit(search).query)["level"] == [L["CM2"]]
    assert _count(cm2) == _total(client, search) > 0
    subjects = entries.cssselect(".entries__subjects a")
    hg = next(a for a in subjects if text(a).startswith("histoire et géographie"))
    assert hg.get("href") == "/disciplines/histoire-et-geographie"
    assert _count(hg) == _total(client, f"/?discipline={D['hg']}")
    counts = [_count(a) for a in subjects]
    assert counts == sorted(counts, reverse=True)
    assert len(entries.cssselect(".entries__latest a")) == 6
    # Only the unfiltered home page has them.
    assert not parse(client.get("/?q=bastille").data).xpath("//*[@id='entrees']")


def test_class_page_lists_the_programme_theme_the_alignment_inferred(client: FlaskClient, rid):
    doc = parse(client.get("/niveaux/4e").data)
    assert text(doc.cssselect("h1")[0]) == "Ressources pour la 4e"
    themes = doc.cssselect(".themes__item")
    assert themes, "the DDHC record's 4e was inferred from a programme theme"
    first = themes[0]
    assert "la Révolution française et l'Empire" in text(first.cssselect("h3")[0])
    links = [a.get("href") for a in first.cssselect("a")]
    assert f"/ressources/{rid['ark:/12148/ddhc1789']}" in links
    assert INFERRED_BASIS.startswith("programme:")
    # A class without inferred values says so; an unknown one is a 404.
    cp = parse(client.get("/niveaux/cp").data)
    assert "Aucune ressource n'est encore rattachée" in text(cp.cssselect("main")[0])
    assert client.get("/niveaux/inconnue").status_code == 404
    assert client.get("/disciplines/astrologie").status_code == 404


def test_subject_page_counts_themes_of_its_discipline(client: FlaskClient):
    doc = parse(client.get("/disciplines/histoire-et-geographie").data)
    assert text(doc.cssselect("h1")[0]) == "Ressources en histoire et géographie"
    titles = [text(h) for h in doc.cssselect(".themes__title")]
    assert any("la Révolution française et l'Empire" in t for t in titles)
    assert not parse(client.get("/disciplines/mathematiques").data).cssselect(".themes__item")


def test_slugs():
    assert slug("CM2") == "cm2" and slug("histoire et géographie") == "histoire-et-geographie"
    assert slug("langues vivantes (étrangères ou régionales)") == "langues-vivantes-etrangeres-ou-regionales"
