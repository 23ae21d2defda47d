"""Connecting to the vetted address (never re-resolving the name) and sending the GET, with
connection problems turned into Swedish-first errors."""
from __future__ import annotations

import http.client
import socket
import ssl

from service.errors import FetchError

from ..sites import origin_of
from .deadline import Deadline
from .vet import Target


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTPConnection that connects to an address we already checked, never re-resolving."""

    def __init__(self, target: Target, deadline: Deadline, connect_timeout: float):
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

    def __init__(self, target: Target, deadline: Deadline, connect_timeout: float,
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


def open_request(target: Target, deadline: Deadline, connect_timeout: float, context: ssl.SSLContext,
                 user_agent: str, accept: str, headers: dict[str, str] | None = None) -> http.client.HTTPConnection:
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
        raise deadline.connection_failed() from exc
    return conn


