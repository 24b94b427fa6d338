"""Limits on guessing an order's tracking factor (four phone digits or the postal code).

Without them the factor fell to brute force in about 10 s: aliases put 15 guesses in one
request. Every failed verification counts, one per root field, so aliases and batches cannot
multiply guesses; after `MAX_FAILURES` in a window the order's tracker access is locked for the
rest of it (a correct factor is then refused too) and the answer is `null`, exactly as for an
order that does not exist. An order number that does not exist counts the same way and does
the same work, so neither the answer nor its timing says which numbers exist.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from gateway.cache import Counters

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
_DUMMY = b"0000"


def locked(counters: Counters, order_number: str) -> bool:
    return counters.count(_key(order_number), WINDOW) >= MAX_FAILURES


def failed(counters: Counters, order_number: str) -> None:
    counters.add(_key(order_number), WINDOW)


def missing_order(counters: Counters, order_number: str, verification: str) -> None:
    """A guess at an order that does not exist: compared and counted like any other."""
    hmac.compare_digest(verification.encode()[:16], _DUMMY)
    failed(counters, order_number)


def _key(order_number: str) -> str:
    return f"tracker-failures:{order_number}"
