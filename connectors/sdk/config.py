"""Connector instances from a TOML file, secrets from the environment.

```toml
[connectors.erp]                 # the instance id: POST /ingest/erp, events' source "erp"
type = "erpnext"
pull_every = 60                  # seconds; omit for push-only
options = { base_url = "https://erp.example.com", timezone = "Asia/Shanghai" }
secrets = { webhook_secret = "ERP_WEBHOOK_SECRET", api_secret = "ERP_API_SECRET" }
```

`secrets` maps option names to environment variables, so the file itself holds none and can
be committed. Every problem (unknown type, missing variable, invalid option) stops start-up
with a message naming the instance and field, never a value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors.sdk.protocol import Instance, PullConnector
from connectors.sdk.registry import ConnectorLoadError, load

INSTANCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MIN_PULL_SECONDS = 5.0
RESERVED = frozenset({"events"})


class ConnectorConfigError(ValueError):
    """Bad connector configuration. The gateway raises it again as a SettingsError (settings
    sit below connectors, so this cannot subclass it): `orderlens` prints it and exits 2."""


def load_instances(path: Path, env: Mapping[str, str]) -> list[Instance]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConnectorConfigError(f"cannot read connector config {path}: {exc}") from None
    return parse_instances(document, env, where=str(path))


def parse_instances(
    document: Mapping[str, Any], env: Mapping[str, str], *, where: str = "config"
) -> list[Instance]:
    section = document.get("connectors", {})
    if not isinstance(section, dict):
        raise ConnectorConfigError(f"{where}: [connectors] must be a table of instances")
    return [_instance(name, body, env, where) for name, body in section.items()]


def _instance(name: str, body: Any, env: Mapping[str, str], where: str) -> Instance:
    here = f"{where}: connectors.{name}"
    if name in RESERVED:
        raise ConnectorConfigError(f"{here}: {name!r} is reserved (POST /ingest/{name} exists)")
    if not INSTANCE_ID.match(name):
        raise ConnectorConfigError(f"{here}: ids are lowercase letters, digits, '-' and '_'")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise ConnectorConfigError(f'{here}: needs `type = "<connector type>"`')
    unknown = set(body) - {"type", "pull_every", "options", "secrets"}
    if unknown:
        raise ConnectorConfigError(f"{here}: unknown keys {', '.join(sorted(unknown))}")
    try:
        connector = load(body["type"])
    except ConnectorLoadError as exc:
        raise ConnectorConfigError(f"{here}: {exc}") from exc
    options = dict(body.get("options", {}))
    for option, variable in dict(body.get("secrets", {})).items():
        value = env.get(str(variable))
        if not value:
            raise ConnectorConfigError(f"{here}: environment variable {variable} is not set")
        options[option] = value
    try:
        config = connector.config_model.model_validate(options)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConnectorConfigError(f"{here}: {fields}") from None
    pull_every = body.get("pull_every")
    if pull_every is not None:
        if not isinstance(connector, PullConnector):
            raise ConnectorConfigError(f"{here}: type {connector.name} cannot pull")
        if not isinstance(pull_every, int | float) or pull_every < MIN_PULL_SECONDS:
            raise ConnectorConfigError(f"{here}: pull_every must be >= {MIN_PULL_SECONDS} s")
    return Instance(name, connector, config, float(pull_every) if pull_every else None)
