"""Personal data in clear, as the vault hands it to the presenter. Never logged, never cached:
each repr hides the values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        return "Contact(<redacted>)"


@dataclass(frozen=True, slots=True)
class Address:
    # Country, region and city are stored in clear (they are what generalized views show).
    country: str | None = None
    region: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    postal_code: str | None = None

    def area(self) -> dict[str, str | None]:
        return {"country": self.country, "region": self.region, "city": self.city}

    def __repr__(self) -> str:
        return f"Address(country={self.country!r}, city={self.city!r}, <redacted>)"


@dataclass(frozen=True, slots=True)
class Proof:
    signer_name: str | None = None
    photo_ref: str | None = None

    def __repr__(self) -> str:
        return "Proof(<redacted>)"


@dataclass(frozen=True, slots=True)
class OrderPii:
    """One order's personal data. `erased` means the customer's key was destroyed."""

    customer_ref: str | None = None
    contact: Contact | None = None
    address: Address | None = None
    proofs: Mapping[str, Proof] = field(default_factory=dict)  # by shipment id
    erased: bool = False

    def __repr__(self) -> str:
        return f"OrderPii(customer_ref={self.customer_ref!r}, erased={self.erased}, <redacted>)"
