"""Every relative link of README.md and docs/*.md leads somewhere, and the README links every page.

A link is `[text](target)`; links inside code blocks or code spans are text, not links. A target
is a path relative to the document (a file or a folder of the repository), optionally followed by
`#anchor`, which must be the GitHub anchor of a heading of the target document.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.readme import DOCS, README, ROOT, documents

FENCE = re.compile(r"^```.*?^```\s*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def prose(text: str) -> str:
    """The text outside code blocks, with code spans kept only as their content's link text."""
    return FENCE.sub("", text)


def links(text: str) -> list[str]:
    outside_blocks = prose(text)
    # A code span may be the text of a link ([`a.py`](a.py)), but a link inside a span is code.
    spans_blanked = CODE_SPAN.sub(lambda m: "x" * len(m.group()), outside_blocks)
    return [m.group(1) for m in LINK.finditer(outside_blocks) if spans_blanked[m.start()] == "["]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(prose(path.read_text(encoding="utf-8")))}


def relative_links() -> list[tuple[str, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), target)
        for path in documents()
        for target in links(path.read_text(encoding="utf-8"))
        if not EXTERNAL.match(target)
    ]


def test_the_documents_have_relative_links() -> None:
    sources = {source for source, _ in relative_links()}
    assert "README.md" in sources and "docs/privacy.md" in sources


@pytest.mark.parametrize(
    ("source", "target"), [pytest.param(s, t, id=f"{s}->{t}") for s, t in relative_links()]
)
def test_relative_link_resolves(source: str, target: str) -> None:
    file_part, _, fragment = target.partition("#")
    document = ROOT / source
    linked = (document.parent / file_part).resolve() if file_part else document
    assert linked.exists(), f"{source}: {target} points at {file_part}, which does not exist"
    assert linked.is_relative_to(ROOT), f"{source}: {target} leaves the repository"
    if fragment:
        assert linked.suffix == ".md", f"{source}: {target} has an anchor into a non-Markdown file"
        assert fragment in anchors(linked), f"{source}: {target}: no heading #{fragment}"


def test_the_readme_links_every_page_of_docs() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in links(README.read_text(encoding="utf-8"))
        if not EXTERNAL.match(target)
    }
    pages = sorted(DOCS.glob("*.md"))
    assert pages, "docs/ has no pages"
    for page in pages:
        assert page.resolve() in linked, f"README.md does not link {page.relative_to(ROOT)}"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Health, metrics, logs", "health-metrics-logs"),
        ("Verifying a timeline offline", "verifying-a-timeline-offline"),
        ("`orderlens verify` and keys", "orderlens-verify-and-keys"),
    ],
)
def test_anchors_are_githubs(heading: str, expected: str) -> None:
    assert anchor(heading) == expected
