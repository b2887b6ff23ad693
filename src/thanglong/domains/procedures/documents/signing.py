"""Sign result documents as PAdES baseline signatures and validate them with pyHanko."""

from __future__ import annotations

import asyncio
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.documents.pdf import HANOI, SignatureBox
from thanglong.domains.procedures.documents.stamp import signature_stamp

T = TypeVar("T")
ROOT_CERT_FILE = "root-ca.pem"
ROOT_KEY_FILE = "root-ca.key.pem"
SIGNER_CERT_FILE = "signer.pem"
SIGNER_KEY_FILE = "signer.key.pem"

TrustRoot: TypeAlias = "asn1_x509.Certificate | x509.Certificate | bytes | str | Path"


@dataclass(frozen=True)
class PdfSigner:
    """A signing key with its certificate chain, and how its signatures are labelled."""

    signer: signers.Signer
    name: str
    organisation: str = ""
    reason: str = "Ký kết quả giải quyết thủ tục hành chính"
    location: str = "Hà Nội"

    @property
    def field_name(self) -> str:
        """Return the signature field name, derived from the signer's name."""
        return signature_field_name(self.name)


@dataclass(frozen=True)
class SignatureReport:
    """What pyHanko's validator found about the last signature of a PDF."""

    signed: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    field_name: str | None = None
    signer_name: str | None = None
    signing_time: datetime | None = None
    summary: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Return True when the signature is intact, valid, trusted and covers the whole document."""
        return self.signed and self.intact and self.valid and self.trusted and self.covers_whole_file


def signature_field_name(name: str) -> str:
    """Turn a person's name into a PDF field name: ASCII letters, digits and underscores."""
    folded = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_")
    return f"Sig_{slug or 'signer'}"


class _ImportedStamp(content.PdfContent):
    """A one-page PDF, given as bytes, drawn as the signature field's appearance."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        writer: BasePdfFileWriter = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Stamp"
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


class _TimedPdfSigner(signers.PdfSigner):
    """pyHanko's signer with the signing time chosen by the caller (pyHanko takes the machine's zone)."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signing_time = signing_time

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        # The time in /M and in the stamp: the same instant, written with the Hanoi offset (+07'00').
        session.system_time = self.signing_time
        return session


def sign_pdf(
    pdf: bytes, signer: PdfSigner, *, box: SignatureBox | None = None, signed_at: datetime | None = None
) -> bytes:
    """Sign a PDF as PAdES B-B (ETSI.CAdES.detached, SHA-256) in a new field named after the signer.

    With a `box` (a result page's signer box, see `forms.render_document`), the signature is visible
    there: the signer's name, organisation and signing time in Hanoi time, in Vietnamese. Otherwise the
    field is invisible. `signed_at` (an aware instant, now by default) is written in Hanoi time.
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:
        raise InvalidInput(
            "procedures.document_not_pdf", "Tệp không phải PDF hợp lệ.", "The file is not a valid PDF."
        ) from exc
    when = (signed_at or datetime.now(UTC)).astimezone(HANOI)
    meta = signers.PdfSignatureMetadata(
        field_name=signer.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=signer.reason,
        location=signer.location,
        name=signer.name,
    )
    spec = fields.SigFieldSpec(
        sig_field_name=signer.field_name,
        on_page=box.page if box else -1,
        box=box.rect if box else None,
    )
    stamp = None
    if box is not None:
        x1, y1, x2, y2 = box.rect
        appearance = signature_stamp(
            signer_name=signer.name,
            organisation=signer.organisation,
            signed_at=when,
            width_pt=x2 - x1,
            height_pt=y2 - y1,
        )
        stamp = StaticStampStyle(background=_ImportedStamp(appearance), border_width=1)
    pdf_signer = _TimedPdfSigner(
        meta, signer.signer, stamp_style=stamp, new_field_spec=spec, signing_time=when
    )
    out = io.BytesIO()
    _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out))
    return out.getvalue()


def _outside_event_loop(work: Callable[[], T]) -> T:
    """Run work that calls asyncio.run() (pyHanko's sync API), in a helper thread if a loop runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    # Called from a coroutine (an async route): asyncio.run() would refuse, so work in a short-lived thread.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-sign") as pool:
        return pool.submit(work).result()


def _to_asn1(root: TrustRoot) -> list[asn1_x509.Certificate]:
    """Convert one trust root given in any supported form to asn1crypto certificates."""
    if isinstance(root, asn1_x509.Certificate):
        return [root]
    if isinstance(root, x509.Certificate):
        return [asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))]
    data = Path(root).read_bytes() if isinstance(root, str | Path) else root
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def load_certificates(roots: Iterable[TrustRoot]) -> list[asn1_x509.Certificate]:
    """Load certificates from files, PEM/DER bytes or certificate objects."""
    return [cert for root in roots for cert in _to_asn1(root)]


def validate_signature(pdf: bytes, trust_roots: Iterable[TrustRoot]) -> SignatureReport:
    """Validate the last signature of a PDF against the given trust roots, without network access."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return SignatureReport(False, False, False, False, False, error=f"unreadable PDF: {exc}")
    if not signatures:
        return SignatureReport(False, False, False, False, False, summary="no signature")
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=load_certificates(trust_roots), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(embedded, context))
    except Exception as exc:
        return SignatureReport(
            True, False, False, False, False, field_name=embedded.field_name, error=str(exc)
        )
    subject: dict[str, Any] = status.signing_cert.subject.native
    return SignatureReport(
        signed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        field_name=embedded.field_name,
        signer_name=subject.get("common_name"),
        signing_time=status.signer_reported_dt,
        summary=status.summary(),
    )


def signer_from_files(
    key_file: str | Path,
    cert_file: str | Path,
    chain_files: Iterable[str | Path] = (),
    *,
    passphrase: bytes | None = None,
) -> PdfSigner:
    """Load a signer from a PEM key, its certificate and the issuing chain; its name is the certificate CN."""
    # pyHanko ships no type information for this loader.
    simple = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key_file), str(cert_file), ca_chain_files=[str(f) for f in chain_files], key_passphrase=passphrase
    )
    if simple is None:
        raise InvalidInput(
            "procedures.signer_unreadable",
            "Không đọc được khóa hoặc chứng thư số của người ký.",
            "Cannot read the signer's key or certificate.",
        )
    return named_signer(simple)


def named_signer(simple: signers.SimpleSigner) -> PdfSigner:
    """Return the signer labelled with its certificate's common name and organisation."""
    cert = simple.signing_cert
    if cert is None:
        raise InvalidInput(
            "procedures.signer_unreadable",
            "Khóa ký số không kèm chứng thư số.",
            "The signing key comes without its certificate.",
        )
    subject: dict[str, Any] = cert.subject.native
    return PdfSigner(
        signer=simple,
        name=str(subject["common_name"]),
        organisation=str(subject.get("organization_name") or ""),
    )


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write key material readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_test_ca(
    directory: str | Path,
    *,
    signer_name: str = "Phạm Quang Huy",
    agency: str = "Ủy ban nhân dân phường Hoàn Kiếm",
    now: datetime | None = None,
) -> PdfSigner:
    """Create (or reuse) a development root CA and an agency head's signing certificate in a directory.

    For development and tests only: the keys are stored unencrypted. The root is `root-ca.pem`.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in (ROOT_CERT_FILE, ROOT_KEY_FILE, SIGNER_CERT_FILE, SIGNER_KEY_FILE)]
    if not all(path.exists() for path in paths):
        _issue_test_ca(folder, signer_name=signer_name, agency=agency, now=now or datetime.now(UTC))
    return signer_from_files(folder / SIGNER_KEY_FILE, folder / SIGNER_CERT_FILE, [folder / ROOT_CERT_FILE])


def issue_test_signer(
    ca_dir: str | Path,
    directory: str | Path,
    *,
    signer_name: str,
    agency: str,
    now: datetime | None = None,
) -> PdfSigner:
    """Issue a development signing certificate for one person under the test CA of `ca_dir`.

    For development and tests only. The certificate and its key go to `directory` as `signer.pem` and
    `signer.key.pem`, with the root as `root-ca.pem` beside them; an existing certificate for the same
    name is reused.
    """
    ca, folder = Path(ca_dir), Path(directory)
    if not all((folder / name).exists() for name in (SIGNER_CERT_FILE, SIGNER_KEY_FILE, ROOT_CERT_FILE)):
        root_cert = x509.load_pem_x509_certificate((ca / ROOT_CERT_FILE).read_bytes())
        root_key = serialization.load_pem_private_key((ca / ROOT_KEY_FILE).read_bytes(), password=None)
        if not isinstance(root_key, rsa.RSAPrivateKey):
            raise InvalidInput(
                "procedures.signer_unreadable",
                "Khóa của CA thử nghiệm không phải RSA.",
                "The test CA's key is not an RSA key.",
            )
        folder.mkdir(parents=True, exist_ok=True)
        key, cert = _signer_certificate(
            root_key, root_cert.subject, signer_name, agency, now or datetime.now(UTC)
        )
        (folder / ROOT_CERT_FILE).write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
        _write_private(folder / SIGNER_KEY_FILE, _key_pem(key))
        (folder / SIGNER_CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return signer_from_files(folder / SIGNER_KEY_FILE, folder / SIGNER_CERT_FILE, [folder / ROOT_CERT_FILE])


def _issue_test_ca(folder: Path, *, signer_name: str, agency: str, now: datetime) -> None:
    """Generate the root and signer keys and certificates and write them as PEM files."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Thăng Long Development Root CA", "Thăng Long (development only)")
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key, signer_cert = _signer_certificate(root_key, root_name, signer_name, agency, now)
    (folder / ROOT_CERT_FILE).write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(folder / ROOT_KEY_FILE, _key_pem(root_key))
    (folder / SIGNER_CERT_FILE).write_bytes(signer_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(folder / SIGNER_KEY_FILE, _key_pem(signer_key))


def _signer_certificate(
    root_key: rsa.RSAPrivateKey, root_name: x509.Name, signer_name: str, agency: str, now: datetime
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Issue a person's signing certificate (digitalSignature + nonRepudiation) under the root."""
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name, agency))
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    return signer_key, signer_cert
