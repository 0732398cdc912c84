import type { FileEntry } from '@tessera/storage';
import { longName, modeString } from './long-name';

const entry = (over: Partial<FileEntry>): FileEntry => ({
  name: 'report.pdf',
  kind: 'file',
  size: 1234,
  mtime: new Date(2026, 10, 3, 6, 5),
  atime: new Date(2026, 10, 3, 6, 5),
  mode: 0o100644,
  uid: 1000,
  gid: 1000,
  nlink: 1,
  ...over,
});

describe('ls -l lines', () => {
  it('look like OpenSSH sftp-server’s', () => {
    const now = new Date(2026, 10, 23);
    expect(longName(entry({}), 'alice', now)).toBe(
      '-rw-r--r--    1 alice    alice        1234 Nov  3 06:05 report.pdf',
    );
    expect(longName(entry({ mtime: new Date(2024, 0, 15) }), 'a-very-long-name', now)).toBe(
      '-rw-r--r--    1 a-very-long-name a-very-long-name     1234 Jan 15  2024 report.pdf',
    );
  });

  it('spell out types and special bits as strmode does', () => {
    expect(modeString(0o040755)).toBe('drwxr-xr-x ');
    expect(modeString(0o120777)).toBe('lrwxrwxrwx ');
    expect(modeString(0o104755)).toBe('-rwsr-xr-x ');
    expect(modeString(0o041777)).toBe('drwxrwxrwt ');
    expect(modeString(0o102644)).toBe('-rw-r-Sr-- ');
  });
});
