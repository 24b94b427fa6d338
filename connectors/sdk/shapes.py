"""The shapes of personal data that must never reach the signed log, in one place.

Every string of a normalized event that can reach a leaf is scanned with these (see
`connectors.sdk.screen`): structured fields refuse a match, free text has it replaced by a
marker such as `[removed: phone]`. The scanner is pure and linear: every pattern is
precompiled, every repetition is bounded, and no input longer than `MAX_SCAN` is scanned
(longer strings are refused by the caller before they get here).

Each shape and the false positive it is written to avoid:

- `email`: `local@domain.tld`, with bounded parts. Nothing legitimate in an event has an `@`
  followed by a dotted domain.
- `phone` (E.164): `+` and 8 to 15 digits, single spaces, dots, dashes or parentheses between
  them. Needs the `+`, so weights, quantities and dates never match.
- `phone` (mobile): a Chinese mobile number, 11 digits `1[3-9]…`, optionally after `86`, not
  inside a longer digit run (a 22-digit USPS number never matches). It is found glued to
  letters too (`CALL13800138000NOW`, what a connector makes of a tracking field), except to
  lowercase hex letters (hashes in event ids). UPS numbers and UUIDs are not scanned.
- `phone` (grouped): `(0)20 1234 5678`, `138-0013-8000`, `555.123.4567`: three or more groups
  whose last has 4 digits and middle 3-4. Dates (`2025-06-10`, 4-2-2), clock times, postal
  codes (`10115`, `SW1A 1AA`) and weights (`1.250`) have no such grouping.
- `national_id`: a Chinese resident ID (6 digits, a birth date 18xx-20xx with a real month and
  day, 3 digits, a digit or X) or a US SSN (`123-45-6789`). The date part keeps 18-digit
  parcel numbers (`003123450000000017`) out.
- `digits` (long digit run): 10 or more digits in a row, not glued to lowercase hex letters
  (connector event ids end in a hex hash). Phone numbers without any prefix,
  card and account numbers look like this. So do the event's own identifiers (order,
  shipment, package and tracking numbers): runs that occur in those are allowed, which is why
  `find` takes the set of allowed runs. UUIDs are skipped: their groups can be all digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

MAX_SCAN = 2000

_EMAIL = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}"
_E164 = r"\+[1-9](?:[ ().-]{0,2}\d){7,14}(?!\d)"
_MOBILE = r"(?<![0-9a-f])(?:\+?86[ -]?)?1[3-9]\d{9}(?![0-9a-f])"
_GROUPED = r"(?<![\d.-])\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{4}(?![\d.-])"
_CN_ID = (
    r"(?<![0-9a-f])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9a-f])"
)
_SSN = r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"
_DIGITS = r"(?<![0-9a-f])\d{10,}(?![0-9a-f])"

# Checked in this order: the first kind that matches names the finding.
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(_EMAIL)),
    ("national_id", re.compile(f"{_CN_ID}|{_SSN}")),
    ("phone", re.compile(f"{_E164}|{_MOBILE}|{_GROUPED}")),
    ("digits", re.compile(_DIGITS)),
)
KIND_WORDS = {
    "email": "an e-mail address",
    "national_id": "a national ID number",
    "phone": "a phone number",
    "digits": "a long digit run",
}
# Opaque and checksummed, not scanned: a UUID (its hex groups can be all digits by chance) and
# a UPS number (1Z, 16 letters and digits), whose digit runs are random.
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<![A-Za-z0-9])1Z[0-9A-Z]{16}(?![A-Za-z0-9])"
)
_RUN = re.compile(r"\d{10,}")
# Control characters and the bidi overrides that make a log line lie about its content.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def own_runs(identifiers: Iterable[str]) -> frozenset[str]:
    """The long digit runs of the event's own identifiers, which `find` lets through."""
    return frozenset(run for value in identifiers for run in _RUN.findall(value))


def _matches(text: str, allowed: frozenset[str]) -> Iterator[tuple[str, re.Match[str]]]:
    for kind, pattern in SHAPES:
        for match in pattern.finditer(text):
            if kind == "digits" and match.group(0) in allowed:
                continue
            yield kind, match


def find(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The kind of the first personal-data shape in `text`, or None."""
    return next((kind for kind, _ in _matches(_UUID.sub("uuid", text[:MAX_SCAN]), allowed)), None)


def redact(
    text: str, allowed: frozenset[str] = frozenset(), *, keep_digit_runs: bool = False
) -> str:
    """`text` with every personal-data shape replaced by `[removed: <kind>]`."""
    text = CONTROL.sub(" ", text[:MAX_SCAN])
    # UUIDs and UPS numbers are kept whole, as `find` skips them.
    parts, last = [], 0
    for opaque in _UUID.finditer(text):
        parts += [_redact_part(text[last : opaque.start()], allowed, keep_digit_runs)]
        parts.append(opaque.group(0))
        last = opaque.end()
    return "".join([*parts, _redact_part(text[last:], allowed, keep_digit_runs)])


def _redact_part(text: str, allowed: frozenset[str], keep_digit_runs: bool) -> str:
    for kind, pattern in SHAPES:
        if not (keep_digit_runs and kind == "digits"):
            text = pattern.sub(_marker(kind, allowed), text)
    return text


def _marker(kind: str, allowed: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        keep = kind == "digits" and match.group(0) in allowed
        return match.group(0) if keep else f"[removed: {kind}]"

    return replace
