"""Every command and query of README.md and docs/*.md runs as written against a demo this
test starts.

The demo runs as `make demo` runs it, in a directory of its own that has the repository's
`.venv` (so `source .venv/bin/activate` works); the only change made to the documents' text is
the port, since the test listens on a free one instead of 8000. PATH does not contain the
virtualenv: a recipe that calls `orderlens` must activate it as the README says.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.demo import Demo, running_demo
from tests.e2e.live import subscribe
from tests.e2e.process import VENV_BIN, clean_env
from tests.e2e.readme import DOCS, README, Block, documented_blocks, runnable_blocks

DEFAULT_ADDRESS = "127.0.0.1:8000"
TEXT = README.read_text(encoding="utf-8")
VARIABLE = re.compile(r"\$(\w+)\s*:")
SUBSCRIPTION = re.compile(r"^subscription\b", re.MULTILINE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    cwd = tmp_path_factory.mktemp("readme-demo")
    (cwd / ".venv").symlink_to(VENV_BIN.parent, target_is_directory=True)
    with running_demo(cwd, "--orders", "12") as running:
        yield running


def as_written(text: str, demo: Demo) -> str:
    return text.replace(DEFAULT_ADDRESS, f"127.0.0.1:{demo.running.port}")


def shell_env() -> dict[str, str]:
    """A user's shell before `source .venv/bin/activate`: no virtualenv on PATH."""
    env = clean_env()
    path = [p for p in env["PATH"].split(os.pathsep) if Path(p) != VENV_BIN]
    env["PATH"] = os.pathsep.join(path)
    env.pop("VIRTUAL_ENV", None)
    return env


def test_the_readme_has_runnable_examples() -> None:
    assert len(runnable_blocks(TEXT, "sh")) >= 1
    assert len(runnable_blocks(TEXT, "graphql")) >= 3


def test_the_docs_pages_are_run_too() -> None:
    """The long sections live in docs/; their examples run like the README's."""
    documents = {block.document for block in documented_blocks("sh") + documented_blocks("graphql")}
    assert "README.md" in documents
    for page in ("querying", "verification", "operations"):
        assert f"{DOCS.name}/{page}.md" in documents
    assert len(documented_blocks("graphql")) >= 3 + 3  # the README's and docs/querying.md's


@pytest.mark.parametrize("block", documented_blocks("sh"), ids=str)
def test_shell_block_runs(block: Block, demo: Demo) -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", as_written(block.text, demo)],
        cwd=demo.running.cwd,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, (
        f"{block} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )


def variables_for(block: Block, demo: Demo) -> dict[str, Any]:
    """The values the block's comment says where to get: a demo order, a signed tree size."""
    values: dict[str, Any] = {}
    for name in VARIABLE.findall(block.text):
        if name == "number":
            assert demo.example_order is not None
            values[name] = demo.example_order
        elif name == "fromSize":
            answer = demo.graphql("{ log { checkpoint { treeSize } } }")
            values[name] = answer["data"]["log"]["checkpoint"]["treeSize"]
        else:
            pytest.fail(f"{block}: no value known for ${name}; say in the block where it is from")
    return values


@pytest.mark.parametrize("block", documented_blocks("graphql"), ids=str)
async def test_graphql_block_answers_without_errors(block: Block, demo: Demo) -> None:
    token = {"agent": demo.agent, "admin": demo.admin, None: None}[block.caller]
    query, variables = as_written(block.text, demo), variables_for(block, demo)
    if SUBSCRIPTION.search(query):
        async with subscribe(demo.running.ws_url, query, variables, token) as live:
            answer = await live.next()
    else:
        answer = demo.graphql(query, variables, token)
    assert "errors" not in answer, f"{block}: {answer['errors']}"
    assert answer["data"] and all(value is not None for value in answer["data"].values()), answer
