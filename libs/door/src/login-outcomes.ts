/**
 * Every way a login attempt can end, and what the door does about it: answer the client,
 * publish `sessions.login.failed`, count it towards the per-connection attempt limit.
 *
 * Key *offers* (a key sent without a signature, asking "would you take this one?") are not
 * failures: clients offer every key they hold, and user-auth does not count them either.
 */
export interface OutcomeRule {
  /** Let the client in (or, for an offer, tell it to sign). */
  accept: boolean;
  /** Publish `sessions.login.failed` and count the attempt towards `maxFailuresPerConnection`. */
  failure: boolean;
  /** The `reason` of the event and of the log line. */
  reason: string;
}

export const loginOutcomes = {
  accepted: { accept: true, failure: false, reason: 'logged in' },
  'key-acceptable': { accept: true, failure: false, reason: 'key offered; asked to sign' },
  'key-not-theirs': { accept: false, failure: false, reason: 'key offered; not the user’s' },
  'bad-password': { accept: false, failure: true, reason: 'bad-password' },
  'unknown-key': { accept: false, failure: true, reason: 'unknown-key' },
  'bad-signature': { accept: false, failure: true, reason: 'bad-signature' },
  'weak-algorithm': { accept: false, failure: true, reason: 'weak-algorithm' },
  locked: { accept: false, failure: true, reason: 'locked' },
  'auth-unavailable': { accept: false, failure: true, reason: 'auth-unavailable' },
  'method-not-offered': { accept: false, failure: false, reason: 'method not offered' },
} as const satisfies Record<string, OutcomeRule>;

export type LoginOutcome = keyof typeof loginOutcomes;

/** OpenSSH's MaxAuthTries: after this many failures the connection is closed. */
export const maxFailuresPerConnection = 6;
