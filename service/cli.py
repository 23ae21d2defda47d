"""`lyssna` command line: serve (gunicorn), dev (Flask's server), cache check."""
from __future__ import annotations

import argparse
import os
import sys


def _serve(args: argparse.Namespace) -> int:
    from . import config as config_mod

    host = args.host or os.environ.get("LYSSNA_HOST", config_mod.DEFAULTS["HOST"])
    port = int(args.port or os.environ.get("LYSSNA_PORT", config_mod.DEFAULTS["PORT"]))
    origin = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"
    print(f"Lyssna lyssnar på {origin}/  (demo: {origin}/ , hälsa: {origin}/healthz)", flush=True)
    if args.dev:
        from . import create_app

        create_app().run(host=host, port=port, threaded=True)
        return 0
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            # One process keeps one espeak-ng instance; threads serve streams while audio is made.
            self.cfg.set("workers", int(os.environ.get("LYSSNA_HTTP_WORKERS", "1")))
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", int(os.environ.get("LYSSNA_HTTP_THREADS", "16")))
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")

        def load(self):
            from . import create_app

            return create_app()

    _App().run()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lyssna", description="Lyssna på sidan – self-hosted read-aloud")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the service (gunicorn)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
