"""One language at a time in the admin UI: Swedish by default, English as a per-session choice.

Templates say `{{ t('Sidor', 'Pages') }}` and `{{ plural(n, 'sida', 'sidor', 'page', 'pages') }}`;
Python messages that reach the admin (errors, flashes) are often written "svenska / English" and
`pick` keeps the half in the admin's language. Swedish is the source; nothing is looked up in a
catalogue, so a string and its translation are always read side by side.
"""
from __future__ import annotations

from flask import current_app, session

LANGUAGES = ("sv", "en")


def language() -> str:
    """The admin's language: the session's choice, else LYSSNA_ADMIN_LANGUAGE, else Swedish."""
    chosen = session.get("lang") or current_app.config.get("ADMIN_LANGUAGE")
    return chosen if chosen in LANGUAGES else "sv"


def t(sv: str, en: str) -> str:
    """The text in the admin's language."""
    return en if language() == "en" else sv


def plural(n: int, sv_one: str, sv_other: str, en_one: str, en_other: str) -> str:
    """"1 sida", "2 sidor", "0 sidor" (numbers with a Swedish thin grouping space)."""
    one = n == 1
    word = (en_one if one else en_other) if language() == "en" else (sv_one if one else sv_other)
    return f"{number(n)} {word}"


def number(n: int | float) -> str:
    """12 345 in Swedish, 12,345 in English."""
    text = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"
    if language() == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def pick(message: str) -> str:
    """"Svenska. / English." → the half in the admin's language; a message without " / " as is."""
    if " / " not in message:
        return message
    sv, en = message.split(" / ", 1)
    return en.strip() if language() == "en" else sv.strip()


def helpers() -> dict:
    """What templates get."""
    return {"t": t, "plural": plural, "number": number, "pick": pick, "admin_language": language}
