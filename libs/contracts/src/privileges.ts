import { z } from 'zod';

/** The privileges an operator grants, in the operator's words (Rumpus/SFTPGo-style). */
export const privilegeNames = [
  'list',
  'download',
  'upload',
  'overwrite',
  'append', // append to or resume a partial upload
  'delete-files',
  'create-folders',
  'delete-folders',
  'rename',
] as const;
export const privilegeSchema = z.enum(privilegeNames);
export type Privilege = z.infer<typeof privilegeSchema>;

export const privilegeListSchema = z
  .array(privilegeSchema)
  .transform((list) => privilegeNames.filter((p) => list.includes(p)));

/** A virtual folder path inside a home, as rules store it: "/" or "/a/b" with no trailing slash. */
export const ruleFolderSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => p.startsWith('/'), 'a folder rule path starts with "/"')
  .refine((p) => !p.includes('\0'), 'a folder rule path has no NUL byte')
  .refine(
    (p) => p.split('/').every((s) => s !== '.' && s !== '..'),
    'a folder rule path has no "." or ".." segment',
  )
  .transform((p) => '/' + p.split('/').filter(Boolean).join('/'));

export const folderRuleSchema = z.object({
  path: ruleFolderSchema,
  privileges: privilegeListSchema,
});
export type FolderRule = z.infer<typeof folderRuleSchema>;
