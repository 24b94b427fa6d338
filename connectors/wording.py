"""Reading a reason out of a carrier's own words: ordered (pattern, reason) tables, first match
wins. Each connector keeps its own table, written for its carrier's wording."""

from __future__ import annotations

import re

from gateway.events import Reason

WordingTable = tuple[tuple[re.Pattern[str], Reason], ...]


def wording(*rules: tuple[str, Reason]) -> WordingTable:
    """Compile (regex, reason) rules, case-insensitively."""
    return tuple((re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in rules)


def first_reason(table: WordingTable, text: str) -> Reason | None:
    return next((reason for pattern, reason in table if pattern.search(text)), None)
