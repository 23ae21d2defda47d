"""A fake Google Translate TTS endpoint: a real HTTP server on loopback, reached through `requests`.

`fake_google()` starts the server and redirects requests for ``translate.google.*`` to it at the
HTTP layer (`requests.Session.send`), recording the keyword arguments each request was sent with
(`verify`, `timeout`). Everything above that layer is real: gTTS builds the request, our engine
sends and parses it, miniaudio decodes the MP3. The answer has Google's batchexecute shape,
``)]}'`` then a length line then ``[["wrb.fr","jQ1olc","[\\"<base64 mp3>\\"]",...]]``, and the MP3
is made by our own encoder from espeak-ng speech of the requested text, so its length is real.

Modes (switch any time through `FakeGoogle.mode`):
- ``ok``: 200 with audio;   ``429``: Too Many Requests;   ``500``: Internal Server Error;
- ``hang``: accepts the request and never answers (until the context exits), so the client's read
  timeout fires;   ``refuse``: the request goes to a closed port and the connection is refused;
- ``empty``: 200 without audio (Google's answer when it has nothing to say).
"""
from __future__ import annotations

import base64
import contextlib
import http.server
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import requests

MODES = ("ok", "429", "500", "hang", "refuse", "empty")
RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"


@dataclass
class Call:
    """One request as it left the client."""

    url: str
    text: str | None
    lang: str | None
    verify: object
    timeout: object


@dataclass
class FakeGoogle:
    origin: str
    mode: str = "ok"
    calls: list[Call] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.calls if c.text is not None]


def google_mp3(text: str, lang: str = "sv") -> bytes:
    """A real MP3 (our encoder, 24 kHz like Google) of espeak-ng speaking `text`."""
    from service.reading import audio
    from service.reading.engines import get_engine

    engine = get_engine("espeak")
    speech = engine.synthesize(text, engine.voice_for_lang(lang) or "sv")
    return audio.encode_segment(speech, sample_rate=24000).mp3


def google_body(mp3: bytes) -> bytes:
    """Google's batchexecute answer carrying `mp3` (JSON without spaces, as Google sends it)."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")], separators=(",", ":"))
    line = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 52], ["af.httprm", 51, "-7211", 9]],
        separators=(",", ":"),
    )
    tail = '[["e",4,null,null,%d]]' % (len(line) + 40)
    return f")]}}'\n\n{len(line)}\n{line}\n{len(tail)}\n{tail}\n".encode("utf-8")


def parse_rpc(body: bytes | str | None) -> tuple[str | None, str | None]:
    """(text, lang) from gTTS's form body ``f.req=[[["jQ1olc","[text,lang,speed,\\"null\\"]",...]]]``."""
    if not body:
        return None, None
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    freq = urllib.parse.parse_qs(body).get("f.req", [None])[0]
    if not freq:
        return None, None
    rpc = json.loads(freq)
    params = json.loads(rpc[0][0][1])
    return params[0], params[1]


def _handler(fake: FakeGoogle):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - stdlib signature
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            mode = fake.mode
            if mode == "hang":
                fake.release.wait(30)
                self.close_connection = True
                return
            if mode in ("429", "500"):
                self._send(int(mode), b"<html>error</html>", "text/html")
                return
            text, lang = parse_rpc(body)
            if mode == "empty" or not text:
                self._send(200, b")]}'\n\n25\n[[\"wrb.fr\",\"jQ1olc\",null]]\n", "application/json")
                return
            self._send(200, google_body(google_mp3(text, lang or "sv")), "application/json; charset=utf-8")

        def _send(self, status: int, data: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens here once the socket is closed


@contextlib.contextmanager
def fake_google(mode: str = "ok") -> Iterator[FakeGoogle]:
    """Serve a fake Google and route ``https://translate.google.*`` requests to it while active."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    fake = FakeGoogle(origin="", mode=mode)
    server = _Server(("127.0.0.1", 0), _handler(fake))
    fake.origin = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    refused = f"http://127.0.0.1:{_closed_port()}"
    original = requests.Session.send

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        if not (parts.hostname or "").startswith("translate.google."):
            return original(self, request, **kwargs)
        text, lang = parse_rpc(request.body)
        fake.calls.append(Call(request.url, text, lang, kwargs.get("verify"), kwargs.get("timeout")))
        target = refused if fake.mode == "refuse" else fake.origin
        routed = request.copy()
        routed.url = urllib.parse.urlunsplit(("http", target.split("//", 1)[1], parts.path, parts.query, ""))
        return original(self, routed, **kwargs)

    requests.Session.send = send
    try:
        yield fake
    finally:
        requests.Session.send = original
        fake.release.set()
        server.shutdown()
        server.server_close()
