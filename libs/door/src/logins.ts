import type { BusClient } from '@tessera/bus';
import {
  authPasswordVerify,
  authPublicKeyVerify,
  type BusError,
  type Protocol,
  type UserProfile,
} from '@tessera/contracts';
import type { LoginOutcome } from './login-outcomes';

export interface LoginDecision {
  outcome: LoginOutcome;
  user?: UserProfile;
  /** user-auth's own words (e.g. why an account is locked), for the log and the event. */
  detail?: string;
}

/** A public key presented for a login, once the door has checked what its protocol can. */
export interface KeyLogin {
  username: string;
  /** The key's type as user-auth stores it: "ssh-ed25519", "ssh-rsa", ... */
  keyType: string;
  /** The public key blob in SSH wire format. */
  keyData: Buffer;
  /**
   * The client proved it holds the key (its signature verified). Without proof it is only asking
   * "would this key do?": user-auth neither counts it nor stamps a last login.
   */
  proven: boolean;
}

/**
 * Decides logins for one door by asking user-auth over the bus. All account rules (disabled,
 * key-only, lockouts) are user-auth's; proving a key is the door's, since only its protocol knows
 * what was signed.
 */
export class Logins {
  constructor(
    private readonly bus: BusClient,
    private readonly protocol: Protocol,
  ) {}

  async withPassword(
    username: string,
    password: string,
    remoteAddress: string,
  ): Promise<LoginDecision> {
    const result = await this.bus.request(authPasswordVerify, {
      username,
      password,
      protocol: this.protocol,
      remoteAddress,
    });
    if (result.ok) return { outcome: 'accepted', user: result.value.user };
    return refusal(result.error, 'bad-password');
  }

  async withKey(key: KeyLogin, remoteAddress: string): Promise<LoginDecision> {
    const result = await this.bus.request(authPublicKeyVerify, {
      username: key.username,
      keyType: key.keyType,
      keyData: key.keyData.toString('base64'),
      signed: key.proven,
      protocol: this.protocol,
      remoteAddress,
    });
    if (result.ok) {
      return { outcome: key.proven ? 'accepted' : 'key-acceptable', user: result.value.user };
    }
    return refusal(result.error, key.proven ? 'unknown-key' : 'key-not-theirs');
  }
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
