"""Acronyms and regnal numbers: data only.

Swedes read some acronyms as words (Nato, Ikea, Sida) and most as letters (SVT, EU, SMHI). espeak-ng
reads an all-caps token with vowels as a word ("SMHI" -> "smhi"), so letter acronyms are spelled out
with Swedish letter names, hyphenated so espeak keeps them together: "ess-ve-te".
"""
from __future__ import annotations

LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "be", "C": "se", "D": "de", "E": "e", "F": "eff", "G": "ge", "H": "hå", "I": "i",
    "J": "ji", "K": "kå", "L": "ell", "M": "emm", "N": "enn", "O": "o", "P": "pe", "Q": "ku",
    "R": "ärr", "S": "ess", "T": "te", "U": "u", "V": "ve", "W": "dubbelve", "X": "eks", "Y": "y",
    "Z": "säta", "Å": "å", "Ä": "ä", "Ö": "ö", "É": "e", "Ü": "y",
}

# Read as words. Key: the acronym as written in capitals; value: how to write it for espeak.
WORD_ACRONYMS: dict[str, str] = {
    "NATO": "Nato", "IKEA": "Ikea", "SIDA": "Sida", "SAAB": "Saab", "NASA": "Nasa", "ESA": "Esa",
    "UNICEF": "Unicef", "UNESCO": "Unesco", "FIFA": "Fifa", "UEFA": "Uefa", "OPEC": "Opec",
    "ASEAN": "Asean", "CERN": "Cern", "SIPRI": "Sipri", "AIDS": "aids", "SARS": "sars",
    "COVID": "covid", "PISA": "Pisa", "ICA": "Ika", "SAS": "Sas", "SÄPO": "Säpo", "BRÅ": "Brå",
    "IVO": "Ivo", "ROT": "rot", "RUT": "rut", "LAS": "Las", "LOU": "Lou", "MUCF": "Mucf",
    "FOLKE": "Folke", "ALMI": "Almi", "KOMVUX": "Komvux", "SOL": "Sol", "LUPP": "Lupp",
    "LAN": "lan", "NAV": "Nav", "SEB": "ess-e-be", "TRAFA": "Trafa", "SISU": "Sisu",
    "VINNOVA": "Vinnova", "FORMAS": "Formas", "FORTE": "Forte", "SKOLFS": "Skolfs",
    "SFS": "ess-eff-ess", "TV": "teve", "OK": "okej", "WCAG": "WCAG", "JAS": "Jas", "NORAD": "Norad",
    "INTERPOL": "Interpol", "EUROPOL": "Europol", "FRONTEX": "Frontex", "SVEA": "Svea", "ATL": "a-te-ell",
    "ADHD": "a-de-hå-de", "ABBA": "Abba", "MAX": "Max", "LEGO": "Lego", "GIF": "gif", "JPEG": "jpeg",
    "WHO": "ve-hå-o", "AA": "dubbel-a", "AAA": "trippel-a", "ISO": "iso", "WIFI": "wifi", "LED": "led",
    "RAM": "ram", "BAS": "Bas", "ERA": "Era", "UFO": "ufo", "NOVA": "Nova", "ALBA": "Alba", "EPA": "epa",
    "SIS": "Sis", "ESO": "Eso", "SAN": "San", "SÅS": "Sås", "OKQ": "o-kå-ku",
}

# All-caps tokens with vowels that are nonetheless read letter by letter.
LETTER_ACRONYMS = frozenset({
    "EU", "SMHI", "USA", "FOI", "LO", "JO", "JK", "OS", "EM", "VM", "IT", "AI", "ID", "UD", "SOS",
    "SFI", "OECD", "EES", "UR", "UV", "USB", "VA", "AB", "HB", "KB", "AF", "SI",     "UK", "BUP", "IVA", "SPF", "SKR", "KI", "LU", "SU", "UU", "GU", "KAU", "MIUN",
    "FI", "IMY", "MR", "SEK", "EUR", "USD", "HBTQ", "HBTQI", "EPA",
    "TCO", "SACO", "PBL", "SOU", "IQ", "EQ", "BVC", "MVC", "ST", "VFU", "IKT", "AKK",
    "RUAB", "SJ", "UF", "IOGT", "NTO", "ABF", "OCR", "CE", "EG", "HD", "VR",
    "API", "URL", "PDF", "HTML", "CSS", "XML", "SMS", "GPS", "PIN", "IP", "ICE", "UNHCR",
    "WHO", "IOM", "IMF", "OSSE", "CO", "NOX", "PM", "VD", "LSS", "SFB", "SOL",
    "PUL", "OSL", "FL", "RF", "TF", "YGL", "SL", "UL", "ÖK", "ÅF", "ÖB", "ÖCB",
}) - set(WORD_ACRONYMS)

# Given names of kings, queens and popes: "Karl XII" -> "Karl den tolfte".
REGNAL_MALE = frozenset({
    "Karl", "Carl", "Gustav", "Gustaf", "Erik", "Eric", "Johan", "Magnus", "Olof", "Sigismund",
    "Fredrik", "Oscar", "Oskar", "Adolf", "Frederik", "Christian", "Kristian", "Haakon", "Håkan",
    "Olav", "Harald", "Henrik", "Ludvig", "Louis", "Napoleon", "Edward", "George", "Georg", "Henry",
    "Richard", "William", "Vilhelm", "Wilhelm", "Frans", "Leopold", "Albert", "Pius", "Johannes",
    "Paulus", "Benedictus", "Benedikt", "Gregorius", "Innocentius", "Leo", "Alexander", "Nikolaj",
    "Nikolaus", "Peter", "Ivan", "Filip", "Philip", "Felipe", "Juan", "Carlos", "Valdemar", "Birger",
    "Sverre", "Knut", "Kristoffer", "Christoffer", "Stefan", "Sten", "Mikael", "Baudouin", "Umberto",
    "Vittorio", "Ferdinand", "Konstantin", "Otto", "Friedrich", "Rudolf", "Jakob", "James",
})
REGNAL_FEMALE = frozenset({
    "Elizabeth", "Elisabet", "Elisabeth", "Margareta", "Margrethe", "Kristina", "Christina",
    "Victoria", "Viktoria", "Maria", "Mary", "Anna", "Katarina", "Katarina", "Ulrika", "Beatrix",
    "Juliana", "Wilhelmina", "Isabella", "Drottning",
})

# Short Swedish words that show up in capitals ("LÄS MER", "OCH"): never spelled out.
CAPITAL_WORDS = frozenset({
    "OCH", "ATT", "DEN", "DET", "DE", "FÖR", "MED", "SOM", "PÅ", "ÄR", "EN", "ETT", "AV", "OM", "UT",
    "UPP", "NU", "JA", "NEJ", "NY", "NYA", "NYTT", "ALLA", "HAR", "VAR", "VI", "NI", "DU", "JAG", "HAN",
    "HON", "MER", "MIG", "DIG", "SIG", "OSS", "ER", "TA", "GÅ", "SE", "BO", "ÅR", "ÖL", "IS", "ÖN", "ÅN",
    "ÖPPET", "HEJ", "MAT", "TID", "NÄR", "HUR", "VAD", "VEM", "KAN", "SKA", "FÅR", "INTE", "BARA",
    "HÄR", "DÄR", "TILL", "FRÅN", "EFTER", "FÖRE", "UNDER", "ÖVER", "MOT", "VID", "HOS", "TV", "EL",
    "ENA", "ANDRA", "ALL", "ALLT", "EGEN", "GRATIS", "INFO", "MENY", "SÖK", "HEM", "MAX", "MIN",
})
