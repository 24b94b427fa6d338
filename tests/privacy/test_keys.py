"""Master keyrings, wrapping and data keys: rotation, retirement, files and configuration."""

from __future__ import annotations

import base64
import json
import os
import stat
import uuid
from pathlib import Path

import pytest

from privacy import (
    DataKey,
    DecryptionFailed,
    KeyringConfigError,
    KeyUnavailable,
    LocalKeyring,
    StaticKeyring,
    generate_data_key,
    generate_root_key,
    rewrap,
    unwrap,
    unwrap_data_key,
    wrap,
    wrap_data_key,
    wrapped_version,
)

SUBJECT = uuid.UUID("0193a5c2-7d1e-7c4e-9a1b-2f3e4d5c6b7a")
KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def leaks(text: str, *keys: bytes) -> bool:
    """Any recognizable piece of a key: the start of its base64 or hex form."""
    return any(b64(k)[:12] in text or k.hex()[:12] in text for k in keys)


@pytest.fixture
def keyring(tmp_path: Path) -> LocalKeyring:
    return LocalKeyring.load_or_create(tmp_path / "nested" / "dir" / "master-keyring.json")


# -- wrap / unwrap ---------------------------------------------------------------------------


def test_wrap_layout_and_round_trip(keyring: LocalKeyring) -> None:
    blob = wrap(keyring, b"secret", b"ctx")
    assert blob[0] == 1
    assert wrapped_version(blob) == keyring.primary_version == 1
    assert len(blob) == 1 + 4 + 12 + len(b"secret") + 16
    assert unwrap(keyring, blob, b"ctx") == b"secret"
    assert wrap(keyring, b"secret", b"ctx") != blob  # fresh nonce each time


def test_unwrap_rejects_other_aad(keyring: LocalKeyring) -> None:
    blob = wrap(keyring, b"secret", b"ctx")
    with pytest.raises(DecryptionFailed, match="authentication") as info:
        unwrap(keyring, blob, b"other")
    assert "secret" not in str(info.value)


def test_unwrap_rejects_relabelled_version(keyring: LocalKeyring) -> None:
    blob = wrap(keyring, b"secret", b"ctx")
    keyring.rotate()
    # Same ciphertext claiming version 2: the header is in the AAD, so it cannot authenticate.
    relabelled = blob[:1] + (2).to_bytes(4, "big") + blob[5:]
    with pytest.raises(DecryptionFailed):
        unwrap(keyring, relabelled, b"ctx")


@pytest.mark.parametrize("position", range(1 + 4 + 12 + 6 + 16))
def test_unwrap_rejects_every_bit_flip(keyring: LocalKeyring, position: int) -> None:
    blob = bytearray(wrap(keyring, b"secret", b"ctx"))
    blob[position] ^= 0x01
    with pytest.raises((DecryptionFailed, KeyUnavailable)):
        unwrap(keyring, bytes(blob), b"ctx")


@pytest.mark.parametrize("blob", [b"", b"\x01\x00\x00\x00\x01", b"\x02" + bytes(40)])
def test_malformed_blob(keyring: LocalKeyring, blob: bytes) -> None:
    with pytest.raises(DecryptionFailed, match="malformed"):
        unwrap(keyring, blob, b"ctx")
    with pytest.raises(DecryptionFailed):
        wrapped_version(blob)


def test_unknown_version_is_unavailable(keyring: LocalKeyring) -> None:
    blob = wrap(keyring, b"secret", b"ctx")
    future = blob[:1] + (9).to_bytes(4, "big") + blob[5:]
    with pytest.raises(KeyUnavailable, match="version 9"):
        unwrap(keyring, future, b"ctx")


# -- data keys -------------------------------------------------------------------------------


def test_data_key_round_trip_bound_to_subject(keyring: LocalKeyring) -> None:
    dk = generate_data_key()
    assert len(dk.key_id) == 4 and len(dk.key) == 32
    blob = wrap_data_key(keyring, SUBJECT, dk)
    assert unwrap_data_key(keyring, SUBJECT, blob) == dk
    other = uuid.UUID(int=SUBJECT.int ^ 1)
    with pytest.raises(DecryptionFailed, match=f"wrapped data key of subject {other}"):
        unwrap_data_key(keyring, other, blob)


def test_data_key_is_not_a_plain_wrap_of_other_context(keyring: LocalKeyring) -> None:
    dk = generate_data_key()
    blob = wrap(keyring, dk.key_id + dk.key, b"index-root|v1")
    with pytest.raises(DecryptionFailed):
        unwrap_data_key(keyring, SUBJECT, blob)


def test_data_key_wrong_length_payload(keyring: LocalKeyring) -> None:
    blob = wrap(keyring, b"short", b"dek|" + SUBJECT.bytes)
    with pytest.raises(DecryptionFailed, match="wrong length"):
        unwrap_data_key(keyring, SUBJECT, blob)


def test_data_key_validation_and_equality() -> None:
    with pytest.raises(ValueError, match="4-byte id"):
        DataKey(key_id=b"abc", key=bytes(32))
    with pytest.raises(ValueError, match="got 4 and 16"):
        DataKey(key_id=b"abcd", key=bytes(16))
    dk = generate_data_key()
    assert dk == DataKey(key_id=dk.key_id, key=dk.key)
    assert dk != generate_data_key()
    assert dk != "not a key"
    assert len({dk, DataKey(key_id=dk.key_id, key=dk.key)}) == 1


def test_root_key_is_random() -> None:
    root = generate_root_key()
    assert len(root) == 32 and root != generate_root_key()


# -- rotation --------------------------------------------------------------------------------


def test_rotation_rewrap_and_retirement(keyring: LocalKeyring) -> None:
    dk = generate_data_key()
    old = wrap_data_key(keyring, SUBJECT, dk)
    assert wrapped_version(old) == 1

    assert keyring.rotate() == 2
    assert keyring.primary_version == 2
    assert keyring.versions() == (1, 2)
    fresh = wrap_data_key(keyring, SUBJECT, dk)
    assert wrapped_version(fresh) == 2
    assert unwrap_data_key(keyring, SUBJECT, old) == dk  # old blobs keep working

    aad = b"dek|" + SUBJECT.bytes
    moved = rewrap(keyring, old, aad)
    assert wrapped_version(moved) == 2
    assert rewrap(keyring, moved, aad) is moved  # already current: untouched

    keyring.retire(1)
    assert keyring.versions() == (2,)
    assert keyring.retired_versions() == (1,)
    assert unwrap_data_key(keyring, SUBJECT, moved) == dk
    with pytest.raises(KeyUnavailable, match="version 1 is retired"):
        unwrap_data_key(keyring, SUBJECT, old)


def test_retirement_survives_reload(keyring: LocalKeyring) -> None:
    old = wrap(keyring, b"secret", b"ctx")
    keyring.rotate()
    keyring.retire(1)
    reloaded = LocalKeyring.load_or_create(keyring.path)
    assert reloaded.primary_version == 2
    assert reloaded.versions() == (2,)
    with pytest.raises(KeyUnavailable):
        unwrap(reloaded, old, b"ctx")


def test_retiring_the_primary_is_refused(keyring: LocalKeyring) -> None:
    with pytest.raises(ValueError, match="primary"):
        keyring.retire(1)
    assert keyring.versions() == (1,)


def test_retiring_unknown_version(keyring: LocalKeyring) -> None:
    with pytest.raises(KeyUnavailable, match="version 7 is unknown"):
        keyring.retire(7)


def test_versions_are_never_reused(keyring: LocalKeyring) -> None:
    keyring.rotate()
    keyring.retire(1)
    keyring.rotate()
    keyring.retire(2)
    assert keyring.rotate() == 4


# -- changes made by another process ---------------------------------------------------------


def test_a_running_keyring_sees_rotation_and_retirement_by_another_process(
    keyring: LocalKeyring,
) -> None:
    old = wrap(keyring, b"secret", b"ctx")
    other = LocalKeyring.load_or_create(keyring.path)  # `orderlens keys` in another process
    assert other.rotate() == 2
    assert keyring.primary_version == 2 and keyring.versions() == (1, 2)
    assert wrapped_version(wrap(keyring, b"new", b"ctx")) == 2
    moved = rewrap(other, old, b"ctx")
    assert unwrap(keyring, moved, b"ctx") == b"secret"

    other.retire(1)
    assert keyring.versions() == (2,) and keyring.retired_versions() == (1,)
    with pytest.raises(KeyUnavailable, match="version 1 is retired"):
        unwrap(keyring, old, b"ctx")


def test_a_stale_copy_never_overwrites_a_newer_file(keyring: LocalKeyring) -> None:
    other = LocalKeyring.load_or_create(keyring.path)
    other.rotate()
    assert keyring.rotate() == 3  # not a second, different version 2
    assert LocalKeyring.load_or_create(keyring.path).key(2) == other.key(2)
    other.retire(1)
    keyring.retire(2)
    reloaded = LocalKeyring.load_or_create(keyring.path)
    assert reloaded.retired_versions() == (1, 2) and reloaded.primary_version == 3


def test_an_unchanged_file_is_not_read_again(
    keyring: LocalKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(path: Path) -> None:
        raise AssertionError(f"{path} read again")

    monkeypatch.setattr(LocalKeyring, "_read", staticmethod(fail))
    blob = wrap(keyring, b"secret", b"ctx")
    assert unwrap(keyring, blob, b"ctx") == b"secret"
    keyring.rotate()  # its own write is not a change to pick up either
    assert keyring.primary_version == 2 and keyring.versions() == (1, 2)


def test_a_broken_or_missing_file_keeps_the_last_good_keys(
    keyring: LocalKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    blob = wrap(keyring, b"secret", b"ctx")
    good = keyring.path.read_bytes()
    keyring.path.write_text('{"format": "orderlens.keyring/v1", "keys": "AAAA"}')
    assert unwrap(keyring, blob, b"ctx") == b"secret"
    keyring.path.unlink()
    assert unwrap(keyring, blob, b"ctx") == b"secret"
    assert keyring.primary_version == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "privacy.keyrings"]
    assert len(warnings) == 2  # once per change, not once per access
    assert "is not an orderlens.keyring/v1 file: keeping the keys already loaded" in warnings[0]
    assert "is gone: keeping the keys already loaded" in warnings[1]
    assert not any("AAAA" in w for w in warnings)

    keyring.path.write_bytes(good)
    LocalKeyring.load_or_create(keyring.path).rotate()
    assert keyring.primary_version == 2


# -- the keyring file ------------------------------------------------------------------------


def test_keyring_file_is_private_and_reloads(keyring: LocalKeyring) -> None:
    assert stat.S_IMODE(os.stat(keyring.path).st_mode) == 0o600
    blob = wrap(keyring, b"secret", b"ctx")
    reloaded = LocalKeyring.load_or_create(keyring.path)
    assert unwrap(reloaded, blob, b"ctx") == b"secret"
    keyring.rotate()
    assert stat.S_IMODE(os.stat(keyring.path).st_mode) == 0o600
    # Atomic writes leave no temporary files behind.
    assert [p.name for p in keyring.path.parent.iterdir()] == ["master-keyring.json"]


def test_keyring_file_never_holds_retired_key(keyring: LocalKeyring) -> None:
    old_key = keyring.key(1)
    keyring.rotate()
    text = keyring.path.read_text()
    assert b64(old_key) in text
    keyring.retire(1)
    text = keyring.path.read_text()
    assert not leaks(text, old_key)
    doc = json.loads(text)
    assert doc["format"] == "orderlens.keyring/v1"
    assert doc["primary"] == 2
    assert doc["keys"]["1"]["state"] == "retired"
    assert "key" not in doc["keys"]["1"]
    assert base64.b64decode(doc["keys"]["2"]["key"]) == keyring.key(2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read"),
        ('{"format": "other"}', "not an orderlens.keyring/v1"),
        ('{"format": "orderlens.keyring/v1", "primary": 1, "keys": []}', "not an orderlens"),
        (
            '{"format": "orderlens.keyring/v1", "primary": 1, '
            '"keys": {"1": {"key": "!!!", "state": "active"}}}',
            "version 1: the key is not valid base64",
        ),
        (
            '{"format": "orderlens.keyring/v1", "primary": 1, '
            '"keys": {"1": {"key": "AAAA", "state": "active"}}}',
            "version 1: the key is 3 bytes, expected 32",
        ),
        (
            '{"format": "orderlens.keyring/v1", "primary": 1, "keys": {"1": {"state": "retired"}}}',
            "primary version is not an active key",
        ),
        (
            '{"format": "orderlens.keyring/v1", "primary": 1, '
            '"keys": {"1": {"key": "AAAA", "state": "weird"}}}',
            "unknown state",
        ),
        (
            '{"format": "orderlens.keyring/v1", "primary": 1, "keys": {"x": {}}}',
            "must be a positive version number",
        ),
    ],
)
def test_corrupt_keyring_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keyring.json"
    path.write_text(content)
    with pytest.raises(KeyringConfigError, match=message) as info:
        LocalKeyring.load_or_create(path)
    assert "AAAA" not in str(info.value) and "!!!" not in str(info.value)


# -- static keyring --------------------------------------------------------------------------


def test_static_from_env() -> None:
    env = {"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}, 2:{b64(KEY_2)}"}
    keyring = StaticKeyring.from_env(env)
    assert keyring.primary_version == 2
    assert keyring.versions() == (1, 2)
    assert keyring.key(1) == KEY_1
    pinned = StaticKeyring.from_env({**env, "ORDERLENS_MASTER_KEY_PRIMARY": "1"})
    assert pinned.primary_version == 1
    blob = wrap(pinned, b"secret", b"ctx")
    assert wrapped_version(blob) == 1
    assert unwrap(keyring, blob, b"ctx") == b"secret"
    with pytest.raises(KeyUnavailable, match="version 3 is not configured"):
        keyring.key(3)


def test_static_from_directory(tmp_path: Path) -> None:
    (tmp_path / "1.key").write_text(b64(KEY_1) + "\n")
    (tmp_path / "2.key").write_text(b64(KEY_2))
    (tmp_path / "README").write_text("ignored")
    keyring = StaticKeyring.from_env({"ORDERLENS_MASTER_KEYS_DIR": str(tmp_path)})
    assert keyring.versions() == (1, 2)
    assert keyring.primary_version == 2
    assert keyring.key(2) == KEY_2


def test_static_is_read_only() -> None:
    keyring = StaticKeyring({1: KEY_1})
    with pytest.raises(NotImplementedError, match="ORDERLENS_MASTER_KEY_PRIMARY"):
        keyring.rotate()
    with pytest.raises(NotImplementedError, match="ORDERLENS_MASTER_KEYS"):
        keyring.retire(1)


BAD_ENV = [
    ({}, "no master keys configured"),
    (
        {"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}", "ORDERLENS_MASTER_KEYS_DIR": "/x"},
        "only one of",
    ),
    ({"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)[:-2]}"}, "version 1: the key is not valid base64"),
    ({"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}$"}, "version 1: the key is not valid base64"),
    ({"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1[:16])}"}, "the key is 16 bytes, expected 32"),
    # A missing "<version>:" prefix must not echo the key as if it were a version.
    ({"ORDERLENS_MASTER_KEYS": b64(KEY_1)}, "entry 1 is not '<version>:<base64 key>'"),
    ({"ORDERLENS_MASTER_KEYS": f"{b64(KEY_1)}:{b64(KEY_2)}"}, "entry 1 must be a positive"),
    ({"ORDERLENS_MASTER_KEYS": f"0:{b64(KEY_1)}"}, "outside 1"),
    ({"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)},1:{b64(KEY_2)}"}, "version 1 twice"),
    (
        {"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}", "ORDERLENS_MASTER_KEY_PRIMARY": "3"},
        r"primary master key version 3 is not configured \(configured: 1\)",
    ),
    (
        {"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}", "ORDERLENS_MASTER_KEY_PRIMARY": b64(KEY_2)},
        "ORDERLENS_MASTER_KEY_PRIMARY must be a positive version number",
    ),
]


@pytest.mark.parametrize(("env", "message"), BAD_ENV)
def test_static_bad_env(env: dict[str, str], message: str) -> None:
    with pytest.raises(KeyringConfigError, match=message) as info:
        StaticKeyring.from_env(env)
    assert not leaks(str(info.value), KEY_1, KEY_2, KEY_1[:16])
    # No chained exception (a binascii error, say) rides along into a traceback.
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_static_bad_directory(tmp_path: Path) -> None:
    env = {"ORDERLENS_MASTER_KEYS_DIR": str(tmp_path)}
    with pytest.raises(KeyringConfigError, match="no <version>.key files"):
        StaticKeyring.from_env(env)
    (tmp_path / "one.key").write_text(b64(KEY_1))
    with pytest.raises(KeyringConfigError, match="file one.key must be a positive"):
        StaticKeyring.from_env(env)
    (tmp_path / "one.key").unlink()
    (tmp_path / "1.key").write_text(b64(KEY_1[:31]))
    with pytest.raises(KeyringConfigError, match="1.key: the key is 31 bytes") as info:
        StaticKeyring.from_env(env)
    assert not leaks(str(info.value), KEY_1[:31])
    with pytest.raises(KeyringConfigError, match="is not a directory"):
        StaticKeyring.from_env({"ORDERLENS_MASTER_KEYS_DIR": str(tmp_path / "missing")})


def test_static_constructor_checks() -> None:
    with pytest.raises(KeyringConfigError, match="no master keys"):
        StaticKeyring({})
    with pytest.raises(KeyringConfigError, match="version 1 is 31 bytes"):
        StaticKeyring({1: KEY_1[:31]})
    with pytest.raises(KeyringConfigError, match="outside"):
        StaticKeyring({2**32: KEY_1})


# -- nothing secret in reprs -----------------------------------------------------------------


def test_reprs_hide_keys(keyring: LocalKeyring) -> None:
    keyring.rotate()
    dk = generate_data_key()
    static = StaticKeyring({1: KEY_1, 2: KEY_2})
    for text, keys in [
        (repr(keyring), (keyring.key(1), keyring.key(2))),
        (str(keyring), (keyring.key(1), keyring.key(2))),
        (repr(static), (KEY_1, KEY_2)),
        (repr(dk), (dk.key,)),
        (str(dk), (dk.key,)),
    ]:
        assert not leaks(text, *keys), text
    assert repr(static) == "StaticKeyring(primary=2, versions=(1, 2))"
    assert repr(dk) == f"DataKey(key_id=0x{dk.key_id.hex()})"
    assert "versions=(1, 2)" in repr(keyring)
