"""The shipped nginx front (deploy/nginx/lyssna.conf) in front of the real service.

Real nginx (Debian's package; missing it is a failure in CI), `lyssna serve` as a process, the
fixture pages on a real loopback site. Every visitor gets an address of its own on loopback
(127.0.0.N), so nginx sees it as the client and the service can only learn it from nginx's
X-Forwarded-For: the per-client limit is one new reading a minute, and the admin lockout counts
wrong passwords per address. When run as root, nginx's workers run as Debian's www-data, so
the test also proves that the audio the service writes is readable by nginx's own user.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from service.store.audio_cache import AudioCache

from .conftest import free_port
from .servers import Nginx, ServiceProcess, front_config, front_directory, require_nginx

ADMIN_PASSWORD = "rätt lösenord"
SHORT_PAGE = "01-sormland-jobbar-smartare.html"
LONG_PAGE = "09-spara-energi-hemma.html"  # about 8 minutes of speech: generating for seconds
NGINX_ETAG = re.compile(r'"[0-9a-f]+-[0-9a-f]+"')  # nginx's own: "<mtime>-<size>" in hex
MAX_BODY = 6 * 1024 * 1024  # LYSSNA_MAX_CONTENT_LENGTH's default, and the front's client_max_body_size

_addresses = (f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.count(10))


def visitor() -> str:
    """A loopback address no other request of this module used."""
    return next(_addresses)


class Front:
    """nginx with the reference front on `port`, the service behind it, and the cache they share."""

    def __init__(self, base: Path, site: str, user: str | None) -> None:
        self.cache = base / "cache"
        self.port, service_port = free_port(), free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.service = ServiceProcess(service_port, {
            "LYSSNA_CACHE_DIR": str(self.cache), "LYSSNA_SITES": site,
            "LYSSNA_TRUSTED_PROXIES": "127.0.0.1", "LYSSNA_PUBLIC_URL": self.origin,
            "LYSSNA_CLIENT_READINGS_PER_MINUTE": "1", "LYSSNA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }, cwd=base, log=base / "service.log")
        conf = front_config(upstream=f"127.0.0.1:{service_port}", listen=f"127.0.0.1:{self.port}",
                            cache_dir=self.cache)
        self.nginx = Nginx(base / "nginx", conf, self.port, user=user)
        self.readings: dict[str, dict] = {}  # page name -> its finished reading

    def ask(self, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
            source: str = "127.0.0.1", port: int | None = None) -> tuple[int, dict, bytes]:
        """One request from the loopback address `source` (through nginx unless `port` says)."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=60,
                                          source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def create(self, url: str, source: str) -> tuple[int, dict]:
        status, _, body = self.ask("/api/v1/readings", "POST", {"Content-Type": "application/json"},
                                   json.dumps({"url": url}).encode(), source=source)
        return status, json.loads(body)

    def ready(self, reading_id: str) -> dict:
        deadline = time.monotonic() + 120
        while True:
            status, _, body = self.ask(f"/api/v1/readings/{reading_id}")
            assert status == 200, body
            reading = json.loads(body)
            if reading["status"] != "generating":
                return reading
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.05)

    def finished(self, site: str, page: str) -> dict:
        """The finished reading of a fixture page (made once per module, by a visitor of its own)."""
        if page not in self.readings:
            status, reading = self.create(f"{site}/{page}", source=visitor())
            assert status in (200, 202), reading
            self.readings[page] = self.ready(reading["id"])
            assert self.readings[page]["status"] == "ready"
        return self.readings[page]

    def audio_key(self, reading_id: str) -> str:
        """The audio file the reading's by-reading link points at."""
        return Path(os.readlink(self.cache / "by-reading" / f"{reading_id}.mp3")).stem


@pytest.fixture(scope="module")
def front(fixture_site):
    require_nginx()
    base, user = front_directory("lyssna-front-")  # nginx's workers read the cache from here
    front = Front(base, fixture_site, user)
    try:
        front.service.start()
        front.nginx.start()
        yield front
    finally:
        front.nginx.stop()
        front.service.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_a_page_is_read_through_the_front(front, fixture_site):
    reading = front.finished(fixture_site, SHORT_PAGE)
    assert reading["audio_url"] == f"/audio/{reading['id']}.mp3" and reading["duration_ms"] > 0
    status, headers, body = front.ask(f"/listen?url={fixture_site}/{SHORT_PAGE}")
    assert status == 200 and "Sörmland".encode() in body and reading["audio_url"].encode() in body
    status, headers, body = front.ask("/widget.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    status, _, body = front.ask("/healthz")
    assert status == 200 and json.loads(body)["engines"]["espeak"]["state"] == "ok"


def test_audio_still_being_made_streams_through_the_front(front, fixture_site):
    status, reading = front.create(f"{fixture_site}/{LONG_PAGE}", source=visitor())
    assert status == 202 and reading["status"] == "generating"
    url = reading["audio_url"]
    status, headers, probe = front.ask(url, headers={"Range": "bytes=0-1"})  # Safari's first probe
    assert status == 206 and len(probe) == 2 and headers["content-range"] == "bytes 0-1/*"
    conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=60)
    try:
        conn.request("GET", url)
        r = conn.getresponse()
        assert r.status == 200 and "content-length" not in {k.lower() for k in r.headers}
        assert r.getheader("Cache-Control") == "no-store"
        first = r.read1(1024)
        assert first[:2] == probe
        # The first bytes came through nginx while the service was still making the rest.
        assert json.loads(front.ask(f"/api/v1/readings/{reading['id']}")[2])["status"] == "generating"
        streamed = first + r.read()
    finally:
        conn.close()
    assert front.ready(reading["id"])["status"] == "ready"
    status, headers, whole = front.ask(url)
    assert status == 200 and whole == streamed and NGINX_ETAG.fullmatch(headers["etag"])


def test_finished_audio_is_served_by_nginx_from_disk(front, fixture_site):
    """nginx's own ETag ("mtime-size") where the service would send its audio key: the file came
    from disk. Ranges, 304, If-Range, 416, HEAD and downloads are nginx's own work."""
    reading = front.finished(fixture_site, SHORT_PAGE)
    url, key = reading["audio_url"], front.audio_key(reading["id"])
    status, direct, original = front.ask(url, port=front.service.port)
    assert status == 200 and direct["etag"] == f'"{key}"'
    status, headers, full = front.ask(url)
    assert status == 200 and full == original and int(headers["content-length"]) == len(full)
    assert headers["content-type"] == "audio/mpeg" and headers["accept-ranges"] == "bytes"
    assert headers["cache-control"] == direct["cache-control"] == "public, max-age=31536000, immutable"
    etag = headers["etag"]
    assert NGINX_ETAG.fullmatch(etag) and etag != direct["etag"]

    status, headers, part = front.ask(url, headers={"Range": "bytes=100-1099"})
    assert status == 206 and part == full[100:1100] and headers["content-range"] == f"bytes 100-1099/{len(full)}"
    status, _, tail = front.ask(url, headers={"Range": "bytes=-500"})
    assert status == 206 and tail == full[-500:]
    status, headers, _ = front.ask(url, headers={"Range": f"bytes={len(full)}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(full)}"
    status, _, body = front.ask(url, headers={"If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, part = front.ask(url, headers={"Range": "bytes=0-99", "If-Range": etag})
    assert status == 206 and part == full[:100]
    status, _, again = front.ask(url, headers={"Range": "bytes=0-99", "If-Range": '"another-version"'})
    assert status == 200 and again == full  # the client's copy is another version: all of it
    status, headers, body = front.ask(url, "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(full)
    status, headers, body = front.ask(url + "?download=1")
    _, served, _ = front.ask(url + "?download=1", port=front.service.port)
    assert body == full and headers["content-disposition"] == served["content-disposition"]
    assert "content-disposition" not in front.ask(url + "?downloaded=1")[1]
    assert "Permission denied" not in front.nginx.errors()


def test_finished_audio_plays_while_the_service_is_down(front, fixture_site):
    reading = front.finished(fixture_site, SHORT_PAGE)
    _, _, before = front.ask(reading["audio_url"])
    front.service.stop()
    try:
        status, _, _ = front.ask("/healthz")
        assert status == 502  # nothing behind nginx now
        status, headers, body = front.ask(reading["audio_url"])
        assert status == 200 and body == before and NGINX_ETAG.fullmatch(headers["etag"])
        status, _, part = front.ask(reading["audio_url"], headers={"Range": "bytes=0-65535"})
        assert status == 206 and part == before[:65536]
    finally:
        front.service.start()


def test_evicted_audio_falls_back_to_the_service_which_makes_it_again(front, fixture_site):
    reading = front.finished(fixture_site, "03-bibliotek-oppettider.html")
    url = reading["audio_url"]
    _, _, original = front.ask(url)
    AudioCache(front.cache).discard(front.audio_key(reading["id"]))  # what eviction does to it
    link = front.cache / "by-reading" / f"{reading['id']}.mp3"
    assert link.is_symlink() and not link.exists()  # dangling: nginx cannot serve it
    status, headers, body = front.ask(url)
    assert status == 200 and headers["content-type"] == "audio/mpeg"
    assert "etag" not in headers or not NGINX_ETAG.fullmatch(headers["etag"])  # the service answered
    assert body == original  # made again from the same sentences, byte for byte
    assert front.ready(reading["id"])["status"] == "ready"
    status, headers, body = front.ask(url)
    assert status == 200 and body == original and NGINX_ETAG.fullmatch(headers["etag"])  # from disk again


def test_an_unknown_reading_is_the_services_404(front):
    status, _, body = front.ask("/audio/" + "0" * 32 + ".mp3")
    assert status == 404 and json.loads(body)["error"] == "not_found"


def test_the_per_client_limit_counts_the_visitor_nginx_saw(front, fixture_site):
    """One new reading a minute per address: a second from the same visitor is refused, even
    when it claims another address in X-Forwarded-For; another visitor's is not."""
    first, second = visitor(), visitor()
    status, _ = front.create(f"{fixture_site}/05-ny-vardcentral-ekeby.html", source=first)
    assert status == 202
    status, body = front.create(f"{fixture_site}/07-fardtjanst-avgifter.html", source=first)
    assert status == 429 and body["error"] == "too_many_requests"
    status, _, body = front.ask("/api/v1/readings", "POST",
                                {"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.7"},
                                json.dumps({"url": f"{fixture_site}/07-fardtjanst-avgifter.html"}).encode(),
                                source=first)
    assert status == 429
    status, _ = front.create(f"{fixture_site}/07-fardtjanst-avgifter.html", source=second)
    assert status == 202


class AdminBrowser:
    """The admin login form as a browser uses it, from one visitor address, through the front."""

    def __init__(self, front: Front, source: str) -> None:
        self.front, self.source = front, source
        self.cookies: dict[str, str] = {}
        self.last_cookies: list[str] = []  # the Set-Cookie headers of the last answer

    def ask(self, path: str, method: str = "GET", form: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.front.port, timeout=30,
                                          source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            self.last_cookies = r.headers.get_all("Set-Cookie") or []
            for value in self.last_cookies:
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def login(self, password: str) -> tuple[int, dict, bytes]:
        _, _, page = self.ask("/admin/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        return self.ask("/admin/login", "POST", {"password": quote(password), "csrf_token": quote(token)})


def test_the_admin_lockout_counts_the_visitor_nginx_saw(front):
    """Ten wrong passwords are free per address; the eleventh try waits. The visitor next to it
    (another address behind the same nginx) still logs in, over plain http without Secure."""
    guesser = AdminBrowser(front, visitor())
    for _ in range(10):
        assert guesser.login("gissning")[0] == 401
    status, headers, _ = guesser.login(ADMIN_PASSWORD)
    assert status == 429 and int(headers["retry-after"]) > 0
    admin = AdminBrowser(front, visitor())
    status, headers, _ = admin.login(ADMIN_PASSWORD)
    assert status == 302 and headers["location"] == "/admin/"
    session = next(c for c in admin.last_cookies if c.startswith("session="))
    assert "Path=/admin" in session and "Secure" not in session  # X-Forwarded-Proto: http
    status, _, page = admin.ask("/admin/")
    assert status == 200 and b"csrf_token" in page


def test_nothing_else_in_the_cache_directory_is_reachable(front, fixture_site):
    reading = front.finished(fixture_site, SHORT_PAGE)
    rid, key = reading["id"], front.audio_key(reading["id"])
    canary = b"canary-that-must-never-be-served"
    fake = "f" * 32
    (front.cache / "audio" / f"{fake}.part").write_bytes(canary)
    (front.cache / "audio" / f"{fake}.json").write_bytes(canary)
    (front.cache / "by-reading" / f"{fake}.json").write_bytes(canary)
    (front.cache / "by-reading" / f"{fake}.mp3.part").write_bytes(canary)
    secrets = [canary, (front.cache / "readings" / f"{rid}.json").read_bytes()]
    if (front.cache / "admin_secret.key").exists():
        secrets.append((front.cache / "admin_secret.key").read_bytes())
    paths = [
        f"/audio/../readings/{rid}.json", f"/audio/%2e%2e/readings/{rid}.json", f"/readings/{rid}.json",
        f"/by-reading/{rid}.mp3", f"/audio/../by-reading/{rid}.mp3", f"/audio/{rid}.json",
        f"/audio/{key}.json", f"/audio/{key}.lock", f"/audio/{fake}.part", f"/audio/{fake}.json",
        f"/audio/{fake}.mp3.part", f"/audio/{fake}.mp3", f"/audio/{rid}.mp3/", f"/audio/{rid}.mp3%00",
        f"/audio/{rid.upper()}.mp3", "/admin_secret.key", "/audio/../admin_secret.key",
        "/audio/..%2fadmin_secret.key", "/lexicon.sqlite3", "/admin_logins.sqlite3", "/audio/",
        "/by-reading/", "/segments/",
    ]
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)  # sent exactly as written
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        assert r.status in (400, 403, 404), (path, r.status)
        assert not any(secret in body for secret in secrets), path


def test_the_front_takes_bodies_as_large_as_the_service_does_and_no_larger(front, fixture_site):
    """Up to LYSSNA_MAX_CONTENT_LENGTH the body reaches the service (which reads it: malformed);
    one byte more and nginx refuses it, in the service's own words, readable by the player."""
    status, _, body = front.ask("/api/v1/readings", "POST", {"Content-Type": "application/json"},
                                b"{" + b" " * (MAX_BODY - 1), source=visitor())
    assert status == 400 and json.loads(body)["error"] == "malformed"
    answers = []
    for port in (front.port, front.service.port):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"POST /api/v1/readings HTTP/1.1\r\nHost: x\r\nOrigin: {fixture_site}\r\n"
                      f"Content-Type: application/json\r\nConnection: close\r\n"
                      f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode() + b"{" * 1024)
            answer = b""
            while not answer.endswith(b"}\n"):
                chunk = s.recv(65536)
                assert chunk, answer
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413") and b"access-control-allow-origin: " in head.lower()
        answers.append(json.loads(body))
    assert answers[0] == answers[1] and answers[0]["error"] == "too_large"
