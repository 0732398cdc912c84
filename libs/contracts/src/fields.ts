import { z } from 'zod';

/** Login names: what a keys-folder file is named after (`<username>.pub`), so no slashes or spaces. */
export const usernameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
    'a username is 1-64 characters: letters, digits and . _ @ -, starting with a letter or digit',
  );

/** A home folder relative to the storage root's homes/ folder, e.g. "alice" or "customers/acme". */
export const homeFolderSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => !p.includes('\0'), 'a home folder has no NUL byte')
  .refine(
    (p) => !p.startsWith('/'),
    'a home folder is relative to the storage root (no leading "/")',
  )
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
