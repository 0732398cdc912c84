import { createHash } from 'node:crypto';
import { utils } from 'ssh2';

/** A public key as one line of an OpenSSH .pub or authorized_keys file, checked and fingerprinted. */
export interface ParsedPublicKey {
  type: string;
  /** The SSH wire-format key blob, base64 (the middle field of the line). */
  keyData: string;
  fingerprint: string;
  comment: string;
}

export class KeyLineError extends Error {}

const accepted = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
]);
const minimumRsaBits = 2048;

/** SHA256:… exactly as `ssh-keygen -l` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function parsePublicKeyLine(line: string): ParsedPublicKey {
  const text = line.trim();
  if (text.includes('PRIVATE KEY')) {
    throw new KeyLineError(
      'this is a private key: give the public key (the .pub file) and keep the private key secret',
    );
  }
  const [type = '', data = '', ...commentWords] = text.split(/\s+/);
  checkType(type);
  const blob = Buffer.from(data, 'base64');
  if (!data || blob.toString('base64').replace(/=+$/, '') !== data.replace(/=+$/, '')) {
    throw new KeyLineError('the key data is not valid base64');
  }
  const parsed = utils.parseKey(blob);
  if (parsed instanceof Error || Array.isArray(parsed) || parsed.type !== type) {
    throw new KeyLineError(`the key data is not a valid ${type} public key`);
  }
  if (type === 'ssh-rsa') checkRsaSize(blob);
  return {
    type,
    keyData: blob.toString('base64'),
    fingerprint: fingerprintOf(blob),
    comment: commentWords.join(' '),
  };
}

function checkType(type: string): void {
  if (type === 'ssh-dss') {
    throw new KeyLineError(
      'DSA keys (ssh-dss) are refused: DSA is limited to 1024 bits and SHA-1, and OpenSSH disabled it in 2015; use ssh-ed25519',
    );
  }
  if (type.startsWith('sk-')) {
    throw new KeyLineError(`security-key types (${type}) are not supported yet; use ssh-ed25519`);
  }
  if (!accepted.has(type)) {
    throw new KeyLineError(
      `"${type.slice(0, 40)}" is not a public key type Tessera accepts (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa); options before the key are not supported`,
    );
  }
}

/** The RSA blob is string type, mpint e, mpint n: the key size is n's length in bits. */
function checkRsaSize(blob: Buffer): void {
  let offset = 0;
  const next = () => {
    const len = blob.readUInt32BE(offset);
    const field = blob.subarray(offset + 4, offset + 4 + len);
    offset += 4 + len;
    return field;
  };
  next();
  next();
  const n = next();
  const firstNonZero = n.findIndex((b) => b !== 0);
  const bits =
    firstNonZero < 0 ? 0 : (n.length - firstNonZero) * 8 - Math.clz32(n[firstNonZero]!) + 24;
  if (bits < minimumRsaBits) {
    throw new KeyLineError(
      `this RSA key has ${bits} bits; Tessera needs at least ${minimumRsaBits}`,
    );
  }
}
