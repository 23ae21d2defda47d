"""The origin allow-list (`LYSSNA_SITES`): parsing, normalising and matching origins.

One place decides what "the same origin" means, so the fetcher and CORS can never disagree.
An entry is an exact origin (`https://www.example.se`, `http://127.0.0.1:8080`) or a wildcard
for subdomains (`https://*.example.se`, which matches `https://a.example.se` and
`https://a.b.example.se` but not `https://example.se` itself; list that one too if wanted).
Origins are normalised the way browsers do: scheme and host lower-cased, default ports dropped,
international domain names in punycode, a trailing dot or slash ignored.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

try:  # IDNA 2008 / UTS 46, as browsers do; installed alongside requests.
    import idna as _idna
except ImportError:  # pragma: no cover - the stdlib codec (IDNA 2003) is close enough
    _idna = None

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SitePattern:
    """One allow-list entry. For a wildcard, `host` is the parent domain without the `*.`."""

    scheme: str
    host: str
    port: int
    wildcard: bool = False

    @property
    def exact(self) -> bool:
        """True when the entry names one origin (not a wildcard)."""
        return not self.wildcard

    @property
    def origin(self) -> str:
        """The entry written back in normalised form, e.g. `https://*.example.se`."""
        host = f"*.{self.host}" if self.wildcard else self.host
        return _format_origin(self.scheme, host, self.port)

    def matches(self, scheme: str, host: str, port: int) -> bool:
        """Whether a normalised (scheme, host, port) falls under this entry."""
        if scheme != self.scheme or port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host) and not _is_ip(host)
        return host == self.host

    def __str__(self) -> str:
        return self.origin


def normalize_host(host: str) -> str:
    """Lower-case, strip a trailing dot, IDN to punycode, IPv6 to its compressed form."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise ValueError("empty host")
    if ":" in host:  # only an IPv6 literal can contain a colon here
        return str(ipaddress.IPv6Address(host.split("%", 1)[0]))
    if host.isascii():
        return host
    if _idna is not None:
        try:
            return _idna.encode(host, uts46=True).decode("ascii")
        except _idna.IDNAError as exc:
            raise ValueError(f"invalid international domain name: {host!r}") from exc
    return host.encode("idna").decode("ascii")  # pragma: no cover


def split_origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, normalised. Raises ValueError when it is none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid URL: {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http or https URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL without a host: {url!r}")
    host = normalize_host(parts.hostname)
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def origin_of(url: str) -> str:
    """The normalised origin of an http(s) URL, e.g. `https://www.xn--gteborg-90a.se`."""
    scheme, host, port = split_origin(url)
    return _format_origin(scheme, host, port)


def parse_sites(value: str | list[str] | tuple[str, ...] | None) -> list[SitePattern]:
    """Parse `LYSSNA_SITES` (comma separated) or a list of entries; bad entries raise ValueError."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    patterns: list[SitePattern] = []
    for entry in value:
        if isinstance(entry, SitePattern):
            pattern = entry
        else:
            entry = entry.strip()
            if not entry:
                continue
            pattern = _parse_entry(entry)
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


def match_site(url: str, sites) -> SitePattern | None:
    """The allow-list entry the URL falls under, preferring an exact entry over a wildcard.

    `result.exact` tells whether the URL's origin is listed by name. Invalid URLs match nothing.
    """
    try:
        scheme, host, port = split_origin(url)
    except ValueError:
        return None
    found: SitePattern | None = None
    for pattern in _as_patterns(sites):
        if pattern.matches(scheme, host, port):
            if pattern.exact:
                return pattern
            found = found or pattern
    return found


def is_allowed_origin(origin: str, sites) -> bool:
    """Whether a browser `Origin` header value is allowed (for CORS); `null` never is."""
    if not origin or origin.strip().lower() == "null":
        return False
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return False
    return match_site(origin, sites) is not None


def _as_patterns(sites) -> list[SitePattern]:
    if isinstance(sites, list) and all(isinstance(s, SitePattern) for s in sites):
        return sites
    return parse_sites(sites)


def _parse_entry(entry: str) -> SitePattern:
    if "://" not in entry:
        raise ValueError(f"LYSSNA_SITES entry needs a scheme (https://...): {entry!r}")
    scheme, rest = entry.split("://", 1)
    wildcard = rest.startswith("*.")
    if wildcard:
        rest = rest[2:]
    if "*" in rest:
        raise ValueError(f"a wildcard may only be the first label (https://*.example.se): {entry!r}")
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid LYSSNA_SITES entry: {entry!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"LYSSNA_SITES entries must be http or https: {entry!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"LYSSNA_SITES entries may not contain a user name: {entry!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"LYSSNA_SITES entries are origins, without a path: {entry!r}")
    if not parts.hostname:
        raise ValueError(f"LYSSNA_SITES entry without a host: {entry!r}")
    host = normalize_host(parts.hostname)
    if wildcard and _is_ip(host):
        raise ValueError(f"a wildcard cannot stand for part of an IP address: {entry!r}")
    return SitePattern(scheme, host, port if port is not None else DEFAULT_PORTS[scheme], wildcard)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _format_origin(scheme: str, host: str, port: int) -> str:
    if ":" in host:
        host = f"[{host}]"
    if port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
