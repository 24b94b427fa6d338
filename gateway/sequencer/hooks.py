"""Who hears about commits: listeners get the committed events once their checkpoint is
durable (pub/sub, releasing parked events); an observer gets each batch's size and time."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from gateway.timeline import LoggedEvent

log = logging.getLogger(__name__)

CommitListener = Callable[[Sequence[LoggedEvent]], Awaitable[None]]
# (submissions in the batch, seconds the commit took, whether it committed): for metrics.
BatchObserver = Callable[[int, float, bool], None]


def ignore_batch(size: int, seconds: float, committed: bool) -> None:
    """The observer until one is set."""


async def notify(listeners: Sequence[CommitListener], committed: Sequence[LoggedEvent]) -> None:
    """Each listener in turn; one that fails is logged and does not stop the others (the
    events are committed whatever a listener does)."""
    for listener in listeners:
        try:
            await listener(committed)
        except Exception:
            log.exception("commit listener failed")
