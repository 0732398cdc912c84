import { execFile } from 'node:child_process';
import { pkiHostKeysRegenerate, pkiHostKeysShow } from '@tessera/contracts';
import { sftpBatch, type SftpLogin } from './openssh';
import { eventually } from '@tessera/testing';
import { startStack, type Stack } from './stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'hal', homeFolder: 'hal', password: 'hal-password' });
}, 60_000);

afterAll(() => stack?.close());

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 255) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const hal = (port: number, options: string[]): SftpLogin => ({
  port,
  username: 'hal',
  password: 'hal-password',
  options,
});
const connects = async (port: number, ...options: string[]) =>
  (await sftpBatch(hal(port, options), ['pwd'])).code === 0;

async function hostKeyLine(port: number, type: string): Promise<string> {
  const { output } = await run('ssh-keyscan', ['-p', String(port), '-t', type, '127.0.0.1']);
  return output.split('\n').find((l) => l.startsWith('[127.0.0.1]')) ?? '';
}

async function pkiPublicKey(kind: 'ed25519' | 'rsa-3072'): Promise<string> {
  const shown = await stack.bus.request(pkiHostKeysShow, {});
  if (!shown.ok) throw new Error(shown.error.message);
  const key = shown.value.keys.find((k) => k.kind === kind);
  return (key?.publicKey ?? '').split(' ').slice(0, 2).join(' ');
}

describe('SSH algorithms', () => {
  it('passes ssh-audit with no failure (warnings: the Terrapin countermeasure it predates, and the libssh2 MACs)', async () => {
    const { output } = await run('ssh-audit', ['-n', '-p', String(stack.port), '127.0.0.1']);
    expect(output).toContain('(gen) banner: SSH-2.0-Tessera_SFTP');
    expect(output).not.toContain('[fail]');
    const warnings = output.split('\n').filter((l) => l.includes('[warn]'));
    expect(warnings).toEqual([
      expect.stringMatching(/kex-strict-s-v00@openssh.com +-- \[warn\] unknown algorithm/),
      expect.stringMatching(/\(mac\) hmac-sha2-256 +-- \[warn\] using encrypt-and-MAC mode/),
      expect.stringMatching(/\(mac\) hmac-sha2-512 +-- \[warn\] using encrypt-and-MAC mode/),
    ]);
    expect(output).toMatch(/\(key\) rsa-sha2-512 \(3072-bit\)/);
    expect(output).not.toMatch(/\(key\) ssh-rsa|ecdsa|nistp|cbc|sha1|umac/);
  });

  it('offers the RSA host key only with SHA-2 signatures, and no ECDSA or NIST key exchange', async () => {
    const port = stack.port;
    expect(await connects(port, 'HostKeyAlgorithms=rsa-sha2-512')).toBe(true);
    expect(await connects(port, 'HostKeyAlgorithms=rsa-sha2-256')).toBe(true);
    expect(await connects(port, 'HostKeyAlgorithms=ssh-rsa')).toBe(false);
    expect(await connects(port, 'HostKeyAlgorithms=ecdsa-sha2-nistp256')).toBe(false);
    expect(await connects(port, 'KexAlgorithms=ecdh-sha2-nistp256')).toBe(false);
    expect(await connects(port, 'Ciphers=aes128-ctr', 'MACs=hmac-sha2-512-etm@openssh.com')).toBe(
      true,
    );
    // Encrypt-and-MAC SHA-2 MACs for libssh2 (curl, PHP); SHA-1 and 64-bit tags never.
    expect(await connects(port, 'Ciphers=aes128-ctr', 'MACs=hmac-sha2-256')).toBe(true);
    expect(await connects(port, 'Ciphers=aes128-ctr', 'MACs=hmac-sha1')).toBe(false);
    expect(await connects(port, 'Ciphers=aes128-ctr', 'MACs=umac-64-etm@openssh.com')).toBe(false);
    expect(await connects(port, 'Ciphers=aes128-cbc')).toBe(false);
  });

  it('presents the pki service’s host keys, and new ones as soon as pki announces a change', async () => {
    expect(await hostKeyLine(stack.port, 'rsa')).toContain(await pkiPublicKey('rsa-3072'));
    const before = await pkiPublicKey('ed25519');
    expect(await hostKeyLine(stack.port, 'ed25519')).toContain(before);
    const regenerated = await stack.bus.request(pkiHostKeysRegenerate, { kinds: ['ed25519'] });
    expect(regenerated.ok).toBe(true);
    const after = await pkiPublicKey('ed25519');
    expect(after).not.toBe(before);
    const presented = await eventually(async () => {
      const line = await hostKeyLine(stack.port, 'ed25519');
      return line.includes(after) ? line : undefined;
    }, 5000);
    expect(presented).toContain(after);
  });

  it('offers ECDSA host keys and NIST key exchange only when the settings say so', async () => {
    // A door of its own (own settings, so its own port): both doors would follow one sftp.port.
    const other = await startStack({ nistKex: true, ecdsaHostKey: true });
    try {
      await other.createUser({ username: 'hal', homeFolder: 'hal', password: 'hal-password' });
      expect(await connects(other.port, 'HostKeyAlgorithms=ecdsa-sha2-nistp256')).toBe(true);
      expect(await connects(other.port, 'KexAlgorithms=ecdh-sha2-nistp256')).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('offers only encrypt-then-MAC MACs with the strict setting: ssh-audit warns of no MAC', async () => {
    // A door of its own, as above.
    const other = await startStack({ strictAlgorithms: true });
    try {
      await other.createUser({ username: 'hal', homeFolder: 'hal', password: 'hal-password' });
      expect(await connects(other.port, 'Ciphers=aes128-ctr', 'MACs=hmac-sha2-256')).toBe(false);
      expect(
        await connects(other.port, 'Ciphers=aes128-ctr', 'MACs=hmac-sha2-256-etm@openssh.com'),
      ).toBe(true);
      const { output } = await run('ssh-audit', ['-n', '-p', String(other.port), '127.0.0.1']);
      expect(output).not.toContain('[fail]');
      expect(
        output.split('\n').filter((l) => l.startsWith('(mac)') && l.includes('[warn]')),
      ).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
