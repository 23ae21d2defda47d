"""One deadline for a whole fetch, enforced by shutting the socket down when it passes."""
from __future__ import annotations

import socket
import threading
import time

from service.errors import FetchError


class Deadline:
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

    def __enter__(self) -> Deadline:
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

    def connection_failed(self) -> FetchError:
        """What a broken connection means: the deadline, if it passed (it shut the socket down)."""
        if self.expired:
            return self.error()
        return FetchError("Sidan kunde inte hämtas (anslutningen bröts). / "
                          "The page could not be fetched (the connection failed).")

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            fired = self._fired
        if fired:
            shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            sock = self._sock
        if sock is not None:
            shutdown(sock)


def shutdown(sock: socket.socket) -> None:
    try:  # the plain socket method: SSLSocket.shutdown would also tear down TLS state under a reader
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


