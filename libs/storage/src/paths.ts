import { StorageError } from './errors';

/** Linux's limits (NAME_MAX, PATH_MAX), counted in UTF-8 bytes as the kernel counts them. */
export const maxNameBytes = 255;
export const maxPathBytes = 4096;

/** Names starting with this are in-progress uploads: hidden from listings, refused as paths. */
export const uploadTempPrefix = '.tessera-upload-';

/**
 * Turns what a client sent into a clean virtual path ("/" or "/a/b"), resolving "." and ".."
 * lexically against `cwd`. Never touches the disk. Refuses (StorageError 'invalid-path'):
 * - NUL, control characters (Unicode Cc: C0, DEL, C1) and lone UTF-16 surrogates, which would
 *   forge FTP replies or log lines, or silently become a different name on disk;
 * - ".." that climbs above the home: "/../etc" is an error, not quietly "/etc";
 * - names made only of dots and spaces other than "." and "..", also after Unicode folding
 *   (NFKC) and split at backslashes: "...", ".. ", "..\\..\\x", "\u2024\u2024", "．．" all
 *   mean ".." to Windows or to a later normalising step, and no real file needs such a name;
 * - names over 255 bytes and paths over 4096 bytes.
 * Backslashes are otherwise ordinary characters (this is POSIX storage). Percent signs are too:
 * the web gateway decodes URLs before calling, so a literal "%2e%2e" is just a name.
 * An empty input means `cwd`.
 */
export function normaliseVirtualPath(input: string, cwd = '/'): string {
  assertSafeText(input, input);
  const start = input.startsWith('/') ? [] : segmentsOf(normaliseCwd(cwd));
  const segments = [...start];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw invalid(input, 'climbs above the home folder');
      segments.pop();
      continue;
    }
    assertSafeName(segment, input);
    segments.push(segment);
  }
  const result = '/' + segments.join('/');
  if (Buffer.byteLength(result) > maxPathBytes) throw invalid(input, 'path is too long');
  return result;
}

/** "/a/b/c" → "/a/b"; "/a" → "/"; "/" → "/". */
export function parentOf(virtualPath: string): string {
  const cut = virtualPath.lastIndexOf('/');
  return cut <= 0 ? '/' : virtualPath.slice(0, cut);
}

/** "/a/b/c" → "c"; "/" → "". */
export function baseName(virtualPath: string): string {
  return virtualPath.slice(virtualPath.lastIndexOf('/') + 1);
}

/** "/a/b" → ["a", "b"]; "/" → []. */
export function segmentsOf(virtualPath: string): string[] {
  return virtualPath.split('/').filter(Boolean);
}

/** True when `inner` is `outer` or lies below it, segment-wise ("/a" holds "/a/b", not "/ab"). */
export function isAtOrBelow(inner: string, outer: string): boolean {
  const a = segmentsOf(inner);
  const b = segmentsOf(outer);
  return b.length <= a.length && b.every((s, i) => s === a[i]);
}

export function isUploadTempName(name: string): boolean {
  return name.startsWith(uploadTempPrefix);
}

function normaliseCwd(cwd: string): string {
  if (!cwd.startsWith('/')) throw invalid(cwd, 'the current folder must be an absolute path');
  return normaliseVirtualPath(cwd);
}

function assertSafeText(text: string, input: string): void {
  if (typeof text !== 'string') throw invalid(String(input), 'a path is text');
  if (text.includes('\0')) throw invalid(input, 'contains a NUL byte');
  if (/\p{Cc}/u.test(text)) throw invalid(input, 'contains a control character');
  if (/\p{Cs}/u.test(text)) throw invalid(input, 'is not valid Unicode');
  if (Buffer.byteLength(text) > maxPathBytes) throw invalid(input, 'path is too long');
}

function assertSafeName(name: string, input: string): void {
  if (Buffer.byteLength(name) > maxNameBytes) throw invalid(input, 'a name is too long');
  if (isUploadTempName(name))
    throw invalid(input, 'names starting with .tessera-upload- are reserved');
  const parts = name.normalize('NFKC').split(/[\\/]/);
  if (parts.some((part) => part !== '.' && /^[.\s]+$/u.test(part))) {
    throw invalid(input, 'a name made only of dots and spaces is not allowed');
  }
}

function invalid(input: string, detail: string): StorageError {
  return new StorageError('invalid-path', input, detail);
}
