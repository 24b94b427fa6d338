"""Reference data for the demo simulator: products, places, carriers and their status codes.

All of it is invented but shaped like the real thing. There is no personal data here: places are
cities and carrier hubs, never addresses. The fake customers are in `people.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

MAPPING_VERSION: Final = "demo-2025.1"


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    description: str
    weight_grams: int
    bulky: bool  # ships alone, by a large-item carrier, domestic only
    installation: bool  # the merchant offers installation once it is delivered


PRODUCTS: Final = (
    Product("APL-WM-8KG", "Front-load washing machine 8 kg", 63_000, True, True),
    Product("APL-FR-450", "French-door refrigerator 450 L", 98_000, True, True),
    Product("APL-DW-60", "Built-in dishwasher 60 cm", 41_000, True, True),
    Product("APL-AC-35", "Split air conditioner 3.5 kW", 38_000, True, True),
    Product("ELC-TV-65", "65-inch 4K television", 27_000, True, True),
    Product("APL-MW-25", "Microwave oven 25 L", 12_500, False, False),
    Product("APL-VC-R7", "Robot vacuum cleaner", 4_200, False, False),
    Product("APL-AP-H13", "Air purifier with H13 filter", 7_800, False, False),
    Product("ELC-LP-14", "14-inch laptop 16 GB", 1_900, False, False),
    Product("ELC-PH-256", "Smartphone 256 GB", 420, False, False),
    Product("ELC-TB-11", "11-inch tablet", 690, False, False),
    Product("ELC-HP-NC", "Noise-cancelling headphones", 380, False, False),
    Product("ELC-SB-51", "5.1 soundbar with subwoofer", 9_400, False, False),
    Product("ELC-WT-46", "Smartwatch 46 mm", 160, False, False),
    Product("ACC-PB-20K", "Power bank 20000 mAh", 450, False, False),
    Product("ACC-CB-C2M", "USB-C cable 2 m", 80, False, False),
    Product("ACC-CH-65W", "65 W GaN charger", 140, False, False),
)


@dataclass(frozen=True, slots=True)
class Place:
    city: str
    region: str
    country: str  # ISO 3166-1 alpha-2
    utc_offset: int  # hours; a fixed offset (no daylight saving) is enough for a demo
    code: str  # three-letter hub code, as carriers use them

    @property
    def domestic(self) -> bool:
        return self.country == "CN"

    def hub(self, kind: str, number: int = 1) -> dict[str, object]:
        """A carrier facility in this city: a location with no street address."""
        return {
            "city": self.city,
            "region": self.region,
            "country": self.country,
            "hub_id": f"{self.country}-{self.code}-{number:02d}",
            "hub_name": f"{self.city} {kind}",
        }

    def area(self) -> dict[str, object]:
        return {"city": self.city, "region": self.region, "country": self.country}


# Where the merchant ships from: an e-commerce DC and a large-appliance DC.
PARCEL_WAREHOUSES: Final = (
    Place("Shanghai", "Shanghai", "CN", 8, "SHA"),
    Place("Shenzhen", "Guangdong", "CN", 8, "SZX"),
)
BULKY_WAREHOUSE: Final = Place("Chengdu", "Sichuan", "CN", 8, "CTU")
# Long domestic hauls go through a national hub.
NATIONAL_HUBS: Final = (
    Place("Wuhan", "Hubei", "CN", 8, "WUH"),
    Place("Zhengzhou", "Henan", "CN", 8, "CGO"),
)
DOMESTIC: Final = (
    Place("Shanghai", "Shanghai", "CN", 8, "SHA"),
    Place("Beijing", "Beijing", "CN", 8, "PEK"),
    Place("Guangzhou", "Guangdong", "CN", 8, "CAN"),
    Place("Shenzhen", "Guangdong", "CN", 8, "SZX"),
    Place("Chengdu", "Sichuan", "CN", 8, "CTU"),
    Place("Hangzhou", "Zhejiang", "CN", 8, "HGH"),
    Place("Nanjing", "Jiangsu", "CN", 8, "NKG"),
    Place("Suzhou", "Jiangsu", "CN", 8, "SZV"),
    Place("Xi'an", "Shaanxi", "CN", 8, "XIY"),
    Place("Chongqing", "Chongqing", "CN", 8, "CKG"),
    Place("Tianjin", "Tianjin", "CN", 8, "TSN"),
    Place("Xiamen", "Fujian", "CN", 8, "XMN"),
)
INTERNATIONAL: Final = (
    Place("Singapore", "Singapore", "SG", 8, "SIN"),
    Place("Tokyo", "Tokyo", "JP", 9, "NRT"),
    Place("Seoul", "Seoul", "KR", 9, "ICN"),
    Place("Sydney", "New South Wales", "AU", 10, "SYD"),
    Place("Berlin", "Berlin", "DE", 1, "BER"),
    Place("Frankfurt", "Hesse", "DE", 1, "FRA"),
    Place("Amsterdam", "North Holland", "NL", 1, "AMS"),
    Place("London", "England", "GB", 0, "LHR"),
    Place("Los Angeles", "California", "US", -8, "LAX"),
)
EXPORT_GATEWAYS: Final = {
    "dhl": Place("Hong Kong", "Hong Kong", "HK", 8, "HKG"),
    "ups": Place("Shanghai", "Shanghai", "CN", 8, "PVG"),
}

# Status code and text per carrier for each kind of scan, like the carriers' own feeds (as
# EasyPost passes them on; UPS's own codes are in native/ups.py, with its Track API shapes).
_SCANS = (
    "picked_up",
    "arrived",
    "departed",
    "dest_country",
    "customs",
    "customs_released",
    "rescheduled",
    "out_for_delivery",
    "attempted",
    "exception",
    "delivered",
)
_CODES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "sf-express": (
        ("50", "Shipment collected by courier"),
        ("30", "Arrived at sorting center"),
        ("36", "Departed sorting center"),
        ("30", "Arrived in destination country"),
        ("605", "Customs clearance in progress"),
        ("606", "Customs clearance completed"),
        ("70", "Delivery time updated"),
        ("44", "Out for delivery"),
        ("77", "Delivery attempted, recipient not available"),
        ("33", "Shipment exception"),
        ("80", "Delivered"),
    ),
    "jd-logistics": (
        ("PICKUP", "Collected from merchant warehouse"),
        ("ARRIVE", "Arrived at large-item sorting center"),
        ("DEPART", "Departed sorting center"),
        ("ARRIVE", "Arrived in destination country"),
        ("CUSTOMS", "Customs clearance in progress"),
        ("CLEARED", "Customs clearance completed"),
        ("RESCHEDULE", "Delivery appointment rescheduled"),
        ("DISPATCH", "Delivery team on the way"),
        ("FAILED", "Delivery not completed, customer not at home"),
        ("ABNORMAL", "Shipment exception reported"),
        ("SIGNED", "Delivered and signed"),
    ),
    "dhl": (
        ("PU", "Shipment picked up"),
        ("AF", "Arrived at DHL facility"),
        ("DF", "Departed facility"),
        ("AD", "Arrived at destination country"),
        ("CR", "Customs clearance status updated"),
        ("CC", "Clearance processing complete"),
        ("RD", "Delivery rescheduled"),
        ("WC", "With delivery courier"),
        ("NH", "Delivery attempted; recipient not home"),
        ("HP", "Shipment on hold"),
        ("OK", "Delivered"),
    ),
}
CARRIER_CODES: Final = {
    carrier: dict(zip(_SCANS, codes, strict=True)) for carrier, codes in _CODES.items()
}


@dataclass(frozen=True, slots=True)
class Carrier:
    name: str  # the catalog's key for its status codes
    service_level: str
    facility: str  # how the carrier names its sorting facilities
    native: str  # how EasyPost, ShipHero and 3PLs name it; the gateway shows it lowercased
    pulled: bool = False  # tracked by polling its own API (UPS), else by EasyPost webhooks

    @property
    def slug(self) -> str:
        """The carrier as the gateway's shipments name it (connectors lowercase it)."""
        return self.native.lower()

    def code(self, scan: str) -> tuple[str, str]:
        """The carrier's own status code and text for a kind of scan."""
        return CARRIER_CODES[self.name][scan]

    def tracking_number(self, rng: random.Random) -> str:
        digits = "".join(str(rng.randrange(10)) for _ in range(13))
        if self.name == "sf-express":
            return f"SF{digits}"  # SF waybills: "SF" and 13 digits
        if self.name == "jd-logistics":
            return f"JDVC{digits[:11]}"
        if self.name == "ups":
            # "1Z", a 6-character shipper number, a 2-digit service code, 8 digits.
            return f"1ZA9E24V66{digits[:8]}"
        return digits[:10]  # DHL Express waybills are 10 digits


PARCEL_CARRIER: Final = Carrier(
    "sf-express", "SF Standard Express", "Sorting Center", native="SFExpress"
)
BULKY_CARRIER: Final = Carrier(
    "jd-logistics", "JD Large Item Delivery", "Large Item Center", native="JDLogistics"
)
DHL: Final = Carrier("dhl", "DHL Express Worldwide", "Service Center", native="DHLExpress")
UPS: Final = Carrier("ups", "UPS Worldwide Saver", "Hub", native="UPS", pulled=True)
INTERNATIONAL_CARRIERS: Final = (DHL, UPS)

# The in-house systems' own codes (payments, installation scheduling, the service desk): they
# send the normalized format, so their raw code and text travel as they are.
INHOUSE_CODES: Final = {
    "confirmed": ("CONTACT_VERIFIED", "Order confirmed by phone, contact corrected"),
    "payment_captured": ("CAPTURED", "Payment captured"),
    "refunded": ("REFUNDED", "Refund issued"),
    "installation_offered": ("INSTALL_OFFER", "Installation service offered"),
    "installation_booked": ("INSTALL_BOOKED", "Installation appointment booked"),
    "technician_en_route": ("TECH_DISPATCHED", "Technician dispatched"),
    "technician_on_site": ("TECH_ARRIVED", "Technician checked in"),
    "commissioned": ("INSTALLED", "Installation completed and tested"),
}


def raw(milestone: str) -> dict[str, object]:
    code, text = INHOUSE_CODES[milestone]
    return {"code": code, "text": text, "mapping_version": MAPPING_VERSION}
