"""No input breaks the service (issue 12, item 6): every route answers bad input with the right
4xx and a message in Swedish and English (JSON on the API, a page on the pages), never a 5xx.

The cases are the kinds an attack run found answered with a traceback: JSON nested too deep for
the parser, URLs that urlsplit refuses, lone surrogates ("\\ud800" in JSON) in every text field,
a language code with a trailing newline, ids too large for SQLite; and, per route, a table of bad
requests that a test keeps in step with the app's URL map. Real app, real loopback fixture site.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from service.store.files import valid_key

from .helpers import wait_ready

PASSWORD = "rätt häst batteri"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}
TOO_BIG_FOR_SQLITE = str(2**63)  # one more than SQLite's largest integer
HUGE = "9" * 30
DEEP = 100_000


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


@pytest.fixture
def page_url(fixture_site):
    return f"{fixture_site}/03-bibliotek-oppettider.html"


def bilingual(message: str) -> bool:
    """"<Swedish> / <English>", both parts there."""
    swedish, sep, english = message.partition(" / ")
    return bool(sep and swedish.strip() and english.strip())


def assert_json_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.mimetype == "application/json", r.data[:300]
    body = r.get_json()
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), body
    assert bilingual(body["message"]), body
    if code is not None:
        assert body["error"] == code, body
    return body


def assert_html_error(r, status: int) -> None:
    """A page (in Swedish, lang="sv") whose alert says what went wrong in Swedish and English; the
    admin's own pages speak one language at a time (Swedish unless the admin chose English)."""
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.mimetype == "text/html", r.data[:300]
    assert '<html lang="sv"' in r.text
    alert = re.search(r'role="alert"[^>]*>(.*?)</p>', r.text, re.S)
    assert alert, r.text[:500]
    if "– Lyssna admin</title>" in r.text:
        assert alert.group(1).strip() and not bilingual(alert.group(1)), r.text[:500]
    else:
        assert bilingual(alert.group(1)), r.text[:500]


def post_json(client, path: str, raw: str, headers: dict | None = None):
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


# -- JSON nested deeper than the parser can go ------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "[" * DEEP + "]" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP,
    '{"url": ' + "[" * DEEP + "]" * DEEP + "}",
    '{"url": "https://x.se/", "html": {"x": ' + "[{" * (DEEP // 2) + "}]" * (DEEP // 2) + "}}",
])
def test_json_nested_too_deep_is_a_400_not_a_recursion_error(client, raw):
    assert_json_error(post_json(client, "/api/v1/readings", raw), 400, "malformed")


@pytest.mark.parametrize("path", ["/api/v1/admin/lexicon", "/api/v1/admin/preview", "/api/v1/admin/pages"])
def test_admin_json_nested_too_deep_is_a_400(client, path):
    assert_json_error(post_json(client, path, "[" * DEEP + "]" * DEEP, AUTH), 400, "malformed")


def test_json_that_is_deep_but_parseable_is_just_not_a_request(client):
    assert_json_error(post_json(client, "/api/v1/readings", "[" * 500 + "]" * 500), 400, "malformed")


# -- URLs urlsplit refuses ---------------------------------------------------------------------------

BAD_URLS = [
    "http://[::1",  # an IPv6 literal never closed
    "http://a[b]@x/",  # brackets in the user info
    "http://[zz]/",  # brackets around what is no IPv6 address
    "http://[[::1]/",
    "http://x]/",
    "http://u@[::1/",
    "http://[::ffff:1.2.3]/",
    "http://[]/",
    "http://x.se:99999/",  # a port out of range
    "http://x.se:port/",  # a port that is no number
    "http://x.se:+80/",
    "http://[::1]:80:80/",
    "http://[::1]:-1/",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_urlsplit_refuses_is_bad_url(client, url):
    assert_json_error(post_json(client, "/api/v1/readings", json.dumps({"url": url})), 400, "bad_url")


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_urlsplit_refuses_is_a_400_page_on_listen(client, url):
    assert_html_error(client.get("/listen", query_string={"url": url}), 400)


@pytest.mark.parametrize("url", BAD_URLS[:3])
def test_the_admin_api_refuses_such_a_url_too(client, url):
    r = post_json(client, "/api/v1/admin/pages", json.dumps({"url": url}), AUTH)
    assert_json_error(r, 400, "bad_url")


# -- lone surrogates --------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [
    ("url", "https://www.example.se/\ud800"),
    ("url", "@PAGE@?q=\udfff"),
    ("url", "@PAGE@\udc80"),
    ("url", "http://\ud800.se/"),
    ("content", "main\ud800"),
    ("skip", "\udfff"),
    ("voice", "espeak:\ud800"),
    ("text", "Öppettider \ud800"),
    ("lang", "sv\udc00"),
])
def test_a_lone_surrogate_in_a_field_is_a_400_naming_the_field(client, page_url, field, value):
    body = {"url": page_url, **({"text": "Öppettider"} if field == "lang" else {}),
            field: value.replace("@PAGE@", page_url)}
    r = post_json(client, "/api/v1/readings", json.dumps(body))  # json.dumps writes "\ud800"
    err = assert_json_error(r, 400, "bad_url" if field == "url" else "malformed")
    assert f"Fältet {field}" in err["message"] and f"field {field}" in err["message"]


def test_a_lone_surrogate_in_a_listen_parameter_cannot_arrive(client, page_url):
    """Query strings are bytes: invalid UTF-8 ("%ED%A0%80") is decoded as U+FFFD, never a surrogate."""
    r = client.get("/listen?url=%ED%A0%80")
    assert_html_error(r, 400)
    r = client.get(f"/listen?url={page_url}&content=%ED%A0%80")
    assert r.status_code in (200, 400) and r.mimetype == "text/html"


def test_html_with_lone_surrogates_is_read_with_replacement_characters(app, client, fixture_site):
    """A page that sends itself (JSON.stringify writes a lone surrogate as "\\ud800") is read;
    what cannot be a character becomes U+FFFD, as a browser decodes broken text."""
    app.config["POSTED_HTML_SITES"] = [fixture_site]
    html = "<html lang='sv'><body><main><h1>Öppettider \ud800</h1><p>Vi har öppet \udfff måndag till fredag.</p>" \
           "</main></body></html>"
    r = post_json(client, "/api/v1/readings", json.dumps({"url": f"{fixture_site}/intranat.html", "html": html}))
    assert r.status_code == 202, r.data
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["status"] == "ready" and reading["source"] == "sent"
    texts = [s["text"] for b in reading["blocks"] for s in b["sentences"]]
    assert any("måndag till fredag" in t for t in texts)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for t in texts for c in t)


@pytest.mark.parametrize("entry", [
    {"written": "Nyk\ud800ping", "spoken": "Nyschöping"},
    {"written": "Nyköping", "spoken": "Nysch\udfffping"},
    {"written": "Nyköping", "spoken": "Nyschöping", "lang": "sv\ud800"},
])
def test_a_lone_surrogate_in_a_lexicon_entry_is_a_400(client, entry):
    r = post_json(client, "/api/v1/admin/lexicon", json.dumps(entry), AUTH)
    assert_json_error(r, 400, "invalid_entry")


@pytest.mark.parametrize("body", [
    {"text": "hej \ud800"},
    {"text": "\udfff"},
    {"text": "hej", "lang": "sv\ud800"},
    {"text": "hej", "lang": 5},
    {"text": "hej", "lang": ["sv"]},
    {"text": "hej", "lang": "sv\n"},
])
@pytest.mark.parametrize("audio", ["", "?audio=1"])
def test_the_preview_refuses_what_it_cannot_say(client, body, audio):
    r = post_json(client, "/api/v1/admin/preview" + audio, json.dumps(body), AUTH)
    assert_json_error(r, 400, "malformed")


# -- validating patterns match the whole value (no "$" before a trailing newline) -----------------------


@pytest.mark.parametrize("lang", ["sv\n", "en-GB\n", "sv\nen", "\nsv"])
def test_a_newline_in_lang_is_refused(client, page_url, lang):
    r = post_json(client, "/api/v1/readings", json.dumps({"url": page_url, "text": "Öppettider", "lang": lang}))
    assert_json_error(r, 400, "malformed")


def test_a_plain_lang_is_still_accepted(client, page_url):
    r = post_json(client, "/api/v1/readings", json.dumps({"url": page_url, "text": "Öppettider", "lang": "sv"}))
    assert r.status_code != 400, r.data


def test_a_reading_id_with_a_trailing_newline_is_no_key(client):
    key = "0123456789abcdef" * 2
    assert valid_key(key) and not valid_key(key + "\n")
    assert_json_error(client.get(f"/api/v1/readings/{key}%0A"), 404, "not_found")
    assert_json_error(client.get(f"/audio/{key}%0A.mp3"), 404, "not_found")


# -- ids larger than SQLite's integers -------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", [TOO_BIG_FOR_SQLITE, HUGE, "0"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_entry_id_too_large_for_sqlite_is_404(client, entry_id, method):
    r = getattr(client, method)(f"/api/v1/admin/lexicon/{entry_id}", headers=AUTH,
                                json={"written": "Nyköping", "spoken": "Nyschöping"})
    assert_json_error(r, 404, "not_found")


# -- every route: bad input gets the right 4xx and a message in Swedish and English ------------------


@dataclass
class Probe:
    """One bad request to one route and what it must get."""

    method: str
    path: str
    status: int
    kind: str  # "json" or "html" (errors); the media type of a 2xx answer
    kwargs: dict = field(default_factory=dict)
    admin: bool = False  # sent with an admin session (UI) or bearer token (API)
    csrf: bool = True  # an admin form post carries the session's CSRF token

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path[:60]}"


def _form(**fields) -> dict:
    return {"data": fields}


PROBES = [
    Probe("get", "/?url=%00", 200, "text/plain"),
    Probe("post", "/", 405, "html"),
    Probe("get", "/demo/", 404, "html"),  # the demo is off while LYSSNA_SITES lists sites
    Probe("get", "/widget.js?v=%00", 200, "text/javascript"),
    Probe("post", "/widget.js", 405, "html"),
    Probe("get", "/metrics", 404, "html"),  # no /metrics unless LYSSNA_METRICS is set
    Probe("post", "/metrics", 405, "html"),
    Probe("get", "/healthz?verbose=[", 200, "json"),
    Probe("post", "/healthz", 405, "json"),
    Probe("get", "/listen", 400, "html"),
    Probe("get", "/listen?url=javascript:alert(1)", 400, "html"),
    Probe("get", "/listen?url=https://www.example.se/", 403, "html"),
    Probe("get", "/listen?url=https://www.example.se/&t=fem", 400, "html"),
    Probe("post", "/listen", 405, "html"),
    Probe("get", "/listen.js?v=%00", 200, "text/javascript"),
    Probe("post", "/listen.js", 405, "html"),
    Probe("post", "/api/v1/readings", 400, "json", {"data": "{not json"}),
    Probe("post", "/api/v1/readings", 400, "json", {"json": {"url": "http://[::1"}}),
    Probe("post", "/api/v1/readings", 400, "json", {"json": {"url": "https://x.se/", "rate": "fort"}}),
    Probe("get", "/api/v1/readings", 405, "json"),
    Probe("get", "/api/v1/readings/..%2f..%2fetc%2fpasswd", 404, "json"),
    Probe("get", "/api/v1/readings/" + "a" * 5000, 404, "json"),
    Probe("get", "/api/v1/voices?engine=%00", 200, "json"),
    Probe("post", "/api/v1/voices", 405, "json"),
    Probe("get", "/api/v1/openapi.json?x=]", 200, "json"),
    Probe("post", "/api/v1/openapi.json", 405, "json"),
    Probe("get", "/audio/" + "0" * 32 + ".mp3", 404, "json"),
    Probe("get", "/audio/%00.mp3", 404, "json"),
    Probe("get", "/static/../service/config.py", 404, "html"),
    Probe("get", "/no/such/page", 404, "html"),
    Probe("get", "/api/v1/no/such/thing", 404, "json"),
    # The admin API.
    Probe("get", "/api/v1/admin/lexicon", 401, "json"),
    Probe("get", "/api/v1/admin/lexicon?lang=sv%0A&q=%00", 200, "json", admin=True),
    Probe("post", "/api/v1/admin/lexicon", 400, "json", {"json": {"written": "", "spoken": "x"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon", 400, "json", {"json": {"written": "x", "spoken": "y", "lang": "sv-\n"}},
          admin=True),
    Probe("post", "/api/v1/admin/lexicon", 400, "json", {"json": {"written": "x", "spoken": "y", "kind": 3}},
          admin=True),
    Probe("get", f"/api/v1/admin/lexicon/{HUGE}", 404, "json", admin=True),
    Probe("put", f"/api/v1/admin/lexicon/{TOO_BIG_FOR_SQLITE}", 404, "json", {"json": {"written": "a", "spoken": "b"}},
          admin=True),
    Probe("patch", "/api/v1/admin/lexicon/1", 400, "json", {"data": "[]", "content_type": "application/json"},
          admin=True),
    Probe("delete", f"/api/v1/admin/lexicon/{HUGE}", 404, "json", admin=True),
    Probe("get", "/api/v1/admin/lexicon/export?format=xlsx", 400, "json", admin=True),
    Probe("post", "/api/v1/admin/lexicon", 422, "json",
          {"json": {"written": "Nyköping", "spoken": "n'y:Q0", "kind": "phonemes"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon", 400, "json",
          {"json": {"written": "x", "spoken": "y", "match": "all"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon/preview", 401, "json", {"json": {"written": "x", "spoken": "y"}}),
    Probe("post", "/api/v1/admin/lexicon/preview", 400, "json", {"json": {"written": "x"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon/preview", 400, "json",
          {"json": {"written": "ab", "spoken": "[[x]]", "kind": "phonemes"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon/sample", 422, "json",
          {"json": {"written": "ab", "spoken": "a#%ö", "kind": "phonemes"}}, admin=True),
    Probe("post", "/api/v1/admin/lexicon/sample", 400, "json",
          {"data": "[]", "content_type": "application/json"}, admin=True),
    Probe("get", "/api/v1/admin/lexicon/sample", 405, "json", admin=True),
    Probe("post", "/api/v1/admin/lexicon/import?format=pls", 400, "json",
          {"data": '<!DOCTYPE l [<!ENTITY x "y">]><lexicon>&x;</lexicon>', "content_type": "application/xml"},
          admin=True),
    Probe("post", "/api/v1/admin/lexicon/import?dry_run=kanske", 400, "json", {"data": "written,spoken\n"},
          admin=True),
    Probe("post", "/api/v1/admin/preview", 400, "json", {"json": {"text": "x" * 501}}, admin=True),
    Probe("post", "/api/v1/admin/pages", 400, "json", {"json": {"url": "http://a[b]@x/"}}, admin=True),
    Probe("get", "/api/v1/admin/pages", 400, "json", admin=True),
    Probe("delete", "/api/v1/admin/pages", 400, "json", admin=True),
    Probe("get", "/api/v1/admin/cache", 401, "json", {"headers": {"Authorization": "Basic eA=="}}),
    Probe("delete", "/api/v1/admin/cache?confirm=ja", 400, "json", admin=True),
    # The admin UI (logged in; every form with its CSRF token).
    Probe("get", "/admin/login", 200, "html"),
    Probe("post", "/admin/login", 400, "html", _form(password="x")),
    Probe("post", "/admin/logout", 400, "html", admin=True, csrf=False),
    Probe("post", "/admin/language", 400, "html", _form(lang="fi"), admin=True),
    Probe("post", "/admin/language", 400, "html", _form(lang="en"), admin=True, csrf=False),
    Probe("get", "/admin/?x=%00", 200, "html", admin=True),
    Probe("get", "/admin/settings?x=[", 200, "html", admin=True),
    Probe("get", "/admin/static/no-such-file.js", 404, "html", admin=True),
    Probe("post", "/admin/cache/purge", 400, "html", _form(confirm="yes"), admin=True, csrf=False),
    Probe("get", "/admin/lexicon?q=" + "x" * 5000, 200, "html", admin=True),
    Probe("post", "/admin/lexicon", 400, "html", _form(written="", spoken=""), admin=True),
    Probe("get", f"/admin/lexicon/{HUGE}", 404, "html", admin=True),
    Probe("post", f"/admin/lexicon/{TOO_BIG_FOR_SQLITE}", 404, "html", _form(written="a", spoken="b"), admin=True),
    Probe("post", f"/admin/lexicon/{HUGE}/delete", 404, "html", _form(), admin=True),
    Probe("get", "/admin/lexicon/preview?text=", 400, "html", admin=True),
    Probe("get", "/admin/lexicon/export?format=%00", 400, "html", admin=True),
    Probe("post", "/admin/lexicon/import", 400, "html", _form(), admin=True),
    Probe("post", "/admin/lexicon/import", 400, "html", _form(upload="no-such-upload"), admin=True),
    Probe("get", "/admin/lexicon/preview.mp3?text=" + "a" * 501, 400, "html", admin=True),
    Probe("get", "/admin/lexicon/sample.mp3?written=x&spoken=q0&kind=phonemes", 422, "html", admin=True),
    Probe("get", "/admin/lexicon/sample.mp3?written=&spoken=y", 400, "html", admin=True),
    Probe("get", "/admin/lexicon/sample.mp3?written=x&spoken=y&match=%00", 400, "html", admin=True),
    Probe("post", "/admin/lexicon", 422, "html",
          _form(written="ab", spoken="a0", kind="phonemes", action="hear"), admin=True),
    Probe("post", "/admin/lexicon", 400, "html",
          _form(written="ab", spoken="b", match="nonsense", action="preview"), admin=True),
    Probe("get", "/admin/lexicon?change=..%2fx", 200, "html", admin=True),
    Probe("get", "/admin/lexicon/1?change=" + "0" * 16, 404, "html", admin=True),
    Probe("get", "/admin/pages?status=nonsense&q=%00", 200, "html", admin=True),
    Probe("post", "/admin/pages/delete", 400, "html", _form(url="http://[::1"), admin=True),
    Probe("post", "/admin/pages/regenerate", 400, "html", _form(url="http://a[b]@x/"), admin=True),
    Probe("get", "/admin/pregenerate", 200, "html", admin=True),
    Probe("post", "/admin/pregenerate", 400, "html", _form(sitemap="http://[::1"), admin=True),
    Probe("post", "/admin/pregenerate", 400, "html", _form(urls="", sitemap=""), admin=True),
    Probe("get", "/admin/pregenerate/..%2f..%2fetc", 404, "html", admin=True),
    Probe("get", "/admin/pregenerate/" + "f" * 5000 + "/status", 404, "html", admin=True),
]


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def admin_session(app):
    client = app.test_client()
    page = client.get("/admin/login")
    r = client.post("/admin/login", data={"password": PASSWORD, "csrf_token": _token(page.text)})
    assert r.status_code == 302
    client.csrf = _token(client.get("/admin/").text)
    return client


def test_the_probes_cover_every_route(app):
    """A route added later gets a bad-input probe here, or this fails."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for probe in PROBES:
        try:
            endpoint, _ = adapter.match(probe.path.split("?")[0], method=probe.method.upper())
        except Exception:  # noqa: BLE001 - 404 / 405 probes match nothing, or another method
            continue
        covered.add((endpoint, probe.method.upper()))
    wanted = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint != "static"}
    assert wanted - covered == set()


@pytest.mark.parametrize("probe", PROBES, ids=str)
def test_every_route_answers_bad_input_with_a_4xx_in_swedish_and_english(client, admin_session, probe):
    kwargs = dict(probe.kwargs)
    who = client
    if probe.admin and probe.path.startswith("/admin"):
        who = admin_session
        if probe.method == "post" and probe.csrf:
            kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": admin_session.csrf}
    elif probe.admin:
        kwargs["headers"] = {**kwargs.get("headers", {}), **AUTH}
    r = getattr(who, probe.method)(probe.path, **kwargs)
    if probe.status < 400:
        media = {"html": "text/html", "json": "application/json"}.get(probe.kind, probe.kind)
        assert (r.status_code, r.mimetype) == (probe.status, media), r.data[:300]
    elif probe.kind == "json":
        assert_json_error(r, probe.status)
    else:
        assert_html_error(r, probe.status)


def test_a_405_names_the_allowed_methods(client):
    r = client.get("/api/v1/readings")
    assert r.status_code == 405 and set(r.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}
