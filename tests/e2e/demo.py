"""A running `orderlens demo` and what its banner and data directory tell a user."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.process import Running, free_port, serving

BANNER_END = "Press Ctrl+C to stop."


@dataclass
class Demo:
    running: Running
    agent: str  # the tokens the banner prints
    admin: str
    example_order: str | None  # the order the banner's examples use (None: no orders yet)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.running.base_url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


def banner_token(banner: str, role: str) -> str:
    found = re.search(rf"^\s*{role}:\s+(\S+)$", banner, re.MULTILINE)
    assert found, f"no {role} token in the demo's banner:\n{banner}"
    return found.group(1)


@contextmanager
def running_demo(cwd: Path, *options: str, port: int | None = None) -> Iterator[Demo]:
    """`orderlens demo OPTIONS` in `cwd` with its defaults (./orderlens.db, ./.orderlens)."""
    port = port or free_port()
    args: Sequence[str] = ["demo", "--port", str(port), *options]
    with serving(args, cwd, port=port, ready_output=BANNER_END) as running:
        banner = running.stdout()
        example = cwd / ".orderlens" / "example-order"
        order = example.read_text().strip() if example.exists() else None
        yield Demo(running, banner_token(banner, "agent"), banner_token(banner, "admin"), order)
