"""Two network namespaces of the test's own making, so an SSRF test cannot reach anything real.

    service namespace "lyssna-<pid>-<token>-s"        hosts namespace "lyssna-<pid>-<token>-h"
      lo (127.0.0.1, ::1): loopback decoys + sniffer     every address is local (ip rule iif → table
      lys<token>s 192.0.2.2/24, fd53::2/64  ──veth──     with `local 0.0.0.0/0`, `local ::/0`):
      default routes via 192.0.2.1 / fd53::1             lys<token>h 192.0.2.1/24, fd53::1/64
      /etc/hosts, resolv.conf (192.0.2.1),              DNS on 192.0.2.1:53, the public site on its
      nsswitch.conf, host.conf: /etc/netns/<name>/       global address, decoys on all others, sniffer
      the service on a Unix socket in a temp dir

The hosts namespace has no link anywhere else, so nothing sent from the service's namespace can
leave the machine. `ip netns exec` bind-mounts /etc/netns/<name>/* over /etc, so name resolution
inside is the test's own. Namespaces are named with the pid of the pytest process that made them:
ones left behind by a run that was killed are removed by the next run, and every process started
inside is sent SIGTERM when that pytest process dies (PR_SET_PDEATHSIG), so nothing lingers.
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ETC_NETNS = Path("/etc/netns")
SERVICE_ADDRESSES = ("192.0.2.2/24", "fd53::2/64")
HOSTS_ADDRESSES = ("192.0.2.1/24", "fd53::1/64")
RESOLVER = "192.0.2.1"
_NAME = re.compile(r"^lyssna-(\d+)-[0-9a-f]{6}-[sh]$")


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if not sys.platform.startswith("linux"):
        return "network namespaces need Linux"
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is not installed"
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    probe = f"lyssna-{os.getpid()}-{secrets.token_hex(3)}-s"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child may only call it


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the pytest process that started it dies."""
    _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def sweep_leftovers() -> None:
    """Remove namespaces (and their /etc/netns files) of earlier runs whose pytest process is gone."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        name = line.split()[0] if line.split() else ""
        found = _NAME.match(name)
        if found and not Path(f"/proc/{found.group(1)}").exists():
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            shutil.rmtree(ETC_NETNS / name, ignore_errors=True)


class Namespaces:
    """The two namespaces and the processes started in them; `close()` undoes everything."""

    def __init__(self, etc: dict[str, str]):
        token = secrets.token_hex(3)
        self.service = f"lyssna-{os.getpid()}-{token}-s"
        self.hosts = f"lyssna-{os.getpid()}-{token}-h"
        self.service_link, self.hosts_link = f"lys{token}s", f"lys{token}h"
        self.etc = etc  # file name -> contents for the service namespace's /etc
        self.processes: list[subprocess.Popen] = []

    def open(self) -> None:
        sweep_leftovers()
        s, h = self.service, self.hosts
        etc = ETC_NETNS / s
        etc.mkdir(parents=True)
        for name, text in self.etc.items():
            (etc / name).write_text(text, encoding="utf-8")
        _ip("netns", "add", s)
        _ip("netns", "add", h)
        _ip("link", "add", self.service_link, "type", "veth", "peer", "name", self.hosts_link)
        _ip("link", "set", self.service_link, "netns", s)
        _ip("link", "set", self.hosts_link, "netns", h)
        for ns, link, addresses in ((s, self.service_link, SERVICE_ADDRESSES), (h, self.hosts_link, HOSTS_ADDRESSES)):
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", addresses[0], "dev", link)
            _ip("-n", ns, "-6", "addr", "add", addresses[1], "dev", link, "nodad")
            _ip("-n", ns, "link", "set", link, "up")
        _ip("-n", s, "route", "add", "default", "via", HOSTS_ADDRESSES[0].split("/")[0])
        _ip("-n", s, "-6", "route", "add", "default", "via", HOSTS_ADDRESSES[1].split("/")[0], "dev",
            self.service_link)
        # Every address is local in the hosts namespace, for packets arriving from the service.
        _ip("-n", h, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100")
        _ip("-n", h, "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100")
        _ip("-n", h, "rule", "add", "iif", self.hosts_link, "lookup", "100", "pref", "10")
        _ip("-n", h, "-6", "rule", "add", "iif", self.hosts_link, "lookup", "100", "pref", "10")

    def start(self, namespace: str, argv: list[str], log: Path) -> subprocess.Popen:
        """Start `argv` inside `namespace` (with this repository importable); output goes to `log`."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env = {k: v for k, v in env.items() if not k.startswith("LYSSNA_")}
        out = open(log, "ab")
        process = subprocess.Popen(["ip", "netns", "exec", namespace, *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=out, preexec_fn=_die_with_parent)
        self.processes.append(process)
        return process

    def run(self, namespace: str, argv: list[str], timeout: float = 30) -> str:
        done = subprocess.run(["ip", "netns", "exec", namespace, *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(f"{argv} in {namespace}: {done.stderr[-2000:]}")
        return done.stdout

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            if process.stdout:
                process.stdout.close()
        for ns in (self.service, self.hosts):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(ETC_NETNS / self.service, ignore_errors=True)
        try:
            ETC_NETNS.rmdir()  # only when no other run uses it
        except OSError:
            pass


def wait_ready(process: subprocess.Popen, what: str, log: Path, timeout: float = 60) -> None:
    """Wait for the process to print "ready" (it does once it listens)."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout) or process.stdout.readline().strip() != b"ready":
        raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-3000:]}")


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
