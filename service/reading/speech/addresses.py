"""Addresses, phone numbers and identity numbers, read the way Swedes read them aloud:
"info punkt kommun punkt se", "noll åtta, hundratjugotre, ...", "nitton tolv tolv tolv, tolv tolv".
The spoken result is protected from later passes."""
from __future__ import annotations

import re

from . import numbers as nw
from .common import protect
from .tracked import Tracked

# --- e-mail and web addresses -----------------------------------------------------------------

_TLDS = r"(?:se|nu|com|org|net|eu|info|io|fi|no|dk|de|uk|fr|gov|edu|app|dev|ax|is)"
_EMAIL = re.compile(r"(?<![\w.@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?<![\w@/.-])(?:(?:https?://|www\.)[^\s<>]+"
    r"|(?:[A-Za-z0-9-]+\.)+" + _TLDS + r"\b(?:/[^\s<>]*)?)"
)
_URL_TRAILING = ".,;:!?)]"
_ADDRESS_SYMBOLS = {".": "punkt", "/": "snedstreck", "-": "bindestreck", "_": "understreck",
                    ":": "kolon", "~": "tilde", "=": "lika med", "&": "och", "+": "plus"}


def _speak_address(text: str) -> str:
    """Read a host name or path the Swedish way: "kommun.se/fardtjanst" ->
    "kommun punkt se snedstreck fardtjanst"."""
    words: list[str] = []
    for token in re.findall(r"[^\W\d_]+|\d+|[./\-_:~=&+]", text):
        if token == "1177":
            words.append("elva sjuttiosju")
        elif token.isdigit():
            words.append(nw.digits(token) if len(token) > 3 or token[0] == "0" else nw.cardinal(int(token)))
        elif token.lower() == "www":
            words.append("ve ve ve")
        elif token.isalpha():
            words.append(token)
        else:
            words.append(_ADDRESS_SYMBOLS[token])
    return " ".join(words)


def emails(t: Tracked, protected: list[str]) -> None:
    def spoken(m: re.Match[str]) -> str:
        local, domain = m.group().rsplit("@", 1)
        return protect(protected, f"{_speak_address(local)} snabel-a {_speak_address(domain)}")

    t.sub(_EMAIL, spoken)


def urls(t: Tracked, protected: list[str]) -> None:
    def spoken(m: re.Match[str]) -> str:
        url = m.group()
        trailing = ""
        while url and url[-1] in _URL_TRAILING:
            trailing = url[-1] + trailing
            url = url[:-1]
        address = re.sub(r"^https?://", "", url, flags=re.I)
        address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")
        return protect(protected, _speak_address(address)) + trailing

    t.sub(_URL, spoken)


# --- personal identity and organisation numbers ------------------------------------------------

_ID_NUMBER = re.compile(r"(?<![\w,.+-])((?:19|20)?\d{6})([-+])(\d{4})(?![\w]|[.,]\d|-\d)")


def ids(t: Tracked, protected: list[str]) -> None:
    """"19121212-1212" (personnummer) in pairs: "nitton tolv tolv tolv, tolv tolv";
    "556036-0793" (organisationsnummer, month digits 20 or more) digit by digit."""
    def spoken(m: re.Match[str]) -> str:
        head, tail = m.group(1), m.group(3)
        month = int(head[-4:-2])
        if 1 <= month <= 12 and 1 <= int(head[-2:]) % 60 <= 31:
            first = " ".join(nw.number_string(head[i:i + 2]) for i in range(0, len(head), 2))
            second = " ".join(nw.number_string(tail[i:i + 2]) for i in range(0, 4, 2))
        else:
            first, second = nw.digits(head), nw.digits(tail)
        return protect(protected, f"{first}, {second}")

    t.sub(_ID_NUMBER, spoken)


# --- phone numbers --------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+,.:-])"
    r"(?:(?P<intl>\+46)[ -]?(?:\(0\)[ -]?)?(?P<iarea>[1-9]\d{0,2})|(?P<area>0[1-9]\d{0,2}))"
    r"(?:[ ]?-[ ]?|[ ]|/)"
    r"(?P<rest>\d{2,8}(?:[ -]\d{2,4}){0,3})"
    r"(?![\d]|[.,]\d|:[a-z])"
)
_MOBILE_COMPACT = re.compile(r"(?<![\w+,.])(?:\+46|0)(7\d)(\d{3})(\d{2})(\d{2})(?![\d]|[.,]\d)")
_INTL_COMPACT = re.compile(r"(?<![\w+,.])\+46(\d{1,3})(\d{5,8})(?![\d]|[.,]\d)")
_EMERGENCY = re.compile(
    r"\b((?:ring|ringa|ringer|ringt|ringde|larma|larmar|larmnumret|nödnumret|numret)"
    r"(?:\s+(?:till|på))?\s+)112(?!\d)",
    re.I,
)
_EMERGENCY_ALONE = re.compile(r"(?<![\w,.])112(?=\s*$|\s*[.!,)])")
_HEALTHCARE = re.compile(r"(?<![\w,.])1177(?![\d]|[.,]\d)")  # the healthcare line, "elva sjuttiosju"


def _area(code: str, international: bool) -> str:
    """Area code: "070" -> "noll sjuttio", "08" -> "noll åtta", "0155" -> "noll ett fem fem"."""
    digits = code if international else code[1:]
    spoken = nw.cardinal(int(digits)) if len(digits) <= 2 else nw.digits(digits)
    return spoken if international else "noll " + spoken


_ACCOUNT = re.compile(
    r"\b((?:bankgiro|bankgironummer|bg|plusgiro|plusgironummer|pg|kontonummer|konto|clearingnummer"
    r"|swish|swishnummer|ocr|ocr-nummer|referensnummer|kundnummer|fakturanummer|ärendenummer|lgh"
    r"|lägenhetsnummer)\.?:?\s+)(\d+(?:[ -]\d+)*)(?![\d]|[.,]\d)",
    re.I,
)
_DIGIT_GROUPS = re.compile(r"(?<![\w,.:+-])\d{2,4}(?: \d{2,3}){2,}(?![\d]|[.,]\d)")


def _group_list(digits: str) -> str:
    return ", ".join(nw.group(g) for g in re.split(r"[ -]", digits) if g)


def phones(t: Tracked, protected: list[str]) -> None:
    def spoken(m: re.Match[str]) -> str:
        groups = re.split(r"[ -]", m.group("rest"))
        if sum(len(g) for g in groups) < 5:
            return m.group()
        if m.group("intl"):
            head = ["plus fyrtiosex", _area(m.group("iarea"), True)]
        else:
            head = [_area(m.group("area"), False)]
        return protect(protected, ", ".join(head + [nw.group(g) for g in groups]))

    def mobile(m: re.Match[str]) -> str:
        parts = [f"noll {nw.cardinal(int(m.group(1)))}"] + [nw.group(g) for g in m.groups()[1:]]
        return protect(protected, ", ".join(parts))

    def intl(m: re.Match[str]) -> str:
        return protect(protected, f"plus fyrtiosex, {_area(m.group(1), True)}, {nw.group(m.group(2))}")

    t.sub(_ACCOUNT, lambda m: m.group(1) + protect(protected, _group_list(m.group(2))))
    t.sub(_PHONE, spoken)
    t.sub(_MOBILE_COMPACT, mobile)
    t.sub(_INTL_COMPACT, intl)

    def groups(m: re.Match[str]) -> str:
        parts = m.group().split(" ")
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            return m.group()  # a number with thousands separators: "1 250 000"
        return protect(protected, _group_list(m.group()))

    t.sub(_DIGIT_GROUPS, groups)
    t.sub(_EMERGENCY, lambda m: m.group(1) + "ett ett två")
    t.sub(_EMERGENCY_ALONE, "ett ett två")
    t.sub(_HEALTHCARE, "elva sjuttiosju")
