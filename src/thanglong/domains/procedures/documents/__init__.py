"""Documents of the one-stop office: forms 01-05, the control slip and signed results as PDF."""

from thanglong.domains.procedures.documents.forms import FORM_TITLES, render_form, result_signature_box
from thanglong.domains.procedures.documents.signing import (
    PdfSigner,
    SignatureReport,
    load_certificates,
    make_test_ca,
    sign_pdf,
    signer_from_files,
    validate_signature,
)

__all__ = [
    "FORM_TITLES",
    "PdfSigner",
    "SignatureReport",
    "load_certificates",
    "make_test_ca",
    "render_form",
    "result_signature_box",
    "sign_pdf",
    "signer_from_files",
    "validate_signature",
]
