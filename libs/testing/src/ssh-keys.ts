import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface TestKey {
  privateFile: string;
  publicFile: string;
  /** The .pub line: "ssh-ed25519 AAAA… name@test". */
  line: string;
  /** SHA256:… as ssh-keygen -l prints it. */
  fingerprint: string;
  /** The base64 key blob (the line's middle field). */
  keyData: string;
}

/** A fresh key pair made by OpenSSH's own ssh-keygen at test time: the independent judge of formats. */
export function makeKey(
  dir: string,
  name: string,
  type: 'ed25519' | 'ecdsa' | 'rsa' | 'dsa',
  bits?: number,
): TestKey {
  const file = path.join(dir, name);
  const args = ['-q', '-t', type, '-N', '', '-C', `${name}@test`, '-f', file];
  if (bits) args.push('-b', String(bits));
  execFileSync('ssh-keygen', args);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
    encoding: 'utf8',
  }).split(' ')[1]!;
  return {
    privateFile: file,
    publicFile: `${file}.pub`,
    line,
    fingerprint,
    keyData: line.split(' ')[1]!,
  };
}
