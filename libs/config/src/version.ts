import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The release of Tessera this process runs: the root package.json's version, found by walking up
 * from this file, so sources, dist/ and the image (/app) all find the same one.
 */
export function tesseraVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'tessera' && pkg.version) return (cached = pkg.version);
    } catch {
      // no package.json here: keep walking up
    }
  }
  return (cached = 'unknown');
}
