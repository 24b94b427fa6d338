"""`orderlens keys generate signing|auth|master`: each production secret in the exact format
its variable expects (see docs/operations.md, Secrets).

- signing: an Ed25519 PKCS#8 PEM, for ORDERLENS_SIGNING_KEY_FILE (`--out FILE`);
- auth: base64 of 32 random bytes, the value of ORDERLENS_AUTH_SECRET;
- master: `1:<base64 of 32 bytes>`, the value of ORDERLENS_MASTER_KEYS, or with
  `--out DIR/1.key` the bare key as a file of ORDERLENS_MASTER_KEYS_DIR.

`--out` writes a new file with mode 0600 from its first byte.

A file that exists is never overwritten: losing a key loses what it signed or sealed.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from gateway.settings import DEFAULT_LOG_ORIGIN, SettingsError

SECRET_BYTES = 32


def version_number(text: str) -> int:
    # Not echoed, like every other key-related input: a pasted key must not reach a terminal log.
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("VERSION must be a positive number")
    return int(text)


def add_generate_command(actions: Any) -> None:
    generate = actions.add_parser(
        "generate", help="a new signing key, auth secret or master key, ready for its variable"
    )
    generate.add_argument("what", choices=["signing", "auth", "master"])
    generate.add_argument(
        "--out", type=Path, help="write it to this new file (mode 0600) instead of printing it"
    )
    generate.add_argument(
        "--version",
        type=version_number,
        default=1,
        help="master key version (default 1; the next one when rotating)",
    )
    generate.set_defaults(run=run_generate)


def signing_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def random_base64() -> str:
    return base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def run_generate(args: argparse.Namespace) -> int:
    generators = {"signing": generate_signing, "auth": generate_auth, "master": generate_master}
    return generators[args.what](args.out, args.version)


def generate_signing(out: Path | None, version: int) -> int:
    pem = signing_key_pem()
    if out is None:
        sys.stdout.write(pem.decode())
        return 0
    write_new(out, pem)
    note(f"wrote {out} (mode 0600): set ORDERLENS_SIGNING_KEY_FILE={out}")
    note(f"its verifier key (for `orderlens verify --key`): {verifier_key(pem)}")
    return 0


def generate_auth(out: Path | None, version: int) -> int:
    secret = random_base64()
    if out is None:
        print(secret)  # the secret is the output
        return 0
    write_new(out, f"{secret}\n".encode())
    note(f'wrote {out} (mode 0600): ORDERLENS_AUTH_SECRET="$(cat {out})"')
    return 0


def generate_master(out: Path | None, version: int) -> int:
    key = random_base64()
    if out is None:
        print(f"{version}:{key}")  # the key is the output
        return 0
    target = out / f"{version}.key" if out.is_dir() else out
    if target.name != f"{version}.key":
        raise SettingsError(
            f"name the file {version}.key: ORDERLENS_MASTER_KEYS_DIR reads the version "
            "from the file name"
        )
    write_new(target, f"{key}\n".encode())
    note(f"wrote {target} (mode 0600): ORDERLENS_MASTER_KEYS_DIR={target.parent}")
    return 0


def write_new(path: Path, data: bytes) -> None:
    """Create `path` (0600 from the first byte, failing if it exists) and write `data`."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SettingsError(f"{path} exists: a key is never overwritten") from None
    except OSError as exc:
        raise SettingsError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def verifier_key(pem: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from gateway.ledger import NoteSigner

    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return NoteSigner(key, os.environ.get("ORDERLENS_LOG_ORIGIN", DEFAULT_LOG_ORIGIN)).vkey


def note(line: str) -> None:
    print(line, file=sys.stderr)
