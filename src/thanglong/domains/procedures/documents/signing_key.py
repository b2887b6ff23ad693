"""The agency head's signing key: a configured PKCS#12 file, or a local test CA outside production."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from thanglong.core.errors import Forbidden, ThangLongError
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.documents.signing import (
    ROOT_CERT_FILE,
    SIGNER_CERT_FILE,
    SIGNER_KEY_FILE,
    PdfSigner,
    issue_test_signer,
    make_test_ca,
    named_signer,
    signer_from_files,
)


class SigningKeyError(ThangLongError):
    """The agency's signing key is missing or unreadable (HTTP 503: nothing the caller can fix)."""

    status = 503


@dataclass(frozen=True)
class Approver:
    """The person who approves a result and signs it: their account, full name and agency."""

    id: uuid.UUID
    name: str
    agency: str


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
    return named_signer(loaded)


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


def same_person(certificate_name: str, full_name: str) -> bool:
    """Tell whether a certificate's common name is a person's full name (case, spaces, Unicode form aside)."""

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(full_name.strip()) and norm(certificate_name) == norm(full_name)


def approver_signer(
    data_dir: Path, approver: Approver, *, production: bool, settings: ProcedureSettings | None = None
) -> PdfSigner:
    """Return the signer of a result: the approver's own key, so the signer is the person who approved.

    With a PKCS#12 file configured (always in production), its certificate must be the approver's:
    anyone else is refused (403, `procedures.approver_not_signer`). In development each approver gets a
    certificate of their own name, issued once under the local test CA.
    """
    config = settings or ProcedureSettings()
    if config.signing_p12 is not None or production:
        signer = agency_signer(data_dir, production=production, settings=config)
        if not same_person(signer.name, approver.name):
            raise Forbidden(
                "procedures.approver_not_signer",
                f"Chứng thư số cài trên hệ thống là của {signer.name}: chỉ người này được phê duyệt và ký "
                f"kết quả, {approver.name} không ký thay được.",
                f"The signing certificate installed is {signer.name}'s: only that person may approve and "
                f"sign results, {approver.name} cannot sign in their place.",
                signer=signer.name,
            )
        return signer
    agency_signer(data_dir, production=False, settings=config)  # the development CA, made once
    folder = signing_dir(data_dir) / "people" / approver.id.hex
    key = ("person", f"{folder}:{approver.name}")
    with _SIGNERS_LOCK:
        person = _SIGNERS.get(key)
        if person is None:
            person = _person_signer(signing_dir(data_dir), folder, approver)
            _SIGNERS[key] = person
    return person


def check_approver_signs(
    data_dir: Path, approver: Approver, *, production: bool, settings: ProcedureSettings | None = None
) -> None:
    """Refuse an approval whose approver could not sign the result (checked in the approval's transaction).

    A configured key must be the approver's; in development any approver gets a certificate when the
    result is signed, so there is nothing to check (and no key to make) here.
    """
    config = settings or ProcedureSettings()
    if config.signing_p12 is not None or production:
        approver_signer(data_dir, approver, production=production, settings=config)


def _person_signer(ca_dir: Path, folder: Path, approver: Approver) -> PdfSigner:
    """Issue the person's development certificate once, again when their name changed; atomically."""
    cert_file = folder / SIGNER_CERT_FILE
    if cert_file.is_file():
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if names and names[0].value == approver.name:
            return signer_from_files(folder / SIGNER_KEY_FILE, cert_file, [folder / ROOT_CERT_FILE])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".person-"))
    try:
        issue_test_signer(ca_dir, staging, signer_name=approver.name, agency=approver.agency)
        old = folder.with_name(f".old-{folder.name}-{uuid.uuid4().hex[:8]}")
        if folder.exists():
            folder.rename(old)
        try:
            staging.rename(folder)
        except OSError:
            # Another process issued it at the same moment; its certificate is as good as ours.
            if not (folder / SIGNER_CERT_FILE).is_file():
                raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return signer_from_files(folder / SIGNER_KEY_FILE, cert_file, [folder / ROOT_CERT_FILE])
