"""The runnable blocks of README.md: every ```sh and ```graphql block, unless the line before
it is an HTML comment `<!-- not-run: why -->` (a synopsis, or a command that runs this suite)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
NOT_RUN = re.compile(r"<!--\s*not-run\b[^>]*-->\s*$")
# A GraphQL example's first line says who runs it: "# as the agent", "# as the admin", "# anyone".
CALLER = re.compile(r"^#\s*(?:as the (agent|admin)|(anyone))\b")


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    line: int  # where the block starts in README.md, for failure messages

    @property
    def caller(self) -> str | None:
        """agent, admin or None (anonymous), from the block's first comment line."""
        found = CALLER.match(self.text)
        assert found, f"README.md:{self.line}: a graphql block must start with '# as the ...'"
        return found.group(1)

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def runnable_blocks(text: str, language: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(1) != language:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if NOT_RUN.search(before):
            continue
        blocks.append(Block(language, match.group(2), text.count("\n", 0, match.start()) + 1))
    return blocks
