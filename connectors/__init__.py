"""Connectors, stage 1: what ERP, WMS and courier systems send -> normalized events.

Imports only `gateway.events` from the gateway. Layout:

- `sdk/`: the typed contracts (`protocol`), the normalized event and its one validator
  (`normalized`), source texts (`text`: scrubbing, wording tables), the `registry` of connector
  types and the instances' TOML `config`.
- `webhooks/`: signature schemes, `standard` (Standard Webhooks v1) and `hmac` (body-HMAC).
- `pull/`: the pull `runner` and its `resilience` (backoff, breaker, token bucket).
- `<source>/`: one skeleton per source; a file a source does not need is absent, and the same
  job always has the same name:
  `__init__.py` (the declaration: the connector class and `CONNECTOR`), `config.py` (the
  instance's options, a pydantic model), `models.py` (readers of the source's payload shapes),
  `codes.py` (the source's codes -> milestones and reasons, and `MAPPING_VERSION`), `parse.py`
  (pure: bytes -> `Translation`), then `signature.py` (push: which scheme, which header) or
  `client.py` (pull: the only I/O).

How to add a connector (a courier "acme", say):

1. `connectors/acme/`: the files above. The declaration subclasses `PushConnector` (and
   implements `verify`, usually one call to the scheme declared in `signature.py`) and/or
   `PullConnector` (and implements `client`); it sets `name`, `kind`, `label`,
   `mapping_version` and `config_model`, and implements `translate` (which may use
   `received_at` to date payloads without a timestamp). Override `bind` only when the mapping
   depends on the instance's options. mypy checks the contract; an incomplete connector cannot
   be instantiated.
2. Courier events use the subject `tracking:<number>` (`TRACKING_SUBJECT`) and put the source's
   own code and text in `data.raw` (`raw_status`; free text through `scrub`).
3. One line in `connectors/sdk/registry.py` `BUILTIN` (or, outside this repository, an entry
   point in the `orderlens.connectors` group: no line here at all).
4. Tests in `tests/connectors/test_acme*.py`, recorded payloads in `tests/fixtures/acme/`
   (every event must pass `to_draft`: see `tests/connectors/golden.py`).
5. For the demo: its encoder in `gateway/demo/native/acme.py`, so the demo speaks the source's
   own format over HTTP.
"""

from connectors.pull import (
    Backoff,
    BreakerState,
    CursorStore,
    MemoryCursorStore,
    Outcome,
    PullPolicy,
    PullRunner,
    SourceHealth,
)
from connectors.sdk import (
    BUILTIN,
    TRACKING_SUBJECT,
    Connector,
    ConnectorConfigError,
    ConnectorLoadError,
    Instance,
    Kind,
    Page,
    PayloadError,
    PullClient,
    PullConnector,
    PushConnector,
    RateLimited,
    SignatureError,
    SourceUnavailable,
    Translation,
    Translator,
    Verified,
    available,
    load,
    load_instances,
    parse_event,
    parse_instances,
    raw_status,
    scrub,
    to_draft,
)
from connectors.webhooks import (
    DEFAULT_TOLERANCE,
    BodyHmac,
    VerifiedDelivery,
    WebhookVerificationError,
    signature_headers,
    verify_standard_webhook,
)

__all__ = [
    "BUILTIN",
    "DEFAULT_TOLERANCE",
    "TRACKING_SUBJECT",
    "Backoff",
    "BodyHmac",
    "BreakerState",
    "Connector",
    "ConnectorConfigError",
    "ConnectorLoadError",
    "CursorStore",
    "Instance",
    "Kind",
    "MemoryCursorStore",
    "Outcome",
    "Page",
    "PayloadError",
    "PullClient",
    "PullConnector",
    "PullPolicy",
    "PullRunner",
    "PushConnector",
    "RateLimited",
    "SignatureError",
    "SourceHealth",
    "SourceUnavailable",
    "Translation",
    "Translator",
    "Verified",
    "VerifiedDelivery",
    "WebhookVerificationError",
    "available",
    "load",
    "load_instances",
    "parse_event",
    "parse_instances",
    "raw_status",
    "scrub",
    "signature_headers",
    "to_draft",
    "verify_standard_webhook",
]
