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

/** An OpenSSH `sftp` left open, fed one command at a time, as a user at the prompt would. */
export interface OpenSftp {
  /** Runs one command; resolves with what it printed (stdout and stderr) once it is done. */
  run(command: string): Promise<string>;
  /** Types a line without waiting for what it does. */
  send(line: string): void;
  /** Resolves with the exit code once sftp has ended (the server closed, or `bye`). */
  readonly exited: Promise<number>;
  /** Whether sftp is still running. */
  readonly open: boolean;
  /** Everything sftp wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Starts `sftp` reading its commands from a pipe (so it stays open between them), logged in and
 * ready once this resolves. Each command is followed by a local `!echo` marker on both streams,
 * so `run` knows when the command's output (errors included) is complete.
 */
export async function openSftp(login: SftpLogin, cwd = '/tmp'): Promise<OpenSftp> {
  const args = [...commonOptions, ...loginOptions(login), '-P', String(login.port)];
  const [command, fullArgs, env] = withPassword(login, 'sftp', [
    ...args,
    `${login.username}@127.0.0.1`,
  ]);
  const child = spawn(command, fullArgs, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  child.stdin.on('error', () => undefined); // writing to an sftp that the server ended
  let running = true;
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code ?? 255);
    }),
  );
  let counter = 0;
  const run = async (line: string): Promise<string> => {
    const marker = `__done_${++counter}__`;
    const from = { stdout: out.stdout.length, stderr: out.stderr.length };
    child.stdin.write(`${line}\n!echo ${marker}; echo ${marker} >&2\n`);
    const done = () =>
      out.stdout.includes(marker, from.stdout) && out.stderr.includes(marker, from.stderr);
    const end = Date.now() + 30_000;
    while (!done()) {
      if (!running)
        throw new Error(`sftp ended during "${line}": ${out.stderr.slice(from.stderr)}`);
      if (Date.now() > end) throw new Error(`sftp did not finish "${line}" in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const printed = out.stdout.slice(from.stdout) + out.stderr.slice(from.stderr);
    return printed
      .split('\n')
      .filter((l) => !l.includes(marker))
      .join('\n');
  };
  const session: OpenSftp = {
    run,
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
    get open() {
      return running;
    },
    stderr: () => out.stderr,
    close: async () => {
      if (running) child.kill();
      await exited;
    },
  };
  try {
    await run('pwd');
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
