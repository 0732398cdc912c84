import type { Stats } from 'node:fs';

export type EntryKind = 'file' | 'folder' | 'symlink' | 'other';

/** One file or folder as every protocol lists it (SFTP attrs, FTP LIST/MLSD, the web's JSON). */
export interface FileEntry {
  name: string;
  kind: EntryKind;
  size: number;
  mtime: Date;
  atime: Date;
  /** The full st_mode (type and permission bits), as SFTP attributes carry it. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
}

export function toEntry(name: string, stats: Stats): FileEntry {
  return {
    name,
    kind: kindOf(stats),
    size: stats.size,
    mtime: stats.mtime,
    atime: stats.atime,
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    nlink: stats.nlink,
  };
}

function kindOf(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'folder';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}
