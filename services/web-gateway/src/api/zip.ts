import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { ZipFile } from 'yazl';
import type { FileSession } from '@tessera/storage';
import { attachment } from './download';

/** A file to put in the zip: where it is, and its name inside. */
interface Member {
  path: string;
  name: string;
  mtime: Date;
  size: number;
}

/**
 * Several files, or a whole folder, as one zip, streamed: each file is opened only when the zip
 * reaches it (yazl's lazy streams), so neither memory nor open files grow with the count. Stored
 * without compression: transfers are usually of files that are compressed already, and the CPU
 * stays free. Items the user may not list or download are left out, not failed on.
 */
export async function sendZip(
  res: Response,
  files: FileSession,
  folder: string,
  names: string[],
  zipName: string,
): Promise<void> {
  const members: Member[] = [];
  const folders: string[] = [];
  const roots = names.length ? names : (await files.list(folder)).map((e) => e.name);
  for (const name of roots) await collect(files, join(folder, name), name, members, folders);
  const zip = new ZipFile();
  for (const name of folders) zip.addEmptyDirectory(name);
  for (const member of members) {
    zip.addReadStreamLazy(
      member.name,
      { mtime: member.mtime, size: member.size, compress: false },
      (cb) =>
        void files.openRead(member.path).then(
          (download) => cb(null, download.stream()),
          (error: unknown) => cb(error, undefined as never),
        ),
    );
  }
  zip.end();
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', attachment(zipName));
  await pipeline(zip.outputStream, res);
}

async function collect(
  files: FileSession,
  path: string,
  name: string,
  members: Member[],
  folders: string[],
): Promise<void> {
  const entry = await files.stat(path);
  if (entry.kind === 'file') {
    if (mayDownloadIn(files, path))
      members.push({ path, name, mtime: entry.mtime, size: entry.size });
    return;
  }
  if (entry.kind !== 'folder') return;
  if (!files.privilegesAt(path).privileges.includes('list')) return;
  folders.push(name);
  for (const child of await files.list(path)) {
    await collect(files, join(path, child.name), `${name}/${child.name}`, members, folders);
  }
}

/** Downloading a file is governed by the folder it lives in. */
function mayDownloadIn(files: FileSession, path: string): boolean {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  return files.privilegesAt(parent).privileges.includes('download');
}

export function join(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}
