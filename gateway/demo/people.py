"""Fake customers for the demo: names, phones, emails, delivery addresses and delivery proofs.

The native encoders put it where each system carries it (a Sales Order's customer_name,
contact_mobile, contact_email and shipping_address; ship-to blocks the connectors never read;
a courier's signer); the connectors hand it to the gateway only under the keys it seals.

Everything is invented. Phone numbers are valid for libphonenumber; where a country reserves a
range for drama and examples (UK 020 7946 0xxx, US 555-01xx, Australia 0491 570 xxx and
(02) 5550 xxxx, Germany 030 23125 xxx and 069 90009 xxx) the numbers come from that range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Final

from gateway.demo.addresses import delivery_address
from gateway.demo.catalog import Place

# Chinese surnames (a few two-character ones) and given names, each with its pinyin.
SURNAMES: Final = (
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
    ("林", "lin"),
    ("何", "he"),
    ("郭", "guo"),
    ("马", "ma"),
    ("罗", "luo"),
)
COMPOUND_SURNAMES: Final = (("欧阳", "ouyang"), ("司马", "sima"), ("上官", "shangguan"))
GIVEN_NAMES: Final = tuple(
    tuple(pair.split(":"))
    for pair in (
        "伟:wei 芳:fang 娜:na 洋:yang 敏:min 静:jing 磊:lei 强:qiang 军:jun 杰:jie 丽:li 婷:ting "
        "秀英:xiuying 娜娜:nana 建华:jianhua 子轩:zixuan 雨桐:yutong 浩然:haoran 欣怡:xinyi "
        "梓涵:zihan 思远:siyuan 晓明:xiaoming 宇航:yuhang 佳怡:jiayi 俊杰:junjie 文博:wenbo"
    ).split()
)
CN_MAIL: Final = ("163.com", "qq.com", "126.com", "sina.com", "foxmail.com", "outlook.com")
# Three-digit prefixes of Chinese mobile networks (China Mobile, Unicom, Telecom).
CN_MOBILE: Final = (
    *range(130, 140),
    *(150, 151, 152, 153, 155, 156, 157, 158, 159),
    *(166, 173, 175, 176, 177, 178),
    *range(180, 190),
    *(191, 198, 199),
)


@dataclass(frozen=True, slots=True)
class Country:
    first: tuple[str, ...]
    last: tuple[str, ...]
    mail: tuple[str, ...]
    phones: tuple[str, ...]  # "#" becomes a digit, "%" a digit that is not 0
    family_first: bool = False  # "Kim Min-jun", "Tan Wei Ming"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


ABROAD: Final = {
    "DE": Country(
        _words("Anna,Lukas,Lena,Felix,Sophie,Jonas,Marie,Leon,Hannah,Paul"),
        _words("Schmidt,Müller,Schneider,Fischer,Weber,Wagner,Becker,Hoffmann,Schäfer"),
        _words("gmx.de,web.de,t-online.de,gmail.com,posteo.de"),
        ("+49 {area}###", "+49{area}###", "+49 (0){area}###"),
    ),
    "GB": Country(
        _words("Oliver,Amelia,Harry,Isla,George,Emily,Jack,Charlotte,Thomas,Grace"),
        _words("Smith,Jones,Taylor,Brown,Williams,Wilson,Evans,Thomas,O'Brien,Patel"),
        _words("btinternet.com,outlook.com,gmail.com,yahoo.co.uk,sky.com"),
        ("+44 20 7946 0###", "+44 (0)20 7946 0###", "+442079460###"),
    ),
    "US": Country(
        _words("James,Olivia,Michael,Emma,Daniel,Sophia,Ethan,Ava,Carlos,Maya"),
        _words("Johnson,Garcia,Miller,Davis,Rodriguez,Martinez,Anderson,Lee,Nguyen"),
        _words("gmail.com,outlook.com,yahoo.com,icloud.com,aol.com"),
        ("+1 213-555-01##", "+1 (310) 555-01##", "+1 323 555 01##", "+142455501##"),
    ),
    "AU": Country(
        _words("Jack,Charlotte,William,Mia,Noah,Isla,Lachlan,Chloe,Ruby"),
        _words("Smith,Nguyen,Kelly,Walker,Ryan,Harris,Martin,Thompson,Wilson"),
        _words("bigpond.com,gmail.com,outlook.com.au,optusnet.com.au"),
        (
            "+61 491 570 156",
            "+61 491 570 158",
            "+61 491 570 159",
            "+61 2 5550 ####",
            "+61 2 7010 ####",
            "+61491570157",
        ),
    ),
    "NL": Country(
        _words("Daan,Emma,Sem,Julia,Lucas,Tess,Bram,Sanne,Noor"),
        _words("de Jong,Jansen,de Vries,van den Berg,Bakker,Visser,Smit,Meijer"),
        _words("ziggo.nl,kpnmail.nl,gmail.com,hotmail.nl"),
        ("+31 20 ### ####", "+31 6 2#######", "+31 6 4#######", "+316 2#######"),
    ),
    "JP": Country(
        _words("Yuki,Haruto,Sakura,Ren,Aoi,Sota,Hina,Kenji,Mei"),
        _words("Tanaka,Suzuki,Takahashi,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi"),
        _words("gmail.com,yahoo.co.jp,icloud.com,docomo.ne.jp"),
        ("+81 3-5###-####", "+81 90-%###-####", "+81 80-%###-####", "+81 70-%###-####"),
    ),
    "KR": Country(
        _words("Min-jun,Seo-yeon,Ji-ho,Ha-eun,Do-yun,Soo-ah,Ji-woo,Eun-ji"),
        _words("Kim,Lee,Park,Choi,Jung,Kang,Yoon"),
        _words("naver.com,daum.net,gmail.com,kakao.com"),
        ("+82 10-2###-####", "+82 10-3###-####", "+82 10-8###-####", "+82 2-3###-####"),
        family_first=True,
    ),
    "SG": Country(
        _words("Wei Ming,Hui Min,Jia Hui,Jun Jie,Xin Yi,Kai Wen"),
        _words("Tan,Lim,Lee,Ng,Ong,Goh,Chua"),
        _words("gmail.com,singnet.com.sg,hotmail.com,yahoo.com.sg"),
        ("+65 8%## ####", "+65 91## ####", "+65 97## ####", "+65 62## ####", "+658%######"),
        family_first=True,
    ),
}
DE_AREAS: Final = {"Berlin": "30 23125", "Frankfurt": "69 90009"}  # the cities' drama ranges
# Who signs when the customer does not: the front desk, a guard, family, a neighbour.
CN_STAND_INS: Final = ("前台代收", "门卫代收", "家人代收", "物业代收", "同事代收")
STAND_INS: Final = ("Reception", "Concierge", "Neighbour", "Front desk", "Family member")


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    phone: str
    email: str
    address: dict[str, str]

    def contact(self) -> dict[str, object]:
        return {"name": self.name, "phone": self.phone, "email": self.email}

    def delivery_address(self) -> dict[str, object]:
        return dict(self.address)

    @property
    def chinese(self) -> bool:
        return self.address["country"] == "CN"


def customer(rng: random.Random, dest: Place) -> Customer:
    """A customer living in `dest`: Chinese at home, a local abroad."""
    address = delivery_address(rng, dest)
    if dest.domestic:
        surname, pinyin_surname = rng.choice(COMPOUND_SURNAMES if rng.random() < 0.05 else SURNAMES)
        given, pinyin_given = rng.choice(GIVEN_NAMES)
        email = _chinese_email(rng, pinyin_surname, pinyin_given)
        return Customer(surname + given, phone(rng, dest), email, address)
    country = ABROAD[dest.country]
    first, last = rng.choice(country.first), rng.choice(country.last)
    name = f"{last} {first}" if country.family_first else f"{first} {last}"
    return Customer(name, phone(rng, dest), _email(rng, country, first, last), address)


def phone(rng: random.Random, place: Place) -> str:
    """A mobile number in China, written as people type it; abroad, a number with its +code."""
    if not place.domestic:
        pattern = rng.choice(ABROAD[place.country].phones)
        return _fill(rng, pattern.replace("{area}", DE_AREAS.get(place.city, "")))
    prefix, middle, last = rng.choice(CN_MOBILE), _digits(rng, 4), _digits(rng, 4)
    style = rng.choices(range(5), weights=(40, 25, 10, 15, 10))[0]
    return (
        f"{prefix}{middle}{last}",
        f"+86 {prefix} {middle} {last}",
        f"+86-{prefix}-{middle}-{last}",
        f"{prefix} {middle} {last}",
        f"+86{prefix}{middle}{last}",
    )[style]


def new_phone(rng: random.Random, who: Customer, place: Place) -> Customer:
    """The customer after correcting the phone number they gave (always a different one)."""
    number = phone(rng, place)
    while number == who.phone:
        number = phone(rng, place)
    return replace(who, phone=number)


def proof_of_delivery(rng: random.Random, who: Customer, safe_place: bool) -> dict[str, object]:
    """Who signed for the parcel; nobody when it was left in a safe place."""
    if safe_place:
        return {}
    chance = rng.random()
    if chance < 0.65:
        signer = who.name
    elif who.chinese:
        stand_in = rng.choice(CN_STAND_INS)
        neighbour = rng.choice(SURNAMES)[0] + rng.choice(("先生", "女士"))
        signer = f"邻居{neighbour}代收" if chance < 0.75 else stand_in
    else:
        signer = rng.choice(STAND_INS)
    return {"signer_name": signer}


def _chinese_email(rng: random.Random, surname: str, given: str) -> str:
    domain = rng.choice(CN_MAIL)
    style = rng.random()
    if style < 0.2:  # plenty of people simply use their QQ number
        return f"{rng.randint(10_000, 3_999_999_999)}@qq.com"
    if style < 0.5:
        return f"{surname}{given}{rng.randint(1, 99)}@{domain}"  # zhangwei88@163.com
    if style < 0.75:
        return f"{surname}.{given}@{domain}"  # wang.fang@qq.com
    if style < 0.9:
        return f"{given}_{surname}{rng.randint(1975, 2005)}@{domain}"
    return f"{given[0]}{surname}@{domain}"


def _email(rng: random.Random, country: Country, first: str, last: str) -> str:
    first, last = _ascii(first), _ascii(last)
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}{rng.randint(1, 99)}", f"{first}_{last}", last)
    )
    return f"{local}@{rng.choice(country.mail)}"


def _ascii(name: str) -> str:
    for letter, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.lower().replace(letter, spelled)
    return "".join(c for c in name if c.isascii() and c.isalnum())


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _fill(rng: random.Random, pattern: str) -> str:
    """ "#" becomes any digit, "%" a digit that is not 0."""
    return "".join(
        _digits(rng, 1) if c == "#" else str(rng.randint(1, 9)) if c == "%" else c for c in pattern
    )


__all__ = ["Customer", "customer", "new_phone", "phone", "proof_of_delivery"]
