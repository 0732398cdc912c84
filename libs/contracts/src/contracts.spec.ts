import {
  filesUploaded,
  authPasswordVerify,
  fieldIssuesOf,
  folderRuleSchema,
  folderSetNameSchema,
  folderSetsCreate,
  folderSetsDelete,
  invalidFields,
  privilegeListSchema,
  usernameSchema,
  usersCreate,
  usersUnlock,
} from './index';

describe('contracts', () => {
  it('accepts a well-formed password check', () => {
    const parsed = authPasswordVerify.request.safeParse({
      username: 'alice',
      password: 'secret-secret',
      protocol: 'sftp',
      remoteAddress: '127.0.0.1',
    });
    expect(parsed.success).toBe(true);
  });

  it.each([
    [{}],
    [{ username: 'alice' }],
    [{ username: '../etc', password: 'x', protocol: 'sftp' }],
    [{ username: 'alice', password: 'x', protocol: 'gopher' }],
    [{ username: 'alice', password: 42, protocol: 'sftp' }],
    ['just a string'],
    [null],
  ])('refuses a malformed password check %#', (payload) => {
    expect(authPasswordVerify.request.safeParse(payload).success).toBe(false);
  });

  it('refuses a home folder that climbs out of the storage root', () => {
    for (const homeFolder of ['../x', '/etc', 'a/../../b', 'a//b', 'a\0b']) {
      expect(usersCreate.request.safeParse({ username: 'bob', homeFolder }).success).toBe(false);
    }
  });

  it('says one thing about "/etc" as a home folder: that it must be relative', () => {
    const parsed = usersCreate.request.safeParse({ username: 'bob', homeFolder: '/etc' });
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'a home folder is relative to the storage root (no leading "/")',
    ]);
  });

  it('holds user names and new folder-set names to one rule', () => {
    for (const name of ['alice', 'a.b_c-d@e', '0day', 'x'.repeat(64)]) {
      expect([
        usernameSchema.safeParse(name).success,
        folderSetNameSchema.safeParse(name).success,
      ]).toEqual([true, true]);
    }
    for (const name of ['bad name!', '-lead', '.hidden', 'a/b', '', 'x'.repeat(65)]) {
      expect([
        usernameSchema.safeParse(name).success,
        folderSetNameSchema.safeParse(name).success,
      ]).toEqual([false, false]);
    }
    expect(folderSetsCreate.request.safeParse({ name: 'bad name!', rules: [] }).success).toBe(
      false,
    );
    // A set stored before the rule can still be found, to rename or delete it.
    expect(folderSetsDelete.request.safeParse({ name: 'old name!' }).success).toBe(true);
  });

  it('keeps field paths apart in an invalid_request, for clients to name fields their way', () => {
    const refused = invalidFields([
      { path: ['rules', 0, 'path'], message: 'starts with "/"' },
      { path: [], message: 'give a password' },
    ]);
    if (refused.ok) throw new Error('expected a refusal');
    expect(refused.error.message).toBe('rules.0.path: starts with "/"; give a password');
    expect(fieldIssuesOf(refused.error)).toEqual([
      { path: ['rules', 0, 'path'], message: 'starts with "/"' },
      { path: [], message: 'give a password' },
    ]);
    expect(fieldIssuesOf({ code: 'conflict', message: 'taken' })).toEqual([]);
  });

  it('normalises rule paths and orders privileges canonically', () => {
    expect(folderRuleSchema.parse({ path: '/a//b/', privileges: ['upload', 'list'] })).toEqual({
      path: '/a/b',
      privileges: ['list', 'upload'],
    });
    expect(folderRuleSchema.safeParse({ path: '/a/../b', privileges: [] }).success).toBe(false);
    expect(privilegeListSchema.safeParse(['list', 'fly']).success).toBe(false);
  });

  it('unlocks a user, an address or one user from one address, and only a real IP address', () => {
    const parses = (payload: unknown) => usersUnlock.request.safeParse(payload).success;
    expect(parses({ username: 'alice', requestedBy: 'ops@host' })).toBe(true);
    expect(parses({ address: '192.0.2.7' })).toBe(true);
    expect(parses({ address: '2001:db8::7' })).toBe(true);
    expect(parses({})).toBe(false);
    expect(parses({ username: 'alice', address: '192.0.2.7' })).toBe(true);
    expect(parses({ address: '192.0.2.999' })).toBe(false);
    expect(parses({ address: 'alice' })).toBe(false);
  });

  it('reads an upload event without `complete` (older producers) as it was sent', () => {
    const event = {
      eventId: '0b7e2f5c-1d3a-4c8e-9f00-123456789abc',
      username: 'alice',
      protocol: 'sftp',
      path: '/in/a.bin',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      size: 3,
      sha256: null,
    };
    expect(filesUploaded.payload.parse(event).complete).toBeUndefined();
    expect(filesUploaded.payload.parse({ ...event, complete: false }).complete).toBe(false);
    expect(filesUploaded.payload.safeParse({ ...event, complete: 'no' }).success).toBe(false);
  });
});
