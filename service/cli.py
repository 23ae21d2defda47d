"""`lyssna` command line: serve (granian), lexicon, worker, pregenerate, refresh, voices.

Each command imports what it needs when it runs, so `lyssna lexicon list` does not load Flask,
huey or the speech engines.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from . import config as config_mod


def _sites_line(sites: list[str]) -> str:
    """What the startup says about LYSSNA_SITES: the first thing an editor whose player is refused
    looks for."""
    if not sites:
        return ("LYSSNA_SITES är tom: bara demosidan kan läsas upp. Lägg till er webbplats, t.ex. "
                "LYSSNA_SITES=https://www.kommun.se / LYSSNA_SITES is empty: only the demo page can be read. "
                "Add your site's origin, e.g. LYSSNA_SITES=https://www.kommun.se")
    return f"Webbplatser som får läsas upp / Sites that may be read: {', '.join(sites)}"


def _serve(args: argparse.Namespace, config: dict) -> int:
    host = args.host or config["HOST"]
    port = int(args.port or config["PORT"])
    origin = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"
    print(f"Lyssna lyssnar på {origin}/  (demo: {origin}/ , hälsa: {origin}/healthz)", flush=True)
    print(_sites_line(config.get("SITES") or []), flush=True)
    if args.dev:
        from . import create_app

        create_app().run(host=host, port=port, threaded=True)
        return 0
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    if config.get("METRICS"):
        # Every serving process writes its share of the metrics here (prometheus_client's
        # multiprocess mode), so /metrics adds them up whichever process answers the scrape.
        metrics_dir = Path(config["CACHE_DIR"]) / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    connections = int(config["MAX_CONNECTIONS"])
    # One process per core: each has its own GIL, espeak-ng and event loop (measured on 2 cores:
    # two processes serve 1.5x the byte ranges per second and a rush of clicks a quarter faster).
    workers = config_mod.serving_processes(config["HTTP_WORKERS"])
    _allow_open_files(connections * workers + 1024)  # sockets, and files beside them
    # granian (Rust) serves every connection; audio is sent without a thread per listener and the
    # API and pages run on LYSSNA_HTTP_THREADS threads per process (see service/web/asgi.py).
    # A 32 KB connection buffer (granian's default is 408 KB) keeps 1,000 open listeners in about
    # 230 MB instead of 1 GB; measured: no loss of throughput on whole files or ranges.
    Granian("service.web.asgi:create", factory=True, interface=Interfaces.ASGI, address=host, port=port,
            workers=workers, http=HTTPModes.http1, loop=Loops.auto,
            websockets=False, log_access=False, respawn_failed_workers=True,
            http1_settings=HTTP1Settings(max_buffer_size=32 * 1024),
            # granian's default takes at most backlog / workers (1,024 / workers) connections per
            # process and leaves the rest unaccepted: with 1,000 listeners a new visitor's
            # connection waited for TCP's retries (7 s) or never got in.
            backlog=2048, backpressure=connections).serve()
    return 0


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit on open files towards `wanted` (never past the hard
    limit): systemd and shells often start services at 1,024, which a crowd of listeners passes."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _lexicon(args: argparse.Namespace, config: dict) -> int:
    from .store.lexicon import Lexicon

    lexicon = Lexicon(config["LEXICON"])
    if args.action in ("export", "import"):
        return _lexicon_exchange(args, lexicon)
    if args.action == "add":
        try:
            if args.phonemes:  # what espeak-ng would drop is refused here too
                from .reading.engines.espeak_phonemes import phoneme_problem

                problem = phoneme_problem(args.spoken, args.lang)
                if problem is not None:
                    raise ValueError(problem)
            entry = lexicon.add(args.written, args.spoken, lang=args.lang, case_sensitive=args.case_sensitive,
                                kind="phonemes" if args.phonemes else "text", match=args.match)
        except ValueError as e:
            print(f"lyssna: {e}", file=sys.stderr)
            return 2
        print(f"{entry.id}\t{entry.lang}\t{entry.written} → {entry.spoken}")
        return 0
    if args.action == "remove":
        if not lexicon.remove(args.id):
            print(f"lyssna: uppslag {args.id} finns inte / entry {args.id} does not exist", file=sys.stderr)
            return 1
        print(f"borttaget / removed: {args.id}")
        return 0
    entries = lexicon.list(lang=args.lang, query=args.query)
    for e in entries:
        flags = ",".join(f for f, on in (("case", e.case_sensitive), ("phonemes", e.kind == "phonemes"),
                                          (e.match, e.match != "word")) if on)
        print(f"{e.id}\t{e.lang}\t{e.written} → {e.spoken}" + (f"\t[{flags}]" if flags else ""))
    if not entries:
        print("(inga uppslag / no entries)", file=sys.stderr)
    return 0


def _lexicon_exchange(args: argparse.Namespace, lexicon) -> int:
    """Export to a file or standard output; import a file (or standard input) and print the report.
    Exit 0 done, 2 the file or a row in it was refused, 1 the file could not be read or written."""
    from .store import lexicon_exchange as exchange

    try:
        if args.action == "export":
            body, _type, _name = exchange.export(lexicon, args.format, args.lang)
            if args.output in (None, "-"):
                sys.stdout.buffer.write(body)
                sys.stdout.flush()
            else:
                Path(args.output).write_bytes(body)
            return 0
        if args.file == "-":
            data = sys.stdin.buffer.read(exchange.MAX_BYTES + 1)
        else:
            with open(args.file, "rb") as f:
                data = f.read(exchange.MAX_BYTES + 1)
        parsed = exchange.parse(data, args.format, None if args.file == "-" else args.file)
        report = exchange.import_entries(lexicon, parsed, replace=args.replace, dry_run=args.dry_run,
                                         skip_invalid=args.skip_invalid)
    except ValueError as e:
        print(f"lyssna: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"lyssna: {e.strerror or e}: {e.filename or ''}", file=sys.stderr)
        return 1
    for line in report.lines(limit=10**6):
        print(line)
    if report.errors and not report.applied and not report.dry_run:
        print("lyssna: rätta raderna ovan eller använd --skip-invalid / fix the rows above or use "
              "--skip-invalid", file=sys.stderr)
    return 2 if report.errors and not args.skip_invalid else 0


def _worker(args: argparse.Namespace, config: dict) -> int:
    from .work.worker import run_worker

    workers = args.workers or os.cpu_count() or 1
    print(f"Lyssna worker: {workers} process(es), queue "
          f"{'redis' if config.get('REDIS_URL') else config['CACHE_DIR'] + '/jobs.sqlite3'}"
          + (f", refresh every {config['REFRESH_HOURS']:g} h" if config.get("REFRESH_HOURS") else ""), flush=True)
    run_worker(config, workers)
    return 0


def _pregenerate(args: argparse.Namespace, config: dict) -> int:
    from .work.pregenerate import pregenerate

    return pregenerate(sitemap=args.sitemap, urls_file=args.urls, extra_sites=args.site or [],
                       workers=args.workers, enqueue_only=args.enqueue_only, progress=not args.quiet,
                       content=args.content, skip=args.skip, documents=args.documents)


def _refresh(args: argparse.Namespace, config: dict) -> int:
    """One refresh pass now (for cron): conditional GETs, regenerate what changed, purge what is gone."""
    from .reading.services import build_services
    from .work.refresh import run_pass

    services = build_services(config)

    def show(url: str, outcome: str) -> None:
        print(f"  {outcome}: {url}", flush=True)

    summary = run_pass(services, args.url or None, on_page=None if args.quiet else show)
    print(summary.line())
    for url in summary.gone_urls:
        print(f"  borttagen, ljudet rensat / gone, audio purged: {url}")
    for f in summary.failures:
        print(f"  fel / failed: {f['url']}: {f['message']}")
    if summary.skipped:
        print(f"  {summary.skipped} sidor på webbplatser utanför LYSSNA_SITES hoppades över / "
              f"pages on sites outside LYSSNA_SITES were skipped")
    return 1 if summary.failed else 0


def _voices(args: argparse.Namespace, config: dict) -> int:
    """Piper voices: install from LYSSNA_VOICES_URL's catalogue, list, remove (piper_install's docs)."""
    from .errors import LyssnaError
    from .reading.engines import piper_install as installer
    from .reading.engines.piper_voices import installed_lines, installed_voices, remove_voice, voices_dir

    directory = voices_dir(config)
    try:
        if args.action == "list":
            installed = installed_voices(directory)
            if args.available:
                catalogue = installer.fetch_catalogue(config["VOICES_URL"])
                lines = installer.available_lines(catalogue, {v.key for v in installed}, args.lang)
            else:
                lines = installed_lines(installed, config.get("PIPER_VOICE"))
            print("\n".join(lines) if lines else "(inga röster / no voices)")
            return 0
        if args.action == "remove":
            removed = remove_voice(directory, args.name)
            print(f"borttagen / removed: {removed.key}")
            return 0
        installer.require_piper()
        catalogue = installer.fetch_catalogue(config["VOICES_URL"])
        progress = installer.ProgressLine(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
        for key in args.names:
            voice = installer.find_voice(catalogue, key)
            try:
                result = installer.install_voice(voice, directory, config["VOICES_URL"], progress=progress)
            finally:
                if progress:
                    progress.end()
            said = "redan installerad / already installed" if result.already else "installerad / installed"
            print(f"{said}: {voice.key} → {result.voice.model.parent}")
        return 0
    except LyssnaError as e:
        print(f"lyssna: {e.message}", file=sys.stderr)
        return 1


def _engine_voices(config: dict):
    """Each engine's voices for the configuration check, or None when it cannot start here."""
    def voices_of(name: str) -> list[str] | None:
        from .reading.engines import get_engine
        from .reading.engines.base import EngineUnavailable

        try:
            return list(get_engine(name, config).voices())
        except EngineUnavailable:
            return None
    return voices_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lyssna", description="Lyssna på sidan – self-hosted read-aloud")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the service (granian)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--dev", action="store_true", help="Flask's development server instead of granian")
    lex = sub.add_parser("lexicon", help="pronunciation lexicon: add, list, remove, export, import")
    lex_sub = lex.add_subparsers(dest="action", required=True)
    add = lex_sub.add_parser("add", help="add or replace an entry")
    add.add_argument("written", help="the word as written on pages, e.g. Nyköping")
    add.add_argument("spoken", help="how to say it, e.g. Nyschöping (or espeak phonemes with --phonemes)")
    add.add_argument("--lang", default="sv")
    add.add_argument("--case-sensitive", action="store_true")
    add.add_argument("--phonemes", action="store_true", help="spoken is an espeak phoneme string")
    add.add_argument("--match", choices=("word", "forms", "compounds"), default="word",
                     help="also inflected forms (Nyköpings), or forms and compounds (nyköpingsbor)")
    lst = lex_sub.add_parser("list", help="list entries")
    lst.add_argument("--lang")
    lst.add_argument("--query", "-q")
    rm = lex_sub.add_parser("remove", help="remove an entry by id")
    rm.add_argument("id", type=int)
    exp = lex_sub.add_parser("export", help="write the lexicon as W3C PLS (one language) or CSV")
    exp.add_argument("--format", choices=("pls", "csv"), default="pls")
    exp.add_argument("--lang", help="language (PLS: default sv; CSV: default all)")
    exp.add_argument("-o", "--output", help="file to write (default: standard output)")
    imp = lex_sub.add_parser("import", help="merge a PLS or CSV file into the lexicon")
    imp.add_argument("file", help="the file ('-' for standard input)")
    imp.add_argument("--format", choices=("pls", "csv"), help="default: from the extension or the content")
    imp.add_argument("--replace", action="store_true",
                     help="also remove entries of the file's languages that the file does not have")
    imp.add_argument("--dry-run", action="store_true", help="only report what would change")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows even if some are not")
    worker = sub.add_parser("worker", help="run queued jobs (pre-generation) with worker processes")
    worker.add_argument("--workers", type=int, help="processes (default: one per core)")
    pre = sub.add_parser("pregenerate", help="make the audio of a whole site ahead of time")
    src = pre.add_mutually_exclusive_group(required=True)
    src.add_argument("--sitemap", help="sitemap or sitemap index URL (.xml, .xml.gz or text)")
    src.add_argument("--urls", help="file with one page URL per line ('-' for standard input)")
    pre.add_argument("--site", action="append", help="also allow this origin (added to LYSSNA_SITES)")
    pre.add_argument("--content", help="CSS selector of the area to read, as the player's data-content")
    pre.add_argument("--skip", help="CSS selector of parts to leave out, as the player's data-skip")
    pre.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    pre.add_argument("--enqueue-only", action="store_true",
                     help="only queue the pages; separate 'lyssna worker' processes make them")
    pre.add_argument("--documents", action="store_true",
                     help="also the PDF documents the pages link to on the same site")
    pre.add_argument("--quiet", action="store_true", help="no progress bar")
    ref = sub.add_parser("refresh", help="re-check every known page now and regenerate what changed")
    ref.add_argument("--url", action="append", help="only this page (repeatable)")
    ref.add_argument("--quiet", action="store_true", help="only the summary")
    voices = sub.add_parser("voices", help="Piper voices: install, list, remove")
    voices_sub = voices.add_subparsers(dest="action", required=True)
    inst = voices_sub.add_parser("install", help="download, verify and install voices from LYSSNA_VOICES_URL")
    inst.add_argument("names", nargs="+", metavar="NAME", help="catalogue key, e.g. sv_SE-nst-medium")
    inst.add_argument("--quiet", action="store_true", help="no progress line")
    vlist = voices_sub.add_parser("list", help="installed voices (or the catalogue's, with --available)")
    vlist.add_argument("--available", action="store_true", help="the voices in the catalogue")
    vlist.add_argument("--lang", help="only this language, e.g. sv or sv_SE (with --available)")
    vrm = voices_sub.add_parser("remove", help="delete an installed voice")
    vrm.add_argument("name")
    args = parser.parse_args(argv)
    try:
        config = config_mod.load_config()
        if args.command in ("serve", "worker", "pregenerate", "refresh"):
            # Everything is checked before anything starts: a bad value used to surface only after
            # `serve` said it was listening, or in a serving process's traceback.
            from .reading.sites import parse_sites

            config_mod.check_ready(config, _engine_voices(config), lambda entry: parse_sites([entry]))
    except config_mod.ConfigError as e:
        print(f"lyssna: {e}", file=sys.stderr)
        return 2
    commands = {"serve": _serve, "lexicon": _lexicon, "worker": _worker, "pregenerate": _pregenerate,
                "refresh": _refresh, "voices": _voices}
    return commands[args.command](args, config)


if __name__ == "__main__":
    sys.exit(main())
