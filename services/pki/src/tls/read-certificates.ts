import 'reflect-metadata';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import * as x509 from '@peculiar/x509';
import { RequestFailure, type CertificateInput } from '@tessera/contracts';

/** Why a certificate was refused: a stable word for the admin console, beside the message. */
export type RefusalReason =
  | 'unreadable'
  | 'private-key'
  | 'csr'
  | 'public-key'
  | 'no-certificate'
  | 'key-mismatch'
  | 'broken-chain'
  | 'expired'
  | 'not-yet-valid';

export function refuse(reason: RefusalReason, message: string, details: object = {}): never {
  throw new RequestFailure('invalid_request', message, { reason, ...details });
}

const PRIVATE_KEY_MESSAGE =
  'is a private key, not a certificate. A certificate authority never sends a private key: ' +
  'Tessera made the key itself when it made the CSR and keeps it. Load only the certificate the ' +
  'authority sent (-----BEGIN CERTIFICATE-----), and treat the key you pasted as exposed.';

const CSR_MESSAGE =
  'is a certificate signing request (CSR), not a signed certificate: send it to the certificate ' +
  'authority, then load the certificate it sends back.';

const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** The bytes of one input field: pasted text, or a file's bytes sent as base64. */
export function inputBytes(input: CertificateInput): Buffer {
  return typeof input === 'string'
    ? Buffer.from(input, 'utf8')
    : Buffer.from(input.base64, 'base64');
}

/**
 * Reads every certificate in one input field: PEM (one or several blocks, any text around them),
 * DER, or PKCS#7 (.p7b, PEM or DER) bundles. Refuses with a message naming the field when it finds
 * a private key, a CSR, a bare public key, or nothing it can read.
 */
export function readCertificates(input: CertificateInput, field: string): X509Certificate[] {
  const bytes = inputBytes(input);
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) return readPem(text, field);
  const body = text.trim();
  if (body.length >= 64 && /^[A-Za-z0-9+/=\s]+$/.test(body)) {
    // Base64 without its BEGIN/END lines (a pasted PEM body): read it as DER.
    return readDer(Buffer.from(body.replace(/\s+/g, ''), 'base64'), field);
  }
  return readDer(bytes, field);
}

function readPem(text: string, field: string): X509Certificate[] {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  // Look for keys first: a private key anywhere in the field is refused before anything else.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    refuse('private-key', `The ${field} ${PRIVATE_KEY_MESSAGE}`);
  }
  if (blocks.length === 0) {
    refuse(
      'unreadable',
      `The ${field} could not be read: it has a -----BEGIN line but no matching -----END line (was it cut short when copied?).`,
    );
  }
  const certs: X509Certificate[] = [];
  for (const [, label, body] of blocks) {
    const der = Buffer.from(body!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    switch (label) {
      case 'CERTIFICATE':
      case 'X509 CERTIFICATE':
      case 'TRUSTED CERTIFICATE':
        certs.push(parseCertificate(der, field));
        break;
      case 'PKCS7':
      case 'CMS':
        certs.push(...readPkcs7(der, field));
        break;
      case 'CERTIFICATE REQUEST':
      case 'NEW CERTIFICATE REQUEST':
        refuse('csr', `The ${field} ${CSR_MESSAGE}`);
        break;
      case 'PUBLIC KEY':
      case 'RSA PUBLIC KEY':
        refuse(
          'public-key',
          `The ${field} is a bare public key, not a certificate: load the certificate the authority signed.`,
        );
        break;
      default:
        refuse(
          'unreadable',
          `The ${field} holds a "${label}" block; expected "CERTIFICATE" (or a PKCS#7 bundle of certificates).`,
        );
    }
  }
  return certs;
}

function parseCertificate(der: Buffer, field: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    return refuse(
      'unreadable',
      `The ${field} has a CERTIFICATE block that is not a valid certificate (damaged or cut short when copied?).`,
    );
  }
}

function readDer(der: Buffer, field: string): X509Certificate[] {
  try {
    return [new X509Certificate(der)];
  } catch {
    // not a certificate: find out what it is, for a useful message
  }
  if (isPrivateKeyDer(der)) refuse('private-key', `The ${field} ${PRIVATE_KEY_MESSAGE}`);
  if (isCsrDer(der)) refuse('csr', `The ${field} ${CSR_MESSAGE}`);
  const bundle = tryPkcs7(der);
  if (bundle) return bundle.length ? bundle : refuse('no-certificate', noCertsIn(field));
  return refuse(
    'unreadable',
    `The ${field} is not a certificate Tessera can read: expected PEM text (-----BEGIN CERTIFICATE-----), a DER certificate file (.cer/.crt/.der) or a PKCS#7 bundle (.p7b).`,
  );
}

function noCertsIn(field: string): string {
  return `The ${field} is a PKCS#7 bundle with no certificate in it.`;
}

function readPkcs7(der: Buffer, field: string): X509Certificate[] {
  const certs = tryPkcs7(der);
  if (!certs) refuse('unreadable', `The ${field} has a PKCS7 block that could not be read.`);
  if (!certs.length) refuse('no-certificate', noCertsIn(field));
  return certs;
}

/** The certificates of a PKCS#7 SignedData bundle (in its own order), or null if it is none. */
function tryPkcs7(der: Buffer): X509Certificate[] | null {
  try {
    const asn = asn1js.fromBER(new Uint8Array(der));
    if (asn.offset === -1) return null;
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== PKCS7_SIGNED_DATA) return null;
    const signed = new pkijs.SignedData({ schema: info.content });
    return (signed.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => new X509Certificate(Buffer.from(c.toSchema().toBER(false))));
  } catch {
    return null;
  }
}

function isPrivateKeyDer(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // try the next encoding
    }
  }
  return false;
}

function isCsrDer(der: Buffer): boolean {
  try {
    new x509.Pkcs10CertificateRequest(der);
    return true;
  } catch {
    return false;
  }
}
