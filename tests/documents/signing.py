"""Real digital signatures for the tests: a PDF signed (or certified) by pyHanko with a key and
a self-signed certificate made here, and pyHanko's validator's verdict on a signature."""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore


@functools.cache
def _identity() -> tuple[asn1_keys.PrivateKeyInfo, asn1_x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Cámara de Comercio de Prueba"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CO"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        asn1_keys.PrivateKeyInfo.load(der_key),
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
    )


def really_signed(data: bytes, *, certify: MDPPerm | None = None) -> bytes:
    """``data`` signed in a new field «Firma» (an approval signature, or with ``certify`` a
    certifying one at that DocMDP level), as a Cámara de Comercio certificate is."""
    key, cert = _identity()
    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([cert])
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Firma",
        certify=certify is not None,
        docmdp_permissions=certify or MDPPerm.FILL_FORMS,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getbuffer())


@dataclass(frozen=True)
class Verdict:
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature over them checks out with the certificate
    trusted: bool  # the certificate chains to the test's own root
    revisions_after: int  # incremental updates after the signed revision


def signature_verdict(data: bytes) -> Verdict:
    """pyHanko's validator on the file's one signature, trusting the test certificate."""
    _, cert = _identity()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[cert]))
    total = reader.xrefs.total_revisions
    return Verdict(
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        revisions_after=total - 1 - embedded.signed_revision,
    )
