"""Polish found in use (issue 21, point 7): human dates and formats, one label per type, a page
number that never exceeds the last page, a skip link to the results."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.ui.helpers import parse, text
from web.ui import french as fr
from web.ui.resource_view import _links, _types


def test_dates_and_formats_in_french():
    stamp = {"start": "2023-12-01", "end": "2023-12-01", "text": "2023-12-01T09:44:53.961000+00:00"}
    assert fr.interval_fr(stamp) == "1er décembre 2023"
    assert fr.iso_date_fr("2023-12-01T09:44:53Z") == "1er décembre 2023"
    assert fr.interval_fr({"start": "1789", "end": "1790", "text": "1789-1790"}) == "1789-1790"
    assert fr.format_label("application/pdf") == "PDF"
    assert fr.format_label("Text/CSV; charset=utf-8") == "CSV"
    assert fr.format_label("application/x-inconnu") == "application/x-inconnu"


def test_one_type_label_and_player_links_as_buttons():
    record = {"resource_types": [{"id": "a", "label": "image fixe"}, {"id": "b", "label": "Image fixe"},
                                 {"id": "c", "label": "carte"}],
              "links": [{"url": "http://fresques.ina.fr/jalons/export/player/X", "kind": "player"},
                        {"url": "https://x.example/doc.pdf", "media_type": "application/pdf",
                         "title": "Le texte"}]}
    assert [t.label for t in _types(record)] == ["image fixe", "carte"]
    player, pdf = _links(record, "INA")
    assert player == {"url": "https://fresques.ina.fr/jalons/export/player/X",
                      "title": "Ouvrir le lecteur chez INA", "format": "", "button": True}
    assert (pdf["title"], pdf["format"], pdf["button"]) == ("Le texte", "PDF", False)


def test_page_number_never_exceeds_the_last_page(client: FlaskClient):
    doc = parse(client.get("/?sort=title&page=2").data)
    heading = text(doc.get_element_by_id("resultats-titre"))
    last = int(heading.rsplit("sur", 1)[1].strip())
    beyond_page = parse(client.get(f"/?sort=title&page={last + 5}").data)
    beyond = text(beyond_page.get_element_by_id("resultats-titre"))
    assert f"page {last + 5}" not in beyond and f"au-delà de la dernière page ({last})" in beyond


def test_skip_link_to_the_results(client: FlaskClient):
    doc = parse(client.get("/?q=carte").data)
    links = {a.get("href"): text(a) for a in doc.cssselect("a.skip-link")}
    assert links["#resultats-titre"] == "Aller aux résultats" and links["#contenu"] == "Aller au contenu"
    assert doc.get_element_by_id("resultats-titre") is not None
    assert "#resultats-titre" not in {a.get("href") for a in parse(client.get("/couverture").data)
                                      .cssselect("a.skip-link")}


def test_badge_and_credit_line_say_the_same_licence():
    from web.ui.resource_view import build_resource_page

    record = {"id": "ina-jalons-x", "title": [{"value": "L'élection", "lang": "fr"}],
              "source": {"partner": "ina", "identifier": "x"}, "licence": {},
              "rights": "© INA — tous droits réservés", "url": "https://fresques.ina.fr/jalons/x",
              "dates": {"created": {"start": "1947-01-16", "end": "1947-01-16", "text": "16 janvier 1947"}}}
    page = build_resource_page(record, "INA")
    assert page.licence_label == "Tous droits réservés"
    assert page.credit == ("« L'élection ». Source : INA, 1947, https://fresques.ina.fr/jalons/x, "
                           "tous droits réservés")
