"""JSON from a sender, parsed with bounds: nesting depth, and no NaN or Infinity.

Python's json module recurses per level, so a body nested a hundred thousand levels deep ends
in RecursionError (a 500) rather than a parse error; and it turns `NaN`, `Infinity` and
`1e400` into floats no field can hold. Depth is counted on the raw text first (strings
skipped), so the parser never sees a document it cannot finish.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonRefused(json.JSONDecodeError):
    """The document is not JSON this gateway reads; the message names why (never values).
    A JSONDecodeError, so every caller that handles bad JSON handles it too."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)


def nesting_depth(body: bytes) -> int:
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number this gateway accepts")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("a JSON number is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 20:
        raise JsonRefused("a JSON integer is out of range")
    return int(text)


def loads(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads with the bounds above; raises JsonRefused (a JSONDecodeError) when refused."""
    raw = body.encode() if isinstance(body, str) else body
    if nesting_depth(raw) > max_depth:
        raise JsonRefused(f"JSON nested deeper than {max_depth} levels")
    return json.loads(
        raw,
        parse_constant=_refuse_constant,
        parse_float=_finite_float,
        parse_int=_bounded_int,
    )
