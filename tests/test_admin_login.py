"""Admin login that holds (issue 12): any password string, set through the environment, works in the
form and in the Bearer header.

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
