"""Fetch one HTML page safely: the fetcher must never be a door into private networks.

Why it is built on http.client and not a convenience library: we resolve the host ourselves,
refuse private and internal addresses, and then connect to exactly the address we checked, so a
second DNS answer cannot redirect us inside (DNS rebinding). Every redirect goes through the same
checks. One deadline covers DNS, connecting, TLS, headers, redirects and the body; the body is
capped after decompression, so a small gzip bomb cannot inflate into memory.
"""
from __future__ import annotations

import codecs
import functools
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from service.errors import BadRequest, FetchError, SiteNotAllowed, TooLarge
from service.models import FetchedPage
from .sites import DEFAULT_PORTS, SitePattern, match_site, normalize_host, origin_of, parse_sites

DEFAULT_USER_AGENT = "Lyssna/0.1 (+https://github.com/lyssna/lyssna; listen to this page)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")
# What a sitemap may be served as: XML (also RSS/Atom feeds), plain text, or a gzip file.
SITEMAP_TYPES = ("application/xml", "text/xml", "text/plain", *GZIP_TYPES)
SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,text/plain;q=0.8,application/gzip;q=0.5,*/*;q=0.1"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
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


@dataclass(frozen=True)
class _Target:
    """A URL that passed the checks: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str  # normalised (punycode, lower case), used for Host, SNI and certificate checks
    port: int
    path: str  # path + query, percent-encoded
    addresses: tuple[tuple, ...]  # vetted getaddrinfo results: (family, sockaddr)


def fetch(
    url: str,
    sites,
    *,
    connect_timeout: float = 5.0,
    total_timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
    ssl_context: ssl.SSLContext | None = None,
) -> FetchedPage:
    """Fetch an HTML page from an allowed site and decode it to text.

    `sites` is the allow-list (a `LYSSNA_SITES` string, a list of entries or parsed patterns).
    `ssl_context` defaults to the system trust store with hostname checks; pass one to trust an
    extra CA. Raises BadRequest (bad URL), SiteNotAllowed (403), FetchError (502), TooLarge (413).
    """
    return _get(
        url, sites, _read_page, accept=HTML_ACCEPT, connect_timeout=connect_timeout,
        total_timeout=total_timeout, max_bytes=max_bytes, max_redirects=max_redirects,
        user_agent=user_agent, ssl_context=ssl_context,
    )


@dataclass
class Revalidation:
    """The answer to a conditional GET of a page we fetched before.

    `status` 304: not modified (nothing was read); 404 or 410: the page is gone; otherwise `page`
    holds the new page. `etag` and `last_modified` are the validators to send next time.
    """

    url: str
    status: int
    page: FetchedPage | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)


def fetch_if_changed(url: str, sites, *, etag: str | None = None, last_modified: str | None = None,
                     connect_timeout: float = 5.0, total_timeout: float = 15.0,
                     max_bytes: int = 5_000_000, max_redirects: int = 5,
                     user_agent: str = DEFAULT_USER_AGENT,
                     ssl_context: ssl.SSLContext | None = None) -> Revalidation:
    """`fetch` with If-None-Match / If-Modified-Since: the same checks, caps and redirects, but a
    304 or a 404/410 is an answer here, not an error (for the refresh schedule)."""
    headers: dict[str, str] = {}
    if etag and _header_safe(etag):
        headers["If-None-Match"] = etag
    if last_modified and _header_safe(last_modified):
        headers["If-Modified-Since"] = last_modified

    def read(final_url: str, response: http.client.HTTPResponse, deadline: _Deadline,
             cap: int) -> Revalidation:
        new_etag = response.getheader("ETag") or None
        new_modified = response.getheader("Last-Modified") or None
        if response.status == 304 or response.status in (404, 410):
            return Revalidation(final_url, response.status, None, new_etag or etag,
                                new_modified or last_modified)
        page = _read_page(final_url, response, deadline, cap)
        return Revalidation(final_url, response.status, page, new_etag, new_modified)

    return _get(url, sites, read, accept=HTML_ACCEPT, connect_timeout=connect_timeout,
                total_timeout=total_timeout, max_bytes=max_bytes, max_redirects=max_redirects,
                user_agent=user_agent, ssl_context=ssl_context, headers=headers)


def _header_safe(value: str) -> bool:
    """A stored validator goes back into a request header: no line breaks, printable, short."""
    return len(value) <= 1024 and all(32 <= ord(c) < 127 for c in value)


@dataclass
class FetchedFile:
    """A fetched non-HTML resource (a sitemap, a URL list): raw bytes, already decompressed."""

    url: str  # final URL after redirects
    body: bytes
    status: int
    content_type: str  # media type as the server sent it, "" when it sent none
    charset: str | None  # the Content-Type charset parameter, if any
    gunzipped: bool  # True when the file itself was gzip (e.g. sitemap.xml.gz) and was unpacked


def fetch_bytes(
    url: str,
    sites,
    *,
    types: tuple[str, ...] = SITEMAP_TYPES,
    accept: str = SITEMAP_ACCEPT,
    connect_timeout: float = 5.0,
    total_timeout: float = 30.0,
    max_bytes: int = 50_000_000,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
    ssl_context: ssl.SSLContext | None = None,
) -> FetchedFile:
    """Fetch a sitemap-like file (XML, plain text or a gzip file) with the same safety as `fetch`.

    The same allow-list, vetted addresses, redirect checks and deadline apply. A gzip file (served
    as application/gzip, application/x-gzip or application/octet-stream, or named `.gz`, without
    Content-Encoding) is unpacked, and `max_bytes` counts the unpacked bytes, so a gzip bomb stops
    at the cap. `types` lists the accepted media types (`+xml` types count as XML when
    application/xml is listed); a response without Content-Type is accepted.
    """
    def read(final_url: str, response: http.client.HTTPResponse, deadline: _Deadline,
             cap: int) -> FetchedFile:
        return _read_file(final_url, response, deadline, cap, types)

    return _get(
        url, sites, read, accept=accept, connect_timeout=connect_timeout,
        total_timeout=total_timeout, max_bytes=max_bytes, max_redirects=max_redirects,
        user_agent=user_agent, ssl_context=ssl_context,
    )


def _get(url: str, sites, read, *, accept: str, connect_timeout: float, total_timeout: float,
         max_bytes: int, max_redirects: int, user_agent: str, ssl_context: ssl.SSLContext | None,
         headers: dict[str, str] | None = None):
    """GET with every check, following vetted redirects; `read` turns the final response into data.
    `headers` are added to every request (the conditional ones for a revalidation)."""
    patterns = parse_sites(sites)
    context = ssl_context or _default_ssl_context()
    visited: set[str] = set()
    with _Deadline(total_timeout) as deadline:
        target = _vet(url, patterns, deadline, connect_timeout, redirect=False)
        for redirects in range(max_redirects + 1):
            visited.add(target.url)
            conn = _open(target, deadline, connect_timeout, context, user_agent, accept, headers)
            try:
                response = conn.getresponse()
                location = response.getheader("Location")
                if response.status in REDIRECT_STATUSES and location:
                    next_url = urljoin(target.url, location.strip()).split("#", 1)[0]
                    if next_url in visited:
                        raise FetchError(
                            "Sidan omdirigerar i en slinga. / The page redirects in a loop.",
                            code="redirect_loop",
                        )
                    if redirects == max_redirects:
                        raise FetchError(
                            f"För många omdirigeringar (fler än {max_redirects}). / "
                            f"Too many redirects (more than {max_redirects}).",
                            code="too_many_redirects",
                        )
                    target = _vet(next_url, patterns, deadline, connect_timeout, redirect=True)
                    continue
                return read(target.url, response, deadline, max_bytes)
            except (OSError, http.client.HTTPException) as exc:
                if deadline.expired:
                    raise deadline.error() from exc
                raise FetchError(
                    "Sidan kunde inte hämtas (anslutningen bröts). / "
                    "The page could not be fetched (the connection failed).",
                ) from exc
            finally:
                conn.close()
    raise AssertionError("unreachable")  # pragma: no cover


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    """The system trust store with hostname checks, loaded once (contexts are thread-safe)."""
    return ssl.create_default_context()


# --- checking a URL ---------------------------------------------------------------------------


def _vet(url: str, patterns: list[SitePattern], deadline: _Deadline, connect_timeout: float,
         *, redirect: bool) -> _Target:
    """Check scheme, userinfo, allow-list and every resolved address; raise or return a target."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("not http(s)")
        host = normalize_host(parts.hostname)
    except ValueError:
        error = FetchError if redirect else BadRequest
        what = "omdirigeras till" if redirect else "är"
        raise error(
            f"Adressen {what} inte en giltig http- eller https-adress. / "
            f"The {'redirect target' if redirect else 'address'} is not a valid http or https URL.",
            code="bad_redirect" if redirect else "bad_url",
        ) from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        error = FetchError if redirect else BadRequest
        raise error(
            "Adresser med användarnamn eller lösenord tillåts inte. / "
            "URLs with a user name or password are not allowed.",
            code="bad_redirect" if redirect else "bad_url",
        )
    port = port if port is not None else DEFAULT_PORTS[scheme]
    clean = url.strip().split("#", 1)[0]
    origin = origin_of(clean)
    pattern = match_site(clean, patterns)
    if pattern is None:
        where = "Sidan omdirigerar till en webbplats" if redirect else "Webbplatsen"
        raise SiteNotAllowed(
            f"{where} som inte finns bland de tillåtna (LYSSNA_SITES): {origin}. / "
            f"{'The page redirects to a site' if redirect else 'The site'} is not in the allowed "
            f"list (LYSSNA_SITES): {origin}."
        )
    addresses = _resolve(host, port, deadline, connect_timeout)
    if not pattern.exact:
        for _family, sockaddr in addresses:
            if not is_public_address(sockaddr[0]):
                raise SiteNotAllowed(
                    f"{origin} pekar på en intern eller privat adress och får inte hämtas. / "
                    f"{origin} resolves to an internal or private address and may not be fetched."
                )
    path = parts.path or "/"
    path = quote(path, safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(clean, scheme, host, port, path, addresses)


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, CGNAT, ...).

    Addresses that embed an IPv4 address (IPv4-mapped, 6to4, NAT64) are judged by that address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        if ip.sixtofour is not None:
            return is_public_address(str(ip.sixtofour))
        if ip.teredo is not None:
            return False
        if ip in _NAT64:
            return is_public_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
        or ip.is_multicast or ip.is_reserved or ip in _CGNAT or not ip.is_global
    )


_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _resolve(host: str, port: int, deadline: _Deadline, connect_timeout: float) -> tuple[tuple, ...]:
    """getaddrinfo within the deadline (it has no timeout of its own, so it runs in a thread)."""
    result: list = []

    def lookup() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            result.append(exc)

    worker = threading.Thread(target=lookup, name="lyssna-dns", daemon=True)
    worker.start()
    worker.join(min(deadline.remaining(), max(connect_timeout, 0.001)))
    if not result:
        if deadline.expired:
            raise deadline.error()
        raise FetchError(
            f"Namnuppslagningen för {host} tog för lång tid. / The DNS lookup for {host} timed out.",
            code="fetch_timeout",
        )
    if isinstance(result[0], Exception) or not result[0]:
        raise FetchError(
            f"Webbplatsens namn kunde inte slås upp: {host}. / The host name could not be resolved: {host}.",
            code="dns_failed",
        )
    seen: list[tuple] = []
    for family, _type, _proto, _canon, sockaddr in result[0]:
        if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr) not in seen:
            seen.append((family, sockaddr))
    if not seen:
        raise FetchError(
            f"Webbplatsens namn kunde inte slås upp: {host}. / The host name could not be resolved: {host}.",
            code="dns_failed",
        )
    return tuple(seen)


# --- connecting to the vetted address -----------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTPConnection that connects to an address we already checked, never re-resolving."""

    def __init__(self, target: _Target, deadline: _Deadline, connect_timeout: float):
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self._target = target
        self._deadline = deadline
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        last: Exception | None = None
        for family, sockaddr in self._target.addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            self._deadline.watch(sock)
            try:
                sock.settimeout(max(0.001, min(self._connect_timeout, self._deadline.left())))
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last = exc
                if self._deadline.expired:
                    break
                continue
            sock.settimeout(max(0.001, self._deadline.left()))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = sock
            return
        if self._deadline.expired or isinstance(last, TimeoutError):
            raise _ConnectTimeout() from last
        raise _ConnectFailed() from last


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to the vetted address, with SNI and certificate checks against the host name."""

    default_port = 443

    def __init__(self, target: _Target, deadline: _Deadline, connect_timeout: float,
                 context: ssl.SSLContext):
        super().__init__(target, deadline, connect_timeout)
        self._context = context

    def connect(self) -> None:
        super().connect()
        try:
            self.sock = self._context.wrap_socket(self.sock, server_hostname=self._target.host)
        except ssl.SSLCertVerificationError as exc:
            raise _TLSFailed(str(exc.verify_message or exc)) from exc
        except ssl.SSLError as exc:
            raise _TLSFailed(str(exc)) from exc
        self._deadline.watch(self.sock)


class _ConnectFailed(Exception):
    pass


class _ConnectTimeout(Exception):
    pass


class _TLSFailed(Exception):
    pass


def _open(target: _Target, deadline: _Deadline, connect_timeout: float, context: ssl.SSLContext,
          user_agent: str, accept: str = HTML_ACCEPT,
          headers: dict[str, str] | None = None) -> http.client.HTTPConnection:
    """Connect and send the GET; translate connection problems into Swedish-first errors."""
    if target.scheme == "https":
        conn: http.client.HTTPConnection = _PinnedHTTPSConnection(target, deadline, connect_timeout, context)
    else:
        conn = _PinnedHTTPConnection(target, deadline, connect_timeout)
    try:
        conn.putrequest("GET", target.path, skip_accept_encoding=True)
        conn.putheader("User-Agent", user_agent)
        conn.putheader("Accept", accept)
        conn.putheader("Accept-Encoding", "gzip, deflate")
        conn.putheader("Accept-Language", "sv,en;q=0.5")
        conn.putheader("Connection", "close")
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
    except _ConnectTimeout:
        conn.close()
        raise deadline.error() if deadline.expired else FetchError(
            "Webbplatsen svarade inte på anslutningsförsöket i tid. / "
            "The site did not accept the connection in time.",
            code="fetch_timeout",
        ) from None
    except _ConnectFailed:
        conn.close()
        raise FetchError(
            f"Det gick inte att ansluta till {origin_of(target.url)}. / "
            f"Could not connect to {origin_of(target.url)}.",
            code="connect_failed",
        ) from None
    except _TLSFailed as exc:
        conn.close()
        if deadline.expired:
            raise deadline.error() from None
        raise FetchError(
            f"Webbplatsens certifikat kunde inte verifieras ({exc}). / "
            f"The site's TLS certificate could not be verified ({exc}).",
            code="tls_failed",
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        if deadline.expired:
            raise deadline.error() from exc
        raise FetchError(
            "Sidan kunde inte hämtas (anslutningen bröts). / "
            "The page could not be fetched (the connection failed).",
        ) from exc
    return conn


# --- the deadline -----------------------------------------------------------------------------


class _Deadline:
    """One deadline for the whole fetch; when it passes, the current socket is shut down.

    Socket timeouts only bound a single wait, so a server that drips a byte a second could keep
    us forever; shutting the socket down from a timer ends any read in progress.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    @property
    def expired(self) -> bool:
        return self._fired or time.monotonic() >= self.end

    def left(self) -> float:
        """Seconds left, possibly zero or negative; for socket timeouts."""
        return self.end - time.monotonic()

    def remaining(self) -> float:
        """Seconds left; raises the timeout error when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self._fired:
            raise self.error()
        return left

    def error(self) -> FetchError:
        swedish = f"{self.seconds:g}".replace(".", ",")
        return FetchError(
            f"Sidan svarade inte i tid (gränsen är {swedish} s). / "
            f"The page did not respond in time (the limit is {self.seconds:g} s).",
            code="fetch_timeout",
        )

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            fired = self._fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            sock = self._sock
        if sock is not None:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:  # the plain socket method: SSLSocket.shutdown would also tear down TLS state under a reader
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


# --- reading and decoding the response ----------------------------------------------------------


def _read_page(url: str, response: http.client.HTTPResponse, deadline: _Deadline,
               max_bytes: int) -> FetchedPage:
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
    media_type, params = _parse_content_type(content_type)
    if media_type and media_type not in HTML_TYPES:
        raise FetchError(
            f"Adressen pekar inte på en webbsida utan på {media_type}. / "
            f"The address is not a web page but {media_type}.",
            code="not_html",
        )
    body = _read_body(response, deadline, max_bytes)
    if not media_type:  # no Content-Type at all: accept only what plainly is HTML
        if not re.match(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head)", body[:1024], re.I | re.S):
            raise FetchError(
                "Adressen pekar inte på en webbsida (ingen innehållstyp). / "
                "The address is not a web page (no content type).",
                code="not_html",
            )
        media_type = "text/html"
    html, encoding = decode_html(body, params.get("charset"))
    return FetchedPage(url=url, html=html, status=status, content_type=media_type, encoding=encoding)


def _read_file(url: str, response: http.client.HTTPResponse, deadline: _Deadline, max_bytes: int,
               types: tuple[str, ...]) -> FetchedFile:
    """Check status and type, read with the cap, and unpack a gzip file (also capped)."""
    status = response.status
    if not 200 <= status < 300:
        raise FetchError(
            f"Filen kunde inte hämtas (HTTP {status}). / The file could not be fetched (HTTP {status}).",
            code="http_error",
        )
    media_type, params = _parse_content_type(response.getheader("Content-Type") or "")
    xml_ok = "application/xml" in types and media_type.endswith("+xml")
    if media_type and media_type not in types and not xml_ok:
        raise FetchError(
            f"Adressen pekar på {media_type}, som inte kan läsas här. / "
            f"The address points to {media_type}, which cannot be read here.",
            code="unsupported_type",
        )
    body = _read_body(response, deadline, max_bytes)
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


def _read_body(response: http.client.HTTPResponse, deadline: _Deadline, max_bytes: int) -> bytes:
    """Read, decompress and cap the body; the cap counts decompressed bytes."""
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)  # refused before reading a byte of it
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
                raise _too_large(max_bytes)
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
            raise _too_large(self.max_bytes)
        self.parts.append(data)

    @staticmethod
    def _corrupt() -> FetchError:
        return FetchError(
            "Sidans komprimerade innehåll är trasigt. / The page's compressed content is corrupt.",
            code="bad_encoding",
        )


def _too_large(max_bytes: int) -> TooLarge:
    size = f"{max_bytes / 1_000_000:g} MB" if max_bytes >= 100_000 else f"{max_bytes} byte"
    return TooLarge(
        f"Sidan är för stor (mer än {size}). / The page is too large (more than {size}).",
        code="page_too_large",
    )


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """('text/html', {'charset': 'utf-8'}) from a Content-Type header."""
    media, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        if "=" in item:
            key, _, val = item.partition("=")
            params[key.strip().lower()] = val.strip().strip("\"'")
    return media.strip().lower(), params


def _codec_for(label: str | None, *, allow_utf16: bool = False) -> str | None:
    """A Python codec name for a charset label, following browsers (latin-1 means windows-1252)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "windows-1252"
    if label in ("utf8", "unicode-1-1-utf-8", "utf-8"):
        return "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
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
    encoding = _codec_for(header_charset, allow_utf16=True)
    if encoding is None:
        for match in _META_CHARSET.finditer(body[:META_SCAN_BYTES]):
            encoding = _codec_for(match.group(1).decode("ascii", "ignore"))
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
