"""The search page through the Flask test client: state in the URL, facets, filters, no results."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from search.text import title_sort_key
from tests.ui.catalogue_data import LIVE_COUNT, D, L
from tests.ui.helpers import parse, text

CM2, SIXIEME, CINQUIEME = L["CM2"], L["6e"], L["5e"]
ELEMENTAIRE, COLLEGE = "scolomfr-voc-022-num-008", "scolomfr-voc-022-num-016"
CYCLE3 = "scolomfr-voc-022-num-620"
HG, SVT = D["hg"], D["svt"]


def query(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def test_home_lists_every_live_resource_in_french(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    doc = parse(response.data)
    assert doc.get("lang") == "fr"
    assert text(doc.get_element_by_id("resultats-titre")) == f"{LIVE_COUNT} ressources"
    assert len(doc.cssselect("ol.results > li")) == 20
    assert doc.cssselect("header.site-header") and doc.cssselect("main#contenu") and doc.cssselect("footer")
    assert doc.cssselect("a.skip-link")[0].get("href") == "#contenu"
    assert text(doc.cssselect("label[for=q]")[0]) == "Mots-clés"
    # Without JavaScript the form is a plain GET form with visible submit buttons.
    form = doc.get_element_by_id("recherche")
    assert form.get("method") == "get" and form.get("action") == "/"
    assert [text(b) for b in form.cssselect(".js-hide button, button.js-hide")] == ["Filtrer", "Trier"]


def test_query_string_state_is_shown_in_the_form(client):
    response = client.get(f"/?q=volcans&level={CINQUIEME}&sort=title")
    doc = parse(response.data)
    assert doc.get_element_by_id("q").get("value") == "volcans"
    checked = {(i.get("name"), i.get("value")) for i in doc.cssselect("input[type=checkbox][checked]")}
    assert checked == {("level", CINQUIEME)}
    assert doc.cssselect("#tri option[selected]")[0].get("value") == "title"
    assert text(doc.get_element_by_id("resultats-titre")) == "3 ressources"
    titles = [text(a) for a in doc.cssselect(".result__title a")]
    assert titles == sorted(titles, key=title_sort_key) and len(titles) == 3
    assert any("volcan" in t.lower() for t in titles)
    # The query words are highlighted (title_html carries <mark> only).
    assert doc.cssselect(".result__title mark, .result__snippet mark")
    assert text(doc.find(".//title")).startswith("« volcans » – 5e – 3 ressources")


def test_facets_have_counts_and_the_level_tree(client):
    doc = parse(client.get("/").data)
    level = doc.get_element_by_id("facette-level")
    assert text(level.find("legend")) == "Niveau"
    # Stages carry their classes nested below them; cycles are listed apart, without repeating classes.
    college = level.cssselect(f"input[value={COLLEGE}]")[0]
    nested = college.getparent().cssselect("ul input")
    assert SIXIEME in [i.get("value") for i in nested]
    assert len(level.cssselect(f"input[value={SIXIEME}]")) == 1
    cycle3 = level.cssselect(f"input[value={CYCLE3}]")[0]
    label = doc.cssselect(f"label[for={cycle3.get('id')}]")[0]
    assert "cycle 3" in text(label) and "CM1, CM2, 6e" in text(label) and "(2016)" not in text(label)
    count = text(doc.cssselect(f"label[for={college.get('id')}] .facet__count")[0])
    assert count.split()[0].isdigit() and int(count.split()[0]) > 0
    ids = [i.get("id") for i in doc.cssselect("input[type=checkbox]")]
    assert len(ids) == len(set(ids))
    for legend in ("Discipline", "Partenaire", "Type de ressource", "Licence", "Langue"):
        assert legend in [text(x) for x in doc.cssselect("fieldset.facet > legend")]
    partners = {text(x) for x in doc.cssselect("#facette-partner .facet__label")}
    assert partners == {"BnF / Gallica", "INA", "IGN", "Météo-France"}
    disciplines = [text(x) for x in doc.cssselect("#facette-discipline .facet__label")]
    assert "histoire et géographie" in disciplines  # "(discipline)" qualifier dropped


def test_each_active_filter_has_a_removal_link(client):
    url = f"/?q=carte&level={SIXIEME}&discipline={HG}&sort=date"
    doc = parse(client.get(url).data)
    chips = doc.cssselect(".active-filters a.chip")
    labels = [text(a) for a in chips]
    assert "Retirer le filtre Niveau : 6e" in labels
    assert "Retirer le filtre Discipline : histoire et géographie" in labels
    by_label = {text(a): a.get("href") for a in chips}
    assert query(by_label["Retirer le filtre Niveau : 6e"]) == [
        ("q", "carte"), ("discipline", HG), ("sort", "date")]
    assert query(by_label["Retirer le filtre Discipline : histoire et géographie"]) == [
        ("q", "carte"), ("level", SIXIEME), ("sort", "date")]
    assert query(by_label["Retirer tous les filtres"]) == [("q", "carte"), ("sort", "date")]


def test_filters_narrow_the_results(client):
    everything = parse(client.get("/").data)
    cm2 = parse(client.get(f"/?level={CM2}").data)
    both = parse(client.get(f"/?level={CM2}&discipline={HG}").data)
    totals = [int(text(d.get_element_by_id("resultats-titre")).split()[0]) for d in (everything, cm2, both)]
    assert totals[0] > totals[1] > totals[2] > 0
    for item in both.cssselect(".result"):
        facts = text(item.cssselect(".result__facts")[0])
        assert "CM2" in facts
    # A stage filter covers its classes (levels are expanded along the hierarchy).
    stage = parse(client.get(f"/?level={ELEMENTAIRE}").data)
    assert int(text(stage.get_element_by_id("resultats-titre")).split()[0]) >= totals[1]


def test_results_show_partner_levels_licence_and_thumbnail(client):
    doc = parse(client.get("/?q=gravures bastille").data)
    first = doc.cssselect(".result")[0]
    assert "Gravures de la prise de la Bastille" in text(first.cssselect(".result__title")[0])
    assert text(first.cssselect(".result__partner")[0]) == "BnF / Gallica"
    assert "CM1" in text(first.cssselect(".result__facts")[0])
    assert text(first.cssselect(".badge")[0]) == "Licence : Domaine public"
    img = first.cssselect("img.result__thumb")[0]
    record_id = first.cssselect(".result__title a")[0].get("href").removeprefix("/ressources/")
    assert img.get("src") == f"/vignettes/{record_id}" and img.get("alt").startswith("Aperçu")
    assert first.cssselect(".result__title a")[0].get("href").startswith("/ressources/")


def test_pagination_keeps_the_state(client):
    doc = parse(client.get("/?sort=title").data)
    nav = doc.cssselect("nav.pagination")[0]
    assert nav.get("aria-label") == "Pages de résultats"
    current = nav.cssselect("a[aria-current=page]")[0]
    assert text(current) == "Page 1"
    nxt = nav.cssselect("a[rel=next]")[0].get("href")
    assert query(nxt) == [("sort", "title"), ("page", "2")]
    page2 = parse(client.get(nxt).data)
    assert len(page2.cssselect("ol.results > li")) == LIVE_COUNT - 20
    assert page2.cssselect("ol.results")[0].get("start") == "21"
    assert query(page2.cssselect("nav.pagination a[rel=prev]")[0].get("href")) == [("sort", "title")]
    assert not page2.cssselect("nav.pagination a[rel=next]")


def test_nothing_found_suggests_spelling_and_removing_filters(client):
    doc = parse(client.get(f"/?q=volcam&level={CM2}").data)
    assert text(doc.get_element_by_id("resultats-titre")) == "Aucune ressource"
    box = doc.cssselect(".no-results")[0]
    assert "Aucune ressource ne correspond" in text(box)
    # The correction finds nothing with the CM2 filter: it is offered without it, and says so.
    spelling = box.cssselect(".no-results__spelling a")[0]
    assert text(spelling) in ("volcan (sans les filtres)", "volcans (sans les filtres)")
    assert query(spelling.get("href"))[0][0] == "q" and "level" not in spelling.get("href")
    # Removing the filter alone does not help ("volcam" matches nothing); each removal says so.
    removals = {text(li) for li in box.cssselect(".no-results__list li")}
    assert "Retirer Niveau : CM2 — 0 ressource" in removals
    assert any(r.startswith("Retirer les mots « volcam »") and not r.endswith(" 0 ressource")
               for r in removals)


def test_garbage_parameters_fall_back_to_defaults(client):
    response = client.get("/?page=abc&sort=sideways&level=&q=" + "x" * 2000)
    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.cssselect("#tri option[selected]")[0].get("value") == "relevance"
    assert len(doc.get_element_by_id("q").get("value")) == 500


def test_unknown_filter_value_shows_no_results_not_an_error(client):
    response = client.get("/?level=scolomfr-voc-022-num-999999&partner=inconnu")
    assert response.status_code == 200
    doc = parse(response.data)
    assert text(doc.get_element_by_id("resultats-titre")) == "Aucune ressource"
    assert "Partenaire : inconnu" in text(doc.cssselect(".active-filters")[0])


def test_fragment_request_returns_only_the_region(client):
    response = client.get(f"/?level={CM2}", headers={"X-Fragment": "region"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="region"')
    assert "<html" not in body and "<header" not in body
    assert "Fragment" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    doc = parse(body)
    assert doc.get("data-title").replace("\u00a0", " ").startswith("CM2 – 7 ressources")
    assert doc.get("data-announce").endswith("trouvées")
    full = client.get(f"/?level={CM2}")
    assert "Fragment" in full.headers["Vary"] and "<html" in full.get_data(as_text=True)
