"""C2SP signed-note (Ed25519) and tlog-checkpoint, interoperable with Go's sumdb/note.

Specs: https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_SIGNATURES",
    "SIG_TYPE_ED25519",
    "Checkpoint",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "format_checkpoint",
    "key_id",
    "load_or_create_signing_key",
    "load_signing_key",
    "open_checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
]

SIG_TYPE_ED25519 = 0x01
# The spec says verifiers MUST accept at least 16 signatures; more is treated as abuse.
MAX_SIGNATURES = 16
_SIG_PREFIX = "\u2014 "  # EM DASH + space
_ED25519_SIG_LEN = 64
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_UINT64_MAX = 2**64 - 1


class NoteError(ValueError):
    """A key, note or checkpoint is malformed or does not verify; the message says why."""


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: canonical encoding only, so one value has one spelling."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_key_name(name: str) -> None:
    if not name:
        raise NoteError("key name is empty")
    if "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"key name {name!r} contains a space or '+'")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise NoteError(f"key name {name!r} contains a control character")


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]."""
    material = name.encode("utf-8") + b"\n" + bytes([SIG_TYPE_ED25519]) + public_key
    return hashlib.sha256(material).digest()[:4]


class NoteSigner:
    """Signs note texts as ``name`` with an Ed25519 key."""

    def __init__(self, private_key: Ed25519PrivateKey, name: str) -> None:
        _check_key_name(name)
        self._key = private_key
        self.name = name
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, self.public_key)

    @property
    def vkey(self) -> str:
        """Verifier key in Go sumdb/note form: ``name+keyid+base64(0x01 || pubkey)``."""
        encoded = base64.b64encode(bytes([SIG_TYPE_ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def signature_line(self, text: str) -> str:
        sig = self._key.sign(text.encode("utf-8"))
        return f"{_SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + sig).decode('ascii')}\n"

    def sign(self, text: str) -> str:
        """The full signed note: text, blank line, one signature line."""
        _check_text(text)
        return text + "\n" + self.signature_line(text)


class NoteVerifier:
    """Verifies notes against one pinned Ed25519 key."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_key_name(name)
        if len(public_key) != 32:
            raise NoteError(f"Ed25519 public key is {len(public_key)} bytes, expected 32")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, public_key)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key)
        except ValueError as exc:
            raise NoteError(f"invalid Ed25519 public key: {exc}") from None

    @property
    def label(self) -> str:
        """``name+keyid`` as Go prints it in errors."""
        return f"{self.name}+{self.key_id.hex()}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        parts = vkey.strip().split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise NoteError("verifier key must look like <name>+<8 hex key id>+<base64 key>")
        name, id_hex, encoded = parts
        _check_key_name(name)
        if not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
            raise NoteError(f"verifier key id {id_hex!r} is not 8 hex digits")
        raw = _b64decode(encoded, "verifier key material")
        if not raw:
            raise NoteError("verifier key material is empty")
        if raw[0] != SIG_TYPE_ED25519:
            raise NoteError(f"verifier key type byte is 0x{raw[0]:02x}, expected 0x01 (Ed25519)")
        verifier = cls(name, raw[1:])
        if verifier.key_id != bytes.fromhex(id_hex):
            raise NoteError(
                f"verifier key id {id_hex.lower()} does not match the key "
                f"(computed {verifier.key_id.hex()})"
            )
        return verifier

    def verify(self, note: str) -> str:
        """Return the note text if a signature by this key verifies; else raise NoteError.

        Signature lines by other keys are ignored (witnesses, rotation), but a line that
        claims to be by this key and does not verify rejects the whole note.
        """
        text, lines = _split_note(note)
        message = text.encode("utf-8")
        others: list[str] = []
        verified = False
        for number, (name, blob) in enumerate(lines, start=1):
            if name != self.name or blob[:4] != self.key_id:
                others.append(f"{name}+{blob[:4].hex()}")
                continue
            if len(blob) != 4 + _ED25519_SIG_LEN:
                raise NoteError(
                    f"no valid signature by pinned key {self.label}: signature line {number} "
                    f"carries {len(blob) - 4} signature bytes, expected {_ED25519_SIG_LEN}"
                )
            try:
                self._key.verify(blob[4:], message)
            except InvalidSignature:
                raise NoteError(
                    f"no valid signature by pinned key {self.label}: "
                    f"signature line {number} does not verify"
                ) from None
            verified = True
        if not verified:
            seen = ", ".join(others)
            raise NoteError(
                f"no valid signature by pinned key {self.label}: note is signed only by {seen}"
            )
        return text


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text does not end with a newline")
    for offset, ch in enumerate(text):
        if ord(ch) < 0x20 and ch != "\n":
            raise NoteError(f"note contains control character U+{ord(ch):04X} at offset {offset}")


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Split a note into its text and parsed signature lines (name, keyid || sig)."""
    if not isinstance(note, str):
        raise NoteError(f"note must be a string, not {type(note).__name__}")
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a JSON "\ud800" escape
        raise NoteError("note is not valid UTF-8") from None
    if not note.endswith("\n"):
        raise NoteError("note does not end with a newline")
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line between text and signatures")
    text, sig_block = note[: split + 1], note[split + 2 :]
    if not sig_block:
        raise NoteError("note has no signature lines")
    raw_lines = sig_block[:-1].split("\n")
    if len(raw_lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(raw_lines)} signature lines, at most {MAX_SIGNATURES}")
    parsed: list[tuple[str, bytes]] = []
    for number, line in enumerate(raw_lines, start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"signature line {number} does not start with an em dash and space")
        name, sep, encoded = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep:
            raise NoteError(f"signature line {number} has no space between name and signature")
        try:
            _check_key_name(name)
            blob = _b64decode(encoded, "signature")
        except NoteError as exc:
            raise NoteError(f"signature line {number}: {exc}") from None
        if len(blob) < 5:
            raise NoteError(f"signature line {number} is too short to hold a key id and signature")
        parsed.append((name, blob))
    return text, parsed


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def format_checkpoint(cp: Checkpoint) -> str:
    if not cp.origin or "\n" in cp.origin:
        raise NoteError("checkpoint origin must be one non-empty line")
    if not 0 <= cp.size <= _UINT64_MAX:
        raise NoteError(f"checkpoint size {cp.size} is out of range")
    if len(cp.root) != 32:
        raise NoteError(f"checkpoint root is {len(cp.root)} bytes, expected 32")
    return f"{cp.origin}\n{cp.size}\n{base64.b64encode(cp.root).decode('ascii')}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Strict parse of ``origin\\nsize\\nbase64(root)\\n``.

    tlog-checkpoint allows extension lines after the root, but marks them NOT RECOMMENDED and
    monitors cannot audit them; this log never writes any, so we reject them outright.
    """
    if not text.endswith("\n"):
        raise NoteError("checkpoint text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(f"checkpoint has {len(lines)} lines, expected origin, size and root")
    if len(lines) > 3:
        raise NoteError("checkpoint has extension lines, which this log never writes")
    origin, size_text, root_text = lines
    if not origin:
        raise NoteError("checkpoint origin line is empty")
    if not _DECIMAL.fullmatch(size_text):
        raise NoteError(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
    size = int(size_text)
    if size > _UINT64_MAX:
        raise NoteError(f"checkpoint size {size} does not fit in 64 bits")
    root = _b64decode(root_text, "checkpoint root")
    if len(root) != 32:
        raise NoteError(f"checkpoint root is {len(root)} bytes, expected 32")
    return Checkpoint(origin, size, root)


def sign_checkpoint(signer: NoteSigner, cp: Checkpoint) -> str:
    return signer.sign(format_checkpoint(cp))


def open_checkpoint(note: str, verifier: NoteVerifier, expected_origin: str) -> Checkpoint:
    """Verify the signature, parse the body and pin the origin (in that order)."""
    cp = parse_checkpoint(verifier.verify(note))
    if cp.origin != expected_origin:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not the expected {expected_origin!r}")
    return cp


# --- key storage -----------------------------------------------------------------------------


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} holds a {type(key).__name__}, expected an Ed25519 private key")
    return key


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load the PEM (PKCS#8) key at ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return load_signing_key(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Write a private temp file, then hard-link it into place: the link fails if another
    # process created the key first, and nobody ever sees a half-written key file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.link(tmp, path)
    except FileExistsError:
        return load_signing_key(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key
