"""A charset label that names no text encoding a browser knows is ignored, like an unknown label.

Why: Python's codec registry also holds bytes-to-bytes transforms ("base64", "hex", "zlib", "bz2",
"uu", "quopri"), a str-to-str one ("rot13") and text codecs no browser decodes pages with ("idna",
"punycode", "undefined", "utf-7", "unicode-escape"). Named in a page's Content-Type or <meta
charset>, they made bytes.decode raise (a 500) or produce lone surrogates that no reading can store.
Browsers decode only the text encodings of the Encoding Standard and ignore every other label.
"""
from __future__ import annotations

import encodings.aliases
import http.server
import json
import threading

import pytest

from service.reading.fetch import FetchLimits, codec_for, decode_html, fetch
from service.work.sitemaps import parse_sitemap

PAGE = "<!doctype html><html lang=sv><head>{meta}<title>t</title></head><body><main><h1>Öppettider</h1>" \
       "<p>Biblioteket i Åre har öppet måndag till fredag.</p></main></body></html>"
NOT_TEXT = ["base64", "base64_codec", "hex", "hex_codec", "rot13", "rot_13", "zlib", "zip", "bz2", "uu",
            "quopri", "quotedprintable", "idna", "punycode", "undefined", "utf-7", "utf7", "unicode_escape",
            "unicode-escape", "raw_unicode_escape"]
NOT_A_NAME = ["a\x00b", "\x00", "utf-8\x00", "", "   ", "x" * 10_000]


def every_codec_label() -> list[str]:
    labels = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
    return sorted(labels | set(NOT_TEXT))


@pytest.mark.parametrize("label", NOT_TEXT + NOT_A_NAME)
def test_a_label_that_is_no_page_encoding_is_unknown(label):
    assert codec_for(label) is None
    assert codec_for(label, allow_utf16=True) is None


@pytest.mark.parametrize("label", NOT_TEXT + NOT_A_NAME)
def test_such_a_header_charset_is_ignored_and_meta_or_the_guess_decides(label):
    utf8 = PAGE.format(meta="").encode("utf-8")
    assert decode_html(utf8, label) == (utf8.decode("utf-8"), "utf-8")
    cp1252 = PAGE.format(meta='<meta charset="windows-1252">').encode("cp1252")
    assert decode_html(cp1252, label) == (cp1252.decode("cp1252"), "windows-1252")


@pytest.mark.parametrize("label", [lb for lb in NOT_TEXT if lb.replace("_", "").replace("-", "").isalnum()])
def test_such_a_meta_charset_is_ignored(label):
    body = PAGE.format(meta=f'<meta charset="{label}">').encode("utf-8")
    assert decode_html(body) == (body.decode("utf-8"), "utf-8")
    body = PAGE.format(meta=f'<meta charset="{label}"><meta charset="iso-8859-1">').encode("cp1252")
    assert decode_html(body)[1] == "windows-1252"  # the next <meta> is used, as browsers do


def test_text_encodings_still_decode_as_before():
    body = PAGE.format(meta="").encode("cp1252")
    assert decode_html(body, "iso-8859-1")[1] == "windows-1252"
    assert decode_html(body, "latin1")[1] == "windows-1252"
    assert decode_html(PAGE.format(meta="").encode("koi8-r", "replace"), "koi8-r")[1] == "koi8-r"
    assert decode_html("Å".encode("utf-16-le"), "utf-16le") == ("Å", "utf-16-le")
    assert codec_for("shift_jis") == "shift_jis" and codec_for("ISO-8859-15") == "iso8859-15"


@pytest.mark.parametrize("label", every_codec_label())
def test_no_codec_label_makes_decoding_fail_or_leave_surrogates(label):
    """Whatever the registry holds, in the header or in <meta>: text out, every character real."""
    samples = [bytes(range(256)), b"+2AA-\\ud800=\n=ZZ" * 3, PAGE.format(meta="").encode("utf-8"),
               f'<meta charset="{label}">'.encode("ascii", "ignore") + bytes(range(128, 256))]
    for body in samples:
        for text, _encoding in (decode_html(body, label), decode_html(body)):
            assert isinstance(text, str)
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), label


@pytest.mark.parametrize("label", ["idna", "undefined", "base64", "a\x00b", "unicode_escape"])
def test_a_url_list_with_such_a_charset_is_read_as_utf8(label):
    kind, items = parse_sitemap("https://www.example.se/å\nhttps://www.example.se/b\n".encode("utf-8"),
                                charset=label)
    assert kind == "text" and [u for u, _ in items] == ["https://www.example.se/å", "https://www.example.se/b"]


class _Charsets(http.server.BaseHTTPRequestHandler):
    """/<label>: the page with that label in its Content-Type; /meta/<label>: in a <meta>."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):
        label = self.path.rsplit("/", 1)[1]
        in_meta = self.path.startswith("/meta/")
        body = PAGE.format(meta=f'<meta charset="{label}">' if in_meta else "").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if in_meta else f"text/html; charset={label}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def charset_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Charsets)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("where", ["", "meta/"])
@pytest.mark.parametrize("label", ["base64", "rot13", "zlib", "hex", "idna", "utf-7", "undefined"])
def test_a_fetched_page_with_such_a_label_is_fetched(charset_site, where, label):
    page = fetch(f"{charset_site}/{where}{label}", [charset_site], FetchLimits())
    assert "Biblioteket i Åre har öppet" in page.html and page.encoding == "utf-8"


@pytest.mark.parametrize("label", ["base64", "rot13", "bz2", "quopri", "punycode"])
def test_the_api_reads_such_a_page(app, client, charset_site, label):
    from service.reading.sites import parse_sites

    app.extensions["lyssna"].services.sites.extend(parse_sites(charset_site))
    for url in (f"{charset_site}/{label}", f"{charset_site}/meta/{label}"):
        r = client.post("/api/v1/readings", data=json.dumps({"url": url}), content_type="application/json")
        assert r.status_code in (200, 202), r.data
        assert r.get_json()["title"] == "Öppettider"
