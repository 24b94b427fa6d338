"""UPS Track API v1: a pull connector polling each open tracking number (see client.py)."""

from connectors.ups.client import Cursor, UpsTrackClient
from connectors.ups.connector import CONNECTOR, UpsConnector
from connectors.ups.mapping import MAPPING_VERSION, map_activity
from connectors.ups.models import TrackingNumbers, UpsConfig
from connectors.ups.parse import SOURCE_URI, translate

__all__ = [
    "CONNECTOR",
    "MAPPING_VERSION",
    "SOURCE_URI",
    "Cursor",
    "TrackingNumbers",
    "UpsConfig",
    "UpsConnector",
    "UpsTrackClient",
    "map_activity",
    "translate",
]
