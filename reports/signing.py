"""The institution's signing key, as the exports use it.

The key machinery lives in :mod:`ledger.signing` (ledger checkpoints are signed with the
same key and the ledger imports no later app); this module keeps the name the exports and
the ``signing_key`` command have always used.
"""

from ledger.signing import (
    SigningKeyError,
    fingerprint,
    generate,
    key_path,
    load_private_key,
    public_pem,
    sign,
)

__all__ = [
    "SigningKeyError",
    "fingerprint",
    "generate",
    "key_path",
    "load_private_key",
    "public_pem",
    "sign",
]
