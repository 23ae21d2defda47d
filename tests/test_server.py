"""The production server as `lyssna serve` starts it (granian): audio without a thread per listener.

A real server process on a free port, the fixture pages on a real loopback site, real espeak-ng.
What matters to a listener: finished audio with ranges, ETag and 304; audio still being made
streams at once and answers Safari's first probe (`bytes=0-1`) with a 206; and listeners who
hold their streams open — even without reading — never stop the service for anyone else.
"""
from __future__ import annotations

import http.client
import json
import re
import resource
import socket
import time
import urllib.error
import urllib.request

import pytest

from .conftest import free_port
from .helpers import until
from .servers import ServiceProcess

METRICS_TOKEN = "test-metrics-token"
LONG_PAGE = "09-spara-energi-hemma.html"  # about 8 minutes of speech: generating for a while


@pytest.fixture(scope="module")
def server(tmp_path_factory, fixture_site):
    """`python -m service.cli serve` on a free port, allowed to read the fixture site."""
    tmp = tmp_path_factory.mktemp("serve")
    service = ServiceProcess(free_port(), {
        "LYSSNA_CACHE_DIR": str(tmp / "cache"), "LYSSNA_SITES": fixture_site, "LYSSNA_CLIENT_READINGS_PER_MINUTE": "0",
        "LYSSNA_HTTP_WORKERS": "1",  # one process: what it holds, streams and paces is what we see
        "LYSSNA_WORKERS": "1",  # one synthesis slot: a second page waits for it
        "LYSSNA_METRICS": METRICS_TOKEN,
    }, cwd=tmp, log=tmp / "server.log")  # a file, not a pipe nobody reads: a full pipe stops a server
    service.start()
    try:
        yield service.origin
    finally:
        service.stop()


def request(url: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
            timeout: float = 60) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def create(origin: str, url: str, **options) -> dict:
    status, _, body = request(origin + "/api/v1/readings", "POST", {"Content-Type": "application/json"},
                              json.dumps({"url": url, **options}).encode())
    assert status in (200, 202), body
    return json.loads(body)


def ready(origin: str, reading_id: str) -> dict:
    for _ in range(1200):
        _, _, body = request(f"{origin}/api/v1/readings/{reading_id}")
        reading = json.loads(body)
        if reading["status"] != "generating":
            return reading
        time.sleep(0.05)
    raise AssertionError("never ready")


def test_finished_audio_has_ranges_etag_304_and_416(server, fixture_site):
    reading = ready(server, create(server, f"{fixture_site}/01-sormland-jobbar-smartare.html")["id"])
    url = server + reading["audio_url"]
    status, headers, full = request(url)
    assert status == 200 and headers["content-type"] == "audio/mpeg" and int(headers["content-length"]) == len(full)
    assert headers["cache-control"].startswith("public, max-age=31536000") and headers["accept-ranges"] == "bytes"
    for _ in range(2):  # the second time from what the server remembers of the file
        status, headers, part = request(url, headers={"Range": "bytes=100-1099"})
        assert status == 206 and part == full[100:1100]
        assert headers["content-range"] == f"bytes 100-1099/{len(full)}"
    status, _, tail = request(url, headers={"Range": "bytes=-500"})
    assert status == 206 and tail == full[-500:]
    status, _, _ = request(url, headers={"If-None-Match": headers["etag"]})
    assert status == 304
    status, headers, _ = request(url, headers={"Range": f"bytes={len(full)}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(full)}"
    status, headers, body = request(url, "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(full)
    status, headers, _ = request(url + "?download=1")
    assert headers["content-disposition"].startswith("attachment")


def test_audio_still_being_made_answers_safaris_probe_and_streams_whole(server, fixture_site):
    reading = create(server, f"{fixture_site}/{LONG_PAGE}")
    url = f"{server}/audio/{reading['id']}.mp3"
    status, headers, probe = request(url, headers={"Range": "bytes=0-1"})
    assert status == 206 and len(probe) == 2
    assert re.fullmatch(r"bytes 0-1/(\*|\d+)", headers["content-range"])
    generating = headers["content-range"].endswith("/*")  # the whole length is not known yet
    status, _, streamed = request(url)  # follows the file as it grows, to its end
    assert status == 200 and streamed[:2] == probe
    final = ready(server, reading["id"])
    status, headers, whole = request(server + final["audio_url"])
    assert whole == streamed and headers["content-length"] == str(len(whole))
    status, headers, _ = request(url, headers={"Range": "bytes=0-1"})
    assert status == 206 and headers["content-range"] == f"bytes 0-1/{len(whole)}"
    assert generating, "the probe came while the audio was being made (the page takes seconds)"


def test_safaris_request_sequence_on_audio_still_being_made(server, fixture_site):
    """Safari (AVFoundation) probes with `bytes=0-1`, opens the stream, drops it and asks for byte
    ranges as it buffers and seeks; each range of audio still being made is answered at once with
    the bytes of the final file, and once finished the same requests get the full length."""
    reading = create(server, f"{fixture_site}/{LONG_PAGE}", rate=1.3)  # new audio: another speed
    url = f"{server}/audio/{reading['id']}.mp3"
    status, headers, probe = request(url, headers={"Range": "bytes=0-1"})
    assert status == 206 and headers["content-range"] == "bytes 0-1/*" and len(probe) == 2
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=0-"}), timeout=30) as r:
        opened = r.read(16384)  # the stream, read a little and dropped
    status, headers, middle = request(url, headers={"Range": "bytes=16384-32767"})
    assert status == 206
    first, last = map(int, re.fullmatch(r"bytes (\d+)-(\d+)/\*", headers["content-range"]).groups())
    assert first == 16384 and first <= last <= 32767 and len(middle) == last - first + 1
    status, headers, seek = request(url, headers={"Range": "bytes=60000-"})  # waits for its first bytes
    assert status == 206 and headers["content-range"].startswith("bytes 60000-") and len(seek) > 0
    final = ready(server, reading["id"])
    _, _, whole = request(server + final["audio_url"])
    assert whole[:2] == probe and whole[:16384] == opened
    assert whole[16384:16384 + len(middle)] == middle and whole[60000:60000 + len(seek)] == seek
    status, headers, _ = request(url, headers={"Range": "bytes=0-1"})
    assert status == 206 and headers["content-range"] == f"bytes 0-1/{len(whole)}"
    status, headers, tail = request(url, headers={"Range": "bytes=-500"})
    assert status == 206 and tail == whole[-500:]


def test_chromium_plays_a_reading_while_it_is_made_to_its_end(server, fixture_site):
    """A real browser plays the audio as it is streamed and, sped up, reaches the end of the
    finished reading: no gap, no early end where the file stood when playback began."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            answers = []  # the audio responses Chromium got, in order
            page.on("response", lambda r: "/audio/" in r.url and answers.append(r.headers))
            reading_id = create(server, f"{fixture_site}/{LONG_PAGE}", rate=1.2)["id"]  # new audio: another speed
            page.set_content(f'<audio preload="auto" src="{server}/audio/{reading_id}.mp3"></audio>')
            page.evaluate("() => { const a = document.querySelector('audio'); a.muted = true; a.play(); }")
            page.wait_for_function("() => document.querySelector('audio').currentTime > 0.5", timeout=30000)
            assert answers and answers[0]["cache-control"] == "no-store", "it played the stream of audio being made"
            page.evaluate("() => { document.querySelector('audio').playbackRate = 16; }")
            page.wait_for_function("() => document.querySelector('audio').ended", timeout=120000)
            played = page.evaluate("() => document.querySelector('audio').currentTime")
        finally:
            browser.close()
    final = ready(server, reading_id)
    assert abs(played - final["duration_ms"] / 1000) < 1.5, (played, final["duration_ms"])


def test_listeners_who_never_read_do_not_stop_the_service(server, fixture_site):
    """Dozens of connections hold a still-growing MP3 open and never read; the service goes on."""
    reading = create(server, f"{fixture_site}/07-fardtjanst-avgifter.html")
    host, port = server.split("//")[1].split(":")
    held = []
    try:
        for _ in range(64):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /audio/{reading['id']}.mp3 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            held.append(s)
        status, _, _ = request(server + "/healthz", timeout=10)
        assert status == 200
        other = create(server, f"{fixture_site}/05-ny-vardcentral-ekeby.html")
        status, _, first = request(f"{server}/audio/{other['id']}.mp3", headers={"Range": "bytes=0-1023"}, timeout=10)
        assert status == 206 and len(first) == 1024
        assert streams(server) == 64
    finally:
        for s in held:
            s.close()
    # Listeners who left are let go at once, though the audio is still being made.
    assert until(lambda: streams(server) == 0, 5.0)
    assert json.loads(request(f"{server}/api/v1/readings/{reading['id']}")[2])["status"] == "generating"


def test_a_visitor_gets_in_past_two_thousand_open_connections(server):
    """granian by default accepts at most 1,024 connections per process and leaves the rest in the
    kernel's queue; a crowd of listeners passes that, and the next visitor must still get in."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    host, port = server.split("//")[1].split(":")
    crowd = []
    try:
        for _ in range(2200):  # past both granian defaults: 1,024, or the backlog (2,048 here)
            crowd.append(socket.create_connection((host, int(port)), timeout=5))
        status, _, body = request(server + "/healthz", timeout=5)
        assert status == 200 and json.loads(body)["status"] == "ok"
    finally:
        for s in crowd:
            s.close()


def test_in_a_crowd_each_listener_is_sent_a_lead_not_the_whole_file(server, fixture_site):
    """Audio is made far faster than it is played; with more than a few dozen listeners each is
    sent ten seconds ahead and then four times playback speed (not megabytes into socket buffers
    that keep the server busy), and once the crowd has gone a stream gets the rest at once."""
    reading = create(server, f"{fixture_site}/{LONG_PAGE}", rate=1.1)  # new audio: another speed
    host, port = server.split("//")[1].split(":")
    path = f"/audio/{reading['id']}.mp3"
    crowd = []
    try:
        for _ in range(40):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            crowd.append(s)
        assert until(lambda: streams(server) >= 40)
        listener = http.client.HTTPConnection(host, int(port), timeout=30)
        listener.request("GET", path)
        answer = listener.getresponse()
        began, got = time.monotonic(), b""
        while time.monotonic() - began < 2.0:
            got += answer.read1(65536)
        elapsed = time.monotonic() - began
        bytes_per_s = 48_000 / 8
        assert 6 * bytes_per_s < len(got) <= (10 + 4 * elapsed) * bytes_per_s + 16384, len(got)
    finally:
        for s in crowd:
            s.close()
    rest = answer.read()  # the crowd gone: the rest as fast as it is made
    listener.close()
    final = ready(server, reading["id"])
    _, _, whole = request(server + final["audio_url"])
    assert got + rest == whole and len(whole) > 20 * len(got)


def streams(origin: str) -> int:
    """Listeners the server is streaming audio still being made to (its /metrics gauge)."""
    _, _, body = request(origin + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    return int(float(re.search(rb"^lyssna_audio_streams(?:\{[^}]*\})? (\S+)$", body, re.M).group(1)))


def test_the_api_and_pages_still_answer_through_the_server(server, fixture_site):
    status, headers, body = request(server + "/widget.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"lyssna-player" in body
    status, _, body = request(server + "/api/v1/readings", "POST", {"Content-Type": "application/json"}, b"{not json")
    assert status == 400 and json.loads(body)["error"] == "malformed"
    host, port = server.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:  # refused before the body is read
        s.sendall(b"POST /api/v1/readings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 7340032\r\n\r\n" + b"x" * 1024)
        assert s.recv(64).startswith(b"HTTP/1.1 413")
    status, _, body = request(server + "/audio/" + "0" * 32 + ".mp3")
    assert status == 404 and json.loads(body)["error"] == "not_found"
    status, _, body = request(f"{server}/listen?url={fixture_site}/01-sormland-jobbar-smartare.html")
    assert status == 200 and "Sörmland".encode() in body


def test_a_listener_of_audio_still_queued_waits_and_gets_all_of_it(server, fixture_site):
    """With the one generation thread busy on a long page, a second page's listener is not
    answered with an empty file: the stream waits for its turn and then carries the whole MP3."""
    busy = create(server, f"{fixture_site}/{LONG_PAGE}", rate=0.8)  # not made before: another speed
    queued = create(server, f"{fixture_site}/10-skolval-2025.html")
    assert busy["status"] == "generating" and queued["status"] == "generating"
    status, _, streamed = request(f"{server}/audio/{queued['id']}.mp3", timeout=300)
    assert status == 200 and len(streamed) > 10_000
    final = ready(server, queued["id"])
    _, _, whole = request(server + final["audio_url"])
    assert streamed == whole
    ready(server, busy["id"])


def test_chunked_bodies_are_read_and_capped(server, fixture_site):
    """A body sent without a length (chunked) is read whole when small, refused (413) when not."""
    host, port = server.split("//")[1].split(":")

    def chunked(body: bytes) -> bytes:
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(b"POST /api/v1/readings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            for i in range(0, len(body), 65536):
                piece = body[i:i + 65536]
                try:
                    s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                except OSError:
                    break  # the server answered and closed before reading it all
            else:
                s.sendall(b"0\r\n\r\n")
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
            return answer

    small = chunked(json.dumps({"url": f"{fixture_site}/03-bibliotek-oppettider.html"}).encode())
    assert small.split(b"\r\n", 1)[0] in (b"HTTP/1.1 200 OK", b"HTTP/1.1 202 Accepted"), small[:200]
    assert b'"audio_url"' in small
    big = chunked(b'{"html": "' + b"a" * (8 * 1024 * 1024) + b'"}')
    assert big.startswith(b"HTTP/1.1 413"), big[:200]
