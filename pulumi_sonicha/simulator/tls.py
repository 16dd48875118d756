"""Certificates for the simulator: one throw-away CA signing the servers' certificate.

A fresh CA per run means nothing has to be installed in a trust store: the
provider is pointed at the CA file (`SONICHA_CA_BUNDLE`) exactly as it would be
at a company CA for real appliances, so TLS verification stays on end to end.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_FILENAME = "sonicha-sim-ca.pem"
DEFAULT_CERT_HOSTNAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TlsMaterial:
    """The CA file clients trust, the server-side context all simulated servers share,
    and the CA itself, to issue a certificate for one more address (`context_for`)."""

    ca_path: str
    server_context: ssl.SSLContext
    ca: trustme.CA | None = None
    hostnames: tuple[str, ...] = ()

    def context_for(self, address: str) -> ssl.SSLContext:
        """A server context whose certificate names `address` too (a unit reached at its
        own or its monitoring address, 127.0.0.x), signed by the same CA."""
        if self.ca is None or address in self.hostnames:
            return self.server_context
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*self.hostnames, address).configure_cert(context)
        return context


def create_tls(directory: str | Path, hostnames: list[str] | tuple[str, ...]) -> TlsMaterial:
    """Make a CA and a server certificate for `hostnames`; write the CA PEM into `directory`.

    Tests pass a hostname the servers are not reached by (e.g. "wrong.example")
    to check that clients refuse a certificate that does not name the host.
    """
    if not hostnames:
        raise ValueError("at least one certificate hostname is required")
    ca = trustme.CA(organization_name="pulumi_sonicha simulator")
    cert = ca.issue_cert(*hostnames)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    path = Path(directory) / CA_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(path))
    return TlsMaterial(ca_path=str(path), server_context=context, ca=ca, hostnames=tuple(hostnames))
