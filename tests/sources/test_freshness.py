"""When a source counts as stale: pulled sources that missed three intervals, never pushes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from connectors import Instance
from connectors.ups import CONNECTOR as UPS
from connectors.ups import UpsConfig
from gateway.sources import source_state

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_pulled_source_is_stale_after_three_missed_intervals() -> None:
    config = UpsConfig(client_id="c", client_secret=SecretStr("s"))
    instances = {"ups": Instance("ups", UPS, config, pull_every=60.0)}
    fresh = {"ups": NOW - timedelta(seconds=170)}
    late = {"ups": NOW - timedelta(seconds=181)}
    assert source_state("ups", fresh, instances, NOW).stale is False
    assert source_state("ups", late, instances, NOW).stale is True
    never = source_state("ups", {}, instances, NOW)
    assert never.stale is True and never.last_synced_at is None


def test_pushed_and_unconfigured_sources_are_never_called_stale() -> None:
    long_ago = {"erp": NOW - timedelta(days=30)}
    state = source_state("erp", long_ago, {}, NOW)
    assert state.stale is False and state.last_synced_at == long_ago["erp"]
