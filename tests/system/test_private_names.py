"""No module of ours reaches into another's private names (``_lock``, ``_claim`` …): what a module
offers others is its public names. The platform layer (``app.platform``: the FAB glue, the outbox,
the record rules) may reach into the frameworks it adapts, never into our modules; nor may anyone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("app", "workers") for p in (ROOT / folder).rglob("*.py")
                 if "migrations" not in p.parts)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_ours(module: str | None) -> bool:
    return bool(module) and (module == "app" or module.startswith(("app.", "workers")))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def reaches_into_private_names(path: Path) -> list[str]:
    """``from app.x import _y`` and ``m._y`` where ``m`` names one of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    our_modules: set[str] = set()  # local names bound to modules of ours
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_ours(node.module):
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                else:
                    our_modules.add(alias.asname or alias.name)  # may be a module (from app.x import y)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_ours(alias.name):
                    our_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in our_modules):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_no_module_reaches_into_another_modules_private_names(path: Path):
    assert reaches_into_private_names(path) == []
