import { z } from 'zod';

/**
 * The one rule for names an operator gives: user names (a keys-folder file is named
 * `<username>.pub`, so no slashes or spaces) and folder-set names.
 */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const nameSchema = (what: string) =>
  z
    .string()
    .regex(
      namePattern,
      `${what} is 1-64 characters: letters, digits and . _ @ -, starting with a letter or digit`,
    );

/** Login names. */
export const usernameSchema = nameSchema('a username');

/** A new folder set's name. Requests that only look a set up take any name already stored. */
export const folderSetNameSchema = nameSchema('a folder-set name');

/** A home folder relative to the storage root's homes/ folder, e.g. "alice" or "customers/acme". */
export const homeFolderSchema = z
  .string()
  .min(1, { message: 'a home folder is not empty', abort: true })
  .max(512, 'a home folder has at most 512 characters')
  .refine((p) => !p.includes('\0'), 'a home folder has no NUL byte')
  // abort: "/etc" is one mistake, not also an "empty segment".
  .refine((p) => !p.startsWith('/'), {
    message: 'a home folder is relative to the storage root (no leading "/")',
    abort: true,
  })
  .refine(
    (p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'a home folder has no empty, "." or ".." segment',
  );

export const passwordSchema = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(1024, 'a password has at most 1024 characters');

export const protocolSchema = z.enum(['sftp', 'ftp', 'ftps', 'https', 'http', 'cli']);
export type Protocol = z.infer<typeof protocolSchema>;

/** ISO-8601 timestamps travel as strings: JSON has no dates. */
export const timestampSchema = z.iso.datetime();
