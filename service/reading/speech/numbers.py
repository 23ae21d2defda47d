"""Swedish number words: cardinals, ordinals, years, decimals and digit strings.

Written by hand (no num2words) so the spoken forms follow what Swedish newsreaders say:
"ettusen tvåhundrafemtio", "en miljon", "hundratjugotre", "nittonhundranittio", "tjugohundrafemton".
Numbers are one compound word below a thousand; thousands, millions and the rest are separated by a
space ("femtioniotusen tvåhundra"), which espeak-ng reads more clearly than one very long compound.
"""
from __future__ import annotations

ONES = (
    "noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio",
    "tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton",
)
TENS = {
    2: "tjugo", 3: "trettio", 4: "fyrtio", 5: "femtio", 6: "sextio", 7: "sjuttio", 8: "åttio", 9: "nittio",
}

ORDINALS = (
    "nollte", "första", "andra", "tredje", "fjärde", "femte", "sjätte", "sjunde", "åttonde", "nionde",
    "tionde", "elfte", "tolfte", "trettonde", "fjortonde", "femtonde", "sextonde", "sjuttonde",
    "artonde", "nittonde",
)
TENS_ORDINALS = {
    2: "tjugonde", 3: "trettionde", 4: "fyrtionde", 5: "femtionde",
    6: "sextionde", 7: "sjuttionde", 8: "åttionde", 9: "nittionde",
}

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)

# Above this many digits a number is read digit by digit (account numbers, ids).
MAX_CARDINAL_DIGITS = 15


def _join(left: str, right: str) -> str:
    """Compound two parts; Swedish drops the third of three equal consonants ("ett" + "tusen")."""
    if left and right and len(left) >= 2 and left[-1] == left[-2] == right[0]:
        return left + right[1:]
    return left + right


def _below_100(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (ONES[ones] if ones else "")


def _below_1000(n: int) -> str:
    """1..999 as one word; the hundred is "hundra", not "etthundra" ("hundratjugotre")."""
    hundreds, rest = divmod(n, 100)
    word = ""
    if hundreds:
        word = ("" if hundreds == 1 else ONES[hundreds]) + "hundra"
    if rest:
        word = _join(word, _below_100(rest))
    return word


def cardinal(n: int, common: bool = False) -> str:
    """The number in words. `common` gives "en" for 1 (en krona) instead of neuter "ett" (ett år)."""
    if n < 0:
        return "minus " + cardinal(-n, common)
    if n == 0:
        return "noll"
    if n == 1:
        return "en" if common else "ett"
    if len(str(n)) > MAX_CARDINAL_DIGITS:
        return digits(str(n))
    parts: list[str] = []
    milliards, n = divmod(n, 10**9)
    if milliards:
        parts.append("en miljard" if milliards == 1 else cardinal(milliards) + " miljarder")
    millions, n = divmod(n, 10**6)
    if millions:
        parts.append("en miljon" if millions == 1 else cardinal(millions) + " miljoner")
    thousands, n = divmod(n, 1000)
    if thousands:
        parts.append(_join("ett" if thousands == 1 else _below_1000(thousands), "tusen"))
    if n:
        word = ("en" if common else "ett") if n == 1 else _below_1000(n)
        if common and n % 10 == 1 and n % 100 != 11 and word.endswith("ett"):
            word = word[:-3] + "en"  # "tjugoen kronor", "hundraen kronor"
        parts.append(word)
    return " ".join(parts)


def cardinal_of(written: str, common: bool = False) -> str:
    """`cardinal(int(written))` for a digit string of any length. A long one is said digit by digit
    without ever becoming an int: Python refuses int() of more than 4,300 digits (a ValueError)."""
    written = written.lstrip("0") or "0"
    if len(written) > MAX_CARDINAL_DIGITS:
        return digits(written)
    return cardinal(int(written), common)


def ordinal_of(written: str) -> str:
    """`ordinal(int(written))` for a digit string of any length (see `cardinal_of`)."""
    written = written.lstrip("0") or "0"
    if len(written) <= MAX_CARDINAL_DIGITS:
        return ordinal(int(written))
    head, rest = digits(written[:-3] + "000"), int(written[-3:])
    return head + "te" if rest == 0 else head + " " + ordinal(rest)


def small(written: str) -> int | None:
    """The value of a digit string short enough to be said as a number; None for a longer one (an
    id, a digit string), which is never a year, a day or a number noun either."""
    written = written.lstrip("0") or "0"
    return int(written) if len(written) <= MAX_CARDINAL_DIGITS else None


def ordinal(n: int) -> str:
    """First, second...: "första", "tjugoförsta", "hundrade", "tvåtusende"."""
    if n < 20:
        return ORDINALS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS_ORDINALS[tens] if ones == 0 else TENS[tens] + ORDINALS[ones]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = ("" if hundreds == 1 else ONES[hundreds]) + "hundra"
        return head + "de" if rest == 0 else _join(head, ordinal(rest))
    rest = n % 1000
    if rest == 0:
        return cardinal(n) + "de" if n < 10**6 else cardinal(n) + "te"
    return cardinal(n - rest) + " " + ordinal(rest)


def year(n: int) -> str:
    """A year as Swedes say it: 1990 "nittonhundranittio", 2009 "tvåtusen nio", 2015
    "tjugohundrafemton"."""
    if 1100 <= n <= 1999:
        century, rest = divmod(n, 100)
        return _below_100(century) + "hundra" + (_below_100(rest) if rest else "")
    if 2000 <= n <= 2009:
        return "tvåtusen" + (" " + ONES[n - 2000] if n > 2000 else "")
    if 2010 <= n <= 2099:
        return "tjugohundra" + _below_100(n - 2000)
    return cardinal(n)


def digits(s: str) -> str:
    """Digit by digit: "0155" -> "noll ett fem fem"."""
    return " ".join(ONES[int(c)] for c in s if c.isdigit())


def number_string(s: str, common: bool = False) -> str:
    """An integer as written (digits only). Leading zeros are spoken ("05" -> "noll fem")."""
    if len(s) > 1 and s.startswith("0"):
        zeros = len(s) - len(s.lstrip("0"))
        rest = s[zeros:]
        head = " ".join(["noll"] * zeros)
        return head + (" " + cardinal_of(rest, common) if rest else "")
    if len(s) > MAX_CARDINAL_DIGITS:
        return digits(s)
    return cardinal(int(s), common)


def fraction_digits(s: str) -> str:
    """The part after the decimal comma: "5" -> "fem", "25" -> "tjugofem", "05" -> "noll fem",
    longer parts digit by digit."""
    if len(s) <= 2:
        return number_string(s)
    return digits(s)


def decimal(int_part: str, frac_part: str) -> str:
    """"3", "5" -> "tre komma fem"."""
    return f"{number_string(int_part)} komma {fraction_digits(frac_part)}"


def group(s: str) -> str:
    """A group of a phone number or postal code: "649" -> "sexhundrafyrtionio", "00" -> "noll noll".
    Groups longer than three digits are read in pairs, as Swedes do."""
    if len(s) <= 3:
        return number_string(s)
    pairs: list[str] = []
    if len(s) % 2:
        pairs.append(s[:3])
        s = s[3:]
    pairs.extend(s[i:i + 2] for i in range(0, len(s), 2))
    return " ".join(number_string(p) for p in pairs)


def fraction(numerator: int, denominator: int) -> str:
    """3/4 -> "tre fjärdedelar", 1/2 -> "en halv", 1/3 -> "en tredjedel", 5/2 -> "fem halva"."""
    if denominator == 2:
        return "en halv" if numerator == 1 else cardinal(numerator) + " halva"
    if denominator == 1000:
        part = "tusendel"
    else:
        word = ordinal(denominator)
        # "åttonde" -> "åttondel", "hundrade" -> "hundradel", but "fjärde" -> "fjärdedel"
        part = word + ("l" if word.endswith(("nde", "ade")) and not word.endswith("sjunde") else "del")
    if numerator == 1:
        return "en " + part
    return cardinal(numerator) + " " + part + "ar"


_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman(numeral: str) -> int | None:
    """"XII" -> 12, "IV" -> 4 (I, V, X, L and C, below 400); None for anything else."""
    values = [_ROMAN_VALUES.get(c) for c in numeral]
    if not values or None in values:
        return None
    total = 0
    for i, value in enumerate(values):
        nxt = values[i + 1] if i + 1 < len(values) else 0
        total += -value if value < nxt else value
    return total if 0 < total < 400 else None
