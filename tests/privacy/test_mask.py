"""Masking functions: exact outputs, fixed widths, whole characters, inputs left alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from privacy.mask import (
    Level,
    email_local1,
    first_char,
    first_grapheme,
    generalize_address,
    partial_phone,
    partial_postal,
    redact,
)

# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "008613812345678",
        "13812345678",  # national form masks like its +86 form
        " +86 (138) 1234-5678 ",
    ],
)
def test_cn_mobile_keeps_first_3_and_last_4(raw: str) -> None:
    assert partial_phone(raw) == "138****5678"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+447700900123", "+44****23"),
        ("+12025550123", "+1****23"),
        ("+79161234567", "+7****67"),
        ("+4915123456789", "+49****89"),
        ("+85291234567", "+852****67"),
        ("+861012345678", "+86****78"),  # a Beijing landline is not a mobile
    ],
)
def test_other_numbers_keep_country_code_and_last_2(raw: str, masked: str) -> None:
    assert partial_phone(raw) == masked


def test_phone_mask_is_fixed_width() -> None:
    # Numbers of different lengths in one country mask to the same length.
    assert len(partial_phone("+4930123456")) == len(partial_phone("+4915123456789"))


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "12345", "+", "+abc", "+123", "+1234567890123456", "+８６13812345678", "+4٤123456"],
)
def test_unparseable_phone_reveals_nothing(raw: str) -> None:
    assert partial_phone(raw) == "****"


@pytest.mark.parametrize("raw", ["+44 1234", "+4412345"])
def test_short_national_number_shows_no_digits(raw: str) -> None:
    assert partial_phone(raw) == "+44****"


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟", "张*"),
        ("欧阳娜娜", "欧*"),  # fixed width: a four-character name looks like a two-character one
        ("John Smith", "J*"),
        ("  john", "j*"),
        ("", "*"),
        ("   ", "*"),
    ],
)
def test_first_char(name: str, masked: str) -> None:
    assert first_char(name) == masked


def test_first_char_keeps_combining_marks() -> None:
    decomposed = "e\u0301lodie"  # "é" as e + COMBINING ACUTE ACCENT
    assert first_char(decomposed) == "e\u0301*"
    assert first_char("a\u0308\u0323bc") == "a\u0308\u0323*"


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("😀 Smile", "😀"),  # outside the BMP: a surrogate pair in UTF-16
        ("👩‍💻 Dev", "👩‍💻"),  # ZWJ sequence
        ("👍🏽 ok", "👍🏽"),  # skin-tone modifier
        ("❤️x", "❤️"),  # variation selector
        ("🇨🇳🇩🇪", "🇨🇳"),  # flag: two regional indicators, not four
        ("𠮷野家", "𠮷"),  # CJK extension B ideograph
    ],
)
def test_first_char_keeps_emoji_and_astral_characters_whole(name: str, first: str) -> None:
    assert first_char(name) == first + "*"


def test_first_grapheme_joins_surrogate_pair_that_survived_decoding() -> None:
    pair = "\ud83d\ude00x"  # two code points, as from a surrogatepass decode
    assert first_grapheme(pair) == "\ud83d\ude00"
    assert first_char(pair) == "\ud83d\ude00*"


# --- email -----------------------------------------------------------------------------------


def test_email_local1() -> None:
    assert email_local1("zhang.wei@example.com") == "z***@example.com"
    assert email_local1("Z@Example.COM") == "Z***@example.com"


def test_emails_of_different_local_lengths_mask_to_equal_length() -> None:
    masks = {email_local1(f"{'a' * n}@example.com") for n in (1, 2, 9, 40)}
    assert masks == {"a***@example.com"}


@pytest.mark.parametrize("raw", ["not-an-email", "", "   "])
def test_non_email_reveals_nothing(raw: str) -> None:
    assert email_local1(raw) == "***"


def test_email_uses_last_at_sign() -> None:
    assert email_local1('"a@b"@example.com') == '"***@example.com'


# --- addresses -------------------------------------------------------------------------------


def test_generalize_cn_municipality_shows_city_once() -> None:
    assert generalize_address("CN", "上海市", "上海市", "city") == "上海市"


def test_generalize_cn_province_and_city_join_without_separator() -> None:
    assert generalize_address("CN", "浙江省", "杭州市", "city") == "浙江省杭州市"
    assert generalize_address(None, "浙江省", "杭州市", "city") == "浙江省杭州市"


def test_generalize_non_cn_joins_with_comma() -> None:
    assert generalize_address("DE", "Bavaria", "Munich", "city") == "Bavaria, Munich"
    assert generalize_address("DE", "Berlin", "berlin", "city") == "berlin"


@pytest.mark.parametrize(
    ("parts", "level", "label"),
    [
        (("CN", "浙江省", "杭州市"), "region", "浙江省"),
        (("CN", "浙江省", "杭州市"), "country", "CN"),
        (("CN", None, "杭州市"), "city", "杭州市"),
        (("CN", "浙江省", None), "city", "浙江省"),  # falls back to coarser, never finer
        (("CN", None, None), "city", "CN"),
        (("CN", None, "杭州市"), "region", "CN"),
        ((None, None, None), "city", None),
        ((" ", "  ", ""), "city", None),
    ],
)
def test_generalize_levels_and_missing_parts(
    parts: tuple[str | None, str | None, str | None], level: Level, label: str | None
) -> None:
    country, region, city = parts
    assert generalize_address(country, region, city, level) == label


def test_generalize_rejects_unknown_level() -> None:
    with pytest.raises(ValueError, match="district"):
        generalize_address("CN", "上海市", "上海市", "district")  # type: ignore[arg-type]


# --- postal codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "masked"),
    [("200120", "20****"), ("SW1A 1AA", "SW****"), ("80331", "80****"), (" 1000 ", "10****")],
)
def test_partial_postal(code: str, masked: str) -> None:
    assert partial_postal(code) == masked


@pytest.mark.parametrize("code", ["", "12", "ABC"])
def test_short_postal_code_reveals_nothing(code: str) -> None:
    assert partial_postal(code) == "****"


def test_redact() -> None:
    withhold: Callable[[object], object] = redact
    assert withhold("+8613812345678") is None


def test_inputs_are_not_mutated() -> None:
    phone, name, email, postal = "+8613812345678", "张伟", "zhang.wei@example.com", "200120"
    parts = ["CN", "上海市", "上海市"]
    partial_phone(phone)
    first_char(name)
    email_local1(email)
    partial_postal(postal)
    generalize_address(parts[0], parts[1], parts[2], "city")
    assert (phone, name, email, postal) == (
        "+8613812345678",
        "张伟",
        "zhang.wei@example.com",
        "200120",
    )
    assert parts == ["CN", "上海市", "上海市"]
