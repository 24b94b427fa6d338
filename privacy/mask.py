"""Pure masking functions: a clear value in, what a viewer may see out.

Masks are fixed width, so they never reveal how long a name, local part or number is
(length-preserving masks leak it). Addresses are generalized from structured parts only,
never by cutting a street string. Nothing here does I/O or mutates its input.
"""

from __future__ import annotations

import unicodedata
from typing import Final, Literal

Level = Literal["country", "region", "city"]
LEVELS: Final[frozenset[str]] = frozenset({"country", "region", "city"})

STARS: Final = "****"  # phone and postal middle; fixed, whatever was hidden
_NAME_STAR: Final = "*"
_EMAIL_STARS: Final = "***"

# Separators people type inside phone numbers; removed before masking so "+86 138-1234-5678"
# and "+8613812345678" mask the same way.
_PHONE_SEPARATORS: Final = str.maketrans("", "", " \t-().\u00a0")
# E.164 country codes are prefix-free: 1 and 7 are one digit, these are two, the rest three.
_CC_TWO_DIGITS: Final = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)
_MIN_NATIONAL_FOR_TAIL: Final = 6  # below this, two shown digits would be a third of the number

# Where region and city are written together without a separator (浙江省杭州市).
_NO_SEPARATOR_COUNTRIES: Final = frozenset({"CN", "CHN", "中国"})

_ZWJ: Final = "\u200d"
_REGIONAL_INDICATORS: Final = range(0x1F1E6, 0x1F200)
_EMOJI_MODIFIERS: Final = range(0x1F3FB, 0x1F400)
_TAG_CHARACTERS: Final = range(0xE0020, 0xE0080)


def _country_code(digits: str) -> str:
    if digits[0] in "17":
        return digits[0]
    if digits[:2] in _CC_TWO_DIGITS:
        return digits[:2]
    return digits[:3]


def _ascii_digits(s: str) -> bool:
    # str.isdigit alone accepts "²" and Arabic-Indic digits.
    return s.isascii() and s.isdigit()


def partial_phone(e164: str) -> str:
    """China mobile → "138****5678"; other numbers → "+44****23"; unparseable → "****"."""
    s = e164.strip().translate(_PHONE_SEPARATORS)
    if s.startswith("00"):
        s = "+" + s[2:]
    if not s.startswith("+"):
        # A bare 11-digit national CN mobile is the same number as its +86 form.
        if len(s) == 11 and s[0] == "1" and _ascii_digits(s):
            s = "+86" + s
        else:
            return STARS  # no country code: nothing we could safely keep
    digits = s[1:]
    if not _ascii_digits(digits) or not 4 <= len(digits) <= 15:
        return STARS
    if len(digits) == 13 and digits.startswith("861"):
        national = digits[2:]
        return national[:3] + STARS + national[-4:]
    cc = _country_code(digits)
    national = digits[len(cc) :]
    if len(national) < _MIN_NATIONAL_FOR_TAIL:
        return f"+{cc}{STARS}"
    return f"+{cc}{STARS}{national[-2:]}"


def _extends_cluster(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")  # combining marks, variation selectors
        or cp in _EMOJI_MODIFIERS
        or cp in _TAG_CHARACTERS
    )


def first_grapheme(s: str) -> str:
    """The first user-perceived character: base plus combining marks, emoji sequences, flags.

    Not full UAX #29, but enough that a mask never splits a character into a broken one.
    """
    if not s:
        return ""
    i = 1
    # A surrogate pair that survived decoding (surrogatepass) is one character.
    if "\ud800" <= s[0] <= "\udbff" and len(s) > 1 and "\udc00" <= s[1] <= "\udfff":
        i = 2
    elif ord(s[0]) in _REGIONAL_INDICATORS and len(s) > 1 and ord(s[1]) in _REGIONAL_INDICATORS:
        i = 2  # a flag is two regional indicators
    while i < len(s):
        if _extends_cluster(s[i]):
            i += 1
        elif s[i] == _ZWJ:
            i += 2 if i + 1 < len(s) else 1  # ZWJ glues the next character on
        else:
            break
    return s[:i]


def first_char(name: str) -> str:
    """First character and one star: 张伟 → 张*, John Smith → J*, empty → *."""
    return first_grapheme(name.strip()) + _NAME_STAR


def email_local1(email: str) -> str:
    """First character of the local part: zhang.wei@example.com → z***@example.com."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return _EMAIL_STARS  # not an address: show nothing of it
    # Domains are case-insensitive; lower-casing keeps equal addresses masking equally.
    return first_grapheme(local) + _EMAIL_STARS + "@" + domain.lower()


def _clean(part: str | None) -> str | None:
    if part is None:
        return None
    return part.strip() or None


def _is_cjk(text: str) -> bool:
    return all(unicodedata.name(ch, "").startswith(("CJK ", "HIRAGANA", "KATAKANA")) for ch in text)


def generalize_address(
    country: str | None, region: str | None, city: str | None, level: Level
) -> str | None:
    """A coarse label from structured parts; a missing part falls back to a coarser one."""
    if level not in LEVELS:
        raise ValueError(f"unknown generalization level {level!r}")
    country, region, city = _clean(country), _clean(region), _clean(city)
    if level == "country":
        return country
    if level == "region":
        return region or country
    if region is None or city is None:
        return city or region or country
    if region.casefold() == city.casefold():
        return city  # municipalities: 上海市/上海市 shows once
    no_sep = (country is not None and country.upper() in _NO_SEPARATOR_COUNTRIES) or (
        country is None and _is_cjk(region) and _is_cjk(city)
    )
    return region + city if no_sep else f"{region}, {city}"


def partial_postal(code: str) -> str:
    """First 2 characters + "****"; codes too short to hide most of are hidden entirely."""
    s = code.strip()
    if len(s) < 4:
        return STARS
    return s[:2] + STARS


def redact(value: object = None, /) -> None:
    """The value is withheld: null in the response."""
