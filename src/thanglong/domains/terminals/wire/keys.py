"""The platform's Ed25519 signing key: read from a configured file or the data directory, made once.

The private key never leaves this module's callers: it is not logged, not printed and not returned by
any route. `thanglong terminals keys public` prints the public key and its id, which terminals are
configured with. Terminals trust a set of keys by id (`trusted_keys`), so the key can be rotated: ship
the new public key to the terminals first, then switch the platform to the new private key.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from thanglong.core.config import Settings
from thanglong.domains.terminals.wire.envelope import key_id, load_public_key

KEY_FILE = "terminals-signing-key.pem"


class KeyUnusable(ValueError):
    """The configured key file exists but is not an Ed25519 private key in PEM."""


def key_path(settings: Settings, configured: Path | None = None) -> Path:
    """Return where the private key is: the configured path, else the data directory's file."""
    return configured if configured is not None else settings.data_dir / KEY_FILE


def _create(path: Path) -> None:
    """Write a new key to `path` with mode 0600, unless another process made one first."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        # A hard link appears whole or not at all and never replaces a key another process made.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink()


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file; raise KeyUnusable naming the file, never its content."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise KeyUnusable(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnusable(f"{path} holds a private key that is not Ed25519")
    return key


def load_or_create(settings: Settings, configured: Path | None = None) -> Ed25519PrivateKey:
    """Return the platform's private key; create it (0600) in the data directory on first use.

    A configured path must already hold a key: a missing mounted secret is an error, not a reason to
    make a key the terminals do not trust.
    """
    path = key_path(settings, configured)
    if configured is None and not path.exists():
        _create(path)
    if not path.exists():
        raise KeyUnusable(f"{path} does not exist")
    return read_private_key(path)


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the public key in PEM (SubjectPublicKeyInfo), as terminals are configured with it."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the id envelopes carry for this key (`kid`)."""
    return key_id(key.public_key() if isinstance(key, Ed25519PrivateKey) else key)


def trusted_keys(pems: Iterable[bytes]) -> dict[str, Ed25519PublicKey]:
    """Return the public keys a terminal trusts, by key id (several during a rotation)."""
    keys: dict[str, Ed25519PublicKey] = {}
    for raw in pems:
        public = load_public_key(raw)
        keys[key_id(public)] = public
    return keys
