"""Native encoders: each planned step as the system that reports it really sends it (ERPNext
Sales Orders, ShipHero webhooks, X12 945 XML, EasyPost trackers, UPS Track API answers,
in-house CloudEvents), signed with that system's own scheme."""

from gateway.demo.native.delivery import Delivery, signed_headers
from gateway.demo.native.feeds import NativeFeeds
from gateway.demo.native.ups import UpsTracking

__all__ = ["Delivery", "NativeFeeds", "UpsTracking", "signed_headers"]
