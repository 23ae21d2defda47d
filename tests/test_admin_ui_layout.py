"""The admin pages in real headless Chromium at 1280 and 390 px, in Swedish and English (issue 17):
no page is wider than a phone's screen, axe-core finds nothing on the whole page (its tables
opened), and the language is chosen with the header's switch.

axe-core comes bundled in the `axe-playwright-python` wheel, injected into the page: nothing is
downloaded. Screenshots of the dashboard and the pages list go to /tmp/shots/after/ for people.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .browser import page_violations
from .test_admin_ui import fixture_url, login, run_batch, token_of
from .test_admin_ui_browser import PASSWORD, WAIT_MS, app, app_config  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LYSSNA_SHOTS", "/tmp/shots/after"))
WIDTHS = (1280, 390)


@pytest.fixture
def filled(app, live_app, fixture_site):
    """The live app with pages in the cache, a finished run with a failure, listens and failures:
    every table and chart of the admin has rows. Returns the paths of the pages to check."""
    client = app.test_client()
    login(client, PASSWORD)
    client.csrf = token_of(client.get("/admin/").text)
    urls = [fixture_url(fixture_site, i) for i in range(2)] + [f"{fixture_site}/finns-inte-{'x' * 60}.html"]
    status = run_batch(app, client, {"urls": "\n".join(urls)})
    activity = app.extensions["lyssna"].services.activity
    for i, url in enumerate(urls[:2] * 3):
        activity.record("hit" if i % 2 else "miss", url=url)
        activity.record_first_audio(300.0 + 400 * i)
    entry = app.extensions["lyssna"].services.lexicon.add("Nyköping", "Nyschöping", match="compounds")
    return {"dashboard": "/admin/", "pregenerate": "/admin/pregenerate", "pages": "/admin/pages",
            "batch": f"/admin/pregenerate/{status['id']}", "settings": "/admin/settings",
            "preview": "/admin/lexicon/preview?text=Nyk%C3%B6ping", "lexicon": "/admin/lexicon",
            "entry": f"/admin/lexicon/{entry.id}"}


def too_wide(page) -> list[str]:
    """What sticks out to the right of a 390 px page (empty when nothing does)."""
    return page.evaluate("""() => {
        if (document.documentElement.scrollWidth <= window.innerWidth) return [];
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth
            && !e.closest('.scroll')).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40));
    }""")


def check(page, name: str, width: int, lang: str) -> None:
    assert page.evaluate("() => document.documentElement.lang") == lang, name
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    if width <= 390:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, (name, too_wide(page))
    assert page_violations(page) == [], (name, width, lang)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_admin_page_fits_and_passes_axe(chromium, live_app, filled, width, lang):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and problems.append(m.text))
    try:
        page.goto(f"{live_app}/admin/login")
        if lang == "en":  # the header's switch, before logging in
            page.get_by_role("button", name="In English").click()
            page.wait_for_function("() => document.documentElement.lang === 'en'")
        check(page, "login", width, lang)
        page.get_by_label("Lösenord" if lang == "sv" else "Password").fill(PASSWORD)
        page.get_by_role("button", name="Logga in" if lang == "sv" else "Log in").click()
        page.wait_for_url(f"{live_app}/admin/")
        for name, path in filled.items():
            page.goto(f"{live_app}{path}")
            if name == "batch":
                page.wait_for_function("() => document.querySelector('[data-batch-status]').dataset.finished === 'true'"
                                       " || !!document.querySelector('h2#failed-title')")
            if name in ("dashboard", "pages"):  # as people first see them: tables folded
                SHOTS.mkdir(parents=True, exist_ok=True)
                shot = f"admin-test-{name}-{width}-{lang}.png"
                page.screenshot(path=str(SHOTS / shot), full_page=True)
            check(page, name, width, lang)
        # The lexicon import's check: a new entry, a changed one and a refused row, in tables.
        page.goto(f"{live_app}/admin/lexicon")
        page.set_input_files("#import-file", files=[{"name": "uttal.csv", "mimeType": "text/csv", "buffer":
                             "written,spoken\nNyköping,Nyschööping\nGnesta,Jnesta\n,tom\n".encode()}])
        page.locator("form[enctype] button[type=submit]").click()
        page.wait_for_selector("h2#errors")
        check(page, "import", width, lang)
        # An error page, in the chosen language too: a form whose token went stale.
        page.goto(f"{live_app}/admin/pages")
        page.evaluate("() => { document.querySelector('form[action$=\"/cache/purge\"] [name=csrf_token]').value = 'x'; }")
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Töm cachen" if lang == "sv" else "Empty the cache").click()
        page.wait_for_selector("h1")
        check(page, "error", width, lang)
        assert problems == []
    finally:
        context.close()


def test_the_live_progress_speaks_the_pages_language(chromium, live_app, fixture_site):
    """admin.js reads <html lang>: an English page announces in English, with the right plural."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_app}/admin/login")
        page.get_by_role("button", name="In English").click()
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_app}/admin/")
        page.get_by_role("link", name="Pre-generate").click()
        page.get_by_label("list of URLs").fill(fixture_url(fixture_site, 4))
        page.get_by_role("button", name="Start").click()
        page.wait_for_url("**/admin/pregenerate/*")
        page.wait_for_function("() => document.querySelector('[data-batch-status]').dataset.finished === 'true'")
        assert page.locator("#batch-live").inner_text() == "Finished: 1 of 1 page."
        assert page.locator("#progress-label").inner_text().split(":", 1)[1].split("(")[0].split() == \
            ["1", "of", "1", "page"]
    finally:
        context.close()
