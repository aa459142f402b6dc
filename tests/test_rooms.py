"""The house rules that code review alone would let slip: which room may import what, and how big a room
may grow. Read from the source with ``ast`` (nothing is imported), so a rule breaks the moment a line does.

    runcomfy | dreamina | media  <  history  <  jobs  <  cli | ui  <  app.py

Each rule is checked twice: on the real tree, and on a small made-up tree that breaks it, so a rule
that silently stopped seeing anything would fail too.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from client.dreamina import InputRefused
from client.history import StoreUnavailable
from client.runcomfy import RunComfyError

ROOT = Path(__file__).resolve().parents[1]
# A room's rank: a module may import a module of its own room or of a room with a lower rank.
RANKS = {
    "client.runcomfy": 0, "client.dreamina": 0, "client.media": 0,
    "client.offline": 1, "client.history": 1,
    "client.jobs": 2,
    "client": 3,  # the face (client/__init__.py)
    "client.cli": 4, "ui": 4,
    "app": 5,
}
# Besides the standard library, the only libraries a room may use (None: any).
LIBRARIES: dict[str, set[str] | None] = {
    "client.runcomfy": {"httpx"},
    "client.dreamina": {"PIL"},
    "client.media": {"av", "PIL"},
    "client.history": set(),
    "client.jobs": {"httpx", "dotenv"},
    "client": set(),
    "client.cli": {"tqdm"},  # the batch progress bar on a terminal (imported there only, lazily)
    "client.offline": None,
    "ui": None,
    "app": set(),
}
FORBIDDEN = {  # (room, what it must never import, even through another name)
    ("client.history", "client.runcomfy"), ("client.history", "client.jobs"), ("client.history", "ui"),
    ("ui", "httpx"), ("ui", "sqlite3"), ("ui", "av"), ("ui", "client.offline"), ("ui", "client.runcomfy"),
    ("client", "gradio"),
}
# The only modules that may import client.offline: connect (in-process) and the CLI (``serve-offline``).
STANDIN_DOORS = ("client.jobs.connect", "client.cli")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 60
WIRING = ("click", "change", "select", "submit", "then", "load", "tick", "input", "upload", "on")


@dataclass(frozen=True)
class Module:
    """One source file: its dotted name, its room, and what it imports (modules, as written)."""

    name: str
    path: Path
    imports: frozenset[str]

    @property
    def room(self) -> str:
        return room_of(self.name)


def room_of(name: str) -> str:
    """The room a dotted module name belongs to (the longest room name it starts with)."""
    if name == "client.__main__":
        return "client.cli"  # ``python -m client`` is the CLI's front door
    best = ""
    for room in RANKS:
        if (name == room or name.startswith(room + ".")) and len(room) > len(best):
            best = room
    return best or name.split(".")[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> frozenset[str]:
    """Every module ``tree`` imports, anywhere in it (functions and TYPE_CHECKING blocks too).

    ``from a.b import c`` names the module ``a.b.c`` when there is one, else ``a.b``.
    """
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
    return frozenset(found)


def read_tree(root: Path, places: Iterable[str]) -> dict[str, Module]:
    """Every module under ``places`` (folders or files, relative to ``root``)."""
    paths: list[Path] = []
    for place in places:
        target = root / place
        paths += [target] if target.is_file() else sorted(target.rglob("*.py"))
    names = {module_name(p, root): p for p in paths}
    known = set(names)
    return {name: Module(name, path, imports_of(ast.parse(path.read_text(encoding="utf-8")), name,
                                                  path.name == "__init__.py", known))
            for name, path in names.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def is_project(name: str) -> bool:
    return top(name) in ("client", "ui", "app")


def wrong_arrows(modules: Mapping[str, Module]) -> list[str]:
    """Imports that point up or across: each room may only look at lower-ranked rooms."""
    bad = []
    for module in modules.values():
        for target in module.imports:
            if not is_project(target) or room_of(target) == module.room:
                continue
            if RANKS.get(room_of(target), 99) >= RANKS.get(module.room, -1):
                bad.append(f"{module.name} -> {target}")
    return sorted(bad)


def wrong_libraries(modules: Mapping[str, Module]) -> list[str]:
    """Third-party imports a room is not allowed, and the explicitly forbidden imports."""
    bad = []
    for module in modules.values():
        allowed = LIBRARIES.get(module.room)
        for target in module.imports:
            outside = not is_project(target) and top(target) not in sys.stdlib_module_names
            if outside and allowed is not None and top(target) not in allowed:
                bad.append(f"{module.name} -> {target} (library)")
            for room, forbidden in FORBIDDEN:
                in_room = module.room == room or (room == "client" and top(module.name) == "client")
                if in_room and (target == forbidden or target.startswith(forbidden + ".")):
                    bad.append(f"{module.name} -> {target} (forbidden)")
            if room_of(target) == "client.offline" and module.room != "client.offline" and not any(
                    module.name == door or module.name.startswith(door + ".") for door in STANDIN_DOORS):
                bad.append(f"{module.name} -> {target} (the stand-in is reached only over HTTP)")
    return sorted(bad)


def past_the_face(modules: Mapping[str, Module]) -> list[str]:
    """``ui`` and ``app.py`` reach ``client`` through its face only (``from client import ...``)."""
    return sorted(f"{m.name} -> {t}" for m in modules.values() if top(m.name) in ("ui", "app")
                  for t in m.imports if top(t) == "client" and t != "client")


def circles(modules: Mapping[str, Module]) -> list[list[str]]:
    """Every group of modules that import each other, directly or around a loop (Tarjan's algorithm)."""
    graph = {name: sorted(t for t in m.imports if t in modules) for name, m in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def too_big(paths: Iterable[Path]) -> list[str]:
    """Files over ``MAX_FILE_LINES`` lines and functions over ``MAX_FUNCTION_LINES``."""
    bad = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_FILE_LINES:
            bad.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    bad.append(f"{path.name}: {node.name}() is {length} lines")
    return bad


def wiring_in(path: Path) -> list[str]:
    """Gradio event registrations (``x.click(...)``, ``gr.on(...)``, ...) written in ``path``."""
    calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    return [f"{path.name}:{call.lineno} .{call.func.attr}()" for call in calls  # type: ignore[attr-defined]
            if call.func.attr in WIRING]  # type: ignore[attr-defined]


def attributes_set_on_blocks(paths: Iterable[Path]) -> list[str]:
    """``demo.<name> = ...``: ad-hoc attributes hung on a ``gr.Blocks`` for tests to reach."""
    bad = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "demo":
                    bad.append(f"{path.name}:{node.lineno} demo.{target.attr}")
    return bad


TREE = read_tree(ROOT, ["client", "ui", "app.py"])
NON_TEST = [path for place in ("client", "ui", "benchmarks", "examples")
            for path in sorted((ROOT / place).rglob("*.py"))]


def test_arrows_point_one_way():
    assert wrong_arrows(TREE) == []


def test_each_room_uses_only_its_own_libraries():
    assert wrong_libraries(TREE) == []


def test_ui_and_app_use_client_through_its_face():
    assert past_the_face(TREE) == []


def test_no_circle_anywhere():
    assert circles(TREE) == []


def test_input_and_history_errors_are_not_api_errors():
    assert not issubclass(InputRefused, RunComfyError) and issubclass(InputRefused, ValueError)
    assert not issubclass(StoreUnavailable, RunComfyError)


def test_files_and_functions_stay_small():
    assert too_big([*NON_TEST, ROOT / "app.py"]) == []


def test_build_only_places_and_delegates_the_wiring_to_each_panel():
    assert wiring_in(ROOT / "ui" / "build.py") == []
    assert attributes_set_on_blocks([*sorted((ROOT / "ui").rglob("*.py")), ROOT / "app.py"]) == []


def test_the_rules_see_the_real_tree():
    assert {"client.runcomfy.api", "client.jobs.live", "ui.result_panel", "app"} <= set(TREE)
    assert "httpx" in TREE["client.runcomfy.api"].imports and "gradio" in TREE["ui.build"].imports
    assert TREE["client.offline.app"].room == "client.offline" and TREE["client"].room == "client"
    assert "client.offline.faults" in TREE["client.offline.app"].imports  # from client.offline import faults
    assert wiring_in(ROOT / "ui" / "result_panel.py")  # the panels do wire their events


@pytest.fixture
def broken_tree(tmp_path: Path) -> dict[str, Module]:
    """A made-up house that breaks every rule once."""
    files = {
        "client/__init__.py": "",
        "client/runcomfy/__init__.py": "import requests\nfrom client.jobs import run\n",
        "client/jobs/__init__.py": "",
        "client/jobs/run.py": "from client.offline import app\nfrom client.jobs import live\n",
        "client/jobs/live.py": "from client.jobs.run import x\n",
        "client/offline/__init__.py": "",
        "client/offline/app.py": "",
        "client/history/store.py": "from client.runcomfy import api\n",
        "ui/__init__.py": "",
        "ui/page.py": "import httpx\nfrom client.jobs import live\n",
        "app.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return read_tree(tmp_path, ["client", "ui", "app.py"])


def test_each_rule_fails_when_broken(broken_tree: dict[str, Module], tmp_path: Path):
    assert wrong_arrows(broken_tree) == ["client.runcomfy -> client.jobs.run"]
    libraries = wrong_libraries(broken_tree)
    assert "client.runcomfy -> requests (library)" in libraries
    assert "client.history.store -> client.runcomfy (forbidden)" in libraries
    assert "ui.page -> httpx (forbidden)" in libraries
    assert "client.jobs.run -> client.offline.app (the stand-in is reached only over HTTP)" in libraries
    assert past_the_face(broken_tree) == ["ui.page -> client.jobs.live"]
    assert circles(broken_tree) == [["client.jobs.live", "client.jobs.run"]]
    long_file = tmp_path / "long.py"
    long_file.write_text("def f():\n" + "    x = 1\n" * 70 + "\n" * 240)
    assert too_big([long_file]) == ["long.py: 311 lines", "long.py: f() is 71 lines"]
    wired = tmp_path / "build.py"
    wired.write_text("demo.load(f)\nbutton.click(g).then(h)\ndemo.playground = p\n")
    assert len(wiring_in(wired)) == 3 and attributes_set_on_blocks([wired]) == ["build.py:3 demo.playground"]
