"""A default `orderlens serve` (production): over-long or foreign tokens refused, identity
provider tokens from a JWKS file accepted, no introspection, suggestions or IDE in public."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from tests.e2e.process import free_port, serving
from tests.e2e.test_serve import production_env


def test_default_serve_checks_tokens_and_hides_the_schema(tmp_path: Path) -> None:
    env, auth_secret, _ = production_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    idp = Ed25519PrivateKey.generate()
    jwks = tmp_path / "jwks.json"
    key = {**OKPAlgorithm.to_jwk(idp.public_key(), as_dict=True), "kid": "idp-1"}
    jwks.write_text(json.dumps({"keys": [key]}))
    env["ORDERLENS_AUTH_JWKS_FILE"] = str(jwks)
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with serving(args, tmp_path / "run", env, port=port) as running:
        url = running.base_url + "/graphql"
        # The real time: this process runs on the host's clock.
        now = datetime.now(UTC)

        def claims(**extra: object) -> dict[str, object]:
            return {
                "iss": "orderlens",
                "aud": "orderlens-gateway",
                "sub": "e2e",
                "role": "admin",
                "iat": int(now.timestamp()),
                "exp": int((now + timedelta(hours=1)).timestamp()),
                **extra,
            }

        def ask(query: str, token: str | None = None) -> httpx.Response:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return httpx.post(url, json={"query": query}, headers=headers, timeout=10)

        century = jwt.encode(
            claims(exp=int((now + timedelta(days=36500)).timestamp())), auth_secret, "HS256"
        )
        refused = ask("{ __typename }", century)
        assert refused.status_code == 401
        assert refused.json() == {
            "errors": [{"message": "invalid token: admin tokens may live at most 24 hours"}]
        }
        foreign = ask("{ __typename }", jwt.encode(claims(aud="billing"), auth_secret, "HS256"))
        assert foreign.status_code == 401
        assert foreign.json()["errors"][0]["message"] == "invalid token: Audience doesn't match"

        provider = jwt.encode(claims(), idp, "EdDSA", headers={"kid": "idp-1"})
        assert ask("{ __typename }", provider).json() == {"data": {"__typename": "Query"}}
        unknown = jwt.encode(claims(), idp, "EdDSA", headers={"kid": "idp-2"})
        assert ask("{ __typename }", unknown).json()["errors"][0]["message"] == (
            "invalid token: unknown kid"
        )

        introspection = ask("{ __schema { types { name } } }").json()
        assert "introspection" in introspection["errors"][0]["message"].lower()
        typo = ask('{ order(number: "x", numbr: "y") { number } }').json()
        assert [e["message"] for e in typo["errors"]] == [
            "Unknown argument 'numbr' on field 'Query.order'."
        ]
        ide = httpx.get(url, headers={"accept": "text/html"}, timeout=10)
        assert ide.status_code == 404
