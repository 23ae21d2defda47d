#!/usr/bin/env python3
"""Fresh-machine entry point, standard library only.

    python3 dev.py serve   # installs what is missing into .venv, starts Lyssna on http://127.0.0.1:8000/
    python3 dev.py test    # installs what is missing (test extras, a browser), runs the test suite

Extra arguments after `test` go to pytest; after `serve` to `lyssna serve`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LYSSNA_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def say(msg: str) -> None:
    print(f"[lyssna] {msg}", flush=True)


def ensure_venv(extras: str) -> None:
    """Create .venv and (re)install the project when pyproject.toml or the extras changed."""
    if sys.version_info < (3, 11):
        sys.exit("Lyssna needs Python 3.11 or newer / Lyssna kräver Python 3.11 eller nyare.")
    if not PY.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".lyssna-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    have = stamp.read_text().split() if stamp.exists() else []
    if want in have:
        return
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    say(f"installing {'lyssna[' + extras + ']' if extras else 'lyssna'} (first run only)")
    subprocess.check_call([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--editable", target])
    stamp.write_text(" ".join([*have, want]))


def system_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_browser() -> None:
    """Browser tests need Chromium: the system's when there is one, else Playwright's own download."""
    if os.environ.get("LYSSNA_CHROMIUM") or system_chromium():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        say("no Chromium found; in CI the browser tests will fail (install Debian's 'chromium')")
        return
    say("no system Chromium found; downloading Playwright's Chromium (once)")
    rc = subprocess.call([str(PY), "-m", "playwright", "install", "chromium"])
    if rc != 0:
        say("could not download Chromium; browser tests will be skipped")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test"):
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if cmd == "serve":
        ensure_venv("")
        lyssna = BIN / ("lyssna.exe" if os.name == "nt" else "lyssna")
        os.execv(str(lyssna), [str(lyssna), "serve", *rest])
    ensure_venv("test")
    ensure_browser()
    os.execv(str(PY), [str(PY), "-m", "pytest", *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
