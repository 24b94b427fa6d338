"""The tree keeps the shape of DESIGN.md's Layout: each package is entered through its
`__init__`, and modules stay small. (The layering itself is import-linter's, in `make lint`.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("gateway", "resolvers", "connectors", "privacy")
MAX_LINES = 400
# Packages other packages enter only through their __init__ (their public names).
ENTERED_BY_INIT = (
    "gateway.events",
    "gateway.ingest",
    "gateway.sequencer",
    "gateway.ledger",
    "gateway.timeline",
    "gateway.audit",
    "gateway.sources",
    "gateway.db",
    "gateway.pubsub",
    "gateway.cache",
    "privacy",
)
# Table declarations are a module others name on purpose: `from gateway.db.tables import events`.
PUBLIC_MODULES = frozenset({"gateway.db.tables", "privacy.tables"})


def modules() -> list[Path]:
    return sorted(p for source in SOURCES for p in (ROOT / source).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def reaches_inside(importer: str, imported: str) -> str | None:
    """The package whose insides `importer` reaches into, if it does."""
    for package in ENTERED_BY_INIT:
        if not imported.startswith(package + "."):
            continue
        if importer == package or importer.startswith(package + "."):
            return None
        if imported in PUBLIC_MODULES or is_package(imported):
            return None
        return package
    return None


def test_packages_are_entered_through_their_init() -> None:
    wrong = []
    for path in modules():
        importer = module_name(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                package = reaches_inside(importer, node.module)
                if package is not None:
                    wrong.append(f"{importer} imports {node.module}: use `from {package} import`")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_the_rule_sees_a_reach_inside() -> None:
    assert reaches_inside("resolvers.loaders", "gateway.ledger.store") == "gateway.ledger"
    assert reaches_inside("gateway.ledger.verify", "gateway.ledger.store") is None
    assert reaches_inside("resolvers.loaders", "gateway.db.tables") is None
