"""The house rules that code review alone would let slip: which room may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("room", "forbidden"), [("ui", "httpx"), ("client", "gradio")])
def test_rooms_do_not_import_what_they_must_not(room, forbidden):
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / room).rglob("*.py"))
                 if forbidden in imported_modules(p)]
    assert offenders == [], f"{room}/ must never import {forbidden}"


def test_the_rules_see_real_imports():
    assert "httpx" in imported_modules(ROOT / "client" / "api.py")
    assert "gradio" in imported_modules(ROOT / "ui" / "build.py")
