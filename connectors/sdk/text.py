"""A source's own words, shared by every connector that keeps or reads them (UPS, EasyPost...).

Courier texts go into `data.raw.text`, which is public: `scrub` cuts personal data out first.
Reading a reason out of a carrier's own words: ordered (pattern, reason) tables, first match
wins (`wording`, `first_reason`). Each connector keeps its own table, written for its carrier's
wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.events import Reason

REDACTED = "[redacted]"
_MARKERS = re.compile(
    r"\b(signed by|signature of|received by|accepted by|left with)\b[\s:]*"
    r"(?!(?:a |an |the )?(?:individual|agent|ups|access point|post office|front|back|side|"
    r"porch|mail|locker|garage|neighbou?r|reception|receiver|recipient|shipper|sender)\b)"
    r"(\w[\w'.-]*(?:[ \t]+\w[\w'.-]*){0,3})",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(\+\d[\d\s().-]{6,}\d)|(\(\d{2,4}\)\s?\d[\d\s.-]{4,}\d)")
_SPACES = re.compile(r"\s+")

WordingTable = tuple[tuple[re.Pattern[str], Reason], ...]


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """`text` without the given names, signer-like phrases, e-mail addresses and phone numbers,
    at most 300 characters."""
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True):
        words = r"\s+".join(re.escape(part) for part in name.split())
        text = re.sub(rf"(?<!\w){words}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    text = _MARKERS.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _EMAIL.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    return _SPACES.sub(" ", text).strip()[:300]


def wording(*rules: tuple[str, Reason]) -> WordingTable:
    """Compile (regex, reason) rules, case-insensitively."""
    return tuple((re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in rules)


def first_reason(table: WordingTable, text: str) -> Reason | None:
    return next((reason for pattern, reason in table if pattern.search(text)), None)
