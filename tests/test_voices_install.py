"""`lyssna voices install/list/remove` against a real catalogue server on loopback, with the stand-in
Piper voice: downloads verified, resumed and put in place atomically; every failure leaves nothing
installed; an installed voice is picked up by LYSSNA_ENGINE=piper with no path set, per language.

The server publishes Piper's catalogue format (voices.json: key → language, quality, files with
size and md5) and serves the files with HTTP Range; switches make it cut a file off, ignore Range,
answer 404, or send other bytes than the catalogue describes.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from service.reading.engines.piper_install import (
    VoiceInstallError,
    fetch_catalogue,
    find_voice,
    install_voice,
)
from service.reading.engines.piper_voices import installed_voices, voices_dir

from .fakes import make_piper_voice
from .helpers import decode_mp3, wait_ready

ROOT = Path(__file__).resolve().parents[1]
SV = "sv_SE-standin-x_low"
FI = "fi_FI-standin-x_low"


def _files(key: str, lang: str, tone_hz: float, tmp: Path) -> dict[str, bytes]:
    family, _, _ = lang.partition("_")
    base = f"{family}/{lang}/standin/x_low/{key}"
    model = make_piper_voice(tmp / key, key, lang=lang, tone_hz=tone_hz)
    return {f"{base}.onnx": model.read_bytes(),
            f"{base}.onnx.json": model.with_name(model.name + ".json").read_bytes(),
            f"{family}/{lang}/standin/x_low/MODEL_CARD": f"# {key}\nA stand-in for tests.\n".encode()}


def _entry(key: str, lang: str, files: dict[str, bytes]) -> dict:
    family, _, region = lang.partition("_")
    return {"key": key, "name": "standin", "quality": "x_low", "num_speakers": 1, "speaker_id_map": {},
            "language": {"code": lang, "family": family, "region": region, "name_native": family,
                         "name_english": family, "country_english": region},
            "files": {path: {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
                      for path, data in files.items()},
            "aliases": []}


@dataclass
class Repo:
    """What the server publishes, how it misbehaves, and what it was asked."""

    files: dict[str, bytes]  # path → bytes served
    catalogue: dict  # voices.json
    truncate: dict[str, int] = field(default_factory=dict)  # path → bytes sent before hanging up
    served: dict[str, bytes] = field(default_factory=dict)  # path → other bytes than the catalogue's
    ignore_range: bool = False
    missing: set[str] = field(default_factory=set)  # 404
    catalogue_body: bytes | None = None  # instead of voices.json
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)

    def path_of(self, key: str, suffix: str) -> str:
        return next(p for p in self.catalogue[key]["files"] if p.endswith(suffix))


def _handler(repo: Repo):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - stdlib signature
            pass

        def do_GET(self):  # noqa: N802 - stdlib name
            path = self.path.lstrip("/")
            repo.requests.append((path, self.headers.get("Range")))
            if path == "voices.json":
                body = repo.catalogue_body if repo.catalogue_body is not None else json.dumps(repo.catalogue).encode()
                return self._send(200, body, {"Content-Type": "application/json"})
            if path in repo.missing or path not in repo.files:
                return self._send(404, b"not found", {})
            data = repo.served.get(path, repo.files[path])
            start = 0
            wanted = self.headers.get("Range")
            if wanted and not repo.ignore_range:
                start = int(wanted.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    return self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                headers = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
                status = 206
            else:
                headers, status = {}, 200
            body = data[start:]
            cut = repo.truncate.get(path)
            self._send(status, body, headers, cut=None if cut is None else max(0, cut - start))

        def _send(self, status: int, body: bytes, headers: dict[str, str], cut: int | None = None):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])  # then the connection closes (HTTP/1.0)
            self.wfile.flush()

    return Handler


@pytest.fixture(scope="module")
def voice_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standins")
    return {SV: _files(SV, "sv_SE", 220.0, tmp), FI: _files(FI, "fi_FI", 330.0, tmp)}


@pytest.fixture
def repo(voice_files):
    files = {p: d for f in voice_files.values() for p, d in f.items()}
    catalogue = {SV: _entry(SV, "sv_SE", voice_files[SV]), FI: _entry(FI, "fi_FI", voice_files[FI])}
    repo = Repo(files=files, catalogue=catalogue)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(repo))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    repo.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield repo
    server.shutdown()
    server.server_close()


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def lyssna(cache: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    """The real command line, as an operator runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LYSSNA_CACHE_DIR": str(cache), "LYSSNA_VOICES_URL": url}
    env.pop("LYSSNA_PIPER_VOICE", None)
    return subprocess.run([sys.executable, "-m", "service.cli", "voices", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def install(repo: Repo, cache: Path, key: str = SV):
    """The installer in-process: catalogue, then download, verify, load and rename into place."""
    voice = find_voice(fetch_catalogue(repo.url, timeout=5), key)  # type: ignore[attr-defined]
    return install_voice(voice, voices_dir(cache_dir=cache), repo.url, timeout=5)  # type: ignore[attr-defined]


def nothing_installed(cache: Path) -> None:
    directory = voices_dir(cache_dir=cache)
    assert installed_voices(directory) == []
    visible = [p.name for p in directory.iterdir() if not p.name.startswith(".")] if directory.exists() else []
    assert visible == []  # not even a directory by the voice's name
    assert not list(directory.glob(".incoming-*")) if directory.exists() else True


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


# -- the command line ------------------------------------------------------------------------------


def test_install_list_and_remove_through_the_command_line(repo, cache):
    done = lyssna(cache, repo.url, "install", SV)
    assert done.returncode == 0, done.stderr
    assert f"installerad / installed: {SV}" in done.stdout
    home = cache / "voices" / SV
    assert sorted(p.name for p in home.iterdir()) == ["MODEL_CARD", f"{SV}.onnx", f"{SV}.onnx.json"]
    for path, meta in repo.catalogue[SV]["files"].items():
        local = home / (path.rsplit("/", 1)[-1])
        assert local.stat().st_size == meta["size_bytes"] and md5(local) == meta["md5_digest"]
    assert not (cache / "voices" / ".downloads" / SV).exists()  # the parts went into the voice

    listed = lyssna(cache, repo.url, "list")
    assert listed.returncode == 0
    assert listed.stdout.split("\n")[0].split("\t")[:3] == [SV, "sv_SE", "x_low"]
    assert "standard / default" in listed.stdout and "MB" in listed.stdout

    again = lyssna(cache, repo.url, "install", SV)
    assert again.returncode == 0 and "redan installerad / already installed" in again.stdout
    assert [p for p, _ in repo.requests if p.endswith(".onnx")] == [repo.path_of(SV, ".onnx")]  # not fetched twice

    available = lyssna(cache, repo.url, "list", "--available", "--lang", "sv")
    assert available.returncode == 0
    assert SV in available.stdout and "installerad / installed" in available.stdout and FI not in available.stdout
    assert FI in lyssna(cache, repo.url, "list", "--available").stdout

    removed = lyssna(cache, repo.url, "remove", SV)
    assert removed.returncode == 0 and SV in removed.stdout
    assert not home.exists()
    assert "(inga röster / no voices)" in lyssna(cache, repo.url, "list").stdout
    twice = lyssna(cache, repo.url, "remove", SV)
    assert twice.returncode != 0
    assert f"Rösten {SV} är inte installerad. / The voice {SV} is not installed." in twice.stderr


def test_an_unknown_voice_is_refused_with_a_suggestion(repo, cache):
    result = lyssna(cache, repo.url, "install", "sv_SE-standin-xlow")
    assert result.returncode != 0
    assert "Rösten sv_SE-standin-xlow finns inte i katalogen." in result.stderr
    assert "The voice sv_SE-standin-xlow is not in the catalogue." in result.stderr
    assert f"Did you mean {SV}" in result.stderr
    nothing_installed(cache)
    assert [p for p, _ in repo.requests] == ["voices.json"]


def test_an_unreachable_catalogue_is_a_clear_error(cache):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = lyssna(cache, url, "install", SV)
    assert result.returncode != 0
    assert f"Röstkatalogen {url}/voices.json kunde inte hämtas" in result.stderr
    assert "The voice catalogue" in result.stderr
    nothing_installed(cache)


def test_a_catalogue_that_is_not_json_is_a_clear_error(repo, cache):
    repo.catalogue_body = b"<html>Moved</html>"
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "catalogue_invalid" and "voices.json" in info.value.message


def test_only_http_and_https(cache):
    result = lyssna(cache, "file:///etc", "install", SV)
    assert result.returncode != 0 and "LYSSNA_VOICES_URL" in result.stderr


# -- downloads that go wrong -----------------------------------------------------------------------


def test_a_cut_off_download_installs_nothing_and_the_next_install_resumes(repo, cache):
    model = repo.path_of(SV, ".onnx")
    half = len(repo.files[model]) // 2
    repo.truncate[model] = half
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "truncated" and "run the command again to resume" in info.value.message
    nothing_installed(cache)
    part = cache / "voices" / ".downloads" / SV / f"{SV}.onnx.part"
    assert part.stat().st_size == half  # kept, to resume from

    repo.truncate.clear()
    result = install(repo, cache)
    assert not result.already and result.voice.key == SV
    assert (model, f"bytes={half}-") in repo.requests  # only the rest was asked for
    assert md5(result.voice.model) == repo.catalogue[SV]["files"][model]["md5_digest"]
    assert not part.exists()


def test_a_server_that_ignores_range_is_read_from_the_start(repo, cache):
    model = repo.path_of(SV, ".onnx")
    repo.truncate[model] = 100
    with pytest.raises(VoiceInstallError):
        install(repo, cache)
    repo.truncate.clear()
    repo.ignore_range = True
    result = install(repo, cache)
    assert (model, "bytes=100-") in repo.requests  # asked, answered with the whole file (200)
    assert md5(result.voice.model) == repo.catalogue[SV]["files"][model]["md5_digest"]


def test_wrong_bytes_are_refused_and_not_kept(repo, cache):
    model = repo.path_of(SV, ".onnx")
    good = repo.files[model]
    repo.served[model] = good[:-1] + bytes([good[-1] ^ 0xFF])  # same size, one byte different
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "wrong_digest"
    assert "Rösten" not in info.value.message and "md5" in info.value.message
    nothing_installed(cache)
    assert not (cache / "voices" / ".downloads" / SV / f"{SV}.onnx.part").exists()  # not resumed from later
    repo.served.clear()
    assert md5(install(repo, cache).voice.model) == hashlib.md5(good).hexdigest()


@pytest.mark.parametrize("change", [b"extra", None])
def test_a_file_of_the_wrong_size_is_refused(repo, cache, change):
    config = repo.path_of(SV, ".onnx.json")
    good = repo.files[config]
    repo.served[config] = good + change if change else good[:-10]
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "wrong_size" and str(len(good)) in info.value.message
    nothing_installed(cache)


def test_a_missing_file_is_refused(repo, cache):
    repo.missing.add(repo.path_of(SV, "MODEL_CARD"))
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "download_failed" and "HTTP 404" in info.value.message
    nothing_installed(cache)


def test_a_model_that_does_not_load_is_not_installed_even_with_the_right_digest(repo, cache):
    model = repo.path_of(SV, ".onnx")
    corrupt = b"\x08\x07not an onnx model" * 64
    repo.files[model] = corrupt  # and the catalogue describes exactly these bytes
    repo.catalogue[SV]["files"][model] = {"size_bytes": len(corrupt), "md5_digest": hashlib.md5(corrupt).hexdigest()}
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "corrupt_voice"
    assert info.value.message.startswith(f"Rösten {SV} går inte att ladda")
    nothing_installed(cache)


def test_a_config_without_what_piper_needs_is_not_installed(repo, cache):
    config = repo.path_of(SV, ".onnx.json")
    bad = json.dumps({"audio": {"sample_rate": 22050}}).encode()
    repo.files[config] = bad
    repo.catalogue[SV]["files"][config] = {"size_bytes": len(bad), "md5_digest": hashlib.md5(bad).hexdigest()}
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "corrupt_voice"
    nothing_installed(cache)


def test_a_new_release_in_the_catalogue_replaces_the_installed_voice(repo, cache, tmp_path):
    first = install(repo, cache).voice
    model = repo.path_of(SV, ".onnx")
    newer = make_piper_voice(tmp_path / "newer", SV, tone_hz=240.0).read_bytes()
    repo.files[model] = newer
    repo.catalogue[SV]["files"][model] = {"size_bytes": len(newer), "md5_digest": hashlib.md5(newer).hexdigest()}
    result = install(repo, cache)
    assert not result.already and result.voice.model == first.model
    assert first.model.read_bytes() == newer
    assert [p.name for p in (cache / "voices").iterdir()] in ([SV, ".downloads"], [".downloads", SV])


# -- the engine picks installed voices up ----------------------------------------------------------


def peak_hz(samples, rate: int) -> float:
    data = np.asarray(samples, dtype=np.float64)
    spectrum = np.abs(np.fft.rfft(data * np.hanning(len(data))))
    return float(np.fft.rfftfreq(len(data), 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


class TestInstalledVoicesSpeak:
    @pytest.fixture
    def app_config(self, app_config, repo, monkeypatch):
        monkeypatch.delenv("LYSSNA_PIPER_VOICE", raising=False)
        cache = Path(app_config["CACHE_DIR"])
        install(repo, cache, SV)
        install(repo, cache, FI)
        return {**app_config, "ENGINE": "piper"}  # and no PIPER_VOICE

    def test_voices_and_health_list_the_installed_voices(self, client):
        voices = client.get("/api/v1/voices").get_json()["voices"]
        assert voices[0] == {"id": "piper:sv", "engine": "piper", "voice": "sv", "default": True,
                             "online": False, "model": SV}
        assert {"id": "piper:fi", "engine": "piper", "voice": "fi", "default": False, "online": False,
                "model": FI} in voices
        health = client.get("/healthz").get_json()
        assert health["status"] == "ok"
        piper = health["engines"]["piper"]
        assert piper["state"] == "ok" and piper["voices"] == ["sv", "fi"]
        assert piper["models"] == {"sv": SV, "fi": FI}
        assert SV in piper["version"] and FI in piper["version"]
        assert {"piper:sv", "piper:fi"} <= set(health["voices"])

    def test_each_language_is_read_by_its_installed_voice(self, client, page_site):
        url = page_site.put("sprak.html", """<!doctype html><html lang="sv"><head><title>Språk</title></head>
<body><main><h1>Öppettider</h1><p>Kommunen har öppet måndag till fredag, klockan åtta till fem.</p>
<p lang="fi">Kunta on avoinna maanantaista perjantaihin, kello kahdeksasta viiteen.</p></main></body></html>""")
        r = client.post("/api/v1/readings", json={"url": url})
        assert r.status_code == 202, r.get_json()
        reading = wait_ready(client, r.get_json()["id"])
        assert reading["status"] == "ready" and reading["voice"] == "piper:sv" and "fallback" not in reading
        assert {b["lang"]: b["voice"] for b in reading["blocks"]} == {"sv": "piper:sv", "fi": "piper:fi"}
        samples, rate, _ = decode_mp3(client.get(reading["audio_url"]).data)
        heard = {}
        for block in reading["blocks"]:
            s = block["sentences"][-1]
            heard[block["lang"]] = peak_hz(samples[int(s["start_ms"] * rate / 1000): int(s["end_ms"] * rate / 1000)], rate)
        # The stand-ins: the Swedish voice sounds 220 Hz, the Finnish one 330 Hz.
        assert heard["sv"] == pytest.approx(220, abs=15) and heard["fi"] == pytest.approx(330, abs=15)


# -- the container image ---------------------------------------------------------------------------


def _dockerfile_step(marker: str) -> str:
    """The shell command of the Dockerfile's RUN instruction that contains `marker`."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    steps = [line.removeprefix("RUN ").strip() for line in text.splitlines() if line.startswith("RUN ")]
    (step,) = [s for s in steps if marker in s]
    return step


@pytest.mark.parametrize("voices, target", [("", "."), (f"{SV},{FI}", ".[piper]")])
def test_the_image_installs_piper_only_when_voices_are_baked_in(voices, target):
    pip = _dockerfile_step("pip install").split("&&")[0]
    shown = subprocess.run(["sh", "-c", pip.replace("pip install --no-cache-dir", "echo")],
                           env={"LYSSNA_PIPER_VOICES": voices, "PATH": os.environ["PATH"]},
                           capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == target


def test_the_images_voice_step_installs_the_build_args_voices(repo, tmp_path):
    step = _dockerfile_step("voices install").replace("lyssna ", f"{sys.executable} -m service.cli ")
    voices = tmp_path / "image-voices"  # LYSSNA_VOICES_DIR, as the image sets it
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "LYSSNA_VOICES_DIR": str(voices), "LYSSNA_VOICES_URL": repo.url, "LYSSNA_PIPER_VOICES": f"{SV},{FI}"}
    env.pop("LYSSNA_PIPER_VOICE", None)
    done = subprocess.run(["sh", "-c", step], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [v.key for v in installed_voices(voices)] == [SV, FI]
    assert not (tmp_path / "cache" / "voices").exists()
    nothing = subprocess.run(["sh", "-c", step], env={**env, "LYSSNA_PIPER_VOICES": ""}, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_the_engine_finds_voices_in_lyssna_voices_dir(repo, tmp_path, monkeypatch):
    from service.reading.engines import get_engine

    monkeypatch.delenv("LYSSNA_PIPER_VOICE", raising=False)
    elsewhere = tmp_path / "voices-elsewhere"
    voice = find_voice(fetch_catalogue(repo.url, timeout=5), SV)  # type: ignore[attr-defined]
    install_voice(voice, elsewhere, repo.url, timeout=5)  # type: ignore[attr-defined]
    engine = get_engine("piper", {"CACHE_DIR": str(tmp_path / "cache"), "VOICES_DIR": str(elsewhere)})
    assert engine.voices() == ["sv"] and engine.models() == {"sv": SV}


def test_a_disk_error_is_reported_and_installs_nothing(repo, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "voices").write_text("not a directory")  # as unwritable as it gets, even for root
    with pytest.raises(VoiceInstallError) as info:
        install(repo, cache)
    assert info.value.code == "disk_error"
    assert info.value.message.startswith("Kunde inte skriva") and "Could not write" in info.value.message
    assert (cache / "voices").read_text() == "not a directory"


@pytest.mark.parametrize("quiet", [False, True])
def test_a_progress_line_on_a_terminal_unless_quiet(repo, cache, quiet):
    import pty

    master, slave = pty.openpty()  # stderr is a terminal, as when an admin runs the command
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LYSSNA_CACHE_DIR": str(cache), "LYSSNA_VOICES_URL": repo.url}
    done = subprocess.run([sys.executable, "-m", "service.cli", "voices", "install", SV,
                           *(["--quiet"] if quiet else [])],
                          env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, timeout=120, check=False)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command has ended and everything it wrote was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert done.returncode == 0
    if quiet:
        assert b"MB" not in shown
    else:
        assert f"\r  {SV}.onnx  ".encode() in shown and b"100%" in shown and shown.endswith(b"\n")
