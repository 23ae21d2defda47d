"""Real server processes for tests and benchmarks: `lyssna serve` and Debian's nginx, on loopback.

`ServiceProcess` is `python -m service.cli serve` as an operator starts it (stoppable and
restartable on the same port and cache). `Nginx` runs the nginx binary in the foreground with a
configuration of its own under a temporary directory (pid, logs and temp files there, so no root
paths are needed); `front_config()` is the shipped reference front (deploy/nginx/lyssna.conf)
with its three EDIT lines pointed at a test's service, port and cache.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import in_ci

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_FRONT = ROOT / "deploy" / "nginx" / "lyssna.conf"
NGINX_PATHS = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    """Until something accepts connections on 127.0.0.1:`port` (or `proc` died)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{what} did not start (exit code {proc.poll()})") from None
            time.sleep(0.05)


def stop_process(proc: subprocess.Popen | None, timeout: float = 15.0) -> None:
    """SIGTERM (the way an operator stops it), then SIGKILL if it does not end in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ServiceProcess:
    """`python -m service.cli serve` on `port` with `env` (LYSSNA_* settings) added to ours."""

    def __init__(self, port: int, env: dict[str, str], cwd: Path, log: Path | None = None) -> None:
        self.port, self.cwd, self.log_path = port, cwd, log
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "LYSSNA_PORT": str(port), **env}
        self.proc: subprocess.Popen | None = None
        self.origin = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        with open(self.log_path or os.devnull, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=self.cwd,
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.origin + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
                raise AssertionError(f"the service did not start (exit code {self.proc.poll()}): {log}")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def find_nginx() -> str | None:
    """Debian's nginx binary (it lives in /usr/sbin, often not on a user's PATH), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path=os.pathsep.join(NGINX_PATHS))


def require_nginx() -> str:
    """The nginx path, or skip the test (fail in CI) with a message saying how to get one."""
    path = find_nginx()
    if path:
        return path
    message = "No nginx found for the front tests: install Debian's 'nginx' package (.ci/run does)."
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def front_config(*, upstream: str, listen: str, cache_dir: Path) -> str:
    """The reference front with its EDIT lines set: the service's address, nginx's own, the cache."""
    text = REFERENCE_FRONT.read_text(encoding="utf-8")
    edits = {
        "server 127.0.0.1:8000;": f"server {upstream};",
        "listen 80;": f"listen {listen};",
        "root /var/lib/lyssna/audio_cache/by-reading;": f"root {cache_dir}/by-reading;",
    }
    for old, new in edits.items():
        assert text.count(old) == 1, f"{REFERENCE_FRONT.name} no longer has exactly one {old!r}"
        text = text.replace(old, new)
    return text


def static_config(*, listen: str, root: Path) -> str:
    """nginx alone serving the files under `root` (the benchmarks' baseline): its minimal setup."""
    return (f"server {{\n    listen {listen};\n    root {root};\n    sendfile on;\n    tcp_nopush on;\n"
            f"    types {{ audio/mpeg mp3; }}\n    location / {{ }}\n}}\n")


def unprivileged_user() -> str | None:
    """The user nginx's workers should run as when we are root (as Debian runs them), or None
    to keep ours: nginx ignores `user` unless started as root."""
    if os.geteuid() != 0:
        return None
    for name, group in (("www-data", "www-data"), ("nobody", "nogroup")):
        try:
            pwd.getpwnam(name)
            return f"{name} {group}"
        except KeyError:
            continue
    return None


def readable_by_others(path: Path) -> bool:
    """Whether every directory from / to `path` lets other users through (o+x)."""
    path = path.resolve()
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents])


def front_directory(prefix: str) -> tuple[Path, str | None]:
    """A new temporary directory for nginx and the cache it serves, and the user nginx's workers
    should run as: Debian's www-data when we are root and it can reach the directory, else ours."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    return base, unprivileged_user() if readable_by_others(base) else None


class Nginx:
    """nginx in the foreground with `server_conf` (one or more server blocks) inside `http { }`."""

    def __init__(self, directory: Path, server_conf: str, port: int, *, workers: int = 1,
                 user: str | None = None, access_log: bool = True) -> None:
        self.dir, self.port = directory, port
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "temp").mkdir(exist_ok=True)
        (self.dir / "server.conf").write_text(server_conf, encoding="utf-8")
        temp = "\n".join(f"    {kind}_temp_path {self.dir / 'temp' / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        log = f"access_log {self.dir / 'access.log'};" if access_log else "access_log off;"
        (self.dir / "nginx.conf").write_text(
            (f"user {user};\n" if user else "")
            + f"worker_processes {workers};\nevents {{\n    worker_connections 4096;\n}}\n"
            f"http {{\n    {log}\n{temp}\n    include {self.dir / 'server.conf'};\n}}\n",
            encoding="utf-8")
        self.error_log = self.dir / "error.log"
        self.proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [require_nginx(), "-p", str(self.dir), "-e", str(self.error_log),
                "-c", str(self.dir / "nginx.conf"), *extra]

    def start(self) -> Nginx:
        check = subprocess.run(self.command("-t", "-g", f"pid {self.dir / 'nginx.pid'};"),
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(self.command("-g", f"daemon off; pid {self.dir / 'nginx.pid'};"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc, "nginx", timeout=15)
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def errors(self) -> str:
        """What nginx logged at [error] or worse."""
        try:
            lines = self.error_log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return ""
        return "\n".join(line for line in lines
                         if any(f"[{level}]" in line for level in ("error", "crit", "alert", "emerg")))
