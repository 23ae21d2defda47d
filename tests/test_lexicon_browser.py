"""Fixing a pronunciation in real headless Chromium, at 1280 and 390 px (issue 17): preview the words on
the site an entry changes, hear it, save it, see the affected pages, follow the progress, and find the
pages "Klar" again with the new pronunciation. axe-core finds nothing on the lexicon pages.
Screenshots go to /tmp/lyssna-lexicon-*.png for a person to look at.
"""
from __future__ import annotations

import os

import pytest

from .browser import page_violations
from .test_lexicon_effects import PASSWORD, app, newest, site, spoken  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

WAIT_MS = int(os.environ.get("LYSSNA_BROWSER_WAIT_MS", "120000"))  # upper bound, not a timing assertion
SHOTS = "/tmp/lyssna-lexicon-{}-{}.png"


@pytest.fixture(params=[1280, 390], ids=["1280px", "390px"])
def page(chromium, request):
    context = chromium.new_context(viewport={"width": request.param, "height": 900}, locale="sv-SE")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.width = request.param
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and page.problems.append(m.text))
    yield page
    context.close()


def fits(page) -> bool:
    """Nothing makes the page scroll sideways."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_fix_a_pronunciation_and_watch_the_affected_pages_become_ready_again(
        app, live_app, site, page):  # noqa: F811
    urls = site[2]
    batches = app.extensions["lyssna"].batches
    assert batches.wait(batches.start(list(urls.values())), timeout=300)  # the site has been read once
    width = page.width

    page.goto(f"{live_app}/admin/lexicon")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/admin/lexicon")

    # Preview: the words on the site the entry will change, compounds included.
    page.get_by_label("Skrivs").fill("Nyköping")
    page.get_by_label("Uttalas").fill("Nyschöping")
    page.get_by_label("Gäller").select_option("compounds")
    page.get_by_role("button", name="Förhandsgranska").click()
    words = page.locator("#preview-words tbody tr td:first-child").all_inner_texts()
    assert sorted(words) == ["Nyköping", "Nyköpings", "nyköpingsbor"]
    assert "2 sidor" in page.locator("#entry-preview").inner_text()
    assert page.get_by_label("Uttalas").input_value() == "Nyschöping"  # the form kept what was typed
    assert page_violations(page) == [] and fits(page)
    page.screenshot(path=SHOTS.format("preview", width), full_page=True)

    # Hear it: the script plays the entry as it will sound, without leaving the page.
    page.evaluate("() => { window.__samePage = true; }")
    with page.expect_response(lambda r: "/admin/lexicon/sample.mp3" in r.url) as sample:
        page.get_by_role("button", name="Lyssna", exact=True).click()
    assert sample.value.status == 200 and sample.value.headers["content-type"] == "audio/mpeg"
    player = page.locator("audio[data-entry-sample]")
    page.wait_for_function("a => a.readyState >= 1 && a.duration > 0.3", arg=player.element_handle())
    assert page.evaluate("() => window.__samePage === true")

    # Save: the affected pages are listed, with the batch that makes them again.
    page.get_by_role("button", name="Lägg till", exact=True).click()
    page.wait_for_url("**/admin/lexicon?change=*")
    assert page.locator("#affected-count").inner_text() == "2 sidor påverkas"
    listed = page.locator("#affected-pages").inner_text()
    assert urls["nyheter"] in listed and urls["boende"] in listed and urls["sport"] not in listed
    assert page_violations(page) == [] and fits(page)
    page.screenshot(path=SHOTS.format("saved", width), full_page=True)

    page.get_by_role("link", name="Följ förloppet").click()
    page.wait_for_url("**/admin/pregenerate/*")
    page.wait_for_function("() => document.getElementById('batch-percent').textContent.trim() === '100 %'")
    assert page.locator("[data-field=failed]").inner_text() == "0"

    # The pages list says "Klar" for every page, and the pages now say the new word.
    page.goto(f"{live_app}/admin/pages")
    statuses = page.locator("td[class^=status-]").all_inner_texts()
    assert statuses == ["Klar"] * 3
    assert "Nyschöpings kommun" in spoken(newest(app, urls["nyheter"]))
    assert "nyschöpingsbor" in spoken(newest(app, urls["boende"]))

    # The entry's own page, with its player and form, passes axe too.
    page.goto(f"{live_app}/admin/lexicon")
    page.get_by_role("link", name="Ändra Nyköping").click()
    assert page.get_by_label("Gäller").input_value() == "compounds"
    assert page_violations(page) == [] and fits(page)
    assert page.problems == []


def test_a_phoneme_typo_is_shown_in_the_form_and_nothing_is_saved(app, live_app, page):  # noqa: F811
    page.goto(f"{live_app}/admin/lexicon")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/admin/lexicon")
    page.get_by_label("Skrivs").fill("Nyköping")
    page.get_by_label("Uttalas").fill("n'y:Q0Y:p")
    page.get_by_label("Typ").select_option("phonemes")
    page.get_by_role("button", name="Lyssna", exact=True).click()  # the server refuses: the page says why
    alert = page.get_by_role("alert")
    assert "”0Y:p”" in alert.inner_text()
    assert page.get_by_label("Uttalas").input_value() == "n'y:Q0Y:p"
    assert page.get_by_label("Typ").input_value() == "phonemes"
    assert app.extensions["lyssna"].services.lexicon.list() == []
    assert page_violations(page) == [] and fits(page)
    page.screenshot(path=SHOTS.format("phoneme-error", page.width), full_page=True)
