"""Pre-generating a whole site: `lyssna pregenerate` on a 200-page loopback site with a sitemap index
and a gzipped sitemap, real worker processes, re-runs that synthesize nothing, and an edited page."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from service.store.audio_cache import AudioCache
from service.store.reading_store import ReadingStore

from .helpers import decode_mp3
from .site_builder import build_site, edit_paragraph

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = re.compile(r"(\d+) nya / new, (\d+) oförändrade / unchanged, (\d+) misslyckade / failed; "
                     r"(\d+) meningar syntetiserade")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    info = build_site(tmp_path_factory.mktemp("site"), 200)
    yield info
    info.close()


def pregenerate(cache, *args) -> tuple[int, tuple[int, int, int, int], str]:
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(cache), "PYTHONPATH": ROOT}
    env.pop("LYSSNA_SITES", None)
    r = subprocess.run([sys.executable, "-m", "service.cli", "pregenerate", *args, "--workers", "2"],
                       env=env, capture_output=True, text=True, timeout=600)
    match = SUMMARY.search(r.stdout)
    assert match, f"no summary:\n{r.stdout}\n{r.stderr[-2000:]}"
    return r.returncode, tuple(int(g) for g in match.groups()), r.stdout + r.stderr


def test_whole_site_then_rerun_then_one_edit(site, tmp_path):
    cache = tmp_path / "cache"
    rc, (new, unchanged, failed, synthesized), out = pregenerate(
        cache, "--sitemap", site.sitemap_index_url, "--site", site.origin)
    assert (rc, new, unchanged, failed) == (0, 200, 0, 0), out
    assert synthesized > 0
    assert "Förgenererar" in out and "200/200" in out  # the progress bar with counts
    audio = AudioCache(cache)
    finished = list(audio.audio_dir.glob("*.mp3"))
    assert len(finished) == 200
    for mp3 in finished[::40]:
        _, _, duration = decode_mp3(mp3.read_bytes())
        assert duration > 1000

    # Unchanged site: nothing is synthesized again.
    rc, (new, unchanged, failed, synthesized), out = pregenerate(
        cache, "--sitemap", site.sitemap_index_url, "--site", site.origin)
    assert (rc, new, unchanged, failed, synthesized) == (0, 0, 200, 0, 0), out

    # One paragraph edited: only its sentences are synthesized.
    edited = edit_paragraph(site, 17)
    rc, (new, unchanged, failed, synthesized), out = pregenerate(
        cache, "--urls", str(site.urls_txt_path), "--site", site.origin)
    assert (rc, new, unchanged, failed) == (0, 1, 199, 0), out
    changed_sentences = len(re.findall(r"[.!?](\s|$)", edited.new_text))
    assert 1 <= synthesized <= changed_sentences, (synthesized, edited.new_text)


def test_failures_are_reported_with_reasons(site, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.page_urls[0]}\n{site.origin}/finns-inte.html\nhttps://www.example.se/\n")
    rc, (new, unchanged, failed, _), out = pregenerate(tmp_path / "cache", "--urls", str(urls),
                                                      "--site", site.origin)
    assert rc == 1 and new == 1 and failed == 2, out
    assert "finns-inte.html" in out and "404" in out
    assert "www.example.se" in out and "inte läsas upp" in out  # not an allowed site


def test_the_players_selectors_apply_to_every_page_and_a_bad_one_is_refused_up_front(site, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.page_urls[0]}\n")
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT}
    bad = subprocess.run([sys.executable, "-m", "service.cli", "pregenerate", "--urls", str(urls), "--site",
                          site.origin, "--content", "main[["], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Ogiltig CSS-väljare i content" in bad.stderr
    assert not (tmp_path / "cache" / "readings").exists() or not any((tmp_path / "cache" / "readings").iterdir())

    rc, (new, _, failed, _), out = pregenerate(tmp_path / "cache", "--urls", str(urls), "--site", site.origin,
                                               "--skip", "h1")
    assert rc == 0 and (new, failed) == (1, 0), out
    stored, = ReadingStore(tmp_path / "cache").for_url(site.page_urls[0])
    assert stored.request.as_dict() == {"skip": "h1"}  # remembered for refreshes and regeneration
    assert stored.plan.blocks[0].kind != "heading"
