"""Personal data: sealed fields under per-customer keys, blind indexes, keyed commitments.

Other packages import only from here.
"""

from privacy.blind_index import BlindIndex, normalize_email, normalize_phone
from privacy.commitment import commitment_key, pii_commit
from privacy.erasure import Erasure, UnknownCustomer, erase_customer
from privacy.keyrings import LocalKeyring, StaticKeyring
from privacy.keys import (
    DataKey,
    DecryptionFailed,
    KeyringConfigError,
    KeyUnavailable,
    MasterKeyring,
    generate_data_key,
    generate_root_key,
    rewrap,
    unwrap,
    unwrap_data_key,
    wrap,
    wrap_data_key,
    wrapped_version,
)
from privacy.marker import PERSONAL, marked_fields, personal
from privacy.policy import (
    CLEAR,
    PII_FIELDS,
    POLICY,
    POLICY_VERSION,
    REVEALABLE,
    Disclosure,
    Grant,
    PolicyError,
    Role,
    Rule,
    apply,
    decide,
    policy_table,
    validate_policy,
)
from privacy.records import Address, Contact, OrderPii, Proof
from privacy.rotation import VersionInUse, ensure_unused, rewrap_all, versions_in_use
from privacy.sealed import (
    PlaintextRefused,
    Sealed,
    SealedBytes,
    seal,
    stale_key,
    unseal,
    unseal_text,
)
from privacy.vault import Vault

__all__ = [
    "VersionInUse",
    "ensure_unused",
    "rewrap_all",
    "versions_in_use",
    "Erasure",
    "UnknownCustomer",
    "Vault",
    "erase_customer",
    "CLEAR",
    "PERSONAL",
    "PII_FIELDS",
    "POLICY",
    "POLICY_VERSION",
    "REVEALABLE",
    "Address",
    "Contact",
    "Disclosure",
    "Grant",
    "OrderPii",
    "PolicyError",
    "Proof",
    "Role",
    "Rule",
    "apply",
    "decide",
    "marked_fields",
    "personal",
    "policy_table",
    "validate_policy",
    "BlindIndex",
    "DataKey",
    "DecryptionFailed",
    "KeyUnavailable",
    "KeyringConfigError",
    "LocalKeyring",
    "MasterKeyring",
    "PlaintextRefused",
    "Sealed",
    "SealedBytes",
    "StaticKeyring",
    "commitment_key",
    "generate_data_key",
    "generate_root_key",
    "normalize_email",
    "normalize_phone",
    "pii_commit",
    "rewrap",
    "seal",
    "stale_key",
    "unseal",
    "unseal_text",
    "unwrap",
    "unwrap_data_key",
    "wrap",
    "wrap_data_key",
    "wrapped_version",
]
