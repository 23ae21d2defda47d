"""Fetch one page (or sitemap) safely: the fetcher must never be a door into private networks.

Why it is built on http.client and not a convenience library: we resolve the host ourselves,
refuse private and internal addresses, and then connect to exactly the address we checked, so a
second DNS answer cannot redirect us inside (DNS rebinding). Every redirect goes through the same
checks. One deadline covers DNS, connecting, TLS, headers, redirects and the body; the body is
capped after decompression, so a small gzip bomb cannot inflate into memory.

Modules: `vet` (is this URL allowed, and where may we connect), `connection` (connect to exactly
that address), `deadline` (one time limit for everything), `body` (read, cap, decode), `limits`
(the limits, passed whole); this file is the API.
"""
from __future__ import annotations

import functools
import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin

from service.errors import FetchError
from service.models import FetchedPage

from ..sites import parse_sites
from .body import GZIP_TYPES, FetchedFile, codec_for, decode_html, read_file, read_page
from .connection import open_request
from .deadline import Deadline
from .limits import FetchLimits
from .vet import is_public_address, vet

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,application/pdf;q=0.8,*/*;q=0.1"
# What a sitemap may be served as: XML (also RSS/Atom feeds), plain text, or a gzip file.
SITEMAP_TYPES = ("application/xml", "text/xml", "text/plain", *GZIP_TYPES)
SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,text/plain;q=0.8,application/gzip;q=0.5,*/*;q=0.1"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

__all__ = ["FetchLimits", "FetchedFile", "FetchedPage", "Revalidation", "codec_for", "decode_html", "fetch",
           "fetch_bytes", "fetch_if_changed", "is_public_address"]


def fetch(url: str, sites, limits: FetchLimits = FetchLimits(), *, documents: bool = True,
          ssl_context: ssl.SSLContext | None = None) -> FetchedPage:
    """Fetch an HTML page from an allowed site and decode it to text; or, with `documents`, a PDF
    (its bytes, up to `limits.max_document_bytes`).

    `sites` is the allow-list (a `LYSSNA_SITES` string, a list of entries or parsed patterns).
    `ssl_context` defaults to the system trust store with hostname checks; pass one to trust an
    extra CA. Raises BadRequest (bad URL), SiteNotAllowed (403), FetchError (502), TooLarge (413).
    """
    doc_cap = limits.max_document_bytes if documents else 0

    def read(final_url: str, response: http.client.HTTPResponse, deadline: Deadline, cap: int) -> FetchedPage:
        return read_page(final_url, response, deadline, cap, doc_cap)

    return _get(url, sites, read, limits, accept=PAGE_ACCEPT if documents else HTML_ACCEPT,
                ssl_context=ssl_context)


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


def fetch_if_changed(url: str, sites, limits: FetchLimits = FetchLimits(), *, etag: str | None = None,
                     last_modified: str | None = None,
                     ssl_context: ssl.SSLContext | None = None) -> Revalidation:
    """`fetch` with If-None-Match / If-Modified-Since: the same checks, caps and redirects, but a
    304 or a 404/410 is an answer here, not an error (for the refresh schedule)."""
    headers: dict[str, str] = {}
    if etag and _header_safe(etag):
        headers["If-None-Match"] = etag
    if last_modified and _header_safe(last_modified):
        headers["If-Modified-Since"] = last_modified

    def read(final_url: str, response: http.client.HTTPResponse, deadline: Deadline,
             cap: int) -> Revalidation:
        new_etag = response.getheader("ETag") or None
        new_modified = response.getheader("Last-Modified") or None
        if response.status == 304 or response.status in (404, 410):
            return Revalidation(final_url, response.status, None, new_etag or etag,
                                new_modified or last_modified)
        page = read_page(final_url, response, deadline, cap, limits.max_document_bytes)
        return Revalidation(final_url, response.status, page, new_etag, new_modified)

    return _get(url, sites, read, limits, accept=PAGE_ACCEPT, ssl_context=ssl_context, headers=headers)


def _header_safe(value: str) -> bool:
    """A stored validator goes back into a request header: no line breaks, printable, short."""
    return len(value) <= 1024 and all(32 <= ord(c) < 127 for c in value)


def fetch_bytes(url: str, sites, limits: FetchLimits = FetchLimits.for_sitemaps(), *,
                types: tuple[str, ...] = SITEMAP_TYPES, accept: str = SITEMAP_ACCEPT,
                ssl_context: ssl.SSLContext | None = None) -> FetchedFile:
    """Fetch a sitemap-like file (XML, plain text or a gzip file) with the same safety as `fetch`.

    The same allow-list, vetted addresses, redirect checks and deadline apply. A gzip file (served
    as application/gzip, application/x-gzip or application/octet-stream, or named `.gz`, without
    Content-Encoding) is unpacked, and `limits.max_bytes` counts the unpacked bytes, so a gzip bomb
    stops at the cap. `types` lists the accepted media types (`+xml` types count as XML when
    application/xml is listed); a response without Content-Type is accepted.
    """
    def read(final_url: str, response: http.client.HTTPResponse, deadline: Deadline,
             cap: int) -> FetchedFile:
        return read_file(final_url, response, deadline, cap, types)

    return _get(url, sites, read, limits, accept=accept, ssl_context=ssl_context)


def _get(url: str, sites, read, limits: FetchLimits, *, accept: str, ssl_context: ssl.SSLContext | None,
         headers: dict[str, str] | None = None):
    """GET with every check, following vetted redirects; `read` turns the final response into data.
    `headers` are added to every request (the conditional ones for a revalidation)."""
    patterns = parse_sites(sites)
    context = ssl_context or _default_ssl_context()
    connect_timeout = limits.connect_timeout
    visited: set[str] = set()
    with Deadline(limits.total_timeout) as deadline:
        target = vet(url, patterns, deadline, connect_timeout, redirect=False)
        for redirects in range(limits.max_redirects + 1):
            visited.add(target.url)
            conn = open_request(target, deadline, connect_timeout, context, limits.user_agent, accept, headers)
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
                    if redirects == limits.max_redirects:
                        raise FetchError(
                            f"För många omdirigeringar (fler än {limits.max_redirects}). / "
                            f"Too many redirects (more than {limits.max_redirects}).",
                            code="too_many_redirects",
                        )
                    target = vet(next_url, patterns, deadline, connect_timeout, redirect=True)
                    continue
                return read(target.url, response, deadline, limits.max_bytes)
            except (OSError, http.client.HTTPException) as exc:
                raise deadline.connection_failed() from exc
            finally:
                conn.close()
    raise AssertionError("unreachable")  # pragma: no cover


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    """The system trust store with hostname checks, loaded once (contexts are thread-safe)."""
    return ssl.create_default_context()
