import type { KeyLogin, LoginDecision } from '@tessera/door';
import { utils, type ParsedKey } from 'ssh2';

/** What an SSH public-key attempt carries (ssh2's PublicKeyAuthContext, reduced to data). */
export interface KeyAttempt {
  username: string;
  /** The key's type: "ssh-ed25519", "ssh-rsa", ... (ssh2 reports rsa-sha2-* as "ssh-rsa"). */
  algorithm: string;
  /** The public key blob in SSH wire format. */
  key: Buffer;
  signature?: Buffer;
  /** What the client signed (session id + request), when it signed. */
  signedData?: Buffer;
  /** "sha256" or "sha512" for rsa-sha2-256/512; none for every other algorithm. */
  hashAlgorithm?: string;
}

/**
 * The SSH half of a key login, done before user-auth is asked: weak algorithms are refused, and a
 * signature must verify. What is left (whose key is it?) is user-auth's, through the door kit.
 */
export function checkKeyAttempt(attempt: KeyAttempt): KeyLogin | LoginDecision {
  if (isWeak(attempt)) {
    return {
      outcome: 'weak-algorithm',
      detail: `${attempt.algorithm} (SHA-1) signatures are refused`,
    };
  }
  const key = utils.parseKey(attempt.key);
  if (key instanceof Error) return { outcome: 'unknown-key', detail: key.message };
  if (attempt.signature && !signatureHolds(key, attempt)) return { outcome: 'bad-signature' };
  return {
    username: attempt.username,
    keyType: key.type,
    keyData: attempt.key,
    // Reached with a signature only once it verified above: then the client holds the key.
    proven: attempt.signature !== undefined,
  };
}

/** DSA keys and RSA with SHA-1 signatures (plain "ssh-rsa") are refused (docs/architecture.md). */
function isWeak({ algorithm, hashAlgorithm }: KeyAttempt): boolean {
  return algorithm === 'ssh-dss' || (algorithm === 'ssh-rsa' && !hashAlgorithm);
}

function signatureHolds(key: ParsedKey, attempt: KeyAttempt): boolean {
  if (!attempt.signature || !attempt.signedData) return false;
  return key.verify(attempt.signedData, attempt.signature, attempt.hashAlgorithm) === true;
}
