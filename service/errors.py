"""Error types, one per pipeline stage; the web layer maps them to HTTP once."""
from __future__ import annotations


class LyssnaError(Exception):
    """Base error. `code` is machine readable, the message is for people (Swedish first)."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadRequest(LyssnaError):
    code = "bad_request"
    status = 400


class FetchError(LyssnaError):
    """The page could not be fetched (network, timeout, HTTP error, not HTML)."""

    code = "fetch_failed"
    status = 502


class SiteNotAllowed(FetchError):
    """The URL's origin is not in LYSSNA_SITES, or resolves to a private address."""

    code = "site_not_allowed"
    status = 403


class TooLarge(LyssnaError):
    code = "too_large"
    status = 413


class ExtractError(LyssnaError):
    """The page has nothing to read."""

    code = "nothing_to_read"
    status = 422


class EngineError(LyssnaError):
    """No voice could speak the text."""

    code = "voice_unavailable"
    status = 503


class Busy(LyssnaError):
    """Another request has been doing the same work for longer than it should; try again soon."""

    code = "busy"
    status = 503
    retry_after = 5


class NotAuthenticated(LyssnaError):
    code = "not_authenticated"
    status = 401


class AdminDisabled(LyssnaError):
    code = "not_found"
    status = 404


class NotFound(LyssnaError):
    """What was asked for does not exist (a reading, an audio file, a lexicon entry)."""

    code = "not_found"
    status = 404


class SelectionNotOnPage(LyssnaError):
    """A visitor's selection must be text of the page it is read for (no free text-to-speech)."""

    code = "selection_not_on_page"
    status = 403


class TooManyRequests(LyssnaError):
    """A client is over its share (new readings, posted bytes); `retry_after` seconds until it is not."""

    code = "too_many_requests"
    status = 429

    def __init__(self, message: str, *, retry_after: int = 60, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class LockedOut(TooManyRequests):
    """Too many failed admin logins: the client waits `retry_after` seconds before it may try again."""

    code = "locked_out"
