"""Ask for one page from a process of its own, on a cache directory shared with a test's app
(tests/test_single_flight.py): `python -m tests.flight_runner CACHE_DIR SITE_ORIGIN URL`.

Prints the reading's id and source, or the error's code and status, as one line of JSON. The memo
is off, so only a run under way in another process can spare this one's fetch."""
from __future__ import annotations

import json
import sys

from service.config import load_config
from service.errors import LyssnaError
from service.reading.create import create_reading
from service.reading.services import build_services


def main(cache_dir: str, origin: str, url: str) -> None:
    services = build_services(load_config({"CACHE_DIR": cache_dir, "SITES": [origin], "PAGE_MEMO_S": 0}))
    try:
        reading = create_reading(services, {"url": url})
        out = {"id": reading["id"], "source": reading["source"]}
    except LyssnaError as e:
        out = {"error": e.code, "status": e.status}
    print(json.dumps(out), flush=True)
    if "id" in out:  # finish the audio: a process that exits stops making it
        services.readings.synthesizer.wait(services.readings.audio_key(out["id"]) or "", timeout=120)


if __name__ == "__main__":
    main(*sys.argv[1:4])
