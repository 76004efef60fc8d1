"""The architecture, held: one reader, no import cycles, packages by command."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hardener"
PARSERS = re.compile(r"ruamel|_ruamel_yaml|CParser|import yaml")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def test_only_the_reading_package_touches_a_yaml_parser() -> None:
    outside = [
        str(path.relative_to(PACKAGE.parent))
        for name, path in _modules().items()
        if not name.startswith("hardener.yaml") and PARSERS.search(path.read_text("utf-8"))
    ]
    assert outside == []


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of ours that ``path`` imports, at any level (lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module in modules:
            found.add(node.module)
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if f"{node.module}.{alias.name}" in modules
            )
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
    return found


def test_no_import_cycles_between_modules() -> None:
    """A package's ``__init__`` importing its own modules is how packages work; any other
    cycle, lazy imports included, is a design problem."""
    modules = _modules()
    graph = {name: _imports(path, modules) for name, path in modules.items()}
    for name, deps in graph.items():  # a module may import its package's __init__ freely
        graph[name] = {d for d in deps if d != name and not name.startswith(d + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_each_command_has_its_package() -> None:
    for command in ("generate", "merge", "check", "init"):
        assert (PACKAGE / command / "__init__.py").is_file()
    assert len([p for p in PACKAGE.glob("*.py")]) <= 20  # the shared vocabulary stays small
