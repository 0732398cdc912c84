import { z } from 'zod';
import { defineEvent, defineRequest } from './contract';
import { timestampSchema, usernameSchema } from './fields';
import { userProfileSchema } from './users';

/** A key's SHA256 fingerprint as `ssh-keygen -l` prints it: "SHA256:" and unpadded base64. */
const keyFingerprintSchema = z.string().min(1).max(128);

/**
 * What an account change touched, in the operator's words:
 * - `disabled`, `deleted`: the user's open sessions end at once;
 * - `key-removed`: sessions logged in with one of `removedKeys` end at once;
 * - `password-login`: password logins were switched on or off (off ends password sessions);
 * - `privileges`, `folder-set`, `home`, `quota`, `admin`, `enabled`: open sessions apply the new profile
 *   from their next request;
 * - `password`: a new password; open sessions stay (`tessera sessions end` ends them).
 */
export const accountChangeSchema = z.enum([
  'enabled',
  'disabled',
  'deleted',
  'privileges',
  'folder-set',
  'home',
  'quota',
  'admin',
  'password',
  'password-login',
  'key-removed',
]);
export type AccountChange = z.infer<typeof accountChangeSchema>;

/**
 * Announced by user-auth (core NATS) after an account change is stored: by the CLI or the API,
 * through a folder set the user has, or by a line dropped from the keys folder. Doors end or
 * update their open sessions of that user; a door that was cut off from NATS meanwhile re-checks
 * its sessions with `auth.session.check` when it reconnects, as announcements are not kept.
 */
export const usersChanged = defineEvent(
  'users.changed',
  z.object({
    username: usernameSchema,
    changes: z.array(accountChangeSchema).min(1).max(accountChangeSchema.options.length),
    /** With `key-removed`: the fingerprints of the keys that no longer log this user in. */
    removedKeys: z.array(keyFingerprintSchema).max(1000).optional(),
    at: timestampSchema,
  }),
);
export type UsersChangedEvent = z.infer<typeof usersChanged.payload>;

/**
 * A door asks whether its open sessions of a user still stand: the current profile (null once
 * the user is deleted) and, of the key fingerprints those sessions logged in with, the ones that
 * still belong to the user. Not a login: nothing is stamped or counted.
 */
export const authSessionCheck = defineRequest(
  'auth.session.check',
  z.object({ username: usernameSchema, keys: z.array(keyFingerprintSchema).max(1000) }),
  z.object({ user: userProfileSchema.nullable(), keys: z.array(keyFingerprintSchema) }),
);
