"""Sealed fields: format, AAD binding, tamper detection and the plaintext-refusing column."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import TypedDict

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import create_async_engine

from privacy import (
    DataKey,
    DecryptionFailed,
    PlaintextRefused,
    Sealed,
    SealedBytes,
    generate_data_key,
    seal,
    stale_key,
    unseal,
    unseal_text,
)

ROW = uuid.UUID("0193a5c2-0000-7000-8000-000000000001")
OTHER_ROW = uuid.UUID("0193a5c2-0000-7000-8000-000000000002")
SUBJECT = uuid.UUID("0193a5c2-0000-7000-8000-0000000000aa")
OTHER_SUBJECT = uuid.UUID("0193a5c2-0000-7000-8000-0000000000bb")
PHONE = "+8613812345678"


class Cell(TypedDict):
    table: str
    column: str
    row_id: uuid.UUID
    subject_id: uuid.UUID


def cell(
    table: str = "customers",
    column: str = "phone",
    row_id: uuid.UUID = ROW,
    subject_id: uuid.UUID = SUBJECT,
) -> Cell:
    return Cell(table=table, column=column, row_id=row_id, subject_id=subject_id)


CELL = cell()


@pytest.fixture
def dk() -> DataKey:
    return generate_data_key()


def test_round_trip_and_layout(dk: DataKey) -> None:
    sealed = seal(dk, PHONE, **CELL)
    assert unseal_text(dk, sealed, **CELL) == PHONE
    assert unseal(dk, sealed.data, **CELL) == PHONE.encode()
    assert sealed.data[0] == 0x01
    assert sealed.key_id == dk.key_id == sealed.data[1:5]
    assert len(sealed.data) == len(PHONE.encode()) + 33


def test_layout_is_plain_aes_gcm_with_documented_aad(dk: DataKey) -> None:
    # What an independent implementation (e.g. Tink with a TINK-prefixed AesGcmKey) would do.
    sealed = seal(dk, PHONE, **CELL)
    header, nonce, body = sealed.data[:5], sealed.data[5:17], sealed.data[17:]
    aad = b"pii/v1" + header + b"customers\x00phone\x00" + ROW.bytes + SUBJECT.bytes
    assert AESGCM(dk.key).decrypt(nonce, body, aad) == PHONE.encode()


def test_randomized(dk: DataKey) -> None:
    first, second = seal(dk, PHONE, **CELL), seal(dk, PHONE, **CELL)
    assert first != second
    assert first.data[5:17] != second.data[5:17]
    assert unseal_text(dk, first, **CELL) == unseal_text(dk, second, **CELL)


@pytest.mark.parametrize("value", ["", "张伟", "上海市浦东新区世纪大道100号 5楼", "emoji 📦"])
def test_text_round_trips(dk: DataKey, value: str) -> None:
    sealed = seal(dk, value, **CELL)
    assert len(sealed.data) == len(value.encode()) + 33
    assert unseal_text(dk, sealed, **CELL) == value


def test_bytes_round_trip(dk: DataKey) -> None:
    payload = bytes(range(256))
    assert unseal(dk, seal(dk, payload, **CELL), **CELL) == payload


@pytest.mark.parametrize(
    "target",
    [
        cell(row_id=OTHER_ROW),
        cell(column="email"),
        cell(column="name"),
        cell(table="order_contacts"),
        cell(subject_id=OTHER_SUBJECT),
        cell(row_id=SUBJECT, subject_id=ROW),
        # The separator keeps ("customers", "phone") apart from ("customersp", "hone").
        cell(table="customersp", column="hone"),
    ],
)
def test_aad_binding(dk: DataKey, target: Cell) -> None:
    sealed = seal(dk, PHONE, **CELL)
    with pytest.raises(DecryptionFailed, match="failed authentication") as info:
        unseal(dk, sealed, **target)
    assert PHONE not in str(info.value) and "13812345678" not in str(info.value)
    assert f"sealed {target['table']}.{target['column']}" in str(info.value)


def test_other_key_is_refused_without_trial(dk: DataKey) -> None:
    sealed = seal(dk, PHONE, **CELL)
    other = generate_data_key()
    with pytest.raises(DecryptionFailed) as info:
        unseal(other, sealed, **CELL)
    assert str(info.value) == (
        f"sealed customers.phone was written with key id 0x{dk.key_id.hex()}, "
        f"not 0x{other.key_id.hex()}"
    )


def test_same_key_id_different_key_fails(dk: DataKey) -> None:
    impostor = DataKey(key_id=dk.key_id, key=generate_data_key().key)
    with pytest.raises(DecryptionFailed, match="failed authentication"):
        unseal(impostor, seal(dk, PHONE, **CELL), **CELL)


def test_changed_key_id_fails(dk: DataKey) -> None:
    sealed = seal(dk, PHONE, **CELL)
    relabelled = DataKey(key_id=bytes(4), key=dk.key)
    forged = sealed.data[:1] + bytes(4) + sealed.data[5:]
    # Even with the key id in the header matching, the original id is in the AAD.
    with pytest.raises(DecryptionFailed, match="failed authentication"):
        unseal(relabelled, forged, **CELL)


def _flips(data: bytes) -> Iterator[tuple[int, bytes]]:
    for position in range(len(data)):
        flipped = bytearray(data)
        flipped[position] ^= 1 << (position % 8)
        yield position, bytes(flipped)


def test_every_single_bit_flip_fails(dk: DataKey) -> None:
    sealed = seal(dk, "张伟 +8613812345678", **CELL)
    for position, flipped in _flips(sealed.data):
        if position == 0:
            with pytest.raises(ValueError, match="not a sealed value"):
                unseal(dk, flipped, **CELL)
        else:
            # Header (key id), nonce, ciphertext or tag: each one must fail.
            with pytest.raises(DecryptionFailed):
                unseal(dk, flipped, **CELL)


def test_unseal_text_rejects_binary(dk: DataKey) -> None:
    sealed = seal(dk, b"\xff\xfe", **CELL)
    with pytest.raises(ValueError, match="does not hold UTF-8 text") as info:
        unseal_text(dk, sealed, **CELL)
    assert info.value.__suppress_context__


def test_seal_rejects_other_types_and_bad_cells(dk: DataKey) -> None:
    with pytest.raises(TypeError, match="not int"):
        seal(dk, 13812345678, **CELL)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no NUL"):
        seal(dk, PHONE, **cell(column="pho\x00ne"))
    with pytest.raises(ValueError, match="non-empty"):
        seal(dk, PHONE, **cell(table=""))
    with pytest.raises(TypeError, match="uuid.UUID"):
        seal(dk, PHONE, **cell(row_id=str(ROW)))  # type: ignore[arg-type]


# -- the Sealed wrapper ----------------------------------------------------------------------


def test_sealed_wrapper(dk: DataKey) -> None:
    sealed = seal(dk, PHONE, **CELL)
    assert repr(sealed) == f"Sealed({len(PHONE) + 33} bytes, key 0x{dk.key_id.hex()})"
    assert str(sealed) == repr(sealed)
    assert PHONE not in repr(sealed) and dk.key.hex() not in repr(sealed)
    assert Sealed(sealed.data) == sealed
    assert Sealed(memoryview(sealed.data)) == sealed
    assert hash(Sealed(bytearray(sealed.data))) == hash(sealed)
    assert sealed != sealed.data
    assert copy.deepcopy(sealed) == sealed and copy.copy(sealed) == sealed
    with pytest.raises(AttributeError, match="immutable"):
        sealed._data = b""
    with pytest.raises(AttributeError, match="immutable"):
        del sealed._data


@pytest.mark.parametrize("data", [b"", bytes(32), b"\x01" + bytes(31), b"\x02" + bytes(40)])
def test_sealed_rejects_malformed(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a sealed value"):
        Sealed(data)


def test_sealed_rejects_text() -> None:
    with pytest.raises(TypeError, match="not str"):
        Sealed(PHONE)  # type: ignore[arg-type]


def test_stale_key(dk: DataKey) -> None:
    sealed = seal(dk, PHONE, **CELL)
    assert not stale_key(sealed, dk.key_id)
    assert stale_key(sealed, generate_data_key().key_id)


# -- the column type -------------------------------------------------------------------------

metadata = sa.MetaData()
people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("phone", SealedBytes),
)


@pytest.fixture
def engine() -> Iterator[tuple[sa.Engine, list[str]]]:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    sent: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(*args: object) -> None:
        sent.append(str(args[2]))

    yield engine, sent
    engine.dispose()


def test_column_round_trip(engine: tuple[sa.Engine, list[str]], dk: DataKey) -> None:
    db, _ = engine
    sealed = seal(dk, PHONE, **CELL)
    with db.begin() as conn:
        conn.execute(sa.insert(people), [{"id": 1, "phone": sealed}, {"id": 2, "phone": None}])
        rows = conn.execute(sa.select(people.c.phone).order_by(people.c.id)).scalars().all()
        raw = conn.execute(sa.text("SELECT phone FROM people WHERE id = 1")).scalar_one()
    assert rows == [sealed, None]
    assert isinstance(rows[0], Sealed)
    assert raw == sealed.data
    assert PHONE.encode() not in raw


@pytest.mark.parametrize("value", [PHONE, PHONE.encode(), 13812345678, bytearray(b"x" * 40)])
def test_bind_rejects_plaintext(engine: tuple[sa.Engine, list[str]], value: object) -> None:
    db, sent = engine
    statements = [
        (sa.insert(people).values(id=1, phone=value), None),
        (sa.insert(people), [{"id": 1, "phone": value}]),
        (sa.update(people).values(phone=value), None),
        (sa.select(people).where(people.c.phone == value), None),
    ]
    with db.begin() as conn:
        for statement, params in statements:
            with pytest.raises(TypeError) as info:
                conn.execute(statement, params)
            # Not wrapped in a StatementError, whose message would list the parameters.
            assert type(info.value) is PlaintextRefused
            message = str(info.value)
            assert message.startswith("refusing to write plaintext into a sealed column")
            assert type(value).__name__ in message
            assert "13812345678" not in message and "xxxx" not in message
    assert sent == []  # nothing reached the database


async def test_bind_rejects_plaintext_async() -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            with pytest.raises(PlaintextRefused):
                await conn.execute(sa.insert(people).values(id=1, phone=PHONE))
            count = (await conn.execute(sa.select(sa.func.count()).select_from(people))).scalar()
        assert count == 0
    finally:
        await engine.dispose()


def test_column_type_is_cacheable() -> None:
    assert SealedBytes.cache_ok is True
    assert isinstance(SealedBytes().impl, sa.LargeBinary)
