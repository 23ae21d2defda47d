"""The admin web UI (/admin): login, CSRF, lockout, every page, lexicon forms, cache purging,
pre-generation batches over the fixture site, and the activity log behind the dashboard.

Real app, real fixture site on loopback, real espeak-ng; nothing of ours is mocked.
"""
from __future__ import annotations

import multiprocessing
import re
import threading
from pathlib import Path

import pytest

from service import create_app
from service.store.activity import Activity
from service.web import admin

from .conftest import page_names, serve_directory
from .helpers import decode_mp3

PASSWORD = "korrekt häst batteri"
NOT_A_BATCH = "0123456789abcdef"

# Every admin route but the login page and static files, as (method, path).
ROUTES = [
    ("get", "/admin/"),
    ("get", "/admin/pregenerate"),
    ("post", "/admin/pregenerate"),
    ("get", f"/admin/pregenerate/{NOT_A_BATCH}"),
    ("get", f"/admin/pregenerate/{NOT_A_BATCH}/status"),
    ("get", "/admin/pages"),
    ("post", "/admin/pages/regenerate"),
    ("post", "/admin/pages/delete"),
    ("post", "/admin/cache/purge"),
    ("get", "/admin/lexicon"),
    ("post", "/admin/lexicon"),
    ("get", "/admin/lexicon/1"),
    ("post", "/admin/lexicon/1"),
    ("post", "/admin/lexicon/1/delete"),
    ("get", "/admin/lexicon/export?format=csv"),
    ("post", "/admin/lexicon/import"),
    ("get", "/admin/lexicon/preview?text=Nyk%C3%B6ping"),
    ("get", "/admin/lexicon/preview.mp3?text=Nyk%C3%B6ping"),
    ("get", "/admin/lexicon/sample.mp3?written=Nyk%C3%B6ping&spoken=Nysch%C3%B6ping"),
    ("get", "/admin/settings"),
    ("post", "/admin/logout"),
]
POSTS = [path for method, path in ROUTES if method == "post"]


def wire(app):
    """Until create_app calls admin.init_app itself."""
    if "admin" not in app.blueprints:
        admin.init_app(app)
    return app


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


@pytest.fixture
def app(app_config):
    return wire(create_app(app_config))


def token_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "every form carries a CSRF token"
    return m.group(1)


def login(client, password: str = PASSWORD):
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"password": password, "csrf_token": token_of(page.text)})


@pytest.fixture
def admin_client(client):
    r = login(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")
    client.csrf = token_of(client.get("/admin/").text)
    return client


def fixture_url(origin: str, index: int) -> str:
    return f"{origin}/{page_names()[index]}.html"


def test_the_route_list_covers_every_admin_route(app):
    """So a route added later cannot escape the parametrized checks below."""
    listed = {re.sub(r"\?.*", "", path) for _, path in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and rule.endpoint not in ("admin.login", "admin.language", "admin.static"):
            concrete = (rule.rule.replace("<int:entry_id>", "1").replace("<batch_id>", NOT_A_BATCH))
            assert concrete in listed, rule.rule


# -- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", ROUTES)
def test_every_route_needs_a_login(client, method, path):
    r = getattr(client, method)(path, data={"csrf_token": "x"})
    if method == "get":
        assert r.status_code == 302
        assert r.headers["Location"].startswith("/admin/login?next=")
    else:
        assert r.status_code == 401
        assert "Logga in" in r.text


@pytest.mark.parametrize("method, path", ROUTES)
def test_a_wrong_password_is_refused(client, method, path):
    r = login(client, "fel lösenord")
    assert r.status_code == 401 and "Fel lösenord" in r.text
    r = getattr(client, method)(path, data={"csrf_token": token_of(client.get("/admin/login").text)})
    assert r.status_code in (302, 401)
    if method == "get":
        assert r.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize("path", POSTS)
def test_every_post_refuses_a_missing_or_wrong_csrf_token(app, admin_client, path):
    entry = app.extensions["lyssna"].services.lexicon.add("Nyköping", "Nyschöping")
    path = path.replace("/1", f"/{entry.id}")
    form = {"url": "http://127.0.0.1:1/x", "written": "Sthlm", "spoken": "Stockholm", "confirm": "yes",
            "urls": "http://127.0.0.1:1/x"}
    assert admin_client.post(path, data=form).status_code == 400
    assert admin_client.post(path, data={**form, "csrf_token": "gissat"}).status_code == 400
    other = app.test_client()
    login(other)
    stolen = token_of(other.get("/admin/").text)  # another session's token is no good here either
    assert admin_client.post(path, data={**form, "csrf_token": stolen}).status_code == 400
    # Nothing happened: still logged in, the entry unchanged, no new entry.
    assert admin_client.get("/admin/").status_code == 200
    lexicon = app.extensions["lyssna"].services.lexicon
    assert [(e.written, e.spoken) for e in lexicon.list()] == [("Nyköping", "Nyschöping")]


def test_the_login_form_needs_its_csrf_token_too(client):
    r = client.post("/admin/login", data={"password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_address_out(client):
    for _ in range(10):
        assert login(client, "gissning").status_code == 401
    r = login(client)
    assert r.status_code == 429 and "försök igen" in r.text
    assert client.get("/admin/").status_code == 302  # the right password did not let it in


@pytest.mark.parametrize("method, path", ROUTES + [("get", "/admin/login"), ("post", "/admin/login"),
                                                  ("get", "/admin/static/admin.js")])
def test_no_admin_at_all_without_a_password(tmp_path, fixture_site, method, path):
    app = wire(create_app({"TESTING": True, "SITES": [fixture_site], "CACHE_DIR": str(tmp_path / "c")}))
    r = getattr(app.test_client(), method)(path, data={"password": "", "csrf_token": "x"})
    assert r.status_code == 404


def test_the_session_cookie_is_httponly_samesite_scoped_and_secure_on_https(app):
    plain = app.test_client()
    cookie = login(plain).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie
    tls = app.test_client()
    page = tls.get("/admin/login", base_url="https://lyssna.example.se")
    r = tls.post("/admin/login", base_url="https://lyssna.example.se",
                 data={"password": PASSWORD, "csrf_token": token_of(page.text)})
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_changing_the_password_ends_existing_sessions(app, admin_client):
    app.config["ADMIN_PASSWORD"] = "ett nytt lösenord"
    assert admin_client.get("/admin/").status_code == 302


def test_logout_ends_the_session(admin_client):
    r = admin_client.post("/admin/logout", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_login_never_redirects_to_another_site(client):
    page = client.get("/admin/login?next=https://evil.example/")
    r = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token_of(page.text),
                                          "next": "https://evil.example/"})
    assert r.headers["Location"] == "/admin/"
    client.post("/admin/logout", data={"csrf_token": token_of(client.get("/admin/").text)})
    page = client.get("/admin/login")
    r = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token_of(page.text),
                                          "next": "/admin/lexicon"})
    assert r.headers["Location"] == "/admin/lexicon"


def test_admin_pages_send_a_strict_content_security_policy(admin_client):
    r = admin_client.get("/admin/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in r.text and " style=" not in r.text  # nothing inline to allow
    assert r.headers["Cache-Control"] == "no-store"


def test_the_secret_key_is_stable_across_restarts(app_config):
    first = wire(create_app(app_config))
    second = wire(create_app(app_config))
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    key_file = Path(app_config["CACHE_DIR"]) / "admin_secret.key"
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the service only
    client = first.test_client()
    login(client)
    cookie = client.get_cookie("session", path="/admin")
    other = second.test_client()
    other.set_cookie("session", cookie.value, path="/admin")
    assert other.get("/admin/").status_code == 200  # a restarted service keeps the admin logged in


# -- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, heading", [
    ("/admin/", "Översikt"), ("/admin/pregenerate", "Förgenerera"), ("/admin/pages", "Sidor"),
    ("/admin/lexicon", "Uttal"), ("/admin/settings", "Inställningar"),
])
def test_each_page_renders(admin_client, path, heading):
    r = admin_client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert re.search(rf"<h1>{heading}\b", r.text)
    assert '<html lang="sv">' in r.text and 'aria-current="page"' in r.text


def test_settings_show_the_allowed_sites_and_engines(admin_client, fixture_site, app_config):
    r = admin_client.get("/admin/settings")
    assert fixture_site in r.text
    assert "espeak" in r.text and "Fungerar" in r.text
    assert app_config["CACHE_DIR"] in r.text


def test_the_dashboard_shows_activity(app, admin_client):
    activity: Activity = app.extensions["lyssna"].services.activity
    r = admin_client.get("/admin/")
    assert re.search(r'<dd id="card-hits">–<small>', r.text)  # nothing requested yet
    for _ in range(3):
        activity.record("hit", url="http://x/a")
    activity.record("miss", url="http://x/b")
    activity.record("generated", url="http://x/a", audio_ms=1_800_000, sentences=40)
    activity.record("generated", url="http://x/b", audio_ms=1_800_000, sentences=40)
    activity.record("failed", url="http://x/<b>trasig</b>", error="Sidan kunde inte hämtas.")
    r = admin_client.get("/admin/")
    assert re.search(r'<dd id="card-listens">4<small>', r.text)
    assert re.search(r'<dd id="card-hits">75 %<small>3 av 4 lyssningar', r.text)
    assert "1,0 h" in r.text  # audio hours generated
    assert "&lt;b&gt;trasig&lt;/b&gt;" in r.text and "<b>trasig" not in r.text
    assert "Sidan kunde inte hämtas." in r.text
    # The chart and its text alternative: this hour has 2 generations, in Swedish time.
    assert re.search(r"<title>\d{4}-\d\d-\d\d \d\d:00 CES?T: 2</title>", r.text)
    assert re.search(r'<td>\d{4}-\d\d-\d\d \d\d:00 CES?T</td><td class="num">2</td>', r.text)
    assert re.search(r'<dd id="card-generated">2<small>', r.text)


# -- lexicon -------------------------------------------------------------------------------------


def test_lexicon_add_edit_delete_through_the_forms(app, admin_client):
    lexicon = app.extensions["lyssna"].services.lexicon
    r = admin_client.post("/admin/lexicon", data={"csrf_token": admin_client.csrf, "written": "Nyköping",
                                                 "spoken": "Nyschöping", "lang": "sv", "kind": "text"})
    assert r.status_code == 303
    (entry,) = lexicon.list()
    assert (entry.written, entry.spoken, entry.lang, entry.kind) == ("Nyköping", "Nyschöping", "sv", "text")
    page = admin_client.get("/admin/lexicon").text
    assert "Lade till" in page and "Nyschöping" in page
    assert "/admin/lexicon/preview.mp3?text=Nyk%C3%B6ping&amp;lang=sv" in page

    edit = admin_client.get(f"/admin/lexicon/{entry.id}")
    assert edit.status_code == 200 and 'value="Nyschöping"' in edit.text
    r = admin_client.post(f"/admin/lexicon/{entry.id}", data={
        "csrf_token": admin_client.csrf, "written": "Nyköping", "spoken": "Nyschööping", "lang": "sv",
        "kind": "text", "case_sensitive": "1"})
    assert r.status_code == 303
    updated = lexicon.get(entry.id)
    assert updated.spoken == "Nyschööping" and updated.case_sensitive

    # How it will be said now, and the audio of it.
    preview = admin_client.get("/admin/lexicon/preview?text=Till%20Nyk%C3%B6ping")
    assert "Till Nyschööping" in preview.text
    mp3 = admin_client.get("/admin/lexicon/preview.mp3?text=Nyk%C3%B6ping&lang=sv")
    assert mp3.status_code == 200 and mp3.mimetype == "audio/mpeg"
    _samples, _rate, duration_ms = decode_mp3(mp3.data)
    assert duration_ms > 300

    r = admin_client.post(f"/admin/lexicon/{entry.id}/delete", data={"csrf_token": admin_client.csrf})
    assert r.status_code == 303 and lexicon.list() == []
    assert admin_client.get(f"/admin/lexicon/{entry.id}").status_code == 404


def test_an_invalid_entry_is_explained_and_nothing_is_saved(app, admin_client):
    r = admin_client.post("/admin/lexicon", data={"csrf_token": admin_client.csrf, "written": " ",
                                                 "spoken": "x", "lang": "sv"})
    assert r.status_code == 400 and 'role="alert"' in r.text
    assert app.extensions["lyssna"].services.lexicon.list() == []


def test_entries_are_escaped(app, admin_client):
    app.extensions["lyssna"].services.lexicon.add("R&D", '"><img src=x onerror=alert(1)>')
    page = admin_client.get("/admin/lexicon").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_preview_refuses_empty_or_huge_text(admin_client):
    assert admin_client.get("/admin/lexicon/preview.mp3?text=").status_code == 400
    assert admin_client.get("/admin/lexicon/preview.mp3?text=" + "a" * 501).status_code == 400


# -- pre-generation, pages, purging --------------------------------------------------------------


def run_batch(app, admin_client, form: dict) -> dict:
    r = admin_client.post("/admin/pregenerate", data={"csrf_token": admin_client.csrf, **form})
    assert r.status_code == 303, r.text
    batch_id = r.headers["Location"].rstrip("/").split("/")[-1]
    assert app.extensions["lyssna"].batches.wait(batch_id, timeout=300)
    page = admin_client.get(r.headers["Location"])
    assert page.status_code == 200
    status = admin_client.get(f"/admin/pregenerate/{batch_id}/status").get_json()
    assert status["finished"] and status["done"] == status["total"] and status["percent"] == 100
    status["page"] = page.text
    return status


def test_a_pre_generation_batch_over_fixture_pages_completes(app, admin_client, fixture_site):
    urls = [fixture_url(fixture_site, i) for i in range(3)]
    missing = f"{fixture_site}/finns-inte.html"
    status = run_batch(app, admin_client, {"urls": "\n".join(urls + [missing, "inte en adress"])})
    assert (status["total"], status["new"], status["unchanged"], status["failed"]) == (4, 3, 0, 1)
    assert status["sentences_synthesized"] > 10
    assert [f["url"] for f in status["failures"]] == [missing]
    assert missing in status["page"] and "Klart" in status["page"]

    # Re-running on unchanged pages synthesizes nothing.
    again = run_batch(app, admin_client, {"urls": "\n".join(urls)})
    assert (again["new"], again["unchanged"], again["sentences_synthesized"]) == (0, 3, 0)

    # The pages list shows them ready, with a player; the dashboard shows the failure and the runs.
    pages = admin_client.get("/admin/pages").text
    for url in urls:
        assert url in pages
    assert pages.count('class="status-ready"') == 3 and pages.count("<audio controls") == 3
    assert admin_client.get(f"/admin/pages?q={page_names()[1]}").text.count("<audio controls") == 1
    assert admin_client.get("/admin/pages?status=failed").text.count("<audio controls") == 0
    dashboard = admin_client.get("/admin/").text
    assert missing in dashboard and "3 / 3" in dashboard and "3 / 4" not in dashboard


def test_pre_generation_from_a_sitemap(tmp_path, fixture_site, admin_client_for_sitemap):
    client, app, sitemap_url, urls = admin_client_for_sitemap
    status = run_batch(app, client, {"sitemap": sitemap_url})
    assert status["total"] == len(urls) and status["new"] == len(urls) and status["failed"] == 0
    assert status["label"] == sitemap_url


@pytest.fixture
def admin_client_for_sitemap(tmp_path, fixture_site):
    """A second loopback site serving only a sitemap that lists two fixture pages."""
    urls = [fixture_url(fixture_site, i) for i in (3, 4)]
    root = tmp_path / "sitemap-site"
    root.mkdir()
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>", encoding="utf-8")
    server, origin = serve_directory(root)
    app = wire(create_app({"TESTING": True, "SITES": [fixture_site, origin], "ADMIN_PASSWORD": PASSWORD,
                           "CACHE_DIR": str(tmp_path / "cache")}))
    client = app.test_client()
    login(client)
    client.csrf = token_of(client.get("/admin/").text)
    yield client, app, f"{origin}/sitemap.xml", urls
    server.shutdown()
    server.server_close()


def test_a_sitemap_that_cannot_be_read_is_explained(admin_client):
    r = admin_client.post("/admin/pregenerate", data={"csrf_token": admin_client.csrf,
                                                      "sitemap": "https://inte-tillaten.example/sitemap.xml"})
    assert r.status_code in (403, 400) and 'role="alert"' in r.text
    r = admin_client.post("/admin/pregenerate", data={"csrf_token": admin_client.csrf, "urls": ""})
    assert r.status_code == 400


def test_a_page_whose_text_changed_is_listed_once_with_its_older_versions_counted(app, admin_client):
    from service.models import Block, Document

    ly = app.extensions["lyssna"]
    engine = ly.services.engine_for("espeak")
    url = "https://www.example.se/nyheter/sida"
    for text in ("Första versionen av sidan.", "Andra versionen av sidan, efter en ändring."):
        doc = Document(url, "Sidan", "sv", [Block("paragraph", text, "sv", "main > p")])
        ly.services.readings.create_now(doc, engine, None, 1.0)
    page = admin_client.get("/admin/pages?q=example.se").text
    assert page.count("<audio controls") == 1 and "1 äldre version" in page
    newest = ly.services.store.for_url(url)[0].id
    assert f"/audio/{newest}.mp3" in page  # the row plays the current text


def test_pre_generation_with_the_players_selectors_makes_the_audio_a_visitor_asks_for(app, admin_client,
                                                                                      fixture_site):
    url = fixture_url(fixture_site, 0)
    bad = admin_client.post("/admin/pregenerate", data={"csrf_token": admin_client.csrf, "urls": url,
                                                        "content": "main[["})
    assert bad.status_code == 400 and "Ogiltig CSS-väljare i content" in bad.text  # nothing queued
    assert app.extensions["lyssna"].services.store.for_url(url) == []

    status = run_batch(app, admin_client, {"urls": url, "skip": "h1"})
    assert status["new"] == 1 and status["options"] == {"skip": "h1"}
    assert "hoppar över <code>h1</code>" in status["page"]
    # The visitor's player sends the same data-skip: the audio is already there, first click.
    r = app.test_client().post("/api/v1/readings", json={"url": url, "skip": "h1"})
    assert r.status_code == 200 and r.get_json()["status"] == "ready"
    assert r.get_json()["blocks"][0]["kind"] != "heading"
    # "Regenerate" in the pages list reads the page the same way again.
    again = admin_client.post("/admin/pages/regenerate", data={"csrf_token": admin_client.csrf, "url": url})
    batch_id = again.headers["Location"].split("/")[-1]
    assert app.extensions["lyssna"].batches.wait(batch_id, timeout=120)
    assert admin_client.get(f"/admin/pregenerate/{batch_id}/status").get_json()["unchanged"] == 1


def test_regenerate_delete_and_purge_from_the_pages_list(app, admin_client, fixture_site):
    url = fixture_url(fixture_site, 5)
    run_batch(app, admin_client, {"urls": url})
    r = admin_client.post("/admin/pages/regenerate", data={"csrf_token": admin_client.csrf, "url": url})
    assert r.status_code == 303
    batch_id = r.headers["Location"].split("/")[-1]
    assert app.extensions["lyssna"].batches.wait(batch_id, timeout=120)
    assert admin_client.get(f"/admin/pregenerate/{batch_id}/status").get_json()["unchanged"] == 1

    r = admin_client.post("/admin/pages/delete", data={"csrf_token": admin_client.csrf, "url": url})
    assert r.status_code == 303
    assert "1 uppläsning av" in admin_client.get("/admin/pages").text  # the flash message, in the singular
    assert app.extensions["lyssna"].services.store.for_url(url) == []

    run_batch(app, admin_client, {"urls": url})
    assert app.extensions["lyssna"].services.readings.cache_stats()["entries"] == 1
    r = admin_client.post("/admin/cache/purge", data={"csrf_token": admin_client.csrf})  # not confirmed
    assert r.status_code == 303 and app.extensions["lyssna"].services.readings.cache_stats()["entries"] == 1
    r = admin_client.post("/admin/cache/purge", data={"csrf_token": admin_client.csrf, "confirm": "yes"})
    assert r.status_code == 303
    stats = app.extensions["lyssna"].services.readings.cache_stats()
    assert stats["entries"] == 0 and stats["readings"] == 0
    assert "Cachen tömdes" in admin_client.get("/admin/pages").text


def test_an_unknown_batch_is_404(admin_client):
    assert admin_client.get(f"/admin/pregenerate/{NOT_A_BATCH}").status_code == 404
    assert admin_client.get("/admin/pregenerate/..%2f..%2fetc").status_code == 404


# -- the activity log ----------------------------------------------------------------------------


def test_activity_totals_recent_and_per_hour(tmp_path):
    activity = Activity(tmp_path / "activity.sqlite3")
    assert activity.totals()["hit_ratio"] is None
    assert [n for _, n in activity.per_hour(24)] == [0] * 24
    activity.record("generated", url="http://x/1", reading_id="ab" * 8, audio_ms=60_000, sentences=12)
    activity.record("failed", url="http://x/2", error="Sidan finns inte.")
    activity.record("hit")
    activity.record("miss")
    totals = activity.totals()
    assert (totals["generated"], totals["failed"], totals["audio_ms"], totals["sentences"]) == (1, 1, 60_000, 12)
    assert totals["hit_ratio"] == 0.5
    assert [e.url for e in activity.recent("failed")] == ["http://x/2"]
    assert [e.kind for e in activity.recent()] == ["miss", "hit", "failed", "generated"]
    assert [e.kind for e in activity.recent(("failed", "generated"), limit=1)] == ["failed"]
    hours = activity.per_hour(24)
    assert len(hours) == 24 and hours[-1][1] == 1 and sum(n for _, n in hours) == 1
    # Durable: a new object on the same file (a restarted service) sees the same.
    assert Activity(tmp_path / "activity.sqlite3").totals() == totals


def _record_many(path: str, n: int) -> None:
    activity = Activity(path)
    for i in range(n):
        activity.record("generated", url=f"http://x/{i}", audio_ms=1000, sentences=1)


def test_activity_is_safe_across_threads_and_processes(tmp_path):
    path = str(tmp_path / "activity.sqlite3")
    Activity(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_record_many, args=(path, 40)) for _ in range(2)]
    threads = [threading.Thread(target=_record_many, args=(path, 40)) for _ in range(3)]
    for w in procs + threads:
        w.start()
    for w in procs + threads:
        w.join(120)
    assert all(p.exitcode == 0 for p in procs)
    totals = Activity(path).totals()
    assert totals["generated"] == 200 and totals["audio_ms"] == 200_000
