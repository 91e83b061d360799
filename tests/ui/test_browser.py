"""The interface in real headless Chromium: with and without JavaScript, accessibility (axe-core),
partner text that must run nothing, and screenshots for a reviewer in ``var/screenshots/``.

Chromium is Debian's ``/usr/bin/chromium`` (never downloaded). The app is served by werkzeug in a
thread over the small catalogue of ``catalogue_data``; thumbnail requests are answered here and
every other request leaving 127.0.0.1 is refused, so the suite needs no network.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

from tests.ui.catalogue_data import LIVE_COUNT, D, L

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
THUMBNAIL = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180" viewBox="0 0 240 180">'
    '<rect width="240" height="180" fill="#c5d0fb"/><circle cx="70" cy="60" r="30" fill="#000091"/>'
    '<path d="M0 180 L90 90 L140 140 L180 100 L240 160 L240 180 Z" fill="#3b4fc4"/></svg>'
)


@pytest.fixture(scope="module")
def base_url(ui_app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, ui_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _offline(route: Route) -> None:
    url = route.request.url
    if url.startswith("https://images.example.org/"):
        route.fulfill(status=200, content_type="image/svg+xml", body=THUMBNAIL)
    elif url.startswith("http://127.0.0.1"):
        route.continue_()
    else:
        route.abort()


def _context(browser: Browser, *, javascript: bool = True,
             viewport: ViewportSize = DESKTOP) -> BrowserContext:
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, locale="fr-FR")
    context.route("**/*", _offline)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = _context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def page_nojs(browser: Browser) -> Iterator[Page]:
    context = _context(browser, javascript=False)
    yield context.new_page()
    context.close()


def count_of(page: Page) -> int:
    heading = page.locator("#resultats-titre").inner_text()
    match = re.match(r"(\d+)", heading.replace("\u202f", ""))
    return int(match.group(1)) if match else 0


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def level_box(page: Page, level: str) -> Any:
    return page.locator(f'#facette-level input[value="{level}"]')


def discipline_box(page: Page, discipline: str) -> Any:
    return page.locator(f'#facette-discipline input[value="{discipline}"]')


def test_search_with_javascript_updates_in_place_and_keeps_shareable_urls(page: Page, base_url: str):
    page.goto(base_url + "/")
    assert count_of(page) == LIVE_COUNT
    expect(page.get_by_role("button", name="Filtrer")).to_be_hidden()  # filters apply on change
    page.evaluate("window.__samePage = true")

    page.get_by_label("Mots-clés").fill("carte")
    page.get_by_label("Mots-clés").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=carte$"))
    expect(page.locator("#resultats-titre")).not_to_have_text(re.compile(rf"^{LIVE_COUNT}\b"))
    with_query = count_of(page)
    assert 0 < with_query < LIVE_COUNT

    level_box(page, L["6e"]).check()
    expect(page).to_have_url(re.compile(r"level=scolomfr-voc-022-num-018"))
    expect(page.locator("#resultats-titre")).not_to_have_text(re.compile(rf"^{with_query}\b"))
    with_level = count_of(page)
    assert 0 < with_level < with_query
    # Focus stays on the box just ticked, although the region was replaced.
    assert page.evaluate("document.activeElement.value") == L["6e"]

    discipline_box(page, D["hg"]).check()
    expect(page).to_have_url(re.compile(r"discipline=scolomfr-voc-015-num-980"))
    expect(page.locator(".active-filters")).to_contain_text("Discipline : histoire et géographie")
    with_both = count_of(page)
    assert 0 < with_both <= with_level
    titles = page.locator(".result__title").all_inner_texts()
    assert len(titles) == with_both
    assert page.evaluate("window.__samePage") is True  # no full reload happened
    assert "6e" in page.title() and "carte" in page.title()
    shared = page.url
    assert params(shared) == {"q": ["carte"], "level": [L["6e"]], "discipline": [D["hg"]]}

    # Open a resource, come back: same state.
    first_title = titles[0]
    page.locator(".result__title a").first.click()
    expect(page.locator("h1")).to_have_text(first_title)
    page.go_back()
    expect(page).to_have_url(shared)
    expect(page.locator("#resultats-titre")).to_contain_text(str(with_both))
    expect(level_box(page, L["6e"])).to_be_checked()
    expect(page.get_by_label("Mots-clés")).to_have_value("carte")

    # Share the URL: a fresh page shows the same state.
    fresh = page.context.new_page()
    fresh.goto(shared)
    assert count_of(fresh) == with_both
    expect(level_box(fresh, L["6e"])).to_be_checked()
    expect(discipline_box(fresh, D["hg"])).to_be_checked()
    expect(fresh.get_by_label("Mots-clés")).to_have_value("carte")
    assert fresh.locator(".result__title").all_inner_texts() == titles
    fresh.close()

    # Remove one filter with its link, then go back in history.
    page.get_by_role("link", name="Retirer le filtre Niveau : 6e").click()
    expect(page).not_to_have_url(re.compile("level="))
    expect(level_box(page, L["6e"])).not_to_be_checked()
    assert page.evaluate("document.activeElement.id") == "resultats-titre"
    page.go_back()
    expect(page).to_have_url(shared)
    expect(level_box(page, L["6e"])).to_be_checked()
    expect(page.locator("#resultats-titre")).to_contain_text(str(with_both))


def test_sort_and_pagination_with_javascript(page: Page, base_url: str):
    page.goto(base_url + "/")
    page.get_by_label("Trier par").select_option("title")
    expect(page).to_have_url(re.compile(r"\?sort=title$"))
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"sort=title&page=2$"))
    expect(page.locator("ol.results > li")).to_have_count(LIVE_COUNT - 20)
    expect(page.get_by_label("Trier par")).to_have_value("title")


def test_search_without_javascript(page_nojs: Page, base_url: str):
    page = page_nojs
    page.goto(base_url + "/")
    assert count_of(page) == LIVE_COUNT
    expect(page.get_by_role("button", name="Filtrer")).to_be_visible()
    page.get_by_label("Mots-clés").fill("carte")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=carte"))
    with_query = count_of(page)
    assert 0 < with_query < LIVE_COUNT

    level_box(page, L["6e"]).check()
    discipline_box(page, D["hg"]).check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"discipline=scolomfr-voc-015-num-980"))
    with_both = count_of(page)
    assert 0 < with_both < with_query
    shared = page.url
    assert params(shared)["level"] == [L["6e"]] and params(shared)["q"] == ["carte"]

    page.locator(".result__title a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/ressources/" in page.url
    page.go_back()
    expect(level_box(page, L["6e"])).to_be_checked()
    assert count_of(page) == with_both

    page.goto(shared)  # shared link, reloaded
    assert count_of(page) == with_both
    page.get_by_role("link", name="Retirer le filtre Niveau : 6e").click()
    assert "level=" not in page.url
    assert count_of(page) >= with_both


def test_phone_layout_collapses_the_filters(browser: Browser, base_url: str):
    context = _context(browser, viewport=PHONE)
    page = context.new_page()
    page.goto(base_url + "/")
    summary = page.locator("#filtres > summary")
    expect(summary).to_be_visible()
    expect(level_box(page, L["CM2"])).to_be_hidden()
    page.set_viewport_size(DESKTOP)  # wide again: the filters unfold (their summary is hidden there)
    expect(level_box(page, L["CM2"])).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(level_box(page, L["CM2"])).to_be_hidden()
    summary.click()
    level_box(page, L["CM2"]).check()
    expect(page).to_have_url(re.compile("level="))
    expect(page.locator("#filtres")).to_have_attribute("open", "")  # stays open after the swap
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_suggestions_fill_the_datalist(page: Page, base_url: str):
    page.goto(base_url + "/")
    page.get_by_label("Mots-clés").press_sequentially("volc", delay=30)
    options = page.locator("#q-suggestions option")
    expect(options.first).to_be_attached(timeout=5000)
    values = [o.get_attribute("value") for o in options.all()]
    assert any(v and v.lower().startswith("volcan") for v in values)


def test_copy_button_copies_the_credit_line(browser: Browser, base_url: str, rid: dict[str, str]):
    context = _context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.goto(f"{base_url}/ressources/{rid['ark:/12148/ddhc1789']}")
    button = page.get_by_role("button", name="Copier la mention")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#annonce")).to_have_text(re.compile("copiée"))
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith("Source : BnF / Gallica — Licence Ouverte 2.0")
    context.close()


def test_partner_text_runs_nothing(page: Page, base_url: str, rid: dict[str, str]):
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{base_url}/ressources/{rid['xss']}")
    expect(page.locator("h1")).to_have_text("Volcans <script>window.__pwned=1</script> d'Islande")
    expect(page.locator(".tags")).to_contain_text("<script>window.__pwned=1</script>")
    expect(page.locator(".prose")).to_contain_text("Les volcans islandais")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.goto(base_url + "/?q=islande")
    expect(page.locator(".result__title").first).to_contain_text("<script>")
    page.get_by_label("Mots-clés").fill("volcans islande")
    page.get_by_label("Mots-clés").press("Enter")  # swapped in by the script
    expect(page).to_have_url(re.compile("volcans"))
    expect(page.locator(".result__title").first).to_contain_text("<script>")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []


def _axe(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


PAGES = {
    "recherche": "/?q=carte&level=scolomfr-voc-022-num-018",
    "ressource": "/ressources/{fables}",
    "couverture": "/couverture",
    "partenaire": "/partenaires/bnf",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violation_and_screenshots(browser: Browser, base_url: str,
                                                              rid: dict[str, str], name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = PAGES[name].format(fables=rid["ark:/12148/miserables"])
    for label, viewport in (("bureau", DESKTOP), ("mobile", PHONE)):
        context = _context(browser, viewport=viewport)
        page = context.new_page()
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        violations = _axe(page)
        assert violations == [], f"{name} ({label}): {violations}"
        target = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        context.close()


def test_keyboard_only_filtering(page: Page, base_url: str):
    """Tab to a level box, tick it with the space bar: the results follow, focus stays put."""
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    box = level_box(page, L["CM2"])
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("level=scolomfr-voc-022-num-015"))
    expect(level_box(page, L["CM2"])).to_be_focused()
    expect(level_box(page, L["CM2"])).to_be_checked()
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=\"' + document.activeElement.id + '\"]'))"
        ".outlineStyle")
    assert outline == "solid"  # the focus ring is visible
