"""Hostile text is spoken, never a crash or a hang: numbers of any length, very long lines.

Why: Python refuses int() of a string of more than 4,300 digits (a ValueError, CVE-2020-10735),
and the normalizer turned every number it met into an int first: a page (or a selection) with a
long enough number before "kronor", "§", ":e" or "½" failed its whole reading. Now long digit
strings stay strings, said digit by digit past 15 digits as before; what shorter numbers sound
like is unchanged. And the sentence splitter copied the rest of the line at every full stop, so a
megabyte-long paragraph took minutes; it now looks at the next character only.
"""
from __future__ import annotations

import time

import pytest

from service.reading.speech import normalize, normalize_mapped
from service.reading.speech import numbers as nw
from service.reading.speech import split_sentences

from .helpers import wait_ready

LONG = "1" * 5000  # more digits than int() takes
GROUPED = "1" + " 000" * 1500  # 4,501 digits in groups of three


@pytest.mark.parametrize("text, says", [
    (f"{LONG} kronor", "kronor"),
    (f"{LONG} kr", "kronor"),
    (f"{LONG},50 kr", "femtio öre"),
    (f"{GROUPED} kr", "kronor"),
    (f"{GROUPED} miljoner kronor", "miljoner kronor"),
    (f"€{LONG}", "euro"),
    (f"${LONG}", "dollar"),
    (f"SEK {GROUPED}", "kronor"),
    (f"{LONG} km", "kilometer"),
    (f"{LONG},5 %", "procent"),
    (f"{GROUPED} m²", "kvadratmeter"),
    (f"{LONG}:e plats", "plats"),
    (f"{LONG}:an", ""),
    (f"{LONG}½ liter", "och en halv"),
    (f"{LONG} kap. 4 §", "kapitlet"),
    (f"4 kap. {LONG} §", "paragrafen"),
    (f"{LONG} §§", "paragraferna"),
    (f"{LONG}–{LONG} §§", "paragraferna"),
    (f"§ {LONG}", "paragraf"),
    (f"{LONG},{LONG}", "komma"),
    (f"0{LONG}", "noll"),
    (f"{LONG}-årig", ""),
    (f"Konto {LONG}", ""),
    (f"{LONG}", ""),
    (f"-{LONG} grader", "minus"),
])
def test_a_number_too_long_for_int_is_said_digit_by_digit(text, says):
    spoken = normalize(text)
    assert len(spoken.split()) >= 2000, spoken[:200]  # every digit (or pair, in an account number) said
    assert says in spoken
    assert not any(ch.isdigit() for ch in spoken)
    mapped = normalize_mapped(text)
    assert mapped.spoken == spoken
    assert split_sentences(text)


def test_long_numbers_below_the_limit_sound_as_before():
    """16-4,300 digits were already read digit by digit; the string path says exactly the same."""
    for digits in ("1234567890123456", "9" * 40, "1" + "0" * 30):
        assert nw.cardinal_of(digits) == nw.cardinal(int(digits))
        assert nw.ordinal_of(digits) == nw.ordinal(int(digits))
        assert nw.cardinal_of("00" + digits, common=True) == nw.cardinal(int(digits), common=True)
    for n in (0, 1, 2, 11, 21, 100, 1000, 1001, 10**6, 10**9 + 7, 10**15 - 1):
        assert nw.cardinal_of(str(n)) == nw.cardinal(n)
        assert nw.cardinal_of(str(n), common=True) == nw.cardinal(n, common=True)
        assert nw.ordinal_of(str(n)) == nw.ordinal(n)
    assert nw.small("0042") == 42 and nw.small("1" * 16) is None


@pytest.mark.parametrize("text, spoken", [
    ("250 kr", "tvåhundrafemtio kronor"),
    ("1 kr", "en krona"),
    ("1 250,50 kr", "ettusen tvåhundrafemtio kronor och femtio öre"),
    ("1,5 miljoner kr", "ett komma fem miljoner kronor"),
    ("3:e", "tredje"),
    ("12 kap. 4 §", "tolfte kapitlet fjärde paragrafen"),
    ("05:an", "femman"),
    ("2025:s", "tjugohundratjugofems"),
    ("3½", "tre och en halv"),
    ("1 km", "en kilometer"),
    ("0,50 kr", "femtio öre"),
    ("00012", "noll noll noll ett två"),
])
def test_ordinary_numbers_are_unchanged(text, spoken):
    assert normalize(text) == spoken


def test_a_huge_number_is_quick():
    start = time.monotonic()
    normalize(f"Summan är {'9' * 200_000} kronor, eller {'1 000 ' * 20_000}kr.")
    assert time.monotonic() - start < 20


def test_a_reading_of_a_page_with_a_huge_number_is_made(client, page_site):
    url = page_site.put("stor.html", f"<html lang='sv'><body><main><h1>Budget</h1><p>Kommunen lånar {LONG} "
                                     "kronor till den nya skolan.</p></main></body></html>")
    r = client.post("/api/v1/readings", json={"url": url})
    assert r.status_code == 202, r.data
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["status"] == "ready"
    spoken = " ".join(s["spoken"] for b in reading["blocks"] for s in b["sentences"])
    assert "kronor till den nya skolan" in spoken  # the number is said in pieces, the sentence's end too


def test_a_very_long_line_is_split_in_linear_time():
    line = "a. B " * 300_000  # 1.5 MB, 300,000 full stops in one paragraph
    start = time.monotonic()
    assert split_sentences(line) == [line.strip()]  # "a." is an initial: one sentence
    text = "Det regnar. " * 100_000
    assert len(split_sentences(text)) == 100_000
    assert time.monotonic() - start < 15
