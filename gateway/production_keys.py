"""The three secrets a gateway cannot run without, and when a dev key may stand in for one.

A production gateway refuses to start on dev keys: whoever holds a data directory of
generated keys can sign checkpoints, mint tokens and read personal data. Only
`orderlens demo`, `orderlens serve --dev-keys` (and the tests) opt into creating them; offline
commands may read the ones a demo made (see `DevKeys`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.settings import DevKeys, Settings, SettingsError

MASTER_KEY_SOURCES = ("ORDERLENS_MASTER_KEYS", "ORDERLENS_MASTER_KEYS_DIR")


@dataclass(frozen=True, slots=True)
class RequiredSecret:
    variable: str
    purpose: str
    how: str

    def line(self) -> str:
        return f"  {self.variable}: {self.purpose}; create it with {self.how}"


SIGNING = RequiredSecret(
    "ORDERLENS_SIGNING_KEY_FILE",
    "the Ed25519 key that signs the log's checkpoints (a PEM file)",
    "`orderlens keys generate signing --out /etc/orderlens/log-signing-key.pem` and point "
    "the variable at that file",
)
AUTH = RequiredSecret(
    "ORDERLENS_AUTH_SECRET",
    "the secret that signs caller tokens (base64 of 32 bytes)",
    '`export ORDERLENS_AUTH_SECRET="$(orderlens keys generate auth)"`',
)
MASTER = RequiredSecret(
    "ORDERLENS_MASTER_KEYS (or ORDERLENS_MASTER_KEYS_DIR)",
    "the master keys that wrap the keys sealing personal data",
    '`export ORDERLENS_MASTER_KEYS="$(orderlens keys generate master)"` (or '
    "`orderlens keys generate master --out DIR/1.key` for ORDERLENS_MASTER_KEYS_DIR)",
)


def master_keys_configured(settings: Settings) -> bool:
    return any(settings.master_key_env.get(name) for name in MASTER_KEY_SOURCES)


def unconfigured(settings: Settings) -> list[tuple[RequiredSecret, Path]]:
    """Each secret that is not configured, with the dev key file that would stand in for it."""
    missing = []
    if settings.signing_key_file is None:
        missing.append((SIGNING, settings.signing_key_path))
    if settings.auth_secret is None:
        missing.append((AUTH, settings.auth_secret_path))
    if not master_keys_configured(settings):
        missing.append((MASTER, settings.keyring_path))
    return missing


def require_secrets(settings: Settings, wanted: Iterable[RequiredSecret] | None = None) -> None:
    """Raise one SettingsError naming every secret (of `wanted`, default all three) that is
    neither configured nor allowed to come from a dev key file, with how to create each."""
    if settings.dev_keys is DevKeys.CREATE:
        return
    names = None if wanted is None else {secret.variable for secret in wanted}
    missing = [m for m in unconfigured(settings) if names is None or m[0].variable in names]
    if settings.dev_keys is DevKeys.EXISTING:
        missing = [(secret, path) for secret, path in missing if not path.exists()]
        if missing:
            files = ", ".join(str(path) for _, path in missing)
            raise SettingsError(
                "\n".join(
                    [
                        f"these secrets are not configured, and there are no dev keys at {files} "
                        "(set ORDERLENS_DATA_DIR to a demo's data directory, or configure "
                        "the gateway's own secrets):",
                        *(secret.line() for secret, _ in missing),
                    ]
                )
            )
        return
    if missing:
        raise SettingsError(
            "\n".join(
                [
                    "refusing to start without production secrets (generated dev keys are only "
                    "for `orderlens demo` and `orderlens serve --dev-keys`); not configured:",
                    *(secret.line() for secret, _ in missing),
                ]
            )
        )


def check_configured_secrets(settings: Settings) -> None:
    """Read each configured secret once, so a malformed one is a one-line SettingsError
    naming its variable (never its value) before anything starts."""
    from gateway.auth import parse_secret
    from gateway.ledger import NoteError, load_signing_key
    from privacy import StaticKeyring

    if settings.signing_key_file is not None:
        try:
            load_signing_key(settings.signing_key_file)
        except OSError as exc:
            raise SettingsError(
                f"ORDERLENS_SIGNING_KEY_FILE {settings.signing_key_file}: {exc.strerror}"
            ) from None
        except NoteError as exc:  # a PEM key of another algorithm: says which
            raise SettingsError(f"ORDERLENS_SIGNING_KEY_FILE: {exc}") from None
        except ValueError:
            raise SettingsError(
                f"ORDERLENS_SIGNING_KEY_FILE {settings.signing_key_file} is not a PEM "
                "(PKCS#8, unencrypted) Ed25519 private key"
            ) from None
    try:
        if settings.auth_secret is not None:
            parse_secret(settings.auth_secret)
        if master_keys_configured(settings):
            StaticKeyring.from_env(settings.master_key_env)
    except ValueError as exc:  # their messages name the variable, never the value
        raise SettingsError(str(exc)) from None


def dev_key_warning(settings: Settings) -> str | None:
    """The loud start-up line for a gateway running on generated dev keys, if it does."""
    if settings.dev_keys is not DevKeys.CREATE:
        return None
    names = [secret.variable for secret, _ in unconfigured(settings)]
    if not names:
        return None
    return (
        f"DEV KEYS IN USE: {', '.join(names)} not configured, using generated keys in "
        f"{settings.data_dir}. NOT FOR PRODUCTION: whoever has that directory can sign "
        "checkpoints, mint tokens and read personal data (see `orderlens keys generate`)"
    )
