"""Forwarded headers are believed only from the reverse proxies the operator names.

Behind a TLS proxy the service must know the visitor's address (for lockouts and limits) and that
the request came over https (for Secure cookies). `X-Forwarded-For` / `-Proto` / `-Host` say so,
but anyone can send them: werkzeug's ProxyFix is applied only when the connection itself comes
from an address in LYSSNA_TRUSTED_PROXIES, and the headers are ignored otherwise.
"""
from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import ConfigError


class TrustedProxies:
    """WSGI middleware: ProxyFix (one proxy hop) for requests from a trusted proxy, nothing else."""

    def __init__(self, app, proxies: list[str]):
        self.app = app
        try:
            self.networks = [ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip()]
        except ValueError as e:
            raise ConfigError(f"LYSSNA_TRUSTED_PROXIES: {e}") from None
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    def __call__(self, environ, start_response):
        if self.networks and self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)
