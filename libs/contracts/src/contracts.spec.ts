import { authPasswordVerify, folderRuleSchema, usersCreate, privilegeListSchema } from './index';

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

  it('normalises rule paths and orders privileges canonically', () => {
    expect(folderRuleSchema.parse({ path: '/a//b/', privileges: ['upload', 'list'] })).toEqual({
      path: '/a/b',
      privileges: ['list', 'upload'],
    });
    expect(folderRuleSchema.safeParse({ path: '/a/../b', privileges: [] }).success).toBe(false);
    expect(privilegeListSchema.safeParse(['list', 'fly']).success).toBe(false);
  });
});
