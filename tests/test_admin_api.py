"""Admin API (token auth) and the pronunciation lexicon end to end: API, CLI, re-synthesis."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service import create_app

from .helpers import all_sentences, decode_mp3, wait_ready

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "rätt häst batteri häftklammer"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}

ROUTES = [
    ("get", "/api/v1/admin/lexicon"),
    ("post", "/api/v1/admin/lexicon"),
    ("get", "/api/v1/admin/lexicon/1"),
    ("patch", "/api/v1/admin/lexicon/1"),
    ("put", "/api/v1/admin/lexicon/1"),
    ("delete", "/api/v1/admin/lexicon/1"),
    ("get", "/api/v1/admin/lexicon/export"),
    ("post", "/api/v1/admin/lexicon/import"),
    ("post", "/api/v1/admin/lexicon/preview"),
    ("post", "/api/v1/admin/lexicon/sample"),
    ("post", "/api/v1/admin/preview"),
    ("post", "/api/v1/admin/pages"),
    ("get", "/api/v1/admin/pages?url=x"),
    ("delete", "/api/v1/admin/pages?url=x"),
    ("get", "/api/v1/admin/cache"),
    ("delete", "/api/v1/admin/cache?confirm=yes"),
]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


def call(client, method, path, **kw):
    return getattr(client, method)(path, **kw)


@pytest.mark.parametrize("method, path", ROUTES)
def test_every_admin_route_refuses_without_the_right_token(client, method, path):
    r = call(client, method, path, json={})
    assert r.status_code == 401 and r.get_json()["error"] == "not_authenticated"
    r = call(client, method, path, json={}, headers={"Authorization": "Bearer fel"})
    assert r.status_code == 401
    r = call(client, method, path, json={}, headers={"Authorization": f"Basic {PASSWORD}"})
    assert r.status_code == 401


@pytest.mark.parametrize("method, path", ROUTES)
def test_no_admin_at_all_without_a_password(tmp_path, fixture_site, method, path):
    app = create_app({"TESTING": True, "SITES": [fixture_site], "CACHE_DIR": str(tmp_path / "c")})
    r = call(app.test_client(), method, path, json={}, headers=AUTH)
    assert r.status_code == 404


def test_repeated_wrong_passwords_lock_the_client_out(client):
    for _ in range(10):
        assert client.get("/api/v1/admin/lexicon", headers={"Authorization": "Bearer gissning"}).status_code == 401
    r = client.get("/api/v1/admin/lexicon", headers=AUTH)
    assert r.status_code == 429  # even the right password waits out the lockout
    assert "försök igen" in r.get_json()["message"]


def test_lexicon_crud(client):
    r = client.post("/api/v1/admin/lexicon", json={"written": "Nyköping", "spoken": "Nyschöping"}, headers=AUTH)
    assert r.status_code == 201
    entry = r.get_json()
    assert entry["written"] == "Nyköping" and entry["lang"] == "sv" and entry["kind"] == "text"
    listed = client.get("/api/v1/admin/lexicon", headers=AUTH).get_json()["entries"]
    assert [e["id"] for e in listed] == [entry["id"]]
    assert client.get("/api/v1/admin/lexicon?q=köp", headers=AUTH).get_json()["entries"]
    assert client.get("/api/v1/admin/lexicon?q=zzz", headers=AUTH).get_json()["entries"] == []
    r = client.patch(f"/api/v1/admin/lexicon/{entry['id']}", json={"spoken": "Nyschööping"}, headers=AUTH)
    assert r.status_code == 200 and r.get_json()["spoken"] == "Nyschööping"
    assert client.get(f"/api/v1/admin/lexicon/{entry['id']}", headers=AUTH).get_json()["spoken"] == "Nyschööping"
    assert client.delete(f"/api/v1/admin/lexicon/{entry['id']}", headers=AUTH).status_code == 204
    assert client.delete(f"/api/v1/admin/lexicon/{entry['id']}", headers=AUTH).status_code == 404
    assert client.get(f"/api/v1/admin/lexicon/{entry['id']}", headers=AUTH).status_code == 404


@pytest.mark.parametrize("body", [
    {"written": "", "spoken": "x"},
    {"written": "x"},
    {"written": "x", "spoken": ""},
    {"written": "x", "spoken": 5},
    {"written": "x", "spoken": "y", "kind": "ssml"},
    {"written": "x", "spoken": "y", "case_sensitive": "ja"},
    {"written": "x" * 1000, "spoken": "y"},
])
def test_invalid_entries_are_400_and_store_nothing(client, body):
    r = client.post("/api/v1/admin/lexicon", json=body, headers=AUTH)
    assert r.status_code == 400, r.get_json()
    assert len(r.get_json()["message"]) > 5
    assert client.get("/api/v1/admin/lexicon", headers=AUTH).get_json()["entries"] == []


def test_an_entry_changes_only_the_sentences_that_contain_it(app, client, page_site):
    gen = app.extensions["lyssna"].services.readings.synthesizer
    app.config["PAGE_MEMO_S"] = 0  # the lexicon changes what is said, so ask again at once
    url = page_site.put("besok.html", "<html lang='sv'><body><main><h1>Besök oss</h1><p>Vi finns i Nyköping. "
                                      "Välkommen!</p><p>Parkering finns på gatan.</p></main></body></html>")
    first = wait_ready(client, client.post("/api/v1/readings", json={"url": url}).get_json()["id"])
    made = gen.stats["sentences"]
    assert made == 4
    r = client.post("/api/v1/admin/lexicon", json={"written": "Nyköping", "spoken": "Nyschöping"}, headers=AUTH)
    assert r.status_code == 201
    second = client.post("/api/v1/readings", json={"url": url})
    assert second.status_code == 202
    second = wait_ready(client, second.get_json()["id"])
    assert second["id"] != first["id"]
    assert gen.stats["sentences"] == made + 1  # only "Vi finns i Nyköping." was spoken again
    spoken = [s["spoken"] for s in all_sentences(second)]
    assert any("Nyschöping" in s for s in spoken)
    assert [s["text"] for s in all_sentences(second)] == [s["text"] for s in all_sentences(first)]
    _, _, duration = decode_mp3(client.get(second["audio_url"]).data)
    assert abs(duration - second["duration_ms"]) <= 0.02 * second["duration_ms"]


def test_preview_says_how_a_text_will_be_spoken(client):
    client.post("/api/v1/admin/lexicon", json={"written": "SMHI", "spoken": "S M H I"}, headers=AUTH)
    r = client.post("/api/v1/admin/preview", json={"text": "SMHI varnar t.ex. för storm."}, headers=AUTH)
    body = r.get_json()
    assert r.status_code == 200
    assert "till exempel" in body["spoken"] and len(body["matched"]) == 1
    audio = client.post("/api/v1/admin/preview?audio=1", json={"text": "Nyköping"}, headers=AUTH)
    assert audio.mimetype == "audio/mpeg"
    _, _, duration = decode_mp3(audio.data)
    assert duration > 300


def test_cli_lexicon_add_list_remove_shares_the_store_with_the_service(tmp_path, fixture_site):
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "service.cli", "lexicon", *args], env=env,
                              capture_output=True, text=True, timeout=60)

    added = cli("add", "Nyköping", "Nyschöping")
    assert added.returncode == 0, added.stderr
    entry_id = added.stdout.split("\t")[0]
    listed = cli("list")
    assert "Nyköping → Nyschöping" in listed.stdout
    bad = cli("add", "", "x")
    assert bad.returncode == 2 and bad.stderr
    app = create_app({"TESTING": True, "SITES": [fixture_site], "CACHE_DIR": str(tmp_path / "cache")})
    applied = app.extensions["lyssna"].services.lexicon.apply("Välkommen till Nyköping!", "sv")
    assert applied.text == "Välkommen till Nyschöping!"
    removed = cli("remove", entry_id)
    assert removed.returncode == 0
    assert cli("remove", entry_id).returncode == 1
    assert app.extensions["lyssna"].services.lexicon.apply("Nyköping", "sv").text == "Nyköping"


def test_regenerate_list_and_purge_a_page(client, fixture_site):
    url = f"{fixture_site}/06-kokningsrekommendation-upphavd.html"
    r = client.post("/api/v1/admin/pages", json={"url": url}, headers=AUTH)
    assert r.status_code == 202
    reading = wait_ready(client, r.get_json()["id"])
    assert client.post("/api/v1/admin/pages", json={"url": url}, headers=AUTH).status_code == 200
    listed = client.get("/api/v1/admin/pages", query_string={"url": url}, headers=AUTH).get_json()
    assert [x["id"] for x in listed["readings"]] == [reading["id"]]
    stats = client.get("/api/v1/admin/cache", headers=AUTH).get_json()
    assert stats["entries"] == 1 and stats["bytes"] > 0
    purged = client.delete("/api/v1/admin/pages", query_string={"url": url}, headers=AUTH).get_json()
    assert purged == {"purged_readings": 1}
    assert client.get(reading["audio_url"]).status_code == 404
    assert client.get("/api/v1/admin/cache", headers=AUTH).get_json()["entries"] == 0


def test_purge_everything_needs_confirmation(client, fixture_site):
    url = f"{fixture_site}/06-kokningsrekommendation-upphavd.html"
    reading = wait_ready(client, client.post("/api/v1/readings", json={"url": url}).get_json()["id"])
    assert client.delete("/api/v1/admin/cache", headers=AUTH).status_code == 400
    assert client.get(reading["audio_url"]).status_code == 200
    assert client.delete("/api/v1/admin/cache?confirm=yes", headers=AUTH).status_code == 200
    assert client.get(reading["audio_url"]).status_code == 404
    assert client.get(f"/api/v1/readings/{reading['id']}").status_code == 404
