/** The limits an operator sets on one door; the login limits may change while it runs. */
export interface ConnectionLimitValues {
  /** Connections at once, logged in or not. */
  maxConnections: number;
  /** Connections at once from one address, logged in or not. */
  maxConnectionsPerAddress: number;
  /** Different users logged in at once ("users allowed at one time"). */
  maxUsers: number;
  /** Connections one user may hold at once. */
  maxConnectionsPerUser: number;
}

/** Why a connection or a login was refused: counted, and shown by `tessera status`. */
export type RefusalReason = 'connections' | 'per-address' | 'users' | 'per-user';

export type Claim = { granted: true; release: () => void } | { granted: false; reason: string };

/**
 * Who is connected to one door and who is logged in, counted to hold the operator's limits:
 * connections (total and per address) when a client connects, users and connections per user
 * when it logs in. Counted per process: with several replicas each one holds the limits on its
 * own. Refusals are counted by reason, since the client often cannot show why it was refused
 * (rclone says only "EOF").
 */
export class ConnectionLimits {
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private connections = 0;
  readonly refused: Record<RefusalReason, number> = {
    connections: 0,
    'per-address': 0,
    users: 0,
    'per-user': 0,
  };

  /** `protocol` names the door in refusals: "SFTP", "FTP". */
  constructor(
    private readonly protocol: string,
    public limits: ConnectionLimitValues,
  ) {}

  /** When a client connects, before any login. */
  connect(address: string): Claim {
    const held = this.perAddress.get(address) ?? 0;
    if (this.connections >= this.limits.maxConnections) {
      return this.refuse('connections', `the ${this.protocol} server is full; try again later`);
    }
    if (held >= this.limits.maxConnectionsPerAddress) {
      return this.refuse(
        'per-address',
        `${address} already has ${held} ${this.protocol} connections, the most allowed from one address`,
      );
    }
    this.connections++;
    return this.granted(this.perAddress, address, () => this.connections--);
  }

  /** When a user has logged in: the login limits as they are now. */
  logIn(username: string): Claim {
    const held = this.perUser.get(username) ?? 0;
    if (held === 0 && this.perUser.size >= this.limits.maxUsers) {
      return this.refuse(
        'users',
        `the server allows ${this.limits.maxUsers} ${this.protocol} users at once and is full; try again later`,
      );
    }
    if (held >= this.limits.maxConnectionsPerUser) {
      return this.refuse(
        'per-user',
        `${username} already has ${held} ${this.protocol} connections, the most allowed; close one first`,
      );
    }
    return this.granted(this.perUser, username, () => undefined);
  }

  /** For health and `tessera status`. */
  get counts(): { connections: number; users: number; refused: Record<RefusalReason, number> } {
    return {
      connections: this.connections,
      users: this.perUser.size,
      refused: { ...this.refused },
    };
  }

  private refuse(reason: RefusalReason, message: string): Claim {
    this.refused[reason]++;
    return { granted: false, reason: message };
  }

  private granted(counts: Map<string, number>, key: string, alsoRelease: () => void): Claim {
    counts.set(key, (counts.get(key) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      alsoRelease();
      const left = (counts.get(key) ?? 1) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    };
    return { granted: true, release };
  }
}
