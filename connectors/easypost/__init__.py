"""EasyPost tracker webhooks: a push connector (HMAC-signed Events, see signature.py)."""

from connectors.easypost.connector import CONNECTOR, EasyPostConnector
from connectors.easypost.mapping import MAPPING_VERSION, map_detail
from connectors.easypost.models import EasyPostConfig
from connectors.easypost.parse import SOURCE_URI, translate
from connectors.easypost.signature import sign, verify

__all__ = [
    "CONNECTOR",
    "MAPPING_VERSION",
    "SOURCE_URI",
    "EasyPostConfig",
    "EasyPostConnector",
    "map_detail",
    "sign",
    "translate",
    "verify",
]
