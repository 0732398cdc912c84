import type { BusClient } from '@tessera/bus';
import {
  authPasswordVerify,
  authPublicKeyVerify,
  type BusError,
  type UserProfile,
} from '@tessera/contracts';
import { utils, type ParsedKey } from 'ssh2';
import type { LoginOutcome } from './login-outcomes';

export interface LoginDecision {
  outcome: LoginOutcome;
  user?: UserProfile;
  /** user-auth's own words (e.g. why an account is locked), for the log and the event. */
  detail?: string;
}

/** What a public-key attempt carries (ssh2's PublicKeyAuthContext, reduced to data). */
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

/** DSA keys and RSA with SHA-1 signatures (plain "ssh-rsa") are refused (docs/architecture.md). */
function isWeak({ algorithm, hashAlgorithm }: KeyAttempt): boolean {
  return algorithm === 'ssh-dss' || (algorithm === 'ssh-rsa' && !hashAlgorithm);
}

/**
 * Decides logins by asking user-auth over the bus. The door verifies public-key signatures
 * itself (user-auth only says whose key it is); all account rules (disabled, key-only,
 * lockouts) are user-auth's.
 */
export class Logins {
  constructor(private readonly bus: BusClient) {}

  async withPassword(
    username: string,
    password: string,
    remoteAddress: string,
  ): Promise<LoginDecision> {
    const result = await this.bus.request(authPasswordVerify, {
      username,
      password,
      protocol: 'sftp',
      remoteAddress,
    });
    if (result.ok) return { outcome: 'accepted', user: result.value.user };
    return refusal(result.error, 'bad-password');
  }

  async withPublicKey(attempt: KeyAttempt, remoteAddress: string): Promise<LoginDecision> {
    if (isWeak(attempt)) {
      return {
        outcome: 'weak-algorithm',
        detail: `${attempt.algorithm} (SHA-1) signatures are refused`,
      };
    }
    const key = utils.parseKey(attempt.key);
    if (key instanceof Error) return { outcome: 'unknown-key', detail: key.message };
    if (attempt.signature && !signatureHolds(key, attempt)) return { outcome: 'bad-signature' };
    const result = await this.bus.request(authPublicKeyVerify, {
      username: attempt.username,
      keyType: key.type,
      keyData: attempt.key.toString('base64'),
      // Reached with a signature only once it verified above: then the client holds the key.
      signed: attempt.signature !== undefined,
      protocol: 'sftp',
      remoteAddress,
    });
    if (result.ok) {
      return {
        outcome: attempt.signature ? 'accepted' : 'key-acceptable',
        user: result.value.user,
      };
    }
    return refusal(result.error, attempt.signature ? 'unknown-key' : 'key-not-theirs');
  }
}

function signatureHolds(key: ParsedKey, attempt: KeyAttempt): boolean {
  if (!attempt.signature || !attempt.signedData) return false;
  return key.verify(attempt.signedData, attempt.signature, attempt.hashAlgorithm) === true;
}

/**
 * user-auth's error codes, mapped once: `unauthorized` (and a name that is not even a valid
 * username) is a plain refusal; `locked` keeps user-auth's message, which says why and for how
 * long; anything else means user-auth or the bus is down, and the login is refused.
 */
function refusal(error: BusError, refused: LoginOutcome): LoginDecision {
  switch (error.code) {
    case 'unauthorized':
    case 'invalid_request':
    case 'not_found':
      return { outcome: refused };
    case 'locked':
      return { outcome: 'locked', detail: error.message };
    default:
      return { outcome: 'auth-unavailable', detail: error.message };
  }
}
