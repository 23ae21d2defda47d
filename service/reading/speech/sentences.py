"""Split a block of text into sentences, keeping each sentence exactly as written.

The player highlights a sentence by searching for its text in the page, so nothing is rewritten:
sentences are trimmed slices of the input. A candidate boundary is sentence-final punctuation
(. ! ? … ...), optionally followed by closing quotes or brackets, then whitespace, then something
that can start a sentence (a capital, a digit, an opening quote, a dash-led quote). Periods that
belong to abbreviations, initials or list numbers are not boundaries. A newline always is.
"""
from __future__ import annotations

import re

from .abbreviations import NON_FINAL, SENTENCE_FINAL

_CLOSERS = "”\"’'»«)]"
_OPENERS = "”\"“„»«‘'([-–—"
_TERMINAL = re.compile(r"(?:\.\.\.|…|[.!?])+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_SINGLE_LETTER = re.compile(r"^(?:[^\W\d_]\.-?)*[^\W\d_]\.$")  # "A.", "J.-O."
_DOTTED_SHORT = re.compile(r"^(?:[^\W\d_]{1,3}\.){2,}$")
_LIST_NUMBER = re.compile(r"^\d{1,3}\.$")
_NEXT_CHARACTER = re.compile(r"\S")  # the first character `str.lstrip()` would keep


def split_sentences(text: str, lang: str = "sv") -> list[str]:
    """The sentences of `text`, each trimmed and exactly as written. Newlines end sentences."""
    sentences: list[str] = []
    for line in text.splitlines():
        sentences.extend(_split_line(line))
    return sentences


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _TERMINAL.finditer(line):
        end = match.end()
        following = _NEXT_CHARACTER.search(line, end)  # never a copy of the rest: long lines stay linear
        if following is None:
            break
        if _is_boundary(line, start, match, following.group()):
            piece = line[start:end].strip()
            if piece:
                pieces.append(piece)
            start = end
    tail = line[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _is_boundary(line: str, start: int, match: re.Match[str], following: str) -> bool:
    """Whether the punctuation in `match`, followed by the character `following`, ends a sentence."""
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    punct = match.group().rstrip(_CLOSERS)
    if punct != ".":
        # "?", "!", "…", "..." (and combinations): a boundary before a sentence start.
        return True
    token = _token_before(line, start, match.start() + 1)
    lowered = token.lower()
    if token == "St.":  # "St. Eriksgatan": Sankt, never sentence-final
        return False
    if lowered in SENTENCE_FINAL:
        return following.isupper() or following in _OPENERS
    if lowered in NON_FINAL:
        return False
    if _SINGLE_LETTER.match(token):  # initials: "A. Svensson"
        return False
    if _DOTTED_SHORT.match(lowered):  # unknown dotted abbreviation: like "osv."
        return following.isupper()
    if _LIST_NUMBER.match(token) and line[start:match.start() + 1].strip() == token:
        # "1. Gör så här": a list number at the start of the sentence.
        return False
    return True


def _token_before(line: str, start: int, end: int) -> str:
    """The whitespace-delimited word ending at `end`, without leading quotes or brackets."""
    i = end
    while i > start and not line[i - 1].isspace():
        i -= 1
    return line[i:end].lstrip(_OPENERS)
