import { constants } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

/**
 * TLS settings every Tessera door uses: TLS 1.2 minimum, forward-secret AEAD suites only, the
 * server's order of preference (docs/architecture.md). testssl.sh is to judge them on our own ports
 * once a TLS door exists; today services/pki/test/tls.spec.ts checks them with openssl s_client.
 */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/** TLS 1.3 suites (all three are AEAD) followed by the TLS 1.2 ECDHE + AEAD suites. */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

/** The TLS material the pki service hands the doors (`pki.certificate.material`). */
export interface TlsMaterial {
  certificatePem: string;
  chainPem: string[];
  privateKey: string;
  fingerprintSha256: string;
  activatedAt: string;
}

/**
 * Secure-context options for one identity: the leaf followed by its chain (so clients get the
 * full chain), the key, and the hardening above. `ticketKeys` stay the same across swaps, so a
 * session resumed after a certificate change (FTPS data connections) still resumes.
 */
export function secureContextOptionsFor(
  material: TlsMaterial,
  ticketKeys?: Buffer,
): SecureContextOptions {
  const pem = (p: string) => p.trim() + '\n';
  return {
    key: material.privateKey,
    cert: [material.certificatePem, ...material.chainPem].map(pem).join(''),
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    ecdhCurve: TLS_CURVES,
    honorCipherOrder: true,
    // No renegotiation (TLS 1.2; 1.3 has none): a client-started one costs the server a handshake
    // for nothing, a DoS lever testssl.sh flags. Node alone would allow three every ten minutes.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    ...(ticketKeys ? { ticketKeys } : {}),
  };
}
