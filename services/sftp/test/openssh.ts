import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SftpLogin {
  port: number;
  username: string;
  /** Logs in with a password through sshpass (`sftp -b` implies BatchMode=yes: turned off). */
  password?: string;
  /** Logs in with this private key file (`-i`), and only with it. */
  identity?: string;
  /** More `-o` options, e.g. "HostKeyAlgorithms=rsa-sha2-512". */
  options?: string[];
}

const commonOptions = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
];

function loginOptions(login: SftpLogin): string[] {
  const extra = (login.options ?? []).flatMap((option) => ['-o', option]);
  return [...extra, ...credentialOptions(login)];
}

function credentialOptions(login: SftpLogin): string[] {
  if (login.identity) {
    return ['-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no', '-i', login.identity];
  }
  return ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1'];
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env, cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 255) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function withPassword(
  login: SftpLogin,
  command: string,
  args: string[],
): [string, string[], NodeJS.ProcessEnv] {
  if (!login.password) return [command, args, process.env];
  return ['sshpass', ['-e', command, ...args], { ...process.env, SSHPASS: login.password }];
}

/**
 * Runs OpenSSH's `sftp` in batch mode against the door. Each line of `commands` is one batch
 * command; a line starting with "-" may fail without stopping the batch (sftp's own rule).
 */
export async function sftpBatch(
  login: SftpLogin,
  commands: string[],
  { cwd, verbose = false }: { cwd?: string; verbose?: boolean } = {},
): Promise<RunResult> {
  const batchFile = path.join(cwd ?? '/tmp', `batch-${process.pid}-${Date.now()}-${Math.random()}`);
  await writeFile(batchFile, commands.join('\n') + '\n');
  const args = [
    ...commonOptions,
    ...loginOptions(login),
    ...(verbose ? ['-vvv'] : []),
    '-P',
    String(login.port),
    '-b',
    batchFile,
    `${login.username}@127.0.0.1`,
  ];
  const [command, fullArgs, env] = withPassword(login, 'sftp', args);
  return run(command, fullArgs, env, cwd);
}

/** Runs OpenSSH's `ssh` (for shell and exec refusals). */
export function sshCommand(login: SftpLogin, extra: string[]): Promise<RunResult> {
  const args = [
    ...commonOptions,
    ...loginOptions(login),
    '-p',
    String(login.port),
    `${login.username}@127.0.0.1`,
    ...extra,
  ];
  const [command, fullArgs, env] = withPassword(login, 'ssh', args);
  return run(command, fullArgs, env);
}

/**
 * Starts OpenSSH's `sftp` in batch mode and returns at once, in a process group of its own, so a
 * test can cut it hard mid-transfer: `process.kill(-child.pid, 'SIGKILL')` takes sftp and its ssh.
 * `extra` goes before the destination, e.g. ["-l", "4000"] to limit the bandwidth (Kbit/s).
 */
export async function startSftpBatch(
  login: SftpLogin,
  commands: string[],
  { cwd, extra = [] }: { cwd: string; extra?: string[] },
): Promise<ChildProcess> {
  const batchFile = path.join(cwd, `batch-${process.pid}-${Date.now()}-${Math.random()}`);
  await writeFile(batchFile, commands.join('\n') + '\n');
  const args = [
    ...commonOptions,
    ...loginOptions(login),
    ...extra,
    '-P',
    String(login.port),
    '-b',
    batchFile,
    `${login.username}@127.0.0.1`,
  ];
  const [command, fullArgs, env] = withPassword(login, 'sftp', args);
  return spawn(command, fullArgs, { env, cwd, detached: true, stdio: 'ignore' });
}
