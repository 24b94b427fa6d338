"""The runnable blocks of the documentation (README.md and every docs/*.md): every ```sh and
```graphql block, unless the line before it is an HTML comment `<!-- not-run: why -->` (a
synopsis, or a command that runs this suite)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
NOT_RUN = re.compile(r"<!--\s*not-run\b[^>]*-->\s*$")
# A GraphQL example's first line says who runs it: "# as the agent", "# as the admin", "# anyone".
CALLER = re.compile(r"^#\s*(?:as the (agent|admin)|(anyone))\b")


def documents() -> list[Path]:
    """The README first, then the pages of docs/ by name."""
    return [README, *sorted(DOCS.glob("*.md"))]


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    document: str  # the file it is in, relative to the repository, for failure messages
    line: int  # where the block starts in that file

    @property
    def caller(self) -> str | None:
        """agent, admin or None (anonymous), from the block's first comment line."""
        found = CALLER.match(self.text)
        assert found, f"{self}: a graphql block must start with '# as the ...' or '# anyone'"
        return found.group(1)

    def __str__(self) -> str:
        return f"{self.document}:{self.line}"


def runnable_blocks(text: str, language: str, document: str = "README.md") -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(1) != language:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if NOT_RUN.search(before):
            continue
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(language, match.group(2), document, line))
    return blocks


def documented_blocks(language: str) -> list[Block]:
    """The runnable blocks of every document, in reading order."""
    return [
        block
        for path in documents()
        for block in runnable_blocks(
            path.read_text(encoding="utf-8"), language, path.relative_to(ROOT).as_posix()
        )
    ]
