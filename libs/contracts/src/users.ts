import { z } from 'zod';
import { defineRequest } from './contract';
import {
  folderSetNameSchema,
  homeFolderSchema,
  passwordSchema,
  timestampSchema,
  usernameSchema,
} from './fields';
import { folderRuleSchema, privilegeListSchema, ruleFolderSchema } from './privileges';

export const folderSetSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  rules: z.array(folderRuleSchema),
});
export type FolderSet = z.infer<typeof folderSetSchema>;

/** A quota in bytes: what a user's home folder may hold at most. */
export const quotaBytesSchema = z
  .number('a quota in bytes')
  .int('a quota in whole bytes')
  .min(1, 'a quota of at least 1 byte')
  .max(Number.MAX_SAFE_INTEGER, 'a quota of at most 8 PiB');

/** What every door needs to serve a user: home, privileges, folder set. Never the password hash. */
export const userProfileSchema = z.object({
  id: z.uuid(),
  username: usernameSchema,
  enabled: z.boolean(),
  admin: z.boolean(),
  homeFolder: homeFolderSchema,
  privileges: privilegeListSchema,
  passwordLoginDisabled: z.boolean(),
  /** The most bytes the home folder may hold, enforced by every door; null: no quota. */
  quotaBytes: quotaBytesSchema.nullable(),
  hasPassword: z.boolean(),
  folderSet: folderSetSchema.nullable(),
  publicKeyCount: z.number().int().nonnegative(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  lastLoginAt: timestampSchema.nullable(),
});
export type UserProfile = z.infer<typeof userProfileSchema>;

export const publicKeyInfoSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  fingerprint: z.string(),
  comment: z.string(),
  source: z.enum(['cli', 'api', 'keys-folder']),
  /**
   * Where the key lives, in the operator's words: `added` through the CLI or API (kept in
   * Postgres, removed with `keys remove`), or `keys folder`, read from `file` (changed there).
   */
  from: z.enum(['added', 'keys folder']),
  /** The keys-folder file (`<data>/sshkeys/<user>.pub`) a keys-folder key is read from. */
  file: z.string().optional(),
  createdAt: timestampSchema,
});
export type PublicKeyInfo = z.infer<typeof publicKeyInfoSchema>;

/** Names a folder set that exists; sets stored before the name rule keep working until renamed. */
const existingFolderSetName = z
  .string()
  .min(1, 'a folder-set name is not empty')
  .max(128, 'a folder-set name has at most 128 characters');
const byUsername = z.object({ username: usernameSchema });
const userReply = z.object({ user: userProfileSchema });

export const usersCreate = defineRequest(
  'users.create',
  z
    .object({
      username: usernameSchema,
      homeFolder: homeFolderSchema,
      privileges: privilegeListSchema.optional(),
      password: passwordSchema.optional(),
      generatePassword: z.boolean().optional(),
      passwordLoginDisabled: z.boolean().optional(),
      enabled: z.boolean().optional(),
      admin: z.boolean().optional(),
      folderSet: existingFolderSetName.nullable().optional(),
      quotaBytes: quotaBytesSchema.nullable().optional(),
    })
    .refine((r) => !(r.password && r.generatePassword), 'give a password or ask for one, not both'),
  z.object({ user: userProfileSchema, generatedPassword: z.string().optional() }),
);

export const usersUpdate = defineRequest(
  'users.update',
  z.object({
    username: usernameSchema,
    homeFolder: homeFolderSchema.optional(),
    privileges: privilegeListSchema.optional(),
    enabled: z.boolean().optional(),
    admin: z.boolean().optional(),
    passwordLoginDisabled: z.boolean().optional(),
    /** null removes the quota. */
    quotaBytes: quotaBytesSchema.nullable().optional(),
  }),
  userReply,
);

export const usersDelete = defineRequest(
  'users.delete',
  byUsername,
  z.object({ deleted: z.literal(true) }),
);
/**
 * A password lock that holds now: passwords for `username` from `address` (or, with `username`
 * null, any password from `address`) are refused until `until`. Key logins are never locked.
 * `address` is as the door reported it, '' when it reported none.
 */
export const loginLockSchema = z.object({
  username: z.string().min(1).nullable(),
  address: z.string(),
  until: timestampSchema,
});
export type LoginLock = z.infer<typeof loginLockSchema>;

/** The profile, and the user's password locks, one per address (an operator's view; doors never ask). */
export const usersGet = defineRequest(
  'users.get',
  byUsername,
  z.object({ user: userProfileSchema, locks: z.array(loginLockSchema) }),
);
export const usersList = defineRequest(
  'users.list',
  z.object({}),
  z.object({ users: z.array(userProfileSchema) }),
);

/** Sets a given password, or generates a long random one and returns it once. */
export const usersPasswordSet = defineRequest(
  'users.password.set',
  z
    .object({
      username: usernameSchema,
      password: passwordSchema.optional(),
      generate: z.boolean().optional(),
    })
    .refine((r) => Boolean(r.password) !== Boolean(r.generate), 'give a password or ask for one'),
  z.object({ generatedPassword: z.string().optional() }),
);

/** An address as the doors report it (lockouts count per address). */
const ipAddressSchema = z.union([z.ipv4(), z.ipv6()], 'an IPv4 or IPv6 address');

/**
 * Lifts locks and forgets failed logins: with a username, that user's from every address; with an
 * address, that address's own and those of every name tried from it; with both, that one pair.
 * `requestedBy` says who asked (the CLI sends the operator's login and host) for the audit line;
 * it is a claim, not a permission: the NATS account is what allows the request.
 */
export const usersUnlock = defineRequest(
  'users.unlock',
  z
    .object({
      username: usernameSchema.optional(),
      address: ipAddressSchema.optional(),
      requestedBy: z.string().min(1).max(256).optional(),
    })
    .refine((r) => Boolean(r.username || r.address), 'give a username, an address or both'),
  /** The locks that were lifted, none when none held (the failure counts are reset either way). */
  z.object({ lifted: z.array(loginLockSchema) }),
);

export const usersKeysAdd = defineRequest(
  'users.keys.add',
  z.object({ username: usernameSchema, line: z.string().min(1).max(16384) }),
  z.object({ key: publicKeyInfoSchema }),
);
export const usersKeysRemove = defineRequest(
  'users.keys.remove',
  z.object({ username: usernameSchema, fingerprint: z.string().min(1).max(128) }),
  z.object({ removed: z.literal(true) }),
);
export const usersKeysList = defineRequest(
  'users.keys.list',
  byUsername,
  z.object({ keys: z.array(publicKeyInfoSchema) }),
);

export const usersPrivilegesEffective = defineRequest(
  'users.privileges.effective',
  z.object({ username: usernameSchema, path: ruleFolderSchema }),
  z.object({ path: z.string(), privileges: privilegeListSchema, rulePath: z.string().nullable() }),
);

const folderRules = z.array(folderRuleSchema).max(1000);
const folderSetReply = z.object({ folderSet: folderSetSchema });
export const folderSetsCreate = defineRequest(
  'foldersets.create',
  z.object({ name: folderSetNameSchema, rules: folderRules }),
  folderSetReply,
);
export const folderSetsUpdate = defineRequest(
  'foldersets.update',
  z.object({
    name: existingFolderSetName,
    rules: folderRules,
    newName: folderSetNameSchema.optional(),
  }),
  folderSetReply,
);
export const folderSetsDelete = defineRequest(
  'foldersets.delete',
  z.object({ name: existingFolderSetName }),
  z.object({ deleted: z.literal(true) }),
);
export const folderSetsList = defineRequest(
  'foldersets.list',
  z.object({}),
  z.object({ folderSets: z.array(folderSetSchema) }),
);
export const folderSetsAssign = defineRequest(
  'foldersets.assign',
  z.object({ username: usernameSchema, folderSet: existingFolderSetName.nullable() }),
  userReply,
);
