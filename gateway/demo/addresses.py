"""Fake delivery addresses for the demo, one address book per destination city of the catalog.

Street names, districts and postal-code areas are real; house numbers, flats and the people
living there are not. Chinese addresses are written the Chinese way (province or municipality,
city, district, then road, number, building and room); the others the local way, in Latin script.
The city of every address is the simulator's shipping destination, so the carrier's scans and
the customer's address agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from gateway.demo.catalog import Place


@dataclass(frozen=True, slots=True)
class District:
    name: str
    postal_code: str  # the district's code; "#" becomes a digit and "@" a letter
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddressBook:
    region: str
    city: str
    districts: tuple[District, ...]


def _cn(region: str, city: str, *districts: tuple[str, str, str]) -> AddressBook:
    return AddressBook(
        region, city, tuple(District(n, p, tuple(s.split())) for n, p, s in districts)
    )


# Keyed by the catalog's `Place.city`.
CHINA: Final = {
    "Shanghai": _cn(
        "上海市",
        "上海市",
        ("浦东新区", "200120", "世纪大道 张杨路 陆家嘴环路"),
        ("徐汇区", "200030", "漕溪北路 肇嘉浜路 衡山路"),
        ("静安区", "200040", "南京西路 延安中路 北京西路"),
    ),
    "Beijing": _cn(
        "北京市",
        "北京市",
        ("朝阳区", "100020", "建国路 朝阳门外大街 东三环中路"),
        ("海淀区", "100080", "中关村大街 海淀大街 知春路"),
        ("东城区", "100010", "东直门内大街 王府井大街 朝阳门北大街"),
    ),
    "Guangzhou": _cn(
        "广东省",
        "广州市",
        ("天河区", "510620", "天河路 体育西路 花城大道"),
        ("越秀区", "510030", "北京路 中山五路 东风中路"),
        ("海珠区", "510220", "江南大道中 新港中路 工业大道"),
    ),
    "Shenzhen": _cn(
        "广东省",
        "深圳市",
        ("南山区", "518052", "深南大道 科技南路 南海大道"),
        ("福田区", "518048", "福华路 益田路 深南中路"),
        ("宝安区", "518101", "宝安大道 新安六路 创业一路"),
    ),
    "Chengdu": _cn(
        "四川省",
        "成都市",
        ("武侯区", "610041", "人民南路四段 科华北路 武侯祠大街"),
        ("锦江区", "610021", "春熙路 东大街 红星路三段"),
        ("青羊区", "610031", "清江东路 蜀都大道 金河路"),
    ),
    "Hangzhou": _cn(
        "浙江省",
        "杭州市",
        ("西湖区", "310012", "文三路 天目山路 教工路"),
        ("上城区", "310002", "解放路 延安路 庆春路"),
        ("滨江区", "310051", "江南大道 滨盛路 网商路"),
    ),
    "Nanjing": _cn(
        "江苏省",
        "南京市",
        ("鼓楼区", "210008", "中山北路 北京西路 汉中路"),
        ("玄武区", "210018", "珠江路 中山路 北京东路"),
        ("建邺区", "210019", "江东中路 河西大街 庐山路"),
    ),
    "Suzhou": _cn(
        "江苏省",
        "苏州市",
        ("姑苏区", "215008", "人民路 干将西路 十全街"),
        ("工业园区", "215021", "星湖街 苏州大道东 现代大道"),
        ("吴中区", "215128", "东吴北路 宝带东路 吴中大道"),
    ),
    "Xi'an": _cn(
        "陕西省",
        "西安市",
        ("雁塔区", "710061", "小寨东路 长安南路 雁塔路"),
        ("碑林区", "710001", "南大街 东大街 友谊西路"),
    ),
    "Chongqing": _cn(
        "重庆市",
        "重庆市",
        ("渝中区", "400010", "民族路 中山三路 和平路"),
        ("江北区", "400020", "建新北路 北滨一路 洋河路"),
    ),
    "Tianjin": _cn(
        "天津市",
        "天津市",
        ("和平区", "300041", "南京路 滨江道 成都道"),
        ("南开区", "300100", "鞍山西道 卫津路 南马路"),
    ),
    "Xiamen": _cn(
        "福建省",
        "厦门市",
        ("思明区", "361001", "中山路 厦禾路 湖滨南路"),
        ("湖里区", "361006", "湖里大道 吕岭路 枋湖路"),
    ),
}
COMPOUNDS: Final = ("阳光花园", "锦绣华庭", "翠湖苑", "金色家园", "滨江花园", "绿地世纪城")
TOWERS: Final = ("国际大厦", "金融中心", "科技大厦", "商务中心")


# Keyed by the catalog's `Place.city`; region and city are written as the catalog names them.
ABROAD: Final[dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]]] = {
    "Berlin": (
        ("Mitte", "10117", ("Friedrichstraße", "Torstraße", "Linienstraße")),
        (
            "Prenzlauer Berg",
            "10405",
            ("Kastanienallee", "Schönhauser Allee", "Greifswalder Straße"),
        ),
        ("Kreuzberg", "10997", ("Oranienstraße", "Wiener Straße", "Skalitzer Straße")),
    ),
    "Frankfurt": (
        ("Sachsenhausen", "60594", ("Schweizer Straße", "Textorstraße", "Gartenstraße")),
        ("Westend", "60323", ("Grüneburgweg", "Liebigstraße", "Feldbergstraße")),
        ("Bornheim", "60385", ("Berger Straße", "Saalburgstraße", "Rendeler Straße")),
    ),
    "London": (
        ("Camden", "NW1 #@@", ("Camden Road", "Parkway", "Arlington Road")),
        ("Islington", "N1 #@@", ("Upper Street", "Essex Road", "Liverpool Road")),
        ("Southwark", "SE1 #@@", ("Borough High Street", "Tooley Street", "Bermondsey Street")),
    ),
    "Los Angeles": (
        ("Silver Lake", "90026", ("Sunset Boulevard", "Silver Lake Boulevard", "Effie Street")),
        ("Koreatown", "90005", ("Wilshire Boulevard", "South Vermont Avenue", "6th Street")),
        ("Westwood", "90024", ("Gayley Avenue", "Levering Avenue", "Kelton Avenue")),
    ),
    "Tokyo": (
        ("Shibuya", "150-00##", ("Jinnan", "Udagawacho", "Dogenzaka")),
        ("Minato", "106-00##", ("Roppongi", "Azabu-Juban", "Nishi-Azabu")),
        ("Shinjuku", "160-00##", ("Nishi-Shinjuku", "Okubo", "Yotsuya")),
    ),
    "Seoul": (
        ("Gangnam-gu", "06###", ("Teheran-ro", "Gangnam-daero", "Dosan-daero")),
        ("Mapo-gu", "04###", ("Yanghwa-ro", "World Cup-ro", "Dongmak-ro")),
        ("Jongno-gu", "03###", ("Jong-ro", "Yulgok-ro", "Samil-daero")),
    ),
    "Sydney": (
        ("Surry Hills", "2010", ("Crown Street", "Bourke Street", "Riley Street")),
        ("Bondi Beach", "2026", ("Campbell Parade", "Hall Street", "Curlewis Street")),
        ("Parramatta", "2150", ("Church Street", "George Street", "Macquarie Street")),
    ),
    "Amsterdam": (
        ("Centrum", "1016 @@", ("Prinsengracht", "Herengracht", "Keizersgracht")),
        ("De Pijp", "1072 @@", ("Albert Cuypstraat", "Ferdinand Bolstraat", "Sarphatipark")),
        ("Oost", "1092 @@", ("Linnaeusstraat", "Wibautstraat", "Oosterpark")),
    ),
    # Public-housing blocks ("Blk 201 Tampines Street 21, #08-115"), postal code 52 + block.
    "Singapore": (
        ("Tampines", "52####", ("Tampines Street 21", "Tampines Avenue 4")),
        ("Toa Payoh", "31####", ("Lorong 1 Toa Payoh", "Lorong 4 Toa Payoh")),
        ("Queenstown", "14####", ("Commonwealth Drive", "Stirling Road")),
    ),
}

_POSTCODE_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"  # letters UK and Dutch postcodes both use


def _chinese_street(rng: random.Random, road: str) -> str:
    """世纪大道100号 8栋 1203室, or a residential compound, or an office tower."""
    floor, room = rng.randint(2, 32), rng.randint(1, 8)
    house = f"{road}{rng.randint(1, 1688)}号"
    style = rng.random()
    if style < 0.45:
        return f"{house} {rng.randint(1, 24)}栋 {floor}{room:02d}室"
    if style < 0.85:
        compound, unit = rng.choice(COMPOUNDS), rng.randint(1, 4)
        return f"{house}{compound} {rng.randint(1, 30)}号楼{unit}单元{floor}{room:02d}室"
    return f"{house} {rng.choice(TOWERS)} {floor}层"


def _local_street(rng: random.Random, country: str, street: str) -> str:
    """A street line written the way people in `country` write it."""
    number = rng.randint(1, 199)
    flat = rng.random() < 0.4
    if country == "DE":  # Friedrichstraße 43, 3. OG
        return f"{street} {number}" + (f", {rng.randint(1, 5)}. OG" if flat else "")
    if country == "NL":  # Prinsengracht 263-II
        return f"{street} {number}" + rng.choice(("", "-1", "-II", "-huis", "A"))
    if country == "JP":  # 2-21-1 Jinnan, Room 1203
        line = f"{rng.randint(1, 6)}-{rng.randint(1, 25)}-{rng.randint(1, 20)} {street}"
        return line + (f", Room {rng.randint(1, 12)}0{rng.randint(1, 9)}" if flat else "")
    if country == "KR":  # 152 Teheran-ro, Apt 103-1502
        apartment = f", Apt {rng.randint(101, 112)}-{rng.randint(2, 25)}0{rng.randint(1, 6)}"
        return f"{rng.randint(1, 520)} {street}" + (apartment if flat else "")
    if country == "US":  # 1234 Sunset Blvd, Apt 5
        street = street.replace(" Boulevard", " Blvd").replace(" Avenue", " Ave")
        return f"{rng.randint(100, 4999)} {street}" + (
            f", Apt {rng.randint(1, 30)}" if flat else ""
        )
    if country == "AU":  # Unit 5, 42 Crown Street
        return (f"Unit {rng.randint(1, 40)}, " if flat else "") + f"{number} {street}"
    return (f"Flat {rng.randint(1, 40)}, " if flat else "") + f"{number} {street}"  # GB


def _postal(rng: random.Random, pattern: str) -> str:
    """Fill in a district's code: "#" becomes a digit and "@" a postcode letter."""
    chars = (
        str(rng.randrange(10)) if c == "#" else rng.choice(_POSTCODE_LETTERS) if c == "@" else c
        for c in pattern
    )
    return "".join(chars)


def delivery_address(rng: random.Random, place: Place) -> dict[str, str]:
    """A home or office address in `place` (a city of the catalog)."""
    if place.domestic:
        book = CHINA[place.city]
    else:
        districts = tuple(District(*district) for district in ABROAD[place.city])
        book = AddressBook(place.region, place.city, districts)
    district = rng.choice(book.districts)
    road = rng.choice(district.streets)
    postal_code = district.postal_code
    if place.domestic:
        street = _chinese_street(rng, road)
    elif place.country == "SG":
        block = rng.randint(101, 299)  # the postal code is the sector and the block number
        street = f"Blk {block} {road}, #{rng.randint(2, 16):02d}-{rng.randint(10, 399)}"
        postal_code = postal_code.replace("####", f"{block:04d}")
    else:
        street = _local_street(rng, place.country, road)
    return {
        "country": place.country,
        "region": book.region,
        "city": book.city,
        "district": district.name,
        "street": street,
        "postal_code": _postal(rng, postal_code),
    }


__all__ = ["ABROAD", "CHINA", "delivery_address"]
