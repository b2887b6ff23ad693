"""The agency head's signing key: a configured PKCS#12 file, or a local test CA outside production."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from thanglong.core.errors import ThangLongError
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.documents.signing import (
    ROOT_CERT_FILE,
    SIGNER_CERT_FILE,
    SIGNER_KEY_FILE,
    PdfSigner,
    make_test_ca,
    signer_from_files,
)


class SigningKeyError(ThangLongError):
    """The agency's signing key is missing or unreadable (HTTP 503: nothing the caller can fix)."""

    status = 503


_SIGNERS: dict[tuple[str, str], PdfSigner] = {}
_SIGNERS_LOCK = threading.Lock()


def signing_dir(data_dir: Path) -> Path:
    """Return the folder of the local development CA and agency-head signer."""
    return data_dir / "procedures" / "signing"


def agency_signer(
    data_dir: Path, *, production: bool, settings: ProcedureSettings | None = None
) -> PdfSigner:
    """Return the agency head's signer, loaded once per process: the PKCS#12 key, or a local test CA."""
    config = settings or ProcedureSettings()
    if config.signing_p12 is not None:
        key = ("p12", str(config.signing_p12))
    elif production:
        raise SigningKeyError(
            "procedures.signing_key_missing",
            "Chưa cấu hình khóa ký số của cơ quan (THANGLONG_PROCEDURES_SIGNING_P12): "
            "không ký được kết quả và văn bản trong môi trường vận hành.",
            "The agency's signing key is not configured (THANGLONG_PROCEDURES_SIGNING_P12): "
            "results and letters cannot be signed in production.",
        )
    else:
        key = ("dev", str(signing_dir(data_dir)))
    with _SIGNERS_LOCK:
        signer = _SIGNERS.get(key)
        if signer is None:
            signer = _load_p12(config) if key[0] == "p12" else _dev_signer(Path(key[1]))
            _SIGNERS[key] = signer
    return signer


def _load_p12(config: ProcedureSettings) -> PdfSigner:
    """Load the signing key and certificate chain from the configured PKCS#12 file."""
    from pyhanko.sign import signers  # noqa: PLC0415 - only production deployments read a PKCS#12 file

    password = (
        config.signing_p12_password.get_secret_value().encode() if config.signing_p12_password else None
    )
    path = config.signing_p12
    loaded = None
    if path is not None and path.is_file():
        # pyHanko ships no type information for this loader.
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)  # type: ignore[no-untyped-call]
    if loaded is None:
        raise SigningKeyError(
            "procedures.signing_key_unreadable",
            f"Không đọc được khóa ký số {path} (sai đường dẫn hoặc mật khẩu).",
            f"Cannot read the signing key {path} (wrong path or password).",
        )
    return PdfSigner(signer=loaded, name=str(loaded.signing_cert.subject.native["common_name"]))


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (ROOT_CERT_FILE, SIGNER_CERT_FILE, SIGNER_KEY_FILE))


def _dev_signer(folder: Path) -> PdfSigner:
    """Create the development CA once, atomically, even when several processes start together."""
    if not _complete(folder):
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".signing-"))
        try:
            make_test_ca(staging)
            for item in staging.iterdir():
                with item.open("rb") as handle:
                    os.fsync(handle.fileno())
            try:
                # Renaming a whole folder is atomic: readers see every file or none.
                staging.rename(folder)
            except OSError:
                # Another process won the race; its CA is as good as ours.
                if not _complete(folder):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return signer_from_files(folder / SIGNER_KEY_FILE, folder / SIGNER_CERT_FILE, [folder / ROOT_CERT_FILE])
