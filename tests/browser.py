"""Find and launch a real Chromium for the widget tests, without downloading anything.

The machine and CI have no internet, so the browser must already be installed: a path in
`LYSSNA_CHROMIUM`, a Chromium/Chrome on PATH, or one Playwright downloaded earlier. When none is
there the tests skip on a developer machine and fail in CI (DESIGN.md §4).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import in_ci

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# On this closed network Chromium must not try to phone home, and as root it needs --no-sandbox.
# The resolver rule makes every host except loopback unresolvable, so a fixture page's
# third-party <script src="//…"> fails at once instead of sending DNS queries out.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _playwright_chromium() -> str | None:
    """The Chromium Playwright installed itself (`playwright install chromium`), if any."""
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-*/headless_shell")
    for pattern in patterns:
        found = sorted(root.glob(pattern), reverse=True)
        if found:
            return str(found[0])
    return None


def find_chromium() -> str | None:
    """Path of a usable Chromium executable, or None."""
    configured = os.environ.get("LYSSNA_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return _playwright_chromium()


def require_chromium() -> str:
    """The Chromium path, or skip the test (fail in CI) with a message saying how to get one."""
    path = find_chromium()
    if path:
        return path
    message = (
        "No Chromium found for the widget browser tests: set LYSSNA_CHROMIUM, install Debian's "
        "'chromium' package, or run 'playwright install chromium'."
    )
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def launch(playwright, **kwargs):
    """Launch headless Chromium (Playwright gives it a fresh temporary profile)."""
    return playwright.chromium.launch(
        executable_path=require_chromium(), headless=True, args=LAUNCH_ARGS, **kwargs
    )
