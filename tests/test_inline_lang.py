"""A phrase marked with its own language inside a block (`<i lang="en">`) is said in that language's
voice mid-sentence by espeak-ng (SSML), with word times still on the written words (issue 15).

Layers, each with the real part: extraction finds the phrases, the plan normalizes them by their own
language's rules and gives their spoken offsets, the espeak engine switches voice and maps its word
events back, and the API reports the phrases of a reading made from a page on loopback.
"""
from __future__ import annotations

import pytest

from service.models import Block, Document
from service.reading.engines.espeak import EspeakEngine
from service.reading.extract import extract
from service.reading.plan import SegmentSpec, plan_reading, segment_key

from .helpers import decode_mp3, wait_ready


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def blocks_of(body: str, lang: str = "sv") -> list:
    doc = extract(f"<html lang='{lang}'><body><main><h1>Rubrik</h1>{body}</main></body></html>", "https://x.se/")
    return doc.blocks[1:]


def phrases(block) -> list[tuple[str, str]]:
    return [(block.text[a:b], lang) for a, b, lang in block.langs]


# --- extraction: which phrases, in which language ---------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    # inline elements of every kind, with a region subtag or xml:lang
    ("<p>Boken <i lang='en'>The Lord of the Rings</i> finns att låna.</p>", [("The Lord of the Rings", "en")]),
    ("<p>Hon sa <q lang='en-GB'>see you soon</q> och gick.</p>", [("see you soon", "en")]),
    ("<p>Mottot <em xml:lang='la'>carpe diem</em> gäller.</p>", [("carpe diem", "la")]),
    # several phrases, in order, with markup inside a phrase
    ("<p>Både <span lang='fi'>hyvää <b>päivää</b></span> och <span lang='de'>guten Tag</span> hörs.</p>",
     [("hyvää päivää", "fi"), ("guten Tag", "de")]),
    # a phrase at the very start or end of the block
    ("<p><span lang='en'>Welcome</span> till oss.</p>", [("Welcome", "en")]),
    ("<p>Det heter <cite lang='en'>Open Data</cite></p>", [("Open Data", "en")]),
])
def test_marked_phrases_are_found_in_the_block(body, expected):
    (block,) = blocks_of(body)
    assert block.lang == "sv" and phrases(block) == expected


@pytest.mark.parametrize("body", [
    "<p>Inget här är <b>märkt</b> med språk.</p>",
    "<p>Samma språk: <span lang='sv-SE'>svensk fras</span> igen.</p>",  # the block's own language
    "<p>Del av ett ord: <span lang='en'>Harry</span>s bok.</p>",  # one voice says one word
    "<p>Punkt <span lang='en'>...</span> bara tecken.</p>",  # nothing to say
])
def test_no_phrase_where_there_is_no_other_language_to_say(body):
    (block,) = blocks_of(body)
    assert block.langs == []


def test_a_whole_block_in_another_language_is_the_blocks_language_not_a_phrase():
    (block,) = blocks_of("<p><span lang='fi'>Kaikki on suomeksi tässä kappaleessa.</span></p>")
    assert block.lang == "fi" and block.langs == []


def test_a_swedish_phrase_inside_an_english_block():
    (block,) = blocks_of("<p lang='en'>Say <i lang='sv'>tack så mycket</i> when leaving.</p>")
    assert block.lang == "en" and phrases(block) == [("tack så mycket", "sv")]


def test_nested_marks_take_the_outermost_phrase():
    (block,) = blocks_of("<p>Titeln <i lang='en'>Life in <span lang='fr'>Paris</span> today</i> är ny.</p>")
    assert phrases(block) == [("Life in Paris today", "en")]


# --- the plan: spoken offsets, each phrase by its own language's rules -------------------------------
def plan_of(body: str, engine: EspeakEngine, voice: str | None = None):
    doc = Document("https://x.se/", "", "sv", blocks_of(body))
    return plan_reading(doc, engine, voice, 1.0)


def test_phrases_get_spoken_offsets_and_their_own_rules(engine):
    plan = plan_of("<p>Vi läser <i lang='en'>Version 2.0 of the guide</i> kl. 14, t.ex. i dag.</p>", engine)
    (sentence,) = plan.blocks[0].sentences
    assert [(sentence.spoken[a:b], v, lang) for a, b, v, lang in sentence.langs] == [
        ("Version 2.0 of the guide", "en", "en")]
    # Swedish rules around the phrase, none of them inside it.
    assert "klockan fjorton" in sentence.spoken and "till exempel" in sentence.spoken
    assert "punkt" not in sentence.spoken and "två" not in sentence.spoken


def test_punctuation_after_a_phrase_stays_attached(engine):
    plan = plan_of("<p>Det heter <i lang='en'>Open Data</i>. Sedan <b lang='en'>Smart City</b>, och mer.</p>", engine)
    spoken = [s.spoken for s in plan.blocks[0].sentences]
    assert spoken == ["Det heter Open Data.", "Sedan Smart City, och mer."]


def test_a_phrase_split_by_a_sentence_end_belongs_to_both_sentences(engine):
    plan = plan_of("<p>Hon sa <span lang='en'>Thank you. See you</span> och gick hem.</p>", engine)
    said = [[s.spoken[a:b] for a, b, *_ in s.langs] for s in plan.blocks[0].sentences]
    assert said == [["Thank you."], ["See you"]]


def test_a_language_espeak_lacks_or_a_chosen_voice_keeps_one_voice(engine):
    plan = plan_of("<p>Ordet <i lang='xx'>blorp</i> och <i lang='en'>fine</i> finns.</p>", engine)
    assert [lang for *_, lang in plan.blocks[0].sentences[0].langs] == ["en"]
    chosen = plan_of("<p>Ordet <i lang='en'>fine</i> finns.</p>", engine, voice="sv")
    assert chosen.blocks[0].sentences[0].langs == []  # a request that names its voice gets only that voice


@pytest.mark.parametrize("lang, voice", [("fit", "fi"), ("fkv", "fi"), ("se", "smj"), ("sma", "smj"), ("nn", "nb")])
def test_a_language_without_a_voice_is_said_by_a_related_one(engine, lang, voice):
    plan = plan_of(f"<p>Text <i lang='{lang}'>sanat tässä</i> här.</p><p lang='{lang}'>Koko kappale.</p>", engine)
    (phrase,) = plan.blocks[0].sentences[0].langs
    assert phrase[2:] == [voice, lang]  # said by the related voice, normalized as its own language
    assert (plan.blocks[1].lang, plan.blocks[1].voice) == (lang, voice)


@pytest.mark.parametrize("marked", [False, True])
def test_a_trailing_cue_stays_with_the_last_sentence_with_or_without_phrases(engine, marked):
    # A cue after all the text (a row's last header with an empty cell) is said after the last sentence.
    text = "Första meningen här. Andra meningen med The Hobbit här."
    a = text.index("The")
    block = Block("table-row", text, "sv", "", [(len(text), "Avgift:")], [(a, a + 10, "en")] if marked else [])
    plan = plan_reading(Document("https://x.se/", "", "sv", [block]), engine, None, 1.0)
    assert [s.spoken for s in plan.blocks[0].sentences] == [
        "Första meningen här.", "Andra meningen med The Hobbit här. Avgift:"]


def test_the_audio_key_covers_the_phrases_and_nothing_changes_without_them(engine):
    marked = plan_of("<p>Vi läser <i lang='en'>The Hobbit</i> nu.</p>", engine)
    plain = plan_of("<p>Vi läser <i>The Hobbit</i> nu.</p>", engine)
    a, b = marked.blocks[0].sentences[0], plain.blocks[0].sentences[0]
    assert a.spoken == b.spoken
    key = segment_key(marked, SegmentSpec(a.spoken, "sv", 0, 0, tuple((x, y, v) for x, y, v, _ in a.langs)))
    assert key != segment_key(plain, SegmentSpec(b.spoken, "sv", 0, 0))
    # A sentence without phrases is keyed as before phrases existed (no audio made again on upgrade).
    assert segment_key(plain, SegmentSpec(b.spoken, "sv", 0, 0)) == segment_key(plain, SegmentSpec(b.spoken, "sv", 0, 0, ()))


# --- the engine: a voice switch mid-sentence, words still on the text --------------------------------
def test_espeak_says_the_phrase_in_its_voice_and_times_every_word(engine):
    text = "Vi läser the weather is nice through the window på biblioteket & <hemma>."
    a, b = text.index("the"), text.index(" på")
    plain = engine.synthesize(text, "sv")
    mixed = engine.synthesize_mixed(text, "sv", 1.0, [(a, b, "en")])
    # Only the phrase changed voice: the English voice says it in clearly different time.
    assert abs(mixed.duration_ms - plain.duration_ms) > 300
    words = [text[w.offset:w.offset + w.length] for w in mixed.words]
    assert words[:10] == ["Vi", "läser", "the", "weather", "is", "nice", "through", "the", "window", "på"]
    assert words[-1] == "hemma", "< & > are text, not markup"
    times = [w.start_ms for w in mixed.words]
    assert times == sorted(times) and times[-1] < mixed.duration_ms
    # The speed applies across the switch.
    fast = engine.synthesize_mixed(text, "sv", 2.0, [(a, b, "en")])
    assert 0.4 < fast.duration_ms / mixed.duration_ms < 0.65


def test_markup_in_the_text_never_becomes_ssml(engine):
    text = 'Se <voice xml:lang="en">hello</voice> här.'
    a = text.index("här")
    speech = engine.synthesize_mixed(text, "sv", 1.0, [(a, a + 3, "en")])
    said = [text[w.offset:w.offset + w.length] for w in speech.words]
    assert "voice" in said and "hello" in said  # the page's tags are read as the text they are


# --- the API: a page on loopback, a real reading, a decoded MP3 ---------------------------------------
PAGE = """<!doctype html><html lang="sv"><head><title>Bibliotek</title></head><body><main>
<h1>Månadens bok</h1>
<p>I januari läser vi <i lang="en">The Curious Incident of the Dog in the Night-Time</i> av Mark Haddon.</p>
<p>Alla är välkomna den 3 februari.</p>
</main></body></html>"""


def test_a_reading_reports_its_phrases_and_times_their_words(client, page_site):
    url = page_site.put("bok.html", PAGE)
    r = client.post("/api/v1/readings", json={"url": url})
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["status"] == "ready"
    first, second = (b["sentences"][0] for b in reading["blocks"][1:3])
    (phrase,) = first["phrases"]
    assert phrase["lang"] == "en" and phrase["voice"] == "espeak:en"
    assert first["spoken"][phrase["start"]:phrase["end"]] == "The Curious Incident of the Dog in the Night-Time"
    assert "phrases" not in second
    # The words of the phrase are highlighted on the written text, in order, inside the sentence's time.
    written = [first["text"][w["offset"]:w["offset"] + w["length"]] for w in first["words"]]
    assert written[written.index("Curious") - 1:written.index("Curious") + 3] == ["The", "Curious", "Incident", "of"]
    starts = [w["start_ms"] for w in first["words"]]
    assert starts == sorted(starts)
    assert all(first["start_ms"] <= s <= first["end_ms"] for s in starts)
    _, _, duration_ms = decode_mp3(client.get(reading["audio_url"]).data)
    assert abs(duration_ms - reading["duration_ms"]) <= 0.02 * reading["duration_ms"]
