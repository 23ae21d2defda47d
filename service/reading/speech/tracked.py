"""Text that remembers where each character came from, so spoken words map back to written words.

Normalization is a chain of regular-expression substitutions. `Tracked.sub` runs one of them and,
when tracking is on, keeps for every character of the current text the span of the written text it
stands for: untouched characters keep their own span, a replacement gets the span of everything it
replaced (minus a prefix or suffix that the replacement left as it was). Substitutions never reorder
text, so the spans stay in order. With tracking off, `sub` is plain `re.sub` — the same output.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Replacement = str | Callable[[re.Match[str]], str]
Span = tuple[int, int, int, int]

_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?()\"'”»«"


_PATTERNS: dict[tuple[str, int], re.Pattern[str]] = {}


def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    compiled = _PATTERNS.get((pattern, flags))
    if compiled is None:
        compiled = _PATTERNS[(pattern, flags)] = re.compile(pattern, flags)
    return compiled


@dataclass(frozen=True)
class Normalized:
    """The spoken text and, per spoken word, (spoken start, spoken end, written start, written end).

    `matched` lists the lexicon entries applied on the way (for the sentence's cache key)."""

    written: str
    spoken: str
    spans: list[Span] = field(default_factory=list)
    matched: tuple = ()


class Tracked:
    """A string under substitution, optionally with per-character written spans."""

    __slots__ = ("text", "starts", "ends", "length")

    def __init__(self, text: str, track: bool) -> None:
        self.text = text
        self.length = len(text)
        self.starts: list[int] | None = list(range(len(text))) if track else None
        self.ends: list[int] | None = list(range(1, len(text) + 1)) if track else None

    def sub(self, pattern: re.Pattern[str] | str, repl: Replacement, flags: int = 0) -> None:
        """`re.sub(pattern, repl, self.text)`, keeping the spans when tracking."""
        if isinstance(pattern, str):
            pattern = _compiled(pattern, flags)
        if self.starts is None:
            self.text = pattern.sub(repl, self.text)
            return
        if pattern.search(self.text) is None:  # most rules match nothing: skip the bookkeeping
            return
        text, starts, ends = self.text, self.starts, self.ends
        assert ends is not None
        literal = repl if isinstance(repl, str) and "\\" not in repl else None
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        changed = False
        for m in pattern.finditer(text):
            a, b = m.span()
            r = literal if literal is not None else (repl(m) if callable(repl) else m.expand(repl))
            if r == text[a:b]:
                continue
            changed = True
            pieces.append(text[pos:a])
            new_starts.extend(starts[pos:a])
            new_ends.extend(ends[pos:a])
            old = text[a:b]
            # Keep a common prefix and suffix attached to their own written characters.
            p = 0
            limit = min(len(old), len(r))
            while p < limit and old[p] == r[p]:
                p += 1
            s = 0
            while s < limit - p and old[-1 - s] == r[-1 - s]:
                s += 1
            # ... but only whole words: "t.ex." -> "till exempel" shares a "t" that is no word.
            if p < len(old):
                p = max(old.rfind(" ", 0, p), old.rfind("\n", 0, p)) + 1
            if s and s < len(old) - p:
                tail = old[len(old) - s:]
                cut = min((i for i in (tail.find(" "), tail.find("\n")) if i >= 0), default=-1)
                s = s - cut if cut >= 0 else 0
            pieces.append(r)
            new_starts.extend(starts[a:a + p])
            new_ends.extend(ends[a:a + p])
            middle = len(r) - p - s
            if middle:
                if b - s > a + p:
                    span = (starts[a + p], ends[b - s - 1])
                else:  # pure insertion: a point in the written text
                    point = starts[a + p] if a + p < len(starts) else (ends[-1] if ends else 0)
                    span = (point, point)
                new_starts.extend([span[0]] * middle)
                new_ends.extend([span[1]] * middle)
            new_starts.extend(starts[b - s:b])
            new_ends.extend(ends[b - s:b])
            pos = b
        if not changed:
            return
        pieces.append(text[pos:])
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        self.text = "".join(pieces)
        self.starts, self.ends = new_starts, new_ends

    def word_spans(self) -> list[Span]:
        """Per spoken word (whitespace-separated, edge punctuation trimmed): its written span."""
        if self.starts is None or self.ends is None:
            raise ValueError("tracking is off")
        spans: list[Span] = []
        starts, ends = self.starts, self.ends
        for m in _WORD.finditer(self.text):
            a, b = m.span()
            word = m.group()
            trimmed = word.strip(_EDGE_PUNCTUATION)
            if trimmed:
                lead = len(word) - len(word.lstrip(_EDGE_PUNCTUATION))
                a, b = a + lead, a + lead + len(trimmed)
            # The written span of the characters that stand for written text (end > start); else of all.
            real = False
            for s, e in zip(starts[a:b], ends[a:b]):
                if e > s:
                    if not real:
                        w0, w1, real = s, e, True
                    else:
                        if s < w0:
                            w0 = s
                        if e > w1:
                            w1 = e
            if not real:
                w0, w1 = min(starts[a:b]), max(ends[a:b])
            w0 = max(w0, 0)
            w1 = min(max(w1, w0), self.length)
            if spans and w0 < spans[-1][2]:  # keep written starts in order
                w0 = spans[-1][2]
                w1 = max(w1, w0)
            spans.append((a, b, w0, w1))
        return spans


def written_span(normalized: Normalized, spoken_start: int, spoken_end: int | None = None) -> tuple[int, int]:
    """The written (start, end) behind the spoken text [spoken_start, spoken_end).

    An engine word event gives an offset (and maybe a length) into the spoken text; this returns the
    written word(s) to highlight. Offsets between words snap to the next word (or the last one).
    """
    spans = normalized.spans
    if not spans:
        return (0, len(normalized.written))
    if spoken_end is None or spoken_end <= spoken_start:
        spoken_end = spoken_start + 1
    hits = [s for s in spans if s[0] < spoken_end and s[1] > spoken_start]
    if not hits:
        following = [s for s in spans if s[0] >= spoken_start]
        hits = [following[0] if following else spans[-1]]
    return (min(h[2] for h in hits), max(h[3] for h in hits))
