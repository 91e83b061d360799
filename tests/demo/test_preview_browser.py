"""Previews and thumbnails in real headless Chromium, on the demo catalogue: no request leaves
for a partner host before the teacher clicks "Voir un aperçu"; after the click the INA player's
iframe is there (its request answered locally by the test, recorded); Gallica's preview is an
image of the catalogue; every thumbnail comes from /vignettes. Axe-clean, screenshots."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect
from sqlalchemy import select

from catalogue import tables as t
from tests.demo.conftest import Demo
from tests.demo.test_browser import DESKTOP, LOADED, MAP, PHONE, SCREENSHOTS, _axe

pytestmark = pytest.mark.browser

PLAYER_PAGE = "<!doctype html><html lang=fr><title>Lecteur</title><p>Lecteur INA (simulé)</p></html>"


def _recording_context(browser: Browser, seen: list[str], *, viewport=DESKTOP,
                       javascript: bool = True) -> BrowserContext:
    """Every request is recorded; the catalogue's are served, INA's player is answered here,
    anything else is refused (and still recorded)."""
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, locale="fr-FR")

    def route(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        elif host == "fresques.ina.fr":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=PLAYER_PAGE)
        else:
            route.abort()

    context.route("**/*", route)
    context.on("request", lambda request: seen.append(request.url))
    context.set_default_timeout(10_000)
    return context


def _off_site(seen: list[str]) -> list[str]:
    return [u for u in seen if urlsplit(u).hostname not in ("127.0.0.1", None)
            and not u.startswith(("data:", "about:"))]


def _player_record(demo: Demo) -> str:
    with demo.store.engine.connect() as conn:
        ids = conn.execute(select(t.records.c.id).where(t.records.c.source_id == "ina-jalons")
                           .order_by(t.records.c.id)).scalars().all()
    for rid in ids:
        stored = demo.store.get(rid)
        if stored and not stored.deleted and any(
                link.get("kind") == "player" for link in (stored.data or {}).get("links") or []):
            return str(rid)
    raise AssertionError("no INA demo record with a player link")


def test_no_partner_request_before_the_click_then_the_player(browser: Browser, demo: Demo):
    seen: list[str] = []
    context = _recording_context(browser, seen)
    page = context.new_page()
    # The results (with thumbnails) and the resource page: nothing off-site.
    page.goto(demo.base_url + "/?q=france")
    page.evaluate(LOADED)
    thumbs = page.locator("img.result__thumb")
    assert thumbs.count() > 0
    assert all((src or "").startswith("/vignettes/") for src in
               [thumbs.nth(n).get_attribute("src") for n in range(thumbs.count())])
    rid = _player_record(demo)
    page.goto(f"{demo.base_url}/ressources/{rid}")
    page.evaluate(LOADED)
    button = page.locator("#apercu button[data-preview-open]")
    expect(button).to_contain_text("Voir un aperçu")
    assert page.locator("iframe").count() == 0
    assert _off_site(seen) == [], _off_site(seen)
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "apercu-avant-bureau.png"), full_page=True)

    button.click()
    frame = page.locator("#apercu iframe.preview__viewer")
    expect(frame).to_be_visible()
    assert (frame.get_attribute("src") or "").startswith("https://fresques.ina.fr/jalons/export/player/")
    assert frame.get_attribute("title", timeout=1000).startswith("Lecteur INA : ")
    expect(page.frame_locator("#apercu iframe").locator("p")).to_have_text("Lecteur INA (simulé)")
    off = _off_site(seen)
    assert off and all(urlsplit(u).hostname == "fresques.ina.fr" for u in off), off
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "apercu-bureau.png"), full_page=True)
    context.close()


def test_no_page_requests_a_partner_host(browser: Browser, demo: Demo):
    """Every page a teacher reaches without clicking a preview, thumbnails loaded."""
    seen: list[str] = []
    context = _recording_context(browser, seen)
    page = context.new_page()
    rid = demo.record_id(*MAP)
    for path in ("/", "/?q=carte&sort=date", f"/ressources/{rid}", "/couverture", "/partenaires",
                 "/partenaires/ina", "/niveaux/4e", "/disciplines/histoire-et-geographie",
                 f"/selection?ids={rid},{_player_record(demo)}", f"/selection/imprimer?ids={rid}",
                 "/confidentialite", "/api"):
        page.goto(demo.base_url + path)
        page.evaluate(LOADED)
    assert _off_site(seen) == [], _off_site(seen)
    assert any("/vignettes/" in u for u in seen)
    context.close()


def test_gallica_preview_is_an_image_of_the_catalogue(browser: Browser, demo: Demo):
    seen: list[str] = []
    context = _recording_context(browser, seen, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{demo.base_url}/ressources/{demo.record_id(*MAP)}")
    page.locator("#apercu button[data-preview-open]").click()
    image = page.locator("#apercu img.preview__viewer")
    expect(image).to_be_visible()
    assert image.get_attribute("src") == f"/apercus/{demo.record_id(*MAP)}"
    page.evaluate(LOADED)
    assert _off_site(seen) == [], _off_site(seen)
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "apercu-mobile.png"), full_page=True)
    context.close()


def test_without_javascript_the_preview_is_a_link_to_the_partner(browser: Browser, demo: Demo):
    seen: list[str] = []
    context = _recording_context(browser, seen, javascript=False)
    page = context.new_page()
    page.goto(f"{demo.base_url}/ressources/{_player_record(demo)}")
    link = page.locator("#apercu a[data-preview-open]")
    assert (link.get_attribute("href") or "").startswith("https://fresques.ina.fr/jalons/export/player/")
    assert page.locator("iframe").count() == 0 and _off_site(seen) == []
    context.close()
