import { z } from 'zod';
import { defineRequest } from './contract';
import { protocolSchema, usernameSchema } from './fields';
import { userProfileSchema } from './users';

const loginContext = {
  username: usernameSchema,
  protocol: protocolSchema,
  /** The client's IP address as the door saw it: lockouts count per address too. */
  remoteAddress: z.string().max(64).optional(),
};

/**
 * Checks a password. Replies `unauthorized` for a wrong password, an unknown user, a disabled or
 * key-only account (one message for all, so names cannot be probed), `locked` while a lock holds.
 */
export const authPasswordVerify = defineRequest(
  'auth.password.verify',
  z.object({ ...loginContext, password: z.string().max(1024) }),
  z.object({ user: userProfileSchema }),
);

/**
 * Checks that a public key belongs to an enabled user. The SSH door has already verified the
 * client's signature with this key (`signed: true`), or asks first, before the client signs
 * (`signed: false`: SSH's "would this key do?" query). Only a signed login is a login: it alone
 * stamps the user's last login.
 */
export const authPublicKeyVerify = defineRequest(
  'auth.publickey.verify',
  z.object({
    ...loginContext,
    keyType: z.string().min(1).max(64),
    /** The SSH wire-format public key blob, base64. */
    keyData: z.string().min(1).max(8192),
    /** The client proved it holds the key (the door checked its signature); false for a query. */
    signed: z.boolean(),
  }),
  z.object({ user: userProfileSchema, fingerprint: z.string() }),
);
