import { healthPing } from '@tessera/contracts';
import { capturingLogger, createTestDatabase, createTestEnvironment } from '@tessera/testing';
import { loadSftpSettings } from '../src/settings';
import { startSftp } from '../src/start';
import { startStack, type Stack } from './stack';

describe('the service', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it('answers health.sftp once it listens', async () => {
    const reply = await stack.bus.request(healthPing('sftp'), {});
    expect(reply).toMatchObject({ ok: true, value: { service: 'sftp' } });
  });
});

describe('starting without the pki service', () => {
  it('does not listen without host keys, and says why', async () => {
    const db = await createTestDatabase();
    const env = await createTestEnvironment(db.url);
    try {
      await expect(
        startSftp(env.config, capturingLogger().logger, {
          settings: loadSftpSettings({}),
          hostKeyWaitMs: 1500,
        }),
      ).rejects.toThrow(
        /the pki service gave no host keys: no service answers pki.hostkeys.material/,
      );
    } finally {
      await db.drop();
      await env.cleanup();
    }
  });
});
