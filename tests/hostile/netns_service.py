"""The real app inside the SSRF test's service namespace, listening on a Unix socket (so the test,
outside the namespace, can talk to it while the namespace itself has no route out).

    python -m tests.hostile.netns_service SOCKET CONFIG_JSON
"""
from __future__ import annotations

import json
import sys

from werkzeug.serving import make_server

from service import create_app


def main() -> None:
    socket_path, config_path = sys.argv[1], sys.argv[2]
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    server = make_server(f"unix://{socket_path}", 0, create_app(config), threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
