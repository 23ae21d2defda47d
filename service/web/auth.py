"""Admin authentication for the web layer: a bearer token (LYSSNA_ADMIN_PASSWORD), lockout on abuse.

No password configured means no admin at all: admin routes answer 404, as if they did not exist.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import wraps

from flask import current_app, request

from .auth_state import FailureLog  # noqa: F401 - re-exported for the web layer
from service.errors import AdminDisabled, LockedOut, NotAuthenticated


def password_matches(given: str, expected: str) -> bool:
    """Constant-time compare of digests (lengths never leak)."""
    a = hashlib.sha256(given.encode("utf-8")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)


def check_token() -> None:
    """Raise unless the request carries `Authorization: Bearer <admin password>`."""
    password = current_app.config.get("ADMIN_PASSWORD")
    if not password:
        raise AdminDisabled("Administrationen är avstängd (LYSSNA_ADMIN_PASSWORD saknas). / "
                            "Admin is disabled (LYSSNA_ADMIN_PASSWORD is not set).")
    failures: FailureLog = current_app.extensions["lyssna"]["auth_failures"]
    who = request.remote_addr or "?"
    if failures.locked(who):
        raise LockedOut("För många misslyckade inloggningar; försök igen om några minuter. / "
                        "Too many failed logins; try again in a few minutes.")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Inloggning krävs: skicka Authorization: Bearer <lösenord>. / "
                               "Authentication required: send Authorization: Bearer <password>.")
    if not password_matches(token.strip(), password):
        failures.fail(who)
        raise NotAuthenticated("Fel lösenord. / Wrong password.")
    failures.clear(who)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        check_token()
        return view(*args, **kwargs)

    return wrapper
