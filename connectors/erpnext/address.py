"""A Sales Order's `shipping_address` (an Address rendered through its template, lines joined by
`<br>`) back into `delivery_address` parts.

ERPNext's default template prints `line1, [line2], city, [state], [pincode], country`, then
`Phone:` / `Fax:` / `Email:` lines; regional templates print `pincode city` on one line
(Germany, Austria, Switzerland...). The parse is conservative: the country must be recognised,
contact lines are dropped (the contact travels apart), a postal code is taken only from a line
that is clearly one, the city is the last line before the postal code / country (with a state
line present that is the state, which is coarser and so safe to show), and everything else
goes, in order, into `street` (none: a city-level address), sealed and never shown to trackers.

The district (an Address's `county`: 区/县 in China, a borough elsewhere) cannot be told from a
second street line in print, so it is never guessed from the lines: the caller passes it from
a field that holds exactly it (see `district_field` in config.py), and a printed line equal
to it is then left out of the street.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*(?:p|div|li)\s*>|\r?\n", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_CONTACT_LINE = re.compile(  # "Phone: ...", "Tel. +49 ...", never "Tel Aviv"
    r"^(phone|tel|telephone|mobile|mob|fax|email|e-mail|gstin|tax id|电话|手机|邮箱)"
    r"\s*(?:[:：.]|\s[+\d(])",
    re.IGNORECASE,
)
_PHONE_LIKE = re.compile(r"^\+?[\d\s()./-]{7,}$")
# Lines that are a postal code and nothing else: numeric (10115, 200120, 62701-1234, 100-0001,
# 00-950), British, Canadian and Dutch forms.
_POSTAL_ONLY = re.compile(
    r"^(?:\d{3,7}(?:[ -]\d{3,4})?|\d{2}-\d{3}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4} ?[A-Z]{2})$",
    re.IGNORECASE,
)
_DUTCH_POSTAL_CITY = re.compile(r"^(\d{4} ?[A-Z]{2})\s+(\D.{0,99})$")
_POSTAL_CITY = re.compile(r"^(\d{3,7}|\d{2}-\d{3})\s+(\D.{0,99})$")  # 10115 Berlin
_CITY_STATE_POSTAL = re.compile(r"^([^,\d][^,]{0,99}),\s*([^,\d][^,]{0,60}?)\s+(\d{5}(?:-\d{4})?)$")

# ERPNext's country names (frappe/geo/country_info.json) for the usual markets, a few common
# spellings, and ISO codes themselves. A country not found here leaves the address unparsed.
COUNTRIES: dict[str, str] = {
    "argentina": "AR",
    "australia": "AU",
    "austria": "AT",
    "bangladesh": "BD",
    "belgium": "BE",
    "brazil": "BR",
    "bulgaria": "BG",
    "canada": "CA",
    "chile": "CL",
    "china": "CN",
    "colombia": "CO",
    "croatia": "HR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "denmark": "DK",
    "egypt": "EG",
    "estonia": "EE",
    "finland": "FI",
    "france": "FR",
    "germany": "DE",
    "greece": "GR",
    "hong kong": "HK",
    "hungary": "HU",
    "india": "IN",
    "indonesia": "ID",
    "ireland": "IE",
    "israel": "IL",
    "italy": "IT",
    "japan": "JP",
    "kenya": "KE",
    "korea, republic of": "KR",
    "south korea": "KR",
    "latvia": "LV",
    "lithuania": "LT",
    "luxembourg": "LU",
    "macao": "MO",
    "malaysia": "MY",
    "mexico": "MX",
    "morocco": "MA",
    "netherlands": "NL",
    "new zealand": "NZ",
    "nigeria": "NG",
    "norway": "NO",
    "pakistan": "PK",
    "peru": "PE",
    "philippines": "PH",
    "poland": "PL",
    "portugal": "PT",
    "qatar": "QA",
    "romania": "RO",
    "russian federation": "RU",
    "russia": "RU",
    "saudi arabia": "SA",
    "singapore": "SG",
    "slovakia": "SK",
    "slovenia": "SI",
    "south africa": "ZA",
    "spain": "ES",
    "sri lanka": "LK",
    "sweden": "SE",
    "switzerland": "CH",
    "taiwan": "TW",
    "thailand": "TH",
    "turkey": "TR",
    "türkiye": "TR",
    "ukraine": "UA",
    "united arab emirates": "AE",
    "united kingdom": "GB",
    "uk": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "vietnam": "VN",
    "viet nam": "VN",
    "中国": "CN",
    "中华人民共和国": "CN",
    "deutschland": "DE",
    "österreich": "AT",
    "schweiz": "CH",
}
_ISO = frozenset(COUNTRIES.values())


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    country: str
    city: str
    street: str | None  # None when the address names only a city (and region)
    postal_code: str | None = None
    region: str | None = None
    district: str | None = None

    def as_data(self) -> dict[str, str]:
        data = {"country": self.country, "city": self.city}
        if self.street:
            data["street"] = self.street
        if self.region:
            data["region"] = self.region
        if self.district:
            data["district"] = self.district
        if self.postal_code:
            data["postal_code"] = self.postal_code
        return data


def address_lines(text: str) -> list[str]:
    """The printed lines, without markup, blanks or contact lines."""
    lines = []
    for part in _BREAK.split(text):
        line = " ".join(html.unescape(_TAG.sub(" ", part)).split()).strip(" ,")
        if line and not _CONTACT_LINE.match(line) and "@" not in line and not _phone(line):
            lines.append(line)
    return lines


def _phone(line: str) -> bool:
    if not _PHONE_LIKE.match(line):
        return False
    return line.startswith("+") or sum(c.isdigit() for c in line) >= 10


def country_code(line: str) -> str | None:
    name = line.strip().rstrip(".").casefold()
    if name.upper() in _ISO:
        return name.upper()
    return COUNTRIES.get(name)


def parse_address(text: str, district: str | None = None) -> ParsedAddress | str:
    """The address, or why it could not be read (the reason never quotes the address).

    ``district`` comes from its own field, never from the printed lines."""
    lines = address_lines(text)
    if not lines:
        return "shipping_address is empty"
    country = country_code(lines[-1])
    if country is None:
        return "shipping_address: the last line is not a country this connector knows"
    rest = lines[:-1]
    postal: str | None = None
    if rest and _POSTAL_ONLY.match(rest[-1]) and len(rest) > 1:
        postal = rest.pop()
    if not rest:
        return "shipping_address has no city line"
    city_line = rest.pop()
    city, region = city_line, None
    if postal is None:
        if match := _DUTCH_POSTAL_CITY.match(city_line) or _POSTAL_CITY.match(city_line):
            postal, city = match.group(1), match.group(2)
        elif match := _CITY_STATE_POSTAL.match(city_line):
            city, region, postal = match.group(1), match.group(2), match.group(3)
    if district is not None:  # printed by a template that shows `county`: not street
        rest = [line for line in rest if line.casefold() != district.casefold()]
    street = ", ".join(rest) or None  # a city-level address has no street line
    if len(city) > 100 or len(street or "") > 300 or (postal is not None and len(postal) > 16):
        return "shipping_address has a line too long to be an address part"
    return ParsedAddress(
        country=country,
        city=city.strip(),
        street=street,
        postal_code=postal,
        region=region,
        district=district,
    )
