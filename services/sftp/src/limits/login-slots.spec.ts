import { LoginSlots } from './login-slots';

describe('LoginSlots', () => {
  it('counts users and sessions per user, and frees a slot once', () => {
    const slots = new LoginSlots({ maxUsers: 2, maxSessionsPerUser: 2 });
    const a1 = slots.claim('a');
    expect(slots.claim('a').granted).toBe(true);
    expect(slots.claim('a')).toEqual({
      granted: false,
      reason: expect.stringMatching(/a already has 2/),
    });
    expect(slots.claim('b').granted).toBe(true);
    expect(slots.claim('c')).toEqual({
      granted: false,
      reason: expect.stringMatching(/2 SFTP users at once/),
    });
    if (!a1.granted) throw new Error('expected a slot');
    a1.release();
    a1.release();
    expect(slots.users).toBe(2);
    expect(slots.claim('a').granted).toBe(true);
  });
});
