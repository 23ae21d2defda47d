"""How far one fetch may go: timeouts, the size cap, redirects and who we say we are.

One `FetchLimits` is passed whole to every fetch, so a caller cannot set one limit and forget the
others; `from_config` and `for_sitemaps` are the two sets the service uses.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_USER_AGENT = "Lyssna/0.1 (+https://github.com/lyssna/lyssna; listen to this page)"


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 5.0  # seconds to connect to one address
    total_timeout: float = 15.0  # seconds for everything: DNS, connecting, TLS, redirects, the body
    max_bytes: int = 5_000_000  # the body, counted after decompression
    max_document_bytes: int = 30_000_000  # a document's body (a PDF), when the fetch accepts documents
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "FetchLimits":
        """Pages: LYSSNA_FETCH_CONNECT_TIMEOUT, LYSSNA_FETCH_TIMEOUT, LYSSNA_FETCH_MAX_BYTES and
        LYSSNA_DOCUMENT_MAX_BYTES."""
        return cls(connect_timeout=float(config["FETCH_CONNECT_TIMEOUT"]),
                   total_timeout=float(config["FETCH_TIMEOUT"]), max_bytes=int(config["FETCH_MAX_BYTES"]),
                   max_document_bytes=int(config.get("DOCUMENT_MAX_BYTES", cls.max_document_bytes)))

    @classmethod
    def for_sitemaps(cls, config: Mapping[str, Any] | None = None) -> "FetchLimits":
        """Sitemaps are larger and slower than pages: 30 s and 50 MB each (a sitemap may list
        50,000 URLs); connecting is as patient as for pages."""
        connect = float(config["FETCH_CONNECT_TIMEOUT"]) if config else cls.connect_timeout
        return cls(connect_timeout=connect, total_timeout=30.0, max_bytes=50_000_000)
