"""Numbers from a sender, checked before they are converted.

`Decimal("9e999990")` is cheap, but rounding it or multiplying it is not: one such value
stalled the whole event loop for 26 s, and `1e400` / `NaN` in JSON became an infinity that
`int()` refused with a 500. So a number is read only from a plain decimal spelling of bounded
length (no exponent, no NaN or infinity) or a finite JSON number, and must be in range.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

# Up to 12 integer digits and 9 decimals: every quantity, weight and price a shipment has.
_PLAIN = re.compile(r"^[+-]?\d{1,12}(?:\.\d{1,9})?$")


def plain_decimal(text: str | None, *, maximum: float) -> Decimal | None:
    """`text` as a Decimal if it is a plain decimal with |value| <= maximum, else None."""
    if text is None:
        return None
    text = text.strip()
    if not _PLAIN.match(text):
        return None
    value = Decimal(text)
    return value if abs(value) <= maximum else None


def finite_number(value: Any, *, maximum: float) -> float | None:
    """A JSON number or numeric string as a float if finite with |value| <= maximum."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) <= maximum else None
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) <= maximum else None
    if isinstance(value, str):
        number = plain_decimal(value, maximum=maximum)
        return float(number) if number is not None else None
    return None
