"""Passes on words and symbols: phoneme hints, quotes, abbreviations, law references, regnal
numbers, acronyms (letters or words) and the symbols espeak would otherwise spell out."""
from __future__ import annotations

import re

from . import numbers as nw
from .abbreviations import ABBREVIATIONS, SENTENCE_FINAL, UNDOTTED
from .acronyms import CAPITAL_WORDS, LETTER_ACRONYMS, LETTER_NAMES, REGNAL_FEMALE, REGNAL_MALE, WORD_ACRONYMS
from .common import UPPER, capitalised_like, protect
from .tracked import Tracked

# --- phoneme hints (from the lexicon) -----------------------------------------------------------

_PHONEME_HINT = re.compile(r"\[\[[^\[\]\n]*\]\]")


def phonemes(t: Tracked, protected: list[str]) -> None:
    """espeak's inline phonemes "[[...]]" pass through untouched."""
    t.sub(_PHONEME_HINT, lambda m: protect(protected, m.group()))


# --- quotes ---------------------------------------------------------------------------------

def quotes(t: Tracked, _p: list[str]) -> None:
    """Quotation marks are not spoken; an apostrophe inside a word stays."""
    t.sub(r"[”“„\"»«›‹]", "")
    t.sub(r"(?<![^\W\d_])[’‘']|[’‘'](?![^\W\d_])", "")


# --- abbreviations, paragraphs and chapters ---------------------------------------------------

def _dotted_pattern(key: str) -> str:
    parts = key.split(".")
    if len(parts) == 1:  # "c:a", "tfn"
        return re.escape(key)
    body = r"\.\s?".join(re.escape(p.strip()) for p in parts[:-1] if p.strip())
    inner_dots = key.count(".") > 1
    if not key.endswith("."):
        return body + r"\." + re.escape(parts[-1])
    return body + (r"\.?" if inner_dots else r"\.")


_DOTTED = sorted((k for k in ABBREVIATIONS if k not in {"st.", "tim.", "min.", "kap."}), key=len, reverse=True)
_DOTTED_RE = re.compile(
    r"(?<![\w.])(" + "|".join(_dotted_pattern(k) for k in _DOTTED) + r")(?!\w)", re.I
)
_DOTTED_LOOKUP = {re.sub(r"\s", "", k.lower()): v for k, v in ABBREVIATIONS.items()}
_UNDOTTED_VARIANTS = (
    {v: k for k in UNDOTTED for v in (k, k[0].upper() + k[1:])}
    | {"OBS": "obs", "Dnr": "dnr", "DNR": "dnr", "Tkr": "tkr", "Mnkr": "mnkr", "MNKR": "mnkr",
       "Mkr": "mkr", "MKR": "mkr", "Mdkr": "mdkr", "TKR": "tkr"}
)
_UNDOTTED_RE = re.compile(
    r"(?<![\w.\-@])("
    + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_UNDOTTED_VARIANTS, key=len, reverse=True))
    + r")\.?(?![\w\-@]|:\w)"
)
_KL_UNDOTTED = re.compile(r"\b([Kk])l(?=\s*\d)")
_SANKT = re.compile(r"\bSt\.(?=\s+[" + UPPER + r"])")
_CHAPTER = re.compile(r"(?<![\w,.])(\d+)(\s*[a-z])?\s+kap(?:\.|\b|itlet\b)")
_CHAPTER_BEFORE = re.compile(r"\b([Kk])ap\.?\s+(?=\d)")
_ENCLOSURE = re.compile(r"\b([Bb])il\.\s*(?=\d)")
_PARAGRAPH_RANGE = re.compile(r"(?<![\w,.])(\d+)\s*[–—-]\s*(\d+)\s*§§")
_PARAGRAPHS = re.compile(r"(?<![\w,.])(\d+)(?:\s*(?:,|och)\s*(\d+))+\s*§§|(?<![\w,.])(\d+)\s*§§")
_PARAGRAPH_AFTER = re.compile(r"(?<![\w,.])(\d+)(?:\s*([a-z])\b)?\s*§(?!§)")
_PARAGRAPH_BEFORE = re.compile(r"§§?\s*(?=\d)")
_HASH_NUMBER = re.compile(r"(?<!\w)#\s?(?=\d)")
_SENTENCE_START_AFTER = re.compile(r"\s+[" + UPPER + r"]")


def paragraphs(t: Tracked, _p: list[str]) -> None:
    """"12 kap. 4 §" -> "tolfte kapitlet fjärde paragrafen", the way Swedish law is read aloud;
    "§ 4" -> "paragraf fyra"."""
    def chapter(m: re.Match[str]) -> str:
        letter = f" {m.group(2).strip()}" if m.group(2) else ""
        return f"{nw.ordinal_of(m.group(1))}{letter} kapitlet"

    def paragraph(m: re.Match[str]) -> str:
        if m.group(2):
            return f"{nw.ordinal_of(m.group(1))} {m.group(2)} paragrafen"
        return f"{nw.ordinal_of(m.group(1))} paragrafen"

    def several(m: re.Match[str]) -> str:
        words = [nw.ordinal_of(n) for n in re.findall(r"\d+", m.group())]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]
        return f"{listed} paragraferna"

    t.sub(_CHAPTER, chapter)
    t.sub(_CHAPTER_BEFORE, lambda m: m.group(1) + "apitel ")
    t.sub(_ENCLOSURE, lambda m: m.group(1) + "ilaga ")
    t.sub(_PARAGRAPH_RANGE, lambda m: f"{nw.ordinal_of(m.group(1))} till {nw.ordinal_of(m.group(2))} paragraferna")
    t.sub(_PARAGRAPHS, several)
    t.sub(_PARAGRAPH_AFTER, paragraph)
    t.sub(_PARAGRAPH_BEFORE, lambda m: "paragraferna " if m.group().startswith("§§") else "paragraf ")
    t.sub(r"§§", " paragraferna ")
    t.sub(r"§", " paragraf ")


def abbreviations(t: Tracked, _p: list[str]) -> None:
    t.sub(_SANKT, "Sankt")
    t.sub(_HASH_NUMBER, "nummer ")  # "#3" -> "nummer 3"
    t.sub(_KL_UNDOTTED, lambda m: "Klockan" if m.group(1) == "K" else "klockan")

    def dotted(m: re.Match[str]) -> str:
        written = m.group(1)
        key = re.sub(r"\s", "", written.lower())
        spoken = _DOTTED_LOOKUP.get(key) or _DOTTED_LOOKUP.get(key + ".")
        if spoken is None:
            return written
        spoken = capitalised_like(written, spoken)
        after = m.string[m.end():]
        ends = not after.strip() or (
            (key in SENTENCE_FINAL or key + "." in SENTENCE_FINAL) and _SENTENCE_START_AFTER.match(after)
        )
        return spoken + "." if ends and written.endswith(".") else spoken

    def undotted(m: re.Match[str]) -> str:
        key = re.sub(r"\s+", " ", m.group(1))
        spoken = UNDOTTED[_UNDOTTED_VARIANTS[key]]
        if spoken[0].islower():
            spoken = capitalised_like(m.group(1), spoken)
        ends = m.group().endswith(".") and not m.string[m.end():].strip()
        return spoken + "." if ends else spoken

    t.sub(_DOTTED_RE, dotted)
    t.sub(_UNDOTTED_RE, undotted)


# --- regnal numbers and acronyms ------------------------------------------------------------------

_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_REGNAL = re.compile(
    r"\b(" + "|".join(sorted(REGNAL_MALE | REGNAL_FEMALE, key=len, reverse=True)) + r")\s+("
    + _ROMAN + r")(:s)?(?![\w])"
)
_ACRONYM = re.compile(r"(?<![\w\-@.])([" + UPPER + r"]{2,6})(?::(s|n|en|et|ar|arna|are|na|er|erna|or))?(?![\w])")
_VOWELS = set("AEIOUYÅÄÖÉÜ")
_SHOUTING = re.compile(r"[a-zåäöé]")


def regnal(t: Tracked, _p: list[str]) -> None:
    """"Karl XII" -> "Karl den tolfte", "Gustav II Adolf" -> "Gustav den andre Adolf"."""
    def spoken(m: re.Match[str]) -> str:
        name, numeral, genitive = m.group(1), m.group(2), m.group(3)
        value = nw.roman(numeral) if numeral else None
        if value is None:
            return m.group()
        word = nw.ordinal(value)
        if name not in REGNAL_FEMALE and word.endswith(("första", "andra")):
            word = word[:-1] + "e"  # "förste", "andre" for men
        return f"{name} den {word}" + ("s" if genitive else "")

    t.sub(_REGNAL, spoken)


def spell(letters: str) -> str:
    """"SVT" -> "ess-ve-te": Swedish letter names, hyphenated so espeak keeps them one word."""
    return "-".join(LETTER_NAMES.get(c, c.lower()) for c in letters)


def acronyms(t: Tracked, _p: list[str]) -> None:
    # a heading in capitals: only unmistakable acronyms
    shouting = not _SHOUTING.search(t.text) and len(re.findall(r"[^\W\d_]{2,}", t.text)) >= 3
    def spoken(m: re.Match[str]) -> str:
        token, suffix = m.group(1), m.group(2) or ""
        if token in WORD_ACRONYMS:
            word = WORD_ACRONYMS[token]
        elif (token in LETTER_ACRONYMS and not shouting) or (len(token) <= 5 and not _VOWELS & set(token)):
            word = spell(token)
        elif len(token) <= 3 and not shouting and token not in CAPITAL_WORDS:
            word = spell(token)  # "AIK", "IFK", "OKQ": short capitals are read as letters
        else:  # unknown with vowels: a word, or a heading in capitals
            return m.group()
        return word + suffix

    t.sub(_ACRONYM, spoken)


# --- symbols and punctuation ----------------------------------------------------------------

_SYMBOLS = {
    "&": " och ", "+": " plus ", "=": " är lika med ", "@": " snabel-a ", "%": " procent ",
    "‰": " promille ", "°": " grader ", "€": " euro ", "$": " dollar ", "£": " pund ",
    "×": " gånger ", "±": " plus minus ", "→": " ", "•": ", ", "·": ", ", "*": " ", "#": " ",
    "|": ", ", "_": " ", "~": " ", "^": " ", "/": " ", "\\": " ", "[": "(", "]": ")",
    "{": "(", "}": ")", "<": " mindre än ", ">": " mer än ", "≤": " högst ", "≥": " minst ",
    "§": " paragraf ", "†": " ", "©": " ", "®": " ", "™": " ", "…": "...",
}
_SYMBOL_RE = re.compile("|".join(re.escape(s) for s in _SYMBOLS))
_WORD_SLASH = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")



def symbols(t: Tracked, _p: list[str]) -> None:
    t.sub(r"\b([A-ZÅÄÖ])\s?&\s?([A-ZÅÄÖ])\b", lambda m: f"{spell(m.group(1))} och {spell(m.group(2))}")
    t.sub(r"\bkr\b\.?", "kronor")
    t.sub(r"\boch/eller\b", "och eller")
    t.sub(_WORD_SLASH, " eller ")
    t.sub(r"(?<=\w)\+(?=\s|$|[,.)])", " plus")
    t.sub(_SYMBOL_RE, lambda m: _SYMBOLS[m.group()])
    t.sub(r"(?m)^\s*(?:[-–—]+\s*)+", "")  # dash-led quotes: the dash is not spoken
    t.sub(r"\s+[-–—]+\s+", ", ")  # a spaced dash is a pause
    t.sub(r"(?<=\w)[–—](?=\w)", " ")
    t.sub(r"\s[-–—]+$|\s[-–—]+(?=\s)", "")
    t.sub(r"\.{4,}", "...")
    t.sub(r"(?m)^\s*[-–—]+\s*$", "")  # a dash alone says nothing
