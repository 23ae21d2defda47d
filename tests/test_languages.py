"""A page in several languages is read with a voice of each language, through the real API, with
espeak-ng and a decoded MP3: Swedish rules only for Swedish, and the reading says which voice read
each block (issue 15: every language in its own voice)."""
from __future__ import annotations

from .helpers import decode_mp3, rms, wait_ready

PAGE = """<!doctype html><html lang="sv"><head><title>Språk</title></head><body><main>
<h1>Information på flera språk</h1>
<p>Kommunen har öppet måndag till fredag, och kundtjänst svarar på 12 frågor om dagen.</p>
<p lang="fi">Kunta on avoinna maanantaista perjantaihin, ja asiakaspalvelu vastaa 12 kysymykseen päivässä.</p>
<p lang="en">The council is open Monday to Friday, and customer service answers 12 questions a day.</p>
</main></body></html>"""


def test_each_language_is_read_by_its_own_voice(client, page_site):
    url = page_site.put("sprak.html", PAGE)
    r = client.post("/api/v1/readings", json={"url": url})
    assert r.status_code == 202
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["status"] == "ready"
    by_lang = {b["lang"]: b for b in reading["blocks"]}
    assert {lang: b["voice"] for lang, b in by_lang.items()} == {
        "sv": "espeak:sv", "fi": "espeak:fi", "en": "espeak:en"}
    # Swedish rules only for Swedish: the number is written out in the Swedish block alone.
    spoken = {lang: " ".join(s["spoken"] for s in b["sentences"]) for lang, b in by_lang.items()}
    assert "tolv" in spoken["sv"] and "12" not in spoken["sv"]
    assert "tolv" not in spoken["fi"] and "tolv" not in spoken["en"]

    # Highlighting: every block's sentences have times, in reading order, and there is speech in each.
    audio = client.get(reading["audio_url"])
    samples, rate, duration = decode_mp3(audio.data)
    previous_end = 0
    for block in reading["blocks"]:
        for sentence in block["sentences"]:
            assert previous_end <= sentence["start_ms"] < sentence["end_ms"] <= duration + 50
            previous_end = sentence["end_ms"]
        start, end = block["sentences"][0]["start_ms"], block["sentences"][-1]["end_ms"]
        part = samples[int(start * rate / 1000): int(end * rate / 1000)]
        assert rms(part) > 300, f"no speech in the {block['lang']} block"
