"""Master keyring backends: a local file for development, configuration for production.

Both implement `privacy.keys.MasterKeyring`; a KMS backend fits the same protocol (see
StaticKeyring).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from privacy.keys import _MAX_VERSION, KEY_SIZE, KeyringConfigError, KeyUnavailable

__all__ = ["KEYRING_FORMAT", "LocalKeyring", "StaticKeyring"]

log = logging.getLogger(__name__)

KEYRING_FORMAT = "orderlens.keyring/v1"


def _check_version(version: int) -> None:
    if not 1 <= version <= _MAX_VERSION:
        raise KeyringConfigError(f"master key version {version} is outside 1..{_MAX_VERSION}")


@dataclass(slots=True)
class _Entry:
    key: bytes | None  # None once retired: the bytes are gone from the file
    created_at: str


class LocalKeyring:
    """Development keyring: a 0600 JSON file next to the app. Not for production.

    Retiring a version deletes its key bytes from the file, so anything still wrapped under it
    becomes unreadable; re-wrap first (`privacy.rotation.rewrap_all`).

    `orderlens keys` rewrites the file from another process while gateways run. Each access
    compares the file's identity (inode, mtime, size) with the one last read and re-reads it
    when it changed: one stat() per access buys rotation without a restart.
    """

    def __init__(self, path: Path, primary: int, entries: Mapping[int, _Entry]) -> None:
        self.path = path
        self._primary = primary
        self._entries = dict(entries)
        self._seen = _stamp(path)  # the state above stands for whatever file is there now

    @classmethod
    def load_or_create(cls, path: Path | str) -> LocalKeyring:
        path = Path(path)
        if not path.exists():
            keyring = cls(path, 1, {1: _Entry(os.urandom(KEY_SIZE), _now())})
            keyring._save()
            return keyring
        return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> LocalKeyring:
        seen = _stamp(path)  # taken first: a change made while reading is picked up next time
        keyring = cls(path, *cls._read(path))
        keyring._seen = seen
        return keyring

    @staticmethod
    def _read(path: Path) -> tuple[int, dict[int, _Entry]]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # Neither error type quotes the file's content.
            raise KeyringConfigError(f"cannot read master keyring {path}: {exc}") from None
        if not isinstance(doc, dict) or doc.get("format") != KEYRING_FORMAT:
            raise KeyringConfigError(f"{path} is not an {KEYRING_FORMAT} file")
        entries: dict[int, _Entry] = {}
        for name, item in _mapping(doc.get("keys"), path).items():
            version = _version(name, f"{path}: key name")
            fields = _mapping(item, path)
            key: bytes | None
            if fields.get("state") == "active":
                key = _decode_key(fields.get("key"), f"{path}: version {version}")
            elif fields.get("state") == "retired":
                key = None
            else:
                raise KeyringConfigError(f"{path}: version {version} has an unknown state")
            entries[version] = _Entry(key, str(fields.get("created_at", "")))
        primary = doc.get("primary")
        if not isinstance(primary, int) or entries.get(primary, _Entry(None, "")).key is None:
            raise KeyringConfigError(f"{path}: the primary version is not an active key")
        return primary, entries

    def _refresh(self) -> None:
        """Re-read the file if another process replaced it since this one read or wrote it."""
        seen = _stamp(self.path)
        if seen == self._seen:
            return
        self._seen = seen
        if seen is None:
            log.warning("master keyring %s is gone: keeping the keys already loaded", self.path)
            return
        try:
            self._primary, self._entries = self._read(self.path)
        except KeyringConfigError as exc:
            # A running gateway keeps serving with the last good keyring rather than failing.
            log.warning("%s: keeping the keys already loaded", exc)

    @property
    def primary_version(self) -> int:
        self._refresh()
        return self._primary

    def versions(self) -> tuple[int, ...]:
        self._refresh()
        return tuple(sorted(v for v, e in self._entries.items() if e.key is not None))

    def retired_versions(self) -> tuple[int, ...]:
        self._refresh()
        return tuple(sorted(v for v, e in self._entries.items() if e.key is None))

    def key(self, version: int) -> bytes:
        self._refresh()
        entry = self._entries.get(version)
        if entry is None:
            raise KeyUnavailable(f"master key version {version} is unknown")
        if entry.key is None:
            raise KeyUnavailable(f"master key version {version} is retired")
        return entry.key

    def rotate(self) -> int:
        """Add a new version and make it primary. Version numbers are never reused."""
        self._refresh()  # never write a stale copy over another process's change
        version = max(self._entries) + 1
        _check_version(version)
        self._entries[version] = _Entry(os.urandom(KEY_SIZE), _now())
        self._primary = version
        self._save()
        return version

    def retire(self, version: int) -> None:
        """Destroy a version's key bytes. Idempotent; refuses the primary."""
        self._refresh()
        if version == self._primary:
            raise ValueError(
                f"master key version {version} is the primary: rotate to a new version first"
            )
        entry = self._entries.get(version)
        if entry is None:
            raise KeyUnavailable(f"master key version {version} is unknown")
        # Python cannot scrub the old bytes object from memory; dropping it from the file is
        # what makes backups of the database unreadable once this process exits.
        entry.key = None
        self._save()

    def _save(self) -> None:
        keys: dict[str, dict[str, str]] = {}
        for version, entry in sorted(self._entries.items()):
            keys[str(version)] = {"state": "retired", "created_at": entry.created_at}
            if entry.key is not None:
                keys[str(version)].update(key=base64.b64encode(entry.key).decode(), state="active")
        doc = {"format": KEYRING_FORMAT, "primary": self._primary, "keys": keys}
        _write_private(self.path, json.dumps(doc, indent=2).encode() + b"\n")
        self._seen = _stamp(self.path)

    def __repr__(self) -> str:
        return (
            f"LocalKeyring({str(self.path)!r}, primary={self.primary_version}, "
            f"versions={self.versions()})"
        )


class StaticKeyring:
    """Production keyring: versions come from configuration and are read-only here.

    ``ORDERLENS_MASTER_KEYS="1:<base64 of 32 bytes>,2:<base64>"`` with optional
    ``ORDERLENS_MASTER_KEY_PRIMARY`` (default: the highest version), or
    ``ORDERLENS_MASTER_KEYS_DIR`` naming a directory of ``<version>.key`` files (one base64 key
    each; fits mounted secrets). Rotation is an operations step: add the version, make it
    primary, deploy, re-wrap, then drop the old version from the configuration.

    A KMS backend fits the same `MasterKeyring` protocol by keeping each master key version
    wrapped by the KMS (AWS KMS / GCP KMS / Vault transit ``decrypt``) in configuration and
    unwrapping it once at start-up, so `key(version)` serves it from memory; `wrap`/`unwrap`
    and the record format stay as they are. If keys must never leave the HSM, `wrap`/`unwrap`
    would instead call the service per record (Vault: ``transit/encrypt``/``decrypt``/
    ``rewrap`` with ``context`` = the AAD) keeping the same 5-byte header, so that
    `wrapped_version` still finds records to re-wrap; errors map to KeyUnavailable (version
    disabled or unknown) and DecryptionFailed (authentication).
    """

    def __init__(self, keys: Mapping[int, bytes], primary: int | None = None) -> None:
        if not keys:
            raise KeyringConfigError("no master keys configured")
        for version, key in keys.items():
            _check_version(version)
            if len(key) != KEY_SIZE:
                raise KeyringConfigError(
                    f"master key version {version} is {len(key)} bytes, expected {KEY_SIZE}"
                )
        self._keys = dict(keys)
        self._primary = max(keys) if primary is None else primary
        if self._primary not in self._keys:
            raise KeyringConfigError(
                f"primary master key version {self._primary} is not configured "
                f"(configured: {', '.join(map(str, sorted(keys)))})"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StaticKeyring:
        inline, directory = env.get("ORDERLENS_MASTER_KEYS"), env.get("ORDERLENS_MASTER_KEYS_DIR")
        if inline and directory:
            raise KeyringConfigError(
                "set only one of ORDERLENS_MASTER_KEYS and ORDERLENS_MASTER_KEYS_DIR"
            )
        if inline:
            keys = _parse_inline(inline)
        elif directory:
            keys = _read_directory(Path(directory))
        else:
            raise KeyringConfigError(
                "no master keys configured: set ORDERLENS_MASTER_KEYS or ORDERLENS_MASTER_KEYS_DIR"
            )
        primary_text = env.get("ORDERLENS_MASTER_KEY_PRIMARY", "").strip()
        if not primary_text:
            return cls(keys)
        # Not echoed: a key pasted into the wrong variable must not end up in a log.
        primary = _version(primary_text, "ORDERLENS_MASTER_KEY_PRIMARY")
        return cls(keys, primary)

    @property
    def primary_version(self) -> int:
        return self._primary

    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._keys))

    def key(self, version: int) -> bytes:
        try:
            return self._keys[version]
        except KeyError:
            raise KeyUnavailable(f"master key version {version} is not configured") from None

    def rotate(self) -> int:
        raise NotImplementedError(
            "master keys come from configuration: generate a key, add the new version to "
            "ORDERLENS_MASTER_KEYS and set ORDERLENS_MASTER_KEY_PRIMARY to it, then restart"
        )

    def retire(self, version: int) -> None:
        raise NotImplementedError(
            f"master keys come from configuration: remove version {version} from "
            "ORDERLENS_MASTER_KEYS (or its file from ORDERLENS_MASTER_KEYS_DIR) after re-wrapping"
        )

    def __repr__(self) -> str:
        return f"StaticKeyring(primary={self._primary}, versions={self.versions()})"


# -- helpers ---------------------------------------------------------------------------------


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What identifies one version of a file: atomic replacement always changes the inode."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _mapping(value: object, path: Path) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise KeyringConfigError(f"{path} is not an {KEYRING_FORMAT} file")
    return value


def _version(text: str, where: str) -> int:
    text = text.strip()
    # Never echo `text`: a misplaced separator can turn a whole key into the "version".
    if not text.isascii() or not text.isdigit():
        raise KeyringConfigError(f"{where} must be a positive version number")
    version = int(text)
    _check_version(version)
    return version


def _decode_key(text: object, where: str) -> bytes:
    if not isinstance(text, str):
        raise KeyringConfigError(f"{where}: the key is missing")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringConfigError(f"{where}: the key is not valid base64") from None
    if len(key) != KEY_SIZE:
        raise KeyringConfigError(f"{where}: the key is {len(key)} bytes, expected {KEY_SIZE}")
    return key


def _parse_inline(text: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for position, item in enumerate((p for p in text.split(",") if p.strip()), start=1):
        name, sep, encoded = item.partition(":")
        if not sep:
            raise KeyringConfigError(
                f"ORDERLENS_MASTER_KEYS entry {position} is not '<version>:<base64 key>'"
            )
        version = _version(name, f"ORDERLENS_MASTER_KEYS entry {position}")
        if version in keys:
            raise KeyringConfigError(f"ORDERLENS_MASTER_KEYS lists version {version} twice")
        keys[version] = _decode_key(encoded, f"ORDERLENS_MASTER_KEYS version {version}")
    return keys


def _read_directory(directory: Path) -> dict[int, bytes]:
    if not directory.is_dir():
        raise KeyringConfigError(f"ORDERLENS_MASTER_KEYS_DIR {directory} is not a directory")
    keys: dict[int, bytes] = {}
    for file in sorted(directory.glob("*.key")):
        version = _version(file.stem, f"ORDERLENS_MASTER_KEYS_DIR file {file.name}")
        keys[version] = _decode_key(file.read_text(encoding="ascii", errors="replace"), str(file))
    if not keys:
        raise KeyringConfigError(
            f"ORDERLENS_MASTER_KEYS_DIR {directory} has no <version>.key files"
        )
    return keys


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically with mode 0600: a crash leaves the old file, never half a keyring."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)  # mkstemp already uses 0600; stated so a umask change cannot widen it
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
