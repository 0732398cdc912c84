import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, run, waitForPort, type Login } from './run';

export interface ReferenceServer {
  login: Login;
  /** Where uploads land (the login user's files, addressed by absolute path). */
  folder: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * OpenSSH's own sshd with `internal-sftp` on a loopback port: the reference. Its configuration
 * is the stock one apart from what a throwaway instance needs (own host key, port, key file).
 */
export async function startReferenceSshd(
  work: string,
  clientPublicKey: string,
): Promise<ReferenceServer> {
  const dir = path.join(work, 'sshd');
  const folder = path.join(work, 'reference-files');
  await mkdir(dir, { recursive: true });
  await mkdir(folder, { recursive: true });
  // sshd refuses to start without its privilege-separation folder (made by the service unit).
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await writeFile(path.join(dir, 'authorized_keys'), clientPublicKey, { mode: 0o600 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      '',
    ].join('\n'),
  );
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  sshd.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await waitForPort(port, 10_000).catch((error: unknown) => {
    sshd.kill();
    throw new Error(`sshd did not start: ${log || String(error)}`);
  });
  return {
    login: { port, user: os.userInfo().username, identity: '' },
    folder,
    pid: sshd.pid ?? 0,
    stop: async () => {
      sshd.kill('SIGTERM');
      await new Promise((resolve) => sshd.once('exit', resolve));
    },
  };
}
