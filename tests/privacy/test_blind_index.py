"""Blind indexes: normalization, stable buckets, key separation, and silent errors."""

from __future__ import annotations

import random
from typing import ClassVar

import pytest

from privacy import BlindIndex, normalize_email, normalize_phone

ROOT = bytes(range(32))


@pytest.fixture
def index() -> BlindIndex:
    return BlindIndex(ROOT)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86-138-1234-5678",
        "+86 138 1234 5678",
        "(+86)13812345678",
        "0086 138 1234 5678",
        "  +8613812345678\t",
    ],
)
def test_phone_formats_normalize_and_index_alike(index: BlindIndex, raw: str) -> None:
    assert normalize_phone(raw) == "+8613812345678"
    assert index.phone(raw) == index.phone("+8613812345678")


def test_phone_other_region() -> None:
    assert normalize_phone("+1 650-253-0000") == "+16502530000"
    assert normalize_phone("(650) 253-0000", default_region="US") == "+16502530000"


@pytest.mark.parametrize(
    "raw", ["", "abc", "12345", "138-1234-567", "+86 999 9999 9999", "1" * 300, "@@"]
)
def test_invalid_phone(index: BlindIndex, raw: str) -> None:
    for call in (normalize_phone, index.phone):
        with pytest.raises(ValueError) as info:
            call(raw)
        assert str(info.value) == "not a valid phone number"
        assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.parametrize(
    "raw",
    [
        "Zhang.Wei@Example.COM",
        "  zhang.wei@example.com ",
        "ZHANG.WEI@EXAMPLE.COM",
        "ｚｈａｎｇ.ｗｅｉ＠ｅｘａｍｐｌｅ.ｃｏｍ",  # full-width forms, folded by NFKC
    ],
)
def test_email_variants_match(index: BlindIndex, raw: str) -> None:
    assert normalize_email(raw) == "zhang.wei@example.com"
    assert index.email(raw) == index.email("zhang.wei@example.com")


def test_email_idna_domain(index: BlindIndex) -> None:
    assert normalize_email("Wei@Bücher.Example") == "wei@xn--bcher-kva.example"
    assert normalize_email("wei@例子.中国") == "wei@xn--fsqu00a.xn--fiqs8s"
    # Normalizing twice changes nothing: stored and looked-up values meet.
    assert normalize_email(normalize_email("Wei@Bücher.Example")) == "wei@xn--bcher-kva.example"
    assert index.email("wei@bücher.example") == index.email("WEI@xn--bcher-kva.example")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign.example.com",
        "two@@example.com",
        "a@b@example.com",
        "@example.com",
        "wei@localhost",
        "wei@example..com",
        "wei@.example.com",
        "wei@example.com.",
        "wei zhang@example.com",
        "wei@exa mple.com",
        "wei\x00@example.com",
        "wei@" + "a" * 64 + ".com",
    ],
)
def test_invalid_email(index: BlindIndex, raw: str) -> None:
    for call in (normalize_email, index.email):
        with pytest.raises(ValueError) as info:
            call(raw)
        assert str(info.value) == "not a valid email address"
        assert info.value.__context__ is None or info.value.__suppress_context__


def test_bucket_range_and_determinism(index: BlindIndex) -> None:
    value = index.phone("13812345678")
    assert 0 <= value < 2**BlindIndex.BITS
    assert BlindIndex(ROOT).phone("13812345678") == value


def test_different_numbers_mostly_differ(index: BlindIndex) -> None:
    rng = random.Random(20261120)
    prefixes = ["135", "138", "139", "186", "189"]
    numbers = {f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}" for _ in range(300)}
    buckets = {index.phone(n) for n in numbers}
    # 300 values in 65,536 buckets: expect under one collision, allow a few.
    assert len(buckets) >= len(numbers) - 5


def test_root_key_matters() -> None:
    other = BlindIndex(bytes(32))
    index = BlindIndex(ROOT)
    phones = [f"1381234{n:04d}" for n in range(20)]
    assert [index.phone(p) for p in phones] != [other.phone(p) for p in phones]


class NextVersion(BlindIndex):
    VERSION: ClassVar[int] = 2


class SupplierIndex(BlindIndex):
    PHONE: ClassVar[tuple[str, str]] = ("suppliers", "phone")


@pytest.mark.parametrize("variant", [NextVersion, SupplierIndex])
def test_version_and_column_separate_keys(variant: type[BlindIndex]) -> None:
    phones = [f"1381234{n:04d}" for n in range(20)]
    current, changed = BlindIndex(ROOT), variant(ROOT)
    assert [current.phone(p) for p in phones] != [changed.phone(p) for p in phones]


class EmailUnderPhoneKey(BlindIndex):
    EMAIL: ClassVar[tuple[str, str]] = ("customers", "phone")


def test_phone_and_email_keys_differ(index: BlindIndex) -> None:
    # Same input under the phone column's key: a phone bucket says nothing about an email's.
    emails = [f"user{n}@example.com" for n in range(20)]
    crossed = EmailUnderPhoneKey(ROOT)
    assert [crossed.email(e) for e in emails] != [index.email(e) for e in emails]


def test_root_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        BlindIndex(bytes(16))


def test_repr_hides_keys(index: BlindIndex) -> None:
    text = repr(index)
    assert text == "BlindIndex(v1, 16 bits)"
    assert ROOT.hex()[:8] not in text and str(index) == text
