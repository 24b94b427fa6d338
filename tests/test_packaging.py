"""The package metadata a user installs: licence declared the current way and shipped."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_licence_is_an_spdx_expression_and_its_text_ships() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    # A TOML table here makes every install print setuptools' deprecation warning.
    assert project["project"]["license"] == "Apache-2.0"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert any(req.startswith("setuptools>=77") for req in project["build-system"]["requires"]), (
        "SPDX licence expressions need setuptools 77"
    )
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0" in text
