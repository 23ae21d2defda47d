"""Reading the response: status and type checks, the body capped after decompression (a small gzip
bomb cannot inflate into memory), and HTML decoded the way browsers decode it."""
from __future__ import annotations

import codecs
import http.client
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.errors import FetchError, TooLarge
from service.models import FetchedPage

from .deadline import Deadline

HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")
# A PDF is served as PDF or, by many CMSs, as a generic download; its first bytes decide.
DOCUMENT_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream",
                  "application/download", "application/force-download")
CHUNK = 64 * 1024
META_SCAN_BYTES = 4096

# Labels browsers treat as windows-1252 (WHATWG Encoding Standard), plus common aliases.
_WINDOWS_1252_LABELS = {
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
    "latin-1", "us-ascii", "windows-1252", "x-cp1252",
}
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Python text codecs no browser decodes pages with: they raise on almost any page ("idna": "label
# empty or too long"; "undefined" always) or make lone surrogates, which no text may hold ("+2AA-"
# in UTF-7, "\\ud800" with unicode-escape). Their labels are unknown labels, as in a browser.
_NOT_PAGE_ENCODINGS = {"idna", "punycode", "undefined", "utf-7", "unicode-escape", "raw-unicode-escape"}

def read_page(url: str, response: http.client.HTTPResponse, deadline: Deadline,
              max_bytes: int, max_document_bytes: int = 0) -> FetchedPage:
    """An HTML page, decoded; or, when `max_document_bytes` allows documents, a PDF's bytes (served as
    PDF or as a generic download, and starting with the PDF signature: the bytes decide)."""
    status = response.status
    if status >= 400:
        raise FetchError(
            f"Sidan kunde inte hämtas (HTTP {status}). / The page could not be fetched (HTTP {status}).",
            code="http_error",
        )
    if not 200 <= status < 300:
        raise FetchError(
            f"Sidan kunde inte hämtas (oväntat svar HTTP {status}). / "
            f"The page could not be fetched (unexpected HTTP {status}).",
            code="http_error",
        )
    content_type = response.getheader("Content-Type") or ""
    media_type, params = parse_content_type(content_type)
    if max_document_bytes and media_type in DOCUMENT_TYPES:
        return _document(url, status, read_body(response, deadline, max_document_bytes))
    if media_type and media_type not in HTML_TYPES:
        raise FetchError(
            f"Adressen pekar inte på en webbsida utan på {media_type}. / "
            f"The address is not a web page but {media_type}.",
            code="not_html",
        )
    body = read_body(response, deadline, max_bytes)
    if not media_type:  # no Content-Type at all: accept only what plainly is HTML (or a PDF)
        if max_document_bytes and is_pdf_signature(body):
            return _document(url, status, body)
        if not re.match(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head)", body[:1024], re.I | re.S):
            raise FetchError(
                "Adressen pekar inte på en webbsida (ingen innehållstyp). / "
                "The address is not a web page (no content type).",
                code="not_html",
            )
        media_type = "text/html"
    html, encoding = decode_html(body, params.get("charset"))
    return FetchedPage(url=url, html=html, status=status, content_type=media_type, encoding=encoding)


def is_pdf_signature(data: bytes) -> bool:
    """The PDF header within the first kilobyte (readers allow leading bytes before it)."""
    return b"%PDF-" in data[:1024]


def _document(url: str, status: int, body: bytes) -> FetchedPage:
    if not is_pdf_signature(body):
        raise FetchError("Adressen pekar inte på en webbsida eller ett PDF-dokument. / "
                         "The address is neither a web page nor a PDF document.", code="not_html")
    return FetchedPage(url=url, html="", status=status, content_type="application/pdf", encoding="", data=body)


@dataclass
class FetchedFile:
    """A fetched non-HTML resource (a sitemap, a URL list): raw bytes, already decompressed."""

    url: str  # final URL after redirects
    body: bytes
    status: int
    content_type: str  # media type as the server sent it, "" when it sent none
    charset: str | None  # the Content-Type charset parameter, if any
    gunzipped: bool  # True when the file itself was gzip (e.g. sitemap.xml.gz) and was unpacked


def read_file(url: str, response: http.client.HTTPResponse, deadline: Deadline, max_bytes: int,
               types: tuple[str, ...]) -> FetchedFile:
    """Check status and type, read with the cap, and unpack a gzip file (also capped)."""
    status = response.status
    if not 200 <= status < 300:
        raise FetchError(
            f"Filen kunde inte hämtas (HTTP {status}). / The file could not be fetched (HTTP {status}).",
            code="http_error",
        )
    media_type, params = parse_content_type(response.getheader("Content-Type") or "")
    xml_ok = "application/xml" in types and media_type.endswith("+xml")
    if media_type and media_type not in types and not xml_ok:
        raise FetchError(
            f"Adressen pekar på {media_type}, som inte kan läsas här. / "
            f"The address points to {media_type}, which cannot be read here.",
            code="unsupported_type",
        )
    body = read_body(response, deadline, max_bytes)
    gunzipped = False
    named_gz = urlsplit(url).path.lower().endswith(".gz")
    if body[:2] == b"\x1f\x8b" and (media_type in GZIP_TYPES or named_gz or not media_type):
        decoder = _Decoder("gzip", max_bytes)
        decoder.feed(body)
        body = decoder.finish()
        if decoder.zlib is not None and not decoder.zlib.eof:
            raise _Decoder._corrupt()
        gunzipped = True
    return FetchedFile(url=url, body=body, status=status, content_type=media_type,
                       charset=params.get("charset"), gunzipped=gunzipped)


def read_body(response: http.client.HTTPResponse, deadline: Deadline, max_bytes: int) -> bytes:
    """Read, decompress and cap the body; the cap counts decompressed bytes."""
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise too_large(max_bytes)  # refused before reading a byte of it
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    decoder = _Decoder(encoding, max_bytes)
    received = 0
    try:
        while True:
            deadline.remaining()
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise too_large(max_bytes)
            decoder.feed(chunk)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired:
            raise deadline.error() from exc
        raise FetchError(
            "Sidan kunde inte hämtas (svaret avbröts). / The page could not be fetched (the response was cut off).",
        ) from exc
    if deadline.expired:  # the watchdog shut the socket; what we have is not the whole page
        raise deadline.error()
    return decoder.finish()


class _Decoder:
    """Undo gzip/deflate incrementally, never producing more than the cap allows (+1 byte)."""

    def __init__(self, encoding: str, max_bytes: int):
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self._raw_deflate_tried = False
        if encoding in ("identity", ""):
            self.zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(
                f"Sidan använder en komprimering som inte stöds ({encoding}). / "
                f"The page uses an unsupported content encoding ({encoding}).",
                code="bad_encoding",
            )
        self.encoding = encoding

    def feed(self, data: bytes) -> None:
        if self.zlib is None:
            self._add(data)
            return
        if self.zlib.eof:
            return  # trailing bytes after the compressed stream are ignored, as browsers do
        try:
            out = self.zlib.decompress(data, self._budget())
        except zlib.error:
            # Some servers send raw deflate without the zlib header; browsers accept it.
            if self.encoding == "deflate" and not self._raw_deflate_tried and not self.parts:
                self._raw_deflate_tried = True
                self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self.feed(data)
                return
            raise self._corrupt() from None
        self._add(out)
        while self.zlib.unconsumed_tail and not self.zlib.eof:
            try:
                out = self.zlib.decompress(self.zlib.unconsumed_tail, self._budget())
            except zlib.error:
                raise self._corrupt() from None
            self._add(out)

    def finish(self) -> bytes:
        if self.zlib is not None and not self.zlib.eof:
            try:
                self._add(self.zlib.flush())
            except zlib.error:
                raise self._corrupt() from None
        return b"".join(self.parts)

    def _budget(self) -> int:
        return self.max_bytes - self.size + 1

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            self.parts.clear()
            raise too_large(self.max_bytes)
        self.parts.append(data)

    @staticmethod
    def _corrupt() -> FetchError:
        return FetchError(
            "Sidans komprimerade innehåll är trasigt. / The page's compressed content is corrupt.",
            code="bad_encoding",
        )


def too_large(max_bytes: int) -> TooLarge:
    size = f"{max_bytes / 1_000_000:g} MB" if max_bytes >= 100_000 else f"{max_bytes} byte"
    return TooLarge(
        f"Sidan är för stor (mer än {size}). / The page is too large (more than {size}).",
        code="page_too_large",
    )


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """('text/html', {'charset': 'utf-8'}) from a Content-Type header."""
    media, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        if "=" in item:
            key, _, val = item.partition("=")
            params[key.strip().lower()] = val.strip().strip("\"'")
    return media.strip().lower(), params


def codec_for(label: str | None, *, allow_utf16: bool = False) -> str | None:
    """A Python codec name for a charset label, following browsers (latin-1 means windows-1252)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "windows-1252"
    if label in ("utf8", "unicode-1-1-utf-8", "utf-8"):
        return "utf-8"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):  # unknown, or not even a name ("a\x00b")
        return None
    # Browsers decode only text encodings; "base64", "hex", "rot13", "zlib" ... are bytes-to-bytes
    # (or str-to-str) transforms that bytes.decode refuses: such a label is unknown, as in a browser.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    name = info.name
    if name.startswith("utf-32") or (name.startswith("utf-16") and not allow_utf16):
        return None  # a <meta> we could read as ASCII cannot be in UTF-16; ignore the claim
    return "windows-1252" if name in ("cp1252", "latin-1", "ascii") else name


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes like a browser: BOM, then the header's charset, then <meta>, then guess.

    Returns (text, encoding name). The guess is UTF-8 when the bytes are valid UTF-8, otherwise
    windows-1252, the usual encoding of older Swedish pages.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    encoding = codec_for(header_charset, allow_utf16=True)
    if encoding is None:
        for match in _META_CHARSET.finditer(body[:META_SCAN_BYTES]):
            encoding = codec_for(match.group(1).decode("ascii", "ignore"))
            if encoding is not None:
                break
        else:
            if re.search(rb"<meta[^>]*charset\s*=\s*[\"']?\s*utf-?16", body[:META_SCAN_BYTES], re.I):
                encoding = "utf-8"  # the HTML spec: a meta claiming UTF-16 means UTF-8
    if encoding is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "windows-1252"
    return body.decode(encoding, errors="replace"), encoding
