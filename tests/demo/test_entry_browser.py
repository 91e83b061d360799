"""The home page's entry points and the class and subject landing pages in real headless
Chromium, on the demo catalogue: the links lead where the counts say, axe-core finds nothing,
screenshots at 1280 and 390 px in ``var/screenshots/``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

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


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "bureau"), (PHONE, "mobile")])
def test_home_class_and_subject_pages(browser: Browser, demo: Demo, viewport, suffix: str):
    context = _context(browser, viewport=viewport)
    page = context.new_page()
    page.goto(demo.base_url + "/")
    page.evaluate(LOADED)
    entries = page.locator("#entrees")
    expect(entries.get_by_role("heading", name="Je cherche pour…")).to_be_visible()
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"accueil-{suffix}.png"), full_page=True)

    # The class with the most resources: its landing page, whose search gives the same count.
    classes = entries.locator(".entries__classes a")
    counts = [_number(classes.nth(n).locator(".entries__count").inner_text()) for n in range(classes.count())]
    best = classes.nth(counts.index(max(counts)))
    best.click()
    expect(page.locator("h1")).to_contain_text("Ressources pour")
    assert page.url.startswith(demo.base_url + "/niveaux/")
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"niveau-{suffix}.png"), full_page=True)
    page.locator("main a.button--primary").click()
    expect(page.locator("#resultats-titre")).to_contain_text(f"{max(counts)} ressource")

    page.goto(demo.base_url + "/")
    entries.locator(".entries__subjects a").first.click()
    expect(page.locator("h1")).to_contain_text("Ressources en")
    assert _axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"discipline-{suffix}.png"), full_page=True)
    context.close()
