"""Sending the corpus to a real running service, byte for byte as written, and judging the answers.

Requests are written by hand on a plain socket (odd headers, raw bytes, chunked bodies and UTF-8
in a header all go out exactly as the case says); the answer is read with http.client. Every
request has a time limit, so a hang fails its case instead of the run. Each case gets a client
address of its own (127.20.x.y on loopback), so per-address limits and lockouts of one case never
decide another; "proxy" requests come from the trusted proxy's address.
"""
from __future__ import annotations

import functools
import http.client
import http.cookies
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .model import NOTHING, Case, Req

HANG_S = 30.0  # no answer within this long is a hang
READY_S = 90.0  # a reading must be ready (or failed) within this long
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(1)


def fresh_address() -> str:
    """A loopback client address no other case uses (127.20.0.1, 127.20.0.2, ...)."""
    n = next(_addresses)
    return f"127.{20 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}"


class Target:
    """Where the service listens. `open(source)` gives a connected socket."""

    host = "localhost"  # the Host header sent unless a case sends its own
    proxy: str | None = None  # the trusted proxy's address, if any

    def open(self, source: str | None) -> socket.socket:
        raise NotImplementedError


class LoopbackTarget(Target):
    def __init__(self, port: int, proxy: str | None = None):
        self.port, self.proxy = port, proxy
        self.host = f"127.0.0.1:{port}"

    def open(self, source: str | None) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=HANG_S,
                                        source_address=(source, 0) if source else None)


class UnixTarget(Target):
    """The service inside a network namespace, reached through a Unix socket on the file system."""

    def __init__(self, path: str, host: str):
        self.path, self.host = path, host

    def open(self, source: str | None) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(HANG_S)
        sock.connect(self.path)
        return sock


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @functools.cached_property
    def json(self) -> Any:
        if "json" not in (self.header("Content-Type") or ""):
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"<Response {self.brief()[:120]}>"

    def brief(self) -> str:
        return f"HTTP {self.status} {self.text[:300]!r}"


def substitute(value: Any, tokens: dict[str, str]) -> Any:
    """Fill the @NAME@ placeholders of a case in strings, bytes, lists and dicts."""
    if isinstance(value, str):
        for name, text in tokens.items():
            if name in value:
                value = value.replace(name, text)
        return value
    if isinstance(value, bytes):
        for name, text in tokens.items():
            value = value.replace(name.encode(), text.encode())
        return value
    if isinstance(value, dict):
        return {substitute(k, tokens): substitute(v, tokens) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(v, tokens) for v in value)
    return value


def _bytes(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _body(req: Req, tokens: dict[str, str], csrf: str | None) -> tuple[bytes | None, str | None]:
    if req.json is not NOTHING:
        return json.dumps(substitute(req.json, tokens)).encode("ascii"), req.content_type or "application/json"
    if req.form is not None:
        data = dict(substitute(req.form, tokens))
        if req.csrf and csrf:
            data.setdefault("csrf_token", csrf)
        return (urlencode(data, encoding="utf-8", errors="surrogatepass").encode("ascii"),
                req.content_type or "application/x-www-form-urlencoded")
    if req.body is not None:
        body = substitute(req.body, tokens)
        return _bytes(body) if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"), req.content_type
    return None, req.content_type


def encode_request(req: Req, host: str, tokens: dict[str, str], cookies: dict[str, str],
                   csrf: str | None) -> bytes:
    """The request exactly as it goes on the wire."""
    target = substitute(req.path, tokens)
    if isinstance(req.query, dict):
        target += "?" + urlencode(substitute(req.query, tokens), encoding="utf-8", errors="surrogatepass")
    elif req.query:
        target += "?" + substitute(req.query, tokens)
    body, ctype = _body(req, tokens, csrf)
    given = [(k, substitute(v, tokens)) for k, v in req.headers]
    names = {k.lower() for k, _ in given}
    head = []
    if "host" not in names:
        head.append(("Host", host))
    if ctype and "content-type" not in names:
        head.append(("Content-Type", ctype))
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        head.append(("Transfer-Encoding", "chunked") if req.chunked else ("Content-Length", str(len(body))))
    if cookies and "cookie" not in names:
        head.append(("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))
    head.append(("Connection", "close"))
    lines = [_bytes(f"{req.method} ") + _bytes(target) + b" HTTP/1.1"]
    lines += [_bytes(k) + b": " + _bytes(v) for k, v in head + given]
    wire = b"\r\n".join(lines) + b"\r\n\r\n"
    if body is not None:
        if req.chunked:
            chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
            wire += b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        else:
            wire += body
    return wire


def exchange(target: Target, source: str | None, wire: bytes, method: str) -> Response:
    """Send the bytes and read the answer. The body is written from another thread, so a server
    that answers early (413) and closes is read, not mistaken for a broken connection."""
    started = time.monotonic()
    sock = target.open(source)
    try:
        def write() -> None:
            try:
                sock.sendall(wire)
            except OSError:
                pass  # the server closed early; its answer (if any) is read below

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
            body = response.read()
        except TimeoutError:
            raise AssertionError(f"hang: no answer within {HANG_S:g} s") from None
        writer.join(HANG_S)
        return Response(response.status, response.getheaders(), body, time.monotonic() - started)
    finally:
        sock.close()


@dataclass
class Run:
    """One case being run: its client address, cookies, the answers so far."""

    case: Case
    runner: "Runner"
    address: str | None
    responses: list[Response] = field(default_factory=list)
    jar: dict[str, str] = field(default_factory=dict)
    saved: dict[str, dict[str, str]] = field(default_factory=dict)
    csrf: str | None = None
    state: dict[str, Any] = field(default_factory=dict)  # what a target's checks remember per case

    def __repr__(self) -> str:
        return f"<Run of {self.case.id}: {[r.status for r in self.responses]}>"

    @property
    def last(self) -> Response:
        return self.responses[-1]

    def tokens(self) -> dict[str, str]:
        tokens = dict(self.runner.tokens)
        ids = [r.json["id"] for r in self.responses if isinstance(r.json, dict) and isinstance(r.json.get("id"), str)]
        if ids:
            tokens["@ID@"] = ids[-1]
        return tokens

    def send(self, req: Req, record: bool = True) -> Response:
        if req.method == "RESTART":  # the service starts again with other settings (a new password)
            self.runner.env.restart(req.json)
            self.responses.append(Response(200, [], b"", 0.0))
            return self.responses[-1]
        if req.peer == "proxy":
            source = self.runner.target.proxy
        elif req.peer == "fresh":
            source = self.runner.source()
        else:
            source = self.address
        cookies = self.jar if req.cookies == "jar" else self.saved.get(req.cookies, {}) if req.cookies else {}
        wire = encode_request(req, self.runner.target.host, self.tokens(), cookies, self.csrf)
        response = exchange(self.runner.target, source, wire, req.method)
        if response.seconds > HANG_S:
            raise AssertionError(f"hang: answered after {response.seconds:.1f} s")
        if req.cookies == "jar":
            self._keep_cookies(response)
        found = _CSRF.search(response.text) if "html" in (response.header("Content-Type") or "") else None
        if found:
            self.csrf = found.group(1)
        if req.save_cookies:
            self.saved[req.save_cookies] = dict(self.jar)
        if record:
            self.responses.append(response)
        return response

    def _keep_cookies(self, response: Response) -> None:
        for line in response.all("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value

    def reading(self, response: Response) -> dict:
        """The reading a response answered with, once it is ready (or failed)."""
        reading = response.json
        assert isinstance(reading, dict) and "id" in reading, f"not a reading: {response.brief()}"
        deadline = time.monotonic() + READY_S
        while reading.get("status") == "generating":
            if time.monotonic() > deadline:
                raise AssertionError(f"reading {reading['id']} still generating after {READY_S:g} s")
            time.sleep(0.05)
            polled = self.send(Req("GET", f"/api/v1/readings/{reading['id']}", peer="fresh", cookies=None),
                               record=False)
            assert polled.status == 200, polled.brief()
            reading = polled.json
        return reading


def reading_text(reading: dict) -> str:
    return "\n".join(s["text"] for b in reading.get("blocks", []) for s in b["sentences"])


class Runner:
    """Runs cases against one target. `tokens` fill the cases' placeholders; `env` is what the
    escape checks look at (the test sites, the egress log, the namespace's sniffers): its
    `before(run)` takes the snapshots they compare with."""

    def __init__(self, target: Target, tokens: dict[str, str], env: Any = None):
        self.target, self.tokens, self.env = target, tokens, env

    def source(self) -> str | None:
        return fresh_address() if isinstance(self.target, LoopbackTarget) else None

    def run(self, case: Case) -> Run:
        run = Run(case, self, self.source())
        if self.env is not None:
            self.env.before(run)
        for number, step in enumerate(case.steps, 1):
            response = run.send(step.req)
            where = f"{case.id} step {number} ({step.req.method} {step.req.path})"
            assert response.status in step.status, (
                f"{where}: expected {step.status}, got {response.brief()}")
            error = response.json.get("error") if isinstance(response.json, dict) else None
            if step.error and error is not None:
                assert error in step.error, f"{where}: error {error!r}, expected one of {step.error}"
            for check in step.checks:
                check(run)
        for check in case.checks:
            check(run)
        return run
