"""Admin login that holds (issue 12): any password string, set through the environment, works in the
form and in the Bearer header; cookies are Secure behind a trusted TLS proxy only; `next=` leads
only to this service's admin.

Real app, real HTTP where it matters (a header's raw bytes); nothing of ours is mocked.
"""
from __future__ import annotations

import http.client
import unicodedata
from urllib.parse import urlsplit

import pytest

from service import create_app

from .test_admin_ui import token_of

PASSWORD = "rätt häst voilà"  # "à" is UTF-8 c3 a0: a latin-1 reading ends in a no-break space


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


def wsgi_bearer(password: str) -> dict:
    """The Authorization header as a WSGI server hands over what curl sent: UTF-8 bytes, each one
    a latin-1 character."""
    return {"Authorization": "Bearer " + password.encode("utf-8").decode("latin-1")}


def form_login(client, password: str, next_path: str | None = None, **kw):
    page = client.get("/admin/login", **kw)
    data = {"password": password, "csrf_token": token_of(page.text)}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/admin/login", data=data, **kw)


@pytest.fixture
def env_app(app_config, monkeypatch):
    """make(password) -> an app whose password comes from LYSSNA_ADMIN_PASSWORD, as in production."""
    def make(password: str):
        monkeypatch.setenv("LYSSNA_ADMIN_PASSWORD", password)
        return create_app({k: v for k, v in app_config.items() if k != "ADMIN_PASSWORD"})

    return make


# -- any password ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["1234", "0", "true", "false", "null", "[1]", "{}", "1e3", "-1.5"])
def test_a_password_that_looks_like_a_number_or_json_works(env_app, password):
    app = env_app(password)
    client = app.test_client()
    r = form_login(client, password)
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    api = app.test_client()
    assert api.get("/api/v1/admin/cache", headers={"Authorization": f"Bearer {password}"}).status_code == 200
    assert api.get("/api/v1/admin/cache", headers={"Authorization": "Bearer 12345"}).status_code == 401


PASSWORDS = [PASSWORD, "åäö", "blå Å", "Ärligt talat, ÅÄÖ!", "日本語のパスワード", "пароль", "🔑 nyckel 🗝️",
             "tab\tinuti", "ﬁ", "€100", "\u00e9t\u00e9"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_any_password_works_in_the_form_and_as_utf8_in_the_bearer_header(env_app, password):
    app = env_app(password)
    client = app.test_client()
    assert form_login(client, password).status_code == 302
    assert client.get("/admin/").status_code == 200
    api = app.test_client()
    assert api.get("/api/v1/admin/cache", headers=wsgi_bearer(password)).status_code == 200
    assert api.get("/api/v1/admin/cache", headers=wsgi_bearer(password + "x")).status_code == 401
    assert api.get("/api/v1/admin/cache", headers=wsgi_bearer(password[:-1])).status_code == 401


def test_a_password_in_another_unicode_normal_form_is_the_same_password(env_app):
    app = env_app(unicodedata.normalize("NFD", "Över ån"))  # as a file written on a Mac may hold it
    assert form_login(app.test_client(), "Över ån").status_code == 302  # as a browser sends it
    assert app.test_client().get("/api/v1/admin/cache", headers=wsgi_bearer("Över ån")).status_code == 200


def test_a_password_the_environment_could_not_decode_still_works(env_app):
    app = env_app(b"l\xf6senord".decode("utf-8", "surrogateescape"))  # a latin-1 "ö" in a UTF-8 locale
    client = app.test_client()
    assert form_login(client, "fel").status_code == 401  # not a 500
    raw = {"Authorization": "Bearer " + b"l\xf6senord".decode("latin-1")}  # the same bytes, sent
    assert client.get("/api/v1/admin/cache", headers=raw).status_code == 200


def test_a_utf8_bearer_password_over_real_http(live_app):
    """curl -H "Authorization: Bearer rätt häst voilà": the bytes on the wire are UTF-8."""
    host = urlsplit(live_app)

    def status(value: bytes) -> int:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        conn.putrequest("GET", "/api/v1/admin/cache")
        conn.putheader("Authorization", value)
        conn.endheaders()
        code = conn.getresponse().status
        conn.close()
        return code

    assert status(b"Bearer " + PASSWORD.encode("utf-8")) == 200
    assert status(b"Bearer " + PASSWORD.encode("latin-1")) == 200  # what Python's requests sends
    assert status(b"Bearer " + PASSWORD.encode("utf-8")[:-2]) == 401


# -- cookies behind a proxy ----------------------------------------------------------------------


def test_the_session_cookie_is_secure_behind_a_trusted_tls_proxy_only(app_config):
    app = create_app({**app_config, "TRUSTED_PROXIES": ["10.9.9.9"]})
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    proxied = app.test_client()
    r = form_login(proxied, PASSWORD, headers=forwarded, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]
    forged = app.test_client()
    r = form_login(forged, PASSWORD, headers=forwarded, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 302 and "Secure" not in r.headers["Set-Cookie"]


def test_under_a_path_prefix_the_cookie_and_next_stay_under_it(app):
    client = app.test_client()
    base = "https://lyssna.example.se/lyssna/"  # served under /lyssna (SCRIPT_NAME)
    r = form_login(client, PASSWORD, next_path="/admin/lexicon", base_url=base)
    assert r.status_code == 302 and r.headers["Location"] == "/lyssna/admin/lexicon"
    assert "Path=/lyssna/admin" in r.headers["Set-Cookie"]
    assert client.get("/admin/lexicon", base_url=base).status_code == 200


# -- next= ---------------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "https://evil.example/", "http:/evil.example", "HTTPS://evil.example", "javascript:alert(1)",
    "evil.example", "\r\nSet-Cookie: x=1", "/admin/\r\nSet-Cookie: x=1", "/admin/\nLocation: //evil",
    "%0d%0aSet-Cookie:x", "/admin/%0d%0aSet-Cookie:x", "/admin/%250d%250aSet-Cookie:x",
    "\t//evil.example", "/\t/evil.example", " //evil.example", "/admin/\t", "/admin@evil.example",
    "/admin.evil.example", "/adminevil", "/admin/../../evil", "/admin/%2e%2e/%2e%2e/evil",
    "/admin/..%2f..%2fevil", "/%2f%2fevil.example", "%2f%2fevil.example", "/%5cevil.example",
    "/admin/%5c%5cevil.example", "/admin\\..\\evil", "/admin/\x00", "/admin/\x7f", "/admin/\u0085",
    "/", "/demo/", "/api/v1/admin/cache", "",
]


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_next_leads_only_to_this_services_admin(app, value):
    client = app.test_client()
    page = client.get("/admin/login", query_string={"next": value})
    assert page.status_code == 200
    assert 'name="next" value=""' in page.text
    r = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token_of(page.text),
                                          "next": value})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
    r = client.get("/admin/login", query_string={"next": value})  # logged in already
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"


@pytest.mark.parametrize("value", ["/admin", "/admin/", "/admin/lexicon", "/admin/pages?q=k%C3%B6p&status=ready",
                                   "/admin/lexicon/3", "/admin/pregenerate#senast"])
def test_next_keeps_the_admins_own_pages(app, value):
    r = form_login(app.test_client(), PASSWORD, next_path=value)
    assert r.status_code == 302 and r.headers["Location"] == value


def test_a_page_address_with_cr_lf_leads_through_the_login_to_the_dashboard(app):
    client = app.test_client()
    r = client.get("/admin/pregenerate/%0d%0aSet-Cookie:%20x=1")  # a route that takes any name
    assert r.status_code == 302
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    r = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token_of(page.text),
                                          "next": "/admin/\r\nSet-Cookie: x=1"})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
