"""Run the Flask (WSGI) app for the ASGI server: everything that is not audio delivery.

Why a bridge of our own: the production server (granian, ASGI) serves audio natively, without a
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


def environ_for(scope: dict, body: bytes, declared_length: int | None) -> dict:
    """A WSGI environ from an ASGI scope (PEP 3333: PATH_INFO and headers as latin-1 strings)."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] if server[1] is not None else 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(declared_length if declared_length is not None else len(body)),
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in ("content-length", "transfer-encoding"):
            continue  # the body is here whole, de-chunked: CONTENT_LENGTH says how long
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        if key in environ:
            value = environ[key] + ("; " if name == "cookie" else ", ") + value
        environ[key] = value
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
    """Hands ASGI requests to a WSGI app on a thread pool; reads at most `max_body` bytes of a body."""

    def __init__(self, app: Callable, max_body: int, threads: int) -> None:
        self.app = app
        self.max_body = max_body
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lyssna-http")

    async def __call__(self, scope: dict, receive, send) -> None:
        body, declared = await self._body(scope, receive)
        environ = environ_for(scope, body, declared)
        loop = asyncio.get_running_loop()
        status, headers, data = await loop.run_in_executor(self.pool, run, self.app, environ)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else data})

    async def _body(self, scope: dict, receive) -> tuple[bytes, int | None]:
        """The body, or (b"", length) when it is longer than allowed: Flask then answers 413."""
        declared = None
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-length" and value.isdigit():
                declared = int(value)
        if declared is not None and declared > self.max_body:
            return b"", declared
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return bytes(body), None
            body += message.get("body", b"")
            if len(body) > self.max_body:
                return b"", len(body)
            if not message.get("more_body", False):
                return bytes(body), None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
