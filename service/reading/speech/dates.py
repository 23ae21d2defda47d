"""Dates, clock times and ranges: "den nionde april tjugohundrafemton", "klockan fjorton och
trettio", "måndag till fredag åtta till sjutton"."""
from __future__ import annotations

import re

from . import numbers as nw
from .abbreviations import MONTH_SHORT, WEEKDAY_SHORT, WEEKDAYS
from .common import MONTHS, capitalised_like
from .tracked import Tracked

_COMMON_FRACTIONS = {(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (1, 5), (1, 8), (1, 10), (1, 100)}
_AROUND_THE_CLOCK = re.compile(r"(?<![\w/])24/7(?![\w/])")


# --- dates ----------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(?<![\d.,-])(\d{4})-(\d{2})-(\d{2})(?![\d]|-\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d]|\.\d)")
_SLASH_DATE = re.compile(
    r"(?<![\w,./])(\d{1,2})/(\d{1,2})(?:(?:\s+|-)(\d{4}))?(?![\w/]|[.,]\d)"
)
_MONTH_WORDS = (
    r"(?:" + "|".join(MONTHS) + r")\b|(?:" + "|".join(sorted(MONTH_SHORT, key=len, reverse=True)) + r")\b\.?"
)
_WRITTEN_DATE = re.compile(
    r"(?<![\w,.])(\d{1,2})(?::e|:a)?(?:\s*(?:–|—|-)\s*(\d{1,2})(?::e|:a)?)?\s+(" + _MONTH_WORDS + r")"
    r"(?:\s+(\d{4})(?![\d]|[.,]\d))?",
    re.I,
)
_MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")(\s+)((?:1[1-9]|20)\d\d)(?![\d]|[.,]\d)", re.I)
_DEN_BEFORE = re.compile(r"\bden\s*$", re.I)
_DATE_CONTEXT = re.compile(
    r"(?:\bden|\bfr\.?o\.?m\.?|\bt\.?o\.?m\.?|\bfrån|\btill|\bdag|\bsenast|\bstängt|\böppet|\bmed start"
    r"|(?:" + "|".join(WEEKDAYS) + r"|" + "|".join(WEEKDAY_SHORT) + r")\.?|[–—-])\s*$",
    re.I,
)
_FRACTION_NEXT = re.compile(r"\s*(?:liter|l|dl|kg|kilo|del|delar|timme|timmar|år|kopp|msk|tsk|av|mil|km|meter|m)\b")


def _date(day: int, month: int, year: int | None, text: str, start: int) -> str:
    """"den nionde april tjugohundrafemton"; "den" is not repeated when the text already has it."""
    spoken = f"{nw.ordinal(day)} {MONTHS[month - 1]}"
    if year is not None:
        spoken += " " + nw.year(year)
    if not _DEN_BEFORE.search(text[max(0, start - 6):start]):
        spoken = "den " + spoken
    return spoken


def _valid(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def dates(t: Tracked, _p: list[str]) -> None:
    def iso(m: re.Match[str]) -> str:
        y, mo, d = (int(g) for g in m.groups())
        return _date(d, mo, y, m.string, m.start()) if _valid(d, mo) else m.group()

    def dotted(m: re.Match[str]) -> str:
        d, mo, y = (int(g) for g in m.groups())
        return _date(d, mo, y, m.string, m.start()) if _valid(d, mo) else m.group()

    def slashed(m: re.Match[str]) -> str:
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else None
        if not _valid(d, mo):
            return m.group()
        before = m.string[max(0, m.start() - 12):m.start()]
        if y is None and not _DATE_CONTEXT.search(before):
            # "1/2 liter", "3/4" alone: a fraction, not a date
            if (d, mo) in _COMMON_FRACTIONS or _FRACTION_NEXT.match(m.string, m.end()):
                return m.group()
        return _date(d, mo, y, m.string, m.start())

    def written(m: re.Match[str]) -> str:
        first, second, month_word, y = m.groups()
        name = month_word.lower().rstrip(".")
        month = MONTHS.index(name) + 1 if name in MONTHS else MONTH_SHORT[name]
        days = [int(first)] + ([int(second)] if second else [])
        if not all(_valid(d, month) for d in days):
            return m.group()
        spoken = _date(days[-1], month, int(y) if y else None, "den", 3)
        if second:
            spoken = f"{nw.ordinal(days[0])} till {spoken}"
        if not _DEN_BEFORE.search(m.string[max(0, m.start() - 6):m.start()]):
            spoken = "den " + spoken
        return spoken

    t.sub(_AROUND_THE_CLOCK, "dygnet runt")
    t.sub(_ISO_DATE, iso)
    t.sub(_DOTTED_DATE, dotted)
    t.sub(_SLASH_DATE, slashed)
    t.sub(_WRITTEN_DATE, written)
    t.sub(_MONTH_YEAR, lambda m: m.group(1) + m.group(2) + nw.year(int(m.group(3))))


# --- ranges ---------------------------------------------------------------------------------

_DAY_NAMES = "|".join(WEEKDAYS + MONTHS)
_WORD_RANGE = re.compile(r"\b(" + _DAY_NAMES + r")\s*[–—-]\s*(" + _DAY_NAMES + r")\b", re.I)
_SHORT_DAYS = "|".join(sorted(WEEKDAY_SHORT, key=len, reverse=True))
_SHORT_DAY_RANGE = re.compile(
    r"\b(" + _SHORT_DAYS + r")\.?\s*[–—-]\s*(" + _SHORT_DAYS + r")\b\.?", re.I
)
_SHORT_DAY_BEFORE_TIME = re.compile(
    r"\b(" + _SHORT_DAYS + r")\.?(?=\s+(?:[Kk]lockan\s+|kl\.?\s*|den\s+(?=[a-zåäö]+\s+(?:" + "|".join(MONTHS)
    + r")))?\d|\s+den\s+[a-zåäö]+\s+(?:" + "|".join(MONTHS) + r"))",
    re.I,
)
_NUMBER_RANGE = re.compile(r"(?<=\d)(?:\s*[–—]\s*|-|\s+-\s+)(?=\d)")
_DATE_RANGE = re.compile(r"(?<=\w)\s*[–—]\s*(?=den\s)")  # "1 januari–31 december", dates already spoken


def ranges(t: Tracked, _p: list[str]) -> None:
    def short(m: re.Match[str]) -> str:
        first = capitalised_like(m.group(1), WEEKDAY_SHORT[m.group(1).lower()])
        return f"{first} till {WEEKDAY_SHORT[m.group(2).lower()]}"

    t.sub(_SHORT_DAY_RANGE, short)
    t.sub(_SHORT_DAY_BEFORE_TIME, lambda m: capitalised_like(m.group(1), WEEKDAY_SHORT[m.group(1).lower()]))
    t.sub(_WORD_RANGE, lambda m: f"{m.group(1)} till {m.group(2)}")
    t.sub(_DATE_RANGE, " till ")
    t.sub(_NUMBER_RANGE, " till ")


# --- clock times ----------------------------------------------------------------------------

_CLOCK = re.compile(r"\b([Kk]lockan\s+)(\d{1,2})(?:[.:](\d{2}))?(?!\d|[.:,]\d)")
_BARE_TIME = re.compile(r"(?<![\w.,:])(\d{1,2})[.:](\d{2})(?!\d|[.:,]\d)")


def time_words(hour: int, minute: int | None) -> str:
    """18, 30 -> "arton och trettio"; 8, 0 -> "åtta"; 9, 5 -> "nio noll fem"."""
    spoken = nw.cardinal(hour)
    if minute:
        spoken += f" noll {nw.cardinal(minute)}" if minute < 10 else f" och {nw.cardinal(minute)}"
    return spoken


def times(t: Tracked, _p: list[str]) -> None:
    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m.group(2)), int(m.group(3)) if m.group(3) else None
        if hour > 24 or (minute is not None and minute > 59):
            return m.group()
        return m.group(1) + time_words(hour, minute)

    def bare(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour > 24 or minute > 59:
            return m.group()
        return time_words(hour, minute)

    t.sub(_CLOCK, clock)
    t.sub(_BARE_TIME, bare)
