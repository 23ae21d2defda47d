"""Numbers in all their forms: decades, ordinals, postal codes, fractions, money with gender and
number ("en krona", "två kronor"), units, years, and plain cardinals and decimals."""
from __future__ import annotations

import re

from . import numbers as nw
from .abbreviations import COMMON_GENDER, PER, UNITS
from .common import MONTHS, UPPER
from .tracked import Tracked

# --- decades, ordinals, postal codes, fractions, slashes ----------------------------------------

_DECADE = re.compile(r"(?<![\w,.])(\d{1,4})-(tal[a-zåäö]*)")
_WEEK = re.compile(r"\b([Vv])(?:\.\s?|\s)(?=\d{1,2}(?![\d.,:]))")
_ORDINAL = re.compile(r"(?<![\w,.])(\d+):(?:a|e|te|de|nde|dje)\b")
_POSTAL = re.compile(
    r"(?<![\w,.])(?<!\d\s)(?:SE-?\s?)?(\d{3}) (\d{2})(?=\s+[" + UPPER + r"]|\s*$|\s*[,\n])"
)
_YEAR_SPAN = re.compile(r"(?<![\w,.])((?:1[1-9]|20)\d\d)/(\d{4}|\d{2})(?![\d]|[.,]\d)")
_FRACTION = re.compile(r"(?<![\w,./])(\d{1,3})/(\d{1,4})(?![\w/]|[.,]\d)")
_MIXED_FRACTION = re.compile(r"(?<![\w,.])(\d+)\s?([½¼¾⅓⅔])")
_UNICODE_FRACTIONS = {"½": (1, 2), "¼": (1, 4), "¾": (3, 4), "⅓": (1, 3), "⅔": (2, 3)}
_PER = re.compile(
    r"(?<=[\w%.])\s?/\s?(" + "|".join(sorted(PER, key=len, reverse=True)) + r")\b(?:\.(?=\s+[a-zåäö]))?", re.I
)


def _decade(m: re.Match[str]) -> str:
    n = int(m.group(1))
    if 2010 <= n <= 2099 and n % 10 == 0:
        return "tjugo" + nw.cardinal(n - 2000) + m.group(2)  # "tjugotjugotalet"
    return (nw.year(n) if len(m.group(1)) == 4 else nw.cardinal(n)) + m.group(2)


_NUMBER_NOUNS = {0: "nollan", 1: "ettan", 2: "tvåan", 3: "trean", 4: "fyran", 5: "femman", 6: "sexan",
                 7: "sjuan", 8: "åttan", 9: "nian", 10: "tian", 11: "elvan", 12: "tolvan", 20: "tjugan"}
_NUMBER_SUFFIX = re.compile(r"(?<![\d,.])(\d+):(an|en|orna|or|s|n)\b")


def _number_suffix(m: re.Match[str]) -> str:
    """"E4:an" -> "E fyran", "2025:s" -> "tjugohundratjugofems", "100:an" -> "hundringen"."""
    n, suffix = nw.small(m.group(1)), m.group(2)
    space = " " if m.start() and m.string[m.start() - 1].isalpha() else ""
    if suffix == "an" and n in _NUMBER_NOUNS:
        return space + _NUMBER_NOUNS[n]
    if suffix == "an" and n == 100:
        return space + "hundringen"
    word = nw.year(n) if n is not None and 1100 <= n <= 2099 else nw.cardinal_of(m.group(1))
    return space + word + (suffix if suffix in ("s", "orna", "or") else "")


_ABOUT = re.compile(r"(?<![\w~])~\s?(?=\d)")
_PART_OF = re.compile(r"(?<![\w,./])(?:(\d{1,3})\s?(?=[½¼¾]|\s[13]/[24]))?\s?(?:([½¼¾])|([1-9])/([24]))\s?"
                      r"([^\W\d_]+)\b(?!/)")


def _part_of(m: re.Match[str]) -> str:
    """A half or quarter of a unit or noun, in agreement with it: "½ kg" -> "ett halvt kilo",
    "½ liter" -> "en halv liter", "3/4 timme" -> "tre kvarts timme", "¼ tsk" -> "en kvarts tesked"."""
    whole = m.group(1)
    num, den = _UNICODE_FRACTIONS[m.group(2)] if m.group(2) else (int(m.group(3)), int(m.group(4)))
    word = m.group(5)
    unit = UNITS.get(word.lower()) or UNITS.get(word)
    noun = unit[0] if unit else word
    common = noun in COMMON_GENDER or noun.split(" ")[-1] in COMMON_GENDER
    if unit is None and not common and word.lower() not in _NEUTER_MEASURES:
        return m.group()  # not a measure we know the gender of: the plain fraction passes read it
    lead = f"{nw.cardinal_of(whole, common=common)} och " if whole else ""
    if den == 2 and num == 1:
        return lead + ("en halv " if common else "ett halvt ") + noun
    if den == 4 and num in (1, 3):
        return lead + (("en" if common else "ett") + " kvarts " if num == 1 else "tre kvarts ") + noun
    return m.group()


_NEUTER_MEASURES = frozenset({"kilo", "hekto", "gram", "år", "dygn", "paket", "glas", "ark"})


def numbered_forms(t: Tracked, _p: list[str]) -> None:
    t.sub(_DECADE, _decade)
    t.sub(_ORDINAL, lambda m: nw.ordinal_of(m.group(1)))
    t.sub(_NUMBER_SUFFIX, _number_suffix)
    t.sub(_WEEK, lambda m: "vecka " if m.group(1) == "v" else "Vecka ")
    t.sub(_POSTAL, lambda m: f"{nw.group(m.group(1))} {nw.group(m.group(2))}")

    def span(m: re.Match[str]) -> str:
        first, second = m.group(1), m.group(2)
        end = int(first[:2] + second) if len(second) == 2 else int(second)
        return f"{nw.year(int(first))} till {nw.year(end)}"

    t.sub(_YEAR_SPAN, span)

    t.sub(_ABOUT, "cirka ")  # "~5 min"
    t.sub(_TIMES, " gånger ")  # "3 x 2 m": before the units pass turns "2 m" into words
    t.sub(_PART_OF, _part_of)

    def mixed(m: re.Match[str]) -> str:
        num, den = _UNICODE_FRACTIONS[m.group(2)]
        return f"{nw.cardinal_of(m.group(1), common=True)} och {nw.fraction(num, den)}"

    t.sub(_MIXED_FRACTION, mixed)
    t.sub("[½¼¾⅓⅔]", lambda m: nw.fraction(*_UNICODE_FRACTIONS[m.group()]))

    def fraction(m: re.Match[str]) -> str:
        num, den = int(m.group(1)), int(m.group(2))
        if den < 2 or num < 1:
            return m.group()
        return nw.fraction(num, den)

    t.sub(_FRACTION, fraction)
    def per(m: re.Match[str]) -> str:
        before = re.search(r"[^\W\d_]+$", m.string[:m.start()])
        if before and f"{before.group()}/{m.group(1)}".lower() in UNITS:
            return m.group()  # a unit of its own: "km/h", "Mbit/s"
        return " per " + PER[m.group(1).lower()]

    t.sub(_PER, per)
    t.sub(r"(?<=\d)\s?/\s?(?=\d)", " snedstreck ")


# --- money, units and plain numbers -----------------------------------------------------------

_NUM = r"(?<![\w,.])(\d{1,3}(?:[ .]\d{3})+|\d+)"
# The same, its thousands groups possessive ("++"): for money and units, whose currency or unit can
# never start where a group ends (at " 123" or ".123"), so giving groups back finds no other match;
# it only made a long run of groups ("111 111 111 ...") cost quadratic time before failing.
_NUM_ONCE = r"(?<![\w,.])(\d{1,3}(?:[ .]\d{3})++|\d+)"
_SCALE_WORDS = r"(miljoner\b|miljarder\b|miljon\b|miljard\b|milj\.|milj\b|mdr\b|tusen\b)"
_SCALE = r"(?:\s+" + _SCALE_WORDS + r")?"
_MONEY = re.compile(
    _NUM_ONCE + r"(?:,(\d{1,2}|-{1,2}))?" + _SCALE
    + r"\s?(?:(kr\b|kronor\b|SEK\b|:-)|(€|EUR\b|euro\b)|(\$|USD\b|dollar\b)|(£|GBP\b|pund\b))"
    r"(?:\.(?=\s+[a-zåäö]))?"
)
_MONEY_BEFORE = re.compile(
    r"(?:(€|EUR)|(\$|USD)|(£|GBP)|(SEK))\s?" + r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d{1,2}|-{1,2}))?"
    + _SCALE + r"(?![\d])"
)
_CURRENCIES = (("krona", "kronor", "öre"), ("euro", "euro", "cent"), ("dollar", "dollar", "cent"),
               ("pund", "pund", "pence"))
_MULTI_UNITS = sorted((u for u in UNITS if len(u) > 1 and u not in {"euro", "år", "mån", "dygn"}),
                      key=len, reverse=True)
_SINGLE_UNITS = ["m", "g", "l", "h", "W", "V", "°", "%", "‰", "s"]
_UNIT = re.compile(
    _NUM_ONCE + r"(?:,(\d+))?\s?(?:(?i:(" + "|".join(re.escape(u) for u in _MULTI_UNITS) + r"))"
    r"|(" + "|".join(re.escape(u) for u in _SINGLE_UNITS) + r"))(?![\w²³]|\.[^\W\d_])"
    r"(?:\.(?=\s+[a-zåäö]))?"
)
_NUMBER = re.compile(_NUM + r"(?:,(\d+))?(?![\w]|[.,]\d)")
_DOTTED_NUMBER = re.compile(r"(?<![\w,.])\d+(?:\.\d+)+(?![\w]|[.,]\d)")
_YEAR = re.compile(r"(?<![\w,.])(1[1-9]\d\d|20\d\d)(?![\w]|[.,]\d| \d{3}(?!\d))")
_YEAR_CUE_BEFORE = re.compile(
    r"(?:\b(?:år|året|åren|sedan|under|efter|före|innan|våren|hösten|sommaren"
    r"|vintern|början|slutet|mitten|budget|budgeten|läsåret|inför|julen|påsken"
    r"|född|död|grundad|grundades|byggd|byggdes|" + "|".join(MONTHS) + r")"
    r"|[–—(-])\s*$",
    re.I,
)
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_NOT_NOUN = frozenset({
    "och", "till", "var", "är", "blir", "har", "hade", "kommer", "ska", "skulle", "kan", "kunde",
    "så", "då", "men", "eller", "med", "i", "på", "för", "fick", "får", "gick", "går", "blev",
    "startade", "började", "öppnade", "stängde", "infördes", "gäller", "gällde", "beslutade", "var",
    "betalade", "ökade", "minskade", "jämfört", "visar", "visade", "enligt", "samt", "vs",
})
_COMMON_WORDS = COMMON_GENDER | {plural for singular, plural in UNITS.values() if singular in COMMON_GENDER}
_RANGE_END = re.compile(r"\s+(?:\d+|[^\W\d_]+)\s+([^\W\d_]+)")  # "till 2 dl" / "till två deciliter"
_NEXT_TOKEN = re.compile(r"\s*([^\W\d_]+|[%‰])")
_MEASURE_WORDS = (
    {pair[1].split(" ")[0] for pair in UNITS.values()}
    | {"%", "‰", "procent", "promille", "miljon", "miljoner", "miljard", "miljarder", "kronor", "grader"}
)
_NEGATIVE = re.compile(r"(?<![^\s(])[-−–](?=\d)")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_COMPOUND = re.compile(r"(?<![\w,.])(\d+)-(?=[^\W\d_])")


def _integer(written: str) -> str:
    """The digits of "1 250 000" or "1.250" as `str(int(...))` would write them (no int: see
    `numbers.cardinal_of`)."""
    return re.sub(r"[ .]", "", written).lstrip("0") or "0"


def _scaled(whole: str, frac: str, scale: str | None) -> str:
    """"1,5 miljoner" -> "en komma fem miljoner"; "2 miljarder"."""
    word = {"milj": "miljoner", "milj.": "miljoner", "mdr": "miljarder"}.get(scale or "", scale or "")
    value = _integer(whole)
    if frac:
        number = nw.decimal(value, frac)
        word = {"miljon": "miljoner", "miljard": "miljarder"}.get(word, word)
    else:
        number = nw.cardinal_of(value, common=word != "tusen")
        if value == "1":
            word = {"miljoner": "miljon", "miljarder": "miljard"}.get(word, word)
        elif word in ("miljon", "miljard"):
            word += "er"
    return f"{number} {word}"


def _amount(whole: str, cents_written: str | None, scale: str | None, currency: int) -> str:
    one, many, small = _CURRENCIES[currency]
    cents = cents_written if cents_written and cents_written[0].isdigit() else ""
    if scale:
        return f"{_scaled(whole, cents, scale)} {many}"
    units = _integer(whole)
    hundredths = int(cents.ljust(2, "0")) if cents else 0
    parts = []
    if units != "0" or not hundredths:
        parts.append(f"{nw.cardinal_of(units, common=one != 'pund')} {one if units == '1' else many}")
    if hundredths:
        parts.append(f"{nw.cardinal(hundredths)} {small}")
    return " och ".join(parts)


def money(t: Tracked, _p: list[str]) -> None:
    def after(m: re.Match[str]) -> str:
        currency = next(i for i in range(4) if m.group(4 + i))
        return _amount(m.group(1), m.group(2), m.group(3), currency)

    def before(m: re.Match[str]) -> str:
        currency = next(i for i in range(4) if m.group(1 + i))
        currency = {0: 1, 1: 2, 2: 3, 3: 0}[currency]
        return _amount(m.group(5), m.group(6), m.group(7), currency)

    t.sub(_MONEY, after)
    t.sub(_MONEY_BEFORE, before)


_DOT_DECIMAL_UNIT = re.compile(
    r"(?<![\w,.])(\d+)\.(\d{1,2})(?=\s?(?:(?i:" + "|".join(re.escape(u) for u in _MULTI_UNITS) + r")|"
    + "|".join(re.escape(u) for u in _SINGLE_UNITS) + r")(?![\w²³]))"
)


def units(t: Tracked, _p: list[str]) -> None:
    t.sub(_DOT_DECIMAL_UNIT, r"\1,\2")  # "2.5 km" is "2,5 km" written the English way
    def spoken(m: re.Match[str]) -> str:
        whole, frac, unit = m.group(1), m.group(2), (m.group(3) or m.group(4))
        singular, plural = UNITS.get(unit.lower()) or UNITS[unit]
        if frac:
            return f"{nw.decimal(_integer(whole), frac)} {plural}"
        value = _integer(whole)
        common = singular in COMMON_GENDER or singular.split(" ")[-1] in COMMON_GENDER
        return f"{nw.cardinal_of(value, common=common)} {singular if value == '1' else plural}"

    t.sub(_UNIT, spoken)


def negatives(t: Tracked, _p: list[str]) -> None:
    t.sub(_NEGATIVE, "minus ")


_TIMES = re.compile(r"(?<=\d)\s?[x×]\s?(?=\d)")


def compounds(t: Tracked, _p: list[str]) -> None:
    """"10-resorskort" -> "tioresorskort", "3-årig" -> "treårig"; letters and digits apart."""
    def joined(m: re.Match[str]) -> str:
        written = m.group(1)
        return nw.year(int(written)) if len(written) == 4 else nw.number_string(written)

    t.sub(_COMPOUND, joined)
    t.sub(_LETTER_DIGIT, " ")


def _is_year(m: re.Match[str]) -> bool:
    value = int(m.group(1))
    if value < 2000:
        return True
    before = m.string[max(0, m.start() - 14):m.start()]
    if _YEAR_CUE_BEFORE.search(before):
        return True
    nxt = _NEXT_WORD.match(m.string, m.end())
    if nxt is None:
        return True
    word = nxt.group(1)
    # "2015 personer" counts; "2025 blir bättre", "Skolval 2025" name a year
    return word[0].isupper() or word.lower() in _NOT_NOUN


def numbers(t: Tracked, _p: list[str]) -> None:
    t.sub(_YEAR, lambda m: nw.year(int(m.group(1))) if _is_year(m) else m.group())

    def dotted(m: re.Match[str]) -> str:
        parts = m.group().split(".")
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            return m.group()  # thousands separated by dots: "1.250"
        nxt = _NEXT_TOKEN.match(m.string, m.end())
        if len(parts) == 2 and nxt and nxt.group(1).lower() in _MEASURE_WORDS:
            return nw.decimal(parts[0], parts[1])  # "1.5 procent": a decimal point, said "komma"
        return " punkt ".join(nw.number_string(p) for p in parts)

    t.sub(_DOTTED_NUMBER, dotted)

    def spoken(m: re.Match[str]) -> str:
        whole, frac = m.group(1), m.group(2)
        if frac:
            return nw.decimal(_integer(whole), frac)
        if whole.startswith("0") and len(whole) >= 4:
            return nw.digits(whole)
        nxt = _NEXT_WORD.match(m.string, m.end())
        common = bool(nxt) and nxt.group(1).lower() in COMMON_GENDER
        if nxt and nxt.group(1) == "till":  # a range takes the gender of what follows it: "1–2 dl"
            after = _RANGE_END.match(m.string, nxt.end())
            common = bool(after) and after.group(1).lower() in _COMMON_WORDS
        if re.fullmatch(r"\d+", whole):
            return nw.number_string(whole, common=common)
        return nw.cardinal_of(_integer(whole), common=common)

    t.sub(_NUMBER, spoken)
    t.sub(r"\d+", lambda m: nw.number_string(m.group()))
