"""Pronunciation lexicon: durable entries in SQLite, whole-word replacement, and a fingerprint that
changes only when an entry that matched a sentence changes (so only that sentence is re-synthesized)."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from service.reading.speech import normalize, normalize_mapped, written_span
from service.store.lexicon import Lexicon, LexiconEntry, fingerprint

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def lexicon(tmp_path: Path) -> Lexicon:
    with Lexicon(tmp_path / "lexicon.sqlite3") as lex:
        yield lex


def test_add_get_list_and_remove(lexicon: Lexicon) -> None:
    entry = lexicon.add("Sthlm", "Stockholm")
    assert isinstance(entry, LexiconEntry)
    assert (entry.written, entry.spoken, entry.lang, entry.case_sensitive, entry.kind) == (
        "Sthlm", "Stockholm", "sv", False, "text")
    assert entry.updated_at
    assert lexicon.get(entry.id) == entry
    other = lexicon.add("Ekeby", "E:k@by", kind="phonemes")
    english = lexicon.add("Reading", "Redding", lang="en")
    assert [e.written for e in lexicon.list()] == ["Ekeby", "Reading", "Sthlm"]
    assert lexicon.list(lang="sv") == [other, entry]
    assert lexicon.list(lang="en") == [english]
    assert lexicon.list(query="STOCK") == [entry]
    assert lexicon.list(query="eke") == [other]
    örebro = lexicon.add("ÖREBRO", "Örebro")
    assert lexicon.list(query="öre") == [örebro]
    assert lexicon.remove(entry.id) is True
    assert lexicon.remove(entry.id) is False
    assert lexicon.get(entry.id) is None
    assert len(lexicon) == 3


def test_adding_the_same_written_form_again_is_an_edit(lexicon: Lexicon) -> None:
    first = lexicon.add("Sthlm", "Stockholm")
    second = lexicon.add("STHLM", "Stockholms stad")  # case-insensitive: the same entry
    assert second.id == first.id
    assert second.spoken == "Stockholms stad"
    assert second.updated_at >= first.updated_at
    assert len(lexicon) == 1
    sensitive = lexicon.add("STHLM", "Stockholm län", case_sensitive=True)  # a different rule
    assert sensitive.id != first.id
    assert len(lexicon) == 2


def test_update_changes_only_what_is_given(lexicon: Lexicon) -> None:
    entry = lexicon.add("Sthlm", "Stockholm")
    updated = lexicon.update(entry.id, spoken="Stockholms stad")
    assert (updated.id, updated.written, updated.spoken) == (entry.id, "Sthlm", "Stockholms stad")
    moved = lexicon.update(entry.id, lang="en", case_sensitive=True)
    assert (moved.lang, moved.case_sensitive) == ("en", True)
    with pytest.raises(KeyError):
        lexicon.update(9999, spoken="x")


@pytest.mark.parametrize("written, spoken, kwargs, message", [
    ("", "x", {}, "written form is empty"),
    ("   ", "x", {}, "written form is empty"),
    ("x" * 201, "x", {}, "too long"),
    ("...", "x", {}, "letters or digits"),
    ("ord", "", {}, "spoken form is empty"),
    ("ord", "x" * 501, {}, "too long"),
    ("ord", "x", {"kind": "audio"}, "kind"),
    ("ord", "a]]b", {"kind": "phonemes"}, "must not contain"),
    ("ord", "x", {"lang": "svenska!"}, "language code"),
])
def test_invalid_entries_are_refused_with_a_clear_message(
    lexicon: Lexicon, written: str, spoken: str, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        lexicon.add(written, spoken, **kwargs)
    assert len(lexicon) == 0


def test_entries_survive_a_new_instance(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.sqlite3"
    with Lexicon(path) as first:
        entry = first.add("Sthlm", "Stockholm")
    with Lexicon(path) as second:
        assert second.get(entry.id) == entry
        assert second.apply("Till Sthlm.").text == "Till Stockholm."


def test_two_objects_on_one_file_see_each_others_changes(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.sqlite3"
    with Lexicon(path) as a, Lexicon(path) as b:
        assert b.apply("Till Sthlm.").text == "Till Sthlm."  # compiles and caches b's (empty) rule
        entry = a.add("Sthlm", "Stockholm")
        assert b.apply("Till Sthlm.").text == "Till Stockholm."
        a.update(entry.id, spoken="huvudstaden")
        assert b.apply("Till Sthlm.").text == "Till huvudstaden."
        a.remove(entry.id)
        assert b.apply("Till Sthlm.").text == "Till Sthlm."


def test_another_process_changing_the_file_invalidates_the_cached_pattern(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.sqlite3"
    with Lexicon(path) as lexicon:
        lexicon.add("Sthlm", "Stockholm")
        assert lexicon.apply("Sthlm").text == "Stockholm"
        script = (
            "import sys; from service.store.lexicon import Lexicon; "
            "lex = Lexicon(sys.argv[1]); lex.add('Sthlm', 'Stockholms stad'); lex.add('Gbg', 'Göteborg')"
        )
        subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, check=True, timeout=60)
        assert lexicon.apply("Sthlm och Gbg").text == "Stockholms stad och Göteborg"


def test_threads_can_add_and_apply_at_once(lexicon: Lexicon) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                lexicon.add(f"ord{n}x{i}", f"sagt {n} {i}")
                lexicon.apply(f"ett ord{n}x{i} här")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(lexicon) == 80
    assert lexicon.apply("ord3x19").text == "sagt 3 19"


def test_only_whole_words_are_replaced(lexicon: Lexicon) -> None:
    lexicon.add("bo", "bå")
    lexicon.add("Ö", "ön")
    applied = lexicon.apply("Att bo i bostad på Ö, inte Öland. Bo! BO. både")
    assert applied.text == "Att bå i bostad på ön, inte Öland. bå! bå. både"
    assert [e.written for e in applied.matched] == ["bo", "Ö"]


def test_swedish_letters_are_part_of_words(lexicon: Lexicon) -> None:
    lexicon.add("Malmö", "Malmöö")
    lexicon.add("å", "ån")
    assert lexicon.apply("Malmö, Malmöhus och Malmös. Vid å, ån och åar.").text == (
        "Malmöö, Malmöhus och Malmös. Vid ån, ån och åar.")


def test_case_sensitive_entries_match_only_that_case(lexicon: Lexicon) -> None:
    lexicon.add("IT", "i-te", case_sensitive=True)
    assert lexicon.apply("IT-avdelningen sa att it är svårt och It.").text == (
        "i-te-avdelningen sa att it är svårt och It.")
    lexicon.add("it", "itt")  # a case-insensitive entry beside it
    assert lexicon.apply("IT, it, It").text == "i-te, itt, itt"


def test_the_longest_entry_that_applies_wins_over_case_rules(lexicon: Lexicon) -> None:
    lexicon.add("Eskilstuna", "Eskilstuna stad", case_sensitive=True)
    lexicon.add("eskilstuna kommun", "Eskilstuna kåmmun")
    lexicon.add("Norr Mälarstrand", "Norr Mälarstranden", case_sensitive=True)
    lexicon.add("norr", "nårr")
    assert lexicon.apply("Eskilstuna kommun och Eskilstuna.").text == "Eskilstuna kåmmun och Eskilstuna stad."
    # the long entry is case-sensitive and the case differs: the shorter entry that applies is used
    assert lexicon.apply("norr mälarstrand").text == "nårr mälarstrand"
    assert lexicon.apply("Norr Mälarstrand").text == "Norr Mälarstranden"


def test_multi_word_entries_and_longest_match_first(lexicon: Lexicon) -> None:
    lexicon.add("Eskilstuna", "Eskilstuna stad")
    lexicon.add("Eskilstuna kommun", "Eskilstuna kåmmun")
    applied = lexicon.apply("I Eskilstuna  kommun, inte Eskilstuna.")
    assert applied.text == "I Eskilstuna kåmmun, inte Eskilstuna stad."
    assert [e.written for e in applied.matched] == ["Eskilstuna kommun", "Eskilstuna"]


def test_entries_apply_only_to_their_language(lexicon: Lexicon) -> None:
    lexicon.add("Reading", "Redding", lang="en")
    assert lexicon.apply("Reading", lang="sv").text == "Reading"
    assert lexicon.apply("Reading", lang="en").text == "Redding"
    assert lexicon.apply("Reading", lang="en-GB").text == "Redding"


def test_phoneme_entries_pass_through_normalization(lexicon: Lexicon) -> None:
    lexicon.add("Nyköping", "n'y:S;Y:p,IN", kind="phonemes")
    applied = lexicon.apply("Välkommen till Nyköping kl. 9.")
    assert applied.text == "Välkommen till [[n'y:S;Y:p,IN]] kl. 9."
    assert normalize(applied.text) == "Välkommen till [[n'y:S;Y:p,IN]] klockan nio."


def test_text_entries_are_left_alone_by_normalization(lexicon: Lexicon) -> None:
    lexicon.add("Sthlm", "Stockholms stad")
    lexicon.add("ACME", "akme")
    sentence = "ACME i Sthlm har 3 kontor."
    assert normalize(lexicon.apply(sentence).text) == "akme i Stockholms stad har tre kontor."


def test_normalize_mapped_with_a_lexicon_maps_back_to_the_written_words(lexicon: Lexicon) -> None:
    lexicon.add("Nyköping", "n'y:S;Y:p,IN", kind="phonemes")
    lexicon.add("Sthlm", "Stockholms stad")
    text = "Från Sthlm till Nyköping kl. 9."
    mapped = normalize_mapped(text, lexicon=lexicon)
    assert mapped.spoken == "Från Stockholms stad till [[n'y:S;Y:p,IN]] klockan nio."
    assert mapped.spoken == normalize(text, lexicon=lexicon)
    assert [e.written for e in mapped.matched] == ["Sthlm", "Nyköping"]
    stad = mapped.spoken.index("stad")
    assert text[slice(*written_span(mapped, stad, stad + 4))] == "Sthlm"
    hint = mapped.spoken.index("[[") + 2  # espeak reports the phoneme word inside the brackets
    assert text[slice(*written_span(mapped, hint, hint + 1))] == "Nyköping"


def test_fingerprint_covers_exactly_the_matched_entries(lexicon: Lexicon) -> None:
    sthlm = lexicon.add("Sthlm", "Stockholm")
    lexicon.add("Gbg", "Göteborg")
    first = lexicon.apply("Resan till Sthlm.")
    second = lexicon.apply("Resan till Gbg.")
    plain = lexicon.apply("Resan hem.")
    assert fingerprint(plain.matched) == ""
    before = (fingerprint(first.matched), fingerprint(second.matched))
    assert before[0] != before[1]
    assert fingerprint(first.matched) == fingerprint(lexicon.apply("Sthlm igen").matched)  # stable

    lexicon.add("Malmö", "Malmöö")  # an unrelated entry changes nothing
    assert (fingerprint(lexicon.apply("Resan till Sthlm.").matched),
            fingerprint(lexicon.apply("Resan till Gbg.").matched)) == before

    lexicon.update(sthlm.id, spoken="Stockholms stad")  # only the sentence with Sthlm changes
    after = (fingerprint(lexicon.apply("Resan till Sthlm.").matched),
             fingerprint(lexicon.apply("Resan till Gbg.").matched))
    assert after[0] != before[0]
    assert after[1] == before[1]

    lexicon.remove(sthlm.id)
    assert fingerprint(lexicon.apply("Resan till Sthlm.").matched) == ""


def test_fingerprint_ignores_order_and_repeats(lexicon: Lexicon) -> None:
    a = lexicon.add("Sthlm", "Stockholm")
    b = lexicon.add("Gbg", "Göteborg")
    assert fingerprint([a, b]) == fingerprint([b, a, b])
    assert lexicon.apply("Sthlm, Gbg och Sthlm").matched == [a, b]
