"""The admin UI in real headless Chromium against the real app on a loopback port (issue 7):
log in, pre-generate fixture pages and watch the progress reach 100 % live, edit a lexicon entry
and hear its preview. Screenshots go to /tmp/lyssna-admin-*.png for a person to look at.
"""
from __future__ import annotations

import os

import pytest

from service import create_app
from service.web import admin

from .conftest import page_names

pytestmark = pytest.mark.browser

PASSWORD = "webbläsarens lösenord"
WAIT_MS = int(os.environ.get("LYSSNA_BROWSER_WAIT_MS", "120000"))  # upper bound, not a timing assertion
SHOTS = "/tmp/lyssna-admin-{}.png"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    if "admin" not in app.blueprints:  # until create_app calls admin.init_app itself
        admin.init_app(app)
    return app


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="sv-SE")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    # CSP violations and script errors are console errors; a media element aborting a preload
    # when we navigate away is not ours to judge, so only "Refused"/script errors count.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and page.problems.append(m.text))
    yield page
    context.close()


def test_log_in_pre_generate_and_fix_a_pronunciation(live_app, fixture_site, page):
    # Log in: the dashboard redirects to the login form and back.
    page.goto(f"{live_app}/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    assert page.locator("[role=alert]").inner_text().startswith("Fel lösenord")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_app}/admin/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Översikt")

    # Pre-generate four fixture pages and watch the progress update in place.
    page.get_by_role("link", name="Förgenerera").click()
    urls = [f"{fixture_site}/{name}.html" for name in page_names()[:4]]
    page.get_by_label("lista med adresser").fill("\n".join(urls))
    page.get_by_role("button", name="Starta").click()
    page.wait_for_url("**/admin/pregenerate/*")
    page.evaluate("() => { window.__samePage = true; }")  # survives only if nothing reloads
    page.screenshot(path=SHOTS.format("progress-running"), full_page=True)
    page.wait_for_function("() => document.getElementById('batch-percent').textContent.trim() === '100 %'")
    page.wait_for_function("() => document.querySelector('[data-batch-status]').dataset.finished === 'true'")
    assert page.evaluate("() => window.__samePage === true"), "the script updated the page live"
    bar = page.locator("progress")
    assert bar.evaluate("b => [b.value, b.max]") == [4, 4]
    assert page.locator("[data-field=new]").inner_text() == "4"
    assert page.locator("[data-field=failed]").inner_text() == "0"
    assert page.locator("#batch-live").inner_text() == "Klart: 4 av 4 sidor."
    page.screenshot(path=SHOTS.format("progress"), full_page=True)

    # The dashboard now counts them (the chart's table alternative says so too).
    page.get_by_role("link", name="Översikt").click()
    assert "4 / 4" in page.locator("main").inner_text()
    page.screenshot(path=SHOTS.format("dashboard"), full_page=True)

    # The pages list plays the audio of a pre-generated page.
    page.get_by_role("link", name="Sidor").click()
    first = page.locator("audio").first
    first.evaluate("a => { a.preload = 'auto'; a.load(); }")
    page.wait_for_function("a => a.readyState >= 2", arg=first.element_handle())
    page.screenshot(path=SHOTS.format("pages"), full_page=True)

    # Add a lexicon entry, edit it, and hear the preview of the edited pronunciation.
    page.get_by_role("link", name="Uttal").click()
    page.get_by_label("Skrivs").fill("Nyköping")
    page.get_by_label("Uttalas").fill("Nyschöping")
    page.get_by_role("button", name="Lägg till").click()
    assert "Lade till" in page.locator("[role=status]").inner_text()
    page.get_by_role("link", name="Ändra Nyköping").click()
    page.get_by_label("Uttalas").fill("Nyschööping")
    with page.expect_response(lambda r: "/admin/lexicon/preview.mp3" in r.url) as preview:
        page.get_by_role("button", name="Spara").click()
    assert preview.value.status in (200, 206)
    assert preview.value.headers["content-type"] == "audio/mpeg"
    assert "Sparade" in page.locator("[role=status]").inner_text()
    assert page.get_by_label("Uttalas").input_value() == "Nyschööping"
    page.wait_for_function("() => document.getElementById('preview').readyState >= 2")
    assert page.evaluate("() => document.getElementById('preview').duration") > 0.3
    page.get_by_role("link", name="Tillbaka till uttalslistan").click()
    assert "Nyschööping" in page.locator("table").inner_text()
    page.screenshot(path=SHOTS.format("lexicon"), full_page=True)

    # Export the lexicon as PLS, then import a CSV: preview first, then import the kept upload.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera (PLS)").click()
    assert download.value.suggested_filename == "lyssna-lexikon-sv.pls"
    page.get_by_label("Fil att importera").set_input_files(files=[{
        "name": "annan-kommun.csv", "mimeType": "text/csv",
        "buffer": "written;spoken\nSthlm;Stockholm\n".encode("utf-8")}])
    page.get_by_role("button", name="Importera", exact=True).click()
    assert "Provkörning" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="Importera nu").click()
    assert "Nya: 1" in page.locator("[role=status]").inner_text()
    assert "Stockholm" in page.locator("table").inner_text()

    assert page.problems == []
