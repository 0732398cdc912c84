import { execFile } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(__dirname, '../bin/tessera.js');

export interface TesseraRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `tessera` executable as an operator would, with this environment. */
export function runTessera(
  env: Record<string, string>,
  args: string[],
  stdin?: string,
): Promise<TesseraRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}
