"""The layers of clinkg import one way: no module imports, even lazily inside a function, a module that
imports it back, and the inner layers never import the outer ones (the HTTP app, the pages, the CLI)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Layer (the folder under service/, or the top-level package) -> the layers it must never import.
FORBIDDEN = {
    "ranking": {"api", "web", "language", "sparql", "server", "asgi", "cli"},
    "language": {"api", "web", "sparql", "server", "asgi", "cli"},
    "stores": {"api", "web", "ranking", "language", "sparql", "server", "asgi", "cli"},
    "sparql": {"api", "web", "ranking", "language", "server", "asgi", "cli"},
    "loaders": {"service", "api", "web", "ranking", "language", "stores", "sparql", "server", "asgi", "cli"},
    "ontology": {"service", "loaders", "api", "ranking", "language", "stores", "sparql", "cli"},
}


def _modules() -> dict[str, Path]:
    """Every clinkg module and its file, by the package-dir mapping of pyproject.toml."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found: dict[str, Path] = {}
    for package, folder in setuptools["package-dir"].items():
        for path in sorted((ROOT / folder).glob("*.py")):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


MODULES = _modules()


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            parts = module.split(".")
            package = parts if MODULES[module].stem == "__init__" else parts[:-1]
            base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
        ]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the clinkg modules it imports anywhere in its body."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                imported.update(_targets(module, node))
        graph[module] = imported
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[1:2] == ["service"] and len(parts) > 2:
        return parts[2]
    return parts[1] if len(parts) > 1 else parts[0]


def test_the_module_map_is_read() -> None:
    assert "clinkg.service.ranking.answer" in MODULES and "clinkg.service.api.hot_path" in MODULES
    assert "clinkg.service.ranking.context" in _graph()["clinkg.service.ranking.answer"]


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(graph[current])
        reach[start] = seen
    cycles = sorted(module for module in graph if module in reach[module])
    assert cycles == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_inner_layers_never_import_outer_ones(layer: str) -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _layer(module) == layer
        for target in targets
        if _layer(target) in FORBIDDEN[layer]
    )
    assert wrong == []
