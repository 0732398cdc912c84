import { StorageError } from './errors';
import { baseName, isAtOrBelow, normaliseVirtualPath, parentOf } from './paths';

function refusal(input: string, cwd?: string): StorageError | undefined {
  try {
    normaliseVirtualPath(input, cwd);
    return undefined;
  } catch (error) {
    return error as StorageError;
  }
}

describe('normaliseVirtualPath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['.', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b'],
    ['//a///b//', '/a/b'],
    ['/a/./b/.', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/..', '/a'],
    ['/a/..', '/'],
    ['a/b', '/a/b'],
  ])('turns %j into %j', (input, expected) => {
    expect(normaliseVirtualPath(input)).toBe(expected);
  });

  it('resolves relative paths against the current folder', () => {
    expect(normaliseVirtualPath('c', '/a/b')).toBe('/a/b/c');
    expect(normaliseVirtualPath('../c', '/a/b')).toBe('/a/c');
    expect(normaliseVirtualPath('', '/a/b')).toBe('/a/b');
    expect(normaliseVirtualPath('/x', '/a/b')).toBe('/x');
  });

  it('refuses ".." that climbs above the home instead of clamping to "/"', () => {
    expect(refusal('/../etc')?.code).toBe('invalid-path');
    expect(refusal('../../x', '/a')?.code).toBe('invalid-path');
    expect(refusal('..', '/')?.code).toBe('invalid-path');
  });

  it('refuses a current folder that is not absolute or is itself hostile', () => {
    expect(refusal('x', 'a/b')?.code).toBe('invalid-path');
    expect(refusal('x', '/../a')?.code).toBe('invalid-path');
  });

  it('keeps names at the 255-byte limit and paths at the 4096-byte limit', () => {
    const name = 'é'.repeat(127) + 'a'; // 255 bytes
    expect(normaliseVirtualPath(`/${name}`)).toBe(`/${name}`);
    const path = ('/' + 'a'.repeat(254)).repeat(16) + '/' + 'b'.repeat(4096 - 16 * 255 - 2);
    expect(Buffer.byteLength(path)).toBe(4095);
    expect(normaliseVirtualPath(path)).toBe(path);
  });

  it('refuses a relative path that grows too long against the current folder', () => {
    const cwd = ('/' + 'a'.repeat(250)).repeat(16);
    expect(refusal('b'.repeat(200), cwd)?.code).toBe('invalid-path');
  });

  it('treats percent-encoding and backslashes in ordinary names as ordinary characters', () => {
    expect(normaliseVirtualPath('/%2e%2e/x')).toBe('/%2e%2e/x');
    expect(normaliseVirtualPath('/a\\b')).toBe('/a\\b');
    expect(normaliseVirtualPath('/C:\\Windows')).toBe('/C:\\Windows');
  });

  it('names the path, escaped, in the message but never raw control characters', () => {
    const error = refusal('/a\r\n226 ok');
    expect(error?.message).toBe('/a\\u000d\\u000a226 ok: contains a control character');
    expect(error?.virtualPath).not.toMatch(/[\r\n]/);
  });
});

describe('virtual path helpers', () => {
  it('finds parents and names', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/')).toBe('/');
    expect(baseName('/a/b')).toBe('b');
  });

  it('compares folders segment by segment', () => {
    expect(isAtOrBelow('/a/b', '/a')).toBe(true);
    expect(isAtOrBelow('/a', '/a')).toBe(true);
    expect(isAtOrBelow('/ab', '/a')).toBe(false);
    expect(isAtOrBelow('/anything', '/')).toBe(true);
  });
});
