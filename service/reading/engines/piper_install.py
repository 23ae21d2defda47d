"""`lyssna voices install`: a Piper voice from the published catalogue, verified, then put in place.

The catalogue is Piper's own ``voices.json`` at LYSSNA_VOICES_URL (key → language, quality and
files with their size and md5); a file's address is that base URL plus the file's path. This is an
operator's action towards an address the operator chose, so it uses plain urllib (http and https
only, timeouts, a User-Agent), not the page fetcher with its site rules.

Why it is built this way:
- Downloads go to ``voices/.downloads/<key>/<file>.part`` and resume with an HTTP Range request
  after an interruption (a server that ignores Range sends the whole file again; it is started over).
  A part with the wrong size or digest is deleted, never kept as if good.
- Every file is checked against the catalogue's size and md5, then the voice is loaded with the real
  Piper code (a model that does not load is refused even when its digest matches).
- Only then is the directory renamed into ``voices/<key>``: the engine never sees half a voice,
  whatever failed (network, disk, a corrupt model) and wherever the process was stopped.
"""
from __future__ import annotations

import difflib
import fcntl
import hashlib
import http.client
import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.errors import LyssnaError

from .base import EngineUnavailable
from .piper_voices import InstalledVoice, installed_voices

CATALOGUE = "voices.json"
TIMEOUT_S = 30.0
CATALOGUE_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1 << 16
USER_AGENT = "lyssna-voices/1 (+https://github.com/; Piper voice installer)"

Progress = Callable[[str, int, int], None]  # (file name, bytes so far, bytes in all)


class VoiceInstallError(LyssnaError):
    """Installing, listing or removing a voice failed; `code` says how (unknown_voice, truncated…)."""

    code = "voice_install_failed"
    status = 500


@dataclass(frozen=True)
class CatalogueFile:
    path: str  # inside the voices repository, e.g. "sv/sv_SE/nst/medium/sv_SE-nst-medium.onnx"
    size: int
    md5: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogueVoice:
    key: str
    code: str  # "sv_SE"
    family: str  # "sv"
    quality: str
    language_name: str  # "Svenska (Swedish)" style, for listings
    files: tuple[CatalogueFile, ...]
    aliases: tuple[str, ...] = ()

    @property
    def size_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def local_name(self, f: CatalogueFile) -> str:
        """The name a file gets in ``voices/<key>/``: the model and its config named after the key."""
        for suffix in (".onnx.json", ".onnx"):
            if f.name.endswith(suffix):
                return self.key + suffix
        return f.name


@dataclass(frozen=True)
class InstallResult:
    voice: InstalledVoice
    already: bool  # it was installed and every file still matched the catalogue


def _fail(code: str, sv: str, en: str) -> VoiceInstallError:
    return VoiceInstallError(f"{sv} / {en}", code=code)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise _fail("download_failed", f"Omdirigering till {newurl} vägras.",
                        f"Redirect to {newurl} refused (only http and https).")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def _url(base: str, path: str) -> str:
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise _fail("bad_url", f"LYSSNA_VOICES_URL måste börja med http:// eller https://: {base!r}.",
                    f"LYSSNA_VOICES_URL must start with http:// or https://: {base!r}.")
    return base.rstrip("/") + "/" + urllib.parse.quote(path.lstrip("/"))


def _open(url: str, timeout: float, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return _OPENER.open(request, timeout=timeout)


# -- the catalogue ---------------------------------------------------------------------------------


def _parse_voice(key: str, raw: object) -> CatalogueVoice | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), dict):
        return None
    lang = raw.get("language") if isinstance(raw.get("language"), dict) else {}
    files = []
    for path, meta in raw["files"].items():
        if not isinstance(meta, dict):
            return None
        try:
            files.append(CatalogueFile(str(path), int(meta["size_bytes"]), str(meta["md5_digest"]).lower()))
        except (KeyError, TypeError, ValueError):
            return None
    names = [f.name for f in files]
    if sum(n.endswith(".onnx") for n in names) != 1 or sum(n.endswith(".onnx.json") for n in names) != 1:
        return None
    code = str(lang.get("code") or key.split("-", 1)[0])
    native, english = lang.get("name_native") or "", lang.get("name_english") or ""
    return CatalogueVoice(
        key=key, code=code, family=str(lang.get("family") or code.split("_", 1)[0]).lower(),
        quality=str(raw.get("quality") or key.rsplit("-", 1)[-1]),
        language_name=f"{native} ({english})" if native and english and native != english else native or english,
        files=tuple(files), aliases=tuple(str(a) for a in raw.get("aliases") or ()))


def fetch_catalogue(base_url: str, timeout: float = TIMEOUT_S) -> dict[str, CatalogueVoice]:
    """Key → voice from ``<base_url>/voices.json``; VoiceInstallError when unreachable or not a catalogue."""
    url = _url(base_url, CATALOGUE)
    try:
        with _open(url, timeout) as resp:
            body = resp.read(CATALOGUE_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _fail("catalogue_unreachable", f"Röstkatalogen {url} svarade HTTP {exc.code}.",
                    f"The voice catalogue {url} answered HTTP {exc.code}.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise _fail("catalogue_unreachable", f"Röstkatalogen {url} kunde inte hämtas: {exc}.",
                    f"The voice catalogue {url} could not be fetched: {exc}.") from None
    try:
        data = json.loads(body) if len(body) <= CATALOGUE_MAX_BYTES else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise _fail("catalogue_invalid", f"{url} är ingen röstkatalog (inte ett JSON-objekt).",
                    f"{url} is not a voice catalogue (not a JSON object).")
    return {key: voice for key, raw in data.items() if (voice := _parse_voice(str(key), raw)) is not None}


def find_voice(catalogue: dict[str, CatalogueVoice], key: str) -> CatalogueVoice:
    """The voice called `key` (or one of its aliases); VoiceInstallError with close keys otherwise."""
    if key in catalogue:
        return catalogue[key]
    for voice in catalogue.values():
        if key in voice.aliases:
            return voice
    close = difflib.get_close_matches(key, list(catalogue), n=3, cutoff=0.5)
    hint_sv = f" Menade du {', '.join(close)}?" if close else ""
    hint_en = f" Did you mean {', '.join(close)}?" if close else ""
    raise _fail("unknown_voice", f"Rösten {key} finns inte i katalogen.{hint_sv}",
                f"The voice {key} is not in the catalogue.{hint_en}")


# -- downloading one file --------------------------------------------------------------------------


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _disk(exc: OSError, where: Path) -> VoiceInstallError:
    return _fail("disk_error", f"Kunde inte skriva {where}: {exc.strerror or exc}.",
                 f"Could not write {where}: {exc.strerror or exc}.")


def _fetch_into(url: str, part: Path, f: CatalogueFile, timeout: float, progress: Progress | None) -> None:
    """Append the rest of `f` to `part` (from its current length); leave a short part for a resume."""
    have = part.stat().st_size if part.exists() else 0
    try:
        resp = _open(url, timeout, {"Range": f"bytes={have}-"} if have else None)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the part does not fit the file on the server: start over
            part.unlink()
            return _fetch_into(url, part, f, timeout, progress)
        raise _fail("download_failed", f"{url} svarade HTTP {exc.code}.", f"{url} answered HTTP {exc.code}.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise _fail("download_failed", f"{url} kunde inte hämtas: {exc}.", f"{url} could not be fetched: {exc}.") from None
    with resp:
        declared = resp.headers.get("Content-Length")
        ranged = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", resp.headers.get("Content-Range") or "")
        if resp.status == 206 and ranged and int(ranged.group(1)) == have:
            total = int(ranged.group(2)) if ranged.group(2) != "*" else None
        else:  # the whole file (Range ignored, or not asked for): start from zero
            have = 0
            total = int(declared) if declared and declared.isdigit() else None
        if total is not None and total != f.size:
            part.unlink(missing_ok=True)
            raise _fail("wrong_size", f"{f.name} är {total} byte på servern, katalogen säger {f.size}.",
                        f"{f.name} is {total} bytes on the server; the catalogue says {f.size}.")
        try:
            out = part.open("ab" if have else "wb")
        except OSError as exc:
            raise _disk(exc, part) from None
        with out:
            while True:
                try:
                    chunk = resp.read(CHUNK)
                except (OSError, http.client.HTTPException):
                    break  # cut off: what arrived is kept for the next attempt
                if not chunk:
                    break
                if have + len(chunk) > f.size:
                    out.close()
                    part.unlink(missing_ok=True)
                    raise _fail("wrong_size", f"{f.name} är större än katalogens {f.size} byte.",
                                f"{f.name} is larger than the catalogue's {f.size} bytes.")
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _disk(exc, part) from None
                have += len(chunk)
                if progress:
                    progress(f.name, have, f.size)
    if have < f.size:
        raise _fail("truncated", f"Hämtningen av {f.name} avbröts efter {have} av {f.size} byte; kör "
                                 f"kommandot igen för att fortsätta.",
                    f"The download of {f.name} stopped after {have} of {f.size} bytes; run the command "
                    f"again to resume.")


def download_file(base_url: str, f: CatalogueFile, part: Path, timeout: float = TIMEOUT_S,
                  progress: Progress | None = None) -> None:
    """`f` complete and verified in `part` (resuming what is there); VoiceInstallError otherwise."""
    if part.exists() and part.stat().st_size > f.size:
        part.unlink()
    if not part.exists() or part.stat().st_size < f.size:
        _fetch_into(_url(base_url, f.path), part, f, timeout, progress)
    if _md5(part) != f.md5:
        part.unlink()
        raise _fail("wrong_digest", f"{f.name} har fel kontrollsumma (md5); filen är kastad.",
                    f"{f.name} has the wrong checksum (md5); the file was discarded.")


# -- installing ------------------------------------------------------------------------------------


def _matches(voice: CatalogueVoice, directory: Path) -> bool:
    """Whether `directory` holds every file of `voice` with the catalogue's size and digest."""
    for f in voice.files:
        path = directory / voice.local_name(f)
        if not path.is_file() or path.stat().st_size != f.size or _md5(path) != f.md5:
            return False
    return True


def require_piper() -> None:
    """VoiceInstallError unless piper-tts is installed: checked before downloading anything."""
    try:
        import piper.voice  # noqa: F401
    except ImportError:
        from .piper import INSTALL_HINT

        raise _fail("piper_not_installed", f"Piper är inte installerat; kör {INSTALL_HINT} först.",
                    f"Piper is not installed; run {INSTALL_HINT} first.") from None


def check_loads(model: Path) -> None:
    """The voice loads with the real Piper code (config fields and ONNX model); VoiceInstallError if not."""
    from .piper import PiperEngine

    try:
        PiperEngine(model, threads=1)
    except EngineUnavailable as exc:
        code = "piper_not_installed" if exc.code == "not_installed" else "corrupt_voice"
        raise _fail(code, f"Rösten {model.stem} går inte att ladda och installeras inte.",
                    f"The voice {model.stem} does not load and is not installed: {exc.message}") from None


def _find(directory: Path, key: str) -> InstalledVoice:
    for v in installed_voices(directory):
        if v.key == key:
            return v
    raise _fail("corrupt_voice", f"Rösten {key} syns inte efter installationen.",
                f"The voice {key} is not visible after installing.")


def _swap(staging: Path, final: Path) -> None:
    """Rename `staging` to `final`; an older copy there (a new release of the voice) is set aside
    first and put back if the rename fails, so the voice is never half the old and half the new."""
    old = final.with_name(f".replaced-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except OSError:
        if old.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def install_voice(voice: CatalogueVoice, directory: Path, base_url: str, *, timeout: float = TIMEOUT_S,
                  progress: Progress | None = None, check: Callable[[Path], None] = check_loads) -> InstallResult:
    """Download, verify, load-check and rename `voice` into ``<directory>/<key>`` (see module doc)."""
    final = directory / voice.key
    try:
        directory.mkdir(parents=True, exist_ok=True)
        downloads = directory / ".downloads" / voice.key
        downloads.mkdir(parents=True, exist_ok=True)
        lock = (directory / ".downloads" / f"{voice.key}.lock").open("w")
    except OSError as exc:
        raise _disk(exc, directory) from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _fail("busy", f"Rösten {voice.key} installeras redan av ett annat kommando.",
                        f"The voice {voice.key} is already being installed by another command.") from None
        if final.is_dir() and _matches(voice, final):
            return InstallResult(_find(directory, voice.key), already=True)
        for f in voice.files:
            download_file(base_url, f, downloads / f"{voice.local_name(f)}.part", timeout, progress)
        staging = directory / f".incoming-{voice.key}-{os.getpid()}"
        try:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            for f in voice.files:
                os.replace(downloads / f"{voice.local_name(f)}.part", staging / voice.local_name(f))
            shutil.rmtree(downloads, ignore_errors=True)  # verified files are in staging now
            check(staging / f"{voice.key}.onnx")
            _swap(staging, final)
        except OSError as exc:
            raise _disk(exc, final) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return InstallResult(_find(directory, voice.key), already=False)


def available_lines(catalogue: dict[str, CatalogueVoice], installed: set[str], lang: str | None = None) -> list[str]:
    """`lyssna voices list --available`: the catalogue's voices, optionally of one language ("sv", "sv_SE")."""
    want = (lang or "").replace("-", "_").lower()
    lines = []
    for key in sorted(catalogue):
        v = catalogue[key]
        if want and want not in (v.family, v.code.lower()):
            continue
        mark = "\tinstallerad / installed" if key in installed else ""
        lines.append(f"{key}\t{v.code}\t{v.quality}\t{v.size_bytes / 1e6:.1f} MB\t{v.language_name}{mark}")
    return lines


class ProgressLine:
    """A one-line progress report rewritten in place (for a terminal): file, MB so far, percent."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.shown = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        # \x1b[K clears what a longer line before it left on the terminal
        line = f"\r  {name}  {done / 1e6:.1f}/{total / 1e6:.1f} MB  {100 * done // max(total, 1)}%\x1b[K"
        if line != self.shown:
            self.stream.write(line)
            self.stream.flush()
            self.shown = line

    def end(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = ""
