import type { BusClient } from '@tessera/bus';
import { fail, ok, type SessionLogin, type UserProfile } from '@tessera/contracts';
import { capturingLogger } from '@tessera/testing';
import { AccountWatch } from './account-watch';
import { keyFingerprint, LiveSessions, type SessionEntry } from './live-sessions';

const keyA = 'SHA256:aaaa';
const keyB = 'SHA256:bbbb';

function profile(username: string, changes: Partial<UserProfile> = {}): UserProfile {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username,
    enabled: true,
    admin: false,
    homeFolder: username,
    privileges: ['list', 'download', 'upload'],
    passwordLoginDisabled: false,
    hasPassword: true,
    folderSet: null,
    publicKeyCount: 2,
    quotaBytes: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    lastLoginAt: null,
    ...changes,
  };
}

/** A session as a door would register it, recording what the registry did to it. */
function session(username: string, login: SessionLogin = { method: 'password' }) {
  const seen = { ended: [] as string[], profiles: [] as UserProfile[] };
  const entry: SessionEntry = {
    username,
    protocol: 'sftp',
    remoteAddress: '192.0.2.7',
    login,
    end: (reason) => seen.ended.push(reason),
    useProfile: (user) => seen.profiles.push(user),
    transfers: () => [
      { direction: 'upload', path: '/big.iso', bytes: 42, startedAt: '2026-12-01T00:00:00.000Z' },
    ],
  };
  return { entry, seen };
}

let log: ReturnType<typeof capturingLogger>;
let sessions: LiveSessions;
beforeEach(() => {
  log = capturingLogger();
  sessions = new LiveSessions('sftp', log.logger, 'host:1');
});

describe('LiveSessions', () => {
  it('lists who is online, from where, how they logged in and what is moving', () => {
    const alice = session('alice', { method: 'publickey', fingerprint: keyA });
    const { id } = sessions.register(alice.entry);
    expect(sessions.list()).toEqual([
      {
        id,
        username: 'alice',
        protocol: 'sftp',
        remoteAddress: '192.0.2.7',
        since: expect.any(String),
        login: { method: 'publickey', fingerprint: keyA },
        transfers: [expect.objectContaining({ direction: 'upload', bytes: 42 })],
      },
    ]);
  });

  it('forgets a session when the door unregisters it', () => {
    const registered = sessions.register(session('alice').entry);
    registered.unregister();
    expect(sessions.list()).toEqual([]);
  });

  it("ends all of a user's sessions, each once, logged with the reason", () => {
    const [a1, a2, bob] = [session('alice'), session('alice'), session('bob')];
    for (const s of [a1, a2, bob]) sessions.register(s.entry);
    expect(sessions.endUser('alice', 'the account was disabled')).toBe(2);
    expect(sessions.endUser('alice', 'again')).toBe(0);
    expect([a1.seen.ended, a2.seen.ended, bob.seen.ended]).toEqual([
      ['the account was disabled'],
      ['the account was disabled'],
      [],
    ]);
    expect(sessions.usernames()).toEqual(['bob']);
    const ends = log.records().filter((r) => r.msg === 'session ended');
    expect(ends).toEqual([
      expect.objectContaining({ username: 'alice', reason: 'the account was disabled' }),
      expect.objectContaining({ username: 'alice', reason: 'the account was disabled' }),
    ]);
  });

  it('ends only the sessions that logged in with a removed key', () => {
    const withA = session('alice', { method: 'publickey', fingerprint: keyA });
    const withB = session('alice', { method: 'publickey', fingerprint: keyB });
    const password = session('alice');
    for (const s of [withA, withB, password]) sessions.register(s.entry);
    expect(sessions.keysOf('alice')).toEqual([keyA, keyB]);
    expect(sessions.endKeys('alice', [keyA], 'key removed')).toBe(1);
    expect([withA.seen.ended, withB.seen.ended, password.seen.ended]).toEqual([
      ['key removed'],
      [],
      [],
    ]);
  });

  it('ends a session whose door cannot take the changed profile', () => {
    const alice = session('alice');
    alice.entry.useProfile = () => {
      throw new Error('bad home');
    };
    sessions.register(alice.entry);
    sessions.useProfile(profile('alice'));
    expect(alice.seen.ended).toEqual(['the changed account could not be applied']);
  });

  it('fingerprints a key blob as ssh-keygen does', () => {
    // The blob of an ed25519 key and what `ssh-keygen -l -E sha256` says of it.
    const blob = Buffer.from(
      'AAAAC3NzaC1lZDI1NTE5AAAAIFMJJCyVAM2UZjCGt1IpzmPPNcIuJ6tpL8Ea+fRbFI6k',
      'base64',
    );
    expect(keyFingerprint(blob)).toBe('SHA256:85MDmV04SfNQ3A7d9PmkEVwsuCrgV2eMjqLdt6Z9p7Q');
  });
});

describe('AccountWatch', () => {
  /** user-auth's answer to auth.session.check, as a stand-in bus. */
  function watchWith(reply: ReturnType<typeof ok> | ReturnType<typeof fail>) {
    const asked: unknown[] = [];
    const bus = {
      request: async (_contract: unknown, payload: unknown) => {
        asked.push(payload);
        return reply;
      },
    } as unknown as BusClient;
    return { watch: new AccountWatch(bus, sessions, log.logger), asked };
  }
  const event = (changes: string[], removedKeys?: string[]) =>
    ({ username: 'alice', changes, removedKeys, at: '2026-12-01T00:00:00.000Z' }) as never;

  it('ends a disabled or deleted user at once, without asking', async () => {
    const alice = session('alice');
    sessions.register(alice.entry);
    const { watch, asked } = watchWith(fail('unavailable', 'down'));
    await watch.apply(event(['disabled']));
    expect(alice.seen.ended).toEqual(['the account was disabled']);
    expect(asked).toEqual([]);
  });

  it('ends the key sessions of a removed key and leaves the password session', async () => {
    const withKey = session('alice', { method: 'publickey', fingerprint: keyA });
    const password = session('alice');
    sessions.register(withKey.entry);
    sessions.register(password.entry);
    await watchWith(fail('unavailable', 'down')).watch.apply(event(['key-removed'], [keyA]));
    expect(withKey.seen.ended).toEqual(['the key it logged in with was removed']);
    expect(password.seen.ended).toEqual([]);
  });

  it('gives open sessions the re-fetched profile after a privilege change', async () => {
    const alice = session('alice', { method: 'publickey', fingerprint: keyA });
    sessions.register(alice.entry);
    const changed = profile('alice', { privileges: ['list'] });
    const { watch, asked } = watchWith(ok({ user: changed, keys: [keyA] }));
    await watch.apply(event(['privileges']));
    expect(asked).toEqual([{ username: 'alice', keys: [keyA] }]);
    expect(alice.seen.profiles).toEqual([changed]);
    expect(alice.seen.ended).toEqual([]);
  });

  it('on a re-check, ends what no longer stands', async () => {
    const withKey = session('alice', { method: 'publickey', fingerprint: keyA });
    const password = session('alice');
    sessions.register(withKey.entry);
    sessions.register(password.entry);
    const noPasswords = profile('alice', { passwordLoginDisabled: true });
    await watchWith(ok({ user: noPasswords, keys: [] })).watch.recheck('alice');
    expect(withKey.seen.ended).toEqual([
      'the key it logged in with no longer belongs to the account',
    ]);
    expect(password.seen.ended).toEqual(['password logins are off for the account']);

    const again = session('alice');
    sessions.register(again.entry);
    await watchWith(ok({ user: null, keys: [] })).watch.recheck('alice');
    expect(again.seen.ended).toEqual(['the account no longer exists']);
  });

  it('keeps the sessions as they are when user-auth cannot answer', async () => {
    const alice = session('alice');
    sessions.register(alice.entry);
    await watchWith(fail('unavailable', 'down')).watch.apply(event(['privileges']));
    expect(alice.seen).toEqual({ ended: [], profiles: [] });
  });

  it('ignores changes of users with no session here', async () => {
    const { watch, asked } = watchWith(fail('unavailable', 'down'));
    await watch.apply(event(['privileges']));
    expect(asked).toEqual([]);
  });
});
