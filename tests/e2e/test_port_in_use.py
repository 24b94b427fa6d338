"""A busy port is one clear line and a non-zero exit, for `orderlens demo` and `serve`."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.process import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_demo_on_a_busy_port_says_so_in_one_line(busy_port: int, tmp_path: Path) -> None:
    done = run(["demo", "--port", str(busy_port), "--no-simulator"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"orderlens: port {busy_port} on 127.0.0.1 is already in use; "
        "choose another with --port (make demo PORT=8100)"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "orderlens.db").exists()  # nothing started before the check


def test_serve_on_a_busy_port_says_so_in_one_line(busy_port: int, tmp_path: Path) -> None:
    env = {
        "ORDERLENS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'orderlens.db'}",
        "ORDERLENS_AUTO_MIGRATE": "true",
    }
    serve = ["serve", "--dev-keys", "--host", "127.0.0.1", "--port", str(busy_port)]
    done = run(serve, tmp_path, env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"orderlens: port {busy_port} on 127.0.0.1 is already in use; choose another with --port"
    ]
    assert "Traceback" not in done.stdout + done.stderr


def test_make_demo_passes_port_and_host_to_the_demo(busy_port: int) -> None:
    # -o: never reinstall the venv here; the port is busy, so the demo stops at its first check.
    make = ["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/bin/.installed", "demo"]
    done = subprocess.run(
        [*make, f"PORT={busy_port}", "HOST=127.0.0.1"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0
    assert f"orderlens demo --host 127.0.0.1 --port {busy_port}" in done.stdout
    assert (
        f"orderlens: port {busy_port} on 127.0.0.1 is already in use; "
        "choose another with --port (make demo PORT=8100)"
    ) in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
