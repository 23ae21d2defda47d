"""Passes that read a short form by the words around it: street prefixes ("S:t Eriksgatan"), page
references ("s. 12", "s. 14–16"), "ung." and "mm" (med mera), abbreviated month ranges ("jan.–mars"),
Roman numerals after chapter-like words ("kapitel IV"), road numbers ("Rv 40") and quarters ("Q1").

They run before the generic abbreviation and number passes, which would otherwise read these letter by
letter ("S kolon t") or as something else ("kapitel i-ve").
"""
from __future__ import annotations

import re

from . import numbers as nw
from .abbreviations import COMMON_GENDER, MONTH_SHORT
from .common import capitalised_like
from .tracked import Tracked

# "S:t Eriksgatan", "N:a Kungsgatan", "Ö:a Hamngatan": only before a capitalised name.
_STREET_PREFIX = {"s:t": "Sankt", "s:ta": "Sankta", "s:a": "Södra", "n:a": "Norra", "v:a": "Västra",
                  "ö:a": "Östra", "l:a": "Lilla", "st:a": "Stora"}
_STREET = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _STREET_PREFIX), key=len, reverse=True))
                     + r")(?=\s+[A-ZÅÄÖ])", re.I)
# "s. 12" (sidan), "s. 14–16" / "ss. 14-16" (sidorna); not "kl. 12" or a sentence's last "s."
_PAGE = re.compile(r"(?<![\w.])([Ss]s?)\.\s?(?=(\d+)(\s?[–—-]\s?\d+)?(?![\d:.,]\d))")
_ROMAN_AFTER = re.compile(
    r"\b((?:[Kk]apitel|[Kk]ap\.|[Dd]el|[Aa]vsnitt|[Vv]olym|[Bb]and|[Bb]ilaga|[Aa]kt|[Ff]as|[Ee]tapp|[Ss]teg|"
    r"[Ss]äsong|[Nn]ivå|[Aa]rtikel|[Aa]vdelning|[Tt]itel|[Bb]ok)\s+)([IVXLC]{1,6})(?![\w:])")
_ROMAN_ORDINAL = re.compile(r"\b([IVXLC]{1,6}):(?:e|a)\b")  # "den IV:e" -> "den fjärde"
_ROAD = re.compile(r"\b(Rv|Lv|Väg)\.?\s?(?=\d{1,3}\b)")
_ROAD_WORDS = {"rv": "riksväg", "lv": "länsväg", "väg": "väg"}
_QUARTER = re.compile(r"\b[QqK]([1-4])\b(?!\d)")
_ABOUT = re.compile(r"(?<![\w.])([Uu])ng\.(?=\s)")
# "mm" after a word or a comma (a list's end), not after a number ("12 mm" is millimetres).
_ETC = re.compile(r"(?<=[^\W\d_,]) mm(?=[\s.,;:)!?]|$)|(?<=,) mm(?=[\s.,;:)!?]|$)")  # "m.m.": abbreviations
_MONTH = "|".join(sorted(MONTH_SHORT, key=len, reverse=True))
_MONTH_RANGE = re.compile(r"\b(" + _MONTH + r")\.?\s?[–—-]\s?(" + _MONTH + r"|" + "|".join(nw.MONTHS) + r")\b",
                          re.I)


def _month(short: str) -> str:
    key = short.lower().rstrip(".")
    return nw.MONTHS[MONTH_SHORT[key] - 1] if key in MONTH_SHORT else short


# "ev." agrees with the noun it stands before: "ev. frågor" (eventuella), "ev. kostnad" (eventuell),
# "ev. fel" (eventuellt); before a verb or "att" it is the adverb (eventuellt).
_EV = re.compile(r"\b([Ee])v\.\s(?=([^\W\d_]+))")
_PLURAL_END = re.compile(r"(?:or|ar|er|na)$")
# Endings of nouns that are almost always common gender (en-ord): "fråga", "allergi", "avgift", ...
_COMMON_END = re.compile(r"(?:a|het|tion|sion|ning|ing|else|gi|ri|ist|ör|are|nad|ad|ift|ur|ans|ens)$")
_VERBISH = frozenset({"att", "kan", "ska", "skall", "kommer", "blir", "är", "har", "också", "även", "inte"})


def _eventual(m: re.Match[str]) -> str:
    nxt = m.group(2).lower()
    if nxt in _VERBISH:
        form = "eventuellt"
    elif len(nxt) >= 5 and _PLURAL_END.search(nxt):
        form = "eventuella"
    elif nxt in COMMON_GENDER or (len(nxt) >= 4 and _COMMON_END.search(nxt)):
        form = "eventuell"
    else:
        form = "eventuellt"
    return capitalised_like(m.group(1), form) + " "


def _starts_sentence(m: re.Match[str]) -> bool:
    before = m.string[:m.start()].rstrip()
    return not before or before[-1] in ".!?:"


def contexts(t: Tracked, _p: list[str]) -> None:
    t.sub(_STREET, lambda m: capitalised_like(m.group(1), _STREET_PREFIX[m.group(1).lower()]))
    t.sub(_PAGE, lambda m: capitalised_like(m.group(1), "sidorna " if m.group(3) or m.group(1).lower() == "ss"
                                            else "sidan "))

    def roman(m: re.Match[str]) -> str:
        value = nw.roman(m.group(2))
        return m.group() if value is None else m.group(1) + nw.cardinal(value)

    t.sub(_ROMAN_AFTER, roman)

    def roman_ordinal(m: re.Match[str]) -> str:
        value = nw.roman(m.group(1))
        return m.group() if value is None else nw.ordinal(value)

    t.sub(_ROMAN_ORDINAL, roman_ordinal)
    t.sub(_ROAD, lambda m: (_ROAD_WORDS[m.group(1).lower()].capitalize() if _starts_sentence(m)
                            else _ROAD_WORDS[m.group(1).lower()]) + " ")
    t.sub(_QUARTER, lambda m: nw.ordinal(int(m.group(1))) + " kvartalet")
    t.sub(_ABOUT, lambda m: capitalised_like(m.group(1), "ungefär"))
    t.sub(_EV, _eventual)
    t.sub(_ETC, " med mera")
    t.sub(_MONTH_RANGE, lambda m: f"{capitalised_like(m.group(1), _month(m.group(1)))} till {_month(m.group(2))}")
