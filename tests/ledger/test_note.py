"""C2SP signed notes and checkpoints: Go sumdb/note vectors, openssl, and tampering."""

from __future__ import annotations

import base64
import hashlib
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

from gateway.ledger import (
    Checkpoint,
    NoteError,
    NoteSigner,
    NoteVerifier,
    format_checkpoint,
    key_id,
    load_or_create_signing_key,
    load_signing_key,
    merkle,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from tests.ledger.memlog import make_signer

# Vectors from golang.org/x/mod sumdb/note/note_test.go (BSD-3-Clause, The Go Authors).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG


def peter_signer() -> NoteSigner:
    raw = base64.b64decode(PETER_SKEY.split("+", 4)[4])
    assert raw[0] == 0x01
    return NoteSigner(Ed25519PrivateKey.from_private_bytes(raw[1:]), "PeterNeumann")


def test_go_vector_signing_is_byte_identical() -> None:
    signer = peter_signer()  # Ed25519 is deterministic, so the whole note must match
    assert signer.vkey == PETER_VKEY
    assert signer.key_id.hex() == "c74f20a3"
    assert signer.sign(TEXT) == PETER_NOTE


def test_go_vector_verifies_and_other_signatures_are_ignored() -> None:
    peter = NoteVerifier.from_vkey(PETER_VKEY)
    assert peter.verify(PETER_NOTE) == TEXT
    assert peter.verify(TEXT + "\n" + ENOCH_SIG + PETER_SIG) == TEXT  # unknown key first
    assert peter.verify(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG) == TEXT
    enoch = NoteVerifier.from_vkey(ENOCH_VKEY)
    assert enoch.verify(TEXT + "\n" + PETER_SIG + ENOCH_SIG) == TEXT
    with pytest.raises(NoteError, match=r"note is signed only by EnochRoot\+af0cfe78"):
        peter.verify(TEXT + "\n" + ENOCH_SIG)


def test_key_id_formula() -> None:
    pub = base64.b64decode(PETER_VKEY.split("+", 2)[2])[1:]
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + pub).digest()[:4]
    assert key_id("PeterNeumann", pub) == expected == bytes.fromhex("c74f20a3")
    signer = make_signer()
    assert (
        signer.key_id
        == hashlib.sha256(b"orderlens.test/log\n\x01" + signer.public_key).digest()[:4]
    )


def test_vkey_manglings_are_rejected() -> None:
    # The same exhaustive mangling as Go's TestNewVerifier.
    NoteVerifier.from_vkey(PETER_VKEY)
    raw = PETER_VKEY.encode()
    for i in range(len(raw) + 1):
        for j in range(i + 1, len(raw) + 1):
            if (i, j) != (0, len(raw)):
                with pytest.raises(NoteError):
                    NoteVerifier.from_vkey(raw[i:j].decode())
    for i in range(len(raw)):
        mangled = raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :]
        with pytest.raises(NoteError):
            NoteVerifier.from_vkey(mangled.decode())


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "type byte is 0x65"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!", "not valid base64"),
        ("PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
        ("PeterNeumann", "must look like"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "space or '\\+'"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name is empty"),
    ],
)
def test_malformed_vkey_messages(vkey: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        NoteVerifier.from_vkey(vkey)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (TEXT, "no blank line"),
        (TEXT + "\n", "no signature lines"),
        (TEXT + "\n" + PETER_SIG[:-1], "does not end with a newline"),
        ("\x01" + PETER_NOTE, "control character U\\+0001"),
        ("\r" + PETER_NOTE, "control character U\\+000D"),
        (TEXT + "\n" + "\u2014 Bad Name " + PETER_SIG.split()[-1] + "\n", "not valid base64"),
        (PETER_NOTE + "Unexpected line.\n", "line 2 does not start with an em dash"),
        (TEXT + "\n" + PETER_SIG.replace("\u2014", "-"), "line 1 does not start with an em dash"),
        (TEXT + "\n" + "\u2014 PeterNeumann\n", "no space between name and signature"),
        (TEXT + "\n" + "\u2014 PeterNeumann AAAA\n", "too short"),
        (TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], "67 signature bytes"),
        (PETER_NOTE.replace("cryptography", "cryptographY"), "line 1 does not verify"),
        (TEXT + "\n" + PETER_SIG * 17, "17 signature lines, at most 16"),
    ],
)
def test_malformed_or_bad_notes(note: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        NoteVerifier.from_vkey(PETER_VKEY).verify(note)


def test_sixteen_signatures_are_accepted() -> None:
    others = "".join(make_signer(seed, f"witness{seed}").signature_line(TEXT) for seed in range(15))
    note = TEXT + "\n" + others + PETER_SIG
    assert NoteVerifier.from_vkey(PETER_VKEY).verify(note) == TEXT


def test_signer_rejects_bad_names_and_texts() -> None:
    key = Ed25519PrivateKey.generate()
    for name in ("", "a b", "a+b", "tab\there", "nl\n"):
        with pytest.raises(NoteError):
            NoteSigner(key, name)
    with pytest.raises(NoteError, match="does not end with a newline"):
        NoteSigner(key, "ok").sign("no newline")


def _cp(size: int = 40) -> Checkpoint:
    return Checkpoint("orderlens.test/log", size, hashlib.sha256(b"root").digest())


def test_checkpoint_roundtrip_and_open() -> None:
    signer = make_signer()
    cp = _cp()
    body = format_checkpoint(cp)
    assert body == f"orderlens.test/log\n40\n{base64.b64encode(cp.root).decode()}\n"
    assert parse_checkpoint(body) == cp
    note = sign_checkpoint(signer, cp)
    assert note.startswith(body + "\n\u2014 orderlens.test/log ")
    verifier = NoteVerifier.from_vkey(signer.vkey)
    assert open_checkpoint(note, verifier, "orderlens.test/log") == cp
    with pytest.raises(NoteError, match="is not the expected 'other.example/log'"):
        open_checkpoint(note, verifier, "other.example/log")


def _tamper_body(note: str, old: str, new: str) -> str:
    body, sigs = note.split("\n\n", 1)
    return body.replace(old, new, 1) + "\n\n" + sigs


def test_checkpoint_tamper_rejected() -> None:
    signer = make_signer()
    cp = _cp()
    note = sign_checkpoint(signer, cp)
    verifier = NoteVerifier.from_vkey(signer.vkey)
    root_b64 = base64.b64encode(cp.root).decode()
    other_root = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    tampered = [
        _tamper_body(note, "\n40\n", "\n41\n"),
        _tamper_body(note, root_b64, other_root),
        _tamper_body(note, "orderlens.test/log\n", "orderlens.test/lag\n"),
    ]
    sig_line = note.rstrip("\n").rsplit("\n", 1)[1]
    blob = bytearray(base64.b64decode(sig_line.split(" ")[2]))
    for position in (4, 40, 67):  # first, middle and last signature byte
        bad = bytearray(blob)
        bad[position] ^= 0x01
        tampered.append(note.replace(sig_line.split(" ")[2], base64.b64encode(bad).decode()))
    for bad_note in tampered:
        with pytest.raises(NoteError, match="no valid signature by pinned key"):
            open_checkpoint(bad_note, verifier, "orderlens.test/log")


def test_checkpoint_by_another_key_is_rejected() -> None:
    pinned = NoteVerifier.from_vkey(make_signer(seed=7).vkey)
    impostor = make_signer(seed=8)  # same name, different key: a different key id
    note = sign_checkpoint(impostor, _cp())
    with pytest.raises(
        NoteError, match=f"signed only by orderlens.test/log\\+{impostor.key_id.hex()}"
    ):
        open_checkpoint(note, pinned, "orderlens.test/log")
    # A witness cosignature next to the log's own signature is fine.
    both = sign_checkpoint(make_signer(seed=7), _cp()) + make_signer(
        9, "witness.example"
    ).signature_line(format_checkpoint(_cp()))
    assert open_checkpoint(both, pinned, "orderlens.test/log") == _cp()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("o\n40\nAAAA\n", "root is 3 bytes"),
        ("o\n040\n" + "A" * 43 + "=\n", "leading zeros"),
        ("o\n-1\n" + "A" * 43 + "=\n", "not a decimal"),
        ("o\n+4\n" + "A" * 43 + "=\n", "not a decimal"),
        ("o\n18446744073709551616\n" + "A" * 43 + "=\n", "64 bits"),
        ("o\n4\n" + "A" * 43 + "=\nextension\n", "extension lines"),
        ("o\n4\n" + "A" * 42 + "B=\n", "not canonical base64"),
        ("o\n4\n", "expected origin, size and root"),
        ("\n4\n" + "A" * 43 + "=\n", "origin line is empty"),
        ("o\n4\n" + "A" * 43 + "=", "does not end with a newline"),
    ],
)
def test_parse_checkpoint_is_strict(body: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint(body)


def test_zero_size_checkpoint() -> None:
    body = format_checkpoint(Checkpoint("o", 0, merkle.EMPTY_ROOT))
    assert parse_checkpoint(body) == Checkpoint("o", 0, merkle.EMPTY_ROOT)
    with pytest.raises(NoteError):
        format_checkpoint(Checkpoint("o", 1, b"short"))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_checkpoint_openssl_independent(tmp_path: Path) -> None:
    signer = make_signer()
    note = sign_checkpoint(signer, _cp())
    text, sigs = note.split("\n\n", 1)
    blob = base64.b64decode(sigs.split(" ")[2])
    assert blob[:4] == signer.key_id and len(blob) == 68
    pub = serialization.load_der_public_key(
        bytes.fromhex("302a300506032b6570032100") + signer.public_key
    )
    pem = tmp_path / "log.pem"
    pem.write_bytes(
        pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    msg, sig = tmp_path / "checkpoint.txt", tmp_path / "checkpoint.sig"
    msg.write_bytes((text + "\n").encode())
    sig.write_bytes(blob[4:])
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(pem), "-rawin"]
    ok = subprocess.run([*cmd, "-in", str(msg), "-sigfile", str(sig)], capture_output=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    msg.write_bytes((text + "\n").replace("40", "41").encode())
    bad = subprocess.run([*cmd, "-in", str(msg), "-sigfile", str(sig)], capture_output=True)
    assert bad.returncode != 0


def test_load_or_create_signing_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "nested" / "log.pem"
    key = load_or_create_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = load_or_create_signing_key(path)
    assert again.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
    assert load_signing_key(path).private_bytes_raw() == key.private_bytes_raw()
    assert [p.name for p in path.parent.iterdir()] == ["log.pem"]  # no temp file left behind


def test_load_signing_key_rejects_other_keys(tmp_path: Path) -> None:
    rsa = tmp_path / "rsa.pem"
    rsa.write_bytes(
        generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(NoteError, match="expected an Ed25519 private key"):
        load_signing_key(rsa)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key")
    with pytest.raises(ValueError):
        load_signing_key(garbage)
