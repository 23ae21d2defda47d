"""Speech text: Swedish sentence splitting and normalization for the speech engines.

`split_sentences` cuts a block into sentences exactly as written (the player finds them in the page);
`normalize` turns one sentence into words as they should be spoken (numbers, dates, times, phone
numbers, money, abbreviations, symbols). Pure Python, no heavy imports, deterministic.
"""
from __future__ import annotations

from .normalize import normalize
from .sentences import split_sentences

__all__ = ["normalize", "split_sentences"]
