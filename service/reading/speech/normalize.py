"""Swedish text as it should be spoken: numbers, dates, times, phone numbers, money, units,
abbreviations, ordinals, ranges, acronyms, regnal numbers, addresses and symbols written out in words.

espeak-ng alone reads "2015-04-09" digit by digit, "t.ex." as "t punkt ex" and "§" as nonsense, so
everything a Swedish listener would hear as words is spelled out here. The passes run in a fixed
order (most specific first: phoneme hints, e-mail and web addresses, ids, phone numbers, dates, ...
plain numbers last); their output never contains digits, so a second run changes nothing.

The passes live in `addresses` (e-mail, web, phone and id numbers), `dates` (dates, times, ranges),
`amounts` (money, units, numbers) and `words` (abbreviations, law references, acronyms, regnal
numbers, symbols). Every pass is a substitution on a `Tracked` text, so `normalize_mapped` can say
which written characters each spoken word stands for; `normalize` runs the very same passes
without the spans. A pronunciation lexicon, when given, is applied first, on the written text.
"""
from __future__ import annotations

import re
from typing import Any, Protocol

from . import addresses, amounts, contexts, dates, words
from .common import UPPER, Step, unprotect
from .tracked import Normalized, Tracked
from .words import spell

__all__ = ["normalize", "normalize_mapped", "spell"]


class _Lexicon(Protocol):
    def rule(self, lang: str = "sv") -> Any: ...


def normalize(text: str, lang: str = "sv", lexicon: _Lexicon | None = None) -> str:
    """`text` as espeak-ng should speak it. Only Swedish is rewritten; other languages just get
    their whitespace cleaned. With a `service.store.lexicon.Lexicon`, its entries are applied first."""
    return _run(Tracked(text, track=False), lang, lexicon, []).text


def normalize_mapped(text: str, lang: str = "sv", lexicon: _Lexicon | None = None) -> Normalized:
    """Like `normalize`, plus per spoken word the written span it stands for (for highlighting),
    and the lexicon entries that matched (for the cache key: `service.store.lexicon.fingerprint`)."""
    matched: list[Any] = []
    tracked = _run(Tracked(text, track=True), lang, lexicon, matched)
    return Normalized(written=text, spoken=tracked.text, spans=tracked.word_spans(), matched=tuple(matched))


def _run(t: Tracked, lang: str, lexicon: _Lexicon | None, matched: list[Any]) -> Tracked:
    if lexicon is not None:
        rule = lexicon.rule(lang)
        if rule is not None:
            t.sub(rule.pattern, rule.replacer(matched))
    protected: list[str] = []
    _clean(t, protected)
    if not (lang or "sv").lower().startswith("sv"):
        words.phonemes(t, protected)
        unprotect(t, protected)
        return t
    for step, needed in _STEPS:
        if needed is None or needed.search(t.text):
            step(t, protected)
    unprotect(t, protected)
    _tidy(t, protected)
    return t


# --- whitespace ------------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff\ue000-\uf8ff]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SPACE_CHARS = r"[ \t\u00a0\u2007\u2009\u202f\u2002\u2003\u3000]"
_SPACES = re.compile(_SPACE_CHARS + r"{2,}|[\t\u00a0\u2007\u2009\u202f\u2002\u2003\u3000]")  # only what changes
_LINE_EDGES = re.compile(r"(?m)^ +| +$")
_BLANK_LINES = re.compile(r"\n{2,}")
_OUTER_NEWLINES = re.compile(r"^\n+|\n+$")


def _clean(t: Tracked, _p: list[str]) -> None:
    t.sub(_INVISIBLE, "")
    t.sub(_LINE_BREAKS, "\n")
    t.sub(_SPACES, " ")
    t.sub(_LINE_EDGES, "")
    t.sub(_BLANK_LINES, "\n")
    t.sub(_OUTER_NEWLINES, "")


def _tidy(t: Tracked, _p: list[str]) -> None:
    t.sub(_SPACES, " ")
    t.sub(_LINE_EDGES, "")
    t.sub(_BLANK_LINES, "\n")
    t.sub(_OUTER_NEWLINES, "")
    t.sub(r" +([,.;:!?)])", r"\1")
    t.sub(r"\( +", "(")
    t.sub(r",(?:\s*,)+", ",")
    t.sub(r"([.!?]),", r"\1")
    t.sub(r"(?m)^[,;:] *", "")


_DIGIT = re.compile(r"\d")
_NUMBERISH = re.compile(r"[\d½¼¾⅓⅔/]")
_PARAGRAPHISH = re.compile(r"\d|§")
_ADDRESSISH = re.compile(r"@|www|://|\.[a-z]{2}")
_QUOTEISH = re.compile(r"[”“„\"»«›‹’‘']")
_ROMANISH = re.compile(r"\b[IVX]+\b")
_CAPITALS = re.compile(r"[" + UPPER + r"]{2}")
_PHONEMEISH = re.compile(r"\[\[")
_CONTEXTISH = re.compile(r"\w:|\b[Ss]s?\.\s?\d|\b[IVXLC]+\b|\b(?:Rv|Lv|Väg)\b|\b[QqK][1-4]\b|\b[Uu]ng\.|\bmm\b|\b[Ee]v\."
                         r"|\b[a-zA-Z]{3,4}\.?\s?[–—-]\s?[a-zA-Z]")

# Each pass with a cheap test of whether it can change anything (most sentences have no digits).
_STEPS: tuple[tuple[Step, re.Pattern[str] | None], ...] = (
    (words.phonemes, _PHONEMEISH),
    (words.quotes, _QUOTEISH),
    (addresses.emails, _ADDRESSISH),
    (addresses.urls, _ADDRESSISH),
    (addresses.ids, _DIGIT),
    (addresses.phones, _DIGIT),
    (dates.dates, _DIGIT),
    (words.paragraphs, _PARAGRAPHISH),
    (contexts.contexts, _CONTEXTISH),
    (words.abbreviations, None),
    (dates.ranges, None),
    (dates.times, _DIGIT),
    (amounts.numbered_forms, _NUMBERISH),
    (amounts.negatives, _DIGIT),
    (amounts.money, _DIGIT),
    (amounts.units, _DIGIT),
    (amounts.compounds, _DIGIT),
    (amounts.numbers, _DIGIT),
    (words.regnal, _ROMANISH),
    (words.acronyms, _CAPITALS),
    (words.symbols, None),
)
