"""One default backfill (60 orders, seed 7) against the connector stand-ins, shared by the
simulator and personal-data tests."""

from __future__ import annotations

import asyncio

import pytest

from gateway.demo import Simulator
from tests.demo.endpoints import Endpoints, backfilled


@pytest.fixture(scope="package")
def history() -> tuple[Endpoints, Simulator]:
    return asyncio.run(backfilled())
