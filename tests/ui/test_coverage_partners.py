"""Coverage matrix, partner list and partner pages (harvest history, problems, quality)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from tests.ui.catalogue_data import LIVE_COUNT, D, L
from tests.ui.helpers import parse, text


def test_coverage_matrix_is_an_accessible_table_of_links(client):
    response = client.get("/couverture")
    assert response.status_code == 200
    doc = parse(response.data)
    table = doc.cssselect("table.matrix")[0]
    assert text(table.find("caption")).startswith("Nombre de ressources par niveau")
    columns = [text(th) for th in table.cssselect("thead th")]
    assert columns[0] == "Niveau" and "histoire et géographie" in columns
    assert all(th.get("scope") == "col" for th in table.cssselect("thead th"))
    rows = {text(tr.find("th")).rsplit(" (", 1)[0]: tr for tr in table.cssselect("tbody tr")}
    assert all(tr.find("th").get("scope") == "row" for tr in rows.values())
    assert {"école élémentaire", "CM2", "collège", "6e"} <= set(rows)
    # CM2 × histoire et géographie: the number, a colour class, a link to exactly that search.
    cell = rows["CM2"].findall("td")[columns.index("histoire et géographie") - 1]
    link = cell.find("a")
    count = int(text(link).split()[0])
    assert count > 0 and cell.get("class").startswith("heat-") and cell.get("class") != "heat-0"
    assert dict(parse_qsl(urlsplit(link.get("href")).query)) == {"level": L["CM2"], "discipline": D["hg"]}
    search = parse(client.get(link.get("href")).data)
    assert int(text(search.get_element_by_id("resultats-titre")).split()[0]) == count
    # Empty cells say 0 in text, not only by colour.
    empty = [td for tr in rows.values() for td in tr.findall("td") if td.get("class") == "heat-0"]
    assert empty and all(text(td) == "0" for td in empty)
    assert f"{LIVE_COUNT} ressources au total" in text(doc.cssselect(".lead")[0])


def test_coverage_lists_partners_with_last_harvest(client):
    doc = parse(client.get("/couverture").data)
    table = doc.cssselect("table.data-table")[0]
    rows = {text(tr.find("th")): [text(td) for td in tr.findall("td")] for tr in table.cssselect("tbody tr")}
    assert set(rows) == {"BnF / Gallica", "INA", "IGN", "Météo-France"}
    assert rows["IGN"][1].startswith("7 ressources") and rows["IGN"][3] == "terminé"
    assert rows["BnF / Gallica"][3] == "terminé avec des erreurs"
    assert rows["Météo-France"][3] == "échec"
    # One date format on every page: the resource pages' "3 mars 2025 à 14 h 05 (UTC)".
    assert re.fullmatch(r"(1er|\d{1,2}) [a-zéû]+ \d{4} à \d{1,2} h \d\d \(UTC\)", rows["INA"][2])


def test_partners_index_links_to_each_partner(client):
    doc = parse(client.get("/partenaires").data)
    links = {text(a): a.get("href") for a in doc.cssselect("tbody th a")}
    assert links == {"BnF / Gallica": "/partenaires/bnf", "INA": "/partenaires/ina",
                     "IGN": "/partenaires/ign", "Météo-France": "/partenaires/meteofrance"}


def test_partner_page_explains_what_to_fix(client):
    response = client.get("/partenaires/bnf")
    assert response.status_code == 200
    doc = parse(response.data)
    assert text(doc.cssselect("h1")[0]) == "BnF / Gallica"
    page = text(doc.cssselect("main")[0])
    assert "Source : Gallica — ressources pédagogiques" in page
    runs = doc.cssselect("table.data-table tbody tr")
    assert len(runs) == 2
    assert [text(td) for td in runs[0].findall("td")][:2] == ["incrémental", "terminé avec des erreurs"]
    assert [text(td) for td in runs[1].findall("td")][:2] == ["complet", "terminé"]
    headers = [text(th) for th in doc.cssselect("table.data-table thead th")]
    assert headers[3:] == ["Ajoutés", "Mis à jour", "Inchangés", "Supprimés", "En erreur"]
    problems = [text(li.cssselect("p")[1]) for li in doc.cssselect("li.problem")]
    assert "Le champ « titre » est obligatoire mais absent." in problems
    assert any("adresse de la vignette" in p and "http://" in p for p in problems)
    assert any("date de création" in p and "postérieure" in p for p in problems)
    assert any(p.startswith("L'enregistrement n'a pas pu être lu") for p in problems)
    assert "3 notices n'ont pas pu être reprises" in page
    quality = [text(li) for li in doc.cssselect("ul.quality li")]
    assert "42 % ont une vignette" in quality  # 5 of the 12 BnF records have one
    assert "100 % indiquent une licence" in quality


def test_partner_page_counts_records_per_origin_and_defaults_are_not_known(client):
    doc = parse(client.get("/partenaires/bnf").data)
    table = doc.cssselect("table.origins-table")[0]
    headers = [text(th) for th in table.cssselect("thead th")]
    assert headers == ["Champ", "Corrigé", "Déclaré par le partenaire", "Classification du partenaire",
                       "D'après le contenu", "Par défaut", "Aucun"]
    rows = {text(tr.find("th")): {td.get("data-origin"): int(text(td)) for td in tr.findall("td")}
            for tr in table.cssselect("tbody tr")}
    # 12 BnF records: the Déclaration has an inferred level (4e) and a Dewey-mapped discipline
    # beside a default one; the Bastille engravings have a default level; Nadar has nothing.
    assert rows["Niveaux"] == {"curation": 0, "source": 9, "rule": 0, "inferred": 1, "default": 1,
                               "none": 1}
    assert rows["Disciplines"] == {"curation": 0, "source": 10, "rule": 1, "inferred": 0, "default": 0,
                                   "none": 1}
    quality = [text(li) for li in doc.cssselect("ul.quality li")]
    # 10 of 12 have a known level: the default-only record does not count.
    assert "83 % ont au moins un niveau scolaire connu (hors niveaux par défaut)" in quality


def test_coverage_shows_classes_and_an_inferred_class_counts(client):
    doc = parse(client.get("/couverture").data)
    table = doc.cssselect("table.matrix")[0]
    columns = [text(th) for th in table.cssselect("thead th")]
    rows = {text(tr.find("th")).rsplit(" (", 1)[0]: tr for tr in table.cssselect("tbody tr")}
    assert "matrix__class" in rows["4e"].get("class") and "matrix__stage" in rows["collège"].get("class")
    cell = rows["4e"].findall("td")[columns.index("histoire et géographie") - 1]
    link = cell.find("a")
    # Cassini (source) and the Déclaration (4e inferred from the programme, hg from Dewey).
    assert int(text(link).split()[0]) == 2
    search = parse(client.get(link.get("href")).data)
    titles = [text(a) for a in search.cssselect(".result__title a")]
    assert "La Déclaration des droits de l'homme et du citoyen de 1789" in titles
    # The class filter finds the inferred class through its cycle too.
    cycle4 = parse(client.get(f"/?level=scolomfr-voc-022-num-621&discipline={D['hg']}").data)
    assert "La Déclaration des droits de l'homme et du citoyen de 1789" in [
        text(a) for a in cycle4.cssselect(".result__title a")]


def test_partner_page_reports_a_failed_harvest(client):
    doc = parse(client.get("/partenaires/meteofrance").data)
    alert = doc.cssselect(".alert--error")[0]
    assert "s'est arrêté avant la fin" in text(alert) and "503" in text(alert)


def test_unknown_partner_is_a_404(client):
    assert client.get("/partenaires/personne").status_code == 404
    assert client.get("/partenaires/<script>").status_code == 404
