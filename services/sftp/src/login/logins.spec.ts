import { utils } from 'ssh2';
import type { BusClient } from '@tessera/bus';
import { fail, ok, type UserProfile } from '@tessera/contracts';
import { Logins, type KeyAttempt } from './logins';

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

/** An attempt by `ida`'s key whose signature was made by a different key. */
function forgedAttempt(): KeyAttempt {
  const own = utils.parseKey(utils.generateKeyPairSync('ed25519').public);
  const other = utils.parseKey(utils.generateKeyPairSync('ed25519').private);
  if (own instanceof Error || other instanceof Error) throw new Error('cannot make keys');
  const signedData = Buffer.from('session id and request');
  return {
    username: 'ida',
    algorithm: 'ssh-ed25519',
    key: own.getPublicSSH(),
    signedData,
    signature: other.sign(signedData),
  };
}

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
    expect(await new Logins(bus).withPassword('ida', 'pw', '192.0.2.1')).toMatchObject({ outcome });
  });

  it('accepts a key offer, then the signed attempt, checking the signature itself', async () => {
    const own = utils.generateKeyPairSync('ed25519');
    const key = utils.parseKey(own.private);
    if (key instanceof Error) throw key;
    const blob = key.getPublicSSH();
    const { bus, asked } = busAnswering(ok({ user, fingerprint: 'SHA256:x' }));
    const logins = new Logins(bus);
    const offer = { username: 'ida', algorithm: 'ssh-ed25519', key: blob };
    expect(await logins.withPublicKey(offer, '192.0.2.1')).toMatchObject({
      outcome: 'key-acceptable',
    });
    const signedData = Buffer.from('what the client signs');
    const signed = { ...offer, signedData, signature: key.sign(signedData) };
    expect(await logins.withPublicKey(signed, '192.0.2.1')).toMatchObject({
      outcome: 'accepted',
      user,
    });
    expect(asked[0]).toMatchObject({ keyType: 'ssh-ed25519', keyData: blob.toString('base64') });
  });

  it('refuses a signature made by another key before asking user-auth', async () => {
    const { bus, asked } = busAnswering(ok({ user, fingerprint: 'SHA256:x' }));
    expect(await new Logins(bus).withPublicKey(forgedAttempt(), '192.0.2.1')).toEqual({
      outcome: 'bad-signature',
    });
    expect(asked).toHaveLength(0);
  });

  it('refuses SHA-1 RSA signatures and DSA keys, and names a key that is not the user’s', async () => {
    const { bus } = busAnswering(fail('unauthorized', 'this key does not log in this user'));
    const logins = new Logins(bus);
    const rsa = { username: 'ida', algorithm: 'ssh-rsa', key: Buffer.alloc(8) };
    expect(await logins.withPublicKey(rsa, '')).toMatchObject({ outcome: 'weak-algorithm' });
    expect(await logins.withPublicKey({ ...rsa, algorithm: 'ssh-dss' }, '')).toMatchObject({
      outcome: 'weak-algorithm',
    });
    const { signature: _, signedData: __, ...offer } = forgedAttempt();
    expect(await logins.withPublicKey(offer, '')).toMatchObject({ outcome: 'key-not-theirs' });
  });
});
