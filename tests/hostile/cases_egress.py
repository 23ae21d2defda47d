"""Category 3 — egress is the operator's choice. The app under test enables only the offline
engines (the default), so a `voice` naming Google (`gtts`) in any spelling, or anything that is not
an enabled engine or voice, is refused with 400 before anything leaves: no name lookup, no
connection, not even the page is fetched. Spellings of the enabled voice may be read (2xx) but
reach nothing but the allowed page.
"""
from __future__ import annotations

import re

from .checks import no_egress, not_fetched, reaches_only
from .model import BAD, OK, api, bearer, get, one, post_json

CAT = "egress"
REFUSED = ("voice_not_enabled", "unknown_voice", "malformed")
PAGE = "/article.html"

GOOGLE = [  # every way a client might name Google's engine
    "gtts:sv", "gtts", "gtts:", "gtts:en", "gtts:sv-SE", "gtts:com", "GTTS:sv", "gTTS:sv", "Gtts", "GTTS",
    "gtts:SV", "gtts :sv", "gtts: sv", "gtts\t:sv", "gtts:sv\n", "\ngtts:sv", "gtts:sv\x00", "gtts\x00:sv",
    "g tts:sv", "gtts\u200b:sv", "g\u200btts:sv", "\u200bgtts:sv", "\ufeffgtts:sv", "gtts\u00ad:sv",
    "\uff47\uff54\uff54\uff53:sv", "gtts\uff1asv", "gtts\ufe55sv", "gtts\u02d0sv", "gtts\u0589sv", "gtts\u2236sv",
    "\u0261tts:sv", "gtt\u0455:sv", "gtts\u0301:sv", "gtts:sv:sv", "gtts::sv", ":gtts", "::gtts", "gtts:sv,espeak",
    "espeak,gtts:sv", "gtts:sv;espeak:sv", "gtts/sv", "gtts-sv", "gtts.sv", "gtts%3Asv", "gtts%3asv",
    "google", "google:sv", "Google Translate", "translate.google.com", "https://translate.google.com/",
    "translate.google.com:443", "gtts:https://translate.google.com", "gtts:../../sv", "gtts:*",
]
NOT_ENABLED = [  # offline, but still not an enabled engine or voice
    "espeak:gtts", "espeak:google", "ESPEAK:sv", "Espeak:sv", "\uff45\uff53\uff50\uff45\uff41\uff4b:sv",
    "espeak:sv:gtts", "espeak:xx-nonexistent", "espeak:../../../etc/passwd", "espeak:" + "s" * 400,
    "piper:gtts:sv", "festival", "say", "sapi:sv", "polly:sv", "azure:sv-SE-SofieNeural", "openai:alloy",
    "espeak:sv\u0000", "espeak\u200b:sv",
]


def _slug(voice: str) -> str:
    """A readable id part for a voice spelling: "gtts\u200b:sv" -> "gtts-u200b-sv"."""
    return re.sub(r"[^a-z0-9]+", "-", voice.encode("unicode_escape").decode("ascii").lower()).strip("-")[:40]


def _refused(id: str, voice, url: str = "@A@" + PAGE):
    return one(id, CAT, api(url=url, voice=voice), BAD, REFUSED, checks=(no_egress(), not_fetched("A", PAGE)))


def _spelled(id: str, voice):
    """A spelling of an enabled voice: read or refused, and nothing but the page is reached."""
    return one(id, CAT, api(url="@A@/v/egress-" + id, voice=voice), OK + BAD, REFUSED,
               checks=(reaches_only("A"),))


CASES = [
    *[_refused(f"google-{i:02d}-{_slug(voice)}", voice) for i, voice in enumerate(GOOGLE)],
    *[_refused(f"not-enabled-{i:02d}-{_slug(voice)}", voice) for i, voice in enumerate(NOT_ENABLED)],
    _refused("voice-as-list", ["gtts:sv"]),
    _refused("voice-as-object", {"engine": "gtts", "voice": "sv"}),
    _refused("voice-as-number", 1),
    _refused("voice-as-true", True),
    _refused("google-for-site-not-allowed", "gtts:sv", url="@C@/article.html"),
    one("google-with-a-selection", CAT, api(url="@A@" + PAGE, voice="gtts:sv", text="Simhallen öppnar igen"),
        BAD, REFUSED, checks=(no_egress(), not_fetched("A", PAGE))),
    one("google-on-the-listen-page", CAT, get("/listen", query={"url": "@A@" + PAGE, "voice": "gtts:sv"}), BAD,
        checks=(no_egress(), not_fetched("A", PAGE))),
    one("google-spelled-on-the-listen-page", CAT,
        get("/listen", query={"url": "@A@" + PAGE, "voice": "GTTS\u200b:sv"}), BAD,
        checks=(no_egress(), not_fetched("A", PAGE))),
    one("google-through-the-admin-api", CAT,
        post_json("/api/v1/admin/pages", {"url": "@A@" + PAGE, "voice": "gtts:sv"}, headers=bearer("@PW@")), BAD,
        REFUSED, checks=(no_egress(), not_fetched("A", PAGE))),
    one("google-with-text-plain-body", CAT,
        post_json("/api/v1/readings", {"url": "@A@" + PAGE, "voice": "gtts:sv"},
                  headers={"Content-Type": "text/plain;charset=UTF-8"}), BAD, REFUSED,
        checks=(no_egress(), not_fetched("A", PAGE))),
    _spelled("enabled-padded", "  espeak:sv  "),
    _spelled("enabled-engine-only", "espeak"),
    _spelled("enabled-bare-voice", "sv"),
    _spelled("enabled-piper-falls-back", "piper"),
    _spelled("enabled-piper-voice", "piper:sv"),
]
