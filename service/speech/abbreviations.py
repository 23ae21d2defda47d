"""Swedish abbreviations: how they are spoken, and which of them may end a sentence.

Data only. Keys are written with their dots; `normalize` also accepts them with a space after each
inner dot ("t. ex.") and, for the keys in UNDOTTED, without any dots ("dvs", "ca", "nr").
"""
from __future__ import annotations

# Written form (lower case, with dots) -> spoken form.
ABBREVIATIONS: dict[str, str] = {
    "t.ex.": "till exempel",
    "bl.a.": "bland annat",
    "d.v.s.": "det vill säga",
    "dvs.": "det vill säga",
    "m.m.": "med mera",
    "m.fl.": "med flera",
    "o.s.v.": "och så vidare",
    "osv.": "och så vidare",
    "etc.": "etcetera",
    "o.d.": "och dylikt",
    "dyl.": "dylikt",
    "ca.": "cirka",
    "c:a": "cirka",
    "fr.o.m.": "från och med",
    "t.o.m.": "till och med",
    "nr.": "nummer",
    "tel.": "telefon",
    "tfn.": "telefon",
    "kl.": "klockan",
    "inkl.": "inklusive",
    "exkl.": "exklusive",
    "p.g.a.": "på grund av",
    "pga.": "på grund av",
    "s.k.": "så kallad",
    "resp.": "respektive",
    "i.st.f.": "i stället för",
    "f.d.": "före detta",
    "f.n.": "för närvarande",
    "fr.a.": "framför allt",
    "e.d.": "eller dylikt",
    "ev.": "eventuellt",
    "enl.": "enligt",
    "ang.": "angående",
    "jfr.": "jämför",
    "jfr": "jämför",
    "obs.": "observera",
    "bl. a.": "bland annat",
    "e.kr.": "efter Kristus",
    "f.kr.": "före Kristus",
    "avd.": "avdelning",
    "tf.": "tillförordnad",
    "u.a.": "utan anmärkning",
}

# Abbreviations also written without dots. Only forms that are not ordinary Swedish words.
UNDOTTED: dict[str, str] = {
    "dvs": "det vill säga",
    "d v s": "det vill säga",
    "t ex": "till exempel",
    "bl a": "bland annat",
    "m fl": "med flera",
    "mfl": "med flera",
    "osv": "och så vidare",
    "o s v": "och så vidare",
    "etc": "etcetera",
    "ca": "cirka",
    "fr o m": "från och med",
    "t o m": "till och med",
    "nr": "nummer",
    "tel": "telefon",
    "tfn": "telefon",
    "inkl": "inklusive",
    "exkl": "exklusive",
    "pga": "på grund av",
    "p g a": "på grund av",
    "resp": "respektive",
    "obs": "observera",
}

# "kl" without a dot only before a clock time ("kl 18:30"); handled in normalize.

# Units, spoken after a number. (singular, plural); plural is used for everything but exactly one.
UNITS: dict[str, tuple[str, str]] = {
    "kr": ("krona", "kronor"),
    "öre": ("öre", "öre"),
    "%": ("procent", "procent"),
    "‰": ("promille", "promille"),
    "km": ("kilometer", "kilometer"),
    "km/h": ("kilometer i timmen", "kilometer i timmen"),
    "m": ("meter", "meter"),
    "cm": ("centimeter", "centimeter"),
    "mm": ("millimeter", "millimeter"),
    "m2": ("kvadratmeter", "kvadratmeter"),
    "m²": ("kvadratmeter", "kvadratmeter"),
    "kvm": ("kvadratmeter", "kvadratmeter"),
    "m3": ("kubikmeter", "kubikmeter"),
    "m³": ("kubikmeter", "kubikmeter"),
    "kg": ("kilo", "kilo"),
    "g": ("gram", "gram"),
    "l": ("liter", "liter"),
    "dl": ("deciliter", "deciliter"),
    "cl": ("centiliter", "centiliter"),
    "ml": ("milliliter", "milliliter"),
    "kwh": ("kilowattimme", "kilowattimmar"),
    "mwh": ("megawattimme", "megawattimmar"),
    "gwh": ("gigawattimme", "gigawattimmar"),
    "kw": ("kilowatt", "kilowatt"),
    "w": ("watt", "watt"),
    "ha": ("hektar", "hektar"),
    "°c": ("grad", "grader"),
    "°": ("grad", "grader"),
    "min": ("minut", "minuter"),
    "tim": ("timme", "timmar"),
    "h": ("timme", "timmar"),
    "sek": ("sekund", "sekunder"),
    "st": ("styck", "stycken"),
    "mb": ("megabyte", "megabyte"),
    "gb": ("gigabyte", "gigabyte"),
    "mbit/s": ("megabit per sekund", "megabit per sekund"),
}

# Units and nouns of common gender: "1 krona" is "en krona", but "1 år" stays "ett år".
COMMON_GENDER = frozenset({
    "krona", "kronor", "procent", "promille", "kilometer", "meter", "centimeter", "millimeter", "mil",
    "kvadratmeter", "kubikmeter", "liter", "deciliter", "centiliter", "milliliter", "kilowattimme",
    "megawattimme", "gigawattimme", "grad", "minut", "timme", "sekund", "styck", "vecka", "månad",
    "dag", "natt", "gång", "person", "resa", "plats", "bil", "elev", "miljon", "miljard", "halvtimme",
    "kvart", "hektar", "säng", "lägenhet", "familj", "vuxen", "patient", "medarbetare",
    "skola", "förälder", "kommun", "region", "termin", "bok", "påse", "dos", "tablett",
})

# Period words after a slash: "kr/mån" -> "kronor per månad".
PER: dict[str, str] = {
    "mån": "månad", "månad": "månad", "år": "år", "vecka": "vecka", "dag": "dag", "dygn": "dygn",
    "tim": "timme", "h": "timme", "person": "person", "pers": "person",
    "kg": "kilo", "l": "liter", "km": "kilometer", "kwh": "kilowattimme", "m2": "kvadratmeter",
    "kvm": "kvadratmeter", "m²": "kvadratmeter",
}

WEEKDAY_SHORT: dict[str, str] = {
    "mån": "måndag", "tis": "tisdag", "ons": "onsdag", "tor": "torsdag", "tors": "torsdag",
    "fre": "fredag", "lör": "lördag", "sön": "söndag",
}
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")

MONTH_SHORT: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}

# --- for the sentence splitter -------------------------------------------------------------

# Abbreviations that can end a sentence: after them, a capitalised word starts a new sentence.
SENTENCE_FINAL = frozenset({
    "osv.", "o.s.v.", "m.m.", "m.fl.", "etc.", "o.d.", "e.d.", "dyl.", "e.kr.", "f.kr.", "u.a.",
    "kr.", "st.", "min.", "tim.", "sek.", "obs.",
    "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "okt.", "nov.", "dec.",
})

# Abbreviations that never end a sentence: the next word belongs to the same sentence.
NON_FINAL = frozenset(
    {k for k in ABBREVIATIONS if k.endswith(".") and " " not in k} - SENTENCE_FINAL
    | {
        "ex.", "s.", "sid.", "bil.", "fig.", "tab.", "jfr.", "ff.", "f.", "dr.", "prof.", "doc.",
        "mr.", "mrs.", "ms.", "fil.", "med.", "jur.", "tekn.", "leg.", "dir.", "adr.", "vol.",
        "uppl.", "red.", "mån.", "tis.", "ons.", "tor.", "tors.", "fre.", "lör.", "sön.", "nr.",
        "tel.", "tfn.", "mob.", "resp.", "ca.", "kl.", "inkl.", "exkl.", "bl.", "a.", "o.",
        "p.", "t.", "fr.", "ang.", "enl.", "ev.", "kap.", "avd.", "tf.", "jr.", "sr.",
        "vs.", "jmf.",
    }
)
