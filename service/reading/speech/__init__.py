"""Speech text: Swedish sentence splitting and normalization for the speech engines.

`split_sentences` cuts a block into sentences exactly as written (the player finds them in the page);
`normalize` turns one sentence into words as they should be spoken (numbers, dates, times, phone
numbers, money, abbreviations, acronyms, symbols); `normalize_mapped` does the same and says which
written characters each spoken word stands for, so engine word events highlight the written word
(`written_span`). Pure Python, no heavy imports, deterministic.
"""
from __future__ import annotations

from .normalize import normalize, normalize_mapped, spell
from .sentences import split_sentences
from .tracked import Normalized, written_span

__all__ = ["Normalized", "normalize", "normalize_mapped", "spell", "split_sentences", "written_span"]
