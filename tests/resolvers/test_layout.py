"""The resolvers' import structure: no cycles, no imports hidden in function bodies to dodge
one, and types that never load a root resolver (query, subscription, mutation, schema)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
PACKAGE = ROOT / "resolvers"
ROOT_RESOLVERS = ("query", "subscription", "mutations", "schema")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(tree: ast.Module) -> set[str]:
    """The resolvers modules a module imports at its top level (a package's submodule when
    a name is one, the package itself otherwise)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES}


GRAPH = {name: imports_of(ast.parse(path.read_text())) for name, path in MODULES.items()}


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name: str) -> None:
    importlib.import_module(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_inside_a_function(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text())
    hidden = [
        f"{name}:{inner.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]
    assert not hidden, f"imports inside a function body: {hidden}"


def test_no_import_cycle() -> None:
    cycles = sorted(name for name in MODULES if name in reachable(name))
    assert not cycles, f"modules that import themselves through others: {cycles}"


def test_types_never_load_a_root_resolver() -> None:
    types = [name for name in MODULES if name.rsplit(".", 1)[-1].endswith("types")]
    assert {"resolvers.order.types", "resolvers.personal_data.types"} <= set(types)
    loaded = {
        name: sorted(
            m for m in reachable(name) if any(part in ROOT_RESOLVERS for part in m.split("."))
        )
        for name in types
    }
    assert loaded == dict.fromkeys(types, [])


def test_the_scan_sees_what_it_must_refuse() -> None:
    """The checks above would catch a hidden import and a cycle (guards the scan itself)."""
    hidden = ast.parse("def f():\n    from resolvers.order import query\n")
    assert any(isinstance(n, ast.ImportFrom) for n in ast.walk(hidden.body[0]))
    assert imports_of(ast.parse("from resolvers.order import query\n")) == {
        "resolvers.order",
        "resolvers.order.query",
    }
