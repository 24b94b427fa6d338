"""The demo's connector instances: one per simulated system, declared in a TOML file in the
data directory, with secrets made fresh on every run and handed to the gateway through
`Settings.env` (the file only names them, as a production file would).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from gateway.demo.script import EASYPOST, ERP, INHOUSE, UPS, WMS, WMS_XML
from gateway.events import WebhookSecret
from gateway.settings import Settings

FILE_NAME: Final = "demo-connectors.toml"
UPS_CLIENT_ID: Final = "orderlens-demo"
# Instance -> (connector type, options, option holding the secret, its environment variable).
INSTANCES: Final = {
    ERP: ("erpnext", '{ timezone = "Asia/Shanghai" }', "webhook_secret", "DEMO_ERPNEXT_SECRET"),
    WMS: ("shiphero", '{ timezone = "UTC" }', "webhook_secret", "DEMO_SHIPHERO_SECRET"),
    WMS_XML: ("shipconfirm_xml", None, "secret", "DEMO_3PL_SECRET"),
    EASYPOST: ("easypost", None, "webhook_secret", "DEMO_EASYPOST_SECRET"),
    INHOUSE: ("cloudevents", None, "secret", "DEMO_INHOUSE_SECRET"),
}
UPS_SECRET_VARIABLE: Final = "DEMO_UPS_CLIENT_SECRET"  # noqa: S105 (a variable name)


@dataclass(frozen=True, slots=True)
class DemoConnectors:
    secrets: Mapping[str, str] = field(repr=False)  # per pushed instance: what it signs with
    ups_client_secret: str = field(repr=False)
    ups_client_id: str = UPS_CLIENT_ID

    @classmethod
    def generate(cls) -> DemoConnectors:
        """Fresh secrets in each system's own form (Standard Webhooks ones as whsec_...)."""
        made = {
            ERP: secrets.token_urlsafe(24),
            WMS: secrets.token_urlsafe(24),
            WMS_XML: WebhookSecret.generate().encoded,
            EASYPOST: secrets.token_urlsafe(24),
            INHOUSE: WebhookSecret.generate().encoded,
        }
        return cls(made, secrets.token_urlsafe(24))

    @property
    def env(self) -> dict[str, str]:
        """The environment variables the TOML file names."""
        variables = {INSTANCES[name][3]: value for name, value in self.secrets.items()}
        return variables | {UPS_SECRET_VARIABLE: self.ups_client_secret}

    def toml(self, ups_base_url: str, pull_every: float = 5.0) -> str:
        parts = ["# Written by `orderlens demo` on every run; the secrets are in its environment."]
        for name, (kind, options, option, variable) in INSTANCES.items():
            parts += ["", f"[connectors.{name}]", f'type = "{kind}"']
            if options:
                parts.append(f"options = {options}")
            parts.append(f'secrets = {{ {option} = "{variable}" }}')
        parts += [
            "",
            f"[connectors.{UPS}]  # the demo's fake UPS Track API, polled like the real one",
            'type = "ups"',
            f"pull_every = {pull_every:g}",
            f'options = {{ base_url = "{ups_base_url}", client_id = "{self.ups_client_id}", '
            "batch_size = 25, concurrency = 8 }",
            f'secrets = {{ client_secret = "{UPS_SECRET_VARIABLE}" }}',
        ]
        return "\n".join(parts) + "\n"

    def configure(self, settings: Settings, ups_base_url: str, pull_every: float = 5.0) -> Settings:
        """`settings` with these instances: the TOML written into the data directory."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = Path(settings.data_dir) / FILE_NAME
        path.write_text(self.toml(ups_base_url, pull_every), encoding="utf-8")
        return replace(settings, connectors_file=path, env={**settings.env, **self.env})
