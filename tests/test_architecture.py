"""The engine's layers: data flows one way, and no module imports a layer above its own.

``docs/architecture.md`` draws these layers. Every import counts, those inside
functions too: a lazy import upward is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "jumeau"

# lowest first; a unit may import its own modules and any unit of a lower rank
RANKS: list[set[str]] = [
    {"jumeau.errors"},
    {"jumeau.machine"},
    {"jumeau.grid", "jumeau.outputs", "jumeau.messages", "jumeau.data"},
    {"jumeau.io"},
    {"jumeau.site", "jumeau.demo"},
    {"jumeau.heat", "jumeau.flood"},
    {"jumeau.plan"},
    {"jumeau.render"},
    {"jumeau.study"},
    {"jumeau.atelier"},  # consultation: weighs the study's scorecard with the room's weights
    {"jumeau"},  # the public API (package root)
    {"jumeau.cli"},
]
RANK = {unit: rank for rank, units in enumerate(RANKS) for unit in units}


def unit_of(module: str) -> str:
    """The layer unit a module belongs to: its sub-package, or itself for a top-level module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # "from jumeau import x" imports the module jumeau.x when x is one
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if _is_module(submodule) else node.module)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def test_every_engine_module_has_a_layer():
    units = {unit_of(module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert units <= set(RANK), f"place these in RANKS (and docs/architecture.md): {sorted(units - set(RANK))}"


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = unit_of(module_name(path))
        for target in imports(path):
            if target.split(".")[0] != "jumeau":
                continue
            there = unit_of(target)
            if there != here and RANK[there] >= RANK[here]:
                upward.append(f"{module_name(path)} ({here}) imports {target} ({there})")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_the_engine_never_imports_the_user_interface():
    for path in PACKAGE.rglob("*.py"):
        assert not {t for t in imports(path) if t.split(".")[0] in ("streamlit", "viewer")}, path
