"""Property tests for speech text: whatever a page contains, normalization must not crash, must not
drop the listener's words, and its spoken-to-written mapping must stay in order and in range."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.reading.speech import normalize, normalize_mapped, split_sentences, written_span
from service.reading.speech.abbreviations import ABBREVIATIONS, MONTH_SHORT, UNDOTTED, UNITS, WEEKDAY_SHORT

# Ordinary Swedish words: none of them is an abbreviation, unit, month, weekday or acronym.
PLAIN_WORDS = [
    "och", "att", "det", "som", "en", "på", "är", "för", "med", "har", "inte", "kommunen", "skolan",
    "barn", "förälder", "ansökan", "beslut", "avgift", "möte", "vecka", "resa", "bibliotek", "öppet",
    "stängt", "välkommen", "Nyköping", "Eskilstuna", "Anna", "Per", "Sörmland", "vården", "äldre",
    "ålder", "hösten", "våren", "sommaren", "läsåret", "eleverna", "priset", "höjs", "sänks", "ring",
    "skriv", "läs", "mer", "här", "där", "också", "bara", "alla", "många", "några", "kronor", "procent",
    "Region", "Länsstyrelsen", "Skatteverket", "gäller", "från", "till", "under", "efter", "före",
]
_EXPANDED = {k.lower().rstrip(".") for k in (*ABBREVIATIONS, *UNDOTTED, *UNITS, *WEEKDAY_SHORT, *MONTH_SHORT)}
assert not _EXPANDED & {w.lower() for w in PLAIN_WORDS}

# Things normalization expands: numbers, dates, times, money, symbols, abbreviations, acronyms.
EXPANDABLE = [
    "12", "1 250", "3,5", "-4", "2015-04-09", "9/4", "kl. 14.30", "08.00–16.30", "mån–fre", "3–5",
    "070-649 74 88", "+46 8 123 456 78", "611 30", "556036-0793", "250 kr", "1 250,50 kr", "€50",
    "$100", "3,5 %", "0,5 ‰", "12 km", "75 m²", "-5 °C", "30 km/h", "4 §", "12 kap.", "1/2", "½",
    "t.ex.", "bl.a.", "d v s", "osv.", "ca", "fr.o.m.", "p.g.a.", "inkl.", "s.k.", "nr", "tel.",
    "SVT", "EU:s", "SMHI", "Nato", "IKEA", "Karl XII", "Gustav II Adolf", "info@kommun.se",
    "www.kommun.se/a", "&", "@", "/", "+", "–", "”", "»", "(", ")", ",", ".", "!", "?", "1990-talet",
    "21:a", "3:e", "den 5 maj", "2025/26", "24/7", "§ 3", "[[h'ej]]",
]

token = st.one_of(st.sampled_from(PLAIN_WORDS), st.sampled_from(EXPANDABLE))
sentence = st.lists(token, min_size=1, max_size=25).map(" ".join)
_WORD = re.compile(r"[^\W\d_]+")

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_normalize_never_raises_on_any_text(text: str) -> None:
    spoken = normalize(text)
    assert isinstance(spoken, str)
    assert split_sentences(text) is not None
    mapped = normalize_mapped(text)
    assert mapped.spoken == spoken


@PROPERTY_SETTINGS
@given(st.text(alphabet=st.sampled_from("0123456789 ,.:-–/%§kr€$+@&()ABCSVTåäöeu\n"), max_size=120))
def test_normalize_never_raises_on_number_soup(text: str) -> None:
    mapped = normalize_mapped(text)
    assert mapped.spoken == normalize(text)


@PROPERTY_SETTINGS
@given(sentence)
def test_normalize_never_loses_a_word(text: str) -> None:
    """Every plain word of the input is still there, in the same order (what is expanded aside)."""
    spoken = normalize(text)
    written_words = [w for w in text.split() if w in PLAIN_WORDS]
    spoken_words = _WORD.findall(spoken)
    position = 0
    for word in written_words:
        assert word in spoken_words[position:] or word.lower() in [w.lower() for w in spoken_words[position:]], (
            text, spoken, word)
        lowered = [w.lower() for w in spoken_words]
        position = lowered.index(word.lower(), position) + 1


@PROPERTY_SETTINGS
@given(sentence)
def test_normalize_is_idempotent(text: str) -> None:
    spoken = normalize(text)
    assert normalize(spoken) == spoken


@PROPERTY_SETTINGS
@given(st.one_of(sentence, st.text(max_size=200)))
def test_mapping_spans_are_monotonic_and_in_range(text: str) -> None:
    mapped = normalize_mapped(text)
    previous_spoken, previous_written = 0, 0
    for s0, s1, w0, w1 in mapped.spans:
        assert 0 <= s0 < s1 <= len(mapped.spoken)
        assert 0 <= w0 <= w1 <= len(text)
        assert s0 >= previous_spoken and w0 >= previous_written
        previous_spoken, previous_written = s1, w0
    for s0, s1, _, _ in mapped.spans:
        w0, w1 = written_span(mapped, s0, s1)
        assert 0 <= w0 <= w1 <= len(text)


@PROPERTY_SETTINGS
@given(sentence)
def test_plain_written_words_are_found_by_their_spoken_word(text: str) -> None:
    """A highlight on a plain word lands on exactly that written word."""
    mapped = normalize_mapped(text)
    targets = {(w0, w1) for _, _, w0, w1 in mapped.spans}
    for m in re.finditer(r"\S+", text):
        if m.group() in PLAIN_WORDS and m.group() not in ("kronor", "procent"):
            assert m.span() in targets, (text, mapped.spoken, m.group())


@PROPERTY_SETTINGS
@given(st.lists(sentence, min_size=1, max_size=6).map(lambda parts: ". ".join(parts) + "."))
def test_sentences_are_slices_of_the_text(text: str) -> None:
    position = 0
    for piece in split_sentences(text):
        found = text.find(piece, position)
        assert found >= 0, (text, piece)
        position = found + len(piece)


# -- hostile text: any character, lone surrogates, numbers past int()'s 4,300 digits, any language -------

any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]),
                     st.sampled_from("\x00\r\n\x0b\x0c\x1c\x85\u2028\ufeff\ue000\ue001\U0010ffff"))
huge_number = st.builds(lambda n, d, sep: sep.join([d * 3] * (n // 3)) if sep else d * n,
                        st.integers(4200, 6000), st.sampled_from("0123456789"), st.sampled_from(["", " ", "."]))
hostile_token = st.one_of(st.sampled_from(PLAIN_WORDS), st.sampled_from(EXPANDABLE), huge_number,
                          st.text(any_char, max_size=8), st.from_regex(r"\d{1,40}", fullmatch=True))
hostile_text = st.one_of(st.text(any_char, max_size=300),
                         st.lists(hostile_token, max_size=12).map(lambda parts: " ".join(parts)),
                         st.lists(st.sampled_from(["kr", "kronor", "§", "§§", ":e", ":an", "½", " kap.", ",",
                                                   "-", "–", "/", "%", "km", "€", "$", "SEK ", " ", "."]),
                                  max_size=6).flatmap(lambda tail: huge_number.map(lambda n: n + "".join(tail))))
any_lang = st.one_of(st.sampled_from(["sv", "sv-SE", "en", "", "SV", "nb", "x"]), st.text(any_char, max_size=6))
HOSTILE_SETTINGS = settings(max_examples=100, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@HOSTILE_SETTINGS
@given(hostile_text, any_lang)
def test_hostile_text_in_any_language_never_raises(text: str, lang: str) -> None:
    spoken = normalize(text, lang)
    mapped = normalize_mapped(text, lang)
    assert mapped.spoken == spoken
    for s0, s1, w0, w1 in mapped.spans:
        assert 0 <= s0 < s1 <= len(spoken) and 0 <= w0 <= w1 <= len(text)
    for piece in split_sentences(text, lang):
        assert piece and piece in text
