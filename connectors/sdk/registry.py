"""Which connector types exist: the built-in ones, plus any package registering an entry point
in the `orderlens.connectors` group (`name = "package.module:CONNECTOR"`).

Only the types an instance is configured with are imported, and one that fails to import
stops start-up with an error naming it: a broken connector never silently disappears.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from connectors.sdk.protocol import Connector

ENTRY_POINT_GROUP = "orderlens.connectors"

BUILTIN: dict[str, str] = {
    "cloudevents": "connectors.cloudevents:CONNECTOR",
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
    if ":" not in target:
        target = f"{target}:CONNECTOR"
    try:
        loaded = EntryPoint(name, target, ENTRY_POINT_GROUP).load()
    except Exception as exc:
        raise ConnectorLoadError(
            f"connector type {name!r} ({target}) failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    # The contract is a declared class (connectors.sdk.protocol), not a set of attributes.
    if not isinstance(loaded, Connector):
        raise ConnectorLoadError(
            f"{target} is a {type(loaded).__name__}, not a connector: subclass "
            "connectors.sdk.PushConnector and/or PullConnector"
        )
    if loaded.name != name:
        raise ConnectorLoadError(f"{target} declares type {loaded.name!r}")
    return loaded
