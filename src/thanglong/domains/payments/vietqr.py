"""NAPAS VietQR bank-transfer payloads (EMVCo merchant-presented QR) with CRC-16, and SVG rendering."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from thanglong.domains.payments.ascii_text import fold

NAPAS_GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY = "VN"
STATIC = "11"
DYNAMIC = "12"
PURPOSE_LIMIT = 25
AMOUNT_LIMIT = 13
CRC_TAG = "6304"


class VietQRError(ValueError):
    """A payload that is not a valid VietQR transfer code."""


@dataclass(frozen=True)
class VietQR:
    """The transfer a VietQR payload asks for."""

    bin: str
    account: str
    amount_vnd: int | None = None
    purpose: str = ""
    service: str = SERVICE_ACCOUNT

    @property
    def dynamic(self) -> bool:
        """Tell whether the code carries an amount (point of initiation "12")."""
        return self.amount_vnd is not None


def crc16_ccitt_false(data: bytes) -> int:
    """Return CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """Encode one EMVCo data object: two-digit id, two-digit length, value."""
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise VietQRError(f"value of tag {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split EMVCo data objects into (id, value) pairs, refusing truncated ones."""
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(f"malformed data object at position {pos}")
        length = int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise VietQRError(f"data object {head[:2]} is truncated")
        out.append((head[:2], value))
        pos += 4 + length
    return out


def with_crc(body: str) -> str:
    """Append the CRC data object (computed over the body and "6304")."""
    data = body + CRC_TAG
    return data + f"{crc16_ccitt_false(data.encode('utf-8')):04X}"


def build_payload(
    bin_code: str,
    account: str,
    *,
    amount_vnd: int | None = None,
    purpose: str = "",
    service: str = SERVICE_ACCOUNT,
) -> str:
    """Return the payload of a transfer to a bank account (or card) with an optional amount."""
    if len(bin_code) != 6 or not bin_code.isdigit():
        raise VietQRError("the acquirer BIN has 6 digits")
    if not account or len(account) > 19 or not account.isalnum():
        raise VietQRError("the account number has 1 to 19 letters or digits")
    if service not in (SERVICE_ACCOUNT, SERVICE_CARD):
        raise VietQRError(f"unknown service code {service!r}")
    if amount_vnd is not None and (amount_vnd <= 0 or len(str(amount_vnd)) > AMOUNT_LIMIT):
        raise VietQRError("the amount must be a positive whole number of VND")
    beneficiary = tlv("00", bin_code) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", service)
    body = tlv("00", "01") + tlv("01", DYNAMIC if amount_vnd is not None else STATIC) + tlv("38", merchant)
    body += tlv("53", CURRENCY_VND)
    if amount_vnd is not None:
        body += tlv("54", str(amount_vnd))
    body += tlv("58", COUNTRY)
    text = fold(purpose, limit=PURPOSE_LIMIT)
    if text:
        body += tlv("62", tlv("08", text))
    return with_crc(body)


def verify_crc(payload: str) -> bool:
    """Tell whether the payload ends with a correct CRC data object."""
    if len(payload) < 8 or payload[-8:-4] != CRC_TAG:
        return False
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    return payload[-4:].upper() == expected


def parse_payload(payload: str) -> VietQR:
    """Parse and check a VietQR transfer payload (structure, currency, country, CRC)."""
    if not verify_crc(payload):
        raise VietQRError("wrong or missing CRC")
    fields = dict(parse_tlv(payload[:-8]))
    if fields.get("00") != "01":
        raise VietQRError("payload format indicator must be 01")
    if fields.get("53") != CURRENCY_VND or fields.get("58") != COUNTRY:
        raise VietQRError("not a VND transfer in Vietnam")
    merchant = dict(parse_tlv(fields.get("38", "")))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError("merchant account information is not NAPAS VietQR")
    beneficiary = dict(parse_tlv(merchant.get("01", "")))
    if "00" not in beneficiary or "01" not in beneficiary:
        raise VietQRError("missing acquirer BIN or account number")
    amount_text = fields.get("54")
    amount: int | None = None
    if amount_text is not None:
        if not amount_text.isdigit():
            raise VietQRError("the amount must be a whole number of VND")
        amount = int(amount_text)
    purpose = dict(parse_tlv(fields["62"])).get("08", "") if "62" in fields else ""
    return VietQR(
        bin=beneficiary["00"],
        account=beneficiary["01"],
        amount_vnd=amount,
        purpose=purpose,
        service=merchant.get("02", SERVICE_ACCOUNT),
    )


def render_svg(payload: str, *, scale: int = 4, title: str | None = None) -> str:
    """Render the payload as an SVG QR code (error correction M, as banking apps expect)."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=scale, border=4, xmldecl=False, title=title, svgclass="vietqr")
    return out.getvalue().decode("utf-8")
