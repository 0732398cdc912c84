import { ConnectionLimits, type Claim } from './connection-limits';

const limits = {
  maxConnections: 3,
  maxConnectionsPerAddress: 2,
  maxUsers: 2,
  maxConnectionsPerUser: 2,
};

function release(claim: Claim): void {
  if (!claim.granted) throw new Error(claim.reason);
  claim.release();
}

describe('ConnectionLimits', () => {
  it('holds connections per address and in all, and frees a place on release (once)', () => {
    const door = new ConnectionLimits('SFTP', { ...limits });
    const first = door.connect('192.0.2.1');
    door.connect('192.0.2.1');
    expect(door.connect('192.0.2.1')).toEqual({
      granted: false,
      reason: '192.0.2.1 already has 2 SFTP connections, the most allowed from one address',
    });
    door.connect('192.0.2.2');
    expect(door.connect('192.0.2.3')).toMatchObject({
      granted: false,
      reason: expect.stringContaining('full'),
    });
    release(first);
    release(first);
    expect(door.counts.connections).toBe(2);
    expect(door.connect('192.0.2.3').granted).toBe(true);
    expect(door.counts.refused).toEqual({
      connections: 1,
      'per-address': 1,
      users: 0,
      'per-user': 0,
    });
  });

  it('holds users at once and connections per user, with limits changed while it runs', () => {
    const door = new ConnectionLimits('FTP', { ...limits });
    const ann = door.logIn('ann');
    door.logIn('ann');
    expect(door.logIn('ann')).toMatchObject({
      reason: 'ann already has 2 FTP connections, the most allowed; close one first',
    });
    door.logIn('ben');
    expect(door.logIn('cid')).toMatchObject({
      reason: expect.stringContaining('allows 2 FTP users at once'),
    });
    door.limits = { ...limits, maxConnectionsPerUser: 3, maxUsers: 3 };
    expect(door.logIn('ann').granted).toBe(true);
    expect(door.logIn('cid').granted).toBe(true);
    release(ann);
    expect(door.counts).toMatchObject({ users: 3, refused: { users: 1, 'per-user': 1 } });
  });
});
