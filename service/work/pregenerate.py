"""`lyssna pregenerate`: queue every page of a site, show progress, summarise.

Pages go through the same `generate_page` task as any job, so re-running on an unchanged site
synthesizes nothing and an edited page costs only its changed sentences.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from huey.exceptions import TaskException

from service import config as config_mod
from service.errors import LyssnaError
from service.reading.fetch import FetchLimits
from service.reading.request import page_options
from service.reading.sites import parse_sites

from .queue import make_queue
from .sitemaps import read_sitemap, read_url_list

POLL_S = 0.2
STALL_S = 120.0  # no result for this long: the jobs in flight are presumed lost and queued again


def _urls(sitemap: str | None, urls_file: str | None, config: dict) -> tuple[list[str], list[str]]:
    if sitemap:
        result = read_sitemap(sitemap, parse_sites(config["SITES"]), FetchLimits.for_sitemaps(config))
        return [e.url for e in result.entries], [f"{e.url}: {e.reason}" for e in result.errors]
    text = sys.stdin.read() if urls_file == "-" else Path(urls_file).read_text(encoding="utf-8")
    listed = read_url_list(text)
    urls = listed.urls if hasattr(listed, "urls") else listed
    problems = [f"{p}" for p in getattr(listed, "invalid", [])]
    return list(urls), problems


def _start_worker(workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--workers", str(workers)],
                            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))


def pregenerate(*, sitemap: str | None, urls_file: str | None, extra_sites: list[str],
                workers: int | None = None, enqueue_only: bool = False, progress: bool = True,
                content: str | None = None, skip: str | None = None, documents: bool = False) -> int:
    """`content` / `skip`: the selectors the site's player sends (`data-content`, `data-skip`), so
    the audio made ahead is the audio a visitor's click asks for. `documents`: the PDFs the pages
    link to on their own site are made too (found as pages finish; each document once)."""
    try:
        options = page_options(content, skip)
    except LyssnaError as e:
        print(e.message, file=sys.stderr)
        return 2
    if documents and enqueue_only:
        print("--documents följer länkar medan sidorna blir klara och går inte med --enqueue-only. / "
              "--documents follows links as pages finish and cannot be used with --enqueue-only.", file=sys.stderr)
        return 2
    config = config_mod.load_config()
    if extra_sites:
        config["SITES"] = config["SITES"] + list(extra_sites)
        os.environ["LYSSNA_SITES"] = ",".join(config["SITES"])  # the workers started below inherit it
    urls, problems = _urls(sitemap, urls_file, config)
    for p in problems:
        print(f"varning / warning: {p}", file=sys.stderr)
    if not urls:
        print("Inga sidor att förgenerera. / No pages to pre-generate.", file=sys.stderr)
        return 1
    pages = set(urls)
    queue = make_queue(config)
    pending = {url: queue.generate(url, options or None, documents) for url in urls}
    seen = set(urls)
    if enqueue_only:
        print(f"{len(urls)} sidor köade / pages queued; kör / run: lyssna worker")
        return 0
    worker = _start_worker(workers or os.cpu_count() or 1, Path(config["CACHE_DIR"]) / "worker.log")
    results: dict[str, dict] = {}
    counts: Counter[str] = Counter()
    requeued: set[str] = set()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(urls), unit="sida", desc="Förgenererar", dynamic_ncols=True)
    last_progress = time.monotonic()
    try:
        while pending:
            for url, handle in list(pending.items()):
                try:
                    result = handle.get()
                except TaskException as e:
                    result = {"url": url, "outcome": "failed", "error": "crashed",
                              "message": str(e.metadata.get("error") or e)}
                if result is None:
                    continue
                results[url] = result
                del pending[url]
                counts[result["outcome"]] += 1
                for link in result.get("documents") or []:  # a document's own summary has none
                    if link not in seen:
                        seen.add(link)
                        pending[link] = queue.generate(link, None)
                        if bar is not None:
                            bar.total += 1
                            bar.refresh()
                last_progress = time.monotonic()
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(ny=counts["new"], oförändrad=counts["unchanged"], fel=counts["failed"])
            if pending and time.monotonic() - last_progress > STALL_S:
                for url in list(pending):
                    if url in requeued:
                        results[url] = {"url": url, "outcome": "failed", "error": "timeout",
                                        "message": "Ingen arbetare blev klar. / No worker finished it."}
                        counts["failed"] += 1
                        del pending[url]
                    else:
                        requeued.add(url)
                        again = (options or None, documents) if url in pages else (None,)
                        pending[url] = queue.generate(url, *again)  # a worker died holding it
                last_progress = time.monotonic()
            if worker.poll() is not None and pending:
                worker = _start_worker(workers or os.cpu_count() or 1,
                                       Path(config["CACHE_DIR"]) / "worker.log")
            time.sleep(POLL_S)
    finally:
        if bar is not None:
            bar.close()
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
    synthesized = sum(r.get("sentences_synthesized", 0) for r in results.values())
    print(f"Klart / done: {counts['new']} nya / new, {counts['unchanged']} oförändrade / unchanged, "
          f"{counts['failed']} misslyckade / failed; {synthesized} meningar syntetiserade / "
          f"sentences synthesized")
    for r in results.values():
        if r["outcome"] == "failed":
            print(f"  fel / failed: {r['url']}: {r.get('message', r.get('error'))}")
    return 1 if counts["failed"] else 0
