"""The layout a newcomer relies on: packages by role with imports pointing one way, no cycles, no
private names borrowed across modules, small modules, and a README that lists every setting.

web → work → reading → store, with config, errors and models beneath all; the entry points (the
package itself, cli, and the public `service.extract` / `service.speech`) may import anything.
Imports inside functions count too: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from service import config as config_mod

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"
LAYERS = {"store": 0, "reading": 1, "work": 2, "web": 3}
BASE = {"service.config", "service.errors", "service.models"}
ENTRY_POINTS = {"service", "service.cli", "service.extract", "service.speech"}
MAX_LINES = 450
MAX_TOP_LEVEL_MODULES = 8


def _modules() -> dict[str, Path]:
    out = {}
    for path in SERVICE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for every project import, at any depth."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "service" or module.startswith("service."):
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    found.append((sub, "", node.lineno) if sub in MODULES else (module, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("service")]
    return found


def _graph() -> dict[str, set[str]]:
    return {name: {m for m, _, _ in _imports(name, path) if m in MODULES and m != name}
            for name, path in MODULES.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_the_layout_test_sees_the_whole_package():
    assert {"service.web.app", "service.reading.create", "service.store.audio_cache",
            "service.work.queue"} <= set(MODULES)


def test_no_import_cycles_even_through_imports_inside_functions():
    graph = _graph()
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_imports_point_down_web_work_reading_store():
    upward = []
    for name, path in MODULES.items():
        if name in ENTRY_POINTS:
            continue
        for module, _, line in _imports(name, path):
            if module not in MODULES or module == name:
                continue
            if name in BASE:
                if module not in BASE:
                    upward.append(f"{name}:{line} imports {module} (base modules import only each other)")
                continue
            mine, theirs = _layer(name), _layer(module)
            if theirs is not None and (mine is None or theirs > mine):
                upward.append(f"{name}:{line} imports {module}")
            elif module in ENTRY_POINTS and module != "service":
                upward.append(f"{name}:{line} imports the entry point {module}")
    assert upward == []


def test_no_module_imports_a_private_name_from_another():
    borrowed = [f"{name}:{line} imports {what} from {module}"
                for name, path in MODULES.items()
                for module, what, line in _imports(name, path)
                if what.startswith("_") and not what.startswith("__")]
    assert borrowed == []


def _third_party_importers(package: str) -> set[str]:
    out = set()
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n == package or n.startswith(package + ".") for n in names):
                out.add(name)
    return out


def test_flask_only_in_the_web_package_and_beautifulsoup_only_in_extraction():
    assert {m for m in _third_party_importers("flask") | _third_party_importers("werkzeug")
            if not m.startswith("service.web")} == set()
    assert {m for m in _third_party_importers("bs4") if not m.startswith("service.reading.extract")} == set()


def test_modules_are_small_and_the_top_level_is_short():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
    top = sorted(p.name for p in SERVICE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


# -- configuration ---------------------------------------------------------------------------------


def _readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `LYSSNA_")]
    return {name for row in rows for name in re.findall(r"`LYSSNA_([A-Z0-9_]+)`", row.split("|")[1])}


def test_the_readme_lists_exactly_the_settings_the_service_reads():
    table = {s.name for s in config_mod.SETTINGS}
    readme = _readme_settings()
    assert sorted(table - readme) == [], "settings missing from the README's configuration table"
    assert sorted(readme - table) == [], "the README lists settings that do not exist"


def test_every_setting_has_a_default_entry_and_help():
    for s in config_mod.SETTINGS:
        assert s.help.strip() and s.name in config_mod.DEFAULTS


def test_settings_are_read_from_the_environment_with_their_types():
    config = config_mod.load_config({"CACHE_DIR": "/tmp/lyssna-layout-test"}, environ={
        "LYSSNA_PORT": "8123", "LYSSNA_DEMO": "false", "LYSSNA_SITES": "https://a.se, https://*.b.se",
        "LYSSNA_ADMIN_PASSWORD": "1234", "LYSSNA_RATE": "1,5", "LYSSNA_CHROMIUM": "not a setting"})
    assert config["PORT"] == 8123 and config["DEMO"] is False and config["RATE"] == 1.5
    assert config["SITES"] == ["https://a.se", "https://*.b.se"]
    assert config["ADMIN_PASSWORD"] == "1234"  # a password is text, whatever it looks like
    assert "CHROMIUM" not in config


@pytest.mark.parametrize("name, value", [("PORT", "åtta"), ("RATE", "fort"), ("WORKERS", "2.5"),
                                         ("RATE", "3"), ("REFRESH_HOURS", "-1")])
def test_a_value_that_cannot_be_used_is_refused_by_name(name, value):
    with pytest.raises(config_mod.ConfigError, match=f"LYSSNA_{name}"):
        config_mod.load_config(environ={f"LYSSNA_{name}": value})
