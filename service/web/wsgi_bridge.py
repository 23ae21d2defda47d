"""Run the Flask (WSGI) app for the RSGI server: everything that is not audio delivery.

Why a bridge of our own: the production server (granian, RSGI) serves audio natively, without a
thread per listener, and hands every other request to Flask on a small pool of threads. The body
is read here first, capped at MAX_CONTENT_LENGTH (past it Flask answers 413 without it being
held in memory), and the response is collected and sent at once: every route left to Flask
answers small, finished bodies.
"""
from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def environ_for(scope, body: bytes, declared_length: int | None) -> dict:
    """A WSGI environ from an RSGI scope (PEP 3333: PATH_INFO as latin-1 decoded bytes)."""
    server_host, _, server_port = scope.server.rpartition(":")
    client_host, _, client_port = scope.client.rpartition(":")
    environ = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_host.strip("[]") or "localhost",
        "SERVER_PORT": server_port or "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client_host.strip("[]"),
        "REMOTE_PORT": client_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(declared_length if declared_length is not None else len(body)),
    }
    for name in scope.headers.keys():
        values = scope.headers.get_all(name)
        value = ", ".join(values) if name != "cookie" else "; ".join(values)
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name != "content-length":
            environ["HTTP_" + name.upper().replace("-", "_")] = value.encode("utf-8", "surrogateescape").decode("latin-1")
    if "HTTP_HOST" not in environ and scope.authority:
        environ["HTTP_HOST"] = scope.authority
    return environ


def run(app: Callable, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call the WSGI app and collect its whole answer (in a worker thread)."""
    started: list = []

    def start_response(status: str, headers: list, exc_info=None):
        started[:] = [int(status.split(" ", 1)[0]), list(headers)]
        return lambda data: chunks.append(data)

    chunks: list[bytes] = []
    result = app(environ, start_response)
    try:
        for chunk in result:
            if chunk:
                chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return started[0], started[1], b"".join(chunks)


class WSGIBridge:
    """Hands RSGI requests to a WSGI app on a thread pool; reads at most `max_body` bytes of a body."""

    def __init__(self, app: Callable, max_body: int, threads: int) -> None:
        self.app = app
        self.max_body = max_body
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lyssna-http")

    async def __call__(self, scope, protocol) -> None:
        body, declared = await self._body(scope, protocol)
        environ = environ_for(scope, body, declared)
        loop = asyncio.get_running_loop()
        status, headers, data = await loop.run_in_executor(self.pool, run, self.app, environ)
        if scope.method == "HEAD":
            protocol.response_empty(status, headers)
        else:
            protocol.response_bytes(status, headers, data)

    async def _body(self, scope, protocol) -> tuple[bytes, int | None]:
        """The body, or (b"", length) when it is longer than allowed: Flask then answers 413."""
        declared = scope.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return b"", int(declared)
        if scope.method in ("GET", "HEAD", "OPTIONS", "DELETE") and not declared \
                and "transfer-encoding" not in scope.headers:
            return b"", None
        body = bytearray()
        async for chunk in protocol:
            body += chunk
            if len(body) > self.max_body:
                return b"", len(body)
        return bytes(body), None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
