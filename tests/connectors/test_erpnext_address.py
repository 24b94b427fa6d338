"""Reading a Sales Order's rendered shipping address back into delivery_address parts."""

from __future__ import annotations

import pytest

from connectors.erpnext.address import ParsedAddress, parse_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # regional template: postal code and city on one line; contact lines dropped
            "Hauptstr. 1<br>\n10115 Berlin<br>\nGermany<br>\nPhone: +49 30 0000000<br>\n"
            "Email: jane.doe@example.com<br>",
            ParsedAddress("DE", "Berlin", "Hauptstr. 1", "10115"),
        ),
        (  # default template with a state line: the city shown is the (coarser) state
            "1 Main St<br>Apt 4<br>Springfield<br>Illinois<br>62701<br>United States<br>",
            ParsedAddress("US", "Illinois", "1 Main St, Apt 4, Springfield", "62701"),
        ),
        (
            "100 Example Ave<br>Springfield, IL 62701<br>United States",
            ParsedAddress("US", "Springfield", "100 Example Ave", "62701", region="IL"),
        ),
        (
            "世纪大道100号<br>浦东新区<br>上海<br>200120<br>China<br>电话：138 0000 0000",
            ParsedAddress("CN", "上海", "世纪大道100号, 浦东新区", "200120"),
        ),
        (
            "Keizersgracht 1<br>1015 CJ Amsterdam<br>Netherlands",
            ParsedAddress("NL", "Amsterdam", "Keizersgracht 1", "1015 CJ"),
        ),
        (
            "10 Example Street<br>London<br>SW1A 2AA<br>United Kingdom",
            ParsedAddress("GB", "London", "10 Example Street", "SW1A 2AA"),
        ),
        (
            "<p>Rue Exemple 5</p><p>75001 Paris</p><p>FR</p>",
            ParsedAddress("FR", "Paris", "Rue Exemple 5", "75001"),
        ),
        (  # an unlabelled phone line is dropped too; "Tel Aviv" is a city, not a phone label
            "Example Blvd 1\n+972 3 000 0000\n6688101 Tel Aviv\nIsrael",
            ParsedAddress("IL", "Tel Aviv", "Example Blvd 1", "6688101"),
        ),
        (  # no postal code at all: street and city only
            "Calle Ejemplo 3, 2º B<br>Madrid<br>Spain",
            ParsedAddress("ES", "Madrid", "Calle Ejemplo 3, 2º B"),
        ),
        ("Berlin<br>Germany", ParsedAddress("DE", "Berlin", None)),  # city-level only
    ],
)
def test_rendered_addresses_are_read_conservatively(text: str, expected: ParsedAddress) -> None:
    assert parse_address(text) == expected
    data = expected.as_data()
    assert set(data) <= {"country", "region", "city", "street", "postal_code"}
    assert all("@" not in value and "+" not in value for value in data.values())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("<br><br>", "empty"),
        ("Example Road 5<br>Atlantis", "not a country"),
        ("Germany", "no city line"),
        ("Example Road 5<br>" + "X" * 120 + "<br>Germany", "too long"),
    ],
)
def test_unreadable_addresses_say_why_without_quoting_them(text: str, reason: str) -> None:
    result = parse_address(text)
    assert isinstance(result, str) and reason in result
    assert "Example" not in result and "Atlantis" not in result


def test_the_district_comes_from_its_own_field_and_leaves_the_street() -> None:
    printed = "世纪大道100号 8栋 1203室<br>浦东新区<br>上海市<br>200120<br>China<br>"
    assert parse_address(printed, "浦东新区") == ParsedAddress(
        "CN", "上海市", "世纪大道100号 8栋 1203室", "200120", district="浦东新区"
    )
    assert parse_address(printed, "浦东新区").as_data()["district"] == "浦东新区"  # type: ignore[union-attr]
    # A template that does not print the county: the street is untouched.
    london = parse_address("12 Parkway<br>London<br>NW1 7AA<br>United Kingdom", "Camden")
    assert london == ParsedAddress("GB", "London", "12 Parkway", "NW1 7AA", district="Camden")
    # Without the field nothing is guessed: a second line may be a flat, not a district.
    assert parse_address(printed) == ParsedAddress(
        "CN", "上海市", "世纪大道100号 8栋 1203室, 浦东新区", "200120"
    )
