"""Code lists of the ship-confirmation format, taken from X12 (the 945's own vocabularies).

Line status is X12 element 368 "Shipment/Order Status Code" as used in W12-01
(stedi.com/edi/x12-003030/element/368). Only the codes a ship confirmation uses for what
happened to a line are mapped; any other code is reported as a problem, never guessed.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

MAPPING_VERSION = "shipconfirm-xml-2026.11"


class LineOutcome(StrEnum):
    COMPLETE = "complete"  # everything that will ship for this line has shipped
    BACKORDER = "backorder"  # shipped in part, the rest is to follow
    CANCELLED = "cancelled"  # not shipped, and nothing will follow


LINE_STATUS: dict[str, tuple[LineOutcome, str]] = {
    "CC": (LineOutcome.COMPLETE, "Shipment Complete on (Date)"),
    "CP": (LineOutcome.COMPLETE, "Partial Shipment on (Date), Considered No Backorder"),
    "CS": (LineOutcome.COMPLETE, "Shipment Complete with Substitution"),
    "CM": (LineOutcome.COMPLETE, "Shipment Complete with Additional Quantity"),
    "BP": (LineOutcome.BACKORDER, "Shipment Partial, Back Order to Ship on (Date)"),
    "IC": (LineOutcome.CANCELLED, "Item Canceled"),
}

# Standard Carrier Alpha Codes of parcel carriers whose courier connectors name them
# otherwise; any other SCAC is kept as the carrier code, lowercased.
SCAC_CARRIER: dict[str, str] = {
    "UPSN": "ups",
    "FDEG": "fedex",
    "FDEN": "fedex",
    "USPS": "usps",
}

# Weight units: X12 element 355 codes and their UN/ECE Rec. 20 equivalents -> grams.
GRAMS_PER_UNIT: dict[str, Decimal] = {
    "KG": Decimal(1000),
    "KGM": Decimal(1000),
    "G": Decimal(1),
    "GR": Decimal(1),
    "GRM": Decimal(1),
    "LB": Decimal("453.59237"),
    "LBR": Decimal("453.59237"),
    "OZ": Decimal("28.349523125"),
    "ONZ": Decimal("28.349523125"),
}
