"""Simulated ERP, WMS and courier feeds for `orderlens demo` (fake and repeatable).

Fake personal data travels only under `data.contact`, `data.delivery_address` and
`data.proof_of_delivery`, which the gateway seals; the rest of every event is PII-free.
"""

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
