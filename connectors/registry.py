"""Which connector types exist: the built-in ones, plus any package registering an entry point
in the `orderlens.connectors` group (`name = "package.module:CONNECTOR"`).

Only the types an instance is configured with are imported, and one that fails to import
stops start-up with an error naming it: a broken connector never silently disappears.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from connectors.sdk import Connector

ENTRY_POINT_GROUP = "orderlens.connectors"

BUILTIN: dict[str, str] = {
    "cloudevents": "connectors.cloudevents.connector:CONNECTOR",
    "erpnext": "connectors.erpnext:CONNECTOR",
    "shiphero": "connectors.shiphero:CONNECTOR",
    "shipconfirm_xml": "connectors.shipconfirm_xml:CONNECTOR",
    "ups": "connectors.ups:CONNECTOR",
    "easypost": "connectors.easypost:CONNECTOR",
}


class ConnectorLoadError(RuntimeError):
    pass


def available() -> dict[str, str]:
    """Connector type -> where it lives."""
    found = dict(BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def load(name: str) -> Connector:
    target = available().get(name)
    if target is None:
        known = ", ".join(sorted(available()))
        raise ConnectorLoadError(f"unknown connector type {name!r}; known types: {known}")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        connector: Connector = getattr(module, attribute or "CONNECTOR")
    except Exception as exc:
        raise ConnectorLoadError(
            f"connector type {name!r} ({target}) failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    if getattr(connector, "name", None) != name:
        raise ConnectorLoadError(f"{target} declares type {getattr(connector, 'name', None)!r}")
    return connector
