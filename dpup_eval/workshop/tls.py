"""A certificate made on this laptop, for a workshop served over TLS on the room's network (``--lan --tls``).

Without TLS, anyone on the room's Wi-Fi can read the pages, the join code in their addresses and the login
cookie as they pass. With it, the traffic is encrypted. No certificate authority vouches for a laptop in
a community hall, so the certificate is self-signed: each browser warns once, and the room checks it is
talking to this laptop by comparing the certificate's SHA-256 fingerprint (printed in the terminal, shown
by the browser's certificate viewer) with the one the facilitator reads out or projects.

The certificate and its key are made with the ``cryptography`` package, nothing is fetched, and both are
kept (owner-only) in the workshop folder's ``tls/``, so a restart keeps the same fingerprint. A new one is
made when the laptop's address on the room's network changed, or the old one is near its end.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from dpup_eval.errors import DpupEvalError

__all__ = ["Certificate", "fingerprint", "room_certificate"]

VALID_DAYS = 30


@dataclass(frozen=True)
class Certificate:
    """A certificate and key on disk, with the fingerprint people compare."""

    certfile: Path
    keyfile: Path
    fingerprint: str  # SHA-256, as browsers show it: "AB:CD:..."


def fingerprint(pem: bytes) -> str:
    """The SHA-256 fingerprint of a PEM certificate, colon-separated upper-case hex (as browsers show it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def _names(address: str) -> list[str]:
    """Everything the pages may be opened as: the room address, this laptop's own names and loopback."""
    names = [address, "127.0.0.1", "localhost", socket.gethostname()]
    return list(dict.fromkeys(n for n in names if n))


def _usable(certfile: Path, names: list[str], now: dt.datetime) -> bool:
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        alternative = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    covered = {str(ip) for ip in alternative.get_values_for_type(x509.IPAddress)}
    covered |= set(alternative.get_values_for_type(x509.DNSName))
    return set(names) <= covered and cert.not_valid_after_utc - now > dt.timedelta(days=1)


def room_certificate(folder: Path, address: str, *, now: dt.datetime | None = None) -> Certificate:
    """The workshop's certificate for ``address`` (kept in ``folder/tls``; made when missing or outdated)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError as error:  # declared by the workshop extra; named plainly if it is missing
        raise DpupEvalError(
            "--tls needs the cryptography package: install it with pip install 'dpup_eval[workshop]'."
        ) from error
    from dpup_eval.files import private_dir, write_bytes

    now = now or dt.datetime.now(dt.UTC)
    tls = private_dir(folder / "tls")
    certfile, keyfile = tls / "certificate.pem", tls / "key.pem"
    names = _names(address)
    if keyfile.is_file() and _usable(certfile, names, now):
        return Certificate(certfile, keyfile, fingerprint(certfile.read_bytes()))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"dpup-eval workshop {address}")])
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    write_bytes(keyfile, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    pem = cert.public_bytes(serialization.Encoding.PEM)
    write_bytes(certfile, pem)
    return Certificate(certfile, keyfile, fingerprint(pem))
