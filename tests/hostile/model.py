"""What a hostile case is: one or more requests, the answer each must get, and the escape checks
that must hold afterwards. Cases are plain data; `client.Runner` sends them.

Strings may name things only known when the test runs; `client.substitute` fills them in:
`@A@` / `@B@` / `@C@` the origins of the test sites (A allowed, B allowed and may post its own HTML,
C not allowed), `@AHOST@` ... their host:port, `@PUBLIC@` the service's LYSSNA_PUBLIC_URL,
`@DEMO@` the demo's address, `@PW@` the admin password, `@ID@` the id of the last reading answered.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NOTHING: Any = object()  # no JSON body (None is a JSON null)

OK = (200, 202)  # a reading: ready, or being made
BAD = (400,)
FORBIDDEN = (403,)
FETCH_FAILED = (502,)
TOO_LARGE = (413,)
LIMITED = (429,)
REDIRECT = (301, 302, 303, 307, 308)

Check = Callable[["Any"], None]  # called with a client.Run; raises AssertionError


@dataclass(frozen=True)
class Req:
    """One HTTP request. `peer` says who sends it: "case" (the case's own client address),
    "proxy" (the trusted reverse proxy) or "fresh" (a client never seen before)."""

    method: str = "GET"
    path: str = "/"
    query: dict | str | None = None  # a str is sent as it is (already percent-encoded)
    headers: tuple[tuple[str, str | bytes], ...] = ()
    json: Any = NOTHING
    body: bytes | str | None = None  # a raw body, sent as it is
    content_type: str | None = None
    form: dict | None = None  # urlencoded form; `csrf` adds the page's csrf_token
    csrf: bool = False
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length
    peer: str = "case"
    cookies: str | None = "jar"  # "jar": the case's cookies; None: none; a name: the cookies saved under it
    save_cookies: str | None = None  # keep the jar as it is after this request under this name


@dataclass(frozen=True)
class Step:
    req: Req
    status: tuple[int, ...]  # the statuses allowed
    error: tuple[str, ...] = ()  # error codes allowed when the answer is a JSON error
    checks: tuple[Check, ...] = ()  # run on this step's response (client.Run, last response)


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    steps: tuple[Step, ...]
    checks: tuple[Check, ...] = ()  # escape checks after all steps
    config: dict | None = None  # settings of a fresh app for this case alone (admin cases)
    why: str = ""

    def __repr__(self) -> str:  # short in a failure report: the id says which case
        return f"<Case {self.category}:{self.id}>"


def _codes(error: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if error is None:
        return ()
    return (error,) if isinstance(error, str) else tuple(error)


def _status(status: int | tuple[int, ...]) -> tuple[int, ...]:
    return (status,) if isinstance(status, int) else tuple(status)


def step(req: Req, status: int | tuple[int, ...], error: str | tuple[str, ...] | None = None,
         checks: tuple[Check, ...] = ()) -> Step:
    return Step(req, _status(status), _codes(error), tuple(checks))


def case(id: str, category: str, *steps: Step, checks: tuple[Check, ...] = (), config: dict | None = None,
         why: str = "") -> Case:
    return Case(id, category, tuple(steps), tuple(checks), config, why)


def one(id: str, category: str, req: Req, status: int | tuple[int, ...],
        error: str | tuple[str, ...] | None = None, checks: tuple[Check, ...] = (), **kw) -> Case:
    """A case of a single request."""
    return case(id, category, step(req, status, error), checks=checks, **kw)


def _headers(headers) -> tuple[tuple[str, str | bytes], ...]:
    if isinstance(headers, dict):
        return tuple(headers.items())
    return tuple(headers)


def api(headers=(), peer: str = "case", path: str = "/api/v1/readings", **body) -> Req:
    """POST a reading request (JSON)."""
    return Req("POST", path, headers=_headers(headers), json=body, peer=peer)


def post_json(path: str, data: Any, headers=(), **kw) -> Req:
    return Req("POST", path, headers=_headers(headers), json=data, **kw)


def post_raw(path: str, body: bytes | str, content_type: str | None = "application/json", headers=(),
             **kw) -> Req:
    return Req("POST", path, headers=_headers(headers), body=body, content_type=content_type, **kw)


def get(path: str, query: dict | str | None = None, headers=(), **kw) -> Req:
    return Req("GET", path, query=query, headers=_headers(headers), **kw)


def form(path: str, data: dict, headers=(), csrf: bool = True, **kw) -> Req:
    return Req("POST", path, headers=_headers(headers), form=data, csrf=csrf, **kw)


def restart(**settings) -> Req:
    """Not a request: the service is started again on the same cache directory with these settings."""
    return Req("RESTART", json=settings)


def bearer(token: str | bytes) -> tuple[tuple[str, str | bytes], ...]:
    if isinstance(token, bytes):
        return (("Authorization", b"Bearer " + token),)
    return (("Authorization", f"Bearer {token}"),)
