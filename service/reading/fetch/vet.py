"""Checking a URL before anything is sent: scheme, user info, the allow-list, and every address
the host resolves to. The connection then goes to exactly the addresses checked here, so a second
DNS answer cannot lead inside (DNS rebinding).
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from service.errors import BadRequest, FetchError, SiteNotAllowed

from ..sites import DEFAULT_PORTS, SitePattern, match_site, normalize_host, origin_of
from .deadline import Deadline


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str  # normalised (punycode, lower case), used for Host, SNI and certificate checks
    port: int
    path: str  # path + query, percent-encoded
    addresses: tuple[tuple, ...]  # vetted getaddrinfo results: (family, sockaddr)




def vet(url: str, patterns: list[SitePattern], deadline: Deadline, connect_timeout: float,
         *, redirect: bool) -> Target:
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
    addresses = resolve(host, port, deadline, connect_timeout)
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
    return Target(clean, scheme, host, port, path, addresses)


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
        if ip.is_site_local:  # fec0::/10: deprecated, but routed inside sites that still use it
            return False
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
        or ip.is_multicast or ip.is_reserved or ip in _CGNAT or not ip.is_global
    )


_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve(host: str, port: int, deadline: Deadline, connect_timeout: float) -> tuple[tuple, ...]:
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


