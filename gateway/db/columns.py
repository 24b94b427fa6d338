"""The one MetaData every table module (gateway, privacy) declares against, and the column
types that guard what reaches disk: aware UTC timestamps, and sealed cells that refuse
plaintext before any SQL is sent. The sealed envelope's format is privacy.sealed's; this module
only knows its header, so that tables can sit below privacy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

from sqlalchemy import DateTime, LargeBinary, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DontWrapMixin
from sqlalchemy.types import TypeDecorator

__all__ = [
    "OVERHEAD",
    "PlaintextRefused",
    "Sealed",
    "SealedBytes",
    "Timestamp",
    "UtcDateTime",
    "metadata",
]

# One MetaData so Alembic sees the whole schema.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = UtcDateTime


FORMAT_BYTE = 0x01
HEADER_SIZE = 5
NONCE_SIZE = 12
TAG_SIZE = 16
OVERHEAD = HEADER_SIZE + NONCE_SIZE + TAG_SIZE  # 33 bytes on top of the plaintext


class Sealed:
    """Opaque, immutable ciphertext of one field. Its repr shows only length and key id."""

    __slots__ = ("_data",)
    _data: bytes

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"a sealed value is bytes, not {type(data).__name__}")
        raw = bytes(data)
        if len(raw) < OVERHEAD or raw[0] != FORMAT_BYTE:
            raise ValueError("not a sealed value: unknown format or too short")
        object.__setattr__(self, "_data", raw)

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def key_id(self) -> bytes:
        return self._data[1:HEADER_SIZE]

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Sealed is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Sealed is immutable")

    def __reduce__(self) -> tuple[type[Sealed], tuple[bytes]]:
        return (Sealed, (self._data,))

    def __repr__(self) -> str:
        return f"Sealed({len(self._data)} bytes, key 0x{self.key_id.hex()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sealed):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash(self._data)


class PlaintextRefused(TypeError, DontWrapMixin):
    """Something other than a Sealed value was bound to a sealed column.

    DontWrapMixin keeps SQLAlchemy from wrapping it in a StatementError, whose message would
    list the bound parameters, i.e. the very plaintext being refused.
    """


class SealedBytes(TypeDecorator[Sealed]):
    """A column that stores only Sealed values; plaintext fails before any SQL is sent."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: object, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.data
        raise PlaintextRefused(
            "refusing to write plaintext into a sealed column: "
            f"got {type(value).__name__}, expected Sealed (use privacy.seal)"
        )

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed(value)  # drivers return bytes or memoryview
