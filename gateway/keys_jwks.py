"""Caller tokens signed by the operator's identity provider: public keys from a JWKS file.

Only asymmetric keys (RSA, EC, Ed25519) are taken from the set and only the algorithms of an
allow-list are accepted, so no token can pick `none` or an HMAC algorithm keyed with a public
key (alg confusion). A token names its key by `kid` and must use that key's own algorithm.
The file is read at start and again whenever it changes (rotation without a restart).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

DEFAULT_ALGORITHMS = ("RS256", "ES256", "EdDSA")
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class JwksError(ValueError):
    """The JWKS file or the algorithm list cannot be used; the message names the problem."""


def check_algorithms(algorithms: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(algorithms)
    wrong = sorted(set(chosen) - ASYMMETRIC)
    if wrong or not chosen:
        raise JwksError(
            f"token algorithms must be some of {', '.join(sorted(ASYMMETRIC))}; "
            f"not {', '.join(wrong) or 'none at all'}"
        )
    return chosen


@dataclass(frozen=True, slots=True)
class VerificationKey:
    key: Any  # a cryptography public key
    algorithm: str


class JwksFile:
    def __init__(self, path: Path, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> None:
        self._path = path
        self._algorithms = check_algorithms(algorithms)
        self._stamp: tuple[int, int] | None = None
        self._keys: Mapping[str, VerificationKey] = {}
        self._refresh()  # at start: a broken file stops the gateway, not the first request

    def __repr__(self) -> str:
        return f"JwksFile({str(self._path)!r}, kids={sorted(self._keys)!r})"

    def _refresh(self) -> None:
        try:
            stat = self._path.stat()
        except OSError as exc:
            raise JwksError(f"JWKS file {self._path}: {exc.strerror}") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        self._keys = _parse(self._path.read_text(), self._path)
        self._stamp = stamp

    def key_for(self, header: Mapping[str, object]) -> VerificationKey:
        """The key a token's header names, or a TokenError-worthy ValueError."""
        algorithm, kid = header.get("alg"), header.get("kid")
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            raise ValueError("The specified alg value is not allowed")
        if not isinstance(kid, str) or not kid:
            raise ValueError("a token signed with a key must name it (kid)")
        try:
            self._refresh()
        except JwksError:
            pass  # a file mid-rotation: keep the keys read last
        found = self._keys.get(kid)
        if found is None:
            raise ValueError("unknown kid")
        if found.algorithm != algorithm:
            raise ValueError(f"alg {algorithm} does not match the key {kid}")
        return found


def _parse(text: str, path: Path) -> dict[str, VerificationKey]:
    try:
        document = json.loads(text)
    except ValueError:
        raise JwksError(f"JWKS file {path} is not JSON") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise JwksError(f"JWKS file {path} has no `keys` list")
    keys: dict[str, VerificationKey] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            raise JwksError(f"JWKS file {path}: every key needs a kid")
        if "d" in entry or entry.get("kty") == "oct":
            raise JwksError(f"JWKS file {path}: key {entry['kid']} is private or symmetric")
        try:
            jwk = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            raise JwksError(f"JWKS file {path}: key {entry['kid']}: {exc}") from None
        keys[entry["kid"]] = VerificationKey(jwk.key, str(jwk.algorithm_name))
    return keys
