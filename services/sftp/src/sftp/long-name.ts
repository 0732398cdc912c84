import type { FileEntry } from '@tessera/storage';
import type { Attrs } from './attrs';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const halfAYearMs = (365 * 24 * 60 * 60 * 1000) / 2;

/**
 * The `ls -l` line OpenSSH's server sends with each READDIR name, in the same layout
 * ("-rw-r--r--    1 alice    alice        1234 Nov 23 06:35 report.pdf"): OpenSSH's client
 * prints it as is for `ls -l`. Owner and group show the login name, not the service's uid.
 */
export function longName(entry: FileEntry, owner: string, now = new Date()): string {
  const width = Math.max(owner.length, 8);
  return [
    modeString(entry.mode),
    String(entry.nlink).padStart(3),
    owner.padEnd(width),
    owner.padEnd(width),
    String(entry.size).padStart(8),
    timeString(entry.mtime, now),
    entry.name,
  ].join(' ');
}

export function attrsOf(entry: FileEntry): Attrs {
  return {
    size: entry.size,
    uid: entry.uid,
    gid: entry.gid,
    permissions: entry.mode,
    atime: Math.floor(entry.atime.getTime() / 1000),
    mtime: Math.floor(entry.mtime.getTime() / 1000),
  };
}

/** strmode(3): type letter, nine permission letters (with s/S/t/T), and a trailing space. */
export function modeString(mode: number): string {
  const bits = (shift: number, special: number, specialChar: string) => {
    const r = mode & (0o4 << shift) ? 'r' : '-';
    const w = mode & (0o2 << shift) ? 'w' : '-';
    const executable = (mode & (0o1 << shift)) !== 0;
    const x =
      mode & special
        ? executable
          ? specialChar
          : specialChar.toUpperCase()
        : executable
          ? 'x'
          : '-';
    return r + w + x;
  };
  return (
    typeLetter(mode) + bits(6, 0o4000, 's') + bits(3, 0o2000, 's') + bits(0, 0o1000, 't') + ' '
  );
}

function typeLetter(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000:
      return 'd';
    case 0o120000:
      return 'l';
    case 0o010000:
      return 'p';
    case 0o140000:
      return 's';
    case 0o020000:
      return 'c';
    case 0o060000:
      return 'b';
    default:
      return '-';
  }
}

function timeString(mtime: Date, now: Date): string {
  const day = String(mtime.getDate()).padStart(2);
  const month = months[mtime.getMonth()];
  const age = now.getTime() - mtime.getTime();
  if (age >= 0 && age < halfAYearMs) {
    const hh = String(mtime.getHours()).padStart(2, '0');
    const mm = String(mtime.getMinutes()).padStart(2, '0');
    return `${month} ${day} ${hh}:${mm}`;
  }
  return `${month} ${day}  ${mtime.getFullYear()}`;
}
