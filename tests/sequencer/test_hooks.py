"""Commit listeners: each hears every commit, and one that fails does not silence the rest."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gateway.sequencer.hooks import notify
from gateway.timeline.model import LoggedEvent


async def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[int] = []

    async def broken(events: Sequence[LoggedEvent]) -> None:
        raise RuntimeError("listener bug")

    async def counting(events: Sequence[LoggedEvent]) -> None:
        heard.append(len(events))

    await notify([broken, counting], [])
    assert heard == [0]
    assert "commit listener failed" in caplog.text
