"""Swedish text as it should be spoken: numbers, dates, times, phone numbers, money, units,
abbreviations, ordinals, ranges, addresses and symbols written out in words.

espeak-ng alone reads "2015-04-09" digit by digit, "t.ex." as "t punkt ex" and "§" as nonsense, so
everything a Swedish listener would hear as words is spelled out here. The passes run in a fixed
order (most specific first: e-mail and web addresses, phone numbers, dates, ... plain numbers last);
their output never contains digits, so a second run changes nothing. Plain text in, plain text out.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from . import numbers as nw
from .abbreviations import (
    ABBREVIATIONS,
    COMMON_GENDER,
    MONTH_SHORT,
    PER,
    SENTENCE_FINAL,
    UNDOTTED,
    UNITS,
    WEEKDAY_SHORT,
    WEEKDAYS,
)

_SPACES = re.compile(r"[ \t\u00a0\u2007\u2009\u202f\u2002\u2003\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_UPPER = "A-ZÅÄÖÉÜ"
_MONTHS = nw.MONTHS

# Private-use markers around text that later passes must not touch (spoken addresses, phones).
_PROTECT_OPEN, _PROTECT_CLOSE, _PROTECT_BASE = "\ue000", "\ue001", 0xE100
_PROTECTED = re.compile("\ue000(.)\ue001")


def normalize(text: str, lang: str = "sv") -> str:
    """`text` as espeak-ng should speak it. Only Swedish is rewritten; other languages just get
    their whitespace cleaned."""
    text = _clean_spaces(_INVISIBLE.sub("", text))
    if not (lang or "sv").lower().startswith("sv"):
        return text
    protected: list[str] = []
    for step in _STEPS:
        text = step(text, protected)
    text = _PROTECTED.sub(lambda m: protected[ord(m.group(1)) - _PROTECT_BASE], text)
    return _tidy(text)


def _clean_spaces(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _protect(protected: list[str], spoken: str) -> str:
    protected.append(spoken)
    return f"{_PROTECT_OPEN}{chr(_PROTECT_BASE + len(protected) - 1)}{_PROTECT_CLOSE}"


def _capitalised_like(written: str, spoken: str) -> str:
    return spoken[:1].upper() + spoken[1:] if written[:1].isupper() else spoken


# --- quotes ---------------------------------------------------------------------------------

def _quotes(text: str, _p: list[str]) -> str:
    """Quotation marks are not spoken; an apostrophe inside a word stays."""
    text = re.sub(r"[”“„\"»«›‹]", "", text)
    return re.sub(r"(?<![^\W\d_])[’‘']|[’‘'](?![^\W\d_])", "", text)


# --- e-mail and web addresses -----------------------------------------------------------------

_TLDS = r"(?:se|nu|com|org|net|eu|info|io|fi|no|dk|de|uk|fr|gov|edu|app|dev)"
_EMAIL = re.compile(r"(?<![\w.@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?<![\w@/.-])(?:(?:https?://|www\.)[^\s<>]+"
    r"|(?:[A-Za-z0-9-]+\.)+" + _TLDS + r"\b(?:/[^\s<>]*)?)"
)
_URL_TRAILING = ".,;:!?)]"


def _speak_address(text: str) -> str:
    """Read a host name or path the Swedish way: "kommun.se/fardtjanst" ->
    "kommun punkt se snedstreck fardtjanst"."""
    words: list[str] = []
    for token in re.findall(r"[^\W\d_]+|\d+|[./\-_:~=&+]", text):
        if token.isdigit():
            words.append(nw.digits(token) if len(token) > 3 or token[0] == "0" else nw.cardinal(int(token)))
        elif token.lower() == "www":
            words.append("ve ve ve")
        elif token.isalpha():
            words.append(token)
        else:
            words.append({".": "punkt", "/": "snedstreck", "-": "bindestreck", "_": "understreck",
                          ":": "kolon", "~": "tilde", "=": "lika med", "&": "och", "+": "plus"}[token])
    return " ".join(words)


def _emails(text: str, protected: list[str]) -> str:
    def spoken(m: re.Match[str]) -> str:
        local, domain = m.group().rsplit("@", 1)
        return _protect(protected, f"{_speak_address(local)} snabel-a {_speak_address(domain)}")

    return _EMAIL.sub(spoken, text)


def _urls(text: str, protected: list[str]) -> str:
    def spoken(m: re.Match[str]) -> str:
        url = m.group()
        trailing = ""
        while url and url[-1] in _URL_TRAILING:
            trailing = url[-1] + trailing
            url = url[:-1]
        address = re.sub(r"^https?://", "", url, flags=re.I)
        address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")
        return _protect(protected, _speak_address(address)) + trailing

    return _URL.sub(spoken, text)


# --- phone numbers --------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+,.:-])"
    r"(?:(?P<intl>\+46)[ -]?(?:\(0\)[ -]?)?(?P<iarea>[1-9]\d{0,2})|(?P<area>0[1-9]\d{0,2}))"
    r"(?:[ ]?-[ ]?|[ ]|/)"
    r"(?P<rest>\d{2,8}(?:[ -]\d{2,4}){0,3})"
    r"(?![\d]|[.,]\d|:[a-z])"
)
_MOBILE_COMPACT = re.compile(r"(?<![\w+,.])(?:\+46|0)(7\d)(\d{3})(\d{2})(\d{2})(?![\d]|[.,]\d)")
_EMERGENCY = re.compile(
    r"\b((?:ring|ringa|ringer|ringt|ringde|larma|larmar|larmnumret|nödnumret|numret)"
    r"(?:\s+(?:till|på))?\s+)112(?!\d)",
    re.I,
)

_HEALTHCARE = re.compile(r"(?<![\w,.])1177(?![\d]|[.,]\d)")  # the healthcare line, "elva sjuttiosju"


def _area(code: str, international: bool) -> str:
    """Area code: "070" -> "noll sjuttio", "08" -> "noll åtta", "0155" -> "noll ett fem fem"."""
    digits = code if international else code[1:]
    spoken = nw.cardinal(int(digits)) if len(digits) <= 2 else nw.digits(digits)
    return spoken if international else "noll " + spoken


def _phones(text: str, protected: list[str]) -> str:
    def spoken(m: re.Match[str]) -> str:
        groups = re.split(r"[ -]", m.group("rest"))
        if sum(len(g) for g in groups) < 5:
            return m.group()
        if m.group("intl"):
            head = ["plus fyrtiosex", _area(m.group("iarea"), True)]
        else:
            head = [_area(m.group("area"), False)]
        return _protect(protected, ", ".join(head + [nw.group(g) for g in groups]))

    def mobile(m: re.Match[str]) -> str:
        parts = [f"noll {nw.cardinal(int(m.group(1)))}"] + [nw.group(g) for g in m.groups()[1:]]
        return _protect(protected, ", ".join(parts))

    text = _PHONE.sub(spoken, text)
    text = _MOBILE_COMPACT.sub(mobile, text)
    text = _EMERGENCY.sub(lambda m: m.group(1) + "ett ett två", text)
    return _HEALTHCARE.sub("elva sjuttiosju", text)


# --- dates ----------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(?<![\d.,-])(\d{4})-(\d{2})-(\d{2})(?![\d]|-\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d]|\.\d)")
_SLASH_DATE = re.compile(r"\b(den\s+)(\d{1,2})/(\d{1,2})(?:\s+(\d{4}))?(?!\d)", re.I)
_MONTH_WORDS = (
    r"(?:" + "|".join(_MONTHS) + r")\b|(?:" + "|".join(sorted(MONTH_SHORT, key=len, reverse=True)) + r")\b\.?"
)
_WRITTEN_DATE = re.compile(
    r"(?<![\w,.])(\d{1,2})(?:\s*(?:–|—|-)\s*(\d{1,2}))?\s+(" + _MONTH_WORDS + r")"
    r"(?:\s+(\d{4})(?![\d]|[.,]\d))?",
    re.I,
)
_DEN_BEFORE = re.compile(r"\bden\s*$", re.I)


def _date(day: int, month: int, year: int | None, text: str, start: int) -> str:
    """"den nionde april tjugohundrafemton"; "den" is not repeated when the text already has it."""
    spoken = f"{nw.ordinal(day)} {_MONTHS[month - 1]}"
    if year is not None:
        spoken += " " + nw.year(year)
    if not _DEN_BEFORE.search(text[max(0, start - 6):start]):
        spoken = "den " + spoken
    return spoken


def _valid(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _dates(text: str, _p: list[str]) -> str:
    def iso(m: re.Match[str]) -> str:
        y, mo, d = (int(g) for g in m.groups())
        return _date(d, mo, y, m.string, m.start()) if _valid(d, mo) else m.group()

    def dotted(m: re.Match[str]) -> str:
        d, mo, y = (int(g) for g in m.groups())
        return _date(d, mo, y, m.string, m.start()) if _valid(d, mo) else m.group()

    def slashed(m: re.Match[str]) -> str:
        d, mo = int(m.group(2)), int(m.group(3))
        if not _valid(d, mo):
            return m.group()
        y = int(m.group(4)) if m.group(4) else None
        return m.group(1) + _date(d, mo, y, "den", 3)

    def written(m: re.Match[str]) -> str:
        first, second, month_word, y = m.groups()
        name = month_word.lower().rstrip(".")
        month = _MONTHS.index(name) + 1 if name in _MONTHS else MONTH_SHORT[name]
        days = [int(first)] + ([int(second)] if second else [])
        if not all(_valid(d, month) for d in days):
            return m.group()
        spoken = _date(days[-1], month, int(y) if y else None, "den", 3)
        if second:
            spoken = f"{nw.ordinal(days[0])} till {spoken}"
        if not _DEN_BEFORE.search(m.string[max(0, m.start() - 6):m.start()]):
            spoken = "den " + spoken
        return spoken

    text = _ISO_DATE.sub(iso, text)
    text = _DOTTED_DATE.sub(dotted, text)
    text = _SLASH_DATE.sub(slashed, text)
    return _WRITTEN_DATE.sub(written, text)


# --- abbreviations --------------------------------------------------------------------------

def _dotted_pattern(key: str) -> str:
    parts = key.split(".")
    if len(parts) == 1:  # "c:a"
        return re.escape(key)
    body = r"\.\s?".join(re.escape(p.strip()) for p in parts[:-1] if p.strip())
    inner_dots = key.count(".") > 1
    return body + (r"\.?" if inner_dots else r"\.")


_DOTTED = sorted(ABBREVIATIONS, key=len, reverse=True)
_DOTTED_RE = re.compile(
    r"(?<![\w.])(" + "|".join(_dotted_pattern(k) for k in _DOTTED) + r")(?!\w)", re.I
)
_DOTTED_LOOKUP = {re.sub(r"\s", "", k.lower()): v for k, v in ABBREVIATIONS.items()}
_UNDOTTED_VARIANTS = {v: k for k in UNDOTTED for v in (k, k[0].upper() + k[1:])} | {"OBS": "obs"}
_UNDOTTED_RE = re.compile(
    r"(?<![\w.\-@])("
    + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_UNDOTTED_VARIANTS, key=len, reverse=True))
    + r")\.?(?![\w\-@])"
)
_KL_UNDOTTED = re.compile(r"\b([Kk])l(?=\s*\d)")
_SANKT = re.compile(r"\bSt\.(?=\s+[" + _UPPER + r"])")
_CHAPTER = re.compile(r"(?<![\w,.])(\d+)\s+kap\.?(?!\w)")
_PARAGRAPH_AFTER = re.compile(r"(?<![\w,.])(\d+(?:\s*[a-z])?)\s*§(?!§)")
_SENTENCE_START_AFTER = re.compile(r"\s+[" + _UPPER + r"]")


def _abbreviations(text: str, _p: list[str]) -> str:
    text = _CHAPTER.sub(lambda m: f"kapitel {m.group(1)}", text)
    text = _PARAGRAPH_AFTER.sub(lambda m: f"paragraf {m.group(1)}", text)
    text = text.replace("§§", " paragraferna ").replace("§", " paragraf ")
    text = _SANKT.sub("Sankt", text)
    text = _KL_UNDOTTED.sub(lambda m: "Klockan" if m.group(1) == "K" else "klockan", text)

    def dotted(m: re.Match[str]) -> str:
        written = m.group(1)
        key = re.sub(r"\s", "", written.lower())
        spoken = _DOTTED_LOOKUP.get(key) or _DOTTED_LOOKUP.get(key + ".")
        if spoken is None:
            return written
        spoken = _capitalised_like(written, spoken)
        after = m.string[m.end():]
        ends = not after.strip() or (
            (key in SENTENCE_FINAL or key + "." in SENTENCE_FINAL) and _SENTENCE_START_AFTER.match(after)
        )
        return spoken + "." if ends and written.endswith(".") else spoken

    def undotted(m: re.Match[str]) -> str:
        key = re.sub(r"\s+", " ", m.group(1))
        spoken = UNDOTTED[_UNDOTTED_VARIANTS[key]]
        spoken = _capitalised_like(m.group(1), spoken)
        ends = m.group().endswith(".") and not m.string[m.end():].strip()
        return spoken + "." if ends else spoken

    text = _DOTTED_RE.sub(dotted, text)
    return _UNDOTTED_RE.sub(undotted, text)


# --- ranges ---------------------------------------------------------------------------------

_DAY_NAMES = "|".join(WEEKDAYS + _MONTHS)
_WORD_RANGE = re.compile(r"\b(" + _DAY_NAMES + r")\s*[–—-]\s*(" + _DAY_NAMES + r")\b", re.I)
_SHORT_DAYS = "|".join(sorted(WEEKDAY_SHORT, key=len, reverse=True))
_SHORT_DAY_RANGE = re.compile(
    r"\b(" + _SHORT_DAYS + r")\.?\s*[–—-]\s*(" + _SHORT_DAYS + r")\b\.?", re.I
)
_NUMBER_RANGE = re.compile(r"(?<=\d)(?:\s*[–—]\s*|-|\s+-\s+)(?=\d)")
_DATE_RANGE = re.compile(r"(?<=\w)\s*[–—]\s*(?=den\s)")  # "1 januari–31 december", dates already spoken


def _ranges(text: str, _p: list[str]) -> str:
    def short(m: re.Match[str]) -> str:
        first = _capitalised_like(m.group(1), WEEKDAY_SHORT[m.group(1).lower()])
        return f"{first} till {WEEKDAY_SHORT[m.group(2).lower()]}"

    text = _SHORT_DAY_RANGE.sub(short, text)
    text = _WORD_RANGE.sub(lambda m: f"{m.group(1)} till {m.group(2)}", text)
    text = _DATE_RANGE.sub(" till ", text)
    return _NUMBER_RANGE.sub(" till ", text)


# --- clock times ----------------------------------------------------------------------------

_CLOCK = re.compile(r"\b([Kk]lockan\s+)(\d{1,2})(?:[.:](\d{2}))?(?!\d|[.:,]\d)")
_BARE_TIME = re.compile(r"(?<![\w.,:])(\d{1,2})[.:](\d{2})(?!\d|[.:,]\d)")


def time_words(hour: int, minute: int | None) -> str:
    """18, 30 -> "arton och trettio"; 8, 0 -> "åtta"; 9, 5 -> "nio noll fem"."""
    spoken = nw.cardinal(hour)
    if minute:
        spoken += f" noll {nw.cardinal(minute)}" if minute < 10 else f" och {nw.cardinal(minute)}"
    return spoken


def _times(text: str, _p: list[str]) -> str:
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

    text = _CLOCK.sub(clock, text)
    return _BARE_TIME.sub(bare, text)


# --- decades, ordinals, postal codes, slashes -------------------------------------------------

_DECADE = re.compile(r"(?<![\w,.])(\d{2,4})-(tal[a-zåäö]*)")
_ORDINAL = re.compile(r"(?<![\w,.])(\d+):(?:a|e|te|de|nde|dje)\b")
_POSTAL = re.compile(r"(?<![\w,.])(?<!\d\s)(\d{3}) (\d{2})(?=\s+[" + _UPPER + r"]|\s*$|\s*[,\n])")
_YEAR_SPAN = re.compile(r"(?<![\w,.])((?:1[1-9]|20)\d\d)/(\d{4}|\d{2})(?![\d]|[.,]\d)")
_FRACTIONS = {
    "1/2": "en halv", "1/3": "en tredjedel", "2/3": "två tredjedelar", "1/4": "en fjärdedel",
    "3/4": "tre fjärdedelar", "1/5": "en femtedel", "1/10": "en tiondel",
}
_FRACTION = re.compile(r"(?<![\w,./])(" + "|".join(re.escape(f) for f in _FRACTIONS) + r")(?![\w/]|[.,]\d)")
_PER = re.compile(
    r"(?<=[\w%])\s?/\s?(" + "|".join(sorted(PER, key=len, reverse=True)) + r")\b", re.I
)


def _decade(m: re.Match[str]) -> str:
    n = int(m.group(1))
    return (nw.year(n) if len(m.group(1)) == 4 else nw.cardinal(n)) + m.group(2)


def _numbered_forms(text: str, _p: list[str]) -> str:
    text = _DECADE.sub(_decade, text)
    text = _ORDINAL.sub(lambda m: nw.ordinal(int(m.group(1))), text)
    text = _POSTAL.sub(lambda m: f"{nw.group(m.group(1))} {nw.group(m.group(2))}", text)

    def span(m: re.Match[str]) -> str:
        first, second = m.group(1), m.group(2)
        end = int(first[:2] + second) if len(second) == 2 else int(second)
        return f"{nw.year(int(first))} till {nw.year(end)}"

    text = _YEAR_SPAN.sub(span, text)
    text = _FRACTION.sub(lambda m: _FRACTIONS[m.group(1)], text)
    return _PER.sub(lambda m: " per " + PER[m.group(1).lower()], text)


# --- money, units and plain numbers -----------------------------------------------------------

_NUM = r"(?<![\w,.])(\d{1,3}(?:[ .]\d{3})+|\d+)"
_MONEY = re.compile(_NUM + r"(?:,(\d{1,2}|-{1,2}))?\s?(?:kr\b|kronor\b|SEK\b|:-)(?:\.(?=\s+[a-zåäö]))?")
_MULTI_UNITS = sorted((u for u in UNITS if len(u) > 1), key=len, reverse=True)
_SINGLE_UNITS = ["m", "g", "l", "h", "W", "°", "%", "‰"]
_UNIT = re.compile(
    _NUM + r"(?:,(\d+))?\s?(?:(?i:(" + "|".join(re.escape(u) for u in _MULTI_UNITS) + r"))"
    r"|(" + "|".join(re.escape(u) for u in _SINGLE_UNITS) + r"))(?![\w²³]|\.[^\W\d_])"
    r"(?:\.(?=\s+[a-zåäö]))?"
)
_NUMBER = re.compile(_NUM + r"(?:,(\d+))?(?![\w]|[.,]\d)")
_DOTTED_NUMBER = re.compile(r"(?<![\w,.])\d+(?:\.\d+)+(?![\w]|[.,]\d)")
_YEAR = re.compile(r"(?<![\w,.])(1[1-9]\d\d|20\d\d)(?![\w]|[.,]\d| \d{3}(?!\d))")
_NEGATIVE = re.compile(r"(?<![^\s(])[-−](?=\d)")
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_COMPOUND = re.compile(r"(?<![\w,.])(\d+)-(?=[^\W\d_])")


def _integer(written: str) -> int:
    return int(re.sub(r"[ .]", "", written))


def _money(text: str, _p: list[str]) -> str:
    def spoken(m: re.Match[str]) -> str:
        kronor = _integer(m.group(1))
        cents = m.group(2) if m.group(2) and m.group(2)[0].isdigit() else ""
        ore = int(cents.ljust(2, "0")) if cents else 0
        parts = []
        if kronor or not ore:
            parts.append(f"{nw.cardinal(kronor, common=True)} {'krona' if kronor == 1 else 'kronor'}")
        if ore:
            parts.append(f"{nw.cardinal(ore)} öre")
        return " och ".join(parts)

    return _MONEY.sub(spoken, text)


def _units(text: str, _p: list[str]) -> str:
    def spoken(m: re.Match[str]) -> str:
        whole, frac, unit = m.group(1), m.group(2), (m.group(3) or m.group(4))
        singular, plural = UNITS.get(unit.lower()) or UNITS[unit]
        if frac:
            return f"{nw.decimal(str(_integer(whole)), frac)} {plural}"
        value = _integer(whole)
        return f"{nw.cardinal(value, common=singular in COMMON_GENDER)} {singular if value == 1 else plural}"

    return _UNIT.sub(spoken, text)


def _compounds(text: str, _p: list[str]) -> str:
    """"10-resorskort" -> "tioresorskort", "3-årig" -> "treårig"; letters and digits apart."""
    def joined(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return nw.year(n) if len(m.group(1)) == 4 else nw.number_string(m.group(1))

    text = _COMPOUND.sub(joined, text)
    text = _LETTER_DIGIT.sub(" ", text)
    return _NEGATIVE.sub("minus ", text)


def _numbers(text: str, _p: list[str]) -> str:
    text = _YEAR.sub(lambda m: nw.year(int(m.group(1))), text)

    def dotted(m: re.Match[str]) -> str:
        parts = m.group().split(".")
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            return m.group()  # thousands separated by dots: "1.250"
        return " punkt ".join(nw.number_string(p) for p in parts)

    text = _DOTTED_NUMBER.sub(dotted, text)

    def spoken(m: re.Match[str]) -> str:
        whole, frac = m.group(1), m.group(2)
        if frac:
            return nw.decimal(str(_integer(whole)), frac)
        if whole.startswith("0") and len(whole) >= 4:
            return nw.digits(whole)
        if re.fullmatch(r"\d+", whole):
            value = int(whole)
            nxt = _NEXT_WORD.match(m.string, m.end())
            common = value == 1 and bool(nxt) and nxt.group(1).lower() in COMMON_GENDER
            return nw.number_string(whole, common=common)
        return nw.cardinal(_integer(whole))

    text = _NUMBER.sub(spoken, text)
    return re.sub(r"\d+", lambda m: nw.number_string(m.group()), text)


# --- symbols and punctuation ----------------------------------------------------------------

_SYMBOLS = {
    "&": " och ", "+": " plus ", "=": " är lika med ", "@": " snabel-a ", "%": " procent ",
    "‰": " promille ", "°": " grader ", "€": " euro ", "$": " dollar ", "£": " pund ",
    "×": " gånger ", "±": " plus minus ", "→": " ", "•": ", ", "·": ", ", "*": " ", "#": " ",
    "|": ", ", "_": " ", "~": " ", "^": " ", "/": " ", "\\": " ", "[": "(", "]": ")",
    "{": "(", "}": ")", "<": " ", ">": " ",
}
_SYMBOL_RE = re.compile("|".join(re.escape(s) for s in _SYMBOLS))


def _symbols(text: str, _p: list[str]) -> str:
    text = re.sub(r"\bkr\b\.?", "kronor", text)
    text = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group()], text)
    text = re.sub(r"(?m)^\s*[-–—]\s*", "", text)  # dash-led quotes: the dash is not spoken
    text = re.sub(r"\s+[-–—]\s+", ", ", text)  # a spaced dash is a pause
    text = re.sub(r"(?<=\w)[–—](?=\w)", " ", text)
    return re.sub(r"\.{4,}", "...", text)


def _tidy(text: str) -> str:
    text = _clean_spaces(text)
    text = re.sub(r" +([,.;:!?)])", r"\1", text)
    text = re.sub(r"\( +", "(", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    return re.sub(r"([.!?]),", r"\1", text)


_STEPS: tuple[Callable[[str, list[str]], str], ...] = (
    _quotes,
    _emails,
    _urls,
    _phones,
    _dates,
    _abbreviations,
    _ranges,
    _times,
    _numbered_forms,
    _money,
    _units,
    _compounds,
    _numbers,
    _symbols,
)
