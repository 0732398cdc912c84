import type { BusClient } from '@tessera/bus';
import { fail, ok, type UserProfile } from '@tessera/contracts';
import { Logins } from './logins';

const user = { username: 'ida' } as UserProfile;

/** A bus that answers every request with `reply`, and remembers what was asked. */
function busAnswering(reply: ReturnType<typeof ok> | ReturnType<typeof fail>) {
  const asked: unknown[] = [];
  const bus = {
    request: async (_contract: unknown, payload: unknown) => {
      asked.push(payload);
      return reply;
    },
  };
  return { bus: bus as unknown as BusClient, asked };
}

const key = { username: 'ida', keyType: 'ssh-ed25519', keyData: Buffer.from('blob') };

describe('Logins', () => {
  it.each([
    ['accepted', ok({ user })],
    ['bad-password', fail('unauthorized', 'wrong username or password')],
    ['bad-password', fail('invalid_request', 'username: a username is ...')],
    ['locked', fail('locked', 'too many failed logins for user ida')],
    ['auth-unavailable', fail('unavailable', 'no service answers auth.password.verify')],
    ['auth-unavailable', fail('internal', 'boom')],
  ] as const)('decides %s from user-auth reply %#', async (outcome, reply) => {
    const { bus } = busAnswering(reply);
    const logins = new Logins(bus, 'ftps');
    expect(await logins.withPassword('ida', 'pw', '192.0.2.1')).toMatchObject({ outcome });
  });

  it('asks for its own protocol', async () => {
    const { bus, asked } = busAnswering(ok({ user }));
    await new Logins(bus, 'https').withPassword('ida', 'pw', '192.0.2.1');
    expect(asked[0]).toMatchObject({ protocol: 'https', remoteAddress: '192.0.2.1' });
  });

  it('takes an offered key as "sign it", and a proven one as a login', async () => {
    const { bus, asked } = busAnswering(ok({ user, fingerprint: 'SHA256:x' }));
    const logins = new Logins(bus, 'sftp');
    expect(await logins.withKey({ ...key, proven: false }, '')).toMatchObject({
      outcome: 'key-acceptable',
    });
    expect(await logins.withKey({ ...key, proven: true }, '')).toMatchObject({
      outcome: 'accepted',
      user,
    });
    expect(asked).toMatchObject([
      { signed: false, keyData: Buffer.from('blob').toString('base64') },
      { signed: true },
    ]);
  });

  it('says whether a refused key was only offered or failed a login', async () => {
    const { bus } = busAnswering(fail('unauthorized', 'this key does not log in this user'));
    const logins = new Logins(bus, 'sftp');
    expect(await logins.withKey({ ...key, proven: false }, '')).toEqual({
      outcome: 'key-not-theirs',
    });
    expect(await logins.withKey({ ...key, proven: true }, '')).toEqual({ outcome: 'unknown-key' });
  });
});
