"""Resource pages: every field in French, links to searches, downloads, JSON-LD, 404 and 410."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from schemas.serializers.jsonld import to_jsonld
from schemas.vocabularies import load_vocabulary
from tests.ui.catalogue_data import BASE_URL, XSS_DESCRIPTION, XSS_TITLE, D, L
from tests.ui.helpers import parse, text
from web.services import services


def facts(doc) -> dict[str, str]:
    """<dt> -> <dd> text; list items joined with " | "."""
    out = {}
    for div in doc.cssselect("dl.facts > div"):
        dd = div.find("dd")
        items = dd.cssselect("li")
        out[text(div.find("dt"))] = " | ".join(text(li) for li in items) if items else text(dd)
    return out


def test_resource_page_shows_every_field_in_french(client, rid):
    response = client.get(f"/ressources/{rid['ark:/12148/ddhc1789']}")
    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.get("lang") == "fr"
    assert text(doc.cssselect("h1")[0]) == "La Déclaration des droits de l'homme et du citoyen de 1789"
    assert "Assemblée nationale constituante" in text(doc.cssselect(".prose")[0])
    shown = facts(doc)
    # Each level and discipline says where it came from, in French.
    assert shown["Niveaux"] == ("4e — d'après le programme d'histoire de 4e : « la Révolution "
                                "française et l'Empire » — mots : révolution, 1789 — période : "
                                "1789-1815")
    assert shown["Disciplines"] == (
        "histoire et géographie — d'après la classification Dewey du partenaire (944) | "
        "enseignement moral et civique — indiqué par défaut pour ce partenaire")
    assert shown["Types"] == "texte"
    assert shown["Langues"] == "français"
    assert shown["Création"] == "26 août 1789"
    assert shown["Accès"] == "accès libre et gratuit"
    assert shown["Identifiant chez le partenaire"] == "ark:/12148/ddhc1789"
    # Levels and disciplines link to the matching search.
    links = {text(a): a.get("href") for a in doc.cssselect("dl.facts a")}
    assert parse_qsl(urlsplit(links["4e"]).query) == [("level", L["4e"])]
    assert parse_qsl(urlsplit(links["histoire et géographie"]).query) == [("discipline", D["hg"])]
    # Link to the resource at the partner.
    partner_link = [a for a in doc.cssselect("a.button") if "Voir la ressource" in text(a)][0]
    assert partner_link.get("href") == "https://bnf.example.org/ddhc1789"


def test_every_origin_reads_in_french_and_a_default_never_as_the_partners(client, rid):
    def origins(identifier: str) -> dict[str, tuple[str, str]]:
        doc = parse(client.get(f"/ressources/{rid[identifier]}").data)
        return {text(li.cssselect("a")[0]): (li.get("data-provenance"),
                                             text(li.cssselect(".aligned__origin")[0]))
                for li in doc.cssselect("li.aligned__item")}

    bastille = origins("ark:/12148/bastille")
    assert bastille == {"CM1": ("default", "— indiqué par défaut pour ce partenaire"),
                        "histoire et géographie": ("source", "— déclaré par le partenaire")}
    ddhc = origins("ark:/12148/ddhc1789")
    assert ddhc["4e"][0] == "inferred" and ddhc["enseignement moral et civique"][0] == "default"
    # The page's JSON-LD agrees: the default is an alignment, not an educationalLevel.
    doc = parse(client.get(f"/ressources/{rid['ark:/12148/bastille']}").data)
    jsonld = json.loads(doc.cssselect('script[type="application/ld+json"]')[0].text)
    assert "educationalLevel" not in jsonld
    [level] = [a for a in jsonld["educationalAlignment"] if a["alignmentType"] == "educationalLevel"]
    assert level["provenance"] == "default"
    assert level["description"] == "indiqué par défaut pour ce partenaire"
    # A result card marks the default too.
    results = parse(client.get("/?q=Bastille").data)
    card = text(results.cssselect(".result")[0])
    assert "CM1 (par défaut)" in card


def test_licence_explanation_and_credit_line(client, rid):
    doc = parse(client.get(f"/ressources/{rid['ark:/12148/ddhc1789']}").data)
    section = doc.get_element_by_id("s-licence").getparent()
    assert "Licence Ouverte 2.0" in text(section)
    assert "réutilisation libre" in text(section) and "mention de la source" in text(section)
    credit = doc.get_element_by_id("mention")
    assert credit.get("readonly") is not None
    assert credit.get("value") == ("« La Déclaration des droits de l'homme et du citoyen de 1789 ». "
                                   "Source : BnF / Gallica, 1789, https://bnf.example.org/ddhc1789, "
                                   "Licence Ouverte 2.0")
    assert text(doc.cssselect("label[for=mention]")[0]) == "Mention de la source à copier"
    button = doc.cssselect("button[data-copy=mention]")[0]
    assert button.get("hidden") is not None  # shown by the script only, where copying works

    restricted = parse(client.get(f"/ressources/{rid['jalons/veil1974']}").data)
    section = restricted.get_element_by_id("s-licence").getparent()
    assert "Conditions spécifiques" in text(section) and "vérifiez ses conditions" in text(section)
    assert restricted.cssselect(".badge--restricted")


def test_contributors_duration_and_coverage(client, rid):
    fables = facts(parse(client.get(f"/ressources/{rid['ark:/12148/fables']}").data))
    assert fables["Auteurs et contributeurs"] == "Jean de La Fontaine (auteur) | BnF / Gallica (éditeur)"
    video = facts(parse(client.get(f"/ressources/{rid['jalons/fournaise']}").data))
    assert video["Durée"] == "3 min 05 s"
    assert video["Lieux"] == "La Réunion"
    carte = facts(parse(client.get(f"/ressources/{rid['ign/montblanc']}").data))
    assert carte["Emprise géographique"] == "ouest 6,75° E, sud 45,78° N, est 7,05° E, nord 45,95° N"
    littoral = facts(parse(client.get(f"/ressources/{rid['ign/littoral']}").data))
    assert littoral["Période"] == "1950-2020"


def test_downloads_jsonld_opengraph_and_canonical(client, rid):
    record_id = rid["ark:/12148/miserables"]
    doc = parse(client.get(f"/ressources/{record_id}").data)
    downloads = {text(a): a.get("href") for a in doc.cssselect("ul.downloads a")}
    assert downloads["JSON (notice du catalogue)"] == f"/api/v1/resources/{record_id}"
    for label, fmt in (("Dublin Core (oai_dc)", "oai_dc"), ("LOM", "lom"), ("ScoLOMFR", "scolomfr"),
                       ("JSON-LD (schema.org)", "jsonld")):
        assert downloads[label] == f"/api/v1/resources/{record_id}?format={fmt}"
    canonical = f"{BASE_URL}/ressources/{record_id}"
    assert doc.cssselect("link[rel=canonical]")[0].get("href") == canonical
    og = {m.get("property"): m.get("content") for m in doc.cssselect("meta[property]")}
    assert og["og:title"] == "Victor Hugo, Les Misérables : le manuscrit"
    assert og["og:url"] == canonical
    assert og["og:image"] == f"{BASE_URL}/vignettes/{record_id}"
    scripts = doc.cssselect("script[type=application/ld+json]")
    assert len(scripts) == 1
    embedded = json.loads(scripts[0].text)
    assert embedded["@type"] == "LearningResource"
    assert embedded["@id"] == f"{BASE_URL}/api/v1/resources/{record_id}"
    assert embedded["mainEntityOfPage"] == canonical
    assert embedded["name"] == "Victor Hugo, Les Misérables : le manuscrit"
    assert embedded["educationalLevel"][0]["termCode"] == L["4e"]


def test_jsonld_script_cannot_be_closed_by_partner_text(client, rid, ui_app):
    body = client.get(f"/ressources/{rid['xss']}").get_data(as_text=True)
    _, _, rest = body.partition('<script type="application/ld+json">')
    payload, _, _ = rest.partition("</script>")
    assert "</" not in payload and "<script" not in payload and "<img" not in payload
    data = json.loads(payload)
    assert data["name"] == XSS_TITLE  # the same text, only escaped for the script element
    with ui_app.app_context():
        stored = services().store.get(rid["xss"])
    assert stored is not None and stored.data is not None
    expected = to_jsonld(stored.data, uri=f"{BASE_URL}/api/v1/resources/{rid['xss']}",
                         partner_name="BnF / Gallica", page=f"{BASE_URL}/ressources/{rid['xss']}",
                         discipline_of=load_vocabulary().discipline_of)
    assert data == expected
    # The page embeds the document the API serves as JSON-LD.
    api = client.get(f"/api/v1/resources/{rid['xss']}?format=jsonld")
    assert api.status_code == 200 and api.get_json() == data


def test_partner_text_is_shown_as_text(client, rid):
    body = client.get(f"/ressources/{rid['xss']}").get_data(as_text=True)
    doc = parse(body)
    assert text(doc.cssselect("h1")[0]) == XSS_TITLE
    # No element or attribute came from partner text: only our own scripts, no handlers.
    assert [s.get("src") or s.get("type") for s in doc.iter("script")] == [
        "application/ld+json", "/static/catalogue.js"]
    assert not [el for el in doc.iter() if any(a.startswith("on") for a in el.attrib)]
    assert not doc.cssselect("img[src=x]")
    assert "javascript:" not in body
    # The rich description is sanitised again at display time: formatting kept, the rest gone.
    prose = doc.cssselect(".prose")[0]
    assert prose.cssselect("b") and text(prose).startswith("Les volcans islandais")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in body  # keyword, rights: escaped text
    assert 'onerror=&#34;window.__pwned=1&#34;' in body or "onerror=&quot;" in body
    listing = client.get("/?q=volcans islande").get_data(as_text=True)
    assert "<script>window" not in listing and "<img src=x" not in listing
    assert "&lt;script&gt;" in listing
    assert XSS_DESCRIPTION not in listing


def test_unknown_resource_is_a_french_404(client):
    response = client.get("/ressources/nexiste-pas-123")
    assert response.status_code == 404
    doc = parse(response.data)
    assert doc.get("lang") == "fr"
    assert text(doc.cssselect("h1")[0]) == "Page introuvable"
    assert doc.cssselect("form[role=search]")
    assert client.get("/nulle-part").status_code == 404
    assert "Page introuvable" in client.get("/nulle-part").get_data(as_text=True)


def test_withdrawn_resource_is_a_410_page(client, rid):
    response = client.get(f"/ressources/{rid['deleted']}")
    assert response.status_code == 410
    doc = parse(response.data)
    assert text(doc.cssselect("h1")[0]) == "Ressource retirée"
    assert "« Archive retirée par le partenaire »" in text(doc.cssselect("main")[0])
    assert "INA ne la publie plus" in text(doc.cssselect("main")[0])
