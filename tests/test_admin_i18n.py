"""The admin UI in one language at a time (issue 17): every admin page this part owns entirely in
Swedish or entirely in English, `<html lang>` following, plurals right for 0, 1 and 2, and the
language chosen with a CSRF-protected POST that survives logging in and out.

Real app, real fixture site on loopback, real espeak-ng.
"""
from __future__ import annotations

import io
import re

import pytest

from service.web.admin import i18n

from .test_admin_ui import (  # noqa: F401 - fixtures
    PASSWORD,
    admin_client,
    app,
    app_config,
    fixture_url,
    login,
    run_batch,
    token_of,
)

# Words of the admin's own interface (not of the pages it lists), in each language.
SWEDISH = ["Översikt", "Förgenerera", "Inställningar", "Logga ut", "Sök", "Lyssningar", "Töm cachen",
           "Skapa om", "Ta bort", "Körningar", "Lösenord", "Visa som tabell", "Tillbaka", "Starta", "Språk",
           "sidor", "Klar", "senaste", "Misslyckade", "uppläsning", "Startad", "Till innehållet"]
ENGLISH = ["Dashboard", "Pre-generate", "Settings", "Log out", "Search", "Listens", "Empty the cache",
           "Regenerate", "Delete", "Runs", "Password", "Show as a table", "Back to", "Start", "Language",
           "pages", "Ready", "the last", "Failed", "reading", "Started", "Skip to content"]


def choose(client, lang: str, next_path: str = "/admin/") -> None:
    token = token_of(client.get("/admin/login" if next_path.startswith("/admin/login") else next_path).text)
    r = client.post("/admin/language", data={"csrf_token": token, "lang": lang, "next": next_path})
    assert r.status_code == 303 and r.headers["Location"].endswith(next_path)


def interface_text(html: str) -> str:
    """The page's own words: no language switch (it names the other language in that language),
    no scripts; tags, attribute-less, as text; and attributes people hear (labels, titles)."""
    html = re.sub(r'<form[^>]*class="lang-switch".*?</form>', " ", html, flags=re.S)
    html = re.sub(r'<fieldset class="languages">.*?</fieldset>', " ", html, flags=re.S)
    heard = " ".join(re.findall(r'(?:aria-label|title|placeholder|data-label)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + heard


def admin_pages(app, admin_client, fixture_site) -> dict[str, str]:
    """Every admin page of this part, as (name: path); with a page in the cache and a finished run."""
    status = run_batch(app, admin_client, {"urls": fixture_url(fixture_site, 0)})
    activity = app.extensions["lyssna"].services.activity
    activity.record("hit", url=fixture_url(fixture_site, 0))
    activity.record("failed", url=fixture_url(fixture_site, 0), error="Sidan finns inte. / The page does not exist.")
    entry = app.extensions["lyssna"].services.lexicon.add(written="Nyköping", spoken="Nyschöping")
    return {"dashboard": "/admin/", "pregenerate": "/admin/pregenerate", "pages": "/admin/pages",
            "lexicon": "/admin/lexicon", "entry": f"/admin/lexicon/{entry.id}",
            "batch": f"/admin/pregenerate/{status['id']}", "settings": "/admin/settings",
            "preview": "/admin/lexicon/preview?text=Nyk%C3%B6ping"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_admin_page_speaks_one_language(app, admin_client, fixture_site, lang):
    pages = admin_pages(app, admin_client, fixture_site)
    choose(admin_client, lang)
    other = "en" if lang == "sv" else "sv"
    foreign, mine = (ENGLISH, SWEDISH) if lang == "sv" else (SWEDISH, ENGLISH)
    rendered = {name: admin_client.get(path) for name, path in pages.items()}
    # The pages shown to someone not logged in, and an error page.
    stranger = app.test_client()
    choose(stranger, lang, "/admin/login")
    rendered["login"] = stranger.get("/admin/login")
    rendered["error"] = admin_client.post("/admin/cache/purge", data={"csrf_token": "stale"})
    # An import's check: one new entry, one bad row (its message is bilingual at the source).
    csv = "written,spoken,lang\nGnesta,Jnesta,sv\nVästerås,,sv\n".encode()
    rendered["import"] = admin_client.post("/admin/lexicon/import", data={
        "csrf_token": admin_client.csrf, "file": (io.BytesIO(csv), "uttal.csv"), "dry_run": "1"},
        content_type="multipart/form-data")
    assert rendered["import"].status_code == 400 and "Gnesta" in rendered["import"].text
    assert rendered["error"].status_code == 400
    for name, r in rendered.items():
        assert f'<html lang="{lang}">' in r.text, name
        text = interface_text(r.text)
        assert f'lang="{other}"' not in re.sub(r'<form[^>]*class="lang-switch".*?</form>|'
                                               r'<fieldset class="languages">.*?</fieldset>', "", r.text,
                                               flags=re.S), name
        assert not re.search(r"[^\W\d] / [^\W\d]", re.sub(r"https?://\S+", "", text)), (name, "a doubled label")
        wrong = [w for w in foreign if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        assert wrong == [], (name, wrong)
    everything = " ".join(interface_text(r.text) for r in rendered.values())
    missing = [w for w in mine if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", everything)]
    assert missing == [], missing  # the other language's pages do use the words checked above


@pytest.mark.parametrize("lang, words", [
    ("sv", ["0 lyssningar", "1 lyssning", "2 lyssningar"]),
    ("en", ["0 listens", "1 listen", "2 listens"]),
])
def test_plurals_for_none_one_and_two(app, admin_client, lang, words):
    choose(admin_client, lang)
    activity = app.extensions["lyssna"].services.activity
    seen = []
    for n in range(3):
        if n:
            activity.record("miss", url="http://x/a")
        hits = re.search(r'<dd id="card-hits">.*?<small>(.*?)</small>', admin_client.get("/admin/").text, re.S)
        seen.append(hits.group(1).split(" ", 2)[-1])
    assert seen == words


@pytest.mark.parametrize("lang, one, other", [("sv", "sida", "sidor"), ("en", "page", "pages")])
def test_the_plural_helper(app, lang, one, other):
    with app.test_request_context():
        from flask import session

        session["lang"] = lang
        assert [i18n.plural(n, "sida", "sidor", "page", "pages") for n in (0, 1, 2, 12345)] == \
            [f"0 {other}", f"1 {one}", f"2 {other}", ("12\u00a0345" if lang == "sv" else "12,345") + f" {other}"]


def test_the_language_survives_logging_in_and_out(app):
    client = app.test_client()
    choose(client, "en", "/admin/login")
    page = client.get("/admin/login").text
    assert '<html lang="en">' in page and "Password" in page
    r = client.post("/admin/login", data={"password": "wrong", "csrf_token": token_of(page)})
    assert r.status_code == 401 and "Wrong password." in r.text and "Fel lösenord" not in r.text
    assert login(client).status_code == 302  # a new session (no fixation) that keeps the language
    assert '<html lang="en">' in client.get("/admin/").text
    r = client.post("/admin/logout", data={"csrf_token": token_of(client.get("/admin/").text)})
    after = client.get(r.headers["Location"]).text
    assert '<html lang="en">' in after and "You are logged out." in after
    choose(client, "sv", "/admin/login")
    assert '<html lang="sv">' in client.get("/admin/login").text


def test_choosing_a_language_needs_the_forms_token_and_a_known_language(app, admin_client):
    assert admin_client.post("/admin/language", data={"lang": "en"}).status_code == 400
    r = admin_client.post("/admin/language", data={"lang": "fi", "csrf_token": admin_client.csrf})
    assert r.status_code == 400 and "Okänt språk" in r.text
    assert '<html lang="sv">' in admin_client.get("/admin/").text
    # Back only to a page of this admin.
    for elsewhere in ("https://example.com/", "//example.com/admin/", "/admin/../x"):
        r = admin_client.post("/admin/language", data={"lang": "en", "csrf_token": admin_client.csrf,
                                                       "next": elsewhere})
        assert r.status_code == 303 and r.headers["Location"] == "/admin/"
    r = admin_client.post("/admin/language", data={"lang": "en", "csrf_token": admin_client.csrf,
                                                   "next": "/admin/pages?q=x"})
    assert r.headers["Location"] == "/admin/pages?q=x"
    assert '<html lang="en">' in admin_client.get("/admin/settings").text


def test_the_configured_language_holds_until_an_admin_picks_another(app_config):
    from service import create_app

    app = create_app({**app_config, "ADMIN_LANGUAGE": "en"})
    client = app.test_client()
    assert '<html lang="en">' in client.get("/admin/login").text
    choose(client, "sv", "/admin/login")
    assert login(client).status_code == 302
    assert '<html lang="sv">' in client.get("/admin/").text
