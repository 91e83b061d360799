"""The teachers' interface of the DEMO catalogue in real headless Chromium: searching with and
without JavaScript, accessibility (axe-core), partner text that must run nothing, and screenshots
for a reviewer in ``var/screenshots/``.

Everything here runs on the ``demo`` fixture: the partner simulator harvested through the real
pipeline and served by the real app. Expected counts and results come from the JSON API of the
same server, so the tests say "the page agrees with the index" rather than repeat numbers.

Chromium is Debian's ``/usr/bin/chromium`` (never downloaded). Image requests leaving 127.0.0.1
get a placeholder SVG and every other such request is refused, so the suite needs no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Locator,
    Page,
    Route,
    ViewportSize,
    expect,
)

from tests.demo.conftest import HOSTILE_KEYWORD, HOSTILE_TITLE, Demo

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

# A query that matches records of all four demo partners (Gallica books and maps, Météo-France
# datasets, IGN datasets, INA videos), then two facets that each narrow it down.
QUERY = "france"
CYCLE_3 = "scolomfr-voc-022-num-620"
CYCLE_4 = "scolomfr-voc-022-num-621"
SVT = "scolomfr-voc-015-num-1832"
MAP = ("bnf-gallica", "oai:bnf.fr:gallica/ark:/12148/btv1b10870266z")  # Port-Breton, 1881
CLIMATE = ("meteofrance-datagouv", "6569b3d7d193b4daf2b43edc")  # monthly climate data
PROBLEM_PARTNER = "meteofrance"  # its last demo run has failures to explain


# -- harness ------------------------------------------------------------------------------------


def _offline(route: Route) -> None:
    request = route.request
    if request.url.startswith("http://127.0.0.1"):
        route.continue_()
    elif request.resource_type == "image":  # none expected: thumbnails come from /vignettes
        route.fulfill(status=200, content_type="image/svg+xml", body=THUMBNAIL)
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


def api(demo: Demo, **params: Any) -> dict[str, Any]:
    """The JSON API's answer for a search state (the page must agree with it)."""
    # The page groups a periodical's issues by default: so does the API when asked.
    response = requests.get(f"{demo.base_url}/api/v1/resources",
                            params={"per_page": 20, "group": "true", **params}, timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def count_of(page: Page) -> int:
    heading = page.locator("#resultats-titre").inner_text()
    match = re.match(r"(\d+)", heading.replace("\u202f", "").replace("\u00a0", ""))
    return int(match.group(1)) if match else 0


def expect_count(page: Page, n: int) -> None:
    """Wait until the results heading announces ``n`` results."""
    expect(page.locator("#resultats-titre")).to_have_text(re.compile(rf"^\s*{n}\s+ressources?\b"))


def result_ids(page: Page) -> list[str]:
    hrefs = [a.get_attribute("href") or "" for a in page.locator(".result__title a").all()]
    return [h.rsplit("/", 1)[-1] for h in hrefs]


def result_ids_of(answer: dict[str, Any]) -> list[str]:
    return [r["id"] for r in answer["results"]]


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def level_box(page: Page, level: str) -> Locator:
    return page.locator(f'#facette-level input[value="{level}"]')


def discipline_box(page: Page, discipline: str) -> Locator:
    return page.locator(f'#facette-discipline input[value="{discipline}"]')


def facet_count(page: Page, box: Locator) -> int:
    """The count printed beside a facet value: what ticking it will give."""
    label = page.locator(f'label[for="{box.get_attribute("id")}"] .facet__count')
    return int(re.sub(r"\D", "", label.inner_text()))


# -- searching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-js", "sans-js"])
def test_search_filter_open_come_back_and_share(browser: Browser, demo: Demo, javascript: bool):
    """The acceptance flow: words, a level, a discipline; counts and results follow; open a
    resource and come back; the URL opened in a fresh browser shows the same state."""
    context = _context(browser, javascript=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    filtrer = page.get_by_role("button", name="Filtrer")

    page.goto(demo.base_url + "/")
    total = demo.store.count_records()
    assert count_of(page) == total == api(demo)["total"]
    if javascript:
        expect(filtrer).to_be_hidden()  # filters apply on change
        page.evaluate("window.__samePage = true")
    else:
        expect(filtrer).to_be_visible()

    # 1. Words.
    page.get_by_label("Mots-clés").fill(QUERY)
    page.get_by_label("Mots-clés").press("Enter")
    # The script writes the one URL of the state; the plain form also sends its sort select.
    expect(page).to_have_url(re.compile(rf"/\?q={QUERY}" + ("$" if javascript else "&sort=relevance$")))
    by_query = api(demo, q=QUERY)
    expect_count(page, by_query["total"])
    assert 1 < by_query["total"] < total
    matched = {f["id"] for f in by_query["facets"]["partner"]}
    assert matched == {"bnf", "ign", "ina", "meteofrance"}  # every demo partner has a match
    assert result_ids(page) == result_ids_of(by_query)

    # 2. A level: the count printed beside it is the count it gives.
    promised = facet_count(page, level_box(page, CYCLE_4))
    level_box(page, CYCLE_4).check()
    if not javascript:
        filtrer.click()
    expect(page).to_have_url(re.compile(rf"level={CYCLE_4}"))
    by_level = api(demo, q=QUERY, level=CYCLE_4)
    expect_count(page, by_level["total"])
    assert by_level["total"] == promised and 1 < promised < by_query["total"]
    assert result_ids(page) == result_ids_of(by_level)
    if javascript:  # focus stays on the box just ticked, although the region was replaced
        assert page.evaluate("document.activeElement.value") == CYCLE_4

    # 3. A discipline.
    promised = facet_count(page, discipline_box(page, SVT))
    discipline_box(page, SVT).check()
    if not javascript:
        filtrer.click()
    expect(page).to_have_url(re.compile(rf"discipline={SVT}"))
    expect(page.locator(".active-filters")).to_contain_text("Discipline : sciences de la vie et de la Terre")
    expect(page.locator(".active-filters")).to_contain_text("Niveau : cycle 4")
    both = api(demo, q=QUERY, level=CYCLE_4, discipline=SVT)
    expect_count(page, both["total"])
    assert both["total"] == promised and 1 < promised < by_level["total"]
    ids = result_ids(page)
    assert ids == result_ids_of(both) and ids != result_ids_of(by_level)
    assert "Météo-France" in page.locator(".result__partner").all_inner_texts()
    titles = page.locator(".result__title").all_inner_texts()
    assert "cycle 4" in page.title() and QUERY in page.title()
    shared = page.url
    state = {"q": [QUERY], "level": [CYCLE_4], "discipline": [SVT]}
    if not javascript:
        state["sort"] = ["relevance"]
    assert params(shared) == state
    if javascript:
        assert page.evaluate("window.__samePage") is True  # no full reload happened

    # 4. Open a resource, come back: same state.
    page.locator(".result__title a").first.click()
    expect(page.locator("h1")).to_have_text(titles[0])
    assert f"/ressources/{ids[0]}" in page.url
    page.go_back()
    expect(page).to_have_url(shared)
    expect_count(page, both["total"])
    expect(level_box(page, CYCLE_4)).to_be_checked()
    expect(discipline_box(page, SVT)).to_be_checked()
    expect(page.get_by_label("Mots-clés")).to_have_value(QUERY)

    # 5. Share the URL: a fresh browser context (no history, no cache) shows the same state.
    other = _context(browser, javascript=javascript)
    fresh = other.new_page()
    fresh.goto(shared)
    assert count_of(fresh) == both["total"]
    expect(level_box(fresh, CYCLE_4)).to_be_checked()
    expect(discipline_box(fresh, SVT)).to_be_checked()
    expect(fresh.get_by_label("Mots-clés")).to_have_value(QUERY)
    assert fresh.locator(".result__title").all_inner_texts() == titles
    other.close()

    # 6. Remove one filter with its link, then go back in history.
    page.get_by_role("link", name="Retirer le filtre Niveau : cycle 4").click()
    expect(page).not_to_have_url(re.compile("level="))
    expect_count(page, api(demo, q=QUERY, discipline=SVT)["total"])
    expect(level_box(page, CYCLE_4)).not_to_be_checked()
    if javascript:
        assert page.evaluate("document.activeElement.id") == "resultats-titre"
    page.go_back()
    expect(page).to_have_url(shared)
    expect(level_box(page, CYCLE_4)).to_be_checked()
    expect_count(page, both["total"])
    context.close()
    assert errors == [], errors


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-js", "sans-js"])
def test_period_facet_and_date_filters(browser: Browser, demo: Demo, javascript: bool):
    """Tick a century, then type years: the results follow the API; the cards show dates."""
    context = _context(browser, javascript=javascript)
    page = context.new_page()
    page.goto(demo.base_url + "/")
    century = page.locator('#facette-period input[value="19"]')
    expect(page.locator('label[for="' + (century.get_attribute("id") or "") + '"]')).to_contain_text(
        "XIXe siècle")
    century.check()
    if not javascript:
        page.locator(".filters__actions button").click()
    expect(page).to_have_url(re.compile(r"period=19"))
    expect_count(page, api(demo, period="19")["total"])
    assert result_ids(page) == result_ids_of(api(demo, period="19"))
    dates = [d for d in page.locator(".result__date").all_inner_texts()]
    assert dates and all(re.search(r"18\d\d|XIXe", d) for d in dates), dates
    if javascript:
        century.uncheck()
        expect(page).not_to_have_url(re.compile(r"period="))
        expect_count(page, api(demo)["total"])
    else:
        page.goto(demo.base_url + "/")
    page.get_by_label("De", exact=True).fill("1914")
    page.get_by_label("à", exact=True).fill("1918")
    page.locator("#dates-appliquer").click()
    expect(page).to_have_url(re.compile(r"date_from=1914&date_to=1918"))
    expected = api(demo, date_from=1914, date_to=1918)
    assert expected["total"] > 0
    expect_count(page, expected["total"])
    assert result_ids(page) == result_ids_of(expected)
    chip = page.locator(".active-filters a", has_text="Dates : 1914–1918")
    expect(chip).to_be_visible()
    chip.click()
    expect(page).not_to_have_url(re.compile(r"date_from"))
    context.close()


def test_partial_matches_notice_and_proposed_filter(page: Page, demo: Demo):
    page.goto(demo.base_url + "/?q=chansons+anciennes")
    notice = page.locator("#resultats-partiels")
    expect(notice).to_contain_text(
        "Aucune ressource ne contient tous les mots ; voici celles qui en contiennent le plus")
    partial = api(demo, q="chansons anciennes")
    assert partial["relaxed"] and result_ids(page) == result_ids_of(partial)
    notice.get_by_role("link", name="Revenir à la recherche avec tous les mots").click()
    expect(page).to_have_url(re.compile(r"match=all"))
    expect(page.locator("#resultats-titre")).to_have_text(re.compile(r"Aucune ressource"))
    page.goto(demo.base_url + "/?q=SVT")
    proposal = page.locator("#filtres-proposes a", has_text="sciences de la vie et de la Terre")
    expect(proposal).to_be_visible()
    proposal.click()
    expect(page).to_have_url(re.compile(f"discipline={SVT}"))
    expect(discipline_box(page, SVT)).to_be_checked()


def test_examples_under_the_search_box_find_something(page: Page, demo: Demo):
    page.goto(demo.base_url + "/")
    examples = page.locator("#q-aide a")
    expect(examples.first).to_be_visible()
    for text in examples.all_inner_texts():
        assert api(demo, q=text)["total"] > 0, text


def test_sort_and_pagination_with_javascript(page: Page, demo: Demo):
    page.goto(demo.base_url + "/")
    page.get_by_label("Trier par").select_option("title")
    expect(page).to_have_url(re.compile(r"\?sort=title$"))
    assert result_ids(page) == result_ids_of(api(demo, sort="title"))
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"sort=title&page=2$"))
    expect(page.locator("ol.results > li")).to_have_count(20)
    assert result_ids(page) == result_ids_of(api(demo, sort="title", page=2))
    expect(page.get_by_label("Trier par")).to_have_value("title")


def test_phone_layout_collapses_the_filters(browser: Browser, demo: Demo):
    context = _context(browser, viewport=PHONE)
    page = context.new_page()
    page.goto(demo.base_url + "/")
    summary = page.locator("#filtres > summary")
    expect(summary).to_be_visible()
    expect(level_box(page, CYCLE_3)).to_be_hidden()
    page.set_viewport_size(DESKTOP)  # wide again: the filters unfold (their summary is hidden there)
    expect(level_box(page, CYCLE_3)).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(level_box(page, CYCLE_3)).to_be_hidden()
    summary.click()
    level_box(page, CYCLE_3).check()
    expect(page).to_have_url(re.compile(f"level={CYCLE_3}"))
    expect_count(page, api(demo, level=CYCLE_3)["total"])
    expect(page.locator("#filtres")).to_have_attribute("open", "")  # stays open after the swap
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_keyboard_only_filtering(page: Page, demo: Demo):
    """Tab to a level box, tick it with the space bar: the results follow, focus stays put."""
    page.goto(demo.base_url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Tab")  # the second skip link jumps over the facets
    skip = page.get_by_role("link", name="Aller aux résultats")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#resultats-titre$"))
    level_box(page, CYCLE_3).focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(f"level={CYCLE_3}"))
    expect(level_box(page, CYCLE_3)).to_be_focused()
    expect(level_box(page, CYCLE_3)).to_be_checked()
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=\"' + document.activeElement.id + '\"]'))"
        ".outlineStyle")
    assert outline == "solid"  # the focus ring is visible


def test_suggestions_fill_the_datalist(page: Page, demo: Demo):
    page.goto(demo.base_url + "/")
    page.get_by_label("Mots-clés").press_sequentially("clima", delay=30)
    options = page.locator("#q-suggestions option")
    expect(options.first).to_be_attached(timeout=5000)
    values = [o.get_attribute("value") or "" for o in options.all()]
    assert "climatologie" in values  # a Météo-France keyword
    assert "Données climatologiques de base - mensuelles" in values  # a Météo-France title


def test_copy_button_copies_the_credit_line(browser: Browser, demo: Demo):
    context = _context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.base_url)
    page = context.new_page()
    page.goto(f"{demo.base_url}/ressources/{demo.record_id(*CLIMATE)}")
    button = page.get_by_role("button", name="Copier la mention")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#annonce")).to_have_text(re.compile("copiée"))
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == ("« Données climatologiques de base - mensuelles ». Source : Météo-France, 2023, "
                      "https://www.data.gouv.fr/fr/datasets/donnees-climatologiques-de-base-mensuelles/, "
                      "Licence Ouverte 2.0")
    assert copied == page.locator("#mention").input_value()
    context.close()


def test_resource_page_says_where_each_level_and_discipline_comes_from(page: Page, demo: Demo):
    """Every level and discipline of a demo record shows its origin; the partner's defaults say
    they are defaults, in the same words as the JSON-LD of the page and the API."""
    # A record with a partner default among its values when there is one (the demo sources
    # have defaults; the content layer may leave some records without any).
    hits = api(demo, per_page=100)["results"]
    with_default = [h["id"] for h in hits
                    if any(v["provenance"] == "default" for v in h["levels"] + h["disciplines"])]
    rid = with_default[0] if with_default else demo.record_id(*MAP)
    page.goto(f"{demo.base_url}/ressources/{rid}")
    record = requests.get(f"{demo.base_url}/api/v1/resources/{rid}", timeout=30).json()
    items = page.locator("li.aligned__item")
    expected = record["levels"] + record["disciplines"]
    expect(items).to_have_count(len(expected))
    jsonld = requests.get(f"{demo.base_url}/api/v1/resources/{rid}?format=jsonld", timeout=30).json()
    words = {a["targetName"]: a["description"] for a in jsonld["educationalAlignment"]}
    seen_default = False
    for item, entry in zip(items.all(), expected, strict=True):
        assert item.get_attribute("data-provenance") == entry["provenance"]
        origin = item.locator(".aligned__origin")
        expect(origin).to_be_visible()
        said = origin.inner_text().removeprefix("— ")
        assert said == words[entry["label"]]
        if entry["provenance"] == "default":
            seen_default = True
            assert said == "indiqué par défaut pour ce partenaire"
        else:
            assert "défaut" not in said
    assert seen_default == bool(with_default)


# -- partner text that must run nothing -----------------------------------------------------------

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI);
});
"""
# Every element carrying an on* attribute, and every script that is not ours.
INJECTED = """() => {
  const handlers = [...document.querySelectorAll('*')].filter(
    el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on'))).map(el => el.outerHTML);
  const scripts = [...document.scripts].filter(
    s => !(s.type === 'application/ld+json' || s.getAttribute('src') === '/static/catalogue.js'))
    .map(s => s.outerHTML);
  return {handlers, scripts};
}"""


def _no_effect(page: Page, dialogs: list[str]) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate(INJECTED) == {"handlers": [], "scripts": []}
    # Nothing even tried to run and was stopped by the CSP: the markup never became script.
    assert [v for v in page.evaluate("window.__violations") if v.startswith("script")] == []
    assert dialogs == []


def test_partner_markup_from_the_feed_runs_nothing(page: Page, demo: Demo):
    """INA's feed carried <script>, onerror=, onclick= and javascript: in an HTML description,
    escaped markup in the title and a <script> keyword (see tests/demo/conftest.py)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(WATCH)

    page.goto(f"{demo.base_url}/ressources/{demo.hostile_id}")
    # Plain-text fields keep the markup as visible text.
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    assert HOSTILE_TITLE in page.title()
    expect(page.locator(".tags")).to_contain_text(HOSTILE_KEYWORD)
    # The HTML description went through the sanitiser: text kept, <script> dropped with its
    # content, <img onerror> dropped, onclick and the javascript: href removed.
    prose = page.locator(".prose")
    expect(prose).to_contain_text("Reportage sur les volcans d'Auvergne.")
    expect(prose).to_contain_text("Les puys vus du ciel, voir le film.")
    expect(prose).not_to_contain_text("__pwned")
    expect(prose.locator("script, img, [onclick], [onerror]")).to_have_count(0)
    link = prose.get_by_text("voir le film")
    assert link.get_attribute("href") is None
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    link.click()
    prose.get_by_text("Les puys vus du ciel").click()
    # The JSON-LD block holds the same keyword as data: it did not close the element.
    ld = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)")
    assert HOSTILE_KEYWORD in ld["keywords"]
    _no_effect(page, dialogs)

    # The same record in search results, first server-rendered, then swapped in by the script.
    page.goto(demo.base_url + "/?q=auvergne")
    expect(page.locator(".result__title").first).to_have_text(HOSTILE_TITLE)
    page.get_by_label("Mots-clés").fill("volcans auvergne")
    page.get_by_label("Mots-clés").press("Enter")
    expect(page).to_have_url(re.compile("volcans"))
    expect(page.locator(".result__title").first).to_have_text(HOSTILE_TITLE)
    expect(page.locator(".result__snippet").first).to_contain_text("Reportage sur les volcans")
    # Suggestions carry the title as text: the datalist gains options, never elements.
    page.get_by_label("Mots-clés").fill("")
    page.get_by_label("Mots-clés").press_sequentially("volc", delay=30)
    expect(page.locator("#q-suggestions option").first).to_be_attached(timeout=5000)
    values = [o.get_attribute("value") for o in page.locator("#q-suggestions option").all()]
    assert HOSTILE_TITLE in values
    expect(page.locator("#q-suggestions > :not(option)")).to_have_count(0)
    _no_effect(page, dialogs)


# -- accessibility and screenshots ----------------------------------------------------------------


def _axe(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


# Loads the lazy thumbnails too (a full-page screenshot does not scroll to them) and resolves once
# every image has loaded or failed, or after 5 s. A function, not a string: the CSP forbids eval.
LOADED = """() => Promise.race([
  new Promise(done => setTimeout(done, 5000)),
  Promise.all([...document.images].map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(done => {
      img.addEventListener('load', done); img.addEventListener('error', done); });
  }))])"""

PAGES = {
    "recherche": f"/?q={QUERY}&level={CYCLE_4}",
    "ressource": "/ressources/{map}",
    "couverture": "/couverture",
    "partenaire": f"/partenaires/{PROBLEM_PARTNER}",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violation_and_screenshots(browser: Browser, demo: Demo, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = PAGES[name].format(map=demo.record_id(*MAP))
    for label, viewport in (("bureau", DESKTOP), ("mobile", PHONE)):
        context = _context(browser, viewport=viewport)
        page = context.new_page()
        response = page.goto(demo.base_url + path)
        assert response is not None and response.status == 200
        page.wait_for_load_state("load")
        violations = _axe(page)
        assert violations == [], f"{name} ({label}): {violations}"
        # Nothing pushes the page wider than the screen (wide tables scroll in their own region).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), label
        page.evaluate(LOADED)
        target = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        context.close()
