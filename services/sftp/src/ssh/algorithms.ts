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
// Only used with the CTR ciphers (AEAD ciphers carry their own tag): encrypt-then-MAC only.
const macs: MacAlgorithm[] = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'];

/**
 * What the SSH transport offers. The judge is Debian's ssh-audit (docs/architecture.md, "The SFTP
 * door at a glance"): no DSA, no SHA-1, no CBC, no encrypt-and-MAC or 64-bit-tag MACs; NIST-curve
 * key exchange only when an operator turns it on for a client that needs it. Host key algorithms
 * follow from the keys we hand ssh2 (see host-key-offer.ts). Clients choose; our order does not
 * matter to them.
 */
export function offeredAlgorithms(settings: Pick<SftpSettings, 'nistKex'>): Algorithms {
  return {
    kex: settings.nistKex ? [...kex, ...nistKex] : kex,
    cipher: ciphers,
    hmac: macs,
    // Compression costs CPU and rarely pays on file transfers.
    compress: ['none'],
  };
}
