import { z } from 'zod';
import { defineEvent, defineRequest } from './contract';
import { timestampSchema } from './fields';

/**
 * The TLS identity that HTTPS and FTPS present, kept by the pki service. Requests that change it
 * come from the CLI and the admin console; only `pki.certificate.material` carries a private key,
 * and only the TLS doors may ask for it (NATS permissions in deployments).
 */

export const tlsKeyTypes = [
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ecdsa-p256',
  'ecdsa-p384',
] as const;
export const tlsKeyTypeSchema = z.enum(tlsKeyTypes);
export type TlsKeyType = z.infer<typeof tlsKeyTypeSchema>;

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

/** The form an operator fills in: the subject of the certificate or CSR. */
export const certificateSubjectSchema = z.object({
  commonName: z.string().trim().min(1, 'a common name is required').max(64),
  organization: optionalText(64),
  organizationalUnit: optionalText(64),
  locality: optionalText(128),
  state: optionalText(128),
  /** ISO 3166 two-letter code ("DE", "US"); lower case is accepted and upper-cased. */
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'a country is a two-letter code such as US or DE')
    .transform((c) => c.toUpperCase())
    .optional(),
  email: z.email('an e-mail address such as admin@example.com').max(255).optional(),
});
export type CertificateSubject = z.infer<typeof certificateSubjectSchema>;

const dnsNamePattern =
  /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

/** A subject alternative name: a DNS name or an IPv4/IPv6 address (the service tells which). */
export const altNameSchema = z
  .string()
  .trim()
  .max(253)
  .refine((n) => ipv4.safeParse(n).success || ipv6.safeParse(n).success || dnsNamePattern.test(n), {
    error: (issue) =>
      `"${String(issue.input)}" is neither a DNS name (a wildcard only as the first label: "*.example.com") nor an IP address`,
  });

const identityForm = {
  subject: certificateSubjectSchema,
  /** DNS names and IP addresses. The common name is added as a DNS name when it is one. */
  altNames: z.array(altNameSchema).max(100).default([]),
  keyType: tlsKeyTypeSchema.default('rsa-2048'),
};

/** One certificate as an operator sees it: public facts only. */
export const certificateFactsSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: timestampSchema,
  notAfter: timestampSchema,
  /** Colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprintSha256: z.string(),
  selfSigned: z.boolean(),
  /** A certificate authority's certificate (basicConstraints CA:TRUE). */
  isCa: z.boolean(),
});
export type CertificateFacts = z.infer<typeof certificateFactsSchema>;

/** Where the active certificate came from. */
export const certificateOriginSchema = z.enum([
  'first-start', // made for the host name when the service first started with none
  'self-signed', // made from the operator's form
  'ca-issued', // signed by a certificate authority and loaded by the operator
]);
export type CertificateOrigin = z.infer<typeof certificateOriginSchema>;

export const activeCertificateSchema = certificateFactsSchema.extend({
  origin: certificateOriginSchema,
  keyType: tlsKeyTypeSchema,
  altNames: z.object({ dns: z.array(z.string()), ip: z.array(z.string()) }),
  /** Whole days until notAfter (negative once expired). */
  expiresInDays: z.number().int(),
  /** The chain presented after the leaf, nearest issuer first. */
  chain: z.array(certificateFactsSchema),
  /** The leaf certificate as PEM (public: what every client receives anyway). */
  certificatePem: z.string(),
  activatedAt: timestampSchema,
  /** Things the operator should know: expiring soon, self-signed, ... */
  warnings: z.array(z.string()),
});
export type ActiveCertificate = z.infer<typeof activeCertificateSchema>;

/** A key waiting for its certificate, with the CSR that was made for it. */
export const pendingCsrSchema = z.object({
  id: z.uuid(),
  subject: z.string(),
  altNames: z.object({ dns: z.array(z.string()), ip: z.array(z.string()) }),
  keyType: tlsKeyTypeSchema,
  /** SHA-256 of the public key (SPKI), colon-separated hex: matches the signed certificate's. */
  publicKeySha256: z.string(),
  csrPem: z.string(),
  createdAt: timestampSchema,
});
export type PendingCsr = z.infer<typeof pendingCsrSchema>;

/**
 * Certificate bytes as they arrive: pasted text (PEM; several certificates may follow each other),
 * or a file's bytes as base64 (PEM, DER or PKCS#7, detected by the service).
 */
export const certificateInputSchema = z.union([
  z.string().min(1).max(1_000_000),
  z.object({ base64: z.string().min(1).max(1_400_000) }),
]);
export type CertificateInput = z.infer<typeof certificateInputSchema>;

/** Makes a key and a self-signed certificate for it, and makes them active at once. */
export const pkiCertificateSelfSigned = defineRequest(
  'pki.certificate.selfsigned',
  z.object({
    ...identityForm,
    validityDays: z.number().int().min(1).max(3650).default(365),
  }),
  z.object({ certificate: activeCertificateSchema }),
);

/**
 * Makes a new *pending* key and a CSR for it. The active key is never touched; earlier pending keys
 * stay until discarded, so a certificate that arrives late still matches.
 */
export const pkiCsrCreate = defineRequest(
  'pki.csr.create',
  z.object(identityForm),
  z.object({ csr: pendingCsrSchema }),
);

export const pkiCsrList = defineRequest(
  'pki.csr.list',
  z.object({}),
  z.object({ csrs: z.array(pendingCsrSchema) }),
);

/** Deletes a pending key and its CSR. `not_found` for an unknown id (or the active key). */
export const pkiCsrDiscard = defineRequest(
  'pki.csr.discard',
  z.object({ id: z.uuid() }),
  z.object({ discarded: z.literal(true) }),
);

/**
 * Loads a signed certificate, with its chain appended to it or given separately (several
 * intermediates allowed). Refused with `invalid_request` and a message that says what is wrong:
 * unreadable, a private key or CSR instead of a certificate, a key that matches neither a pending
 * key nor the active one, a broken chain, expired. On success it becomes active at once.
 */
export const pkiCertificateLoad = defineRequest(
  'pki.certificate.load',
  z.object({
    certificate: certificateInputSchema,
    chain: z.array(certificateInputSchema).max(10).default([]),
  }),
  z.object({
    certificate: activeCertificateSchema,
    /** Which key the certificate matched: a pending one (now promoted) or the active one. */
    matched: z.enum(['pending', 'active']),
    /** The pending key (CSR id) that was promoted, when `matched` is "pending". */
    promotedCsrId: z.uuid().nullable(),
  }),
);

/** The active TLS identity, public facts only: for the CLI and the admin console. */
export const pkiCertificateShow = defineRequest(
  'pki.certificate.show',
  z.object({}),
  z.object({ certificate: activeCertificateSchema }),
);

/**
 * The active TLS identity with its private key: the only reply that carries the TLS key, for the
 * HTTPS and FTPS doors alone (`libs/tls` asks for it). Never logged.
 */
export const pkiCertificateMaterial = defineRequest(
  'pki.certificate.material',
  z.object({}),
  z.object({
    /** The leaf certificate, PEM. */
    certificatePem: z.string(),
    /** Intermediates after the leaf, nearest issuer first, PEM each. */
    chainPem: z.array(z.string()),
    /** The private key as PKCS#8 PEM. */
    privateKey: z.string(),
    fingerprintSha256: z.string(),
    activatedAt: timestampSchema,
  }),
);

/**
 * Announced (core NATS, not JetStream: a "reload now" signal, not a record) whenever the active TLS
 * identity changes. Doors then ask `pki.certificate.material` again.
 */
export const pkiCertificateActivated = defineEvent(
  'pki.certificate.activated',
  z.object({
    fingerprintSha256: z.string(),
    subject: z.string(),
    origin: certificateOriginSchema,
    notAfter: timestampSchema,
    at: timestampSchema,
  }),
);
