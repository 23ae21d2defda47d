"""Phrases inside a block marked with a language of their own (`<span lang="en">`, `<i lang="la">`).

A Swedish sentence naming an English book or a Latin term says so with a lang attribute on the
phrase (WCAG 3.1.2, language of parts). The block keeps its own language; these phrases become
(start, end, language) ranges of the block's text, so an engine that can switch voices
mid-sentence says just them in their own voice.

Found after the block's text is gathered: each marked element's text is looked up in order in the
block's text, so the walker's text rules (hidden parts, line breaks, whitespace) stay in one place.
A phrase whose text cannot be found (hidden, or changed by those rules) is left to the block's voice.
"""
from __future__ import annotations

from collections.abc import Iterable

from bs4 import NavigableString, Tag

from .page import clean_text, lang_of
from .rules import WS

MAX_PHRASES = 50  # per block: a page marking every word is not worth 50 voice switches a sentence


def inline_langs(nodes: Iterable[object], text: str, block_lang: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The block's language and (start, end, language) of the phrases among `nodes` in another one.

    One phrase that is the whole text makes that the block's language ("<p><span lang=fi>…")."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    for el, lang in _marked(nodes, block_lang):
        phrase = clean_text(WS.sub(" ", el.get_text()))
        if not phrase or not any(ch.isalnum() for ch in phrase):
            continue
        at = text.find(phrase, pos)
        if at < 0:
            continue
        end = at + len(phrase)
        if at == 0 and end == len(text):
            return lang, []
        if not (_edge(text, at - 1) and _edge(text, end)):
            continue  # part of a word ("<span lang=en>Harry</span>s"): one voice says the word
        found.append((at, end, lang))
        pos = end
        if len(found) >= MAX_PHRASES:
            break
    return block_lang, found


def _marked(nodes: Iterable[object], block_lang: str) -> Iterable[tuple[Tag, str]]:
    """Outermost elements (in document order) whose own language differs from the one around them.

    A phrase in the block's own language inside a foreign one ("<i lang=en>… <span lang=sv>…")
    is said in the outer foreign voice: one switch per phrase is what the engines do well."""
    stack = [n for n in reversed(list(nodes)) if isinstance(n, Tag)]
    while stack:
        el = stack.pop()
        if isinstance(el, NavigableString) or not isinstance(el, Tag):
            continue
        lang = lang_of(el)
        if lang and lang != block_lang:
            yield el, lang
            continue
        stack.extend(ch for ch in reversed(list(el.children)) if isinstance(ch, Tag))


def _edge(text: str, i: int) -> bool:
    """Whether position `i` (just outside a phrase) is not a letter or digit of the same word."""
    return i < 0 or i >= len(text) or not text[i].isalnum()
