"""Ma sélection in the URL (/selection), its changes without JavaScript, its exports, and the two
information pages (/confidentialite, /api). The IMS Common Cartridge assertions follow the
IMS CC 1.3 specification (imscp_v1p1 profile, LOM manifest/resource metadata, imswl_v1p3 links).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from urllib.parse import parse_qs, urlencode, urlsplit

import lxml.etree
import pytest

from tests.ui.helpers import parse, text
from web.ui.selection_view import MAX_ITEMS, MAX_NOTE, Selection, parse_selection, resource_id_from

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOMM = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LOMR = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
WL = "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"
NS = {"cp": CP, "lomm": LOMM, "lomr": LOMR, "wl": WL}
TITLES = {
    "ark:/12148/ddhc1789": "La Déclaration des droits de l'homme et du citoyen de 1789",
    "ark:/12148/fables": "Les Fables de La Fontaine illustrées",
    "jalons/veil1974": "Le discours de Simone Veil à l'Assemblée nationale",
}


@pytest.fixture
def three(rid):
    return [rid[k] for k in TITLES]


def selection_url(ids, notes=(), title="", path="/selection"):
    return Selection(tuple(ids), tuple(list(notes) + [""] * (len(ids) - len(notes))), title).url(path)


def sel_of(location):
    """The selection a redirect leads to (blank notes keep their place, as in Flask's args)."""
    return parse_selection(parse_qs(urlsplit(location).query, keep_blank_values=True))


def follow(client, url, hops=5):
    response = client.get(url)
    while response.status_code == 303 and hops:
        response = client.get(response.headers["Location"])
        hops -= 1
    return response


def test_the_page_shows_the_resources_in_order_with_notes_and_credit(client, three):
    url = selection_url(three, ["à montrer en séance 2", "", "débat"], "Séance 2")
    response = client.get(url)
    assert response.status_code == 200
    doc = parse(response.data)
    assert text(doc.cssselect("h1")[0]) == "Séance 2"
    names = [text(h) for h in doc.cssselect(".selection__name a")]
    assert names == list(TITLES.values())
    notes = [t.text or "" for t in doc.cssselect("textarea")]
    assert notes == ["à montrer en séance 2", "", "débat"]
    credits = [text(p) for p in doc.cssselect(".selection__credit")]
    assert credits[1].endswith("« Les Fables de La Fontaine illustrées », Jean de La Fontaine. "
                               "Source : BnF / Gallica — Domaine public")
    # The share link is the page's own URL on the public site; the page says what is stored.
    share = doc.cssselect("#lien-partage")[0].get("value")
    assert share == "https://catalogue.example.fr" + url
    stored = text(doc.cssselect("section[aria-labelledby=s-stockage]")[0])
    assert "Rien sur le serveur" in stored and "localStorage" in stored
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_changes_without_javascript_are_redirects_to_the_new_url(client, three):
    a, b, c = three
    url = selection_url(three, ["n1", "n2"])
    moved = client.get(url + f"&monter={c}")
    assert moved.status_code == 303
    assert sel_of(moved.headers["Location"]) == \
        Selection((a, c, b), ("n1", "", "n2"))
    down = sel_of(client.get(url + f"&descendre={a}").headers["Location"])
    assert down.ids == (b, a, c) and down.notes == ("n2", "n1", "")
    removed = sel_of(client.get(url + f"&retirer={a}").headers["Location"])
    assert removed.ids == (b, c) and removed.notes == ("n2", "")
    # Add by pasting the address of a resource page; a second add of the same one changes nothing.
    added = follow(client, "/selection?" + urlencode({"ajouter": f"https://catalogue.example.fr/ressources/{a}"}))
    assert [li.get("data-id") for li in parse(added.data).cssselect(".selection__item")] == [a]
    again = client.get(selection_url([a]) + f"&ajouter={a}")
    assert again.headers["Location"] == selection_url([a])
    # The notes form (every textarea, then the title) lands on the canonical URL.
    form = client.get("/selection?" + urlencode([("ids", f"{a},{b}"), ("titre", " Séance  3 "),
                                                  ("notes", ""), ("notes", "")]))
    assert form.status_code == 303 and form.headers["Location"] == selection_url([a, b], title="Séance 3")


def test_add_links_on_results_and_resource_pages_work_without_javascript(client, rid):
    a = rid["ark:/12148/fables"]
    doc = parse(client.get("/?q=fables").data)
    link = next(x for x in doc.cssselect("a[data-select]") if x.get("data-select") == a)
    assert link.get("href") == f"/selection?ajouter={a}"
    page = parse(client.get(f"/ressources/{a}").data)
    assert page.cssselect("a[data-select]")[0].get("href") == f"/selection?ajouter={a}"
    opened = follow(client, link.get("href"))
    assert opened.status_code == 200 and b"Les Fables de La Fontaine" in opened.data


def test_unknown_and_withdrawn_ids_are_reported_not_exported(client, rid, three):
    url = selection_url([three[0], "bnf-gallica-inconnue-0123456789ab", rid["deleted"]])
    doc = parse(client.get(url).data)
    warning = text(doc.cssselect("#selection-introuvables")[0])
    assert "1 ressource de ce lien est introuvable" in warning
    assert "bnf-gallica-inconnue-0123456789ab" in warning and "Retirée par le partenaire" in warning
    rows = list(csv.reader(io.StringIO(client.get(url.replace("/selection", "/selection/export.csv"))
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert [r[-1] for r in rows[1:]] == [three[0]]


@pytest.mark.parametrize("query", [
    {"ids": ",".join(f"id-{n}" for n in range(MAX_ITEMS + 1))},
    {"ids": "Pas/Un-Id"},
    {"ids": "a-1", "notes": "x" * (MAX_NOTE + 1)},
    {"ids": "a-1", "titre": "t" * 500},
    [("ids", "a-1"), ("notes", "1"), ("notes", "2")],
    {"ids": "a-" + "b" * 9000},
    {"ajouter": "https://example.org/pas-une-ressource"},
    {"notes": "une note sans ressource"},
    "ids=%FF%FE",  # not UTF-8
])
def test_bad_links_are_a_french_400(client, query):
    for path in ("/selection", "/selection/export.imscc"):
        response = client.get(path + "?" + (query if isinstance(query, str) else urlencode(query)))
        assert response.status_code == 400, (path, query)
        assert "Requête incorrecte" in response.get_data(as_text=True)


def test_an_empty_selection_has_nothing_to_export(client):
    assert client.get("/selection").status_code == 200
    assert b"Votre s\xc3\xa9lection est vide" in client.get("/selection").data
    for ext in ("export.imscc", "export.csv", "export.jsonld", "imprimer"):
        assert client.get(f"/selection/{ext}?ids=inconnu-1").status_code == 400


def test_url_helpers():
    assert resource_id_from(" bnf-gallica-abc-0123 ") == "bnf-gallica-abc-0123"
    assert resource_id_from("http://localhost:8000/ressources/ina-x-12/") == "ina-x-12"
    assert resource_id_from("https://catalogue.example.fr/?q=x") is None
    sel = parse_selection({"ids": "a,b,a", "notes": ["1", "2", "3"]})
    assert sel == Selection(("a", "b"), ("1", "2"))  # a duplicate keeps its first note
    assert sel.query() == "ids=a,b&notes=1&notes=2"
    assert Selection(("a", "b"), ("", "")).query() == "ids=a,b"
    assert sel_of("?" + Selection(("a",), ("été, 2 × « ok »",), "T & co").query()) == \
        Selection(("a",), ("été, 2 × « ok »",), "T & co")


# -- IMS Common Cartridge 1.3 ----------------------------------------------------------------------


def _cartridge(client, url):
    response = client.get(url.replace("/selection", "/selection/export.imscc"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.ims.imsccv1p3"
    assert response.headers["Content-Disposition"] == 'attachment; filename="seance-2.imscc"'
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_imscc_manifest_follows_common_cartridge_1_3(client, three):
    url = selection_url(three, ["à montrer en séance 2"], "Séance 2")
    archive = _cartridge(client, url)
    assert archive.testzip() is None
    names = set(archive.namelist())
    manifest = lxml.etree.fromstring(archive.read("imsmanifest.xml"))
    # CC 1.3 content packaging profile: the manifest's default namespace and schema version.
    assert manifest.tag == f"{{{CP}}}manifest" and manifest.get("identifier")
    assert manifest.nsmap[None] == CP
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=NS) == "IMS Common Cartridge"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.3.0"
    # LOM manifest metadata: the cartridge's title and language.
    lom = manifest.find("cp:metadata/lomm:lom", NS)
    assert lom is not None
    assert lom.findtext("lomm:general/lomm:title/lomm:string", namespaces=NS) == "Séance 2"
    assert lom.findtext("lomm:general/lomm:language", namespaces=NS) == "fr"
    # One rooted-hierarchy organization; its leaf items point at web-link resources, in order.
    orgs = manifest.findall("cp:organizations/cp:organization", NS)
    assert len(orgs) == 1 and orgs[0].get("structure") == "rooted-hierarchy"
    root_items = orgs[0].findall("cp:item", NS)
    assert len(root_items) == 1 and root_items[0].get("identifierref") is None
    leaves = [i for i in orgs[0].iter(f"{{{CP}}}item") if i.get("identifierref")]
    assert [i.findtext("cp:title", namespaces=NS) for i in leaves] == list(TITLES.values())
    resources = {r.get("identifier"): r for r in manifest.findall("cp:resources/cp:resource", NS)}
    ids = [e.get("identifier") for e in manifest.iter() if e.get("identifier")]
    assert len(ids) == len(set(ids))  # identifiers are unique in the manifest
    for item, expected in zip(leaves, TITLES.values(), strict=True):
        resource = resources[item.get("identifierref")]
        assert resource.get("type") == "imswl_xmlv1p3"
        files = resource.findall("cp:file", NS)
        assert len(files) == 1 and files[0].get("href") in names  # item -> resource -> file in the zip
        link = lxml.etree.fromstring(archive.read(files[0].get("href")))
        assert link.tag == f"{{{WL}}}webLink"
        assert link.findtext("wl:title", namespaces=NS) == expected
        href = link.find("wl:url", NS).get("href")
        assert href.startswith("https://")
        # Description and credit line in the resource's LOM metadata.
        rlom = resource.find("cp:metadata/lomr:lom", NS)
        assert rlom.findtext("lomr:general/lomr:title/lomr:string", namespaces=NS) == expected
        credit = rlom.findtext("lomr:rights/lomr:description/lomr:string", namespaces=NS)
        assert credit.startswith(f"« {expected} »") and "Source : " in credit and credit.endswith(href)
        restricted = "lomr:rights/lomr:copyrightAndOtherRestrictions/lomr:value"
        assert rlom.findtext(restricted, namespaces=NS) == "yes"
    first = resources[leaves[0].get("identifierref")].findtext(
        "cp:metadata/lomr:lom/lomr:general/lomr:description/lomr:string", namespaces=NS)
    assert first.startswith("Texte intégral")
    assert first.endswith("Note de l'enseignant : à montrer en séance 2")
    # Every file of the zip is the manifest or a resource's file.
    files = {f.get("href") for r in resources.values() for f in r.findall("cp:file", NS)}
    assert names == {"imsmanifest.xml"} | files


def test_imscc_is_the_same_bytes_for_the_same_selection(client, three):
    url = selection_url(three, title="Séance 2").replace("/selection", "/selection/export.imscc")
    assert client.get(url).data == client.get(url).data


# -- CSV, JSON-LD, printable page ---------------------------------------------------------------------


def test_csv_jsonld_and_print_follow_the_selection(client, three):
    url = selection_url(three, ["", "=1+1"], "Séance 2")
    data = client.get(url.replace("/selection", "/selection/export.csv")).data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["position", "titre", "partenaire"]
    assert [r[1] for r in rows[1:]] == list(TITLES.values())
    assert rows[2][6] == "'=1+1"  # never a formula in a spreadsheet
    ld = json.loads(client.get(url.replace("/selection", "/selection/export.jsonld")).data)
    assert ld["@type"] == "ItemList" and ld["numberOfItems"] == 3 and ld["name"] == "Séance 2"
    assert [e["position"] for e in ld["itemListElement"]] == [1, 2, 3]
    assert [e["item"]["name"] for e in ld["itemListElement"]] == list(TITLES.values())
    assert ld["itemListElement"][1]["description"] == "=1+1"
    assert ld["itemListElement"][0]["item"]["@id"].endswith(f"/api/v1/resources/{three[0]}")
    assert all(e["item"]["creditText"].startswith("« ") for e in ld["itemListElement"])
    doc = parse(client.get(url.replace("/selection", "/selection/imprimer")).data)
    items = doc.cssselect(".print-list__item")
    assert [text(i.cssselect("h2")[0]) for i in items] == list(TITLES.values())
    assert "« Les Fables de La Fontaine illustrées », Jean de La Fontaine. Source : BnF / Gallica" \
        in text(items[1])


# -- information pages ------------------------------------------------------------------------------


def test_privacy_page_is_linked_from_every_footer(client, three):
    for path in ("/", selection_url(three), "/couverture"):
        footer = parse(client.get(path).data).cssselect("footer")[0]
        assert "/confidentialite" in [a.get("href") for a in footer.iter("a")]
    doc = parse(client.get("/confidentialite").data)
    body = text(doc.cssselect("main")[0])
    for said in ("aucun cookie", "localStorage", "12 mois au plus", "tronquée", "Sur le serveur : rien"):
        assert said in body, said


def test_api_page_explains_in_french_and_links_the_docs(client):
    for path in ("/api", "/api/"):
        response = client.get(path)
        assert response.status_code == 200
    doc = parse(client.get("/api").data)
    assert doc.get("lang") == "fr" and "API" in text(doc.cssselect("h1")[0])
    hrefs = {a.get("href") for a in doc.iter("a")}
    assert {"/api/v1/docs", "/api/v1/openapi.json", "/api/v1/dumps"} <= hrefs
    # The JSON API under /api/v1 keeps its own answers.
    assert client.get("/api/v1/").is_json
