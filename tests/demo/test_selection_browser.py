"""Ma sélection in real headless Chromium, on the demo catalogue (the harness of
``tests/demo/test_browser.py``): build a selection of 5 resources from the results, reorder,
annotate, open the share link in a fresh browser profile, export the ``.imscc`` and read it;
axe-core on the new pages and screenshots at 1280 and 390 px in ``var/screenshots/``.
"""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlsplit

import lxml.etree
import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.demo.conftest import Demo
from tests.demo.test_browser import (
    DESKTOP,
    LOADED,
    PHONE,
    SCREENSHOTS,
    _axe,
    _context,
)

pytestmark = pytest.mark.browser

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
WL = "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"
NS = {"cp": CP, "wl": WL}
NOTE = "à montrer en séance 2 (l'affiche !)"  # characters JavaScript and Python encode differently
TITLE = "Séance 2 : la France"


def items(page: Page) -> list[str]:
    return [li.get_attribute("data-id") or "" for li in page.locator(".selection__item").all()]


def names(page: Page) -> list[str]:
    return page.locator(".selection__name a").all_inner_texts()


def stored(page: Page) -> str:
    return str(page.evaluate("localStorage.getItem('catalogue.selection') || ''"))


def page_query(page: Page) -> str:
    return page.locator("#selection").get_attribute("data-query") or ""


def test_build_reorder_annotate_share_and_export_a_selection(browser: Browser, demo: Demo):
    context = _context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. Five resources from the results, without leaving the page.
    page.goto(demo.base_url + "/?q=france")
    buttons = page.locator("button[data-select]")  # the script turned the links into buttons
    expect(buttons.first).to_be_visible()
    chosen = [buttons.nth(n).get_attribute("data-select") or "" for n in range(6)]
    for n in range(6):
        buttons.nth(n).click()
    expect(page.locator("[data-selection-count]")).to_have_text(" (6)")
    buttons.nth(5).click()  # and one removed again
    expect(buttons.nth(5)).to_contain_text("Ajouter à ma sélection")
    expect(buttons.nth(0)).to_contain_text("Retirer de ma sélection")
    expect(page.locator("[data-selection-count]")).to_have_text(" (5)")
    expect(page.locator("#annonce")).to_contain_text("retirée de ma sélection")
    chosen = chosen[:5]
    assert page.url.endswith("/?q=france")

    # 2. The navigation link opens it, in the order it was built.
    page.get_by_role("link", name=re.compile("^Ma sélection")).click()
    expect(page.locator("h1")).to_have_text("Ma sélection")
    assert items(page) == chosen

    # 3. Reorder: the first one down, the last one up.
    first_title = names(page)[0]
    page.get_by_role("link", name=f"Descendre « {first_title[:37]}", exact=False).first.click()
    expect(page.locator(".selection__item").nth(1)).to_have_attribute("data-id", chosen[0])
    order = [chosen[1], chosen[0], chosen[2], chosen[3], chosen[4]]
    assert items(page) == order
    page.locator(".selection__item").nth(4).get_by_role("link", name=re.compile("^Monter")).click()
    order = [chosen[1], chosen[0], chosen[2], chosen[4], chosen[3]]
    expect(page.locator(".selection__item").nth(3)).to_have_attribute("data-id", chosen[4])
    assert items(page) == order

    # 4. Annotate, name it, save: the URL and the browser's copy follow.
    page.locator(".selection__item").nth(0).locator("textarea").fill(NOTE)
    page.get_by_label(re.compile("^Titre de la sélection")).fill(TITLE)
    page.get_by_role("button", name="Enregistrer le titre et les notes").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert items(page) == order
    expect(page.locator(".selection__item").nth(0).locator("textarea")).to_have_value(NOTE)
    assert "notes=" in page.url and stored(page) == page_query(page) != ""
    expect(page.locator("#selection-partagee")).to_be_hidden()  # it is this browser's own
    # The bare /selection reopens what this browser keeps, and so does the navigation link
    # (after the search page's script re-encoded the kept selection).
    page.goto(demo.base_url + "/selection")
    expect(page.locator("h1")).to_have_text(TITLE)
    assert items(page) == order
    page.goto(demo.base_url + "/?q=france")
    page.locator("button[data-select]").nth(5).click()
    page.locator("button[data-select]").nth(5).click()
    page.get_by_role("link", name=re.compile("^Ma sélection")).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert items(page) == order
    expect(page.locator("#selection-partagee")).to_be_hidden()
    expect(page.locator(".selection__item").nth(0).locator("textarea")).to_have_value(NOTE)
    titles = names(page)

    # 5. The share link in a fresh browser profile, with and without JavaScript.
    share = page.locator("#lien-partage").input_value()
    parts = urlsplit(share)
    assert parts.path == "/selection" and parts.query == page_query(page)
    link = f"{demo.base_url}{parts.path}?{parts.query}"
    for javascript in (True, False):
        other = _context(browser, javascript=javascript)
        fresh = other.new_page()
        fresh.goto(link)
        expect(fresh.locator("h1")).to_have_text(TITLE)
        assert items(fresh) == order and names(fresh) == titles
        expect(fresh.locator(".selection__item").nth(0).locator("textarea")).to_have_value(NOTE)
        if javascript:
            assert stored(fresh) == ""  # nothing is kept without asking
            banner = fresh.locator("#selection-partagee")
            expect(banner).to_be_visible()
            banner.get_by_role("button", name="Garder cette sélection dans ce navigateur").click()
            expect(banner).to_be_hidden()
            assert stored(fresh) == page_query(fresh)
            expect(fresh.locator("[data-selection-count]")).to_have_text(" (5)")
        else:
            expect(fresh.locator("#selection-partagee")).to_be_hidden()
        other.close()

    # 6. Export the cartridge and read it back.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"IMS Common Cartridge")).click()
    assert download.value.suggested_filename == "seance-2-la-france.imscc"
    data = open(download.value.path(), "rb").read()  # noqa: SIM115, PTH123
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    manifest = lxml.etree.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{{{CP}}}manifest"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.3.0"
    resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", NS)}
    leaves = [i for i in manifest.iter(f"{{{CP}}}item") if i.get("identifierref")]
    assert [i.findtext("cp:title", namespaces=NS) for i in leaves] == titles
    for item in leaves:
        resource = resources[item.get("identifierref")]
        assert resource.get("type") == "imswl_xmlv1p3"
        weblink = lxml.etree.fromstring(archive.read(resource.find("cp:file", NS).get("href")))
        assert weblink.tag == f"{{{WL}}}webLink" and weblink.find("wl:url", NS).get("href")
    context.close()
    assert errors == [], errors


PAGES = {
    "selection": None,  # built from the demo's records below
    "selection-imprimable": None,
    "confidentialite": "/confidentialite",
    "api": "/api",
}


def _selection_path(demo: Demo, base: str) -> str:
    """Five resources of the demo (the API's first hits for "france"), one note, a title."""
    hits = requests.get(f"{demo.base_url}/api/v1/resources", params={"q": "france", "per_page": 5},
                        timeout=30).json()["results"]
    ids = ",".join(h["id"] for h in hits)
    return f"{base}?ids={ids}&notes=%C3%A0+montrer+en+s%C3%A9ance+2&titre=S%C3%A9ance+2"


@pytest.mark.parametrize("name", list(PAGES))
def test_new_pages_pass_axe_and_are_screenshot(browser: Browser, demo: Demo, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = PAGES[name] or _selection_path(
        demo, "/selection" if name == "selection" else "/selection/imprimer")
    for label, viewport in (("bureau", DESKTOP), ("mobile", PHONE)):
        context = _context(browser, viewport=viewport)
        page = context.new_page()
        response = page.goto(demo.base_url + path)
        assert response is not None and response.status == 200
        page.wait_for_load_state("load")
        if name == "selection":
            expect(page.locator(".selection__item")).to_have_count(5)
            expect(page.locator("#selection-partagee")).to_be_visible()  # a link opened from elsewhere
        violations = _axe(page)
        assert violations == [], f"{name} ({label}): {violations}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), label
        page.evaluate(LOADED)
        target = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["bureau", "mobile"])
def test_search_and_resource_pages_with_add_buttons_pass_axe(browser: Browser, demo: Demo, viewport):
    """The buttons the script puts on result cards and resource pages, before and after a click."""
    context = _context(browser, viewport=viewport)
    page = context.new_page()
    page.goto(demo.base_url + "/?q=france")
    page.locator("button[data-select]").first.click()
    expect(page.locator("button.button--selected")).to_have_count(1)
    assert _axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # Filtering swaps the results in: their buttons come back, pressed where selected.
    first = page.locator("button[data-select]").first.get_attribute("data-select")
    if viewport == PHONE:
        page.locator("#filtres > summary").click()  # folded on phones
    page.locator("#facette-partner input").first.check()
    expect(page).to_have_url(re.compile("partner="))
    expect(page.locator("button[data-select]").first).to_be_visible()
    expect(page.locator("a[data-select]")).to_have_count(0)
    page.goto(f"{demo.base_url}/ressources/{first}")
    button = page.locator("button[data-select]")
    expect(button).to_contain_text("Retirer de ma sélection")
    assert _axe(page) == []
    button.click()
    expect(page.locator("[data-selection-count]")).to_be_hidden()
    context.close()
