import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateFacts } from '@tessera/contracts';
import { spkiSha256 } from './key-pair';
import type { AltNames } from './issue';

/** Subject and issuer as one line, "CN=files.example.com, O=Example, C=DE" style. */
function peculiar(cert: X509Certificate): x509.X509Certificate {
  return new x509.X509Certificate(cert.raw);
}

/**
 * Issued by itself and signed by its own key. (Not `checkIssued`: OpenSSL's issuer check also wants
 * keyCertSign, which a self-signed server certificate rightly lacks.)
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Public facts of one certificate, as the operator sees them. */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const p = peculiar(cert);
  return {
    subject: p.subject,
    issuer: p.issuer,
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: p.notBefore.toISOString(),
    notAfter: p.notAfter.toISOString(),
    fingerprintSha256: cert.fingerprint256,
    selfSigned: isSelfSigned(cert),
    isCa: cert.ca,
  };
}

export function subjectOf(cert: X509Certificate): string {
  return peculiar(cert).subject;
}

export function issuerOf(cert: X509Certificate): string {
  return peculiar(cert).issuer;
}

export function validity(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  const p = peculiar(cert);
  return { notBefore: p.notBefore, notAfter: p.notAfter };
}

/** The DNS names and IP addresses a certificate covers. */
export function certificateAltNames(cert: X509Certificate): AltNames {
  const san = peculiar(cert).getExtension(x509.SubjectAlternativeNameExtension);
  const out: AltNames = { dns: [], ip: [] };
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') out.dns.push(n.value);
    if (n.type === 'ip') out.ip.push(n.value);
  }
  return out;
}

/** Whether the certificate may serve TLS: no extendedKeyUsage, or one naming serverAuth. */
export function allowsServerAuth(cert: X509Certificate): boolean {
  const eku = peculiar(cert).getExtension(x509.ExtendedKeyUsageExtension);
  return (
    !eku || eku.usages.some((u) => u === x509.ExtendedKeyUsage.serverAuth || u === '2.5.29.37.0')
  );
}

export function certificatePublicKeySha256(cert: X509Certificate): string {
  return spkiSha256(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

export function toPem(cert: X509Certificate): string {
  return cert.toString().trim() + '\n';
}
