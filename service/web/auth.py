"""Admin authentication, shared by the admin UI and the admin API: the password check and the
lockout. No password configured means no admin at all.

- Any password string works: both sides are compared as NFC-normalised UTF-8 bytes, by digest in
  constant time (the length does not leak either). A header reaches WSGI as its raw bytes decoded
  as latin-1, so `header_bytes` takes those bytes back: curl and browsers send UTF-8, Python's
  requests latin-1, and both are understood.
- Every check passes the lockout first (`store.logins`, in SQLite so all processes share it): per
  client, an address or an IPv6 /64 (one subscriber, who can pick any address in it), and
  service-wide. A client that must wait gets `LockedOut`: 429 with Retry-After.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import unicodedata

from flask import request

from service.errors import LockedOut

from .state import state


def password_bytes(text: str) -> bytes:
    """A password as compared: NFC-normalised UTF-8; bytes the environment could not decode
    (surrogate escapes) are kept as they were, and nothing makes this raise."""
    text = unicodedata.normalize("NFC", text)
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def header_bytes(value: str) -> bytes:
    """The raw bytes of a header value as WSGI hands it over (latin-1 decoded)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not from a WSGI server's bytes: already text
        return value.encode("utf-8", "surrogatepass")


def _readings(given: str | bytes) -> list[bytes]:
    """What the client may have meant: text as it is; bytes as UTF-8 when they are UTF-8, else as
    they are and as latin-1 text."""
    if isinstance(given, str):
        return [password_bytes(given)]
    try:
        return [password_bytes(given.decode("utf-8"))]
    except UnicodeDecodeError:
        return [given, password_bytes(given.decode("latin-1"))]


def password_matches(given: str | bytes, expected: str) -> bool:
    """Constant-time compare of digests; `given` is a form's text or a header's raw bytes."""
    want = hashlib.sha256(password_bytes(expected)).digest()
    found = False
    for candidate in _readings(given):
        found |= hmac.compare_digest(hashlib.sha256(candidate).digest(), want)
    return found


def password_tag(secret: str | bytes, password: str) -> str:
    """Changes when the password changes, so sessions made under another one end (a keyed hash,
    never the password itself)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, password_bytes(password), hashlib.sha256).hexdigest()[:32]


def client_key(address: str | None) -> str:
    """Whom the lockout counts: an IPv4 address, or the /64 network of an IPv6 address."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return address or "?"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def authenticate(given: str | bytes, expected: str) -> bool:
    """Check a password from this request's client under the lockout, and record the outcome.
    Raises LockedOut while the client must wait."""
    attempts = state().login_attempts
    attempt = attempts.admit(client_key(request.remote_addr))
    if attempt.wait_s > 0:
        wait = _duration(attempt.wait_s)
        raise LockedOut(f"För många misslyckade inloggningar; försök igen om {wait}. / "
                        f"Too many failed logins; try again in {wait}.",
                        retry_after=math.ceil(attempt.wait_s))
    if password_matches(given, expected):
        attempts.succeeded(attempt)
        return True
    attempts.failed(attempt)
    return False


def _duration(seconds: float) -> str:
    """"45 s", "4 min" (the same in Swedish and English)."""
    seconds = math.ceil(seconds)
    return f"{seconds} s" if seconds < 90 else f"{math.ceil(seconds / 60)} min"
