"""The real `orderlens` console script as a subprocess on a free port, for end-to-end tests.

In-process test clients never touch uvicorn, so they cannot see what only a real install shows
(a missing WebSocket library, a port already in use, what the demo prints). Each process gets
its own working directory, data directory and SQLite file, and is always stopped: terminate,
then kill.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The venv's bin directory, as the README's `source .venv/bin/activate` puts it on PATH (not
# resolved: .venv/bin/python is a symlink to the interpreter the venv was made from).
VENV_BIN = Path(sys.executable).parent
ORDERLENS = VENV_BIN / "orderlens"
START_TIMEOUT = 20.0  # seconds; a start takes about 2 s, the margin is for a loaded machine
STOP_TIMEOUT = 5.0


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it when binding port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The caller's environment without any ORDERLENS_* setting, the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERLENS_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"  # the demo's banner must reach its file while it runs
    return env | dict(extra)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    port: int
    cwd: Path
    stdout_path: Path
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def failure(self, what: str) -> AssertionError:
        return AssertionError(
            f"{what}\n--- exit code: {self.process.poll()}\n--- stdout:\n{self.stdout()[-3000:]}"
            f"\n--- stderr:\n{self.stderr()[-3000:]}"
        )

    def wait_until_answering(self, path: str = "/healthz", timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.failure("orderlens exited before it answered")
            try:
                if httpx.get(self.base_url + path, timeout=1.0).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise self.failure(f"orderlens did not answer {path} within {timeout:g} s")

    def wait_for_output(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """Stdout once it contains `text` (the demo prints its banner after the backfill)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (out := self.stdout()):
                return out
            if self.process.poll() is not None:
                raise self.failure(f"orderlens exited before printing {text!r}")
            time.sleep(0.1)
        raise self.failure(f"orderlens did not print {text!r} within {timeout:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)


def start(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] = {}, *, port: int | None = None
) -> Running:
    """`orderlens ARGS` in `cwd` (output into files there); the caller must stop() it."""
    cwd.mkdir(parents=True, exist_ok=True)
    out, err = cwd / "orderlens.stdout", cwd / "orderlens.stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(ORDERLENS), *args],
            cwd=cwd,
            env=clean_env(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    return Running(process, port or 0, cwd, out, err)


@contextmanager
def serving(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] = {},
    *,
    port: int,
    ready_output: str | None = None,
) -> Iterator[Running]:
    """`orderlens ARGS` answering on `port` (and, if given, having printed `ready_output`)."""
    running = start(args, cwd, env, port=port)
    try:
        running.wait_until_answering()
        if ready_output is not None:
            running.wait_for_output(ready_output)
        yield running
    finally:
        running.stop()


def run(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] = {}, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """`orderlens ARGS` to completion, output captured."""
    return subprocess.run(
        [str(ORDERLENS), *args],
        cwd=cwd,
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
