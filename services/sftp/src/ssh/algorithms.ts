import type { Algorithms, CipherAlgorithm, KexAlgorithm, MacAlgorithm } from 'ssh2';
import type { SftpSettings } from '../settings';

const kex: KexAlgorithm[] = ['curve25519-sha256', 'curve25519-sha256@libssh.org'];
const nistKex: KexAlgorithm[] = ['ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521'];
const ciphers: CipherAlgorithm[] = [
  'chacha20-poly1305@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
];
// Only used with the CTR ciphers (AEAD ciphers carry their own tag). Encrypt-then-MAC first.
const etmMacs: MacAlgorithm[] = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'];
// Encrypt-and-MAC, for clients that have no ETM, no GCM and no chacha20: libssh2 1.10 (curl, PHP)
// offers only these. ssh-audit warns about them (it does not fail them); a client that has ETM
// still picks it, because the client's order decides and every such client lists ETM first.
const compatibleMacs: MacAlgorithm[] = ['hmac-sha2-256', 'hmac-sha2-512'];

/**
 * What the SSH transport offers. The judge is Debian's ssh-audit (docs/architecture.md, "The SFTP
 * door at a glance"): no DSA, no SHA-1, no CBC, no 64-bit-tag MACs, no failure; NIST-curve key
 * exchange only when an operator turns it on for a client that needs it. Encrypt-and-MAC SHA-2
 * MACs are offered after the ETM ones so that libssh2 clients can connect (a warning, not a
 * failure); `TESSERA_SFTP_STRICT_ALGORITHMS` leaves them out. Host key algorithms
 * follow from the keys we hand ssh2 (see host-key-offer.ts). Clients choose; our order does not
 * matter to them.
 */
export function offeredAlgorithms(
  settings: Pick<SftpSettings, 'nistKex' | 'strictAlgorithms'>,
): Algorithms {
  return {
    kex: settings.nistKex ? [...kex, ...nistKex] : kex,
    cipher: ciphers,
    hmac: settings.strictAlgorithms ? etmMacs : [...etmMacs, ...compatibleMacs],
    // Compression costs CPU and rarely pays on file transfers.
    compress: ['none'],
  };
}
