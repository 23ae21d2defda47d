"""How far a lexicon entry reaches (service/store/lexicon_match.py): whole words, inflected forms,
first-part compounds, and the look-alikes that must stay as they are. Real SQLite lexicon, the real
normalizer; one case per category of word."""
from __future__ import annotations

import sqlite3

import pytest

from service.reading.speech import normalize, normalize_mapped
from service.store.lexicon import Lexicon, fingerprint
from service.store.lexicon_match import accepts, is_second_part, keep_case


@pytest.fixture
def lexicon(tmp_path):
    with Lexicon(tmp_path / "lexicon.sqlite3") as lx:
        yield lx


def said(lexicon: Lexicon, text: str) -> str:
    return lexicon.apply(text).text


# -- whole words: what an entry did before, and still does by default ---------------------------

def test_a_whole_word_entry_leaves_every_longer_word_alone(lexicon):
    lexicon.add("Nyköping", "Nyschöping")
    assert said(lexicon, "Nyköping, Nyköpings kommun och nyköpingsbor") == \
        "Nyschöping, Nyköpings kommun och nyköpingsbor"


# -- inflected forms --------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("Nyköpings kommun", "Nyschöpings kommun"),  # genitive -s
    ("servern", "sörvern"),  # definite -n
    ("serverns", "sörverns"),  # definite genitive
    ("servrar", "servrar"),  # a plural that changes the stem is not the written form plus an ending
])
def test_forms_cover_genitive_and_definite(lexicon, written, expected):
    lexicon.add("Nyköping", "Nyschöping", match="forms")
    lexicon.add("server", "sörver", match="forms")
    assert said(lexicon, written) == expected


@pytest.mark.parametrize("written, expected", [
    ("appar", "äppar"), ("apparna", "äpparna"), ("apparnas", "äpparnas"),  # plural -ar, definite, genitive
    ("appen", "äppen"), ("appens", "äppens"),  # definite singular
])
def test_forms_cover_plural_and_definite_plural(lexicon, written, expected):
    lexicon.add("app", "äpp", match="forms")
    assert said(lexicon, written) == expected


@pytest.mark.parametrize("written", [
    "apparat",  # a word of its own that starts with the same letters
    "servera",  # a verb: -a is no noun ending here
    "serverat",
    "nyköpingsbor",  # a compound: needs match="compounds"
])
def test_forms_leave_look_alikes_and_compounds_alone(lexicon, written):
    lexicon.add("app", "äpp", match="forms")
    lexicon.add("server", "sörver", match="forms")
    lexicon.add("Nyköping", "Nyschöping", match="forms")
    assert said(lexicon, written) == written


def test_a_phrase_entry_takes_endings_on_its_last_word(lexicon):
    lexicon.add("Nyköpings kommun", "Nyschöpings kommun", match="forms")
    assert said(lexicon, "Nyköpings kommuns beslut") == "Nyschöpings kommuns beslut"


# -- compounds: the word as the first part --------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("nyköpingsbor", "nyschöpingsbor"),  # linking -s-, case kept
    ("Nyköpingsbo", "Nyschöpingsbo"),  # a two-letter part after the linking s
    ("Nyköpingsområdet", "Nyschöpingsområdet"),
    ("Nyköpingshus", "Nyschöpingshus"),
    ("Nyköpings", "Nyschöpings"),  # forms come with compounds
    ("NYKÖPING", "Nyschöping"),  # capitals are not copied onto the replacement (no acronym reading)
    ("Ekebyskolan", "Eekebyskolan"),  # no linking s after a vowel
])
def test_compounds_cover_the_word_as_first_part(lexicon, written, expected):
    lexicon.add("Nyköping", "Nyschöping", match="compounds")
    lexicon.add("Ekeby", "Eekeby", match="compounds")
    assert said(lexicon, written) == expected


@pytest.mark.parametrize("entry, written, why", [
    ("Sunne", "Sunnerbo", "no Swedish word begins with 'rb': not Sunne + rbo"),
    ("Borås", "Boråsare", "a derivation (-are), not a compound"),
    ("Salem", "Salemska", "a derivation (-ska)"),
    ("Salem", "Jerusalem", "the word as the last part is never matched"),
    ("Mora", "moraliska", "four letters are too few to start compounds"),
    ("Nyköping", "Nyköpingk", "a one-letter rest is no word"),
    ("Nyköping", "Nyköpingsk", "no vowel in the rest"),
])
def test_compounds_leave_look_alikes_alone(lexicon, entry, written, why):
    lexicon.add(entry, entry.upper(), match="compounds")
    assert said(lexicon, written) == written, why


def test_short_words_still_get_their_forms_with_compounds(lexicon):
    lexicon.add("Mora", "Moora", match="compounds")
    assert said(lexicon, "Moras kyrka i Mora") == "Mooras kyrka i Moora"


def test_the_rules_one_by_one():
    assert accepts("Nyköping", "", "word") and not accepts("Nyköping", "s", "word")
    assert accepts("Nyköping", "s", "forms") and not accepts("Nyköping", "sbor", "forms")
    assert accepts("Nyköping", "sbor", "compounds")
    assert accepts("Borås", "bor", "compounds")  # a word ending in s takes no second linking s
    assert is_second_part("strand") and is_second_part("ån", linked=True) and not is_second_part("ån")
    assert not is_second_part("rbo") and not is_second_part("are")
    assert keep_case("Nyschöping", "nyköping") == "nyschöping"
    assert keep_case("sörver", "Server") == "Sörver"


# -- entries of every kind together, and what they are stored as --------------------------------

def test_whole_word_entries_win_over_forms_of_a_shorter_one(lexicon):
    lexicon.add("Nyköping", "Nyschöping", match="compounds")
    lexicon.add("Nyköpingsån", "Nyschöpings-ån")
    assert said(lexicon, "Nyköpingsån och Nyköpingsbor") == "Nyschöpings-ån och Nyschöpingsbor"


def test_phoneme_entries_match_whole_words_only(lexicon):
    with pytest.raises(ValueError, match="Fonem gäller bara hela ord"):
        lexicon.add("Nyköping", "n'y:S;Y:p,IN", kind="phonemes", match="forms")
    with pytest.raises(ValueError, match="match"):
        lexicon.add("Nyköping", "Nyschöping", match="everything")


def test_match_is_stored_edited_and_part_of_the_sentence_key(lexicon):
    entry = lexicon.add("Nyköping", "Nyschöping")
    assert entry.match == "word"
    wider = lexicon.update(entry.id, match="compounds")
    assert lexicon.get(entry.id).match == "compounds"
    assert fingerprint([wider]) != fingerprint([entry])
    assert lexicon.add("Nyköping", "Nyschöping").match == "word"  # adding the same word again replaces it


def test_a_lexicon_file_from_before_gets_the_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE lexicon (id INTEGER PRIMARY KEY AUTOINCREMENT, written TEXT NOT NULL,"
                   " written_key TEXT NOT NULL, spoken TEXT NOT NULL, lang TEXT NOT NULL,"
                   " case_sensitive INTEGER NOT NULL, kind TEXT NOT NULL, updated_at TEXT NOT NULL,"
                   " UNIQUE (lang, written_key, case_sensitive))")
        db.execute("INSERT INTO lexicon (written, written_key, spoken, lang, case_sensitive, kind,"
                   " updated_at) VALUES ('Sthlm', 'sthlm', 'Stockholm', 'sv', 0, 'text', 'x')")
    with Lexicon(path) as lx:
        assert [e.match for e in lx.list()] == ["word"]
        assert lx.apply("Sthlm").text == "Stockholm"


def test_a_compound_is_spoken_whole_and_highlighted_as_the_written_word(lexicon):
    lexicon.add("Nyköping", "Nyschöping", match="compounds")
    text = "Alla nyköpingsbor röstar."
    mapped = normalize_mapped(text, lexicon=lexicon)
    assert mapped.spoken == normalize(text, lexicon=lexicon) == "Alla nyschöpingsbor röstar."
    spans = {mapped.spoken[s0:s1]: text[w0:w1] for s0, s1, w0, w1 in mapped.spans}
    assert spans["nyschöpingsbor"] == "nyköpingsbor"


def test_the_command_line_adds_entries_with_forms_and_refuses_unknown_phonemes(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache")}

    def lyssna(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "service.cli", "lexicon", *args], env=env, text=True,
                              capture_output=True, cwd=Path(__file__).resolve().parents[1], timeout=120)

    typo = lyssna("add", "Nyköping", "n'y:Q0Y:p", "--phonemes")
    assert typo.returncode == 2 and "”0Y:p”" in typo.stderr
    assert lyssna("add", "Nyköping", "Nyschöping", "--match", "compounds").returncode == 0
    assert "[compounds]" in lyssna("list").stdout
    with Lexicon(tmp_path / "cache" / "lexicon.sqlite3") as lx:
        assert lx.apply("nyköpingsbor").text == "nyschöpingsbor"
