"""The player in real headless Chromium: click → first `playing`, widget size, highlight drift.

Run: .venv/bin/python benchmarks/widget.py [--pages N]
- click → playing, cold (the service has never read the page) and cached (read before), median over
  the 14 fixture pages, each page served from its own loopback origin as a site would embed it;
  baseline: a bare <audio> starting the same finished MP3 in the same page (the floor for "cached").
- widget bytes: widget.js raw and gzipped (everything the widget loads).
- highlight drift: at sentence boundaries, how far the audio clock had moved past the sentence's
  start when the page showed that sentence highlighted (target ≤ 100 ms).
Targets (issue 6): cold ≤ 0.5 s, cached ≤ 0.15 s, ≤ 12 KB gzipped, drift ≤ 100 ms.
"""
from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import PageSite, launch, start_app  # noqa: E402
from tests.conftest import page_names  # noqa: E402

P = "document.querySelector('lyssna-player')"
SETTLE_MS = 500
# Time from the visitor's click (capture phase, before the widget's handler) to the audio's first
# `playing` event, on the page's own clock.
CLICK_SPY = """document.addEventListener('click', () => {
  window.__t0 = performance.now();
  setTimeout(() => document.querySelector('lyssna-player').audio.addEventListener('playing',
    () => { window.__t1 = window.__t1 || performance.now(); }), 0);
}, true);"""
# Each frame: when the highlighted sentence changes, how far past its start the audio is.
DRIFT_SPY = """() => { window.__drift = []; let shown = -2; const p = document.querySelector('lyssna-player');
  const tick = () => { if (p.entryIndex !== shown) { shown = window.__shown = p.entryIndex; const e = p.entries[shown];
      if (e && !p.audio.paused && window.__measure) window.__drift.push(p.audio.currentTime * 1000 - e.start); }
    requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""


def click_to_playing(browser, url: str) -> float:
    ctx = browser.new_context(viewport={"width": 1100, "height": 760})
    try:
        page = ctx.new_page()
        page.add_init_script(CLICK_SPY)
        page.goto(url, wait_until="load")
        page.wait_for_function(f"() => {P}?.shadowRoot")
        page.wait_for_timeout(SETTLE_MS)  # a visitor reads a moment before clicking
        page.locator("lyssna-player").get_by_role("button", name="Lyssna").click()
        page.wait_for_function("() => window.__t1", timeout=60_000)
        post = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => e.name.endsWith('/api/v1/readings')).map(e => e.duration)""")
        POSTS.append(max(post) / 1000)
        # Let generation finish, so that the next visit finds the page cached.
        page.wait_for_function(f"() => {P}.reading && {P}.reading.status === 'ready'", timeout=60_000)
        return page.evaluate("() => window.__t1 - window.__t0") / 1000
    finally:
        ctx.close()


POSTS: list[float] = []


def bare_audio(browser, page_url: str, audio_url: str) -> float:
    """The floor: a plain <audio> element starting the finished MP3, started by a click."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(page_url)
        page.evaluate("""src => { document.addEventListener('click', () => { window.__t0 = performance.now();
            const a = new Audio(src); a.addEventListener('playing', () => { window.__t1 = performance.now(); });
            a.play(); }, {once: true}); }""", audio_url)
        page.mouse.click(5, 5)
        page.wait_for_function("() => window.__t1", timeout=60_000)
        return page.evaluate("() => window.__t1 - window.__t0") / 1000
    finally:
        ctx.close()


def drift(browser, url: str, boundaries: int) -> list[float]:
    ctx = browser.new_context(viewport={"width": 1100, "height": 760})
    try:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(f"() => {P}?.shadowRoot")
        page.locator("lyssna-player").get_by_role("button", name="Lyssna").click()
        page.wait_for_function(f"() => {P}.reading && {P}.reading.status === 'ready' && !{P}.audio.paused")
        page.evaluate(DRIFT_SPY)
        n = page.evaluate(f"() => {P}.entries.length")
        step = max(1, (n - 1) // boundaries)
        for k in range(1, n, step)[:boundaries]:
            # Land 400 ms before sentence k starts (inside sentence k-1), then let it play across.
            page.evaluate(f"""k => {{ const p = {P}, e = p.entries[k]; window.__measure = false;
                p.seekTo(Math.max(p.entries[k - 1].start, e.start - 400)); }}""", k)
            page.wait_for_function(f"k => window.__shown === k - 1 && !{P}.audio.seeking", arg=k)
            page.evaluate("() => { window.__measure = true; }")
            page.wait_for_function("k => window.__shown === k", arg=k, timeout=10_000)
        return page.evaluate("() => window.__drift")
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=14)
    parser.add_argument("--drift-pages", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    names = page_names()[: args.pages]
    widget = (ROOT / "service" / "static" / "widget.js").read_bytes()
    site = PageSite()
    with tempfile.TemporaryDirectory() as cache, sync_playwright() as pw:
        server, origin = start_app(cache, [site.origin])
        site.app_origin = origin
        browser = launch(pw)
        cold, cached, floor, drifts, cached_posts = [], [], [], [], []
        for name in names:
            url = f"{site.origin}/pages/{name}.html"
            cold.append(click_to_playing(browser, url))
            cached.append(click_to_playing(browser, url))
            cached_posts.append(POSTS[-1])
            print(f"{name:40s} cold {cold[-1]:.3f} s   cached {cached[-1]:.3f} s", flush=True)
        import json
        import urllib.request

        for name in names:
            req = urllib.request.Request(f"{origin}/api/v1/readings", headers={"Content-Type": "application/json"},
                                         data=json.dumps({"url": f"{site.origin}/pages/{name}.html"}).encode())
            with urllib.request.urlopen(req) as answer:
                audio_url = origin + json.load(answer)["audio_url"]
            floor.append(bare_audio(browser, f"{site.origin}/pages/{name}.html", audio_url))
        for name in names[: args.drift_pages]:
            drifts += drift(browser, f"{site.origin}/pages/{name}.html", 8)
        browser.close()
        server.shutdown()
    site.close()

    med = statistics.median
    base = med(floor)
    print()
    print(f"pages: {len(names)}")
    print(f"click → playing, cold:   median {med(cold):.3f} s  max {max(cold):.3f} s  (target ≤ 0.5 s)")
    print(f"click → playing, cached: median {med(cached):.3f} s  max {max(cached):.3f} s  (target ≤ 0.15 s)")
    print(f"baseline bare <audio> on the finished MP3: median {base:.3f} s; "
          f"cached/baseline {med(cached) / base:.2f}×, cold/baseline {med(cold) / base:.2f}×")
    print(f"of which the POST /api/v1/readings (CORS preflight included) for a cached page: "
          f"median {med(cached_posts):.3f} s")
    print(f"widget.js: {len(widget)} bytes, {len(gzip.compress(widget, 9))} bytes gzipped (budget 12288)")
    if drifts:
        print(f"highlight drift over {len(drifts)} sentence boundaries: median {med(drifts):.0f} ms, "
              f"max {max(drifts):.0f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
