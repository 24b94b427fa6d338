"""Simulated ERP, warehouse, carrier and in-house feeds for `orderlens demo` (fake, repeatable),
sent through the gateway's connectors in each system's native format.

Fake personal data travels where each system carries it (a Sales Order's customer fields, a
ship-to block, a courier's signer); the connectors hand the gateway only what it seals.
"""

from __future__ import annotations

from gateway.demo.instances import DemoConnectors
from gateway.demo.native import UpsTracking
from gateway.demo.script import PUSHED, SYSTEMS
from gateway.demo.simulator import Simulator, SimulatorConfig, SimulatorStats

__all__ = [
    "PUSHED",
    "SYSTEMS",
    "DemoConnectors",
    "Simulator",
    "SimulatorConfig",
    "SimulatorStats",
    "UpsTracking",
]
