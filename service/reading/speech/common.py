"""What the normalization passes share: the character class of capitals, month names, the
protection of finished spoken text from later passes, and the pass signature."""
from __future__ import annotations

import re
from collections.abc import Callable

from . import numbers as nw
from .tracked import Tracked

UPPER = "A-ZÅÄÖÉÜ"
MONTHS = nw.MONTHS

# A pass: rewrites the text in place; `protected` collects spoken text that later passes must not touch.
Step = Callable[[Tracked, list[str]], None]

# Private-use markers around text that later passes must not touch (spoken addresses, phones).
_PROTECT_OPEN, _PROTECT_CLOSE, _PROTECT_BASE = "\ue000", "\ue001", 0xE100
_PROTECTED = re.compile("\ue000(.)\ue001")


def protect(protected: list[str], spoken: str) -> str:
    """A placeholder for `spoken`, put back by `unprotect` after the last pass."""
    protected.append(spoken)
    return f"{_PROTECT_OPEN}{chr(_PROTECT_BASE + len(protected) - 1)}{_PROTECT_CLOSE}"


def unprotect(t: Tracked, protected: list[str]) -> None:
    if protected:
        t.sub(_PROTECTED, lambda m: protected[ord(m.group(1)) - _PROTECT_BASE])


def capitalised_like(written: str, spoken: str) -> str:
    """`spoken` with a capital first letter when `written` has one (a sentence start stays one)."""
    return spoken[:1].upper() + spoken[1:] if written[:1].isupper() else spoken
