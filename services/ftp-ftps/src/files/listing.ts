import type { EffectivePrivileges, FileEntry } from '@tessera/storage';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const halfAYearMs = (365 * 24 * 60 * 60 * 1000) / 2;

/**
 * LIST's line, in the `ls -l` layout every FTP client parses (as vsftpd and ProFTPD send it):
 * "-rw-r--r--    1 alice    alice        1234 Nov 23 06:35 report.pdf". Owner and group show
 * the login name, not the service's uid.
 */
export function listLine(entry: FileEntry, owner: string, now = new Date()): string {
  const width = Math.max(owner.length, 8);
  return [
    typeLetter(entry) + permissionLetters(entry.mode),
    String(entry.nlink).padStart(4),
    owner.padEnd(width),
    owner.padEnd(width),
    String(entry.size).padStart(8),
    timeString(entry.mtime, now),
    entry.name,
  ].join(' ');
}

function typeLetter(entry: FileEntry): string {
  return { file: '-', folder: 'd', symlink: 'l', other: '-' }[entry.kind];
}

function permissionLetters(mode: number): string {
  let out = '';
  for (const shift of [6, 3, 0]) {
    out += mode & (0o4 << shift) ? 'r' : '-';
    out += mode & (0o2 << shift) ? 'w' : '-';
    out += mode & (0o1 << shift) ? 'x' : '-';
  }
  return out;
}

/** "Nov 23 06:35" within half a year, "Nov 23  2024" beyond it (as ls). */
function timeString(mtime: Date, now: Date): string {
  const day = String(mtime.getUTCDate()).padStart(2);
  const month = months[mtime.getUTCMonth()];
  const recent = Math.abs(now.getTime() - mtime.getTime()) < halfAYearMs;
  const tail = recent
    ? `${pad2(mtime.getUTCHours())}:${pad2(mtime.getUTCMinutes())}`
    : ` ${mtime.getUTCFullYear()}`;
  return `${month} ${day} ${tail}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** RFC 3659's time-val: "YYYYMMDDHHMMSS" in UTC (MDTM, MLSx's modify fact). */
export function timeVal(date: Date): string {
  return (
    String(date.getUTCFullYear()) +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds())
  );
}

/** The facts FEAT announces for MLST, in its order; all of them are sent. */
export const mlstFacts = ['type', 'size', 'modify', 'perm'] as const;

/**
 * One MLSD/MLST entry: "type=file;size=1234;modify=20261201093000;perm=radfw; name".
 * `type` may be cdir/pdir for the listed folder itself. `perm` says what this user may do
 * (RFC 3659 7.5.5), from the privileges of the folder that holds the entry (files) or of the
 * folder itself (its listing and what may be made inside it).
 */
export function mlsxLine(
  entry: FileEntry,
  name: string,
  privileges: { holder: EffectivePrivileges; itself?: EffectivePrivileges },
  type?: 'cdir' | 'pdir',
): string {
  const kind =
    type ??
    { file: 'file', folder: 'dir', symlink: 'OS.unix=slink', other: 'OS.unix=other' }[entry.kind];
  const perm = permFact(entry, privileges);
  return `type=${kind};size=${entry.size};modify=${timeVal(entry.mtime)};perm=${perm}; ${name}`;
}

function permFact(
  entry: FileEntry,
  { holder, itself }: { holder: EffectivePrivileges; itself?: EffectivePrivileges },
): string {
  const has = (p: EffectivePrivileges | undefined, name: string) =>
    p?.privileges.includes(name as never) ?? false;
  let perm = '';
  if (entry.kind === 'folder') {
    const inside = itself ?? holder;
    if (has(inside, 'upload')) perm += 'c';
    if (has(holder, 'delete-folders')) perm += 'd';
    if (has(inside, 'list')) perm += 'el';
    if (has(holder, 'rename')) perm += 'f';
    if (has(inside, 'create-folders')) perm += 'm';
    if (has(inside, 'delete-files')) perm += 'p';
    return perm;
  }
  if (has(holder, 'append')) perm += 'a';
  if (has(holder, 'delete-files')) perm += 'd';
  if (has(holder, 'rename')) perm += 'f';
  if (has(holder, 'download')) perm += 'r';
  if (has(holder, 'overwrite')) perm += 'w';
  return perm;
}
