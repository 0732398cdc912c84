// Shared by the spec files only (not exported from the package): a throw-away storage root on
// disk, a session factory and a notice sink that records what it was told.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { privilegeNames, type FolderRule, type Privilege } from '@tessera/contracts';
import { StorageError } from './errors';
import { FileSession } from './file-session';
import type { NoticeSink } from './notices';
import type { HomeUsages } from './quota';

export const everyPrivilege: Privilege[] = [...privilegeNames];

export interface StorageRoot {
  root: string;
  homesRoot: string;
  /** alice's home, created by the fixture (sessions would create it on first use anyway). */
  aliceHome: string;
  cleanup(): Promise<void>;
}

export async function makeStorageRoot(): Promise<StorageRoot> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-storage-')));
  const homesRoot = path.join(root, 'homes');
  const aliceHome = path.join(homesRoot, 'alice');
  await fs.mkdir(aliceHome, { recursive: true });
  return {
    root,
    homesRoot,
    aliceHome,
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

export type RecordedNotice = { kind: keyof NoticeSink; event: Record<string, unknown> };

export function recordingSink(): NoticeSink & { notices: RecordedNotice[] } {
  const notices: RecordedNotice[] = [];
  const record =
    (kind: keyof NoticeSink) =>
    async (event: object): Promise<void> => {
      notices.push({ kind, event: { ...event } });
    };
  return {
    notices,
    uploaded: record('uploaded'),
    downloaded: record('downloaded'),
    deleted: record('deleted'),
    renamed: record('renamed'),
    folderCreated: record('folderCreated'),
  };
}

export function aliceSession(
  homesRoot: string,
  access: {
    privileges?: Privilege[];
    rules?: FolderRule[];
    maxFileSize?: number;
    quotaBytes?: number;
    homeUsages?: HomeUsages;
    keepPartialUploads?: () => boolean;
    stagingRoot?: string;
  } = {},
  notices?: NoticeSink,
): FileSession {
  return new FileSession({
    homesRoot,
    user: {
      username: 'alice',
      homeFolder: 'alice',
      privileges: access.privileges ?? everyPrivilege,
      folderSet: access.rules ? { rules: access.rules } : null,
      quotaBytes: access.quotaBytes ?? null,
    },
    homeUsages: access.homeUsages,
    protocol: 'sftp',
    remoteAddress: '192.0.2.10',
    notices,
    maxFileSize: access.maxFileSize ?? 2 ** 40,
    keepPartialUploads: access.keepPartialUploads,
    stagingRoot: access.stagingRoot,
  });
}

/**
 * Every path below `folder` (links recorded, never followed), relative to it, with file contents.
 * Hand-written: Node 20's `readdir({ recursive: true })` follows links to folders, and the traps
 * include a link to "/".
 */
export async function snapshot(
  folder: string,
  skip: (relative: string) => boolean = () => false,
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    for (const name of await fs.readdir(path.join(folder, relative))) {
      const rel = path.join(relative, name);
      if (skip(rel)) continue;
      const full = path.join(folder, rel);
      const stats = await fs.lstat(full);
      if (stats.isSymbolicLink()) result[rel] = `-> ${await fs.readlink(full)}`;
      else if (stats.isFile()) result[rel] = await fs.readFile(full, 'utf8');
      else if (stats.isDirectory()) {
        result[rel] = '<folder>';
        await walk(rel);
      } else result[rel] = '<other>';
    }
  };
  await walk('');
  return result;
}

/** The StorageError code an operation was refused with; fails the test if it was not refused. */
export async function refusal(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof StorageError) return error.code;
    throw error;
  }
  throw new Error('expected the operation to be refused');
}
