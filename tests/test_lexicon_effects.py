"""Lexicon changes that visibly take effect (issue 17): the pages a change touches are found from
their stored text, listed, marked outdated and made again in a batch (only the changed sentences);
entries are previewed against the words on the site, phonemes are checked with espeak-ng, and an
entry can be heard before it is saved. Real app, real pages on loopback, real espeak-ng, real MP3.
"""
from __future__ import annotations

import re
from html import unescape

import pytest

from service import create_app
from service.reading.engines import get_engine
from service.reading.engines.espeak_phonemes import unknown_part
from service.web import lexicon_changes

from .conftest import serve_directory
from .helpers import decode_mp3
from .test_admin_ui import PASSWORD, admin_client, run_batch, wire  # noqa: F401 - a fixture

AUTH = {"Authorization": f"Bearer {PASSWORD}"}
PAGES = {
    "nyheter": ("Nyheter från kommunen", ["Nyköping växer snabbt.", "Nyköpings kommun bygger en ny skola.",
                                          "Biblioteket har öppet på lördagar.", "Alla är välkomna."]),
    "boende": ("Att bo här", ["Många nyköpingsbor cyklar till jobbet.", "Parkerna är fina på sommaren."]),
    "sport": ("Idrott", ["Simhallen stänger i juli.", "Motionsspåret är upplyst."]),
}


def html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><header><nav><a href='/'>Start</a></nav></header>"
            f"<main><h1>{title}</h1>{body}</main></body></html>")


@pytest.fixture
def site(tmp_path):
    """A small municipal site on a loopback port: (server, origin, {name: url})."""
    root = tmp_path / "site"
    root.mkdir()
    for name, (title, paragraphs) in PAGES.items():
        (root / f"{name}.html").write_text(html(title, paragraphs), encoding="utf-8")
    server, origin = serve_directory(root)
    yield server, origin, {name: f"{origin}/{name}.html" for name in PAGES}
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(tmp_path, site):
    return wire(create_app({"TESTING": True, "SITES": [site[1]], "CACHE_DIR": str(tmp_path / "cache"),
                            "ADMIN_PASSWORD": PASSWORD}))


@pytest.fixture
def generated(app, admin_client, site):
    """Every page of the site read once, as an admin's pre-generation does."""
    urls = site[2]
    status = run_batch(app, admin_client, {"urls": "\n".join(urls.values())})
    assert status["new"] == 3
    return urls


def newest(app, url: str):
    """The page's current reading: the newest one no lexicon change has made outdated since."""
    readings = app.extensions["lyssna"].services.readings
    found = readings.store.for_url(url)
    return min(found, key=lambda r: (readings.is_outdated(r), -r.created))


def spoken(stored) -> str:
    return " ".join(s.spoken for b in stored.plan.blocks for s in b.sentences)


def entry_form(client, **fields) -> dict:
    return {"csrf_token": client.csrf, "written": "Nyköping", "spoken": "Nyschöping", "kind": "text",
            "lang": "sv", **fields}


def wait_batches(app, text: str) -> list[str]:
    ids = re.findall(r"/admin/pregenerate/([0-9a-f]{16})", text)
    for batch_id in ids:
        assert app.extensions["lyssna"].batches.wait(batch_id, timeout=300)
    return ids


def row_status(pages_html: str, url: str) -> str:
    row = next(r for r in pages_html.split("<tr>") if f'href="{url}"' in r)
    return re.search(r'class="status-(\w+)"', row).group(1)


# -- after saving: the pages, outdated, made again --------------------------------------------------

def test_saving_an_entry_lists_the_pages_and_makes_exactly_their_changed_sentences_again(app, admin_client,
                                                                                         generated):
    before = {name: newest(app, url) for name, url in generated.items()}
    old_mp3 = admin_client.get(f"/audio/{before['nyheter'].id}.mp3").data
    stats = app.extensions["lyssna"].services.readings.synthesizer.stats
    synthesized = stats["sentences"]

    r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, match="compounds", action="save"))
    assert r.status_code == 303 and "change=" in r.headers["Location"]
    result = admin_client.get(r.headers["Location"]).text
    assert "2 sidor påverkas" in result
    listed = re.search(r'<ul class="affected" id="affected-pages">(.*?)</ul>', result, re.S).group(1)
    assert generated["nyheter"] in listed and generated["boende"] in listed
    assert generated["sport"] not in listed
    batches = wait_batches(app, result)
    assert len(batches) == 1
    status = admin_client.get(f"/admin/pregenerate/{batches[0]}/status").get_json()
    assert (status["total"], status["new"], status["failed"]) == (2, 2, 0)
    # Three sentences have the word (two on one page, one on the other): only they are made again.
    assert stats["sentences"] - synthesized == 3

    pages = admin_client.get("/admin/pages").text
    assert [row_status(pages, url) for url in generated.values()] == ["ready"] * 3
    assert "status-outdated" not in pages
    after = {name: newest(app, url) for name, url in generated.items()}
    assert "Nyschöping växer" in spoken(after["nyheter"]) and "Nyschöpings kommun" in spoken(after["nyheter"])
    assert "nyschöpingsbor" in spoken(after["boende"])
    untouched = app.extensions["lyssna"].services.store.for_url(generated["sport"])
    assert untouched == [before["sport"]]
    new_mp3 = admin_client.get(f"/audio/{after['nyheter'].id}.mp3").data
    old_samples, _, _ = decode_mp3(old_mp3)
    new_samples, _, _ = decode_mp3(new_mp3)
    assert list(old_samples) != list(new_samples)  # the page now sounds different


def test_pages_whose_remaking_fails_stay_outdated_in_the_pages_list(app, admin_client, generated, site):
    server = site[0]
    server.shutdown()  # the site is down: the pages cannot be fetched again
    server.server_close()
    r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, action="save"))
    wait_batches(app, admin_client.get(r.headers["Location"]).text)
    pages = admin_client.get("/admin/pages").text
    assert row_status(pages, generated["nyheter"]) == "outdated" and ">Inaktuell<" in pages
    assert row_status(pages, generated["boende"]) == "ready"  # whole-word entry: "nyköpingsbor" is not it
    assert row_status(pages, generated["sport"]) == "ready"
    outdated = admin_client.get("/admin/pages?status=outdated").text
    assert generated["nyheter"] in outdated and generated["sport"] not in outdated


def test_an_edit_counts_the_old_and_the_new_word_and_a_delete_the_old(app, admin_client, generated):
    r = admin_client.post("/api/v1/admin/lexicon", json={"written": "Nyköping", "spoken": "Nyschöping"},
                          headers=AUTH)
    assert r.status_code == 201
    saved = r.get_json()
    assert saved["affected"]["pages"] == [generated["nyheter"]] and len(saved["affected"]["batches"]) == 1
    for batch_id in saved["affected"]["batches"]:
        assert app.extensions["lyssna"].batches.wait(batch_id, timeout=300)

    r = admin_client.patch(f"/api/v1/admin/lexicon/{saved['id']}", headers=AUTH,
                           json={"written": "Simhallen", "spoken": "Simm hallen"})
    assert r.status_code == 200
    assert sorted(r.get_json()["affected"]["pages"]) == sorted([generated["nyheter"], generated["sport"]])
    wait_batches(app, " ".join(f"/admin/pregenerate/{b}" for b in r.get_json()["affected"]["batches"]))
    assert "Simm hallen" in spoken(newest(app, generated["sport"]))
    # The old word is said as written again.
    assert "Nyköping växer" in spoken(newest(app, generated["nyheter"]))

    r = admin_client.post(f"/admin/lexicon/{saved['id']}/delete", data={"csrf_token": admin_client.csrf})
    result = admin_client.get(r.headers["Location"]).text
    assert "togs bort" in result and "1 sida påverkas" in result and generated["sport"] in result
    wait_batches(app, result)
    assert "Simhallen stänger" in spoken(newest(app, generated["sport"]))


# -- before saving: preview, hear, phonemes -----------------------------------------------------------

def preview_words(page: str) -> dict[str, int]:
    table = re.search(r'<table id="preview-words">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", table)
    return {unescape(w): int(n) for w, n in rows}


@pytest.mark.parametrize("match, words, pages", [
    ("word", {"Nyköping": 1}, 1),
    ("forms", {"Nyköping": 1, "Nyköpings": 1}, 1),
    ("compounds", {"Nyköping": 1, "Nyköpings": 1, "nyköpingsbor": 1}, 2),
])
def test_the_preview_lists_the_words_on_the_site_the_entry_will_change(
        app, admin_client, generated, match, words, pages):
    r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, match=match, action="preview"))
    assert r.status_code == 200
    assert preview_words(r.text) == words
    assert f"{pages} sid{'a' if pages == 1 else 'or'}" in r.text
    assert generated["nyheter"] in r.text  # an example page
    # The form is kept.
    assert 'value="Nyschöping"' in r.text and f'<option value="{match}" selected>' in r.text
    assert app.extensions["lyssna"].services.lexicon.list() == []  # nothing saved

    api = admin_client.post("/api/v1/admin/lexicon/preview", headers=AUTH,
                            json={"written": "Nyköping", "spoken": "Nyschöping", "match": match})
    body = api.get_json()
    assert {w["word"]: w["count"] for w in body["words"]} == words and len(body["pages"]) == pages
    assert body["said"] == "Nyschöping"


def test_unknown_phonemes_are_refused_naming_the_bad_part_and_the_input_is_kept(app, admin_client):
    r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, kind="phonemes", spoken="n'y:Q0Y:p",
                                                            action="save"))
    assert r.status_code == 422
    alert = unescape(re.search(r'role="alert">(.*?)</p>', r.text, re.S).group(1))
    assert "”0Y:p”" in alert and "espeak-ng" in alert
    assert 'value="n&#39;y:Q0Y:p"' in r.text and '<option value="phonemes" selected>' in r.text
    assert app.extensions["lyssna"].services.lexicon.list() == []

    api = admin_client.post("/api/v1/admin/lexicon", headers=AUTH,
                            json={"written": "Nyköping", "spoken": "n'y:S;Y:p,IN Öl", "kind": "phonemes"})
    assert api.status_code == 422 and api.get_json()["error"] == "unknown_phoneme"
    assert "”Öl”" in api.get_json()["message"]
    good = admin_client.post("/api/v1/admin/lexicon", headers=AUTH,
                             json={"written": "Nyköping", "spoken": "n'y:S;Y:p,IN", "kind": "phonemes"})
    assert good.status_code == 201


def test_hear_it_without_javascript_renders_a_player_of_the_entry_as_it_will_sound(admin_client):
    plain = decode_mp3(admin_client.get("/admin/lexicon/preview.mp3?text=Nyk%C3%B6ping").data)[0]
    for fields in ({"spoken": "Nyschöping"}, {"spoken": "n'y:S;Y:p,IN", "kind": "phonemes"}):
        r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, action="hear", **fields))
        assert r.status_code == 200
        player = re.search(r'<audio controls preload="auto" src="([^"]+)" data-entry-sample', r.text)
        src = unescape(player.group(1))
        assert src.startswith("/admin/lexicon/sample.mp3?")
        mp3 = admin_client.get(src)
        assert mp3.status_code == 200 and mp3.mimetype == "audio/mpeg"
        samples, _, duration_ms = decode_mp3(mp3.data)
        assert duration_ms > 300 and list(samples) != list(plain)  # not the word as it sounds today
    api = admin_client.post("/api/v1/admin/lexicon/sample", headers=AUTH,
                            json={"written": "Nyköping", "spoken": "Nyschöping"})
    assert api.mimetype == "audio/mpeg" and decode_mp3(api.data)[2] > 300
    refused = admin_client.get("/admin/lexicon/sample.mp3?written=Nyk%C3%B6ping&spoken=q0&kind=phonemes")
    assert refused.status_code == 422


def test_samples_are_limited_per_session(admin_client, monkeypatch):
    monkeypatch.setattr(lexicon_changes, "SAMPLES_PER_MINUTE", 2)
    url = "/admin/lexicon/sample.mp3?written=Ord&spoken=Oord"
    assert [admin_client.get(url).status_code for _ in range(3)] == [200, 200, 429]


# -- the phoneme check is the engine's own rule ----------------------------------------------------

@pytest.mark.parametrize("phonemes, bad", [
    ("n'y:S;Y:p,IN", None), ("'Esk,Ilst8na", None), ("h'Ej|s,an", None), ("n y: S", None),
    ("n'y:Q0Y:p", "0Y:p"), ("abcå", "å"), ("'a: X#", "#"),
])
def test_the_phoneme_check_names_what_espeak_would_drop(phonemes, bad):
    assert unknown_part(phonemes, "sv") == bad


def test_espeak_really_drops_an_unknown_phoneme_and_the_rest_of_its_word():
    engine = get_engine("espeak")
    said = {p: engine.synthesize(f"[[{p}]]", "sv", 1.0).pcm for p in ("n'y:Q0", "n'y:Q0Y:p", "n'y:QY:p")}
    # "Y:p" after the unknown "0" is never heard: the word lasts as long as without it (to within
    # the few samples espeak-ng's ending varies by), and clearly shorter than with it.
    assert abs(len(said["n'y:Q0Y:p"]) - len(said["n'y:Q0"])) < 400
    assert len(said["n'y:QY:p"]) > len(said["n'y:Q0Y:p"]) + 2000


def test_an_import_makes_the_pages_it_touches_again(app, admin_client, generated):
    r = admin_client.post("/api/v1/admin/lexicon/import?format=csv", headers=AUTH,
                          data="written;spoken\nSimhallen;Simm hallen\nSthlm;Stockholm\n".encode())
    assert r.status_code == 200, r.text
    affected = r.get_json()["affected"]
    assert affected["pages"] == [generated["sport"]]
    wait_batches(app, " ".join(f"/admin/pregenerate/{b}" for b in affected["batches"]))
    assert "Simm hallen stänger" in spoken(newest(app, generated["sport"]))


def test_an_import_reaching_compounds_finds_the_pages_with_only_the_compound(app, admin_client, generated):
    """A file whose entry covers compounds: the page that only says "nyköpingsbor" is made again too."""
    r = admin_client.post("/api/v1/admin/lexicon/import?format=csv", headers=AUTH,
                          data="written;spoken;match\nNyköping;Nyschöping;compounds\n".encode())
    assert r.status_code == 200, r.text
    affected = r.get_json()["affected"]
    assert sorted(affected["pages"]) == sorted([generated["nyheter"], generated["boende"]])
    wait_batches(app, " ".join(f"/admin/pregenerate/{b}" for b in affected["batches"]))
    assert "nyschöpingsbor" in spoken(newest(app, generated["boende"]))


def test_the_lexicon_pages_speak_one_language_at_a_time(admin_client, generated):
    r = admin_client.post("/admin/lexicon", data=entry_form(admin_client, match="forms", action="preview"))
    swedish = r.text
    assert "Förhandsgranska" in swedish and "Ord på webbplatsen som ändras" in swedish
    assert "Hear it" not in swedish
    with admin_client.session_transaction("/admin/") as session:  # (the cookie lives under /admin)
        session["lang"] = "en"
    english = admin_client.post("/admin/lexicon",
                                data=entry_form(admin_client, match="forms", action="preview"))
    assert english.status_code == 200, english.text[-600:]
    english = english.text
    assert "Hear it" in english and "Words on the site that change" in english and "1 page" in english
    for swedish_only in ("Förhandsgranska", "Uttalas", "Böjningar", "Skiftlägeskänslig", "Lägg till"):
        assert swedish_only not in english, swedish_only
