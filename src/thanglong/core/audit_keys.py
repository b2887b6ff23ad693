"""The Ed25519 key that signs checkpoints: configured, or made once in the data dir outside production."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from thanglong.core.errors import ThangLongError

if TYPE_CHECKING:
    from thanglong.core.config import Settings

# The log's name in its checkpoints and the signer's name in their signature lines (C2SP signed-note).
ORIGIN = "thanglong/audit"
KEY_FILE = "audit-signing-key.pem"
# Signed-note algorithm byte for Ed25519.
_ALG_ED25519 = b"\x01"


class AuditKeyError(ThangLongError):
    """The checkpoint signing key is missing or unreadable."""

    status = 500


def parse_private_key(value: str) -> Ed25519PrivateKey:
    """Read an Ed25519 private key: PKCS#8 PEM, that PEM in base64, or the 32-byte seed in base64."""
    text = value.strip()
    data: bytes
    if text.startswith("-----BEGIN"):
        data = text.encode("ascii")
    else:
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("neither PEM nor base64") from exc
    if data.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM key is not an Ed25519 key")
        return key
    if len(data) != 32:
        raise ValueError(f"a raw Ed25519 seed has 32 bytes, not {len(data)}")
    return Ed25519PrivateKey.from_private_bytes(data)


@dataclass(frozen=True)
class NoteVerifier:
    """A signed-note verifier: the signer's name and raw Ed25519 public key."""

    name: str
    public: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Read a verifier key string "name+hexhash+base64(algorithm byte, key)"; check its hash."""
        # Names never hold "+", base64 may: split at the first two.
        name, _, rest = vkey.partition("+")
        hex_hash, _, encoded = rest.partition("+")
        raw = base64.b64decode(encoded, validate=True)
        if not name or raw[:1] != _ALG_ED25519 or len(raw) != 33:
            raise ValueError("not an Ed25519 verifier key")
        verifier = cls(name, raw[1:])
        if verifier.key_id != hex_hash:
            raise ValueError("the verifier key's hash does not match its key")
        return verifier

    @property
    def key_hash(self) -> bytes:
        """Return the 4-byte key hash that prefixes each of this signer's signatures."""
        return note_key_hash(self.name, self.public)

    @property
    def key_id(self) -> str:
        """Return the key hash in hex, as stored beside each checkpoint."""
        return self.key_hash.hex()

    @property
    def vkey(self) -> str:
        """Return the verifier key string to pin outside this system."""
        encoded = base64.b64encode(_ALG_ED25519 + self.public).decode("ascii")
        return f"{self.name}+{self.key_id}+{encoded}"

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Tell whether the signature over the message is this signer's."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key under its signed-note name."""

    private: Ed25519PrivateKey
    configured: bool
    name: str = ORIGIN

    @property
    def verifier(self) -> NoteVerifier:
        """Return the public half as a note verifier."""
        public = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return NoteVerifier(self.name, public)

    def sign(self, message: bytes) -> bytes:
        """Sign a message."""
        return self.private.sign(message)


def note_key_hash(name: str, public: bytes) -> bytes:
    """Compute the signed-note key hash: SHA-256(name, newline, algorithm byte, key), first 4 bytes."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _ALG_ED25519 + public).digest()[:4]


def key_path(settings: Settings) -> Path:
    """Return where the development key is kept."""
    return settings.data_dir / KEY_FILE


def signing_key(settings: Settings, *, create: bool) -> SigningKey | None:
    """Return the configured key, else the data dir's key (made when `create`), else None."""
    configured = settings.audit_signing_key
    if configured is not None:
        try:
            return SigningKey(parse_private_key(configured.get_secret_value()), configured=True)
        except ValueError as exc:
            raise AuditKeyError(
                "core.audit.bad_key",
                f"THANGLONG_AUDIT_SIGNING_KEY không đọc được: {exc}",
                f"THANGLONG_AUDIT_SIGNING_KEY cannot be read: {exc}",
            ) from exc
    if settings.env == "production":
        raise AuditKeyError(
            "core.audit.no_key",
            "Chưa cấu hình THANGLONG_AUDIT_SIGNING_KEY: "
            "không ký được mốc kiểm tra trong môi trường vận hành.",
            "THANGLONG_AUDIT_SIGNING_KEY is not set: checkpoints cannot be signed in production.",
        )
    path = key_path(settings)
    if not path.exists():
        if not create:
            return None
        _generate(path)
    try:
        return SigningKey(parse_private_key(path.read_text("ascii")), configured=False)
    except ValueError as exc:
        raise AuditKeyError(
            "core.audit.bad_key", f"{path} không đọc được: {exc}", f"{path} cannot be read: {exc}"
        ) from exc


def _generate(path: Path) -> None:
    """Write a new key file once, atomically: a process racing this one keeps the first key written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails when the name exists, so two first starts cannot end up with two different keys.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
