"""The institution's Ed25519 signing key: kept in a file named by the settings, never the DB.

It signs regulator bundles and ledger checkpoints alike, so a recipient needs one public key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningKeyError(Exception):
    """The key is missing, unreadable, or would be overwritten."""


def key_path() -> Path:
    return Path(settings.ACCOUNTABILITY["SIGNING_KEY_PATH"])


def generate(*, force: bool = False) -> Ed25519PrivateKey:
    """Write a new private key (PEM, mode 600). Refuses to replace an existing key unless forced:
    bundles signed with the old key stop verifying against the new public key."""
    path = key_path()
    if path.exists() and not force:
        raise SigningKeyError(
            f"A signing key already exists at {path}. Use --force to replace it "
            "(bundles already sent stay verifiable only with the old public key)."
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return key


def load_private_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"No signing key at {path}. Create one with: manage.py signing_key generate"
        ) from None
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"The key at {path} is not an Ed25519 private key.")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey | None = None) -> bytes:
    key = key or load_private_key()
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, as printed by the verifier."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """``manifest.sig``: the base64 of the 64-byte Ed25519 signature, one line."""
    return base64.b64encode(key.sign(data)) + b"\n"
