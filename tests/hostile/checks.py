"""Escape checks: what must hold after a case besides its statuses. Each returns a callable that
takes the finished `client.Run` and raises AssertionError; its name says what it checks.

Checks about the outside world (a site's hits, lookups and connections, the namespace's sniffers)
ask the runner's `env`, which took its snapshot before the case's first request.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from .client import Response, Run, reading_text
from .model import OK, Req


def _named(name: str, fn):
    fn.__name__ = fn.__qualname__ = name
    return fn


def _readings(run: Run) -> list[Response]:
    return [r for r in run.responses if r.status in OK and isinstance(r.json, dict) and "id" in r.json]


def hears(marker: str | None, *forbidden: str):
    """Every reading this case was answered with says `marker` (when given) and none of `forbidden`."""
    def check(run: Run) -> None:
        for response in _readings(run):
            text = reading_text(run.reading(response))
            if marker is not None:
                assert marker in text, f"the reading should say {marker!r}: {text[:300]!r}"
            for word in forbidden:
                assert word not in text, f"the reading says {word!r}: {text[:300]!r}"
    return _named(f"hears({marker!r}, not {forbidden!r})", check)


def visitor_hears(url: str, marker: str | None = None, *forbidden: str, status: tuple[int, ...] = OK):
    """A later visitor asking only for `url` gets `status`; a reading says `marker`, never `forbidden`."""
    def check(run: Run) -> None:
        response = run.send(Req("POST", "/api/v1/readings", json={"url": url}, peer="fresh", cookies=None),
                            record=False)
        assert response.status in status, f"a visitor of {url}: expected {status}, got {response.brief()}"
        if response.status in OK:
            text = reading_text(run.reading(response))
            if marker is not None:
                assert marker in text, f"a visitor of {url} should hear {marker!r}: {text[:300]!r}"
            for word in forbidden:
                assert word not in text, f"a visitor of {url} hears {word!r}: {text[:300]!r}"
        else:
            assert not any(word in response.text for word in forbidden), response.brief()
    return _named(f"visitor_hears({url!r}, {marker!r})", check)


def listener_sees_not(url: str, *forbidden: str):
    """The no-JavaScript listen page of `url` shows none of `forbidden`."""
    def check(run: Run) -> None:
        response = run.send(Req("GET", "/listen", query={"url": url}, peer="fresh", cookies=None), record=False)
        assert response.status != 500, response.brief()
        for word in forbidden:
            assert word not in response.text, f"/listen?url={url} shows {word!r}"
    return _named(f"listener_sees_not({url!r})", check)


def source_is(*sources: str):
    def check(run: Run) -> None:
        for response in _readings(run):
            assert run.reading(response).get("source") in sources, response.brief()
    return _named(f"source_is{sources}", check)


def ready():
    """Every reading answered becomes ready, not failed."""
    def check(run: Run) -> None:
        for response in _readings(run):
            reading = run.reading(response)
            assert reading["status"] == "ready", f"reading {reading['id']}: {reading.get('status')} {reading.get('error')}"
    return _named("ready", check)


def truncated():
    """The last reading, once ready, is cut at the limit and says so."""
    def check(run: Run) -> None:
        readings = _readings(run)
        assert readings, "no reading"
        reading = run.reading(readings[-1])
        assert reading.get("truncated") is True, f"not truncated: {reading.get('duration_ms')} ms"
    return _named("truncated", check)


def lacks(*needles: str):
    """No answer of the case (headers or body) contains any of `needles` (any case)."""
    def check(run: Run) -> None:
        for response in run.responses:
            seen = (" ".join(f"{k}: {v}" for k, v in response.headers) + response.text).lower()
            for needle in needles:
                assert needle.lower() not in seen, f"an answer contains {needle!r}: {response.brief()}"
    return _named(f"lacks{needles}", check)


_C0_AND_SPACE = "".join(map(chr, range(33)))


def location_same_origin():
    """Every redirect of the case goes to a path of the service itself: no line breaks or NUL in the
    header, and read the way a browser reads it (tabs dropped, backslash as slash) no other host."""
    def check(run: Run) -> None:
        for response in run.responses:
            location = response.header("Location")
            if location is None:
                continue
            assert not any(c in location for c in "\r\n\x00"), f"Location {location!r}"
            seen = location.replace("\t", "").replace("\\", "/").strip(_C0_AND_SPACE)
            parts = urlsplit(seen)
            own = (not parts.scheme and not parts.netloc) or \
                (parts.scheme == "http" and parts.netloc == run.runner.target.host)
            assert own and not seen.startswith("//"), f"Location {location!r} leaves the service"
    return _named("location_same_origin", check)


def location_has(text: str):
    def check(run: Run) -> None:
        location = run.last.header("Location") or ""
        assert text in location, f"Location {location!r} should contain {text!r}"
    return _named(f"location_has({text!r})", check)


def refused_as_logged_out():
    """The last answer treats the request as not logged in: 401, or a redirect to the login page."""
    def check(run: Run) -> None:
        response = run.last
        assert response.status == 401 or "/admin/login" in (response.header("Location") or ""), response.brief()
    return _named("refused_as_logged_out", check)


def batch_finishes(timeout: float = 60.0):
    """The admin batch the last answer redirected to runs to its end (so every fetch it makes is
    made before the escape checks look)."""
    def check(run: Run) -> None:
        location = run.last.header("Location") or ""
        assert "/admin/pregenerate/" in location, f"no batch: {run.last.brief()}"
        path = urlsplit(location).path + "/status"
        deadline = time.monotonic() + timeout
        while True:
            progress = run.send(Req("GET", path), record=False).json
            if progress.get("finished"):
                assert progress["done"] == progress["total"] > 0, progress
                return
            assert time.monotonic() < deadline, f"batch still running after {timeout:g} s: {progress}"
            time.sleep(0.1)
    return _named("batch_finishes", check)


def retry_after(low: int = 1, high: int = 24 * 3600):
    """The last 429 of the case says when to come back."""
    def check(run: Run) -> None:
        limited = [r for r in run.responses if r.status == 429]
        assert limited, "no 429"
        value = limited[-1].header("Retry-After")
        assert value is not None and value.strip().isdigit(), f"Retry-After {value!r}"
        assert low <= int(value) <= high, f"Retry-After {value}"
    return _named("retry_after", check)


def session_cookie(secure: bool):
    """The cookies the last answer (a login) sets are HttpOnly, and Secure exactly when asked."""
    def check(run: Run) -> None:
        cookies = run.last.all("Set-Cookie")
        assert cookies, f"no session cookie: {run.last.headers}"
        for cookie in cookies:
            flags = {part.strip().lower() for part in cookie.split(";")}
            assert "httponly" in flags, cookie
            assert ("secure" in flags) is secure, cookie
    return _named(f"session_cookie(secure={secure})", check)


def held_back_within(req: Req, attempts: int, allowed: tuple[int, ...], status: int = 429):
    """Sending `req` again and again (each from where `req.peer` says), `status` comes within
    `attempts`; it stops at the first one, so a back-off that slows answers does not slow the run."""
    def check(run: Run) -> None:
        for _ in range(attempts):
            response = run.send(req)
            if response.status == status:
                return
            assert response.status in allowed, response.brief()
        raise AssertionError(f"no {status} in {attempts} attempts")
    return _named(f"held_back_within({attempts})", check)


# -- the outside world: asked of the runner's env ---------------------------------------------------


def untouched(site: str):
    """The test site `site` got no request at all during the case."""
    def check(run: Run) -> None:
        hits = run.runner.env.hits_since(run, site)
        assert not hits, f"site {site} was asked for {hits}"
    return _named(f"untouched({site})", check)


def not_fetched(site: str, path: str):
    """The test site `site` was not asked for `path` during the case."""
    def check(run: Run) -> None:
        hits = [h for h in run.runner.env.hits_since(run, site) if h.split("?")[0] == path]
        assert not hits, f"{path} of site {site} was fetched {len(hits)} times"
    return _named(f"not_fetched({site}, {path!r})", check)


def no_egress():
    """No name was looked up and no connection made by the service while the case ran."""
    def check(run: Run) -> None:
        events = run.runner.env.egress_since(run)
        assert not events, f"the service reached out: {events}"
    return _named("no_egress", check)


def reaches_only(site: str):
    """Whatever the service looked up or connected to during the case was the test site `site`."""
    def check(run: Run) -> None:
        host, port = run.runner.env.address_of(site)
        strays = [e for e in run.runner.env.egress_since(run) if e[1] != host or e[2] not in (port, str(port))]
        assert not strays, f"the service reached beyond site {site}: {strays}"
    return _named(f"reaches_only({site})", check)


def no_escape():
    """Nothing the service sent reached an address other than the allowed site and the resolver."""
    def check(run: Run) -> None:
        escapes = run.runner.env.escapes_since(run)
        assert not escapes, f"ESCAPE: {escapes}"
    return _named("no_escape", check)


def reached_public():
    """The service did reach the public site during the case (the proof that fetching works here)."""
    def check(run: Run) -> None:
        assert run.runner.env.reached_since(run), "no connection to the public site was seen"
    return _named("reached_public", check)
