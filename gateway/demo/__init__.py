"""Simulated ERP, WMS and courier feeds for `orderlens demo` (fake, repeatable, PII-free)."""

from __future__ import annotations

from gateway.demo.simulator import (
    BATCH_CONTENT_TYPE,
    INGEST_PATH,
    SOURCES,
    Simulator,
    SimulatorConfig,
    SimulatorStats,
)

__all__ = [
    "BATCH_CONTENT_TYPE",
    "INGEST_PATH",
    "SOURCES",
    "Simulator",
    "SimulatorConfig",
    "SimulatorStats",
]
