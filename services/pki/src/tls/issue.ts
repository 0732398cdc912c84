import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import type { CertificateSubject } from '@tessera/contracts';
import { signingAlgorithm, type TlsKeyPair } from './key-pair';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface AltNames {
  dns: string[];
  ip: string[];
}

/**
 * Splits the operator's alternative names into DNS names and IP addresses, adding the common name
 * (browsers ignore the CN and look only at the SANs), without duplicates.
 */
export function altNamesFor(commonName: string, names: readonly string[]): AltNames {
  const out: AltNames = { dns: [], ip: [] };
  for (const raw of [commonName, ...names]) {
    const name = raw.trim();
    if (isIP(name)) {
      if (!out.ip.includes(name)) out.ip.push(name);
    } else if (/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) {
      const lower = name.toLowerCase();
      if (!out.dns.includes(lower)) out.dns.push(lower);
    }
  }
  return out;
}

/** The subject as an X.500 name, in the order openssl prints: C, ST, L, O, OU, CN, emailAddress. */
export function subjectName(s: CertificateSubject): x509.Name {
  const rdns: x509.JsonAttributeAndObjectValue[] = [];
  const utf8 = (type: string, value: string | undefined) => {
    if (value) rdns.push({ [type]: [{ utf8String: value }] });
  };
  if (s.country) rdns.push({ C: [{ printableString: s.country }] });
  utf8('ST', s.state);
  utf8('L', s.locality);
  utf8('O', s.organization);
  utf8('OU', s.organizationalUnit);
  utf8('CN', s.commonName);
  if (s.email) rdns.push({ E: [{ ia5String: s.email }] });
  // The typings know only plain strings; the runtime takes explicit ASN.1 string types too.
  return new x509.Name(rdns as unknown as x509.JsonName);
}

function sanExtension(names: AltNames): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension([
    ...names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...names.ip.map((value) => ({ type: 'ip' as const, value })),
  ]);
}

/** digitalSignature always; keyEncipherment for RSA (TLS 1.2 RSA key exchange clients). */
function keyUsage(key: TlsKeyPair): x509.KeyUsagesExtension {
  const flags = key.keyType.startsWith('rsa-')
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  return new x509.KeyUsagesExtension(flags, true);
}

/** A positive 128-bit serial number (RFC 5280: at most 20 octets, positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export interface SelfSignedRequest {
  subject: CertificateSubject;
  altNames: AltNames;
  validityDays: number;
}

/** A self-signed server certificate (CA:FALSE, serverAuth) for this key, as PEM. */
export async function selfSignedCertificate(
  key: TlsKeyPair,
  req: SelfSignedRequest,
): Promise<string> {
  const keys = await key.webCryptoKeys();
  const name = subjectName(req.subject);
  // A little back-dated, so a client whose clock runs slow does not see "not yet valid".
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(Date.now() + req.validityDays * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    notBefore,
    notAfter,
    signingAlgorithm: signingAlgorithm(key.keyType),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      keyUsage(key),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      sanExtension(req.altNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

/** A PKCS#10 request for this key, asking for the SANs and server authentication, as PEM. */
export async function certificateSigningRequest(
  key: TlsKeyPair,
  subject: CertificateSubject,
  altNames: AltNames,
): Promise<string> {
  const keys = await key.webCryptoKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(subject),
    keys,
    signingAlgorithm: signingAlgorithm(key.keyType),
    extensions: [
      sanExtension(altNames),
      keyUsage(key),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  return csr.toString('pem') + '\n';
}
