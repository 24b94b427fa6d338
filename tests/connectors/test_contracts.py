"""The connector contracts are declared and typed: a connector is a subclass of PushConnector
and/or PullConnector (no attribute probing), the instance's mapping is reached through `bind`,
`received_at` reaches every `translate`, and connectors import nothing of the gateway but
`gateway.events`."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import BaseModel

import connectors.sdk.registry as registry
from connectors import (
    BUILTIN,
    Connector,
    ConnectorLoadError,
    Instance,
    Kind,
    PullConnector,
    PushConnector,
    Translation,
    Verified,
    load,
)
from connectors.shiphero import CONNECTOR as SHIPHERO
from connectors.shiphero import ShipHeroConfig

PACKAGE = Path(__file__).parents[2] / "connectors"
FIXTURES = Path(__file__).parent.parent / "fixtures"
RECEIVED_AT = datetime(2026, 11, 21, 12, 0, 5, tzinfo=UTC)
NOT_A_CONNECTOR = object()


class Options(BaseModel):
    pass


class NoVerify(PushConnector):
    name: ClassVar[str] = "noverify"
    kind: ClassVar[Kind] = Kind.COURIER
    label: ClassVar[str] = "forgot verify"
    mapping_version: ClassVar[str] = "1"
    config_model: ClassVar[type[BaseModel]] = Options

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return Translation()


class Complete(NoVerify):
    name: ClassVar[str] = "complete"

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        return Verified()


def test_a_connector_missing_a_method_of_its_contract_cannot_be_made() -> None:
    with pytest.raises(TypeError, match="verify"):
        NoVerify()  # type: ignore[abstract]
    connector = Complete()
    assert isinstance(connector, PushConnector) and not isinstance(connector, PullConnector)
    assert connector.bind(Options()) is connector  # the default mapping is the connector


def test_every_builtin_declares_its_contracts() -> None:
    pushed = {"cloudevents", "erpnext", "shiphero", "shipconfirm_xml", "easypost"}
    pulled = {"erpnext", "ups"}
    for name in BUILTIN:
        connector = load(name)
        assert isinstance(connector, Connector) and connector.name == name
        assert isinstance(connector, PushConnector) == (name in pushed), name
        assert isinstance(connector, PullConnector) == (name in pulled), name


def test_the_registry_refuses_an_object_that_is_not_a_connector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = f"{__name__}:NOT_A_CONNECTOR"
    monkeypatch.setitem(registry.BUILTIN, "impostor", target)
    with pytest.raises(ConnectorLoadError, match="is a object, not a connector: subclass"):
        load("impostor")
    monkeypatch.setitem(registry.BUILTIN, "complete", f"{__name__}:Complete")
    with pytest.raises(ConnectorLoadError, match="not a connector"):
        load("complete")  # the class itself, not an instance


def test_an_instance_translates_with_its_bound_mapping_and_the_receipt_time() -> None:
    config = ShipHeroConfig.model_validate({"webhook_secret": "s", "timezone": "America/New_York"})
    instance = Instance("wms", SHIPHERO, config)
    allocated = (FIXTURES / "shiphero" / "order_allocated.json").read_bytes()
    [event] = instance.translate(allocated, content_type="x", received_at=RECEIVED_AT).events
    assert event["time"] == "2026-11-20T15:03:01Z"  # read in the instance's zone, not UTC
    canceled = (FIXTURES / "shiphero" / "order_canceled.json").read_bytes()
    [event] = instance.translate(canceled, content_type="x", received_at=RECEIVED_AT).events
    assert event["time"] == "2026-11-21T12:00:05Z"  # no timestamp: dated by the receipt


def test_a_connector_without_a_use_for_the_receipt_time_accepts_and_ignores_it() -> None:
    instance = Instance("inhouse", load("cloudevents"), Options())
    body = json.dumps({"id": "e1"}).encode()
    translation = instance.translate(body, content_type="x", received_at=RECEIVED_AT)
    assert translation.events == ({"id": "e1"},)


def _gateway_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "gateway" or name.startswith("gateway.")}


def test_connectors_import_nothing_of_the_gateway_but_its_events() -> None:
    reaching_up = {
        str(path.relative_to(PACKAGE)): sorted(imports - {"gateway.events"})
        for path in sorted(PACKAGE.rglob("*.py"))
        if (imports := _gateway_imports(path)) - {"gateway.events"}
    }
    assert reaching_up == {}
